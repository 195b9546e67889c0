//! The cold path: one fresh interpreter per execution (fork, isolate, exec). Used when
//! the warm runner cannot be (not root, or no namespaces) and by `ASSAY_PROCESS_COLD=1`.

use super::poll::{supervise, Streams, Watched};
use super::spawn::{self, Prepared};
use crate::sandbox::runner::{self, Channel};
use crate::sandbox::supervise::{Exit, Observed, Termination};
use crate::sandbox::ExecRequest;
use nix::unistd::Pid;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

struct ColdChild {
    pid: Pid,
    /// Where init reports python's own wait status.
    status: OwnedFd,
}

fn wait4(pid: Pid, block: bool) -> Option<(i32, libc::rusage)> {
    let mut status = 0;
    // SAFETY: plain wait4 on our own child with out-pointers to locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let flags = if block { 0 } else { libc::WNOHANG };
    loop {
        let r = unsafe { libc::wait4(pid.as_raw(), &mut status, flags, &mut usage) };
        if r == pid.as_raw() {
            return Some((status, usage));
        }
        if r < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        return None;
    }
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

impl ColdChild {
    fn info(&self, (status, usage): (i32, libc::rusage)) -> Exit {
        // Python's own status as init saw it; the intermediate's when init was killed.
        let mut reported = [0u8; 4];
        let status = match nix::unistd::read(self.status.as_raw_fd(), &mut reported) {
            Ok(4) => i32::from_ne_bytes(reported),
            _ => status,
        };
        Exit {
            termination: Termination::from_wait_status(status),
            cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
            peak_memory_kb: usage.ru_maxrss.max(0) as u64,
            memory_killed: false,
        }
    }
}

impl Watched for ColdChild {
    fn poll_fd(&self) -> Option<BorrowedFd<'_>> {
        None
    }

    fn try_exit(&mut self) -> Option<Exit> {
        wait4(self.pid, false).map(|r| self.info(r))
    }

    fn kill(&mut self) {
        // The intermediate leads the process group; python is in it unless it called
        // setsid, and then PDEATHSIG kills it when the intermediate dies.
        let _ = nix::sys::signal::killpg(self.pid, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::signal::kill(self.pid, nix::sys::signal::Signal::SIGKILL);
    }

    fn wait_exit(&mut self) -> Option<Exit> {
        wait4(self.pid, true).map(|r| self.info(r))
    }
}

/// Runs one request in a fresh interpreter prepared for it (`bootstrap::BOOTSTRAP`, the
/// request's limits). `Err` is a fault of the harness.
pub(super) fn run(
    prepared: &Prepared,
    req: &ExecRequest,
    cancel: &AtomicBool,
) -> std::io::Result<Observed> {
    use nix::fcntl::OFlag;
    let nonce = runner::new_nonce();
    let (in_r, in_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let (out_r, out_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let (err_r, err_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let (ch_r, ch_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let fds = [
        in_r.as_raw_fd(),
        out_w.as_raw_fd(),
        err_w.as_raw_fd(),
        ch_w.as_raw_fd(),
    ];
    let (pid, status) = spawn::spawn(prepared, fds)?;
    drop((in_r, out_w, err_w, ch_w));
    super::set_nonblocking(&[&in_w, &out_r, &err_r, &ch_r])?;
    let streams = Streams {
        stdin: Some((in_w, runner::cold_hello(req, &nonce))),
        stdout: out_r,
        stderr: err_r,
        channel: ch_r,
    };
    let mut child = ColdChild { pid, status };
    Ok(supervise(
        &mut child,
        streams,
        Channel::new(&nonce, req.tests.len()),
        &req.limits,
        cancel,
    ))
}
