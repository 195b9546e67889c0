# sequence: write read
# expect-write: passed
# expect: error
# why: the writer leaves a SysV shared-memory segment and a message queue under a fixed
# key holding a secret (and checks it can read them back); a later execution on the same
# slot or container looks them up by key. Each execution has its own IPC namespace (the
# pool removes every object between executions), so the reader finds nothing.
# expect-write-wasi: error
# expect-wasi: error
# why-wasi: WASI has no ctypes (ImportError) and no IPC at all.
import ctypes, zlib
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
KEY = zlib.crc32(b"{{MARKER}}") & 0x7FFFFFFF
SECRET = b"secret-{{MARKER}}"
IPC_CREAT = 0o1000


class Msg(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * 64)]


def shm_read(shmid):
    addr = libc.shmat(shmid, None, 0)
    if addr in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "shmat")
    data = ctypes.string_at(addr, len(SECRET))
    libc.shmdt(ctypes.c_void_p(addr))
    return data


def msg_read(qid):
    m = Msg()
    n = libc.msgrcv(qid, ctypes.byref(m), 64, 0, 0o4000)  # IPC_NOWAIT
    return m.mtext[:n] if n > 0 else b""


if "{{PHASE}}" == "write":
    shmid = libc.shmget(KEY, 4096, IPC_CREAT | 0o666)
    if shmid < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    addr = libc.shmat(shmid, None, 0)
    ctypes.memmove(addr, SECRET, len(SECRET))
    libc.shmdt(ctypes.c_void_p(addr))
    assert shm_read(libc.shmget(KEY, 0, 0)) == SECRET, "the segment cannot be read back"
    qid = libc.msgget(KEY, IPC_CREAT | 0o666)
    if qid < 0:
        raise OSError(ctypes.get_errno(), "msgget")
    for _ in range(2):
        m = Msg(1, SECRET)
        if libc.msgsnd(qid, ctypes.byref(m), len(SECRET), 0o4000) != 0:
            raise OSError(ctypes.get_errno(), "msgsnd")
    assert msg_read(qid) == SECRET, "the queue cannot be read back"
else:
    shmid, qid = libc.shmget(KEY, 0, 0), libc.msgget(KEY, 0)
    found = (shmid >= 0 and shm_read(shmid) == SECRET) or (qid >= 0 and msg_read(qid) == SECRET)
    if not found:  # finding an earlier execution's object would pass
        raise LookupError("no IPC object of an earlier execution")
