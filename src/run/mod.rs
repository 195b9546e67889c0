//! The orchestrator: many executions on one sandbox, bounded by `--jobs`, journaled for
//! resume, retried on harness faults, cancelled cleanly when its `Cancel` fires.

mod events;
mod journal;

pub(crate) use events::Collect;
pub use events::{Cancel, CancelReason, Event, Listener, Tee};

pub use journal::{job_key, Journal};

use crate::sandbox::{Cancelled, ExecRequest, Outcome, Sandbox, Status};
use crate::{Error, Result};
use std::collections::HashMap;
use std::sync::Arc;

pub struct RunOptions {
    pub jobs: usize,
    /// Extra attempts for an execution that ended in `sandbox_error`.
    pub retries: usize,
    /// Stops the run when it fires (the CLI fires it on Ctrl-C and SIGTERM).
    pub cancel: Cancel,
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

/// Runs every job (jobs with the same key once), telling `listener` what happens as it
/// happens: each job's outcome reaches it once, as `Event::Finished`, and is not kept
/// here, so a run of any length holds only the outcomes its listeners keep.
pub async fn run_all(
    sandbox: Arc<dyn Sandbox>,
    jobs: Vec<Job>,
    journal: &mut Journal,
    opts: &RunOptions,
    listener: &mut dyn Listener,
) -> Result<()> {
    let fingerprint = format!("{} {}", sandbox.name(), sandbox.fingerprint());
    let keys: Vec<String> = jobs
        .iter()
        .map(|j| job_key(&fingerprint, &j.request, &j.instance))
        .collect();
    let mut requests: Vec<Option<ExecRequest>> =
        jobs.into_iter().map(|j| Some(j.request)).collect();
    let mut todo: Vec<usize> = Vec::new(); // index of the first request with each new key
                                           // Every job index of each key still to run (identical jobs share one execution).
    let mut sharing: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut cached = 0;
    for (i, key) in keys.iter().enumerate() {
        if journal.get(key).is_some() {
            cached += 1;
            requests[i] = None;
        } else {
            let same = sharing.entry(key.as_str()).or_default();
            if same.is_empty() {
                todo.push(i);
            } else {
                requests[i] = None; // runs as the first of its key
            }
            same.push(i);
        }
    }
    listener.on_event(&Event::Planned {
        total: keys.len(),
        cached,
    });
    for (index, key) in keys.iter().enumerate() {
        if let Some(outcome) = journal.get(key) {
            listener.on_event(&Event::Finished {
                index,
                outcome,
                cached: true,
            });
        }
    }

    let mut interrupted = false;
    let mut pending = todo.into_iter();
    let mut running = tokio::task::JoinSet::new();
    let mut cancel = opts.cancel.clone();
    loop {
        while !interrupted && running.len() < opts.jobs.max(1) {
            let Some(i) = pending.next() else { break };
            let sb = Arc::clone(&sandbox);
            let req = requests[i].take().expect("each request runs once");
            let retries = opts.retries;
            listener.on_event(&Event::Started { index: i });
            running.spawn(async move {
                let mut last_error = String::new();
                for attempt in 0.. {
                    let execution = sb.execute(req.clone()).await;
                    match execution {
                        Ok(o) if o.status == Status::SandboxError && attempt < retries => {
                            last_error = o.message;
                        }
                        other => return (i, other, attempt, last_error),
                    }
                }
                unreachable!("the loop returns")
            });
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            joined = running.join_next() => {
                let Some(joined) = joined else { break };
                let (i, execution, attempts, last) = joined.map_err(|e| Error::Internal(format!("an execution task failed: {e}")))?;
                let outcome = match execution {
                    Ok(o) => o,
                    Err(Cancelled) => continue, // neither a verdict nor journaled
                };
                if interrupted && outcome.status == Status::SandboxError {
                    continue; // a casualty of the cancellation, not a verdict
                }
                if attempts > 0 {
                    listener.on_event(&Event::Retried { index: i, attempts, last: &last });
                }
                journal.append(&keys[i], &outcome)?;
                for &index in &sharing[keys[i].as_str()] {
                    listener.on_event(&Event::Finished { index, outcome: &outcome, cached: false });
                }
            }
            reason = cancel.fired(), if !interrupted => {
                interrupted = true;
                sandbox.cancel_all();
                listener.on_event(&Event::Cancelled { reason });
            }
        }
    }
    if interrupted {
        return Err(Error::Interrupted);
    }
    Ok(())
}

/// [`run_all`], keeping every outcome: returns them in input order.
pub(crate) async fn collect_all(
    sandbox: Arc<dyn Sandbox>,
    jobs: Vec<Job>,
    journal: &mut Journal,
    opts: &RunOptions,
    listener: &mut dyn Listener,
) -> Result<Vec<Outcome>> {
    let mut collect = Collect::new(listener, jobs.len());
    run_all(sandbox, jobs, journal, opts, &mut collect).await?;
    collect.into_outcomes()
}

#[cfg(test)]
pub(crate) mod scripted;
#[cfg(test)]
mod tests;
