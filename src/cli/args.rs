//! Flags several commands share, and their one check each: these are the "low-level"
//! arguments (clap's view); each command turns its own into a library request with
//! `TryFrom`, and a value that cannot work is an `Error::Usage` naming the flag.

use crate::error::Error;
use crate::sandbox::select::{BackendKind, BackendOptions};
use crate::sandbox::Limits;
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(super) enum Format {
    Text,
    Json,
}

/// The backends `--sandbox` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Backend {
    /// Host Python under namespaces and rlimits (needs only python3).
    Process,
    /// CPython compiled to WASI inside wasmtime (pure-stdlib Python; needs python.wasm).
    Wasi,
    /// Hardened containers on the local Docker engine: a warm pool per profile (python,
    /// ml); images from `scripts/build-images`.
    Docker,
}

impl From<Backend> for BackendKind {
    fn from(b: Backend) -> Self {
        match b {
            Backend::Process => BackendKind::Process,
            Backend::Wasi => BackendKind::Wasi,
            Backend::Docker => BackendKind::Docker,
        }
    }
}

/// Which sandbox, how many at once, and each backend's own options.
#[derive(clap::Args)]
pub(super) struct SandboxArgs {
    /// Where programs run (wasi multiplies --timeout by 10: its CPython is slower).
    #[arg(long, value_enum, default_value = "process")]
    pub sandbox: Backend,
    /// Executions at once; 0 (the default) means one per CPU.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_count::<usize>)]
    pub jobs: Option<usize>,
    /// Python interpreter of the process sandbox.
    #[arg(long, env = "ASSAY_PYTHON")]
    pub python: Option<String>,
    /// python.wasm of the wasi sandbox (default: where scripts/fetch-python-wasm puts it).
    #[arg(long, env = "ASSAY_PYTHON_WASM")]
    pub python_wasm: Option<PathBuf>,
    /// wasi sandbox: a CPU budget counted in fuel, so verdicts do not depend on the machine.
    #[arg(long)]
    pub deterministic: bool,
    /// docker sandbox: one fresh container per execution instead of the warm pool.
    #[arg(long, env = "ASSAY_DOCKER_COLD", value_parser = clap::builder::BoolishValueParser::new())]
    pub docker_cold: bool,
}

impl SandboxArgs {
    /// `--jobs`, or one per CPU when it is absent or 0.
    pub fn jobs(&self) -> usize {
        self.jobs
            .filter(|&n| n > 0)
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            })
            .max(1)
    }

    pub fn kind(&self) -> BackendKind {
        self.sandbox.into()
    }
}

impl TryFrom<&SandboxArgs> for BackendOptions {
    type Error = Error;

    fn try_from(a: &SandboxArgs) -> Result<Self, Error> {
        Ok(BackendOptions {
            jobs: a.jobs(),
            python: a.python.clone(),
            python_wasm: a.python_wasm.clone(),
            deterministic: a.deterministic,
            docker_cold: a.docker_cold,
        })
    }
}

pub(super) fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// A byte size as `--max-output` takes it (`bytesize`'s syntax: `1GiB`, `64MB`, `4096`).
pub(super) fn parse_size(s: &str) -> Result<u64, String> {
    let size: bytesize::ByteSize = s
        .trim()
        .parse()
        .map_err(|e| format!("not a size ({e}); e.g. 1GiB, 512MiB, 64MB"))?;
    if size.as_u64() == 0 {
        return Err("must be more than 0 bytes".into());
    }
    Ok(size.as_u64())
}

/// A count flag (`--memory`, `--k`, `--repeats`, …): clap's own parser would answer
/// `-1` with "invalid digit found in string".
pub(super) fn parse_count<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| "expected a whole number, 0 or more".to_string())
}

/// The longest `--timeout` accepted: a week (every clock and deadline stays representable).
const MAX_TIMEOUT_SECS: f64 = 7.0 * 86400.0;
/// The smallest `--memory` a Python interpreter starts in.
const MIN_MEMORY_MB: u64 = 32;

/// The limits flags (`--timeout`, `--memory`, `--max-output`), checked before anything
/// starts. Commands declare them with their own defaults.
pub(super) fn limits(timeout: f64, memory_mb: u64, max_output: u64) -> Result<Limits, Error> {
    if !(timeout > 0.0 && timeout <= MAX_TIMEOUT_SECS) {
        return Err(Error::Usage(format!(
            "--timeout must be a positive number of seconds, at most {MAX_TIMEOUT_SECS} (a week); got {timeout}"
        )));
    }
    if memory_mb < MIN_MEMORY_MB {
        return Err(Error::Usage(format!(
            "--memory must be at least {MIN_MEMORY_MB} MB (a Python interpreter does not start in less); got {memory_mb}"
        )));
    }
    let mut limits = Limits::with_timeout(timeout);
    limits.memory_mb = memory_mb;
    limits.max_output_bytes = max_output;
    Ok(limits)
}

/// Experiment tracking (`--wandb-*`): on when `--wandb-project` (or `WANDB_PROJECT`) is
/// given. Everything else W&B reads from its own environment (`WANDB_MODE`, `WANDB_DIR`,
/// `WANDB_API_KEY`, `WANDB_BASE_URL`, `WANDB_ENTITY`, …) reaches the SDK untouched.
#[derive(clap::Args)]
pub(super) struct WandbArgs {
    /// Log this run to Weights & Biases in this project (through the official SDK in the
    /// venv of scripts/fetch-wandb-venv), after its results are on disk.
    #[arg(long, env = "WANDB_PROJECT", value_name = "PROJECT")]
    wandb_project: Option<String>,
    /// W&B entity (user or team); default: the SDK's (`WANDB_ENTITY`, the key's default).
    #[arg(long, value_name = "ENTITY")]
    wandb_entity: Option<String>,
    /// W&B run group (default: the checkpoint's name).
    #[arg(long, value_name = "GROUP")]
    wandb_group: Option<String>,
    /// W&B run tags, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "TAG,...")]
    wandb_tags: Vec<String>,
    /// W&B run name (default: W&B's generated one).
    #[arg(long, value_name = "NAME")]
    wandb_name: Option<String>,
    /// The model or checkpoint the samples came from: the run's group by default, config
    /// keys `checkpoint` and `checkpoint_version`, the artifacts' aliases.
    #[arg(long, value_name = "NAME[:VERSION]")]
    checkpoint: Option<crate::track::Checkpoint>,
    /// Fail (exit 2) when the run cannot be logged, instead of one warning.
    #[arg(long)]
    wandb_required: bool,
    /// The bridge's python (default: $ASSAY_CACHE/wandb-venv/bin/python).
    #[arg(long, env = "ASSAY_WANDB_PYTHON", value_name = "PYTHON")]
    wandb_python: Option<PathBuf>,
}

impl TryFrom<&WandbArgs> for Option<crate::track::Options> {
    type Error = Error;

    fn try_from(a: &WandbArgs) -> Result<Self, Error> {
        let Some(project) = a.wandb_project.clone().filter(|p| !p.trim().is_empty()) else {
            if a.wandb_required {
                return Err(Error::Usage(
                    "--wandb-required: no --wandb-project (or WANDB_PROJECT) to log to".into(),
                ));
            }
            return Ok(None);
        };
        if let Some(bad) = project.chars().find(|c| "/\\#?%:".contains(*c)) {
            return Err(Error::Usage(format!(
                "--wandb-project {project:?}: W&B project names cannot contain {bad:?}"
            )));
        }
        Ok(Some(crate::track::Options {
            project,
            entity: a.wandb_entity.clone(),
            group: a.wandb_group.clone(),
            tags: a
                .wandb_tags
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            name: a.wandb_name.clone(),
            checkpoint: a.checkpoint.clone(),
            required: a.wandb_required,
            python: a
                .wandb_python
                .clone()
                .unwrap_or_else(crate::track::default_python),
        }))
    }
}

/// Starts tracking before the command's work (so `--wandb-required` fails before any):
/// `None` when it is off. A bridge that cannot start is one warning and no tracking, or
/// with `--wandb-required` the command's error (exit 2).
pub(super) fn start_tracking(args: &WandbArgs) -> anyhow::Result<Option<crate::track::Tracker>> {
    let Some(opts) = Option::<crate::track::Options>::try_from(args)? else {
        return Ok(None);
    };
    match crate::track::Tracker::start(&opts) {
        Ok(t) => Ok(Some(t)),
        Err(e) if opts.required => Err(tracking_failed(e)),
        Err(e) => {
            log::warn!("wandb: {e}; this run is not logged to W&B (its results are not affected)");
            Ok(None)
        }
    }
}

/// Logs the finished run, built from its files by `run`. The command's exit code stays its
/// own: a failure here is one warning, or with `--wandb-required` exit 2.
pub(super) fn finish_tracking(
    tracker: Option<crate::track::Tracker>,
    run: impl FnOnce() -> Result<crate::track::TrackedRun, crate::track::TrackError>,
) -> anyhow::Result<()> {
    let Some(tracker) = tracker else {
        return Ok(());
    };
    let required = tracker.required();
    match run().and_then(|r| tracker.log(r)) {
        Ok(logged) => {
            log::info!("{logged}");
            Ok(())
        }
        Err(e) if required => Err(tracking_failed(e)),
        Err(e) => {
            log::warn!("wandb: {e}; the run is not (completely) logged to W&B, its results are complete on disk");
            Ok(())
        }
    }
}

fn tracking_failed(e: crate::track::TrackError) -> anyhow::Error {
    Error::Environment(format!("wandb: {e} (--wandb-required)")).into()
}
