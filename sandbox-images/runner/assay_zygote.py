"""assay's warm runner: a long-lived, already-imported Python that forks one fresh child
per execution, so no execution pays for interpreter start-up.

It runs as root inside the slot's own mount, network, PID, IPC and UTS namespaces and
minimal root (set up by the harness), behind the harness's init. It never runs untrusted
code itself (it sits in the slot's memory cgroup, so its children are born there): each
child takes a new mount namespace with an empty private /tmp and a new IPC namespace (SysV and POSIX IPC of one
execution die with it), drops to the slot's unprivileged uid under rlimits, installs the
harness's seccomp filter, and only then runs assay_runner.run_request.

Loaded by the bootstrap (src/sandbox/bootstrap.rs) with assay_runner and assay_child;
the harness calls serve(preload, seccomp). Protocol on fd 0 (a unix stream socket to the
harness), after the bootstrap's hello:
  harness -> zygote: 4-byte big-endian length + JSON job, with SCM_RIGHTS carrying the
                     child's stdout, stderr and channel fds
                     job = {"uid", "gid", "rlimits": [[resource, soft, hard]...],
                            "tmp_size_mb", "request": {...runner request...}}
  zygote -> harness: one JSON line per job when its child has been reaped:
                     {"status": raw wait status, "utime", "stime", "maxrss"}
The harness kills a child by killing every process of the slot uid; nothing is asked
of the zygote, which may be blocked in wait4.

Preloaded modules (profile.rs STANDARD_PRELOAD and the profile's heavy imports) are
imported once here (assay_child.preload). Two things keep
a child equivalent to a fresh interpreter: the random generators are reseeded from the
OS in each child (a fork would share one state), and the address-space limit counts on
top of the zygote's own size (what the program allocates, not what was preloaded).
"""

import ctypes as _ctypes
import json as _json
import os as _os
import socket as _socket
import struct as _struct
import sys as _sys

import assay_child as _child_setup
import assay_runner as _runner

_libc = _child_setup.libc
_fail = _child_setup.fail
_libc.mount.argtypes = [_ctypes.c_char_p] * 3 + [_ctypes.c_ulong, _ctypes.c_char_p]
CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
SECCOMP_SET_MODE_FILTER = 1


def _mount(source, target, fstype, flags, data):
    return _libc.mount(source, target, fstype, flags, data)


class _SockFprog(_ctypes.Structure):
    _fields_ = [("len", _ctypes.c_ushort), ("filter", _ctypes.c_void_p)]


def _install_seccomp(seccomp):
    for hex_program in seccomp["programs"]:
        program = bytes.fromhex(hex_program)
        buf = _ctypes.create_string_buffer(program, len(program))
        fprog = _SockFprog(len(program) // 8, _ctypes.addressof(buf))
        if _libc.syscall(seccomp["nr"], SECCOMP_SET_MODE_FILTER, 0, _ctypes.byref(fprog)) != 0:
            _fail("install the seccomp filter")


def _child(job, fds, seccomp):
    _child_setup.take_fds(*fds)
    # Fresh private /tmp and friends, fresh IPC: nothing of an earlier execution is visible.
    if _libc.unshare(CLONE_NEWNS | CLONE_NEWIPC) != 0:
        _fail("unshare mount and IPC namespaces")
    if _mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        _fail("mount --make-rprivate /")
    opts = b"size=%dm,mode=1777" % job["tmp_size_mb"]
    if _mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, opts) != 0:
        _fail("mount tmpfs /tmp")
    for d in (b"/var/tmp", b"/dev/shm"):
        if _mount(b"tmpfs", d, b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=1m,mode=1777") != 0:
            _fail("mount tmpfs " + d.decode())
    _child_setup.reseed()
    _child_setup.become(
        job["uid"],
        job["gid"],
        job["rlimits"],
        address_space_base=_child_setup.vm_size(),
        no_new_privs=True,
    )
    _os.chdir("/tmp")
    _install_seccomp(seccomp)
    _runner.run_in_child(job["request"])


def _recv_job(sock):
    head, fds, _flags, _addr = _socket.recv_fds(sock, 65536, 3)
    if not head:
        return None, []
    while len(head) < 4:
        head += sock.recv(4 - len(head))
    (length,) = _struct.unpack(">I", head[:4])
    body = bytearray(head[4:])
    while len(body) < length:
        chunk = sock.recv(min(1 << 20, length - len(body)))
        if not chunk:
            return None, fds
        body += chunk
    return _json.loads(bytes(body)), fds


def serve(preload, seccomp):
    # Never the OOM killer's choice (root here may lower its score): its children are,
    # at 1000 (assay_child.become), which alone already puts them first.
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("-1000")
    except OSError:
        pass
    _child_setup.preload(preload)
    sock = _socket.socket(fileno=0)
    sock.sendall(b'{"ready": true}\n')
    while True:
        job, fds = _recv_job(sock)
        if job is None:
            _os._exit(0)  # the harness is gone
        pid = _os.fork()
        if pid == 0:
            try:
                _child(job, fds, seccomp)
            finally:
                _os._exit(_child_setup.SETUP_FAILED)
        for fd in fds:
            _os.close(fd)
        while True:
            try:
                _, status, ru = _os.wait4(pid, 0)
                break
            except InterruptedError:
                continue
        reply = {"status": status, "utime": ru.ru_utime, "stime": ru.ru_stime, "maxrss": ru.ru_maxrss}
        sock.sendall((_json.dumps(reply) + "\n").encode())
