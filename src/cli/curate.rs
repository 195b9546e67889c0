//! `assay curate`: flags and the options they make; the stages are in `crate::curate`,
//! the renderers of its report in `crate::report::curation`.

use super::args::{
    finish_tracking, limits, parse_count, parse_size, runtime, start_tracking, SandboxArgs,
    WandbArgs,
};
use crate::error::{Error, EXIT_OK};
use crate::sandbox::select::{self, BackendOptions};
use std::path::PathBuf;

#[derive(clap::Args)]
pub(super) struct CurateArgs {
    /// Entry JSONL files, skill files, or directories of skill files.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Where the curated entries go.
    #[arg(short, long)]
    output: PathBuf,
    /// Directory for report.json, report.md, report.html and rejected.jsonl.
    #[arg(long)]
    report: PathBuf,
    /// Runs of each reference; differing verdicts quarantine it as flaky.
    #[arg(long, default_value_t = 3, allow_negative_numbers = true, value_parser = parse_count::<u32>)]
    repeats: u32,
    /// More modules or dotted names to deny (added to the default policy).
    #[arg(long)]
    deny: Vec<String>,
    /// Wall-clock seconds per reference run (an entry's own `limits` win), in seconds of
    /// native CPython: `--sandbox wasi` multiplies it by 10.
    #[arg(long, default_value_t = 20.0, allow_negative_numbers = true)]
    timeout: f64,
    /// Memory limit per run, in MB (at least 32).
    #[arg(long, default_value_t = 2048, allow_negative_numbers = true, value_parser = parse_count::<u64>)]
    memory: u64,
    /// Output (stdout + stderr) past which a program is stopped as `output_limit`: a cap
    /// for runaway floods, not for chatty programs. Below it everything is counted and all
    /// but the first 4 KiB of each stream discarded. Sizes as `1GiB`, `512MiB`, `64MB`.
    #[arg(long, default_value = "1GiB", value_parser = parse_size, allow_negative_numbers = true)]
    max_output: u64,
    /// Task-text similarity (0..1) from which two entries count as duplicates.
    #[arg(long, default_value_t = 0.85, allow_negative_numbers = true)]
    similarity: f64,
    /// Journal directory for resume (default: `runs/curate-<hash of the output path>`).
    #[arg(long)]
    run_dir: Option<PathBuf>,
    /// Measure test strength after dedupe: line and branch coverage of the reference by
    /// its tests, and the mutation score (mutants of the reference the tests kill). Implied
    /// by --min-coverage and --min-mutation-score.
    #[arg(long)]
    strength: bool,
    /// Reject (stage `weak`) entries whose tests run less than this share (0..1) of the
    /// reference's executable lines.
    #[arg(long, allow_negative_numbers = true)]
    min_coverage: Option<f64>,
    /// Reject (stage `weak`) entries whose tests kill less than this share (0..1) of the
    /// reference's mutants.
    #[arg(long, allow_negative_numbers = true)]
    min_mutation_score: Option<f64>,
    /// Reject (stage `weak`) entries whose static quality score (0..1: docstrings, type
    /// hints, naming, long lines, tests per function) is below this; reported either way.
    #[arg(long, allow_negative_numbers = true)]
    min_quality: Option<f64>,
    /// Mutants per entry at most, spread over the mutation operators.
    #[arg(long, default_value_t = crate::strength::DEFAULT_MAX_MUTANTS, allow_negative_numbers = true, value_parser = parse_count::<usize>)]
    max_mutants: usize,
    #[command(flatten)]
    sandbox: SandboxArgs,
    #[command(flatten)]
    wandb: WandbArgs,
}

impl CurateArgs {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        let mut out: Vec<_> = self
            .inputs
            .iter()
            .map(|i| ("<INPUTS>", i.clone()))
            .collect();
        out.push(("--output", self.output.clone()));
        out.push(("--report", self.report.clone()));
        out.extend(self.run_dir.clone().map(|p| ("--run-dir", p)));
        out
    }
}

impl TryFrom<&CurateArgs> for crate::curate::CurateOptions {
    type Error = Error;

    fn try_from(args: &CurateArgs) -> Result<Self, Error> {
        let limits = limits(args.timeout, args.memory, args.max_output)?;
        if args.repeats == 0 {
            return Err(Error::Usage(
                "--repeats must be at least 1 (each reference runs that many times)".into(),
            ));
        }
        if !(0.0..=1.0).contains(&args.similarity) {
            return Err(Error::Usage(format!(
                "--similarity must be in [0, 1] (a word-bigram Jaccard index); got {}",
                args.similarity
            )));
        }
        if args.inputs.is_empty() {
            return Err(Error::Usage("curate: give at least one input".into()));
        }
        let mut deny: Vec<String> = crate::python::policy::DEFAULT_DENY
            .iter()
            .map(|s| s.to_string())
            .collect();
        deny.extend(args.deny.iter().cloned());
        let run_dir = args.run_dir.clone().unwrap_or_else(|| {
            let key = blake3::hash(args.output.display().to_string().as_bytes());
            PathBuf::from("runs").join(format!("curate-{}", &key.to_hex()[..12]))
        });
        for (flag, v) in [
            ("--min-coverage", args.min_coverage),
            ("--min-mutation-score", args.min_mutation_score),
            ("--min-quality", args.min_quality),
        ] {
            if let Some(v) = v.filter(|v| !(0.0..=1.0).contains(v)) {
                return Err(Error::Usage(format!("{flag} must be in [0, 1]; got {v}")));
            }
        }
        if args.max_mutants == 0 {
            return Err(Error::Usage("--max-mutants must be at least 1".into()));
        }
        let strength =
            (args.strength || args.min_coverage.is_some() || args.min_mutation_score.is_some())
                .then_some(crate::curate::StrengthGate {
                    min_coverage: args.min_coverage,
                    min_mutation_score: args.min_mutation_score,
                    max_mutants: args.max_mutants,
                });
        Ok(crate::curate::CurateOptions {
            inputs: args.inputs.clone(),
            output: args.output.clone(),
            report_dir: args.report.clone(),
            repeats: args.repeats,
            deny,
            limits,
            jobs: args.sandbox.jobs(),
            run_dir,
            similarity: args.similarity,
            strength,
            min_quality: args.min_quality,
        })
    }
}

pub(super) fn curate(args: CurateArgs) -> anyhow::Result<i32> {
    let opts = crate::curate::CurateOptions::try_from(&args)?;
    let options = BackendOptions::try_from(&args.sandbox)?;
    let tracker = start_tracking(&args.wandb)?;
    let report = runtime()?.block_on(async {
        let sandbox = select::start(args.sandbox.kind(), &options).await?;
        let mut progress = crate::term::Progress::new(true, "curate");
        crate::curate::curate(sandbox, &opts, &mut progress, crate::term::on_signals()?).await
    })?;
    crate::report::curation::write(&opts.report_dir, &report)?;
    out!("{}", crate::report::curation::text(&report));
    let kept = report.entries.iter().filter(|e| e.kept).count();
    outln!(
        "kept {kept} -> {}; rejected {} -> {}; report: {}",
        opts.output.display(),
        report.entries.len() - kept,
        opts.report_dir.join("rejected.jsonl").display(),
        opts.report_dir.join("report.html").display()
    );
    finish_tracking(tracker, || {
        crate::track::runs::curate(&opts.run_dir, &opts.report_dir, &opts.output)
    })?;
    Ok(EXIT_OK)
}
