//! The orchestrator: many executions on one sandbox, bounded by `--jobs`, journaled for
//! resume, retried on harness faults, cancelled cleanly on Ctrl-C or SIGTERM.

mod journal;
pub mod progress;
pub mod scratch;

pub use journal::{job_key, Journal};

pub use scratch::{cleanup_stale, scratch_root};

use crate::sandbox::{ExecRequest, Outcome, Sandbox, Status};
use crate::{Error, Result};
use std::collections::HashMap;
use std::sync::Arc;

pub struct RunOptions {
    pub jobs: usize,
    /// Extra attempts for an execution that ended in `sandbox_error`.
    pub retries: usize,
}

/// What listeners hear: the progress bar, the aggregators.
pub enum Event<'a> {
    /// Planned: total executions, of which already in the journal.
    Planned {
        total: usize,
        cached: usize,
    },
    Finished {
        outcome: &'a Outcome,
        cached: bool,
    },
    Retrying {
        message: &'a str,
    },
}

/// One execution to run: a request and which execution of it this is.
#[derive(Debug, Clone)]
pub struct Job {
    pub request: ExecRequest,
    pub instance: Instance,
}

/// Which execution of a request a job is. Jobs with equal requests and equal instances
/// share one journal entry, and so one verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instance {
    /// The n-th run of a request (curation's flake check runs each reference several
    /// times). `Repeat(0)` is shared by every identical request: `score --dedupe-identical`.
    Repeat(u32),
    /// One sample of `score`: its task and its index among that task's samples (the
    /// results' `completion_id`), so identical programs still run once per sample.
    Sample {
        task_id: String,
        completion_id: usize,
    },
    /// The n-th re-run (from 1) of another instance: `score --retry-failed` runs a
    /// verdict again as an execution of its own, never the journal's copy of the first.
    Retry { of: Box<Instance>, attempt: u32 },
}

/// Runs every job (jobs with the same key once) and returns outcomes in input order.
pub async fn run_all(
    sandbox: Arc<dyn Sandbox>,
    jobs: Vec<Job>,
    journal: &mut Journal,
    opts: &RunOptions,
    mut on_event: impl FnMut(Event<'_>),
) -> Result<Vec<Outcome>> {
    let fingerprint = format!("{} {}", sandbox.name(), sandbox.fingerprint());
    let keys: Vec<String> = jobs
        .iter()
        .map(|j| job_key(&fingerprint, &j.request, &j.instance))
        .collect();
    let requests: Vec<ExecRequest> = jobs.into_iter().map(|j| j.request).collect();
    let mut done: HashMap<String, Outcome> = HashMap::new();
    let mut todo: Vec<usize> = Vec::new(); // index of the first request with each new key
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        if let Some(o) = journal.get(key) {
            done.insert(key.clone(), o.clone());
        } else if !first_of.contains_key(key.as_str()) {
            first_of.insert(key, i);
            todo.push(i);
        }
    }
    let cached = keys.iter().filter(|k| done.contains_key(*k)).count();
    on_event(Event::Planned {
        total: requests.len(),
        cached,
    });
    for key in keys.iter().filter(|k| done.contains_key(*k)) {
        on_event(Event::Finished {
            outcome: &done[key],
            cached: true,
        });
    }

    let mut interrupted = false;
    let mut pending = todo.into_iter();
    let mut running = tokio::task::JoinSet::new();
    let mut signals = Signals::new()?;
    let copies: HashMap<&str, usize> = keys.iter().fold(HashMap::new(), |mut m, k| {
        *m.entry(k.as_str()).or_insert(0) += 1;
        m
    });
    loop {
        while !interrupted && running.len() < opts.jobs.max(1) {
            let Some(i) = pending.next() else { break };
            let sb = Arc::clone(&sandbox);
            let req = requests[i].clone();
            let retries = opts.retries;
            running.spawn(async move {
                let mut attempt = 0;
                loop {
                    let outcome = sb.execute(req.clone()).await;
                    if outcome.status != Status::SandboxError
                        || attempt >= retries
                        || outcome.message == "cancelled"
                    {
                        return (i, outcome, attempt);
                    }
                    attempt += 1;
                }
            });
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            joined = running.join_next() => {
                let Some(joined) = joined else { break };
                let (i, outcome, attempts) = joined.map_err(|e| Error::Internal(format!("an execution task failed: {e}")))?;
                if interrupted && outcome.status == Status::SandboxError {
                    continue; // cancelled by us: neither a verdict nor journaled
                }
                if attempts > 0 {
                    on_event(Event::Retrying { message: &format!("{} retried {attempts}x after sandbox errors", keys[i]) });
                }
                journal.append(&keys[i], &outcome)?;
                for _ in 0..copies[keys[i].as_str()] {
                    on_event(Event::Finished { outcome: &outcome, cached: false });
                }
                done.insert(keys[i].clone(), outcome);
            }
            _ = signals.recv(), if !interrupted => {
                interrupted = true;
                sandbox.cancel_all();
                signals.arm_second();
            }
        }
    }
    if interrupted {
        return Err(Error::Interrupted);
    }
    Ok(keys.iter().map(|k| done[k].clone()).collect())
}

/// Ctrl-C and SIGTERM: the first stops cleanly, a second exits at once.
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        let err =
            |e: std::io::Error| Error::Environment(format!("cannot install signal handlers: {e}"));
        Ok(Signals {
            term: signal(SignalKind::terminate()).map_err(err)?,
            int: signal(SignalKind::interrupt()).map_err(err)?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {},
            _ = self.int.recv() => {},
        }
    }

    fn arm_second(&self) {
        eprintln!(
            "\ninterrupted: stopping the running executions (press Ctrl-C again to exit at once)"
        );
        tokio::spawn(async {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut t), Ok(mut i)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                return;
            };
            tokio::select! { _ = t.recv() => {}, _ = i.recv() => {} }
            std::process::exit(crate::error::EXIT_INTERRUPTED);
        });
    }
}
