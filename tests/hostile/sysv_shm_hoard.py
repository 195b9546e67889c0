# expect: memory
# why: creates six SysV shared-memory segments of 256 MB, touches every page and detaches
# (the segments stay): unmapped shared memory is outside RLIMIT_AS but charged to the
# execution's memory cgroup.
# timeout: 10
# why-timeout: writing past 576 MB takes 0.3 s idle but near 2 s with the cores busy; the
# verdict must be memory however slow the machine, so the wall limit is not what decides.
# expect-wasi: error
# why-wasi: WASI has no ctypes (ImportError).
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
IPC_PRIVATE, IPC_CREAT = 0, 0o1000
size = 256 << 20
for _ in range(6):
    shmid = libc.shmget(IPC_PRIVATE, ctypes.c_size_t(size), IPC_CREAT | 0o600)
    if shmid < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    addr = libc.shmat(shmid, None, 0)
    if addr in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "shmat")
    ctypes.memset(addr, 1, size)
    libc.shmdt(ctypes.c_void_p(addr))
