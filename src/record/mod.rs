//! Run records: the self-describing directory every `score` and `curate` run leaves
//! (`--run-dir`), and the functions that read it back for `runs list`, `compare` and
//! `report`.
//!
//! A run directory holds:
//! - `journal.jsonl`: one line per finished execution (written by `run`, used for resume);
//! - `results.jsonl`: a copy of the results file (the run directory must still describe
//!   the run when the `--output` file is overwritten by the next night's run);
//! - `summary.json`: `summary::RunSummary`, computed by the pure `summary::summarize`;
//! - `meta.json`: `meta::Meta`: what ran, on what, with which limits, when, from which inputs.
//!
//! `write` is the one place these files are written, so `score`, `curate` and a future
//! `merge` of shards produce the same layout.

pub mod history;
pub mod load;
pub mod meta;
pub mod summary;

pub use load::RunRecord;
pub use meta::Meta;
pub use summary::{summarize, RunSummary};

use crate::{Error, Result};
use std::path::Path;

pub const META: &str = "meta.json";
pub const SUMMARY: &str = "summary.json";
pub const RESULTS: &str = "results.jsonl";

/// Writes `meta.json`, `summary.json` and the copy of `results` into `dir`. Each file is
/// written to a temporary name and renamed, so a reader never sees half of one; `meta.json`
/// goes last, so a directory with a `meta.json` is a complete record.
pub fn write(dir: &Path, meta: &Meta, summary: &RunSummary, results: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let dest = dir.join(RESULTS);
    let same = match (std::fs::canonicalize(results), std::fs::canonicalize(&dest)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        let tmp = dir.join(format!(".{RESULTS}.tmp"));
        std::fs::copy(results, &tmp).map_err(|source| Error::Write {
            path: tmp.clone(),
            source,
        })?;
        rename(&tmp, &dest)?;
    }
    crate::entry::write_json(&dir.join(SUMMARY), summary)?;
    crate::entry::write_json(&dir.join(META), meta)
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|source| Error::Write {
        path: to.to_path_buf(),
        source,
    })
}
