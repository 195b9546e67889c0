"""What a warm server's child does before the runner takes over: one implementation for
the zygote (process backend, assay_zygote.py) and the pool server (docker backend,
assay_pool.py), each adding only what its backend isolates differently in between.

    take_fds(out, err, chan)          the execution's streams as fds 0-3, nothing else open,
                                      own session, killed with its parent
    become(uid, gid, rlimits, ...)    the limits, then the unprivileged uid (verified), and
                                      the parent-death signal armed again (setuid clears it)
    reseed()                          fresh random generators (a fork would share one state)
    vm_size()                         what the server had mapped before the fork: the base
                                      the address-space limit counts from

A failed step writes one `assay-sandbox-setup: <step> failed: <why>` line to stderr and
exits 125, which the harness reports as a sandbox error, never as a verdict of the code.
"""

import ctypes as _ctypes
import os as _os
import resource as _resource
import signal as _signal
import sys as _sys

SETUP_FAILED = 125
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
libc = _ctypes.CDLL(None, use_errno=True)


def fail(step, why=None):
    if why is None:
        why = "errno %d" % _ctypes.get_errno()
    _os.write(2, ("assay-sandbox-setup: %s failed: %s\n" % (step, why)).encode())
    _os._exit(SETUP_FAILED)


def _die_with_parent():
    if libc.prctl(PR_SET_PDEATHSIG, _signal.SIGKILL, 0, 0, 0) != 0:
        fail("prctl pdeathsig")


def vm_size():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def reseed():
    random = _sys.modules.get("random")
    if random is not None:
        random.seed()
    nprandom = _sys.modules.get("numpy.random")
    if nprandom is not None:
        nprandom.seed()


def preload(names):
    """Imports the profile's modules once, then moves everything imported to the permanent
    generation: a child's collector never walks (so never copies on write) those objects."""
    import gc
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a missing optional module is not fatal
            _os.write(2, ("preload %s failed: %r\n" % (name, exc)).encode())
    gc.freeze()


def take_fds(out, err, chan):
    devnull = _os.open(_os.devnull, _os.O_RDONLY)
    for fd, target in ((devnull, 0), (out, 1), (err, 2), (chan, 3)):
        _os.dup2(fd, target)
    # The server's own fds above all (its control socket or streams): never the child's.
    _os.closerange(4, 1 << 16)
    _os.setsid()
    _die_with_parent()


def become(uid, gid, rlimits, address_space_base=0, no_new_privs=False):
    """Makes the child the OOM killer's first choice, applies `rlimits` ([resource, soft,
    hard]...; RLIMIT_AS on top of `address_space_base`, what the server had mapped before
    the fork), then drops to uid/gid with no supplementary groups."""
    # Memory an execution holds outside its mappings (memfds, SysV segments, tmpfs files)
    # is charged to its cgroup but counts in no process's RSS: left to itself the kernel
    # would kill the server, the largest process there. Raising one's own score needs no
    # privilege.
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError as e:
        fail("oom_score_adj", e)
    try:
        for resource, soft, hard in rlimits:
            if resource == _resource.RLIMIT_AS:
                soft, hard = soft + address_space_base, hard + address_space_base
            _resource.setrlimit(resource, (soft, hard))
        _os.setgroups([])
        _os.setgid(gid)
        _os.setuid(uid)
    except OSError as e:
        fail("limits and uid switch", e)
    if _os.getuid() != uid or _os.geteuid() != uid or _os.getgid() != gid:
        fail("setuid", "uid is still %d" % _os.geteuid())
    _die_with_parent()  # cleared by the uid switch
    if no_new_privs and libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        fail("prctl no_new_privs")
