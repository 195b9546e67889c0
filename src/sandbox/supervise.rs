//! One supervisor for every backend: the clock that starts when the runner is ready, the
//! rules for stopping an execution from outside, and one decoding of how it ended.
//!
//! A backend supplies only its I/O: it starts the program, moves its streams into the
//! [`Channel`] and the captures, kills it when [`Watch::due`] says so and reports the
//! [`Exit`] it learned. What the ending means, and so the verdict, is decided here and in
//! [`runner::decide`], the same way for the process, WASI and Docker backends.

use super::capture::CapturedBuf;
use super::runner::{self, Channel};
use super::{ExecRequest, Limits, Outcome};
use std::time::{Duration, Instant};

/// How long python may take to start and read its request before the wall clock runs.
pub(crate) const STARTUP_ALLOWANCE: Duration = Duration::from_secs(10);
/// How long the runner may linger after its last record before it is killed.
pub(crate) const EXIT_GRACE: Duration = Duration::from_secs(1);
/// What a sandbox's set-up code writes on stderr before exiting [`SETUP_FAILED`].
pub(crate) const SETUP_MARK: &str = "assay-sandbox-setup:";
pub(crate) const SETUP_FAILED: i32 = 125;

/// Why the supervisor stopped an execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KillReason {
    /// The wall clock ran out.
    WallTimeout,
    /// stdout + stderr went past `max_output_bytes`.
    OutputCap,
    /// The private `/tmp` went past `max_file_size_mb` (WASI, where no kernel counts it).
    FileSize,
    /// The run is being cancelled (Ctrl-C, SIGTERM): no verdict.
    Cancelled,
    /// The runner said `done` but did not exit within [`EXIT_GRACE`].
    Lingered,
}

/// How the program ended, in the vocabulary of wait(2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Termination {
    Exited(i32),
    Signaled(i32),
}

impl Termination {
    /// From a raw wait status.
    pub(crate) fn from_wait_status(status: i32) -> Self {
        if libc::WIFEXITED(status) {
            Termination::Exited(libc::WEXITSTATUS(status))
        } else {
            Termination::Signaled(libc::WTERMSIG(status))
        }
    }
}

/// What the backend learned about the end of the program.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exit {
    pub termination: Termination,
    pub cpu: Duration,
    pub peak_memory_kb: u64,
    /// The kernel (a cgroup, the container's) killed something of this execution for memory.
    pub memory_killed: bool,
}

impl Exit {
    /// An end learned only as "it is gone" (after our own kill).
    pub(crate) fn killed() -> Self {
        Exit {
            termination: Termination::Signaled(libc::SIGKILL),
            cpu: Duration::ZERO,
            peak_memory_kb: 0,
            memory_killed: false,
        }
    }
}

/// How an execution ended, as seen from outside: the input of [`runner::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// It exited by itself, or a signal not of ours ended it.
    Ended(Termination),
    /// The supervisor stopped it.
    Killed(KillReason),
    /// The kernel stopped it at the CPU limit (SIGXCPU, or SIGKILL past RLIMIT_CPU).
    CpuTimeout,
    /// The kernel or cgroup killed it for memory, or its memory could not grow.
    OutOfMemory,
}

/// The clock and the kill rules of one execution.
#[derive(Debug)]
pub(crate) struct Watch {
    started: Instant,
    timeout: Duration,
    max_output: u64,
    deadline: Instant,
    ready: bool,
    done_at: Option<Instant>,
    killed: Option<KillReason>,
}

impl Watch {
    /// Starts watching: `timeout` runs from the runner's `ready`, after a start-up allowance.
    pub(crate) fn start(timeout: Duration, max_output: u64) -> Self {
        let started = Instant::now();
        Watch {
            started,
            timeout,
            max_output,
            deadline: started + STARTUP_ALLOWANCE + timeout,
            ready: false,
            done_at: None,
            killed: None,
        }
    }

    /// A watch with the request's wall limit.
    pub(crate) fn for_limits(limits: &Limits) -> Self {
        Watch::start(
            Duration::from_secs_f64(limits.timeout_secs),
            limits.max_output_bytes,
        )
    }

    /// Learns from the channel: `ready` starts the wall clock, `done` the exit grace.
    pub(crate) fn observe(&mut self, channel: &Channel) {
        if channel.ready && !self.ready {
            self.ready = true;
            self.deadline = Instant::now() + self.timeout;
        }
        if channel.done && self.done_at.is_none() {
            self.done_at = Some(Instant::now());
        }
    }

    /// Whether the runner has said `ready` (the wall clock runs).
    #[cfg(test)]
    pub(crate) fn is_ready(&self) -> bool {
        self.ready
    }

    /// The reason to stop the execution now, given the program's output so far and
    /// whether the run is being cancelled. Returns a reason once; after that, `None`.
    pub(crate) fn due(&mut self, output: u64, cancelled: bool) -> Option<KillReason> {
        if self.killed.is_some() {
            return None;
        }
        let now = Instant::now();
        let reason = if cancelled {
            KillReason::Cancelled
        } else if now >= self.deadline {
            KillReason::WallTimeout
        } else if output > self.max_output {
            KillReason::OutputCap
        } else if self.done_at.is_some_and(|t| now >= t + EXIT_GRACE) {
            KillReason::Lingered
        } else {
            return None;
        };
        self.killed = Some(reason);
        Some(reason)
    }

    /// Records a stop decided by the backend's own check (a quota only it can measure).
    pub(crate) fn kill(&mut self, reason: KillReason) {
        self.killed.get_or_insert(reason);
    }

    pub(crate) fn killed(&self) -> Option<KillReason> {
        self.killed
    }

    /// The next moment `due` may change its answer without new input.
    pub(crate) fn wake_at(&self) -> Instant {
        match self.done_at {
            Some(t) => self.deadline.min(t + EXIT_GRACE),
            None => self.deadline,
        }
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// Everything a backend observed of one execution.
#[derive(Debug)]
pub(crate) struct Observed {
    pub killed: Option<KillReason>,
    /// How the program ended; `None` when its end was never reported (after a kill).
    pub exit: Option<Exit>,
    pub channel: Channel,
    pub stdout: CapturedBuf,
    pub stderr: CapturedBuf,
    pub wall: Duration,
    /// The backend failed, not the code: the reason.
    pub fault: Option<String>,
}

/// The execution was cancelled: it has no verdict and must not be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl Observed {
    /// Starts an observation of an execution with `tests` tests under `nonce`.
    pub(crate) fn new(nonce: &str, tests: usize) -> Self {
        Observed {
            killed: None,
            exit: None,
            channel: Channel::new(nonce, tests),
            stdout: CapturedBuf::default(),
            stderr: CapturedBuf::default(),
            wall: Duration::ZERO,
            fault: None,
        }
    }

    fn output(&self) -> u64 {
        self.stdout.total() + self.stderr.total()
    }

    /// The one decoding of how an execution ended. Precedence: a cancellation; the
    /// output cap (whoever was faster, the verdict must not depend on it); a kill for
    /// memory by the kernel; the supervisor's other kills; the CPU limit; the rest.
    /// `None` when there is nothing to decode: no kill and no reported end.
    pub(crate) fn ending(&self, limits: &Limits) -> Option<Ending> {
        if self.killed == Some(KillReason::Cancelled) {
            return Some(Ending::Killed(KillReason::Cancelled));
        }
        if self.killed == Some(KillReason::OutputCap) || self.output() > limits.max_output_bytes {
            return Some(Ending::Killed(KillReason::OutputCap));
        }
        if self.exit.is_some_and(|e| e.memory_killed) {
            return Some(Ending::OutOfMemory);
        }
        if let Some(k) = self.killed {
            return Some(Ending::Killed(k));
        }
        let exit = self.exit?;
        Some(match exit.termination {
            Termination::Signaled(libc::SIGXCPU) => Ending::CpuTimeout,
            // Past the soft limit python may ignore SIGXCPU; the hard limit then kills.
            Termination::Signaled(libc::SIGKILL) if exit.cpu.as_secs() >= limits.cpu_secs => {
                Ending::CpuTimeout
            }
            t => Ending::Ended(t),
        })
    }

    /// The set-up of the sandbox failed before the runner started: the reason it gave.
    fn setup_fault(&self, ending: Ending) -> Option<String> {
        let head = String::from_utf8_lossy(self.stderr.head());
        (!self.channel.ready
            && ending == Ending::Ended(Termination::Exited(SETUP_FAILED))
            && head.starts_with(SETUP_MARK))
        .then(|| head.lines().next().unwrap_or_default().to_string())
    }

    /// The outcome: a verdict on the code, a `sandbox_error` when the backend failed, or
    /// [`Cancelled`].
    pub(crate) fn into_outcome(
        self,
        backend: &str,
        req: &ExecRequest,
    ) -> Result<Outcome, Cancelled> {
        let fault = |m: String| Ok(Outcome::sandbox_error(backend, &req.tests, m));
        let Some(ending) = self.ending(&req.limits) else {
            return fault(
                self.fault
                    .unwrap_or_else(|| "the end of the execution was not reported".into()),
            );
        };
        if ending == Ending::Killed(KillReason::Cancelled) {
            return Err(Cancelled);
        }
        if let Some(reason) = (self.fault.clone())
            .or_else(|| self.setup_fault(ending))
            .or_else(|| self.channel.protocol_error.clone())
        {
            return fault(reason);
        }
        let d = runner::decide(req, &self.channel, &ending);
        let (cpu, peak) = self
            .exit
            .map_or((Duration::ZERO, 0), |e| (e.cpu, e.peak_memory_kb));
        Ok(Outcome::decided(
            backend,
            d,
            self.wall,
            cpu,
            peak,
            self.stdout.finish(),
            self.stderr.finish(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(killed: Option<KillReason>, exit: Option<Exit>) -> Observed {
        let mut o = Observed::new("n", 0);
        o.killed = killed;
        o.exit = exit;
        o
    }

    fn exit(termination: Termination, cpu_secs: u64, memory_killed: bool) -> Exit {
        Exit {
            termination,
            cpu: Duration::from_secs(cpu_secs),
            peak_memory_kb: 0,
            memory_killed,
        }
    }

    #[test]
    fn our_sigkill_and_the_kernels_are_told_apart() {
        let limits = Limits::with_timeout(3.0); // cpu limit 4 s
        let sigkill = Termination::Signaled(libc::SIGKILL);
        // We killed it at the deadline: a wall timeout, whatever wait(2) says.
        let o = observed(Some(KillReason::WallTimeout), Some(exit(sigkill, 0, false)));
        assert_eq!(
            o.ending(&limits),
            Some(Ending::Killed(KillReason::WallTimeout))
        );
        // SIGKILL not of ours past the CPU limit: the kernel's hard RLIMIT_CPU.
        let o = observed(None, Some(exit(sigkill, 4, false)));
        assert_eq!(o.ending(&limits), Some(Ending::CpuTimeout));
        // SIGKILL not of ours below it: someone (the program itself) killed it.
        let o = observed(None, Some(exit(sigkill, 1, false)));
        assert_eq!(o.ending(&limits), Some(Ending::Ended(sigkill)));
        // Lingering after `done` is ours too, not a crash.
        let o = observed(Some(KillReason::Lingered), Some(exit(sigkill, 4, false)));
        assert_eq!(
            o.ending(&limits),
            Some(Ending::Killed(KillReason::Lingered))
        );
    }

    #[test]
    fn precedence_of_the_ways_to_end() {
        let limits = Limits::with_timeout(3.0);
        let sigkill = Termination::Signaled(libc::SIGKILL);
        // The kernel's memory kill wins over our wall deadline.
        let o = observed(Some(KillReason::WallTimeout), Some(exit(sigkill, 0, true)));
        assert_eq!(o.ending(&limits), Some(Ending::OutOfMemory));
        // Past the output cap the verdict is the cap, even if it exited first.
        let mut o = observed(None, Some(exit(Termination::Exited(0), 0, true)));
        o.stdout.push(&[b'x'; 10]);
        let small = Limits {
            max_output_bytes: 5,
            ..limits.clone()
        };
        assert_eq!(
            o.ending(&small),
            Some(Ending::Killed(KillReason::OutputCap))
        );
        // A cancellation is never a verdict.
        let o = observed(Some(KillReason::Cancelled), Some(exit(sigkill, 9, true)));
        assert_eq!(o.into_outcome("test", &empty_request()), Err(Cancelled),);
        // SIGXCPU is the CPU limit.
        let o = observed(
            None,
            Some(exit(Termination::Signaled(libc::SIGXCPU), 0, false)),
        );
        assert_eq!(o.ending(&limits), Some(Ending::CpuTimeout));
        // Nothing reported and nothing killed: nothing to decode.
        assert_eq!(observed(None, None).ending(&limits), None);
    }

    fn empty_request() -> ExecRequest {
        ExecRequest {
            program: String::new(),
            tests: vec![],
            limits: Limits::default(),
            requirements: vec![],
            instrument: Default::default(),
        }
    }

    #[test]
    fn the_wall_clock_starts_at_ready_and_kills_once() {
        let mut w = Watch::start(Duration::from_millis(20), 100);
        let before = w.wake_at();
        let mut chan = Channel::new("n", 0);
        chan.feed(b"{\"ev\":\"ready\",\"nonce\":\"n\"}\n");
        w.observe(&chan);
        assert!(w.is_ready());
        assert!(
            w.wake_at() < before,
            "ready moves the deadline to now + timeout"
        );
        assert_eq!(w.due(0, false), None);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(w.due(0, false), Some(KillReason::WallTimeout));
        assert_eq!(w.due(1000, true), None, "a reason is given once");
        assert_eq!(w.killed(), Some(KillReason::WallTimeout));
    }

    #[test]
    fn output_past_the_cap_and_cancellation_are_due_at_once() {
        let mut w = Watch::start(Duration::from_secs(10), 100);
        assert_eq!(w.due(101, false), Some(KillReason::OutputCap));
        let mut w = Watch::start(Duration::from_secs(10), 100);
        assert_eq!(w.due(0, true), Some(KillReason::Cancelled));
    }
}
