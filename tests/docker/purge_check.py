"""Drives the pool server's clean-up (`_purge` of assay_pool.py, read from stdin) in a
container hardened like the pool's: as root with only SETUID and SETGID, as the server.

1. An execution uid leaves everything hard to remove, and a process that holds a segment;
   `_purge` must report clean and nothing of the uid may be left (processes, files in
   /tmp, /dev/shm, /dev/mqueue, SysV objects), and a symlink out of the tree is not
   followed.
2. Something the uid cannot remove (a root-owned directory inside its own, which no
   execution can make): `_purge` must report unclean, and its other stages still ran.
Prints "purge checks passed" at the end; any failure raises.
"""
import ctypes
import os
import socket
import sys
import time
import traceback

# The server's modules on stdin, [[name, source]...], loaded as the bootstrap loads them.
for _name, _source in __import__("json").loads(sys.stdin.read()):
    _module = type(sys)(_name)
    sys.modules[_name] = _module
    exec(compile(_source, _name, "exec"), _module.__dict__)
P = sys.modules["assay_pool"].__dict__
UID = 63999  # outside the harness's leased range: never a real execution's uid
KEY = 0x5A55A2
IPC_CREAT = 0o1000
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]


def as_uid(fn):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setgid(UID)
            os.setuid(UID)
            fn()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    assert os.waitpid(pid, 0)[1] == 0, "the uid's setup failed"


def sysv():
    shmid = libc.shmget(KEY, 1 << 20, IPC_CREAT | 0o600)
    assert shmid >= 0 and libc.semget(KEY, 2, IPC_CREAT | 0o600) >= 0
    assert libc.msgget(KEY, IPC_CREAT | 0o600) >= 0
    return shmid


def leave_everything():
    os.chdir("/tmp")
    os.mkdir("deep")
    os.chdir("deep")
    for level in range(5000):
        os.mkdir("d" * 200)  # ~1 MB of path in all
        os.chdir("d" * 200)
        if level in (10, 2500):
            os.mkfifo("fifo")
            socket.socket(socket.AF_UNIX).bind("sock")
            os.symlink("/tmp/keep", "link")
            os.symlink("/tmp/keep/file", "filelink")
            for name in ("x" * 255, "new\nline", b"\xff\xfe bytes"):
                open(name, "wb").close()
            os.mkdir("ro")
            open("ro/f", "wb").close()
            os.chmod("ro", 0o500)
            fd = os.open(".", os.O_RDONLY)
        if level == 2600:
            os.fchmod(fd, 0)  # level 2500 loses every permission
    os.chdir("/tmp")
    os.mkdir("wide")
    for i in range(2000):
        os.mkdir("wide/%d" % i)
    os.mkdir("locked")
    open("locked/f", "wb").close()
    os.chmod("locked", 0)
    open("/tmp/plain", "wb").close()
    os.mkfifo("/tmp/fifo")
    open("/dev/shm/posix", "wb").close()
    assert libc.mq_open(b"/queue", os.O_RDWR | os.O_CREAT, 0o600, None) >= 0
    shmid = sysv()
    if os.fork() == 0:  # a process that holds the segment and outlives its parent
        libc.shmat(shmid, None, 0)
        os.setsid()
        time.sleep(600)
        os._exit(0)


def processes():
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/status" % pid) as f:
                status = f.read()
        except OSError:
            continue
        uid = int(status.split("Uid:")[1].split()[0])
        if uid == UID and "State:\tZ" not in status:
            out.append(pid)
    return out


def leftovers():
    left = ["process %s" % p for p in processes()]
    for base in ("/tmp", "/dev/shm", "/dev/mqueue"):
        for name in os.listdir(base):
            if os.lstat(os.path.join(base, name)).st_uid == UID:
                left.append(os.path.join(base, name))
    for kind in ("shm", "sem", "msg"):
        with open("/proc/sysvipc/" + kind) as f:
            left += ["sysv %s %s" % (kind, row.split()[1]) for row in f.read().splitlines()[1:]]
    return left


os.mkdir("/tmp/keep")
open("/tmp/keep/file", "wb").close()
as_uid(leave_everything)
assert len(leftovers()) >= 8 and processes(), leftovers()
assert P["_purge"](UID) is True, "purge reported unclean: %s" % leftovers()
assert leftovers() == [], leftovers()
assert os.path.exists("/tmp/keep/file"), "a symlink was followed"

# 2. A root-owned directory inside the uid's: the file stage fails, the rest still runs.
as_uid(lambda: (os.mkdir("/tmp/mine"), os.chmod("/tmp/mine", 0o777)))
os.mkdir("/tmp/mine/roots")
open("/tmp/mine/roots/f", "wb").close()
as_uid(lambda: (sysv(), open("/dev/shm/posix", "wb").close()))
assert P["_purge"](UID) is False, "a failed clean-up was reported clean"
assert leftovers() == ["/tmp/mine"], leftovers()
print("purge checks passed")
