//! `assay runs list DIR...`: the run directories under some directories, newest first.

use super::{load::read_json, Meta, RunSummary, META, SUMMARY};
use crate::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One run of the history.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub path: PathBuf,
    pub meta: Meta,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<RunSummary>,
}

impl Listed {
    pub fn pass_at(&self, k: u64) -> Option<f64> {
        self.summary
            .as_ref()
            .and_then(|s| s.pass_at_k.get(&crate::score::PassAt(k)).copied().flatten())
    }
}

/// Every run directory named, or directly inside a directory named, newest first (by
/// start time, then path). A named path that is neither is an error.
pub fn scan(dirs: &[PathBuf]) -> Result<Vec<Listed>> {
    let mut found: BTreeMap<PathBuf, Listed> = BTreeMap::new();
    for dir in dirs {
        if dir.join(META).is_file() {
            let l = read(dir)?;
            found.insert(dir.clone(), l);
            continue;
        }
        let entries = std::fs::read_dir(dir).map_err(|source| Error::Read {
            path: dir.clone(),
            source,
        })?;
        let mut sub: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join(META).is_file())
            .collect();
        sub.sort();
        for p in sub {
            let l = read(&p)?;
            found.insert(p, l);
        }
    }
    let mut runs: Vec<Listed> = found.into_values().collect();
    runs.sort_by(|a, b| {
        b.meta
            .started_unix()
            .total_cmp(&a.meta.started_unix())
            .then_with(|| a.path.cmp(&b.path))
    });
    Ok(runs)
}

fn read(dir: &Path) -> Result<Listed> {
    let meta: Meta = read_json(&dir.join(META))?;
    let summary = if dir.join(SUMMARY).is_file() {
        Some(read_json(&dir.join(SUMMARY))?)
    } else {
        None
    };
    Ok(Listed {
        path: dir.to_path_buf(),
        meta,
        summary,
    })
}

/// The history as a table for the terminal.
pub fn table(runs: &[Listed]) -> String {
    let header = [
        "started", "kind", "backend", "samples", "tasks", "pass@1", "timeout", "commit", "secs",
        "run",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in runs {
        let s = r.summary.as_ref();
        rows.push(vec![
            r.meta
                .started
                .chars()
                .take(19)
                .collect::<String>()
                .replace('T', " "),
            r.meta.kind.clone(),
            r.meta.backend.name.clone(),
            s.map_or("?".into(), |s| s.samples.to_string()),
            s.map_or("?".into(), |s| s.tasks.to_string()),
            r.pass_at(1).map_or("–".into(), |v| format!("{v:.4}")),
            format!("{}s", r.meta.limits.timeout_secs),
            r.meta
                .git_commit
                .as_deref()
                .map_or("–".into(), |c| c.chars().take(10).collect()),
            format!("{:.1}", r.meta.elapsed_secs),
            r.path.display().to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    if runs.is_empty() {
        out.push_str("(no run directories found)\n");
    }
    out
}
