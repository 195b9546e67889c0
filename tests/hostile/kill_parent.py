# expect: crashed
# why: tries to kill the harness by pid (not visible from the PID namespace) and its parent
# (the sandbox's init, another uid), then SIGKILLs its own process group: only python dies,
# and the harness goes on.
import os, signal
for pid in [{{HARNESS_PID}}, os.getppid()]:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
os.killpg(0, signal.SIGKILL)
