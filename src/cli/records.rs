//! The run-record commands: `runs list`, `compare`, `report` (their flags and dispatch;
//! the work is in `record`, `compare` and `report::run`).

use super::args::{finish_tracking, start_tracking, Format, WandbArgs};
use crate::compare::{self, gate, CompareOptions};
use crate::error::{Error, EXIT_GATE, EXIT_OK};
use crate::record::{self, RunRecord};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(super) enum RunsAction {
    /// The run directories given, or inside the directories given, newest first.
    List {
        /// Run directories, or directories holding them.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// A table (text) or JSON.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

#[derive(clap::Args)]
pub(super) struct CompareArgs {
    /// The baseline: a run directory or a results file.
    baseline: PathBuf,
    /// The run to judge: a run directory or a results file.
    current: PathBuf,
    /// Exit 1 when pass@1 fell by more than --max-drop with p < --alpha, or a --must-pass
    /// task does not pass; the tasks that caused it are named.
    #[arg(long)]
    fail_on_regression: bool,
    /// Significance level of the paired test.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    alpha: f64,
    /// pass@1 drop (absolute, e.g. 0.02) tolerated before a significant drop fails.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    max_drop: f64,
    /// Task ids (one per line, `#` comments) that must pass every sample in CURRENT.
    #[arg(long)]
    must_pass: Option<PathBuf>,
    /// Compare runs whose benchmark, limits or backend differ (the output says so).
    #[arg(long)]
    allow_mismatch: bool,
    /// Bootstrap and permutation resamples.
    #[arg(long, default_value_t = 2000, allow_negative_numbers = true)]
    resamples: usize,
    /// Seed of the resampling (same seed, same intervals).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    seed: u64,
    /// The comparison as text or as JSON (with the gate when one was asked for).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    wandb: WandbArgs,
}

#[derive(clap::Args)]
pub(super) struct ReportArgs {
    /// The run: a run directory or a results file.
    run: PathBuf,
    /// A run to compare against: flips, deltas and flaky tasks in the reports.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Run directories (or directories of them) for the pass@k trend.
    #[arg(long)]
    history: Vec<PathBuf>,
    /// Self-contained HTML report to write (inline SVG charts, no script).
    #[arg(long)]
    html: Option<PathBuf>,
    /// JUnit XML to write (one test case per task), for CI test views.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Markdown summary to write, for a pull-request comment.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Compare with a baseline whose benchmark, limits or backend differ.
    #[arg(long)]
    allow_mismatch: bool,
}

impl RunsAction {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        match self {
            RunsAction::List { dirs, .. } => dirs.iter().map(|d| ("<DIRS>", d.clone())).collect(),
        }
    }
}

impl CompareArgs {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        let mut out = vec![
            ("<BASELINE>", self.baseline.clone()),
            ("<CURRENT>", self.current.clone()),
        ];
        out.extend(self.must_pass.clone().map(|p| ("--must-pass", p)));
        out
    }
}

impl ReportArgs {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        let mut out = vec![("<RUN>", self.run.clone())];
        out.extend(self.baseline.clone().map(|p| ("--baseline", p)));
        out.extend(self.history.iter().map(|h| ("--history", h.clone())));
        out.extend(self.html.clone().map(|p| ("--html", p)));
        out.extend(self.junit.clone().map(|p| ("--junit", p)));
        out.extend(self.markdown.clone().map(|p| ("--markdown", p)));
        out
    }
}

fn check_unit(flag: &str, v: f64) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&v) {
        return Err(Error::Usage(format!("{flag} must be in [0, 1]; got {v}")).into());
    }
    Ok(())
}

pub(super) fn runs(action: RunsAction) -> anyhow::Result<i32> {
    match action {
        RunsAction::List { dirs, format } => {
            let runs = record::history::scan(&dirs)?;
            match format {
                Format::Text => out!("{}", record::history::table(&runs)),
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&runs).expect("runs serialize")
                ),
            }
            Ok(EXIT_OK)
        }
    }
}

pub(super) fn compare(args: CompareArgs) -> anyhow::Result<i32> {
    check_unit("--alpha", args.alpha)?;
    check_unit("--max-drop", args.max_drop)?;
    if args.resamples == 0 {
        return Err(Error::Usage("--resamples must be at least 1".into()).into());
    }
    let must_pass = match &args.must_pass {
        Some(p) => gate::read_must_pass(p)?,
        None => Vec::new(),
    };
    let base = RunRecord::load(&args.baseline)?;
    let cur = RunRecord::load(&args.current)?;
    let tracker = start_tracking(&args.wandb)?;
    let opts = CompareOptions {
        allow_mismatch: args.allow_mismatch,
        resamples: args.resamples,
        seed: args.seed,
        ..CompareOptions::default()
    };
    let c = compare::compare(&base, &cur, &opts)?;
    let g = if args.fail_on_regression || !must_pass.is_empty() {
        Some(gate::evaluate(
            &c,
            &gate::GateOptions {
                alpha: args.alpha,
                max_drop: args.max_drop,
                must_pass,
                must_pass_file: args.must_pass.clone(),
            },
        )?)
    } else {
        None
    };
    match args.format {
        Format::Text => out!("{}", compare::text::render(&c, g.as_ref())),
        Format::Json => {
            let mut v = serde_json::to_value(&c).expect("comparison serializes");
            if let Some(g) = &g {
                v["gate"] = serde_json::to_value(g).expect("gate serializes");
            }
            outln!("{}", serde_json::to_string_pretty(&v).expect("json"));
        }
    }
    finish_tracking(tracker, || {
        Ok(crate::track::runs::compare(&base, &cur, &c, g.as_ref()))
    })?;
    match g {
        Some(g) if g.failed && args.fail_on_regression => {
            eprintln!(
                "regression: {}; caused by {} task(s): {}",
                g.reasons.join("; "),
                g.culprits.len(),
                g.culprits.join(", ")
            );
            Ok(EXIT_GATE)
        }
        _ => Ok(EXIT_OK),
    }
}

pub(super) fn report(args: ReportArgs) -> anyhow::Result<i32> {
    if args.html.is_none() && args.junit.is_none() && args.markdown.is_none() {
        return Err(Error::Usage(
            "report: give at least one of --html FILE, --junit FILE, --markdown FILE".into(),
        )
        .into());
    }
    let run = RunRecord::load(&args.run)?;
    let comparison = match &args.baseline {
        Some(b) => {
            let base = RunRecord::load(b)?;
            let opts = CompareOptions {
                allow_mismatch: args.allow_mismatch,
                ..CompareOptions::default()
            };
            Some(compare::compare(&base, &run, &opts)?)
        }
        None => None,
    };
    let history = if args.history.is_empty() {
        Vec::new()
    } else {
        record::history::scan(&args.history)?
    };
    let r = crate::report::run::RunReport::build(&run, comparison, history);
    let write = |path: &PathBuf, text: String| -> anyhow::Result<()> {
        std::fs::write(path, text).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
        Ok(())
    };
    if let Some(p) = &args.html {
        write(p, crate::report::run::html(&r))?;
    }
    if let Some(p) = &args.junit {
        write(p, crate::report::run::junit(&r))?;
    }
    if let Some(p) = &args.markdown {
        write(p, crate::report::run::markdown(&r))?;
    }
    Ok(EXIT_OK)
}
