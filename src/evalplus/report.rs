//! A sample's base and plus verdicts as EvalPlus names them (`pass`, `fail`, `timeout`),
//! in the results file, and EvalPlus's `eval_results.json`.

use super::Options;
use crate::entry::Problem;
use crate::error::{Error, Result};
use crate::sandbox::{Outcome, Status, TestVerdict};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// EvalPlus's status of one section (`base` or `plus`) from the per-input verdicts, or
/// None when the section was not run (`--base-only`) or the outcome is not EvalPlus's.
/// `timeout` is what EvalPlus says when its process had to be killed: here, when the
/// execution was stopped (a wall-clock kill) before the section finished.
fn section_status<'a>(
    status: Status,
    tests: impl Iterator<Item = (&'a str, Status)>,
    section: &str,
) -> Option<&'static str> {
    let prefix = format!("{section}/");
    let mut any = false;
    let mut all_pass = true;
    let mut unfinished = false;
    for (_, s) in tests.filter(|(n, _)| n.starts_with(&prefix) || *n == section) {
        any = true;
        all_pass &= s == Status::Passed;
        unfinished |= s == Status::NotRun;
    }
    if !any {
        return None;
    }
    Some(if all_pass {
        "pass"
    } else if status == Status::Timeout && unfinished {
        "timeout"
    } else {
        "fail"
    })
}

fn is_evalplus(tests: &[TestVerdict]) -> bool {
    tests
        .first()
        .is_some_and(|t| t.name.starts_with("base") || t.name.starts_with("plus"))
}

/// Adds `base_status` and `plus_status` to a result line of an EvalPlus problem.
pub(crate) fn annotate(m: &mut Map<String, Value>, o: &Outcome) {
    if !is_evalplus(&o.tests) {
        return;
    }
    let tests = || o.tests.iter().map(|t| (t.name.as_str(), t.status));
    m.insert(
        "base_status".into(),
        json!(section_status(o.status, tests(), "base")),
    );
    m.insert(
        "plus_status".into(),
        json!(section_status(o.status, tests(), "plus")),
    );
}

fn now() -> String {
    // "YYYY-MM-DD HH:MM", as EvalPlus writes it (in UTC here).
    let t = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    t.get(..16).unwrap_or(&t).replace('T', " ")
}

/// Writes EvalPlus's `eval_results.json` from a results file: `{date, hash, eval: {task:
/// [{task_id, solution, base_status, plus_status, base_fail_tests, plus_fail_tests}]}}`;
/// the fail tests are the first failing input of the section, as EvalPlus reports it
/// without `--test-details`.
pub(crate) fn write_eval_results(
    results: &Path,
    problems: &[Problem],
    opts: &Options,
    out: &Path,
) -> Result<()> {
    let by_id: HashMap<&str, &Problem> = problems.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut eval: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    let mut hash = blake3::Hasher::new();
    for p in problems {
        hash.update(p.id.as_bytes());
        hash.update(p.reference.as_bytes());
        if let Some(s) = &p.evalplus {
            for i in s.base_input.iter().chain(&s.plus_input) {
                hash.update(i.as_bytes());
            }
        }
    }
    for rec in crate::entry::read_jsonl(results)? {
        let row = &rec.value;
        let task_id = row.get("task_id").and_then(Value::as_str).unwrap_or("");
        let Some(p) = by_id.get(task_id) else {
            continue;
        };
        let Some(spec) = &p.evalplus else {
            continue;
        };
        let status = row
            .get("status")
            .cloned()
            .and_then(|s| serde_json::from_value::<Status>(s).ok())
            .unwrap_or(Status::Crashed);
        let tests: Vec<(String, Status)> = row
            .get("tests")
            .and_then(Value::as_array)
            .map(|ts| {
                ts.iter()
                    .filter_map(|t| {
                        let name = t.get("name")?.as_str()?.to_string();
                        let s = serde_json::from_value::<Status>(t.get("status")?.clone()).ok()?;
                        Some((name, s))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let iter = || tests.iter().map(|(n, s)| (n.as_str(), *s));
        // The first failing input, as its raw text (big ints and float digits kept).
        let fail_tests = |section: &str, inputs: &[String]| -> Vec<Box<RawValue>> {
            let prefix = format!("{section}/");
            if section_status(status, iter(), section) == Some("pass") {
                return Vec::new();
            }
            iter()
                .find(|(n, s)| {
                    n.starts_with(&prefix) && *s != Status::Passed && *s != Status::NotRun
                })
                .and_then(|(n, _)| n[prefix.len()..].parse::<usize>().ok())
                .and_then(|i| inputs.get(i))
                .and_then(|t| RawValue::from_string(t.clone()).ok())
                .into_iter()
                .collect()
        };
        let solution = match (row.get("solution"), row.get("completion")) {
            (Some(Value::String(s)), _) => s.clone(),
            (_, Some(Value::String(c))) => format!("{}{c}", p.prompt),
            _ => String::new(),
        };
        let plus = !opts.base_only;
        eval.entry(task_id.to_string()).or_default().push(Row {
            task_id: task_id.to_string(),
            solution,
            base_status: section_status(status, iter(), "base"),
            plus_status: section_status(status, iter(), "plus").filter(|_| plus),
            base_fail_tests: fail_tests("base", &spec.base_input),
            plus_fail_tests: if plus {
                fail_tests("plus", &spec.plus_input)
            } else {
                Vec::new()
            },
        });
    }
    let doc = Doc {
        date: now(),
        hash: hash.finalize().to_hex()[..32].to_string(),
        eval,
    };
    let text = serde_json::to_vec(&doc).map_err(|e| Error::Internal(e.to_string()))?;
    crate::entry::write_atomic(out, |f| std::io::Write::write_all(f, &text))
}

/// EvalPlus's `eval_results.json`.
#[derive(serde::Serialize)]
struct Doc {
    date: String,
    hash: String,
    eval: BTreeMap<String, Vec<Row>>,
}

#[derive(serde::Serialize)]
struct Row {
    task_id: String,
    solution: String,
    base_status: Option<&'static str>,
    plus_status: Option<&'static str>,
    base_fail_tests: Vec<Box<RawValue>>,
    plus_fail_tests: Vec<Box<RawValue>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_named_as_evalplus_names_them() {
        let t = [
            ("base/0", Status::Passed),
            ("plus/0", Status::Failed),
            ("plus/1", Status::Passed),
        ];
        assert_eq!(
            section_status(Status::Failed, t.into_iter(), "base"),
            Some("pass")
        );
        assert_eq!(
            section_status(Status::Failed, t.into_iter(), "plus"),
            Some("fail")
        );
        let t = [
            ("base/0", Status::Passed),
            ("plus/0", Status::Timeout),
            ("plus/1", Status::NotRun),
        ];
        assert_eq!(
            section_status(Status::Timeout, t.into_iter(), "plus"),
            Some("timeout")
        );
        let t = [("base/0", Status::Timeout), ("base/1", Status::Passed)];
        assert_eq!(
            section_status(Status::Timeout, t.into_iter(), "base"),
            Some("fail")
        );
        assert_eq!(section_status(Status::Timeout, t.into_iter(), "plus"), None);
    }
}
