//! `score --retry-failed N`: flake control. Executions that did not pass run again, up to
//! N times each, at half the concurrency (less load, so a verdict that depends on load
//! shows it). The first verdict is kept — pass@k never silently takes a retry's — and each
//! retried sample is recorded as stable, unstable (a retry gave another verdict) or
//! load-sensitive (a timeout that passed on retry).
//!
//! Retries are jobs of their own (`Instance::Retry`), journaled like the rest: a resumed
//! run replays them too.

use crate::record::summary::Stability;
use crate::run::{self, Event, Instance, Job, Journal, Listener, RunOptions};
use crate::sandbox::{Outcome, Sandbox, Status};
use crate::Result;
use std::sync::Arc;

/// Whether a first verdict is worth retrying: it did not pass and it is about the code
/// (sandbox errors are retried by the orchestrator already; unsupported never changes).
fn retryable(first: Status) -> bool {
    !first.is_pass() && first.is_verdict_on_code()
}

/// Runs the retries; returns, per job, the outcomes of its retries (empty if none).
/// A sample stops being retried as soon as a retry's verdict differs from the first.
pub(crate) async fn retry_failed(
    sandbox: &Arc<dyn Sandbox>,
    jobs: &[Job],
    firsts: &[Status],
    rounds: u32,
    opts: &RunOptions,
    journal: &mut Journal,
    listener: &mut dyn Listener,
) -> Result<Vec<Vec<Outcome>>> {
    let mut retries: Vec<Vec<Outcome>> = vec![Vec::new(); jobs.len()];
    let calmer = RunOptions {
        jobs: (opts.jobs / 2).max(1),
        retries: opts.retries,
        cancel: opts.cancel.clone(),
    };
    let mut planned = jobs.len();
    for attempt in 1..=rounds {
        let todo: Vec<usize> = (0..jobs.len())
            .filter(|&i| retryable(firsts[i]))
            .filter(|&i| Stability::of(firsts[i], &retries[i]) != Some(Stability::Unstable))
            .filter(|&i| Stability::of(firsts[i], &retries[i]) != Some(Stability::LoadSensitive))
            .collect();
        if todo.is_empty() {
            break;
        }
        let batch: Vec<Job> = todo
            .iter()
            .map(|&i| Job {
                request: jobs[i].request.clone(),
                instance: Instance::Retry {
                    of: Box::new(jobs[i].instance.clone()),
                    attempt,
                },
            })
            .collect();
        let mut extended = Extended {
            inner: &mut *listener,
            before: planned,
        };
        planned += batch.len();
        let got =
            run::collect_all(Arc::clone(sandbox), batch, journal, &calmer, &mut extended).await?;
        for (i, o) in todo.into_iter().zip(got) {
            retries[i].push(o);
        }
    }
    Ok(retries)
}

/// Forwards a retry round's events as jobs planned after everything before them: the
/// plan grows by the round's jobs and each job's index is counted on from there, so a
/// progress bar grows instead of starting over and a listener of the first pass (the
/// results stream, a shard's outcomes) sees indices past its own and leaves them alone.
struct Extended<'a> {
    inner: &'a mut dyn Listener,
    before: usize,
}

impl Listener for Extended<'_> {
    fn on_event(&mut self, event: &Event<'_>) {
        let at = |index: usize| self.before + index;
        let shifted = match *event {
            Event::Planned { total, cached } => Event::Planned {
                total: self.before + total,
                cached,
            },
            Event::Started { index } => Event::Started { index: at(index) },
            Event::Finished {
                index,
                outcome,
                cached,
            } => Event::Finished {
                index: at(index),
                outcome,
                cached,
            },
            Event::Retried {
                index,
                attempts,
                last,
            } => Event::Retried {
                index: at(index),
                attempts,
                last,
            },
            Event::Cancelled { reason } => Event::Cancelled { reason },
        };
        self.inner.on_event(&shifted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::job_key;
    use crate::sandbox::ExecRequest;

    #[test]
    fn each_retry_is_an_execution_of_its_own() {
        let req = ExecRequest {
            program: "print(1)".into(),
            tests: Vec::new(),
            limits: Default::default(),
            requirements: Vec::new(),
            instrument: Default::default(),
        };
        let sample = |id| Instance::Sample {
            task_id: "T/0".into(),
            completion_id: id,
        };
        let retry = |of: Instance, attempt| Instance::Retry {
            of: Box::new(of),
            attempt,
        };
        let keys = [
            job_key("f", &req, &sample(0)),
            job_key("f", &req, &retry(sample(0), 1)),
            job_key("f", &req, &retry(sample(0), 2)),
            job_key("f", &req, &retry(sample(1), 1)),
            job_key("f", &req, &retry(Instance::Repeat(0), 1)),
        ];
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "{keys:?}");
        assert_eq!(job_key("f", &req, &retry(sample(0), 1)), keys[1], "stable");
    }
}
