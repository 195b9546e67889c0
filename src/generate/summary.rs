//! What `generate entries` did, as data: written beside its output as
//! `<output>.generation.json`, where `assay curate` finds it to show the generation
//! stage in front of its funnel (sources → answers → parsed → …) and every reject.

use super::llm::Totals;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationSummary {
    pub generated_by: String,
    pub model: String,
    pub base_url: String,
    /// Source records read.
    pub sources: usize,
    /// Answers asked per source.
    pub candidates: u32,
    /// Calls that came back with an answer's text.
    pub answers: usize,
    /// Answers parsed into schema-valid entries (the entries written).
    pub parsed: usize,
    pub rejects: Vec<GenerationReject>,
    pub totals: Totals,
    pub elapsed_secs: f64,
    /// The run's trace (`trace.jsonl` in its run directory).
    pub trace: String,
}

/// One answer that did not become an entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationReject {
    /// The source record (`file:line`).
    pub origin: String,
    /// The id the entry would have had.
    pub id: String,
    /// The source's domain.
    #[serde(default)]
    pub domain: String,
    pub candidate: u32,
    /// `request` (no answer from the server), `answer` (refusal, empty, malformed),
    /// `extract` (no code in it), `parse` (not a valid skill file).
    pub stage: String,
    pub reason: String,
    pub prompt_hash: String,
}

/// `dir/name.jsonl` → `dir/name.<suffix>`.
fn beside(output: &Path, suffix: &str) -> PathBuf {
    let stem = output
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = stem
        .strip_suffix(".jsonl.gz")
        .or_else(|| stem.strip_suffix(".jsonl"))
        .unwrap_or(&stem);
    output.with_file_name(format!("{stem}.{suffix}"))
}

/// Where the summary of the generation run that wrote `entries` is.
pub fn summary_path(entries: &Path) -> PathBuf {
    beside(entries, "generation.json")
}

/// The default rejects file of `generate entries -o entries`.
pub fn rejects_path(entries: &Path) -> PathBuf {
    beside(entries, "rejects.jsonl")
}

pub fn write(entries: &Path, summary: &GenerationSummary) -> Result<()> {
    let path = summary_path(entries);
    let text = serde_json::to_string_pretty(summary).expect("summary serializes");
    std::fs::write(&path, text).map_err(|source| Error::Write { path, source })
}

/// The generation summary beside an entries file, when there is one.
pub fn read_beside(entries: &Path) -> Result<Option<GenerationSummary>> {
    let path = summary_path(entries);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::Read { path, source }),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::input(&path, e.line(), "generation", e.to_string()))
}
