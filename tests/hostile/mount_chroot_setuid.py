# expect: error
# why: tries privileged calls one after another: mount a tmpfs, chroot, setuid(0). Every one
# must fail (seccomp on the process backend, no capabilities in containers, the
# unprivileged uid); any success would let the program end normally. (ptrace is refused by
# the process backend's filter, checked in its unit test; Docker's default profile allows
# PTRACE_TRACEME.)
# expect-wasi: error
# why-wasi: WASI has no ctypes (ImportError).
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
failures = 0
if libc.mount(b"none", b"/tmp", b"tmpfs", 0, None) != 0:
    failures += 1
try:
    os.chroot("/tmp")
except OSError:
    failures += 1
try:
    os.setuid(0)
except OSError:
    failures += 1
if failures == 3:
    raise PermissionError("mount, chroot and setuid all refused")
