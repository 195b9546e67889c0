# expect: crashed
# why: arms SIGALRM with a handler that raises SystemExit(0) and sleeps; the runner catches the SystemExit as a crash before any test: an alarm cannot end a run as a pass.
# expect-wasi: error
# why-wasi: WASI has no signal.alarm (AttributeError).
import signal, time
def leave(*args):
    raise SystemExit(0)
signal.signal(signal.SIGALRM, leave)
signal.alarm(1)
time.sleep(1.5)
