//! HumanEval+ / MBPP+ records (`task_id`, `prompt`, `entry_point`, `canonical_solution`,
//! `contract`, `base_input`, `plus_input`, `atol`) and EvalPlus's samples directory
//! (`<task_id with / as _>/<N>.py`).

use super::{Dataset, Spec};
use crate::entry::{LimitOverrides, Problem, Record, Sample, SampleBody};
use crate::error::{Error, Result};
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Whether a record is an EvalPlus problem (told by its fields).
pub(crate) fn is_evalplus(rec: &Record) -> bool {
    rec.value.contains_key("base_input") || rec.value.contains_key("plus_input")
}

/// The raw text of every input of every line, read once per file: the runner's
/// `json.loads` then reads the numbers exactly as EvalPlus does (big ints, every float
/// digit), which serde_json's values would not keep.
#[derive(Default)]
pub(crate) struct RawInputs {
    lines: Option<HashMap<usize, Sections>>,
}

/// One record's `base_input` and `plus_input`, each input as its JSON text.
type Sections = (Vec<String>, Vec<String>);

#[derive(serde::Deserialize)]
struct Inputs<'a> {
    #[serde(borrow, default)]
    base_input: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    plus_input: Option<Vec<&'a RawValue>>,
}

impl RawInputs {
    fn get(&mut self, path: &Path, line: usize) -> Result<Sections> {
        if self.lines.is_none() {
            let mut lines = HashMap::new();
            crate::entry::read_lines(path, |l| {
                if let Ok(i) = serde_json::from_str::<Inputs>(&l.text) {
                    let texts = |v: Option<Vec<&RawValue>>| {
                        v.unwrap_or_default()
                            .into_iter()
                            .map(|r| r.get().to_string())
                            .collect::<Vec<_>>()
                    };
                    lines.insert(l.number, (texts(i.base_input), texts(i.plus_input)));
                }
                Ok(())
            })?;
            self.lines = Some(lines);
        }
        Ok(self
            .lines
            .as_mut()
            .and_then(|m| m.remove(&line))
            .unwrap_or_default())
    }
}

fn string<'a>(path: &Path, rec: &'a Record, field: &str) -> Result<&'a str> {
    crate::entry::string_field(path, rec, field)
}

/// One HumanEval+ or MBPP+ problem. Its tests are the inputs (judged by differential
/// testing), so `tests` is empty.
pub(crate) fn problem(path: &Path, rec: &Record, raw: &mut RawInputs) -> Result<Problem> {
    let task_id = string(path, rec, "task_id")?;
    let prompt = string(path, rec, "prompt")?;
    let entry_point = string(path, rec, "entry_point")?;
    let canonical = string(path, rec, "canonical_solution")?;
    let contract = match rec.value.get("contract") {
        None => "",
        Some(_) => string(path, rec, "contract")?,
    };
    for field in ["base_input", "plus_input"] {
        match rec.value.get(field) {
            Some(serde_json::Value::Array(items)) => {
                if let Some(k) = items.iter().position(|i| !i.is_array()) {
                    return Err(Error::input(
                        path,
                        rec.line,
                        field,
                        format!(
                            "input {k} is {}, not a list of arguments",
                            crate::entry::jsonl_kind(&items[k])
                        ),
                    ));
                }
            }
            Some(other) => {
                return Err(Error::input(
                    path,
                    rec.line,
                    field,
                    format!(
                        "expected a list of inputs, found {}",
                        crate::entry::jsonl_kind(other)
                    ),
                ))
            }
            None => return Err(Error::input(path, rec.line, field, "missing field")),
        }
    }
    let atol = match rec.value.get("atol") {
        Some(serde_json::Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(serde_json::Value::Null) | None => 0.0,
        Some(other) => {
            return Err(Error::input(
                path,
                rec.line,
                "atol",
                format!(
                    "expected a number, found {}",
                    crate::entry::jsonl_kind(other)
                ),
            ))
        }
    };
    if !atol.is_finite() || atol < 0.0 {
        return Err(Error::input(
            path,
            rec.line,
            "atol",
            "must be a number >= 0",
        ));
    }
    let (base_input, plus_input) = raw.get(path, rec.line)?;
    let dataset = if task_id.starts_with("Mbpp/") {
        Dataset::Mbpp
    } else {
        Dataset::HumanEval
    };
    Ok(Problem {
        id: task_id.to_string(),
        prompt: prompt.to_string(),
        entry_point: entry_point.to_string(),
        reference: format!("{prompt}{canonical}"),
        tests: Vec::new(),
        requirements: Vec::new(),
        limits: LimitOverrides::default(),
        domain: None,
        frame: Default::default(),
        io: None,
        evalplus: Some(Arc::new(Spec {
            dataset,
            base_input,
            plus_input,
            atol,
            contract: contract.to_string(),
            path: path.to_path_buf(),
            line: rec.line,
        })),
    })
}

/// EvalPlus's samples directory: one folder per task (its id with every `_` read as `/`,
/// as `load_solutions` reads it), each holding whole programs `0.py`, `1.py`, …; samples
/// in the problems' order, then by number.
pub(crate) fn samples_dir(dir: &Path, problems: &[Problem]) -> Result<Vec<Sample>> {
    let order: HashMap<&str, usize> = problems
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let read_dir = |p: &Path| {
        std::fs::read_dir(p).map_err(|source| Error::Read {
            path: p.to_path_buf(),
            source,
        })
    };
    let mut found: Vec<(usize, u64, Sample)> = Vec::new();
    for task in read_dir(dir)? {
        let task = task.map_err(|source| Error::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let task_path = task.path();
        if !task_path.is_dir() {
            continue;
        }
        let task_id = task.file_name().to_string_lossy().replace('_', "/");
        let Some(&rank) = order.get(task_id.as_str()) else {
            return Err(Error::input(
                &task_path,
                1,
                "task_id",
                format!("unknown task {task_id:?} (not in the problems file)"),
            ));
        };
        for file in read_dir(&task_path)? {
            let file = file.map_err(|source| Error::Read {
                path: task_path.clone(),
                source,
            })?;
            let path = file.path();
            let name = file.file_name().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".py") else {
                continue;
            };
            if !path.is_file() {
                continue;
            }
            let Ok(n) = stem.parse::<u64>() else {
                return Err(Error::input(
                    &path,
                    1,
                    "file name",
                    "a sample is named <N>.py, N a number from 0",
                ));
            };
            let bytes = std::fs::read(&path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            let solution = String::from_utf8(bytes).map_err(|e| {
                Error::input(
                    &path,
                    1,
                    "encoding",
                    format!(
                        "not valid UTF-8 (byte {})",
                        e.utf8_error().valid_up_to() + 1
                    ),
                )
            })?;
            let mut original = serde_json::Map::new();
            original.insert("task_id".into(), task_id.clone().into());
            original.insert("solution".into(), solution.clone().into());
            original.insert("_path".into(), path.display().to_string().into());
            found.push((
                rank,
                n,
                Sample {
                    task_id: task_id.clone(),
                    body: SampleBody::Solution(solution),
                    line: n as usize + 1,
                    original,
                },
            ));
        }
    }
    if found.is_empty() {
        // Not a line of a file: the directory given as `--samples` (the CLI names the flag).
        return Err(Error::Read {
            path: dir.to_path_buf(),
            source: std::io::Error::other(
                "no samples: the directory has no <task_id>/<N>.py files (EvalPlus's samples layout)",
            ),
        });
    }
    found.sort_by_key(|(rank, n, _)| (*rank, *n));
    Ok(found.into_iter().map(|(_, _, s)| s).collect())
}

#[cfg(test)]
mod tests {

    #[test]
    fn reads_a_record_and_keeps_the_inputs_raw() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plus.jsonl");
        let line = r#"{"task_id":"HumanEval/0","prompt":"def f(x):\n","canonical_solution":"    return x\n","entry_point":"f","contract":"","base_input":[[123456789012345678901234567890],[0.1]],"plus_input":[[1e-320]],"atol":0}"#;
        std::fs::write(&p, format!("{line}\n")).unwrap();
        let ps = crate::entry::load_problems(&p).unwrap();
        let spec = ps[0].evalplus.as_ref().unwrap();
        assert_eq!(
            spec.base_input,
            ["[123456789012345678901234567890]", "[0.1]"]
        );
        assert_eq!(spec.plus_input, ["[1e-320]"]);
        assert_eq!(ps[0].reference, "def f(x):\n    return x\n");
        std::fs::write(
            &p,
            line.replace(r#""plus_input":[[1e-320]]"#, r#""plus_input":[3]"#),
        )
        .unwrap();
        let msg = crate::entry::load_problems(&p).unwrap_err().to_string();
        assert!(
            msg.ends_with("plus.jsonl:1: plus_input: input 0 is a number, not a list of arguments"),
            "{msg}"
        );
    }
}
