//! Experiment tracking: a finished run logged to Weights & Biases through the official SDK.
//!
//! `Tracker::start` spawns the bridge (`assay_wandb.py`, in the wandb venv) and checks that
//! the SDK imports; after the run record is written, `Tracker::log` streams what `runs`
//! builds from the record's files — config, metrics, tables, artifacts — and finishes the
//! W&B run. Nothing here can cost a result: the evaluation is on disk before anything is
//! sent, every failure is a `TrackError`, and the CLI turns it into one warning (or, with
//! `--wandb-required`, exit 2). W&B's own environment (`WANDB_MODE`, `WANDB_DIR`,
//! `WANDB_API_KEY`, …) reaches the SDK untouched; assay never reads or writes the key.

pub(crate) mod bridge;
pub(crate) mod runs;

use bridge::Bridge;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long the bridge may take to import the SDK.
const HELLO_TIMEOUT: Duration = Duration::from_secs(120);
/// `wandb.init` (online it retries for up to 90 s by itself).
const INIT_TIMEOUT: Duration = Duration::from_secs(240);
/// A log, table or artifact record.
const RECORD_TIMEOUT: Duration = Duration::from_secs(300);
/// `run.finish()`: online, the uploads happen here.
const FINISH_TIMEOUT: Duration = Duration::from_secs(1800);
/// The bridge's stderr, beside the run record.
pub(crate) const BRIDGE_LOG: &str = "wandb-bridge.log";

/// Where and how to log (built from the CLI's `--wandb-*` flags; no clap type here).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Options {
    pub project: String,
    pub entity: Option<String>,
    /// W&B's run group; defaults to the checkpoint's name.
    pub group: Option<String>,
    pub tags: Vec<String>,
    pub name: Option<String>,
    pub checkpoint: Option<Checkpoint>,
    /// A tracking failure fails the command (exit 2) instead of a warning.
    pub required: bool,
    /// The bridge's interpreter: `ASSAY_WANDB_PYTHON`, else the venv of
    /// `scripts/fetch-wandb-venv`.
    pub python: PathBuf,
}

/// `--checkpoint NAME[:VERSION]`: the model the samples came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checkpoint {
    pub name: String,
    pub version: Option<String>,
}

impl std::str::FromStr for Checkpoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (name, version) = match s.split_once(':') {
            Some((n, v)) => (n.trim(), Some(v.trim())),
            None => (s.trim(), None),
        };
        if name.is_empty() || version == Some("") {
            return Err(format!("{s:?}: expected NAME or NAME:VERSION"));
        }
        Ok(Checkpoint {
            name: name.to_string(),
            version: version.map(str::to_string),
        })
    }
}

impl Checkpoint {
    /// Artifact aliases: the name, and name-version (W&B aliases cannot hold `:` or `/`).
    pub(crate) fn aliases(&self) -> Vec<String> {
        let mut out = vec![alias(&self.name)];
        if let Some(v) = &self.version {
            out.push(alias(&format!("{}-{v}", self.name)));
        }
        out
    }
}

fn alias(s: &str) -> String {
    s.chars()
        .map(|c| if c == ':' || c == '/' { '-' } else { c })
        .collect()
}

/// The bridge's interpreter when `ASSAY_WANDB_PYTHON` is unset.
pub(crate) fn default_python() -> PathBuf {
    crate::sandbox::wasi::cache_root()
        .join("wandb-venv")
        .join("bin")
        .join("python")
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum TrackError {
    #[error("cannot start the bridge with {}: {reason} (scripts/fetch-wandb-venv installs the SDK; ASSAY_WANDB_PYTHON names another python)", python.display())]
    Start { python: PathBuf, reason: String },
    #[error("the bridge ended at the {record} record ({status}){}", last_words.as_ref().map(|l| format!(": {l}")).unwrap_or_default())]
    Died {
        record: String,
        status: String,
        last_words: Option<String>,
    },
    #[error("the bridge did not answer the {record} record within {secs} s")]
    Timeout { record: String, secs: u64 },
    #[error("the bridge answered the {record} record with {reply:?}, not a reply")]
    Protocol { record: String, reply: String },
    #[error("wandb failed at the {record} record: {error}")]
    Sdk { record: String, error: String },
    #[error("cannot read what to log: {0}")]
    Record(#[from] crate::Error),
}

/// One table of a run: columns and rows as W&B's `Table` takes them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub key: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Files logged as one artifact, as the run's input (used) or output (logged).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Artifact {
    pub name: String,
    pub kind: String,
    pub files: Vec<PathBuf>,
    pub metadata: Value,
    pub input: bool,
}

/// What one assay run logs (`runs` builds it from the run's files).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrackedRun {
    /// W&B's job type: `score`, `curate`, `compare`, `generate-samples`, `generate-entries`.
    pub job_type: String,
    pub config: Map<String, Value>,
    /// Logged as one step and set as the run's summary.
    pub metrics: Map<String, Value>,
    pub tables: Vec<Table>,
    pub artifacts: Vec<Artifact>,
    /// Where `wandb-bridge.log` goes (the run directory), if anywhere.
    pub log_dir: Option<PathBuf>,
}

/// The W&B run that was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Logged {
    pub id: String,
    pub name: String,
    pub url: Option<String>,
    /// The SDK's local run directory (`wandb sync` takes it when offline).
    pub dir: Option<String>,
    pub offline: bool,
}

impl std::fmt::Display for Logged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Offline runs have no name until they are synced.
        let run = if self.name.is_empty() {
            self.id.clone()
        } else {
            format!("{} ({})", self.name, self.id)
        };
        match (&self.url, &self.dir) {
            (Some(url), _) => write!(f, "wandb: logged run {run}: {url}"),
            (None, Some(dir)) if self.offline => write!(
                f,
                "wandb: logged offline run {run} in {dir}; `wandb sync {dir}` uploads it"
            ),
            _ => write!(f, "wandb: logged run {run}"),
        }
    }
}

/// A started bridge whose SDK imports; `log` uses it once.
pub(crate) struct Tracker {
    bridge: Bridge,
    opts: Options,
    /// The SDK's version, as the bridge imported it.
    wandb_version: String,
}

impl Tracker {
    /// Spawns the bridge and checks that `wandb` imports (before the evaluation, so
    /// `--wandb-required` fails before any work is done).
    pub(crate) fn start(opts: &Options) -> Result<Tracker, TrackError> {
        let mut bridge = Bridge::spawn(&opts.python)?;
        let hello = bridge.call(&json!({"type": "hello"}), HELLO_TIMEOUT)?;
        Ok(Tracker {
            bridge,
            opts: opts.clone(),
            wandb_version: hello["wandb"].as_str().unwrap_or_default().to_string(),
        })
    }

    /// `--wandb-required`: a failure is the command's.
    pub(crate) fn required(&self) -> bool {
        self.opts.required
    }

    /// Logs `run` as one W&B run and finishes it. On a failure after `init` the W&B run is
    /// still finished (with exit code 1) when the bridge can, so it does not stay "running".
    pub(crate) fn log(mut self, mut run: TrackedRun) -> Result<Logged, TrackError> {
        self.complete_config(&mut run.config);
        let result = self.send(&run);
        if let Some(dir) = &run.log_dir {
            // Best effort: the log is for reading after a failure, never a failure itself.
            let _ = std::fs::write(dir.join(BRIDGE_LOG), self.bridge.stderr());
        }
        self.bridge.close(Duration::from_secs(10));
        result
    }

    fn send(&mut self, run: &TrackedRun) -> Result<Logged, TrackError> {
        let o = &self.opts;
        let group = o
            .group
            .clone()
            .or_else(|| o.checkpoint.as_ref().map(|c| c.name.clone()));
        let init = self.bridge.call(
            &json!({"type": "init", "project": o.project, "entity": o.entity, "group": group,
                    "tags": o.tags, "name": o.name, "job_type": run.job_type,
                    "config": run.config}),
            INIT_TIMEOUT,
        )?;
        let logged = Logged {
            id: init["id"].as_str().unwrap_or_default().to_string(),
            name: init["name"].as_str().unwrap_or_default().to_string(),
            url: init["url"].as_str().map(str::to_string),
            dir: init["dir"].as_str().map(str::to_string),
            offline: init["offline"] == Value::Bool(true),
        };
        match self.send_records(run) {
            Ok(()) => {
                self.bridge
                    .call(&json!({"type": "finish", "exit_code": 0}), FINISH_TIMEOUT)?;
                Ok(logged)
            }
            Err(e) => {
                if !matches!(e, TrackError::Died { .. } | TrackError::Timeout { .. }) {
                    let _ = self
                        .bridge
                        .call(&json!({"type": "finish", "exit_code": 1}), FINISH_TIMEOUT);
                }
                Err(e)
            }
        }
    }

    fn send_records(&mut self, run: &TrackedRun) -> Result<(), TrackError> {
        let b = &mut self.bridge;
        b.call(
            &json!({"type": "log", "metrics": run.metrics}),
            RECORD_TIMEOUT,
        )?;
        b.call(
            &json!({"type": "summary", "values": run.metrics}),
            RECORD_TIMEOUT,
        )?;
        for t in &run.tables {
            b.call(
                &json!({"type": "table", "key": t.key, "columns": t.columns, "rows": t.rows}),
                RECORD_TIMEOUT,
            )?;
        }
        let aliases = self
            .opts
            .checkpoint
            .as_ref()
            .map(Checkpoint::aliases)
            .unwrap_or_default();
        for a in &run.artifacts {
            let files: Vec<String> = a.files.iter().map(|f| f.display().to_string()).collect();
            b.call(
                &json!({"type": "artifact", "name": artifact_name(&a.name), "artifact_type": a.kind,
                        "aliases": aliases, "files": files, "metadata": a.metadata,
                        "input": a.input}),
                RECORD_TIMEOUT,
            )?;
        }
        Ok(())
    }

    /// The keys every run has: checkpoint and version (to group by), the SDK's version.
    fn complete_config(&self, config: &mut Map<String, Value>) {
        let c = self.opts.checkpoint.as_ref();
        config.insert("checkpoint".into(), json!(c.map(|c| &c.name)));
        config.insert(
            "checkpoint_version".into(),
            json!(c.and_then(|c| c.version.as_ref())),
        );
        config.insert("wandb_version".into(), json!(self.wandb_version));
    }
}

/// A W&B artifact name from a benchmark's: no `/` (W&B's rule), and nothing odd.
fn artifact_name(s: &str) -> String {
    let name: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() {
        "benchmark".into()
    } else {
        name
    }
}

/// The name a benchmark is known by: its file's name without `.jsonl`/`.gz`/`.json`
/// (`HumanEval.jsonl.gz` → `HumanEval`; a directory of skill files → its name).
pub(crate) fn benchmark_name(path: &Path) -> String {
    let mut name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for ext in [".gz", ".jsonl", ".json"] {
        if let Some(stem) = name.strip_suffix(ext) {
            name = stem.to_string();
        }
    }
    if name.is_empty() {
        "benchmark".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_parse_and_make_valid_aliases() {
        let c: Checkpoint = "llama-3-8b:step-2000".parse().unwrap();
        assert_eq!(c.name, "llama-3-8b");
        assert_eq!(c.version.as_deref(), Some("step-2000"));
        assert_eq!(c.aliases(), ["llama-3-8b", "llama-3-8b-step-2000"]);
        let c: Checkpoint = "org/model".parse().unwrap();
        assert_eq!(c.version, None);
        assert_eq!(c.aliases(), ["org-model"]);
        for bad in ["", ":v1", "name:", " : "] {
            assert!(bad.parse::<Checkpoint>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn benchmarks_are_named_after_their_file() {
        assert_eq!(
            benchmark_name(Path::new("/d/HumanEval.jsonl.gz")),
            "HumanEval"
        );
        assert_eq!(
            benchmark_name(Path::new("tasks/aicodereval.jsonl")),
            "aicodereval"
        );
        assert_eq!(benchmark_name(Path::new("skills/")), "skills");
        assert_eq!(benchmark_name(Path::new("")), "benchmark");
        assert_eq!(artifact_name("a/b c:d"), "a-b-c-d");
    }
}
