# expect: passed
# why: the writer of a cross-execution pair (run first, `tests/hostile.rs`
# `cross_execution_*`): it leaves behind all a later execution could find, and proves
# within itself that each mechanism works (it fails if one does not, so a reader that
# passes for an unrelated reason cannot hide a leak): a 3,000-level directory tree in /tmp
# (a recursive clean-up dies on it) with a chmod 000 level, a fifo and a unix socket, a
# 48 MB file, 450 MB of SysV shared memory left unattached (a later program that needs
# 200 MB would meet the container's memory limit), SysV shm, semaphore and message queue
# under a fixed key, a POSIX shm object and a POSIX message queue (or proof that
# RLIMIT_MSGQUEUE refuses one), each holding the secret.
import ctypes
import errno
import os
import resource
import socket

SECRET = b"{{MARKER}}-secret"
KEY = 0x5A55A1
IPC_CREAT, IPC_PRIVATE, SETVAL, GETVAL, IPC_NOWAIT = 0o1000, 0, 16, 12, 0o4000

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
libc.mq_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]


class Msg(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * 64)]


def check(ok, what):
    if not ok:
        raise RuntimeError("writer: %s failed (errno %d)" % (what, ctypes.get_errno()))


def main():
    print("container", socket.gethostname())
    # The deep tree, built by relative mkdir/chdir (its path is far past PATH_MAX).
    os.chdir("/tmp")
    os.mkdir("deep-{{MARKER}}")
    os.chdir("deep-{{MARKER}}")
    for level in range(3000):
        os.mkdir("d")
        os.chdir("d")
        if level == 1500:
            middle = os.open(".", os.O_RDONLY)
    with open("secret", "wb") as f:
        f.write(SECRET)
    os.mkfifo("fifo")
    socket.socket(socket.AF_UNIX).bind("sock")
    with open("secret", "rb") as f:
        check(f.read() == SECRET, "the tree's secret")
    os.fchmod(middle, 0)
    # A big file, and big private segments written and detached one at a time.
    with open("/tmp/big-{{MARKER}}", "wb") as f:
        for _ in range(48):
            f.write(b"\1" * (1 << 20))
    for _ in range(3):
        size = 150 << 20
        shmid = libc.shmget(IPC_PRIVATE, size, IPC_CREAT | 0o600)
        check(shmid >= 0, "shmget private")
        addr = libc.shmat(shmid, None, 0)
        check(addr not in (None, ctypes.c_void_p(-1).value), "shmat private")
        ctypes.memset(addr, 1, size)
        libc.shmdt(addr)
    # SysV shm under the fixed key, found again by the key.
    shmid = libc.shmget(KEY, 4096, IPC_CREAT | 0o600)
    check(shmid >= 0, "shmget key")
    addr = libc.shmat(shmid, None, 0)
    ctypes.memmove(addr, SECRET, len(SECRET))
    libc.shmdt(addr)
    again = libc.shmat(libc.shmget(KEY, 0, 0), None, 0)
    check(ctypes.string_at(again, len(SECRET)) == SECRET, "shm by key")
    libc.shmdt(again)
    # A semaphore holding a value, a message queue holding the secret (twice: one is read).
    semid = libc.semget(KEY, 1, IPC_CREAT | 0o600)
    check(semid >= 0 and libc.semctl(semid, 0, SETVAL, 4242) == 0, "semget")
    check(libc.semctl(libc.semget(KEY, 0, 0), 0, GETVAL) == 4242, "sem by key")
    msqid = libc.msgget(KEY, IPC_CREAT | 0o600)
    msg = Msg(1, SECRET)
    for _ in range(2):
        check(libc.msgsnd(msqid, ctypes.byref(msg), 64, IPC_NOWAIT) == 0, "msgsnd")
    got = Msg()
    n = libc.msgrcv(libc.msgget(KEY, 0, 0), ctypes.byref(got), 64, 0, IPC_NOWAIT)
    check(n > 0 and got.mtext == SECRET, "msg by key")
    # POSIX shm (a file of /dev/shm) and a POSIX message queue.
    with open("/dev/shm/assay-{{MARKER}}", "wb") as f:
        f.write(SECRET)
    with open("/dev/shm/assay-{{MARKER}}", "rb") as f:
        check(f.read() == SECRET, "posix shm")
    mq = libc.mq_open(b"/assay-{{MARKER}}", os.O_RDWR | os.O_CREAT, 0o600, None)
    if mq < 0:
        # RLIMIT_MSGQUEUE 0 (the sandboxes' rlimit) refuses every queue: nothing to leave.
        check(ctypes.get_errno() == errno.EMFILE, "mq_open")
        check(resource.getrlimit(resource.RLIMIT_MSGQUEUE) == (0, 0), "mq_open refused")
    else:
        check(libc.mq_send(mq, SECRET, len(SECRET), 0) == 0, "mq_send")
        check(os.path.exists("/dev/mqueue/assay-{{MARKER}}"), "mqueue visible")


main()
