//! The warm path: per slot, one long-lived zygote (`assay_zygote.py`) inside the slot's
//! namespaces forks a fresh, isolated child per execution. The child's stdout, stderr
//! and channel are pipes we create and pass over a unix socket (SCM_RIGHTS), so the
//! supervision is the same as on the cold path; only start, end and kill differ.

use super::poll::{supervise, Streams, Watched};
use super::spawn::{self, Prepared};
use super::{kill_all_of, Isolation, Jail};
use crate::sandbox::bootstrap::{self, CHILD, RUNNER, ZYGOTE};
use crate::sandbox::runner::{self, Channel};
use crate::sandbox::supervise::{Exit, Observed, Termination};
use crate::sandbox::ExecRequest;
use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
use nix::unistd::Pid;
use std::io::{IoSlice, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a zygote may take to start, or to report a child it was told to kill.
const REPORT_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Zygote {
    pid: Pid,
    sock: UnixStream,
    pending: Vec<u8>,
}

impl Zygote {
    /// Starts a zygote in its own namespaces, importing `preload` once; its stdout and
    /// stderr go to `log`.
    pub fn start(
        python: &str,
        isolation: Isolation,
        jail: Option<Arc<Jail>>,
        cgroup: Option<RawFd>,
        log: &std::fs::File,
        preload: &[&str],
    ) -> std::io::Result<Zygote> {
        let (ours, theirs) = UnixStream::pair()?;
        let devnull = std::fs::File::open("/dev/null")?;
        // The zygote stays root inside its namespaces (and its minimal root): each child
        // drops privileges and installs the seccomp filter itself.
        let seccomp = jail
            .as_ref()
            .map(|j| j.filters.to_hex())
            .unwrap_or_default();
        let prepared = Prepared::new(python, bootstrap::BOOTSTRAP, isolation)
            .rlimits(vec![(libc::RLIMIT_CORE, 0, 0)])
            .jail(jail)
            .unfiltered()
            .cgroup(cgroup);
        let fds = [
            theirs.as_raw_fd(),
            log.as_raw_fd(),
            log.as_raw_fd(),
            devnull.as_raw_fd(),
        ];
        let (pid, _status) = spawn::spawn(&prepared, fds)?;
        drop(theirs);
        let mut z = Zygote {
            pid,
            sock: ours,
            pending: Vec::new(),
        };
        let hello = bootstrap::hello(
            &[RUNNER, CHILD, ZYGOTE],
            "assay_zygote.serve",
            serde_json::json!({
                "preload": preload,
                "seccomp": {"nr": libc::SYS_seccomp, "programs": seccomp},
            }),
        );
        z.sock.write_all(&hello)?;
        match z.read_line(Instant::now() + REPORT_TIMEOUT)? {
            Some(l) if l.contains("\"ready\"") => Ok(z),
            _ => Err(std::io::Error::other(
                "the warm runner did not start (see its log)",
            )),
        }
    }

    /// Sends one job and the child's stdout, stderr and channel fds.
    fn submit(&mut self, job: &[u8], fds: [&OwnedFd; 3]) -> std::io::Result<()> {
        let mut msg = (job.len() as u32).to_be_bytes().to_vec();
        msg.extend_from_slice(job);
        let raw = [fds[0].as_raw_fd(), fds[1].as_raw_fd(), fds[2].as_raw_fd()];
        let cmsg = [ControlMessage::ScmRights(&raw)];
        let sent = sendmsg::<()>(
            self.sock.as_raw_fd(),
            &[IoSlice::new(&msg)],
            &cmsg,
            MsgFlags::empty(),
            None,
        )
        .map_err(std::io::Error::from)?;
        self.sock.write_all(&msg[sent..])
    }

    /// One complete line from the zygote, waiting until `deadline` (a past deadline
    /// still takes what is already readable).
    fn read_line(&mut self, deadline: Instant) -> std::io::Result<Option<String>> {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        loop {
            if let Some(pos) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=pos).collect();
                return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let timeout =
                PollTimeout::try_from(left.as_millis() as u64).unwrap_or(PollTimeout::MAX);
            let mut fds = [PollFd::new(self.sock.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, timeout) {
                Ok(0) => return Ok(None),
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
            let mut buf = [0u8; 4096];
            match self.sock.read(&mut buf) {
                Ok(0) => return Err(std::io::Error::other("the warm runner exited")),
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The zygote's report on its current child, if it comes before `deadline`.
    fn report(&mut self, deadline: Instant) -> std::io::Result<Option<Exit>> {
        let Some(line) = self.read_line(deadline)? else {
            return Ok(None);
        };
        let r: ChildReport = serde_json::from_str(&line)
            .map_err(|e| std::io::Error::other(format!("bad report from the warm runner: {e}")))?;
        Ok(Some(r.exit()))
    }
}

/// The zygote's report on a child it reaped (one JSON line).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChildReport {
    /// The raw wait status.
    pub status: i32,
    pub utime: f64,
    pub stime: f64,
    /// ru_maxrss, in KiB.
    pub maxrss: u64,
}

impl ChildReport {
    pub(crate) fn exit(&self) -> Exit {
        let secs = |s: f64| Duration::from_secs_f64(s.max(0.0));
        Exit {
            termination: Termination::from_wait_status(self.status),
            cpu: secs(self.utime) + secs(self.stime),
            peak_memory_kb: self.maxrss,
            memory_killed: false,
        }
    }
}

impl Drop for Zygote {
    fn drop(&mut self) {
        let _ = nix::sys::signal::killpg(self.pid, nix::sys::signal::Signal::SIGKILL);
        let mut status = 0;
        // SAFETY: reaping our own child.
        unsafe { libc::waitpid(self.pid.as_raw(), &mut status, 0) };
    }
}

/// A zygote's child, watched through the zygote's reports and killed by uid.
struct WarmChild<'a> {
    zygote: &'a mut Zygote,
    uid: u32,
    /// Set when the zygote failed to report: it must be replaced.
    broken: bool,
}

impl Watched for WarmChild<'_> {
    fn poll_fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.zygote.sock.as_fd())
    }

    fn try_exit(&mut self) -> Option<Exit> {
        match self.zygote.report(Instant::now()) {
            Ok(info) => info,
            Err(_) => {
                self.broken = true;
                Some(Exit::killed())
            }
        }
    }

    fn kill(&mut self) {
        kill_all_of(self.uid);
    }

    fn wait_exit(&mut self) -> Option<Exit> {
        let info = self
            .zygote
            .report(Instant::now() + REPORT_TIMEOUT)
            .ok()
            .flatten();
        self.broken |= info.is_none();
        info
    }
}

/// Runs one request on a warm zygote. `Err` means the zygote is unusable (replace it).
pub(super) fn run(
    zygote: &mut Zygote,
    uid: u32,
    req: &ExecRequest,
    cancel: &AtomicBool,
) -> std::io::Result<Observed> {
    use nix::fcntl::OFlag;
    let nonce = runner::new_nonce();
    let (out_r, out_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let (err_r, err_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let (ch_r, ch_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let job = serde_json::json!({
        "uid": uid,
        "gid": uid,
        "rlimits": req.limits.rlimit_triples(),
        "tmp_size_mb": req.limits.max_file_size_mb,
        "request": runner::request_value(req, &nonce),
    });
    zygote.submit(
        &serde_json::to_vec(&job).expect("job serializes"),
        [&out_w, &err_w, &ch_w],
    )?;
    drop((out_w, err_w, ch_w));
    super::set_nonblocking(&[&out_r, &err_r, &ch_r])?;
    let streams = Streams {
        stdin: None,
        stdout: out_r,
        stderr: err_r,
        channel: ch_r,
    };
    let mut child = WarmChild {
        zygote,
        uid,
        broken: false,
    };
    let observed = supervise(
        &mut child,
        streams,
        Channel::new(&nonce, req.tests.len()),
        &req.limits,
        cancel,
    );
    if child.broken {
        return Err(std::io::Error::other("the warm runner stopped reporting"));
    }
    Ok(observed)
}
