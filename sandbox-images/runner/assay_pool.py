"""assay's docker pool server: the one process of a warm container, forking a fresh
unprivileged child per execution.

It runs as root inside the container with every capability dropped except SETUID and
SETGID (to become the execution uid), under no-new-privileges, with network none and a
read-only root. It never runs untrusted code itself: each child gets its own pipes,
empty stdin, rlimits, a fresh private directory under /tmp, then drops to the
container's execution uid (no capabilities left) and only then calls
assay_runner.run_request.

Loaded by the bootstrap (src/sandbox/bootstrap.rs) with assay_runner and assay_child;
the harness calls serve(uid, preload). It talks to the harness over the container's attached
stdin and stdout only, after the bootstrap's hello:
  harness -> server (stdin):  4-byte big-endian length + JSON message
      {"op": "run", "rlimits": [[resource, soft, hard]...], "request": {...}}
      {"op": "kill"}          kill the running execution (every process of its uid)
      EOF                     the harness is gone (it closed the stream, or died: the
                              container is created StdinOnce, so the engine closes stdin
                              when the harness's attach connection drops): purge, exit
  server -> harness (stdout): frames, 1 type byte + 4-byte big-endian length + payload
      R  {"ready": true, ...}   once, at start
      O / E / C                 the child's stdout / stderr / channel bytes
      X  {"status", "utime", "stime", "maxrss", "oom_kills", "clean"}  the child was
                                reaped and its uid's processes killed; "clean" says
                                whether everything it left (files, SysV IPC) is verified
                                gone and its pipes closed. When not, the container is
                                poisoned and the harness replaces it.
The child only ever holds its own pipes (fds 0-3): it cannot write a frame, and as
another uid without capabilities it cannot signal or ptrace the server or open its fds.
"""

import json as _json
import os as _os
import select as _select
import signal as _signal
import stat as _stat
import struct as _struct
import time as _time

import assay_child as _child_setup
import assay_runner as _runner

# Where an execution may have left files of its uid (the rest of the root is read-only).
_WRITABLE = ("/tmp", "/dev/shm", "/dev/mqueue")
_DIR_FLAGS = _os.O_RDONLY | _os.O_DIRECTORY | _os.O_NOFOLLOW | _os.O_CLOEXEC
IPC_RMID = 0
# Rounds of clean-up (10 ms apart) before a container is given up as unclean.
PURGE_ATTEMPTS = 50
_libc = _child_setup.libc


def _frame(kind, payload):
    data = kind + _struct.pack(">I", len(payload)) + payload
    while data:
        data = data[_os.write(1, data):]


def _oom_kills():
    """The container's OOM-kill counter (cgroup v1 or v2), or 0 when unreadable."""
    for path in ("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"):
        try:
            with open(path) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            continue
    return 0


def _child(job, fds, uid, seq):
    _child_setup.take_fds(*fds)
    _child_setup.reseed()
    _child_setup.become(uid, uid, job["rlimits"], address_space_base=_child_setup.vm_size())
    # A fresh private directory: only this uid can enter it, and it is removed after.
    home = "/tmp/assay-%d" % seq
    try:
        _os.mkdir(home, 0o700)
        _os.chdir(home)
    except OSError as e:
        _child_setup.fail("private directory", e)
    _os.environ.update(HOME=home, TMPDIR=home)
    _runner.run_in_child(job["request"])


def _fork():
    """fork(), retried while a fork bomb of the last execution still fills the pids limit."""
    for attempt in range(200):
        try:
            return _os.fork()
        except BlockingIOError:
            _time.sleep(0.01 * min(attempt + 1, 10))
    raise OSError("fork keeps failing")


def _enter(parent, name):
    """Opens directory `name` of the directory open as `parent`, made 0700 first (its
    owner may always do that, even after chmod 000). Never follows a symlink."""
    try:
        _os.chmod(name, 0o700, dir_fd=parent)
    except OSError:
        pass  # not ours to chmod: open and removal then say what is left
    return _os.open(name, _DIR_FLAGS, dir_fd=parent)


def _remove_tree(top, name):
    """Removes `name` of the directory open as `top`, with everything below it.

    Iterative, with one directory open at any depth (it descends by fd and climbs back by
    ".."; the uid's processes are dead, so nothing moves meanwhile, and the helper has only
    the uid's rights anyway) and no path strings, so neither depth nor path length stops
    it; directories are chmod'ed back to 0700; sockets, fifos and devices are unlinked,
    never opened. Raises OSError when anything is left."""
    if not _stat.S_ISDIR(_os.stat(name, dir_fd=top, follow_symlinks=False).st_mode):
        _os.unlink(name, dir_fd=top)
        return
    left = 0
    fd = top
    # One list per directory from `top` down to `fd`: its subdirectories still to remove.
    stack = [[name]]
    try:
        while stack:
            todo = stack[-1]
            if todo:
                try:
                    child = _enter(fd, todo[-1])
                except OSError:
                    left += 1
                    todo.pop()
                    continue
                try:
                    entries = _os.listdir(child)
                except OSError:
                    _os.close(child)
                    left += 1
                    todo.pop()
                    continue
                subdirs = []
                for entry in entries:
                    try:
                        st = _os.stat(entry, dir_fd=child, follow_symlinks=False)
                        if _stat.S_ISDIR(st.st_mode):
                            subdirs.append(entry)
                        else:
                            _os.unlink(entry, dir_fd=child)
                    except OSError:
                        left += 1
                if fd != top:
                    _os.close(fd)
                fd = child
                stack.append(subdirs)
                continue
            # Everything below `fd` is done: climb to its parent and remove it there.
            stack.pop()
            if not stack:
                break
            parent = top if len(stack) == 1 else _os.open("..", _DIR_FLAGS, dir_fd=fd)
            _os.close(fd)
            fd = parent
            try:
                _os.rmdir(stack[-1].pop(), dir_fd=fd)
            except OSError:
                left += 1
    finally:
        if fd != top:
            _os.close(fd)
    if left:
        raise OSError("%d entries of %r could not be removed" % (left, name))


def _remove_files(uid):
    """Removes every entry of `uid` in the writable directories; False if any is left."""
    clean = True
    for base in _WRITABLE:
        try:
            top = _os.open(base, _DIR_FLAGS)
        except OSError:
            continue  # not mounted in this container: nothing can be there
        try:
            for name in _os.listdir(top):
                try:
                    if _os.stat(name, dir_fd=top, follow_symlinks=False).st_uid == uid:
                        _remove_tree(top, name)
                except FileNotFoundError:
                    pass
                except Exception:
                    clean = False
            # Verified, not assumed: nothing of the uid is left directly in the base.
            for name in _os.listdir(top):
                try:
                    if _os.stat(name, dir_fd=top, follow_symlinks=False).st_uid == uid:
                        clean = False
                except FileNotFoundError:
                    pass
        except Exception:
            clean = False
        finally:
            _os.close(top)
    return clean


def _sysv_objects(uid):
    """(kind, id) of every SysV IPC object `uid` owns or created."""
    found = []
    for kind in ("shm", "sem", "msg"):
        with open("/proc/sysvipc/" + kind) as f:
            header, *rows = f.read().splitlines()
        cols = header.split()
        owner, creator = cols.index("uid"), cols.index("cuid")
        for row in rows:
            fields = row.split()
            if uid in (int(fields[owner]), int(fields[creator])):
                found.append((kind, int(fields[1])))
    return found


def _remove_ipc(uid):
    """Removes the SysV IPC objects of the uid (the container's IPC namespace outlives
    executions; POSIX shm and message queues are files, removed with the rest); False
    if any is left."""
    try:
        for kind, ipc_id in _sysv_objects(uid):
            if kind == "shm":
                _libc.shmctl(ipc_id, IPC_RMID, None)
            elif kind == "sem":
                _libc.semctl(ipc_id, 0, IPC_RMID, None)
            else:
                _libc.msgctl(ipc_id, IPC_RMID, None)
        # A segment still attached by a process that is dying stays listed until it is gone.
        return not _sysv_objects(uid)
    except Exception:
        return False


def _kill_all():
    for _ in range(10000):
        try:
            _os.kill(-1, _signal.SIGKILL)  # every process of the uid but us
        except ProcessLookupError:
            return


def _purge(uid):
    """Kills every process of `uid` and removes everything it left (files, SysV IPC);
    True when nothing is left. Runs in a forked helper that becomes `uid` (kill(-1) then
    reaches exactly that uid's processes here). Each stage runs whatever the others did,
    and the whole is retried briefly for what processes being killed still finished."""
    try:
        pid = _fork()
    except OSError:
        return False
    if pid == 0:
        clean = False
        try:
            _os.setgroups([])
            _os.setgid(uid)
            _os.setuid(uid)
            for attempt in range(PURGE_ATTEMPTS):
                if attempt:
                    _time.sleep(0.01)
                _kill_all()
                files = _remove_files(uid)
                ipc = _remove_ipc(uid)
                if files and ipc:
                    clean = True
                    break
        finally:
            _os._exit(0 if clean else 1)
    while True:
        try:
            _, status = _os.waitpid(pid, 0)
            return status == 0
        except ChildProcessError:
            return False
        except InterruptedError:
            continue


def _reap_orphans():
    while True:
        try:
            pid, _ = _os.waitpid(-1, _os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _run(job, uid, seq, read_message):
    pipes = [_os.pipe() for _ in range(3)]
    oom_before = _oom_kills()
    pid = _fork()
    if pid == 0:
        try:
            _child(job, [w for _, w in pipes], uid, seq)
        finally:
            _os._exit(_child_setup.SETUP_FAILED)
    for _, w in pipes:
        _os.close(w)
    kinds = {pipes[0][0]: b"O", pipes[1][0]: b"E", pipes[2][0]: b"C"}
    pidfd = _os.pidfd_open(pid)
    poller = _select.poll()
    for fd in list(kinds) + [pidfd, 0]:
        poller.register(fd, _select.POLLIN)
    status = None
    harness_gone = False
    while status is None:
        for fd, _ev in poller.poll():
            if fd in kinds:
                data = _os.read(fd, 1 << 16)
                if data:
                    _frame(kinds[fd], data)
                else:
                    poller.unregister(fd)
                    _os.close(fd)
                    del kinds[fd]
            elif fd == pidfd:
                _, status, ru = _os.wait4(pid, 0)
            elif fd == 0:
                msg = read_message()
                if msg is None:
                    harness_gone = True
                    poller.unregister(0)
                if msg is None or msg.get("op") == "kill":
                    _purge(uid)  # the child is still dying: only the purge below counts
    _os.close(pidfd)
    # The child is gone; whatever it started goes now, then the pipes reach EOF.
    purged = _purge(uid)
    deadline = _time.monotonic() + 2.0
    while kinds and _time.monotonic() < deadline:
        for fd, _ev in poller.poll(100):
            if fd in kinds:
                data = _os.read(fd, 1 << 16)
                if data:
                    _frame(kinds[fd], data)
                else:
                    poller.unregister(fd)
                    _os.close(fd)
                    del kinds[fd]
    for fd in kinds:
        _os.close(fd)
    _reap_orphans()
    report = {
        "status": status,
        "utime": ru.ru_utime,
        "stime": ru.ru_stime,
        "maxrss": ru.ru_maxrss,
        "oom_kills": _oom_kills() - oom_before,
        # False poisons the container: the harness replaces it (the verdict stands).
        "clean": purged and not kinds,
    }
    _frame(b"X", _json.dumps(report).encode())
    if harness_gone:
        _os._exit(0)


def _read_exact(n):
    """n bytes of stdin with raw reads (nothing of a later message sits in a buffer), or
    None at its end."""
    b = b""
    while len(b) < n:
        c = _os.read(0, n - len(b))
        if not c:
            return None
        b += c
    return b


def read_message():
    """One message of the harness (4-byte big-endian length + JSON), or None at the end."""
    head = _read_exact(4)
    if head is None:
        return None
    (length,) = _struct.unpack(">I", head)
    body = _read_exact(length)
    return None if body is None else _json.loads(body)


def serve(uid, preload):
    """Imports the profile's `preload` modules once, then serves jobs until stdin ends."""
    _child_setup.preload(preload)
    _frame(b"R", _json.dumps({"ready": True, "uid": uid, "server_uid": _os.getuid()}).encode())
    seq = 0
    while True:
        msg = read_message()
        if msg is None:
            _os._exit(0)  # the harness is gone
        if msg.get("op") != "run":
            continue  # a kill that arrived after its execution ended
        seq += 1
        _run(msg, uid, seq, read_message)
