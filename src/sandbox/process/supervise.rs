//! Watching one sandboxed execution from outside: feed stdin, read the three streams
//! with caps, enforce the wall deadline and output cap, learn how python ended, measure.

use super::spawn::{SETUP_FAILED, SETUP_MARK};
use crate::sandbox::capture::CapturedBuf;
use crate::sandbox::runner::{Channel, Ending};
use crate::sandbox::Limits;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long python may take to start and read its request before the wall clock runs.
const STARTUP_ALLOWANCE: Duration = Duration::from_secs(10);
/// How long the runner may linger after its last record before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// How python ended: its raw wait status and resource usage.
#[derive(Debug, Clone, Copy)]
pub struct ExitInfo {
    pub status: i32,
    pub cpu: Duration,
    pub peak_memory_kb: u64,
}

/// The process being watched: a cold child of ours, or a child of a warm zygote.
pub trait Watched {
    /// An fd to poll for readability alongside the streams (the zygote's socket).
    fn poll_fd(&self) -> Option<BorrowedFd<'_>>;
    /// How python ended, if it has (never blocks).
    fn try_exit(&mut self) -> Option<ExitInfo>;
    /// Kills python and everything it started.
    fn kill(&mut self);
    /// After `kill`: waits for the end to be reported (`None` if it never is).
    fn wait_exit(&mut self) -> Option<ExitInfo>;
}

/// The child's ends we hold: its stdin (with what to write), stdout, stderr, channel.
pub struct Streams {
    pub stdin: Option<(OwnedFd, Vec<u8>)>,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
    pub channel: OwnedFd,
}

pub struct Observed {
    pub ending: Ending,
    pub channel: Channel,
    pub stdout: CapturedBuf,
    pub stderr: CapturedBuf,
    pub wall: Duration,
    pub cpu: Duration,
    pub peak_memory_kb: u64,
    /// Set when the sandbox itself failed to start, with the reason.
    pub setup_error: Option<String>,
    pub cancelled: bool,
}

/// Reads what is available without blocking; returns false at EOF.
fn drain(fd: &OwnedFd, mut sink: impl FnMut(&[u8])) -> bool {
    let mut buf = [0u8; 65536];
    loop {
        match nix::unistd::read(fd.as_raw_fd(), &mut buf) {
            Ok(0) => return false,
            Ok(n) => sink(&buf[..n]),
            Err(nix::errno::Errno::EAGAIN) => return true,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return false,
        }
    }
}

pub fn supervise(
    watched: &mut dyn Watched,
    streams: Streams,
    mut channel: Channel,
    limits: &Limits,
    cancel: &AtomicBool,
) -> Observed {
    let started = Instant::now();
    let mut stdout = CapturedBuf::default();
    let mut stderr = CapturedBuf::default();
    let (mut stdin, request) = match streams.stdin {
        Some((fd, data)) => (Some(fd), data),
        None => (None, Vec::new()),
    };
    let mut to_write: &[u8] = &request;
    let mut open = [true, true, true]; // stdout, stderr, channel
    let mut deadline = started + STARTUP_ALLOWANCE + Duration::from_secs_f64(limits.timeout_secs);
    let mut ready_seen = false;
    let mut done_at: Option<Instant> = None;
    let mut killed: Option<Ending> = None;
    let mut cancelled = false;
    let mut exited: Option<ExitInfo> = None;

    loop {
        if exited.is_none() {
            exited = watched.try_exit();
        }
        if exited.is_some() {
            // Python is gone. In the namespace its descendants are gone too; whatever
            // escaped still holds a stream open, so take what is buffered and stop.
            drain(&streams.stdout, |d| stdout.push(d));
            drain(&streams.stderr, |d| stderr.push(d));
            drain(&streams.channel, |d| channel.feed(d));
            break;
        }
        let now = Instant::now();
        if cancel.load(Ordering::Relaxed) {
            cancelled = true;
            killed = Some(Ending::Signaled(libc::SIGKILL));
        } else if now >= deadline {
            killed = Some(Ending::WallTimeout);
        } else if stdout.total() + stderr.total() > limits.max_output_bytes {
            killed = Some(Ending::OutputLimit);
        } else if done_at.is_some_and(|t| now >= t + EXIT_GRACE) {
            killed = Some(Ending::Signaled(libc::SIGKILL));
        }
        if killed.is_some() {
            watched.kill();
            exited = watched.wait_exit();
            break;
        }

        let mut fds = Vec::with_capacity(5);
        let mut which = Vec::with_capacity(5);
        for (i, fd) in [&streams.stdout, &streams.stderr, &streams.channel]
            .into_iter()
            .enumerate()
        {
            if open[i] {
                fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                which.push(i);
            }
        }
        if let Some(fd) = stdin.as_ref().filter(|_| !to_write.is_empty()) {
            fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLOUT));
            which.push(3);
        }
        if let Some(fd) = watched.poll_fd() {
            fds.push(PollFd::new(fd, PollFlags::POLLIN));
            which.push(4);
        }
        let slice = if open.iter().any(|o| *o) { 50 } else { 2 };
        let wait = deadline
            .saturating_duration_since(now)
            .min(Duration::from_millis(slice));
        let timeout =
            PollTimeout::try_from(wait.as_millis().max(1) as u64).unwrap_or(PollTimeout::MAX);
        let events: Vec<(usize, PollFlags)> = match poll(&mut fds, timeout) {
            Ok(_) => fds
                .iter()
                .zip(&which)
                .map(|(f, &w)| (w, f.revents().unwrap_or(PollFlags::empty())))
                .collect(),
            Err(_) => Vec::new(),
        };
        drop(fds);
        for (w, ev) in events {
            if ev.is_empty() {
                continue;
            }
            match w {
                0 => open[0] = drain(&streams.stdout, |d| stdout.push(d)),
                1 => open[1] = drain(&streams.stderr, |d| stderr.push(d)),
                2 => open[2] = drain(&streams.channel, |d| channel.feed(d)),
                3 => {
                    let fd = stdin.as_ref().expect("polled stdin");
                    match nix::unistd::write(fd, to_write) {
                        Ok(n) => to_write = &to_write[n..],
                        Err(nix::errno::Errno::EAGAIN) | Err(nix::errno::Errno::EINTR) => {}
                        Err(_) => to_write = &[],
                    }
                    if to_write.is_empty() {
                        stdin = None; // EOF for the runner
                    }
                }
                _ => {} // the zygote's report: read by try_exit at the top of the loop
            }
        }
        if channel.ready && !ready_seen {
            ready_seen = true;
            deadline = Instant::now() + Duration::from_secs_f64(limits.timeout_secs);
        }
        if channel.done && done_at.is_none() {
            done_at = Some(Instant::now());
        }
    }
    let wall = started.elapsed();
    let info = exited.unwrap_or(ExitInfo {
        status: libc::SIGKILL, // a raw wait status meaning "killed by SIGKILL"
        cpu: Duration::ZERO,
        peak_memory_kb: 0,
    });
    let natural = if libc::WIFEXITED(info.status) {
        Ending::Exited(libc::WEXITSTATUS(info.status))
    } else {
        Ending::Signaled(libc::WTERMSIG(info.status))
    };
    let over_cap = stdout.total() + stderr.total() > limits.max_output_bytes;
    let ending = match killed {
        Some(Ending::WallTimeout) => Ending::WallTimeout,
        Some(Ending::OutputLimit) => Ending::OutputLimit,
        _ if over_cap => Ending::OutputLimit,
        _ => match natural {
            Ending::Signaled(libc::SIGXCPU) => Ending::CpuTimeout,
            // Past the soft limit python may ignore SIGXCPU; the hard limit then kills.
            Ending::Signaled(libc::SIGKILL)
                if killed.is_none() && info.cpu.as_secs() >= limits.cpu_secs =>
            {
                Ending::CpuTimeout
            }
            other => other,
        },
    };
    let head = String::from_utf8_lossy(stderr.head()).into_owned();
    let setup_error =
        (!channel.ready && ending == Ending::Exited(SETUP_FAILED) && head.starts_with(SETUP_MARK))
            .then(|| head.lines().next().unwrap_or_default().to_string());
    Observed {
        ending,
        channel,
        stdout,
        stderr,
        wall,
        cpu: info.cpu,
        peak_memory_kb: info.peak_memory_kb,
        setup_error,
        cancelled,
    }
}
