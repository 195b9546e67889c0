//! `assay grade serve|consensus` and `assay export preferences`: human grading of a
//! results file, graders merged into consensus with agreement figures, preference pairs.

use super::args::runtime;
use crate::error::{Error, EXIT_OK};
use crate::export::preferences::{self, Format, Metadata, PreferenceRequest};
use crate::grade::consensus::{self, Line, DEFAULT_THRESHOLD};
use crate::grade::server::{self, ServeRequest};
use crate::grade::{load_samples, store, Rubric};
use clap::{Args, Subcommand, ValueEnum};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

#[derive(Subcommand)]
pub(super) enum GradeAction {
    /// A local web app to grade each sample of a results file on a rubric (keyboard
    /// driven; pairwise mode compares two samples of a task); grades are appended to
    /// `<grades>/<grader>-<date>.jsonl`.
    Serve(ServeArgs),
    /// Merge graders' files: per sample and dimension the median, mean, count and spread,
    /// items to re-grade flagged; agreement (Krippendorff's alpha, Cohen's kappa, bias).
    Consensus(ConsensusArgs),
}

#[derive(Args)]
pub(super) struct ServeArgs {
    /// The results file to grade (`score`'s output, or a run directory's results.jsonl).
    #[arg(long)]
    results: PathBuf,
    /// The problems the results were scored on (for each task's prompt).
    #[arg(long)]
    problems: PathBuf,
    /// Who grades: names the session file (letters, digits, `.`, `_`, `-`). A request
    /// may name another grader (several graders on one server).
    #[arg(long)]
    grader: String,
    /// Rubric JSON (dimensions with score ranges and meanings); default: functionality and
    /// code quality, 0–5.
    #[arg(long)]
    rubric: Option<PathBuf>,
    /// Directory of grade files (read at start, the session's file appended).
    #[arg(long, default_value = "grades")]
    grades: PathBuf,
    /// Address to listen on; anything but loopback needs --token.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Port (0: an ephemeral port, printed at start).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// A secret every request must carry (`?token=` in the URL printed, or the
    /// `x-assay-token` header).
    #[arg(long, env = "ASSAY_GRADE_TOKEN")]
    token: Option<String>,
    /// Spread (highest minus lowest score) at which a sample counts as disputed.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: i64,
    /// At the end of the session (Ctrl-C), `git commit` each session file written, the
    /// grader named in the message.
    #[arg(long)]
    git_commit: bool,
}

#[derive(Args)]
pub(super) struct ConsensusArgs {
    /// Grade files, or directories of them (`*.jsonl`).
    #[arg(required = true)]
    grades: Vec<PathBuf>,
    /// Consensus JSONL to write (one line per sample graded, then one per pair compared).
    #[arg(short, long)]
    output: PathBuf,
    /// Directory for report.json, report.md and report.html.
    #[arg(long)]
    report: Option<PathBuf>,
    /// The rubric the grades were given on (default: the built-in one).
    #[arg(long)]
    rubric: Option<PathBuf>,
    /// Spread (highest minus lowest score) at which an item is flagged for re-grading.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: i64,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum FormatArg {
    /// TRL's DPO columns: prompt, chosen, rejected.
    Trl,
    /// OpenAI preference fine-tuning: input.messages, preferred_output, non_preferred_output.
    Openai,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum MetadataArg {
    /// A `metadata` object in each record.
    Inline,
    /// `<output>.meta.jsonl`, line for line; records keep only the format's columns.
    Sidecar,
}

#[derive(Args)]
pub(super) struct PreferencesArgs {
    /// The scored results file.
    #[arg(long)]
    results: PathBuf,
    /// The problems the results were scored on (each task's prompt).
    #[arg(long)]
    problems: PathBuf,
    /// Consensus grades (`grade consensus -o`): the higher score is chosen.
    #[arg(long)]
    grades: Option<PathBuf>,
    /// Graders a sample (or a pairwise comparison) needs to count.
    #[arg(long, default_value_t = 1)]
    min_votes: usize,
    /// Pairs from execution alone: a passing (chosen) and a failing (rejected) sample of a
    /// task; grades, when given, only order the samples within a verdict class.
    #[arg(long)]
    from_verdicts: bool,
    /// At most this many pairs per task.
    #[arg(long, default_value_t = 8)]
    max_per_task: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Trl)]
    format: FormatArg,
    /// Where each pair's metadata goes (task, scores, votes, verdicts, sample hashes).
    #[arg(long, value_enum, default_value_t = MetadataArg::Inline)]
    metadata: MetadataArg,
    /// Pairs JSONL to write.
    #[arg(short, long)]
    output: PathBuf,
}

impl GradeAction {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        match self {
            GradeAction::Serve(a) => {
                let mut v = vec![
                    ("--results", a.results.clone()),
                    ("--problems", a.problems.clone()),
                ];
                if let Some(r) = &a.rubric {
                    v.push(("--rubric", r.clone()));
                }
                v
            }
            GradeAction::Consensus(a) => {
                let mut v: Vec<(&'static str, PathBuf)> =
                    a.grades.iter().map(|g| ("<GRADES>", g.clone())).collect();
                v.push(("--output", a.output.clone()));
                if let Some(r) = &a.rubric {
                    v.push(("--rubric", r.clone()));
                }
                if let Some(r) = &a.report {
                    v.push(("--report", r.clone()));
                }
                v
            }
        }
    }
}

impl PreferencesArgs {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        let mut v = vec![
            ("--results", self.results.clone()),
            ("--problems", self.problems.clone()),
            ("--output", self.output.clone()),
        ];
        if let Some(g) = &self.grades {
            v.push(("--grades", g.clone()));
        }
        v
    }
}

fn threshold(t: i64) -> Result<i64, Error> {
    if t < 1 {
        return Err(Error::Usage(format!(
            "--threshold {t}: a spread of 1 or more"
        )));
    }
    Ok(t)
}

pub(super) fn grade(action: GradeAction) -> anyhow::Result<i32> {
    match action {
        GradeAction::Serve(a) => serve(a),
        GradeAction::Consensus(a) => consensus_cmd(a),
    }
}

fn serve(a: ServeArgs) -> anyhow::Result<i32> {
    let threshold = threshold(a.threshold)?;
    store::check_grader(&a.grader).map_err(|m| Error::Usage(format!("--grader {m}")))?;
    if a.token.as_deref().is_some_and(str::is_empty) {
        return Err(Error::Usage("--token: an empty token".into()).into());
    }
    let rubric = Rubric::load(a.rubric.as_deref())?;
    let problems = crate::entry::load_problems(&a.problems)?;
    let samples = load_samples(&a.results, &problems)?;
    let req = ServeRequest {
        samples,
        rubric,
        grader: a.grader.clone(),
        grades_dir: a.grades.clone(),
        bind: SocketAddr::new(a.bind, a.port),
        token: a.token.clone(),
        threshold,
        git_commit: a.git_commit,
    };
    let n = req.samples.len();
    let token = a.token.clone();
    let end = runtime()?.block_on(async {
        let cancel = crate::term::on_signals()?;
        server::serve(req, cancel, |addr, loaded| {
            let q = token.map(|t| format!("?token={t}")).unwrap_or_default();
            outln!("grading {n} samples as {} at http://{addr}/{q}", a.grader);
            outln!(
                "grades in {}: {} files, {} events read{}",
                a.grades.display(),
                loaded.files,
                loaded.events,
                match loaded.stale {
                    0 => String::new(),
                    s => format!(", {s} of samples whose code changed left out"),
                }
            );
            outln!("press Ctrl-C to end the session");
        })
        .await
    })?;
    for (file, n) in &end.written {
        let committed = if end.committed.contains(file) {
            ", committed"
        } else {
            ""
        };
        outln!("{n} grade events -> {}{committed}", file.display());
    }
    Ok(EXIT_OK)
}

fn consensus_cmd(a: ConsensusArgs) -> anyhow::Result<i32> {
    let threshold = threshold(a.threshold)?;
    let rubric = Rubric::load(a.rubric.as_deref())?;
    let mut reads = Vec::new();
    let files = store::grade_files(&a.grades)?;
    if files.is_empty() {
        return Err(Error::Usage("no grade files (*.jsonl) in the paths given".into()).into());
    }
    for f in &files {
        reads.extend(store::read_file(f, &rubric)?);
    }
    let latest = store::latest(reads);
    let lines = consensus::consensus(&latest, &rubric, threshold);
    let agreement = consensus::agreement(&lines, &rubric, threshold);
    crate::entry::write_jsonl(&a.output, &lines)?;
    if let Some(dir) = &a.report {
        crate::grade::report::write(dir, &agreement, &lines)?;
    }
    let fmt = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.3}"));
    outln!(
        "{} graders, {} samples, {} pairs -> {}",
        agreement.graders.len(),
        agreement.samples,
        agreement.pairs,
        a.output.display()
    );
    let dims: Vec<String> = agreement
        .alpha_by_dimension
        .iter()
        .map(|(d, v)| format!("{d} {}", fmt(*v)))
        .collect();
    outln!(
        "Krippendorff's alpha (ordinal): {} ({})",
        fmt(agreement.alpha),
        dims.join(", ")
    );
    outln!(
        "flagged for re-grading: {} samples, {} pairs",
        agreement.disputed,
        agreement.disputed_pairs
    );
    Ok(EXIT_OK)
}

pub(super) fn preferences(a: PreferencesArgs) -> anyhow::Result<i32> {
    if a.max_per_task == 0 {
        return Err(Error::Usage("--max-per-task 0: at least 1".into()).into());
    }
    if a.grades.is_none() && !a.from_verdicts {
        return Err(Error::Usage(
            "export preferences needs --grades (human grades) or --from-verdicts (pass/fail pairs)"
                .into(),
        )
        .into());
    }
    let problems = crate::entry::load_problems(&a.problems)?;
    let samples = load_samples(&a.results, &problems)?;
    let consensus: Vec<Line> = match &a.grades {
        Some(g) => preferences::read_consensus(g)?,
        None => Vec::new(),
    };
    let req = PreferenceRequest {
        samples,
        consensus,
        min_votes: a.min_votes,
        from_verdicts: a.from_verdicts,
        max_per_task: a.max_per_task,
        format: match a.format {
            FormatArg::Trl => Format::Trl,
            FormatArg::Openai => Format::Openai,
        },
        metadata: match a.metadata {
            MetadataArg::Inline => Metadata::Inline,
            MetadataArg::Sidecar => Metadata::Sidecar,
        },
        output: a.output.clone(),
    };
    let e = preferences::export(&req)?;
    outln!(
        "{} pairs over {} tasks -> {}",
        e.pairs,
        e.tasks,
        a.output.display()
    );
    if let Some(s) = &e.sidecar {
        outln!("metadata -> {}", s.display());
    }
    if e.capped > 0 {
        outln!(
            "{} pairs left out by --max-per-task {}",
            e.capped,
            a.max_per_task
        );
    }
    if e.unmatched > 0 {
        outln!(
            "{} consensus lines name samples the results do not hold (changed since, or another run): left out",
            e.unmatched
        );
    }
    Ok(EXIT_OK)
}
