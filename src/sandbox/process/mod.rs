//! The `process` backend: a host Python under namespaces, a minimal root (`root.rs`), a
//! seccomp filter (`seccomp.rs`), a memory cgroup (`cgroup.rs`), rlimits and an
//! unprivileged uid.
//!
//! Each of `--jobs` slots is a long-lived thread. As root with namespaces, a slot holds
//! its own sandbox uid (leased by `flock`, so concurrent harnesses never share one), its
//! memory cgroup and a warm zygote that forks a fresh isolated child per execution;
//! otherwise each execution starts a fresh interpreter (the cold path). The parent-death
//! signal of every sandbox is tied to a slot thread, which lives as long as the harness.

mod cgroup;
mod cold;
mod poll;
mod root;
mod seccomp;
mod spawn;
mod venv;
mod warm;

use super::slots::{SlotFn, SlotInit, Slots};
use super::uids::{lease_uid, UidLease};
use super::{profile, supervise};
use super::{ExecRequest, Execution, Outcome, Sandbox};
use std::collections::HashMap;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Set to `1` to force a fresh interpreter per execution even where the warm runner works.
pub const COLD_ENV: &str = "ASSAY_PROCESS_COLD";

/// How much the kernel lets us isolate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// mount, network, PID, IPC and UTS namespaces (plus a user namespace when not root).
    Namespaces { user: bool },
    /// rlimits, a process group and (as root) an unprivileged uid only.
    Rlimits,
}

pub struct ProcessConfig {
    pub python: String,
    pub jobs: usize,
}

/// What confines a namespaced sandbox beyond its namespaces: the minimal root it pivots
/// into and the seccomp filter its program runs under.
#[derive(Debug)]
pub struct Jail {
    root: root::RootPlan,
    filters: seccomp::Filters,
}

/// How a slot runs its executions.
enum Mode {
    /// As root with namespaces: children of warm zygotes (one per interpreter in use),
    /// as the slot's leased uid.
    Warm {
        lease: UidLease,
        zygotes: HashMap<String, warm::Zygote>,
    },
    /// A fresh interpreter per execution; as a leased uid when the harness is root.
    Cold { lease: Option<UidLease> },
}

/// One slot's state, owned by its thread.
struct Slot {
    python: String,
    isolation: Isolation,
    jail: Option<Arc<Jail>>,
    mode: Mode,
    // Fields drop in this order: the zygotes (which sit in the slot's cgroup) go first,
    // then the slot's cgroup, then (with the last slot) the harness's cgroup directory.
    /// The slot's memory cgroup (None where the kernel gives us none).
    cgroup: Option<cgroup::SlotCgroup>,
    _cgroups: Option<Arc<cgroup::MemoryCgroups>>,
}

impl Slot {
    /// Starts the warm runner of the first profile (the one most executions use) ahead of
    /// the first execution, on the slot's thread (its parent-death signal is tied to it),
    /// so the slots start theirs side by side. A failure is left to that execution.
    fn prestart(&mut self) {
        let profile = &profile::PROFILES[0];
        if let Ok(python) = venv::python_for(profile, &self.python) {
            let _ = self.ensure_zygote(&python, profile);
        }
    }

    /// Starts the warm zygote of `python` unless it runs (nothing on the cold path).
    fn ensure_zygote(&mut self, python: &str, profile: &profile::Profile) -> std::io::Result<()> {
        let Mode::Warm { lease, zygotes } = &mut self.mode else {
            return Ok(());
        };
        if !zygotes.contains_key(python) {
            let cgroup_fd = self.cgroup.as_ref().map(|c| c.procs_fd());
            let z = start_zygote(
                python,
                self.isolation,
                self.jail.clone(),
                cgroup_fd,
                lease.uid,
                &profile.preloaded(),
            )?;
            zygotes.insert(python.to_string(), z);
        }
        Ok(())
    }

    fn execute(&mut self, req: &ExecRequest, cancel: &AtomicBool) -> Execution {
        let fault = |m: String| Ok(Outcome::sandbox_error("process", &req.tests, m));
        let profile = match profile::for_request("process", req) {
            Ok(p) => p,
            Err(unsupported) => return Ok(*unsupported),
        };
        let python = match venv::python_for(profile, &self.python) {
            Ok(p) => p,
            Err(e) => {
                return fault(format!(
                    "cannot prepare the `{}` environment: {e}",
                    profile.name
                ))
            }
        };
        if let Some(cg) = self.cgroup.as_mut() {
            if let Err(e) = cg.prepare(req.limits.memory_mb) {
                return fault(format!("cannot set the memory cgroup's limit: {e}"));
            }
        }
        if let Err(e) = self.ensure_zygote(&python, profile) {
            return fault(format!("cannot start the warm runner: {e}"));
        }
        let cgroup_fd = self.cgroup.as_ref().map(|c| c.procs_fd());
        let observed = match &mut self.mode {
            Mode::Warm { lease, zygotes } => {
                let uid = lease.uid;
                let zygote = zygotes.get_mut(&python).expect("started above");
                let before = self.cgroup.as_mut().and_then(|c| c.pids().ok());
                let result = warm::run(zygote, uid, req, cancel);
                clear_leftovers(uid, self.cgroup.as_mut(), before);
                match result {
                    Ok(o) => o,
                    Err(e) => {
                        zygotes.remove(&python); // replaced at the next execution
                        return fault(format!("warm runner failed: {e}"));
                    }
                }
            }
            Mode::Cold { lease } => {
                let uid = lease.as_ref().map(|l| l.uid);
                let ids = uid.map(|u| (u, u));
                // Without a mount namespace the sandbox needs a host directory of its own.
                let workdir = match self.isolation {
                    Isolation::Namespaces { .. } => None,
                    Isolation::Rlimits => match private_workdir(ids) {
                        Ok(d) => Some(d),
                        Err(e) => return fault(format!("cannot create temp dir: {e}")),
                    },
                };
                let dir = workdir
                    .as_ref()
                    .map(|d| d.path().to_string_lossy().into_owned());
                let prepared =
                    spawn::Prepared::new(&self.python, super::bootstrap::BOOTSTRAP, self.isolation)
                        .rlimits(req.limits.rlimits())
                        .drop_to(ids)
                        .workdir(dir.as_deref().unwrap_or("/"))
                        .tmp_size_mb(req.limits.max_file_size_mb)
                        .jail(self.jail.clone())
                        .cgroup(cgroup_fd);
                let result = cold::run(&prepared, req, cancel);
                if let (Isolation::Rlimits, Some(uid)) = (self.isolation, uid) {
                    kill_all_of(uid); // whatever escaped the process group
                }
                match result {
                    Ok(o) => o,
                    Err(e) => return fault(format!("cannot start python: {e}")),
                }
            }
        };
        let mut observed = observed;
        if let Some(cg) = self.cgroup.as_mut() {
            let usage = cg.finish();
            // The kernel killed something of this execution for memory: whatever ended
            // it from outside, that is the verdict (unless the runner finished first:
            // then its reports decide).
            let exit = observed.exit.get_or_insert_with(supervise::Exit::killed);
            exit.peak_memory_kb = usage.peak_kb;
            exit.memory_killed = usage.oom_killed;
        }
        observed.into_outcome("process", req)
    }
}

/// After a warm execution: whatever the child left running under the slot's uid goes.
/// Everything a child starts is born in the slot's cgroup and cannot leave it, so when
/// the cgroup holds no process but those it held `before` (the zygotes), nothing is left
/// and the uid sweep (a fork and three `kill(-1)` rounds) is skipped. Without a cgroup,
/// the sweep always runs.
fn clear_leftovers(
    uid: u32,
    cgroup: Option<&mut cgroup::SlotCgroup>,
    before: Option<std::collections::BTreeSet<u32>>,
) {
    let Some((cg, before)) = cgroup.zip(before) else {
        kill_all_of(uid);
        return;
    };
    let mut settled = || cg.pids().is_ok_and(|now| now.is_subset(&before));
    if settled() {
        return;
    }
    kill_all_of(uid);
    // SIGKILL is asynchronous: until the leftovers are gone they still count against the
    // uid's RLIMIT_NPROC, and the next program's first fork would fail. Wait (briefly)
    // for the cgroup to be back to before.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while !settled() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

fn start_zygote(
    python: &str,
    isolation: Isolation,
    jail: Option<Arc<Jail>>,
    cgroup: Option<std::os::fd::RawFd>,
    uid: u32,
    preload: &[&str],
) -> std::io::Result<warm::Zygote> {
    let log_path = crate::sandbox::scratch::scratch_root()?.join(format!("warm-runner-{uid}.log"));
    let log = std::fs::File::create(&log_path)?;
    warm::Zygote::start(python, isolation, jail, cgroup, &log, preload)
}

pub struct ProcessSandbox {
    python: String,
    version: String,
    slots: Slots,
}

impl ProcessSandbox {
    /// Probes isolation, starts the slots, checks the interpreter runs inside the sandbox.
    pub async fn start(config: ProcessConfig) -> crate::Result<Self> {
        let root = nix::unistd::geteuid().is_root();
        check_python(&config.python, root)?;
        let isolation = probe_isolation(root);
        if let Isolation::Rlimits = isolation {
            log::warn!(
                "the kernel refused new namespaces; the process sandbox falls back to \
                 rlimits, a process group{} (no network or filesystem isolation)",
                if root { " and an unprivileged uid" } else { "" }
            );
        }
        let warm = root
            && isolation == (Isolation::Namespaces { user: false })
            && std::env::var(COLD_ENV).as_deref() != Ok("1");
        let jail = match isolation {
            Isolation::Namespaces { .. } => {
                let venvs = venv::venv_root();
                // Bound into every sandbox, so it must exist before the first one starts.
                if let Err(e) = std::fs::create_dir_all(&venvs) {
                    return Err(crate::Error::Environment(format!(
                        "cannot create {}: {e}",
                        venvs.display()
                    )));
                }
                Some(Arc::new(Jail {
                    root: root::RootPlan::new(&config.python, &venvs),
                    filters: seccomp::Filters::build(),
                }))
            }
            Isolation::Rlimits => None,
        };
        let cgroups = match cgroup::MemoryCgroups::create() {
            Ok(c) => Some(Arc::new(c)),
            Err(e) => {
                log::warn!(
                    "{e}; the process sandbox limits memory with RLIMIT_AS only \
                     (memfds, shared memory and tmpfs pages are not counted)"
                );
                None
            }
        };
        let mut executors: Vec<SlotInit> = Vec::new();
        for _ in 0..config.jobs.max(1) {
            let lease = if root { Some(lease_uid()?) } else { None };
            if let Some(l) = &lease {
                kill_all_of(l.uid); // a dead harness's leftovers, and the uid's keyrings
            }
            let cgroup = match (&cgroups, &lease) {
                (Some(c), Some(l)) => match c.slot(l.uid) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        log::warn!("{e}; memory is limited by RLIMIT_AS only");
                        None
                    }
                },
                _ => None,
            };
            let mode = match lease {
                Some(lease) if warm => Mode::Warm {
                    lease,
                    zygotes: HashMap::new(),
                },
                lease => Mode::Cold { lease },
            };
            let mut slot = Slot {
                python: config.python.clone(),
                isolation,
                jail: jail.clone(),
                mode,
                cgroup,
                _cgroups: cgroups.clone(),
            };
            executors.push(Box::new(move || {
                slot.prestart();
                Box::new(move |req: &ExecRequest, cancel: &Arc<AtomicBool>| {
                    slot.execute(req, cancel)
                }) as SlotFn
            }));
        }
        let mut sb = ProcessSandbox {
            python: config.python,
            version: String::new(),
            slots: Slots::start_each("process", executors)?,
        };
        let cannot = format!(
            "the process sandbox cannot run {} as an unprivileged user",
            sb.python
        );
        let hint = "pass --python with an interpreter every user can read (e.g. /usr/bin/python3)";
        sb.version = super::smoke_test(&sb, &cannot, hint).await?;
        Ok(sb)
    }
}

/// `--python` before anything starts: an interpreter that is not there ("not found") is
/// told apart from one the sandbox user cannot reach ("not readable by the sandbox user,
/// because …"), which run as root is an unprivileged uid that only the "other"
/// permission bits let in.
fn check_python(python: &str, root: bool) -> crate::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let hint = "pass an interpreter every user can read, e.g. /usr/bin/python3";
    let env = |m: String| Err(crate::Error::Environment(m));
    let path = if python.contains('/') {
        std::path::PathBuf::from(python)
    } else {
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(python))
                .find(|p| p.is_file())
        });
        match found {
            Some(p) => p,
            None => return env(format!("--python {python}: not found on PATH ({hint})")),
        }
    };
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return env(format!(
                "--python {python}: not found: no such file ({hint})"
            ))
        }
        Err(e) => {
            return env(format!(
                "--python {python}: not usable: {} ({hint})",
                crate::error::cause(&e)
            ))
        }
        Ok(m) if !m.is_file() => {
            return env(format!("--python {python}: not found: not a file ({hint})"))
        }
        Ok(_) => {}
    }
    if !root {
        return Ok(()); // the sandbox runs as this user, in a user namespace
    }
    // Every directory on the way (as given and once symlinks are resolved) must let
    // "others" through, and the interpreter itself be readable and executable by them.
    let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    let mut dirs: Vec<&std::path::Path> = path.ancestors().skip(1).collect();
    dirs.extend(real.ancestors().skip(1));
    for dir in dirs.into_iter().filter(|d| !d.as_os_str().is_empty()) {
        let Ok(m) = std::fs::metadata(dir) else {
            continue;
        };
        let mode = m.permissions().mode() & 0o7777;
        if mode & 0o001 == 0 {
            return env(format!(
                "--python {python}: not readable by the sandbox user, because {} is mode {mode:04o} \
                 (no search permission for other users) and the sandbox runs as an \
                 unprivileged uid ({hint})",
                dir.display()
            ));
        }
    }
    let mode = std::fs::metadata(&real)
        .map(|m| m.permissions().mode() & 0o7777)
        .unwrap_or(0o755);
    if mode & 0o005 != 0o005 {
        return env(format!(
            "--python {python}: not readable by the sandbox user, because {} is mode {mode:04o} \
             (other users cannot read and execute it) and the sandbox runs as an unprivileged \
             uid ({hint})",
            real.display()
        ));
    }
    Ok(())
}

fn probe_isolation(root: bool) -> Isolation {
    let user = !root;
    let mut flags = libc::CLONE_NEWNS
        | libc::CLONE_NEWNET
        | libc::CLONE_NEWPID
        | libc::CLONE_NEWIPC
        | libc::CLONE_NEWUTS;
    if user {
        flags |= libc::CLONE_NEWUSER;
    }
    // SAFETY: the child makes one syscall and exits.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        unsafe { libc::_exit(if libc::unshare(flags) == 0 { 0 } else { 1 }) }
    }
    let mut status = 0;
    if pid < 0 || unsafe { libc::waitpid(pid, &mut status, 0) } != pid {
        return Isolation::Rlimits;
    }
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        Isolation::Namespaces { user }
    } else {
        Isolation::Rlimits
    }
}

fn private_workdir(ids: Option<(u32, u32)>) -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("assay-sandbox-")
        .tempdir_in(crate::sandbox::scratch::scratch_root()?)?;
    if let Some((uid, gid)) = ids {
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))?;
    }
    Ok(dir)
}

fn set_nonblocking(fds: &[&OwnedFd]) -> std::io::Result<()> {
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    for fd in fds {
        fcntl(fd.as_raw_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
    }
    Ok(())
}

/// Kills every process of a sandbox uid: from a child that becomes that uid, `kill(-1)`
/// reaches exactly the processes the sandbox could have started, wherever they hide.
/// It also clears the uid's keyrings, which outlive processes (the seccomp filter keeps
/// programs from using them; this is the second line).
fn kill_all_of(uid: u32) {
    // SAFETY: the child only changes uid and signals, then exits.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        unsafe {
            if libc::setgid(uid) == 0 && libc::setuid(uid) == 0 {
                // Three sweeps: a process that has been SIGKILLed cannot fork any more,
                // and children forked during a sweep are appended to the task list it is
                // walking. (kill(-1) cannot say "none left": it returns 0 whenever it
                // tried any process at all, even one it had no permission to signal.)
                let pause = libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 200_000,
                };
                for _ in 0..3 {
                    libc::kill(-1, libc::SIGKILL);
                    libc::nanosleep(&pause, std::ptr::null_mut());
                }
                const KEYCTL_CLEAR: libc::c_long = 7;
                const KEY_SPEC_USER_KEYRING: libc::c_long = -4;
                const KEY_SPEC_USER_SESSION_KEYRING: libc::c_long = -5;
                for ring in [KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING] {
                    libc::syscall(libc::SYS_keyctl, KEYCTL_CLEAR, ring);
                }
            }
            libc::_exit(0);
        }
    }
    if pid > 0 {
        let mut status = 0;
        unsafe { libc::waitpid(pid, &mut status, 0) };
    }
}

#[async_trait::async_trait]
impl Sandbox for ProcessSandbox {
    fn name(&self) -> &'static str {
        "process"
    }

    fn fingerprint(&self) -> String {
        format!(
            "{} {} {}",
            self.python,
            self.version,
            profile::fingerprint()
        )
    }

    async fn execute(&self, request: ExecRequest) -> Execution {
        self.slots.execute(request).await
    }

    fn cancel_all(&self) {
        self.slots.cancel_all();
    }
}
