//! A sandbox for tests of the orchestrator and of what stands on it (no Python): its
//! programs are scripts, and every test of a request gets the execution's status.
//! `pass`, `fail`, `alternate` (pass on odd-numbered runs of that program, fail on even:
//! a deterministic flake), `fault N` (a `sandbox_error` for the first N runs, then a
//! pass) and `hang` (until cancelled).

use crate::sandbox::{Cancelled, ExecRequest, Execution, Outcome, Sandbox, Status};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

#[derive(Default)]
pub(crate) struct Scripted {
    runs: Mutex<HashMap<String, usize>>,
    cancelled: AtomicBool,
}

impl Scripted {
    pub(crate) fn runs_of(&self, program: &str) -> usize {
        self.runs.lock().unwrap().get(program).copied().unwrap_or(0)
    }

    pub(crate) fn total_runs(&self) -> usize {
        self.runs.lock().unwrap().values().sum()
    }
}

#[async_trait::async_trait]
impl Sandbox for Scripted {
    fn name(&self) -> &'static str {
        "scripted"
    }

    fn fingerprint(&self) -> String {
        "v1".into()
    }

    async fn execute(&self, req: ExecRequest) -> Execution {
        let n = {
            let mut runs = self.runs.lock().unwrap();
            let n = runs.entry(req.program.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let outcome = |status| {
            let mut o = Outcome::without_run("scripted", &req.tests, status, "");
            o.tests.iter_mut().for_each(|t| t.status = status);
            o
        };
        let mut words = req.program.split_whitespace();
        match (words.next(), words.next()) {
            (Some("pass"), _) => Ok(outcome(Status::Passed)),
            (Some("fail"), _) => Ok(outcome(Status::Failed)),
            (Some("alternate"), _) if n % 2 == 1 => Ok(outcome(Status::Passed)),
            (Some("alternate"), _) => Ok(outcome(Status::Failed)),
            (Some("fault"), Some(k)) if n <= k.parse::<usize>().unwrap() => Ok(
                Outcome::sandbox_error("scripted", &req.tests, format!("fault {n}")),
            ),
            (Some("fault"), _) => Ok(outcome(Status::Passed)),
            (Some("hang"), _) => {
                while !self.cancelled.load(Ordering::Relaxed) {
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
                Err(Cancelled)
            }
            _ => panic!("unknown script {:?}", req.program),
        }
    }

    fn cancel_all(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
}
