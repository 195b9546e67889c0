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

/// Fires once to stop a run; every clone sees it.
#[derive(Clone)]
pub struct Cancel(tokio::sync::watch::Receiver<Option<CancelReason>>);

/// The other end of a `Cancel`.
pub struct Canceller(tokio::sync::watch::Sender<Option<CancelReason>>);

impl Cancel {
    pub fn new() -> (Canceller, Cancel) {
        let (tx, rx) = tokio::sync::watch::channel(None);
        (Canceller(tx), Cancel(rx))
    }

    /// A run nothing stops.
    pub fn never() -> Cancel {
        Cancel::new().1
    }

    /// Waits until it fires; never returns for a `Cancel` that cannot fire.
    pub async fn fired(&mut self) -> CancelReason {
        loop {
            if let Some(reason) = *self.0.borrow_and_update() {
                return reason;
            }
            if self.0.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

impl Canceller {
    /// Stops the run (the first reason is kept).
    pub fn cancel(&self, reason: CancelReason) {
        self.0.send_if_modified(|r| {
            let first = r.is_none();
            r.get_or_insert(reason);
            first
        });
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
