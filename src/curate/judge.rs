//! Stages 4 and 5: what the reference runs said. Every repeat must agree (else the entry
//! is flaky), and every test must pass.

use super::Candidate;
use crate::curate::report::TestRecord;
use crate::sandbox::{Outcome, Status};

/// The verdict of the reference runs on one candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Judgement {
    /// Every test passed in every repeat.
    AllPassing,
    /// Verdicts differ between repeats.
    Flaky(String),
    /// The backend cannot run it.
    Unsupported(String),
    /// The harness failed even after retries.
    SandboxError(String),
    /// Some test failed (consistently); `some_passing` says whether any passed.
    Failing { reason: String, some_passing: bool },
}

/// Per-test statuses across repeats, for the report.
pub fn test_records(outcomes: &[Outcome]) -> Vec<TestRecord> {
    let Some(first) = outcomes.first() else {
        return Vec::new();
    };
    first
        .tests
        .iter()
        .enumerate()
        .map(|(i, t)| TestRecord {
            name: t.name.clone(),
            level: t.level.as_str().to_string(),
            statuses: outcomes
                .iter()
                .map(|o| o.tests.get(i).map_or(Status::NotRun, |t| t.status))
                .collect(),
        })
        .collect()
}

/// `passed/failed/passed`.
fn slashed(statuses: &[Status]) -> String {
    let words: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    words.join("/")
}

pub fn judge(c: &Candidate) -> Judgement {
    let outcomes = &c.outcomes;
    if let Some(o) = outcomes.iter().find(|o| o.status == Status::Unsupported) {
        return Judgement::Unsupported(o.message.clone());
    }
    if let Some(o) = outcomes.iter().find(|o| o.status == Status::SandboxError) {
        return Judgement::SandboxError(o.message.clone());
    }
    let records = test_records(outcomes);
    let overall: Vec<Status> = outcomes.iter().map(|o| o.status).collect();
    let unstable: Vec<String> = records
        .iter()
        .filter(|t| t.statuses.windows(2).any(|w| w[0] != w[1]))
        .map(|t| format!("{} {}", t.name, slashed(&t.statuses)))
        .collect();
    if !unstable.is_empty() || overall.windows(2).any(|w| w[0] != w[1]) {
        let times: Vec<String> = outcomes
            .iter()
            .map(|o| format!("{:.0} ms", o.wall_ms))
            .collect();
        let what = if unstable.is_empty() {
            format!("overall {}", slashed(&overall))
        } else {
            unstable.join("; ")
        };
        return Judgement::Flaky(format!(
            "verdicts differ between repeats: {what} (wall {})",
            times.join(", ")
        ));
    }
    let first = &outcomes[0];
    if first.status == Status::Passed {
        return Judgement::AllPassing;
    }
    let passed = first
        .tests
        .iter()
        .filter(|t| t.status == Status::Passed)
        .count();
    let failing: Vec<String> = first
        .tests
        .iter()
        .filter(|t| t.status != Status::Passed && t.status != Status::NotRun)
        .take(3)
        .map(|t| format!("{} {}: {}", t.name, t.status, t.message))
        .collect();
    let detail = if failing.is_empty() {
        format!("{}: {}", first.status, first.message)
    } else {
        failing.join("; ")
    };
    Judgement::Failing {
        reason: format!("{passed}/{} tests pass; {detail}", first.tests.len()),
        some_passing: passed > 0,
    }
}

/// Median wall time over the repeats.
pub fn median_wall_ms(outcomes: &[Outcome]) -> Option<f64> {
    let mut w: Vec<f64> = outcomes.iter().map(|o| o.wall_ms).collect();
    if w.is_empty() {
        return None;
    }
    w.sort_by(|a, b| a.total_cmp(b));
    Some(w[w.len() / 2])
}
