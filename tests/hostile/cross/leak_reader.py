# expect: passed
# why: the reader of a cross-execution pair (run after `leak_writer.py`, in the same
# container with --jobs 1): nothing of an earlier execution may be visible — no entry in
# /tmp but its own directory, nothing in /dev/shm or /dev/mqueue, no SysV object (by the
# writer's key or at all), no POSIX message queue — and the container's memory is all
# there again: 200 MB, written, fit under --memory 512. Any leak raises, naming it.
import ctypes
import os
import socket

KEY = 0x5A55A1

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int]


def main():
    print("container", socket.gethostname())
    leaks = []
    home = os.path.basename(os.getcwd())
    leaks += ["/tmp/" + n for n in os.listdir("/tmp") if n != home]
    for base in ("/dev/shm", "/dev/mqueue"):
        leaks += [base + "/" + n for n in os.listdir(base)]
    shmid = libc.shmget(KEY, 0, 0)
    if shmid >= 0:
        addr = libc.shmat(shmid, None, 0)
        leaks.append("shm by key: %r" % ctypes.string_at(addr, 64).rstrip(b"\0"))
    if libc.semget(KEY, 0, 0) >= 0:
        leaks.append("semaphore by key")
    if libc.msgget(KEY, 0, 0) >= 0:
        leaks.append("message queue by key")
    for kind in ("shm", "sem", "msg"):
        with open("/proc/sysvipc/" + kind) as f:
            leaks += ["sysv %s: %s" % (kind, r.split()[:2]) for r in f.read().splitlines()[1:]]
    if libc.mq_open(b"/assay-{{MARKER}}", os.O_RDONLY) >= 0:
        leaks.append("posix message queue")
    big = b"x" * (200 << 20)
    del big
    if leaks:
        raise AssertionError("LEAK from an earlier execution: %s" % leaks[:10])


main()
