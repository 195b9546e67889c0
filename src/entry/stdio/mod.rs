//! Problems judged on input/output pairs (APPS, CodeContests, LiveCodeBench): each pair is
//! a test. A stdin problem's program runs once per pair with the input on stdin; a
//! call-based one (`fn_name`) is loaded once and its function called with each input's
//! JSON lines as arguments. The runner sends back what the program printed (or the JSON
//! of what the function returned) and the harness compares it with the expected output
//! outside the sandbox, as LiveCodeBench does ([`compare`]; `==` on the decoded JSON for
//! calls, a tuple counting as a list). The expected outputs never enter the sandbox.
//!
//! Records, told by their fields:
//! - LiveCodeBench: `question_id`, `question_content`, `public_test_cases` (and
//!   `private_test_cases` when they are plain JSON), each `{input, output, testtype}` with
//!   `testtype` `stdin` or `functional`; `metadata.func_name` for the functional ones;
//! - APPS: `problem_id`, `question`, `input_output` (`{inputs, outputs, fn_name?}`),
//!   `solutions` (the first is the reference);
//! - CodeContests: `name`, `description`, `public_tests`/`private_tests`/`generated_tests`
//!   (`{input: [..], output: [..]}`), `solutions.solution` (the first Python one is the
//!   reference, when `solutions.language` says 3).
//!
//! Each field may be a JSON value or a string holding one, as the released files have it.

pub(crate) mod compare;

use super::jsonl::Record;
use super::{Frame, Level, LimitOverrides, Problem, TestCase};
use crate::error::{Error, Result};
use crate::sandbox::{IoCase, IoTests};
use serde_json::{Map, Value};
use std::path::Path;

/// An input/output record, by its fields.
pub(crate) fn is_io_problem(record: &Map<String, Value>) -> bool {
    (record.contains_key("question_id") && record.contains_key("public_test_cases"))
        || record.contains_key("input_output")
        || (record.contains_key("public_tests") && record.contains_key("description"))
}

/// A field that is JSON or a string of JSON.
fn json_field(path: &Path, rec: &Record, name: &str) -> Result<Option<Value>> {
    match rec.value.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => serde_json::from_str(s).map(Some).map_err(|e| {
            Error::input(
                path,
                rec.line,
                name,
                format!("not JSON ({e}); compressed test cases must be decoded first"),
            )
        }),
        Some(v) => Ok(Some(v.clone())),
    }
}

fn text(path: &Path, rec: &Record, name: &str) -> Result<String> {
    match rec.value.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        None => Err(Error::input(path, rec.line, name, "missing field")),
        Some(other) => Err(Error::input(
            path,
            rec.line,
            name,
            format!("expected a string, found {}", super::jsonl_kind(other)),
        )),
    }
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn problem(path: &Path, rec: &Record) -> Result<Problem> {
    let bad = |field: &str, m: String| Error::input(path, rec.line, field, m);
    let (id, prompt, reference, cases, fn_name) = if rec.value.contains_key("input_output") {
        // APPS
        let id = text(path, rec, "problem_id")?;
        let prompt = text(path, rec, "question")?;
        let io = json_field(path, rec, "input_output")?
            .ok_or_else(|| bad("input_output", "no test cases".into()))?;
        let list = |k: &str| -> Result<Vec<Value>> {
            match io.get(k) {
                Some(Value::Array(a)) => Ok(a.clone()),
                _ => Err(bad("input_output", format!("`{k}` is not a list"))),
            }
        };
        let (inputs, outputs) = (list("inputs")?, list("outputs")?);
        if inputs.len() != outputs.len() {
            return Err(bad(
                "input_output",
                format!("{} inputs but {} outputs", inputs.len(), outputs.len()),
            ));
        }
        let fn_name = io
            .get("fn_name")
            .and_then(Value::as_str)
            .map(str::to_string);
        let cases = inputs
            .iter()
            .zip(&outputs)
            .map(|(i, o)| match &fn_name {
                // APPS call-based: inputs are argument lists, outputs usually [value].
                Some(_) => {
                    let args = match i {
                        Value::Array(a) => a
                            .iter()
                            .map(|v| v.to_string())
                            .collect::<Vec<_>>()
                            .join("\n"),
                        other => other.to_string(),
                    };
                    let want = match o {
                        Value::Array(a) if a.len() == 1 => a[0].to_string(),
                        other => other.to_string(),
                    };
                    (args, want)
                }
                None => (as_text(i), as_text(o)),
            })
            .collect::<Vec<_>>();
        let reference = match json_field(path, rec, "solutions")? {
            Some(Value::Array(a)) => a.first().map(as_text).unwrap_or_default(),
            _ => String::new(),
        };
        (id, prompt, reference, cases, fn_name)
    } else if rec.value.contains_key("question_id") {
        // LiveCodeBench
        let id = text(path, rec, "question_id")?;
        let prompt = text(path, rec, "question_content")?;
        let mut cases = Vec::new();
        let mut functional = None;
        for field in ["public_test_cases", "private_test_cases"] {
            let Some(v) = json_field(path, rec, field)? else {
                continue;
            };
            let Value::Array(items) = v else {
                return Err(bad(field, "expected a list of test cases".into()));
            };
            for item in items {
                let get = |k: &str| item.get(k).map(as_text);
                let (Some(input), Some(output)) = (get("input"), get("output")) else {
                    return Err(bad(
                        field,
                        "a test case without `input` and `output`".into(),
                    ));
                };
                let is_functional = get("testtype").as_deref() == Some("functional");
                if *functional.get_or_insert(is_functional) != is_functional {
                    return Err(bad(field, "stdin and functional test cases mixed".into()));
                }
                cases.push((input, output));
            }
        }
        let fn_name = if functional == Some(true) {
            let meta = json_field(path, rec, "metadata")?;
            let name = meta
                .as_ref()
                .and_then(|m| m.get("func_name"))
                .and_then(Value::as_str)
                .ok_or_else(|| bad("metadata", "functional tests need `func_name`".into()))?;
            Some(name.to_string())
        } else {
            None
        };
        (id, prompt, String::new(), cases, fn_name)
    } else {
        // CodeContests
        let id = text(path, rec, "name")?;
        let prompt = text(path, rec, "description")?;
        let mut cases = Vec::new();
        for field in ["public_tests", "private_tests", "generated_tests"] {
            let Some(v) = json_field(path, rec, field)? else {
                continue;
            };
            let list = |k: &str| -> Result<Vec<String>> {
                match v.get(k) {
                    Some(Value::Array(a)) => Ok(a.iter().map(as_text).collect()),
                    _ => Err(bad(field, format!("`{k}` is not a list"))),
                }
            };
            let (inputs, outputs) = (list("input")?, list("output")?);
            if inputs.len() != outputs.len() {
                return Err(bad(
                    field,
                    format!("{} inputs but {} outputs", inputs.len(), outputs.len()),
                ));
            }
            cases.extend(inputs.into_iter().zip(outputs));
        }
        let reference = match json_field(path, rec, "solutions")? {
            Some(s) => {
                let langs = s
                    .get("language")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let sols = s
                    .get("solution")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                sols.iter()
                    .zip(&langs)
                    .find(|(_, l)| l.as_i64() == Some(3))
                    .map(|(s, _)| as_text(s))
                    .unwrap_or_default()
            }
            None => String::new(),
        };
        (id, prompt, reference, cases, None)
    };
    if cases.is_empty() {
        return Err(bad("tests", "no input/output pairs".into()));
    }
    let before = prelude();
    let reference = if reference.is_empty() {
        reference
    } else {
        format!("{before}{reference}")
    };
    let tests = (0..cases.len())
        .map(|i| TestCase {
            name: format!("case_{i}"),
            level: Level::Correctness,
            code: String::new(),
        })
        .collect();
    Ok(Problem {
        id,
        prompt,
        entry_point: fn_name.clone().unwrap_or_default(),
        reference,
        tests,
        requirements: Vec::new(),
        limits: LimitOverrides::default(),
        domain: None,
        frame: Frame {
            before,
            after: String::new(),
        },
        io: Some(IoTests {
            cases: cases
                .into_iter()
                .map(|(input, expected)| IoCase { input, expected })
                .collect(),
            fn_name,
            per_test_ms: None,
        }),
    })
}

/// The standard modules LiveCodeBench's grader imports (each module, and `*` from it)
/// before a program, with its recursion limit: programs may lean on them.
const PRELUDE_MODULES: &[&str] = &[
    "string",
    "re",
    "datetime",
    "collections",
    "heapq",
    "bisect",
    "copy",
    "math",
    "random",
    "statistics",
    "itertools",
    "functools",
    "operator",
    "io",
    "sys",
    "json",
];

fn prelude() -> String {
    let mut out = String::new();
    for m in PRELUDE_MODULES.iter().chain(&["builtins", "typing"]) {
        out.push_str(&format!("from {m} import *\n"));
    }
    for m in PRELUDE_MODULES {
        out.push_str(&format!("import {m}\n"));
    }
    out.push_str("sys.setrecursionlimit(50000)\n");
    out
}

/// The limits and instrument of an execution of `problem`: for input/output problems the
/// timeout is per test (as LiveCodeBench's per-test alarm), so the execution gets it once
/// per case and each case is held to it; other problems run as they are.
pub(crate) fn execution(
    problem: &Problem,
    mut limits: crate::sandbox::Limits,
) -> (crate::sandbox::Limits, crate::sandbox::Instrument) {
    let Some(io) = &problem.io else {
        return (limits, Default::default());
    };
    let per_test = limits.timeout_secs;
    let n = io.cases.len().max(1) as f64;
    limits.timeout_secs = per_test * n;
    limits.cpu_secs = limits.timeout_secs.ceil() as u64 + 1;
    let mut io = io.clone();
    io.per_test_ms = Some((per_test * 1000.0).round() as u64);
    let instrument = crate::sandbox::Instrument {
        io: Some(io),
        ..Default::default()
    };
    (limits, instrument)
}

/// Judges the outputs the runner sent back: a case that ran without an exception and
/// printed (or returned) the wrong thing fails; one that ran past its time is `timeout`.
pub(crate) fn judge(
    io: &IoTests,
    tests: &mut [crate::sandbox::TestVerdict],
    outputs: &[Option<(String, bool)>],
) {
    use crate::sandbox::Status;
    for (i, t) in tests.iter_mut().enumerate() {
        if t.status != Status::Passed {
            continue;
        }
        if let (Some(limit), Some(ms)) = (io.per_test_ms, t.duration_ms) {
            if ms > limit as f64 {
                t.status = Status::Timeout;
                t.message = format!("time limit of {limit} ms per test ({ms:.0} ms)");
                continue;
            }
        }
        let Some(case) = io.cases.get(i) else {
            continue;
        };
        let why = match outputs.get(i).and_then(Option::as_ref) {
            None => Some("the runner reported no output for this test".to_string()),
            Some((_, true)) => {
                Some("wrong answer: the output is past the cap the runner sends back".to_string())
            }
            Some((out, false)) => match &io.fn_name {
                None => compare::wrong_answer(out, &case.expected),
                Some(_) => compare::wrong_return(out, &case.expected),
            },
        };
        if let Some(why) = why {
            t.status = Status::Failed;
            t.message = why;
        }
    }
}
