//! `compare --fail-on-regression`: when a comparison fails a nightly run, and which tasks
//! made it fail.
//!
//! A run regressed when pass@1 fell by more than `--max-drop` (default 0) *and* the paired
//! test says the fall is unlikely to be noise (p < `--alpha`, default 0.05): the culprits
//! are the tasks whose pass count fell through non-flaky flips. Independently, every task
//! of `--must-pass FILE` must pass every scored sample of the current run.

use super::Comparison;
use crate::{Error, Result};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct GateOptions {
    pub alpha: f64,
    pub max_drop: f64,
    /// Task ids that must pass, with the file and line each came from.
    pub must_pass: Vec<(String, usize)>,
    pub must_pass_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateResult {
    pub failed: bool,
    pub reasons: Vec<String>,
    /// The tasks that caused the failure, in benchmark order.
    pub culprits: Vec<String>,
}

/// Task ids, one per line; blank lines and `#` comments are skipped.
pub fn read_must_pass(path: &Path) -> Result<Vec<(String, usize)>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(text
        .lines()
        .enumerate()
        .map(|(i, l)| (l.split('#').next().unwrap_or("").trim().to_string(), i + 1))
        .filter(|(l, _)| !l.is_empty())
        .collect())
}

pub fn evaluate(c: &Comparison, g: &GateOptions) -> Result<GateResult> {
    let mut reasons = Vec::new();
    let mut culprits: Vec<String> = Vec::new();
    if let Some(m) = c
        .pass_at_k
        .iter()
        .find(|m| m.metric == crate::score::PassAt(1))
    {
        if let (Some(b), Some(cur)) = (m.baseline, m.current) {
            let drop = b - cur;
            if drop > g.max_drop && c.test.p_value < g.alpha {
                reasons.push(format!(
                    "pass@1 fell by {drop:.4} ({b:.4} -> {cur:.4}), more than --max-drop {}, and {} gives p = {:.3e} < --alpha {}",
                    g.max_drop, c.test.method, c.test.p_value, g.alpha
                ));
                culprits.extend(c.regressed_tasks.iter().cloned());
            }
        }
    }
    let mut failing_must = Vec::new();
    for (id, line) in &g.must_pass {
        let Some(t) = c.tasks.iter().find(|t| &t.task_id == id) else {
            let file = g
                .must_pass_file
                .as_deref()
                .unwrap_or(Path::new("--must-pass"));
            return Err(Error::input(
                file,
                *line,
                "task_id",
                format!("{id:?} is a task of neither run"),
            ));
        };
        let ok = matches!(t.current, Some((n, p)) if n > 0 && p == n);
        if !ok {
            failing_must.push(id.clone());
        }
    }
    if !failing_must.is_empty() {
        reasons.push(format!(
            "{} task(s) of --must-pass do not pass: {}",
            failing_must.len(),
            failing_must.join(", ")
        ));
        culprits.extend(failing_must);
    }
    // Benchmark order, each once.
    let order: std::collections::HashMap<&str, usize> = c
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.task_id.as_str(), i))
        .collect();
    culprits.sort_by_key(|t| order.get(t.as_str()).copied().unwrap_or(usize::MAX));
    culprits.dedup();
    Ok(GateResult {
        failed: !reasons.is_empty(),
        reasons,
        culprits,
    })
}
