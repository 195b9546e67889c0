//! Run records: the self-describing directory every `score` and `curate` run leaves
//! (`--run-dir`), and the functions that read it back for `runs list`, `compare` and
//! `report`.
//!
//! A run directory holds:
//! - `journal.jsonl`: one line per finished execution (written by `run`, used for resume);
//! - `results.jsonl`: the results (`score` copies them to `--output`; the run directory
//!   must still describe the run when that file is overwritten by the next night's run);
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
pub(crate) use summary::summarize;
pub use summary::RunSummary;

use crate::Result;
use std::path::Path;

pub const META: &str = "meta.json";
pub const SUMMARY: &str = "summary.json";
pub const RESULTS: &str = "results.jsonl";

/// Writes `meta.json` and `summary.json` into `dir`, beside the `results.jsonl` the run
/// has put there (score streams it there as it runs; curate and merge write it there).
/// Each file is written to a temporary name and renamed, so a reader never sees half of
/// one; `meta.json`, written last, marks a complete record.
pub fn write(dir: &Path, meta: &Meta, summary: &RunSummary) -> Result<()> {
    crate::entry::write_json(&dir.join(SUMMARY), summary)?;
    crate::entry::write_json(&dir.join(META), meta)
}
