//! Starting one sandboxed Python: fork, isolate, drop privileges, exec.
//!
//! Everything is prepared before `fork`; between `fork` and `exec` only raw syscalls run
//! (no allocation, no locks), because the harness is multi-threaded.
//!
//! Process tree per execution:
//!   harness thread
//!   └─ intermediate: own session and process group, PDEATHSIG=KILL, unshares namespaces,
//!      wipes its copy of the harness's argv and environment
//!      └─ init: PID 1 of the new PID namespace, builds the minimal root (`root.rs`) and
//!         pivots into it, reaps orphans, reports python's wait status on a private pipe
//!         └─ python: PID 2, joins the slot's memory cgroup, rlimits, unprivileged uid,
//!            no-new-privs, seccomp filter (`seccomp.rs`), PDEATHSIG=KILL
//! Python is not PID 1 because PID 1 ignores signals sent from inside its namespace:
//! `os.kill(os.getpid(), SIGKILL)` must kill it as it would anywhere else.
//! When python ends, init reports and exits, and the kernel kills everything left in
//! the namespace; when the harness dies (even `kill -9`), PDEATHSIG takes down the chain.

use super::{Isolation, Jail};
use crate::sandbox::runner::CHANNEL_FD;
use nix::unistd::Pid;

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::{Arc, OnceLock};

use crate::sandbox::supervise::{SETUP_FAILED, SETUP_MARK};

/// Everything the child needs, allocated before `fork`.
pub struct Prepared {
    python: CString,
    argv: Vec<CString>,
    env: Vec<CString>,
    isolation: Isolation,
    /// Unprivileged uid/gid to become (when the harness is root).
    ids: Option<(u32, u32)>,
    rlimits: Vec<(libc::__rlimit_resource_t, u64, u64)>,
    tmp_opts: CString,
    workdir: CString,
    uid_map: CString,
    gid_map: CString,
    /// The minimal root and the seccomp filter (with namespaces).
    jail: Option<Arc<Jail>>,
    /// Whether python gets the jail's seccomp filter at `exec` (a warm zygote does not:
    /// it installs it in each child).
    filtered: bool,
    /// `cgroup.procs` of the memory cgroup python joins before `exec`.
    cgroup_procs: Option<RawFd>,
}
/// The fd on which init writes python's wait status (python itself does not hold it).
const STATUS_FD: i32 = 4;
/// The fd of the memory cgroup's `cgroup.procs`, written and closed before `exec`.
const CGROUP_FD: i32 = 5;

/// The harness's argv and environment block (`/proc/self/stat` fields 48 to 51): the
/// sandbox's init is a fork of the harness and wipes them, so even its own memory does
/// not show the harness's command line or environment inside.
fn harness_strings() -> [(usize, usize); 2] {
    static AREAS: OnceLock<[(usize, usize); 2]> = OnceLock::new();
    *AREAS.get_or_init(|| {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // Fields after the `(comm)`, which may itself hold spaces.
        let rest = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
        let f: Vec<usize> = rest
            .split_whitespace()
            .map(|v| v.parse().unwrap_or(0))
            .collect();
        // `rest` starts at field 3.
        let at = |n: usize| f.get(n - 3).copied().unwrap_or(0);
        [(at(48), at(49)), (at(50), at(51))]
    })
}

fn cstr(s: &str) -> CString {
    CString::new(s.replace('\0', "")).expect("no NUL after replace")
}

impl Prepared {
    /// `bootstrap` is python's `-c` argument. Defaults: no rlimits, no privilege drop,
    /// workdir `/`, a 1 MB `/tmp`, no jail, no cgroup.
    pub fn new(python: &str, bootstrap: &str, isolation: Isolation) -> Self {
        let (uid, gid) = (
            nix::unistd::getuid().as_raw(),
            nix::unistd::getgid().as_raw(),
        );
        Prepared {
            python: cstr(python),
            argv: [python, "-s", "-B", "-c", bootstrap]
                .iter()
                .map(|s| cstr(s))
                .collect(),
            env: crate::sandbox::environment::ENVIRONMENT
                .iter()
                .map(|(k, v)| cstr(&format!("{k}={v}")))
                .collect(),
            isolation,
            ids: None,
            rlimits: Vec::new(),
            tmp_opts: cstr("size=1m,mode=1777"),
            workdir: cstr("/"),
            uid_map: cstr(&format!("0 {uid} 1\n")),
            gid_map: cstr(&format!("0 {gid} 1\n")),
            jail: None,
            filtered: true,
            cgroup_procs: None,
        }
    }

    pub fn rlimits(mut self, rlimits: Vec<(libc::__rlimit_resource_t, u64, u64)>) -> Self {
        self.rlimits = rlimits;
        self
    }

    /// The uid/gid python drops to (the harness is root).
    pub fn drop_to(mut self, ids: Option<(u32, u32)>) -> Self {
        self.ids = ids;
        self
    }

    /// The working directory without a mount namespace (with one it is `/tmp`).
    pub fn workdir(mut self, dir: &str) -> Self {
        self.workdir = cstr(dir);
        self
    }

    pub fn tmp_size_mb(mut self, mb: u64) -> Self {
        self.tmp_opts = cstr(&format!("size={mb}m,mode=1777"));
        self
    }

    pub fn jail(mut self, jail: Option<Arc<Jail>>) -> Self {
        self.jail = jail;
        self
    }

    /// Python starts without the seccomp filter (the zygote, whose children install it).
    pub fn unfiltered(mut self) -> Self {
        self.filtered = false;
        self
    }

    pub fn cgroup(mut self, procs: Option<RawFd>) -> Self {
        self.cgroup_procs = procs;
        self
    }
}

/// Forks the sandbox with `fds` as its fds 0..3 (the caller keeps its own ends).
/// Returns the intermediate's pid (leader of the process group) and the read end of
/// the pipe on which init reports python's wait status.
pub fn spawn(p: &Prepared, fds: [RawFd; 4]) -> std::io::Result<(Pid, OwnedFd)> {
    use nix::fcntl::OFlag;
    let (st_r, st_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let argv: Vec<*const libc::c_char> = p
        .argv
        .iter()
        .map(|a| a.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect();
    let envp: Vec<*const libc::c_char> = p
        .env
        .iter()
        .map(|a| a.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect();
    let parent = nix::unistd::getpid().as_raw();
    let all = [
        fds[0],
        fds[1],
        fds[2],
        fds[3],
        st_w.as_raw_fd(),
        p.cgroup_procs.unwrap_or(-1),
    ];
    let wipe = harness_strings();

    // SAFETY: the child only makes raw syscalls on memory prepared above, then execs or exits.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(std::io::Error::last_os_error());
    }
    if pid == 0 {
        unsafe { intermediate(p, &all, parent, wipe, argv.as_ptr(), envp.as_ptr()) }
    }
    drop(st_w);
    nix::fcntl::fcntl(
        st_r.as_raw_fd(),
        nix::fcntl::FcntlArg::F_SETFL(OFlag::O_NONBLOCK),
    )?;
    Ok((Pid::from_raw(pid), st_r))
}

unsafe fn fail(step: &CStr) -> ! {
    let errno = *libc::__errno_location();
    let mark = SETUP_MARK.as_bytes();
    libc::write(2, mark.as_ptr().cast(), mark.len());
    libc::write(2, b" ".as_ptr().cast(), 1);
    let s = step.to_bytes();
    libc::write(2, s.as_ptr().cast(), s.len());
    // errno as decimal without allocating
    let mut buf = [0u8; 24];
    let mut n = errno.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    libc::write(2, b" failed, errno ".as_ptr().cast(), 15);
    libc::write(2, buf[i..].as_ptr().cast(), buf.len() - i);
    libc::write(2, b"\n".as_ptr().cast(), 1);
    libc::_exit(SETUP_FAILED)
}

unsafe fn write_file(path: &CStr, data: &CStr) -> bool {
    let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
    if fd < 0 {
        return false;
    }
    let b = data.to_bytes();
    let ok = libc::write(fd, b.as_ptr().cast(), b.len()) == b.len() as isize;
    libc::close(fd);
    ok
}

unsafe fn intermediate(
    p: &Prepared,
    fds: &[i32; 6],
    parent: i32,
    wipe: [(usize, usize); 2],
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
) -> ! {
    // stdin, stdout, stderr, channel, status, cgroup onto 0..5 (dup2 clears CLOEXEC on
    // the copies); a missing cgroup fd leaves 5 closed.
    for (target, &fd) in fds.iter().enumerate() {
        if fd < 0 {
            continue;
        }
        if libc::dup2(fd, target as i32) < 0 {
            libc::_exit(SETUP_FAILED);
        }
    }
    debug_assert_eq!(CHANNEL_FD, 3);
    let first_closed = if fds[5] < 0 { 5u32 } else { 6u32 };
    if libc::syscall(libc::SYS_close_range, first_closed, u32::MAX, 0u32) != 0 {
        for fd in first_closed as i32..4096 {
            libc::close(fd);
        }
    }
    for (start, end) in wipe {
        if start != 0 && end > start {
            libc::memset(start as *mut libc::c_void, 0, end - start);
        }
    }
    libc::setsid();
    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    if libc::getppid() != parent {
        libc::_exit(SETUP_FAILED); // the harness died while we were forking
    }
    let core = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    libc::setrlimit(libc::RLIMIT_CORE, &core);

    if let Isolation::Namespaces { user } = p.isolation {
        let mut flags = libc::CLONE_NEWNS
            | libc::CLONE_NEWNET
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWUTS;
        if user {
            flags |= libc::CLONE_NEWUSER;
        }
        if libc::unshare(flags) != 0 {
            fail(c"unshare");
        }
        if user
            && !(write_file(c"/proc/self/setgroups", c"deny")
                && write_file(c"/proc/self/uid_map", &p.uid_map)
                && write_file(c"/proc/self/gid_map", &p.gid_map))
        {
            fail(c"user namespace id maps");
        }
    }
    let child = libc::fork();
    if child < 0 {
        fail(c"fork");
    }
    if child == 0 {
        init(p, argv, envp);
    }
    // Hold none of the pipes: EOF on them must mean python and its descendants are gone.
    for fd in 0..=CGROUP_FD {
        libc::close(fd);
    }
    let mut status = 0;
    loop {
        let r = libc::waitpid(child, &mut status, 0);
        if r == child {
            break;
        }
        if r < 0 && *libc::__errno_location() != libc::EINTR {
            libc::_exit(SETUP_FAILED);
        }
    }
    if libc::WIFEXITED(status) {
        libc::_exit(libc::WEXITSTATUS(status));
    }
    // Die of the same signal, so the supervisor sees exactly what killed python.
    let sig = libc::WTERMSIG(status);
    libc::signal(sig, libc::SIG_DFL);
    let mut set: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut set);
    libc::sigaddset(&mut set, sig);
    libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
    libc::kill(libc::getpid(), sig);
    libc::_exit(128 + sig)
}

/// PID 1 of the sandbox's namespace: private mounts (the minimal root when jailed),
/// then python as its only child.
unsafe fn init(
    p: &Prepared,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
) -> ! {
    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    let namespaced = matches!(p.isolation, Isolation::Namespaces { .. });
    if namespaced {
        let private = libc::MS_REC | libc::MS_PRIVATE;
        if libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            private,
            std::ptr::null(),
        ) != 0
        {
            fail(c"mount --make-rprivate /");
        }
        let Some(jail) = &p.jail else {
            fail(c"namespaces without a jail");
        };
        if let Err(step) = jail.root.apply(&p.tmp_opts) {
            fail(step);
        }
        libc::sethostname(c"sandbox".as_ptr(), 7);
    }
    let python = libc::fork();
    if python < 0 {
        fail(c"fork python");
    }
    if python == 0 {
        libc::close(STATUS_FD);
        exec_python(p, namespaced, argv, envp);
    }
    for fd in 0..STATUS_FD {
        libc::close(fd);
    }
    libc::close(CGROUP_FD);
    // Reap every orphan of the namespace until python itself ends.
    loop {
        let mut status = 0;
        let r = libc::waitpid(-1, &mut status, 0);
        if r == python {
            let bytes = status.to_ne_bytes();
            libc::write(STATUS_FD, bytes.as_ptr().cast(), bytes.len());
            libc::_exit(0);
        }
        if r < 0 && *libc::__errno_location() != libc::EINTR {
            libc::_exit(SETUP_FAILED);
        }
    }
}

unsafe fn exec_python(
    p: &Prepared,
    namespaced: bool,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
) -> ! {
    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    if p.cgroup_procs.is_some() {
        // Join the memory cgroup while still root, before the program allocates.
        if libc::write(CGROUP_FD, b"0".as_ptr().cast(), 1) != 1 {
            fail(c"join the memory cgroup");
        }
        libc::close(CGROUP_FD);
    }
    for &(resource, soft, hard) in &p.rlimits {
        let lim = libc::rlimit {
            rlim_cur: soft,
            rlim_max: hard,
        };
        if libc::setrlimit(resource, &lim) != 0 {
            fail(c"setrlimit");
        }
    }
    if let Some((uid, gid)) = p.ids {
        if libc::setgroups(0, std::ptr::null()) != 0
            || libc::setgid(gid) != 0
            || libc::setuid(uid) != 0
        {
            fail(c"drop privileges");
        }
        // Credential changes clear the parent-death signal: set it again.
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
    libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if let Some(jail) = p.jail.as_ref().filter(|_| p.filtered) {
        if !jail.filters.install() {
            fail(c"install the seccomp filter");
        }
    }
    let dir = if namespaced {
        c"/tmp"
    } else {
        p.workdir.as_c_str()
    };
    if libc::chdir(dir.as_ptr()) != 0 {
        fail(c"chdir");
    }
    // Ignored signals survive exec: give python default dispositions and an empty mask.
    for sig in 1..32 {
        if sig != libc::SIGKILL && sig != libc::SIGSTOP {
            libc::signal(sig, libc::SIG_DFL);
        }
    }
    let mut set: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut set);
    libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    libc::execve(p.python.as_ptr(), argv, envp);
    fail(c"exec python")
}
