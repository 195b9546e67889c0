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

/// Hands every event to two listeners, in order (the CLI's progress bar and a results
/// writer, say).
pub struct Tee<'a>(pub &'a mut dyn Listener, pub &'a mut dyn Listener);

impl Listener for Tee<'_> {
    fn on_event(&mut self, event: &Event<'_>) {
        self.0.on_event(event);
        self.1.on_event(event);
    }
}

/// Keeps every job's outcome, passing the events on: for callers that need all outcomes
/// together (curation's judge, the retry rounds). A long `score` run streams instead.
pub(crate) struct Collect<'a> {
    inner: &'a mut dyn Listener,
    outcomes: Vec<Option<Outcome>>,
}

impl<'a> Collect<'a> {
    pub(crate) fn new(inner: &'a mut dyn Listener, jobs: usize) -> Self {
        Collect {
            inner,
            outcomes: vec![None; jobs],
        }
    }

    /// The outcomes in input order; every job must have finished.
    pub(crate) fn into_outcomes(self) -> crate::Result<Vec<Outcome>> {
        self.outcomes
            .into_iter()
            .enumerate()
            .map(|(i, o)| {
                o.ok_or_else(|| {
                    crate::Error::Internal(format!("job {i} finished without an outcome"))
                })
            })
            .collect()
    }
}

impl Listener for Collect<'_> {
    fn on_event(&mut self, event: &Event<'_>) {
        if let Event::Finished { index, outcome, .. } = event {
            if let Some(slot) = self.outcomes.get_mut(*index) {
                *slot = Some((*outcome).clone());
            }
        }
        self.inner.on_event(event);
    }
}
