//! The run's one event stream: the orchestrator emits, listeners (the progress bar, the
//! aggregators, a results writer, experiment trackers) hear every event in order.
//! Jobs are named by their index in the input, so a listener can tie an event to a sample.

use crate::sandbox::Outcome;

/// Why a run stops before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelReason {
    /// SIGINT (Ctrl-C) or SIGTERM; the name of the signal.
    Signal(&'static str),
}

impl std::fmt::Display for CancelReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CancelReason::Signal(name) => write!(f, "{name} received"),
        }
    }
}

/// What happened in a run.
#[derive(Debug)]
pub enum Event<'a> {
    /// Before anything runs: how many jobs, and how many of them the journal holds.
    Planned { total: usize, cached: usize },
    /// A job was handed to the sandbox.
    Started { index: usize },
    /// A job has its outcome (from the sandbox, or from the journal when `cached`).
    Finished {
        index: usize,
        outcome: &'a Outcome,
        cached: bool,
    },
    /// A job ended in `sandbox_error` and was run again: `attempts` extra runs in all,
    /// `last` the error of the run before the final one.
    Retried {
        index: usize,
        attempts: usize,
        last: &'a str,
    },
    /// The run is stopping: running executions are killed, nothing more starts.
    Cancelled { reason: CancelReason },
}

/// Hears a run's events.
pub trait Listener {
    fn on_event(&mut self, event: &Event<'_>);
}

/// A listener for runs nobody watches.
pub struct Silent;

impl Listener for Silent {
    fn on_event(&mut self, _: &Event<'_>) {}
}

/// Several listeners, each hearing every event in the order given.
pub struct Fanout<'a>(pub Vec<&'a mut dyn Listener>);

impl Listener for Fanout<'_> {
    fn on_event(&mut self, event: &Event<'_>) {
        for l in self.0.iter_mut() {
            l.on_event(event);
        }
    }
}
