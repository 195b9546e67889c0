# expect: error
# why: unshare(CLONE_NEWUSER), then new mount and network namespaces from inside it: kernel
# attack surface no test needs, refused by the seccomp filter (EPERM -> OSError).
# expect-wasi: error
# why-wasi: WASI has no ctypes (ImportError).
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET = 0x10000000, 0x00020000, 0x40000000
if libc.unshare(CLONE_NEWUSER) != 0:
    raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER)")
if libc.unshare(CLONE_NEWNS | CLONE_NEWNET) != 0:
    raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS|CLONE_NEWNET) in the user namespace")
