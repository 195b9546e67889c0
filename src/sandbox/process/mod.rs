//! The `process` backend: a host Python under namespaces, rlimits and an unprivileged uid.
//!
//! Each of `--jobs` slots is a long-lived thread with its own sandbox uid (when the
//! harness runs as root): parallel executions cannot signal or read each other, and the
//! parent-death signal of every sandbox is tied to a thread that lives as long as the
//! harness.

mod spawn;
mod supervise;

use super::runner::{self, Channel};
use super::{ExecRequest, Outcome, Sandbox, Status};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};

/// The fixed environment of every execution (DESIGN.md).
pub const ENVIRONMENT: &[(&str, &str)] = &[
    ("PATH", "/usr/local/bin:/usr/bin:/bin"),
    ("HOME", "/tmp"),
    ("TMPDIR", "/tmp"),
    ("PYTHONHASHSEED", "0"),
    ("PYTHONDONTWRITEBYTECODE", "1"),
    ("TZ", "UTC"),
    ("LANG", "C.UTF-8"),
    ("LC_ALL", "C.UTF-8"),
    ("OMP_NUM_THREADS", "1"),
    ("OPENBLAS_NUM_THREADS", "1"),
    ("MKL_NUM_THREADS", "1"),
];

/// The uids sandboxes run as (when the harness is root); each slot of each harness
/// process holds one, by `flock` on a lock file, so concurrent harnesses never share one.
pub const SANDBOX_UIDS: std::ops::Range<u32> = 61000..62000;

/// A sandbox uid held for the life of the harness (the lock dies with the process).
struct UidLease {
    uid: u32,
    _lock: std::fs::File,
}

fn lease_uid() -> crate::Result<UidLease> {
    use std::os::fd::AsRawFd;
    let dir = std::env::temp_dir().join("assay").join("uids");
    let env = |e: std::io::Error| {
        crate::Error::Environment(format!(
            "cannot lock a sandbox uid in {}: {e}",
            dir.display()
        ))
    };
    std::fs::create_dir_all(&dir).map_err(env)?;
    for uid in SANDBOX_UIDS {
        let file = std::fs::File::create(dir.join(uid.to_string())).map_err(env)?;
        // SAFETY: flock on an fd we own.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(UidLease { uid, _lock: file });
        }
    }
    Err(crate::Error::Environment(format!(
        "all sandbox uids {SANDBOX_UIDS:?} are in use"
    )))
}

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

struct Work {
    request: ExecRequest,
    reply: tokio::sync::oneshot::Sender<Outcome>,
}

pub struct ProcessSandbox {
    python: String,
    version: String,
    isolation: Isolation,
    leases: Vec<UidLease>,
    queue: Mutex<Option<mpsc::Sender<Work>>>,
    cancel: Arc<AtomicBool>,
}

impl ProcessSandbox {
    /// Probes isolation, checks the interpreter runs inside the sandbox, starts the slots.
    pub fn start(config: ProcessConfig) -> crate::Result<Self> {
        let root = nix::unistd::geteuid().is_root();
        let isolation = probe_isolation(root);
        if let Isolation::Rlimits = isolation {
            eprintln!(
                "warning: the kernel refused new namespaces; the process sandbox falls back to \
                 rlimits, a process group{} (no network or filesystem isolation)",
                if root { " and an unprivileged uid" } else { "" }
            );
        }
        let (tx, rx) = mpsc::channel::<Work>();
        let rx = Arc::new(Mutex::new(rx));
        let cancel = Arc::new(AtomicBool::new(false));
        let mut leases = Vec::new();
        for slot in 0..config.jobs.max(1) {
            let rx = Arc::clone(&rx);
            let cancel = Arc::clone(&cancel);
            let python = config.python.clone();
            let ids = if root {
                let lease = lease_uid()?;
                let ids = (lease.uid, lease.uid);
                leases.push(lease);
                Some(ids)
            } else {
                None
            };
            std::thread::Builder::new()
                .name(format!("sandbox-slot-{slot}"))
                .spawn(move || loop {
                    let work = { rx.lock().expect("queue lock").recv() };
                    let Ok(work) = work else { return };
                    let outcome = execute(&python, isolation, ids, &work.request, &cancel);
                    let _ = work.reply.send(outcome);
                })
                .map_err(|e| {
                    crate::Error::Environment(format!("cannot start sandbox threads: {e}"))
                })?;
        }
        let mut sb = ProcessSandbox {
            python: config.python,
            version: String::new(),
            isolation,
            leases,
            queue: Mutex::new(Some(tx)),
            cancel,
        };
        sb.version = sb.smoke_test()?;
        Ok(sb)
    }

    pub fn isolation(&self) -> Isolation {
        self.isolation
    }

    /// Runs a trivial program through the whole sandbox; returns the interpreter version.
    fn smoke_test(&self) -> crate::Result<String> {
        let request = ExecRequest {
            program: "import sys\nprint(sys.version.split()[0], end='')\n".into(),
            tests: vec![],
            limits: super::Limits::with_timeout(20.0),
            requirements: vec![],
        };
        let ids = self.leases.first().map(|l| (l.uid, l.uid));
        let out = execute(
            &self.python,
            self.isolation,
            ids,
            &request,
            &AtomicBool::new(false),
        );
        if out.status != Status::Passed {
            return Err(crate::Error::Environment(format!(
                "the process sandbox cannot run {} as an unprivileged user: {} {} {}\n\
                 hint: pass --python with an interpreter every user can read (e.g. /usr/bin/python3)",
                self.python,
                out.status,
                out.message,
                out.stderr.text.trim()
            )));
        }
        Ok(out.stdout.text)
    }
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

/// One execution on the calling (slot) thread.
fn execute(
    python: &str,
    isolation: Isolation,
    ids: Option<(u32, u32)>,
    req: &ExecRequest,
    cancel: &AtomicBool,
) -> Outcome {
    // Without a mount namespace the sandbox needs a host directory of its own.
    let workdir = match isolation {
        Isolation::Namespaces { .. } => None,
        Isolation::Rlimits => match private_workdir(ids) {
            Ok(d) => Some(d),
            Err(e) => {
                return Outcome::sandbox_error(
                    "process",
                    &req.tests,
                    format!("cannot create temp dir: {e}"),
                )
            }
        },
    };
    let dir = workdir
        .as_ref()
        .map(|d| d.path().to_string_lossy().into_owned())
        .unwrap_or_default();
    let prepared =
        spawn::Prepared::new(python, runner::BOOTSTRAP, &req.limits, isolation, ids, &dir);
    let nonce = runner::new_nonce();
    let request = runner::stdin_payload(req, &nonce);
    let sp = match spawn::spawn(&prepared) {
        Ok(sp) => sp,
        Err(e) => {
            return Outcome::sandbox_error(
                "process",
                &req.tests,
                format!("cannot start python: {e}"),
            )
        }
    };
    let obs = supervise::supervise(
        sp,
        &request,
        Channel::new(&nonce, req.tests.len()),
        &req.limits,
        cancel,
    );
    if isolation == Isolation::Rlimits {
        if let Some((uid, _)) = ids {
            kill_all_of(uid); // whatever escaped the process group
        }
    }
    drop(workdir);
    if obs.cancelled {
        return Outcome::sandbox_error("process", &req.tests, "cancelled");
    }
    if let Some(reason) = obs.setup_error {
        return Outcome::sandbox_error("process", &req.tests, reason);
    }
    let d = runner::decide(req, &obs.channel, &obs.ending);
    Outcome {
        status: d.status,
        message: d.message,
        exception_text: d.exception_text,
        timeout: d.timeout,
        tests: d.tests,
        wall_ms: obs.wall.as_secs_f64() * 1000.0,
        cpu_ms: obs.cpu.as_secs_f64() * 1000.0,
        peak_memory_kb: obs.peak_memory_kb,
        stdout: obs.stdout.finish(),
        stderr: obs.stderr.finish(),
        backend: "process".into(),
    }
}

fn private_workdir(ids: Option<(u32, u32)>) -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("assay-sandbox-")
        .tempdir_in(crate::run::scratch_root()?)?;
    if let Some((uid, gid)) = ids {
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))?;
    }
    Ok(dir)
}

/// Kills every process of a sandbox uid (fallback mode, where no PID namespace does it).
fn kill_all_of(uid: u32) {
    // SAFETY: the child only changes uid and signals, then exits.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        unsafe {
            if libc::setuid(uid) == 0 {
                libc::kill(-1, libc::SIGKILL);
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
        format!("{} {}", self.python, self.version)
    }

    async fn execute(&self, request: ExecRequest) -> Outcome {
        let tests = request.tests.clone();
        let (reply, rx) = tokio::sync::oneshot::channel();
        let sent = self
            .queue
            .lock()
            .expect("queue lock")
            .as_ref()
            .map(|q| q.send(Work { request, reply }).is_ok())
            .unwrap_or(false);
        if !sent {
            return Outcome::sandbox_error("process", &tests, "sandbox is shut down");
        }
        rx.await
            .unwrap_or_else(|_| Outcome::sandbox_error("process", &tests, "sandbox slot died"))
    }

    fn cancel_all(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl Drop for ProcessSandbox {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.queue.lock().map(|mut q| q.take()).ok();
    }
}
