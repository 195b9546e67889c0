# expect: error
# why: ptrace(PTRACE_ATTACH) on its parent and on PID 1; the seccomp filter (process) or the missing capability and another uid (docker) refuse it, and the program raises on refusal.
# expect-wasi: error
# why-wasi: WASI has no ctypes (ImportError).
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH = 16
for pid in (os.getppid(), 1):
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
        continue  # attached: the test then passes, which the expected verdict forbids
    else:
        raise PermissionError(ctypes.get_errno(), "ptrace refused")
