//! The process backend's I/O for the supervisor: feed stdin, read the three streams with
//! caps, poll, kill and wait. When to kill and what the end means is `sandbox::supervise`.

use crate::sandbox::runner::Channel;
use crate::sandbox::supervise::{Exit, Observed, Watch};
use crate::sandbox::Limits;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The process being watched: a cold child of ours, or a child of a warm zygote.
pub(super) trait Watched {
    /// An fd to poll for readability alongside the streams (the zygote's socket).
    fn poll_fd(&self) -> Option<BorrowedFd<'_>>;
    /// How python ended, if it has (never blocks).
    fn try_exit(&mut self) -> Option<Exit>;
    /// Kills python and everything it started.
    fn kill(&mut self);
    /// After `kill`: waits for the end to be reported (`None` if it never is).
    fn wait_exit(&mut self) -> Option<Exit>;
}

/// The child's ends we hold: its stdin (with what to write), stdout, stderr, channel.
pub(super) struct Streams {
    pub stdin: Option<(OwnedFd, Vec<u8>)>,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
    pub channel: OwnedFd,
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

pub(super) fn supervise(
    watched: &mut dyn Watched,
    streams: Streams,
    channel: Channel,
    limits: &Limits,
    cancel: &AtomicBool,
) -> Observed {
    let mut watch = Watch::for_limits(limits);
    let mut obs = Observed {
        channel,
        ..Observed::new("", 0)
    };
    let (mut stdin, request) = match streams.stdin {
        Some((fd, data)) => (Some(fd), data),
        None => (None, Vec::new()),
    };
    let mut to_write: &[u8] = &request;
    let mut open = [true, true, true]; // stdout, stderr, channel

    loop {
        if obs.exit.is_none() {
            obs.exit = watched.try_exit();
        }
        if obs.exit.is_some() {
            // Python is gone. In the namespace its descendants are gone too; whatever
            // escaped still holds a stream open, so take what is buffered and stop.
            drain(&streams.stdout, |d| obs.stdout.push(d));
            drain(&streams.stderr, |d| obs.stderr.push(d));
            drain(&streams.channel, |d| obs.channel.feed(d));
            break;
        }
        let output = obs.stdout.total() + obs.stderr.total();
        if let Some(reason) = watch.due(output, cancel.load(Ordering::Relaxed)) {
            obs.killed = Some(reason);
            watched.kill();
            obs.exit = watched.wait_exit();
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
        let wait = watch
            .wake_at()
            .saturating_duration_since(Instant::now())
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
                0 => open[0] = drain(&streams.stdout, |d| obs.stdout.push(d)),
                1 => open[1] = drain(&streams.stderr, |d| obs.stderr.push(d)),
                2 => open[2] = drain(&streams.channel, |d| obs.channel.feed(d)),
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
        watch.observe(&obs.channel);
    }
    obs.wall = watch.elapsed();
    obs
}
