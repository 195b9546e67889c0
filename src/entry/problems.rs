//! Loading problems: native assay entries or HumanEval records, told apart per line.

use super::jsonl::{read_jsonl, string_field, Record};
use super::{schema, Entry, Level, LimitOverrides, Problem, TestCase};
use crate::error::{Error, Result};
use std::collections::HashSet;
use std::path::Path;

/// Reads a problems file (`.jsonl` or gzip): every line is either a native entry (`id`),
/// a HumanEval+ / MBPP+ problem (`base_input`/`plus_input`), or a HumanEval problem
/// (`task_id`). Ids must be unique.
pub fn load_problems(path: &Path) -> Result<Vec<Problem>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut raw = crate::evalplus::load::RawInputs::default();
    for rec in read_jsonl(path)? {
        let problem = if crate::evalplus::load::is_evalplus(&rec) {
            crate::evalplus::load::problem(path, &rec, &mut raw)?
        } else if let Some(problem) = foreign(path, &rec) {
            problem?
        } else if rec.value.contains_key("id") {
            Problem::from(native(path, &rec)?)
        } else {
            return Err(Error::input(
                path,
                rec.line,
                "id",
                "missing field (neither an assay entry with `id`, a HumanEval problem with \
                 `task_id`, nor an input/output problem of LiveCodeBench (`question_id`), \
                 APPS (`problem_id`) or CodeContests (`name`, `public_tests`))",
            ));
        };
        if !seen.insert(problem.id.clone()) {
            let field = ["task_id", "id", "question_id", "problem_id", "name"]
                .into_iter()
                .find(|k| rec.value.contains_key(*k))
                .unwrap_or("id");
            return Err(Error::input(
                path,
                rec.line,
                field,
                format!("duplicate id {:?}", problem.id),
            ));
        }
        out.push(problem);
    }
    if out.is_empty() {
        return Err(Error::input(
            path,
            1,
            "id",
            "no problems: the file is empty (or only blank lines)",
        ));
    }
    Ok(out)
}

/// A problem of another benchmark's format (HumanEval, BigCodeBench, LiveCodeBench, APPS,
/// CodeContests), told apart by its fields; `None` for anything else (a native entry has `id`).
pub fn foreign(path: &Path, rec: &Record) -> Option<Result<Problem>> {
    if crate::evalplus::load::is_evalplus(rec) {
        // Its expected outputs are the reference's own: there is nothing to check it against.
        Some(Err(Error::input(
            path,
            rec.line,
            "base_input",
            "a HumanEval+ / MBPP+ record is scored (`assay score`), not curated: its expected \
             outputs are computed from its reference",
        )))
    } else if super::bigcodebench::is_task(&rec.value) {
        Some(super::bigcodebench::problem(path, rec))
    } else if rec.value.contains_key("task_id") {
        Some(humaneval(path, rec))
    } else {
        super::io_problems::detect(rec).map(|read| read(path, rec))
    }
}

/// A native entry, checked against the JSON Schema first so errors name the field.
pub fn native(path: &Path, rec: &Record) -> Result<Entry> {
    let value = serde_json::Value::Object(rec.value.clone());
    schema::check_entry(path, rec.line, &value)?;
    serde_json::from_value(value).map_err(|e| Error::input(path, rec.line, "entry", e.to_string()))
}

fn humaneval(path: &Path, rec: &Record) -> Result<Problem> {
    let task_id = string_field(path, rec, "task_id")?;
    let prompt = string_field(path, rec, "prompt")?;
    let entry_point = string_field(path, rec, "entry_point")?;
    let test = string_field(path, rec, "test")?;
    // evalplus problem files have no canonical_solution in some variants: tolerate it.
    let canonical = match rec.value.get("canonical_solution") {
        None => "",
        Some(_) => string_field(path, rec, "canonical_solution")?,
    };
    Ok(Problem {
        id: task_id.to_string(),
        prompt: prompt.to_string(),
        entry_point: entry_point.to_string(),
        reference: format!("{prompt}{canonical}"),
        // human-eval runs `test` then `check(entry_point)`; one test, judged as a whole.
        tests: vec![TestCase {
            name: "check".to_string(),
            level: Level::Correctness,
            code: format!("{test}\ncheck({entry_point})\n"),
        }],
        requirements: Vec::new(),
        limits: LimitOverrides::default(),
        domain: None,
        io: None,
        evalplus: None,
        frame: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(lines: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.jsonl");
        std::fs::write(&p, lines.join("\n")).unwrap();
        (dir, p)
    }

    #[test]
    fn reads_humaneval_problems() {
        let (_d, p) = write(&[
            r#"{"task_id":"T/0","prompt":"def f():\n","canonical_solution":"    return 1\n","test":"def check(c):\n    assert c() == 1\n","entry_point":"f"}"#,
        ]);
        let ps = load_problems(&p).unwrap();
        assert_eq!(ps[0].id, "T/0");
        assert_eq!(ps[0].reference, "def f():\n    return 1\n");
        assert!(ps[0].tests[0].code.ends_with("check(f)\n"));
    }

    #[test]
    fn rejects_duplicates_and_missing_fields() {
        let line = r#"{"task_id":"T/0","prompt":"p","canonical_solution":"c","test":"t","entry_point":"f"}"#;
        let (_d, p) = write(&[line, line]);
        let msg = load_problems(&p).unwrap_err().to_string();
        assert!(
            msg.ends_with("p.jsonl:2: task_id: duplicate id \"T/0\""),
            "{msg}"
        );
        let (_d, p) = write(&[r#"{"task_id":"T/0","prompt":"p","test":"t"}"#]);
        let msg = load_problems(&p).unwrap_err().to_string();
        assert!(
            msg.ends_with("p.jsonl:1: entry_point: missing field"),
            "{msg}"
        );
    }
}
