//! Renderers for summaries: plain text for people, JSON for machines.

pub mod curation;
pub mod run;
#[cfg(test)]
mod snapshots;

use crate::score::Summary;
use std::fmt::Write;

/// Tasks listed one by one in text output when they did not all pass (the rest are counted).
const TASK_LINES: usize = 25;

pub fn score_text(s: &Summary) -> String {
    let mut out = String::new();
    let tasks = s.tasks.len();
    let _ = writeln!(
        out,
        "scored {} samples of {} tasks on the {} sandbox in {:.2} s",
        s.samples, tasks, s.backend, s.elapsed_secs
    );
    for (k, v) in &s.pass_at_k {
        match v {
            Some(v) => {
                let _ = writeln!(out, "  {k:<9} {v:.4}");
            }
            None => {
                let why = s.not_computable.get(k).map(String::as_str).unwrap_or("");
                let _ = writeln!(out, "  {k:<9} not computable: {why}");
            }
        }
    }
    let statuses: Vec<String> = s
        .by_status
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let _ = writeln!(out, "by status: {}", statuses.join(", "));
    let imperfect: Vec<_> = s
        .tasks
        .iter()
        .filter(|t| t.passed < t.n || t.excluded > 0)
        .collect();
    let perfect = s
        .tasks
        .iter()
        .filter(|t| t.n > 0 && t.passed == t.n && t.excluded == 0)
        .count();
    let _ = writeln!(
        out,
        "per task: {perfect} of {tasks} tasks passed every sample"
    );
    for t in imperfect.iter().take(TASK_LINES) {
        let extra = if t.excluded > 0 {
            format!(" ({} excluded)", t.excluded)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {:<24} {}/{} passed{extra}",
            t.task_id, t.passed, t.n
        );
    }
    if imperfect.len() > TASK_LINES {
        let _ = writeln!(
            out,
            "  … and {} more (see --format json)",
            imperfect.len() - TASK_LINES
        );
    }
    if s.excluded > 0 {
        let _ = writeln!(
            out,
            "warning: {} samples ended in sandbox errors and are kept out of pass@k",
            s.excluded
        );
    }
    if s.unattempted_tasks > 0 {
        let _ = writeln!(
            out,
            "warning: {} tasks of the problems file have no sample",
            s.unattempted_tasks
        );
    }
    if s.stability.retried > 0 {
        let st = &s.stability;
        let _ = writeln!(
            out,
            "retried {} non-passing samples: {} stable, {} unstable, {} load-sensitive (first verdicts kept)",
            st.retried, st.stable, st.unstable, st.load_sensitive
        );
    }
    let _ = writeln!(out, "results: {}", s.results.display());
    if !s.run_dir.as_os_str().is_empty() {
        let _ = writeln!(out, "run record: {}", s.run_dir.display());
    }
    out
}

pub fn score_json(s: &Summary) -> String {
    serde_json::to_string_pretty(s).expect("summary serializes")
}
