//! Watching one sandboxed execution from outside: feed the request, read the three
//! streams with caps, enforce the wall deadline and output cap, reap, measure.

use super::spawn::{Spawned, SETUP_FAILED, SETUP_MARK};
use crate::sandbox::capture::CapturedBuf;
use crate::sandbox::runner::{Channel, Ending};
use crate::sandbox::Limits;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long python may take to start and read its request before the wall clock runs.
const STARTUP_ALLOWANCE: Duration = Duration::from_secs(10);
/// How long the runner may linger after its last record before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(1);

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

fn kill_group(pid: nix::unistd::Pid) {
    // The intermediate leads the process group; python is in it unless it called setsid,
    // and then PDEATHSIG kills it when the intermediate dies.
    let _ = nix::sys::signal::killpg(pid, nix::sys::signal::Signal::SIGKILL);
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
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
    sp: Spawned,
    request: &[u8],
    mut channel: Channel,
    limits: &Limits,
    cancel: &AtomicBool,
) -> Observed {
    let started = Instant::now();
    let mut stdout = CapturedBuf::default();
    let mut stderr = CapturedBuf::default();
    let mut stdin = Some(sp.stdin);
    let mut to_write = request;
    let mut open = [true, true, true]; // stdout, stderr, channel
    let mut deadline = started + STARTUP_ALLOWANCE + Duration::from_secs_f64(limits.timeout_secs);
    let mut ready_seen = false;
    let mut done_at: Option<Instant> = None;
    let mut killed: Option<Ending> = None;
    let mut cancelled = false;
    let mut exited: Option<(i32, libc::rusage)> = None;

    loop {
        // Reap without blocking: a zombie intermediate means python and its namespace are gone.
        if exited.is_none() {
            exited = try_wait(sp.pid, false);
        }
        if exited.is_some() && open.iter().all(|o| !o) {
            break;
        }
        if let Some((_, _)) = exited {
            // Exited but a stream is still open: something escaped the namespace (fallback
            // mode). Take what is buffered and stop waiting for it.
            drain(&sp.stdout, |d| stdout.push(d));
            drain(&sp.stderr, |d| stderr.push(d));
            drain(&sp.channel, |d| channel.feed(d));
            break;
        }
        let now = Instant::now();
        if killed.is_none() {
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
                kill_group(sp.pid);
                // Nothing more will be read that could matter; wait for the reaper.
                exited = try_wait(sp.pid, true);
                break;
            }
        }

        let mut fds = Vec::with_capacity(4);
        let mut which = Vec::with_capacity(4);
        for (i, fd) in [&sp.stdout, &sp.stderr, &sp.channel]
            .into_iter()
            .enumerate()
        {
            if open[i] {
                fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                which.push(i);
            }
        }
        let writing = stdin.is_some() && !to_write.is_empty();
        if writing {
            fds.push(PollFd::new(
                stdin.as_ref().unwrap().as_fd(),
                PollFlags::POLLOUT,
            ));
            which.push(3);
        }
        let wait = deadline
            .saturating_duration_since(now)
            .min(Duration::from_millis(if fds.is_empty() { 2 } else { 50 }));
        let timeout =
            PollTimeout::try_from(wait.as_millis().max(1) as u64).unwrap_or(PollTimeout::MAX);
        let ready: Vec<(usize, PollFlags)> = match poll(&mut fds, timeout) {
            Ok(_) => fds
                .iter()
                .zip(&which)
                .map(|(f, &w)| (w, f.revents().unwrap_or(PollFlags::empty())))
                .collect(),
            Err(_) => Vec::new(),
        };
        drop(fds);
        for (w, ev) in ready {
            if ev.is_empty() {
                continue;
            }
            match w {
                0 => open[0] = drain(&sp.stdout, |d| stdout.push(d)),
                1 => open[1] = drain(&sp.stderr, |d| stderr.push(d)),
                2 => open[2] = drain(&sp.channel, |d| channel.feed(d)),
                _ => {
                    let fd = stdin.as_ref().unwrap();
                    match nix::unistd::write(fd, to_write) {
                        Ok(n) => to_write = &to_write[n..],
                        Err(nix::errno::Errno::EAGAIN) | Err(nix::errno::Errno::EINTR) => {}
                        Err(_) => to_write = &[],
                    }
                    if to_write.is_empty() {
                        stdin = None; // EOF for the runner
                    }
                }
            }
        }
        if writing && to_write.is_empty() {
            stdin = None;
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
    let (status, usage) = exited.unwrap_or((libc::SIGKILL, unsafe { std::mem::zeroed() }));
    let cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
    let peak_memory_kb = usage.ru_maxrss.max(0) as u64;

    // Python's own status, as init reported it; the intermediate's when init was killed.
    let mut reported = [0u8; 4];
    let status = match nix::unistd::read(sp.status.as_raw_fd(), &mut reported) {
        Ok(4) => i32::from_ne_bytes(reported),
        _ => status,
    };
    let natural = if libc::WIFEXITED(status) {
        Ending::Exited(libc::WEXITSTATUS(status))
    } else {
        Ending::Signaled(libc::WTERMSIG(status))
    };
    let ending = match killed {
        Some(Ending::WallTimeout) => Ending::WallTimeout,
        Some(Ending::OutputLimit) => Ending::OutputLimit,
        _ => match natural {
            Ending::Signaled(libc::SIGXCPU) => Ending::CpuTimeout,
            // Past the soft limit python may ignore SIGXCPU; the hard limit then kills.
            Ending::Signaled(libc::SIGKILL)
                if killed.is_none() && cpu.as_secs() >= limits.cpu_secs =>
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
        cpu,
        peak_memory_kb,
        setup_error,
        cancelled,
    }
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

/// waitpid with rusage; `block` waits for the exit.
fn try_wait(pid: nix::unistd::Pid, block: bool) -> Option<(i32, libc::rusage)> {
    let mut status = 0;
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
