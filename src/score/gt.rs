//! `assay score --check-gt-only`: every problem's reference run once, with no samples,
//! and the tasks whose reference does not pass listed (BigCodeBench's `--check-gt-only`,
//! for any problem format that has a reference).

use crate::entry::Problem;
use crate::run::{self, Cancel, Instance, Journal, Listener, RunOptions};
use crate::sandbox::{Limits, Sandbox, Status};
use crate::Result;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `--check-gt-only` runs.
pub struct GtRequest {
    pub problems: PathBuf,
    pub limits: Limits,
    pub jobs: usize,
    pub retries: usize,
    /// The report (default: `<problems>_gt.json`).
    pub output: Option<PathBuf>,
    pub run_dir: Option<PathBuf>,
}

/// The report written to the output file.
#[derive(Debug, Clone, Serialize)]
pub struct GtReport {
    pub tasks: usize,
    pub passed: usize,
    /// Passing references over the tasks whose reference had a verdict on its code.
    pub gt_pass_rate: f64,
    /// Tasks whose reference did not pass, in problem-file order.
    pub failed_tasks: Vec<String>,
    /// Tasks the sandbox could not judge (`unsupported`, `sandbox_error`), kept out of the rate.
    pub excluded_tasks: Vec<String>,
    pub results: Vec<GtTask>,
    pub backend: String,
    pub output: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub struct GtTask {
    pub task_id: String,
    pub status: Status,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Tests that did not pass, by name.
    pub failing_tests: Vec<String>,
    pub wall_ms: f64,
}

/// `<problems>_gt.json` beside the problems file.
pub fn default_output(problems: &Path) -> PathBuf {
    let mut s = problems.as_os_str().to_owned();
    s.push("_gt.json");
    PathBuf::from(s)
}

/// Runs every reference and writes the report (JSON) to the output file.
pub async fn check(
    sandbox: Arc<dyn Sandbox>,
    req: &GtRequest,
    problems: &[Problem],
    listener: &mut dyn Listener,
    cancel: Cancel,
) -> Result<GtReport> {
    let jobs = problems
        .iter()
        .map(|p| run::Job {
            request: p.request(p.reference.clone(), &req.limits),
            instance: Instance::Repeat(0),
        })
        .collect();
    let run_dir = req.run_dir.clone().unwrap_or_else(|| {
        let dir = super::default_run_dir(&req.problems, &req.problems);
        let mut name = dir.as_os_str().to_owned();
        name.push("-gt");
        PathBuf::from(name)
    });
    let mut journal = Journal::open(&run_dir)?;
    let opts = RunOptions {
        jobs: req.jobs,
        retries: req.retries,
        cancel,
    };
    let outcomes =
        run::collect_all(Arc::clone(&sandbox), jobs, &mut journal, &opts, listener).await?;
    let results: Vec<GtTask> = problems
        .iter()
        .zip(&outcomes)
        .map(|(p, o)| GtTask {
            task_id: p.id.clone(),
            status: o.status,
            message: o.message.clone(),
            failing_tests: o
                .tests
                .iter()
                .filter(|t| t.status != Status::Passed)
                .map(|t| t.name.clone())
                .collect(),
            wall_ms: o.wall_ms,
        })
        .collect();
    let judged: Vec<&GtTask> = results
        .iter()
        .filter(|t| t.status.is_verdict_on_code())
        .collect();
    let passed = judged.iter().filter(|t| t.status.is_pass()).count();
    let output = req
        .output
        .clone()
        .unwrap_or_else(|| default_output(&req.problems));
    let report = GtReport {
        tasks: problems.len(),
        passed,
        gt_pass_rate: if judged.is_empty() {
            0.0
        } else {
            passed as f64 / judged.len() as f64
        },
        failed_tasks: judged
            .iter()
            .filter(|t| !t.status.is_pass())
            .map(|t| t.task_id.clone())
            .collect(),
        excluded_tasks: results
            .iter()
            .filter(|t| !t.status.is_verdict_on_code())
            .map(|t| t.task_id.clone())
            .collect(),
        results,
        backend: sandbox.name().to_string(),
        output: output.clone(),
    };
    crate::entry::write_json(&output, &report)?;
    Ok(report)
}
