# expect: crashed
# why: tries to kill the harness by pid (not visible from the PID namespace) and its parent
# (the sandbox's init, another uid), then SIGKILLs its own process group: only python dies,
# and the harness goes on.
# expect-wasi: error
# why-wasi: WASI has no processes or signals: os.getppid/os.kill do not exist (AttributeError); the harness is out of reach anyway.
import os, signal
for pid in [{{HARNESS_PID}}, os.getppid()]:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
os.killpg(0, signal.SIGKILL)
