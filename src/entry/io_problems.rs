//! Input/output problems, told apart by their fields: LiveCodeBench (`question_id`,
//! `public_test_cases`), APPS (`problem_id`, `input_output`) and CodeContests (`name`,
//! `public_tests`). Each input/output pair becomes a test judged by LiveCodeBench's rules
//! (`crate::sandbox::expected`); a problem with a function name (`fn_name`, LiveCodeBench's
//! `metadata.func_name`) is call-based. Samples are whole programs: the prompt is empty.

use super::jsonl::Record;
use super::{Level, LimitOverrides, Problem, TestCase};
use crate::error::{Error, Result};
use crate::sandbox::expected::{IoCase, IoMode, IoTests};
use serde_json::Value;
use std::path::Path;

/// Which input/output format a record is, from its fields.
pub fn detect(rec: &Record) -> Option<fn(&Path, &Record) -> Result<Problem>> {
    let has = |k: &str| rec.value.contains_key(k);
    if has("question_id") && has("public_test_cases") {
        Some(livecodebench)
    } else if has("problem_id") && has("input_output") {
        Some(apps)
    } else if has("name") && has("public_tests") {
        Some(codecontests)
    } else {
        None
    }
}

/// Per-test time limits come from the run (`--timeout`, or the record's own limit) when it
/// is scored: `IoTests::per_test_ms` is set then (see [`IoTests::fit`]).
fn problem(
    id: String,
    reference: String,
    mode: IoMode,
    tests: Vec<(String, Level, IoCase)>,
) -> Problem {
    let (cases, tests): (Vec<IoCase>, Vec<TestCase>) = tests
        .into_iter()
        .map(|(name, level, case)| {
            (
                case,
                TestCase {
                    name,
                    level,
                    code: String::new(),
                },
            )
        })
        .unzip();
    Problem {
        id,
        prompt: String::new(),
        entry_point: match &mode {
            IoMode::Call { fn_name } => fn_name.clone(),
            IoMode::Stdin => String::new(),
        },
        reference,
        tests,
        requirements: Vec::new(),
        limits: LimitOverrides::default(),
        domain: None,
        evalplus: None,
        frame: Default::default(),
        io: Some(IoTests {
            mode,
            cases,
            per_test_ms: 0,
        }),
    }
}

fn bad(path: &Path, rec: &Record, field: &str, message: impl Into<String>) -> Error {
    Error::input(path, rec.line, field, message)
}

/// A field that holds JSON, or a string of JSON (as the datasets ship them).
fn json_field(path: &Path, rec: &Record, field: &str) -> Result<Option<Value>> {
    match rec.value.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => serde_json::from_str(s)
            .map(Some)
            .map_err(|e| bad(path, rec, field, format!("not JSON: {e}"))),
        Some(v) => Ok(Some(v.clone())),
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        // APPS and LiveCodeBench join a list of lines with "\n".
        Value::Array(lines) => lines
            .iter()
            .map(|l| l.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(|l| l.join("\n")),
        _ => None,
    }
}

fn id_of(path: &Path, rec: &Record, field: &str) -> Result<String> {
    match rec.value.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(v) => Err(bad(
            path,
            rec,
            field,
            format!(
                "expected a string or a number, got {}",
                super::jsonl::kind(v)
            ),
        )),
        None => Err(bad(path, rec, field, "missing field")),
    }
}

fn livecodebench(path: &Path, rec: &Record) -> Result<Problem> {
    let id = id_of(path, rec, "question_id")?;
    let fn_name = json_field(path, rec, "metadata")?.and_then(|m| {
        m.get("func_name")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let mut tests = Vec::new();
    for (field, level, prefix) in [
        ("public_test_cases", Level::Normal, "public"),
        ("private_test_cases", Level::Correctness, "private"),
    ] {
        let list = match field {
            "private_test_cases" => private_cases(path, rec)?,
            _ => json_field(path, rec, field)?,
        };
        let Some(list) = list else { continue };
        let Value::Array(items) = list else {
            return Err(bad(
                path,
                rec,
                field,
                "expected a list of {input, output, testtype}",
            ));
        };
        for (i, t) in items.iter().enumerate() {
            let get = |k: &str| t.get(k).and_then(Value::as_str);
            let (Some(input), Some(output)) = (get("input"), get("output")) else {
                return Err(bad(
                    path,
                    rec,
                    field,
                    format!("test {i}: needs string `input` and `output`"),
                ));
            };
            let case = IoCase {
                input: input.to_string(),
                expected: output.to_string(),
            };
            tests.push((format!("{prefix}_{i}"), level, case));
        }
    }
    if tests.is_empty() {
        return Err(bad(path, rec, "public_test_cases", "no tests"));
    }
    let mode = match fn_name {
        Some(fn_name) => IoMode::Call { fn_name },
        None => IoMode::Stdin,
    };
    Ok(problem(id, String::new(), mode, tests))
}

/// LiveCodeBench's private tests: JSON, or (code_generation_lite) base64 of zlib of a
/// pickled JSON string.
fn private_cases(path: &Path, rec: &Record) -> Result<Option<Value>> {
    let field = "private_test_cases";
    let Some(Value::String(s)) = rec.value.get(field) else {
        return json_field(path, rec, field);
    };
    if let Ok(v) = serde_json::from_str::<Value>(s) {
        return Ok(Some(v));
    }
    use base64::Engine;
    let packed = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| bad(path, rec, field, format!("neither JSON nor base64: {e}")))?;
    let mut pickled = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::ZlibDecoder::new(&packed[..]),
        &mut pickled,
    )
    .map_err(|e| bad(path, rec, field, format!("not zlib data: {e}")))?;
    let text: String = serde_pickle::from_slice(&pickled, Default::default())
        .map_err(|e| bad(path, rec, field, format!("not a pickled string: {e}")))?;
    serde_json::from_str(&text).map(Some).map_err(|e| {
        bad(
            path,
            rec,
            field,
            format!("the unpacked tests are not JSON: {e}"),
        )
    })
}

fn apps(path: &Path, rec: &Record) -> Result<Problem> {
    let field = "input_output";
    let id = id_of(path, rec, "problem_id")?;
    let io = json_field(path, rec, field)?.ok_or_else(|| bad(path, rec, field, "no tests"))?;
    let list = |k: &str| {
        io.get(k)
            .and_then(Value::as_array)
            .ok_or_else(|| bad(path, rec, field, format!("needs a list `{k}`")))
    };
    let (inputs, outputs) = (list("inputs")?, list("outputs")?);
    if inputs.len() != outputs.len() || inputs.is_empty() {
        return Err(bad(
            path,
            rec,
            field,
            format!("{} inputs for {} outputs", inputs.len(), outputs.len()),
        ));
    }
    let fn_name = io
        .get("fn_name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut tests = Vec::new();
    for (i, (input, output)) in inputs.iter().zip(outputs).enumerate() {
        let case = match &fn_name {
            // Call-based: the arguments, one JSON value per line, as LiveCodeBench takes them.
            Some(_) => IoCase {
                input: match input {
                    // Already LiveCodeBench's shape: one JSON argument per line.
                    Value::String(lines) => lines.clone(),
                    Value::Array(args) => args
                        .iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    other => other.to_string(),
                },
                expected: output.to_string(),
            },
            None => match (text_of(input), text_of(output)) {
                (Some(input), Some(expected)) => IoCase { input, expected },
                _ => {
                    return Err(bad(
                        path,
                        rec,
                        field,
                        format!("test {i}: input and output must be text"),
                    ))
                }
            },
        };
        tests.push((format!("test_{i}"), Level::Correctness, case));
    }
    let reference = json_field(path, rec, "solutions")?
        .and_then(|s| s.get(0).and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default();
    let mode = match fn_name {
        Some(fn_name) => IoMode::Call { fn_name },
        None => IoMode::Stdin,
    };
    Ok(problem(id, reference, mode, tests))
}

fn codecontests(path: &Path, rec: &Record) -> Result<Problem> {
    let id = id_of(path, rec, "name")?;
    let mut tests = Vec::new();
    for (field, level, prefix) in [
        ("public_tests", Level::Normal, "public"),
        ("private_tests", Level::Correctness, "private"),
        ("generated_tests", Level::EdgeCase, "generated"),
    ] {
        let Some(t) = rec.value.get(field).filter(|v| !v.is_null()) else {
            continue;
        };
        let texts = |k: &str| -> Option<Vec<String>> {
            t.get(k)?
                .as_array()?
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let (Some(inputs), Some(outputs)) = (texts("input"), texts("output")) else {
            return Err(bad(
                path,
                rec,
                field,
                "expected {input: [text], output: [text]}",
            ));
        };
        if inputs.len() != outputs.len() {
            return Err(bad(
                path,
                rec,
                field,
                format!("{} inputs for {} outputs", inputs.len(), outputs.len()),
            ));
        }
        for (i, (input, expected)) in inputs.into_iter().zip(outputs).enumerate() {
            tests.push((format!("{prefix}_{i}"), level, IoCase { input, expected }));
        }
    }
    if tests.is_empty() {
        return Err(bad(path, rec, "public_tests", "no tests"));
    }
    // The first Python 3 solution (language 3 in CodeContests' enum) is the reference.
    let reference = rec
        .value
        .get("solutions")
        .and_then(|s| {
            let langs = s.get("language")?.as_array()?;
            let code = s.get("solution")?.as_array()?;
            langs
                .iter()
                .zip(code)
                .find(|(l, _)| l.as_i64() == Some(3))
                .and_then(|(_, c)| c.as_str())
        })
        .unwrap_or_default()
        .to_string();
    let mut p = problem(id, reference, IoMode::Stdin, tests);
    if let Some(limit) = rec.value.get("time_limit").filter(|v| !v.is_null()) {
        let part = |k: &str| limit.get(k).and_then(Value::as_f64).unwrap_or(0.0);
        let secs = part("seconds") + part("nanos") / 1e9;
        if secs > 0.0 {
            p.limits.timeout_secs = Some(secs);
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(json: &str) -> Record {
        Record {
            line: 1,
            value: serde_json::from_str(json).unwrap(),
        }
    }

    #[test]
    fn reads_each_format() {
        let p = Path::new("p.jsonl");
        let lcb = rec(
            r#"{"question_id":"abc301_a","public_test_cases":"[{\"input\":\"1 2\\n\",\"output\":\"3\\n\",\"testtype\":\"stdin\"}]","private_test_cases":"[]","metadata":"{}"}"#,
        );
        let problem = detect(&lcb).unwrap()(p, &lcb).unwrap();
        assert_eq!(problem.id, "abc301_a");
        let io = problem.io.unwrap();
        assert_eq!(io.mode, IoMode::Stdin);
        assert_eq!(io.cases[0].expected, "3\n");
        assert_eq!(problem.tests[0].name, "public_0");

        let apps = rec(
            r#"{"problem_id":7,"input_output":"{\"inputs\":[[1,[2,3]]],\"outputs\":[[5]],\"fn_name\":\"f\"}","solutions":"[\"def f(a, b): return a + sum(b)\"]"}"#,
        );
        let problem = detect(&apps).unwrap()(p, &apps).unwrap();
        assert_eq!(problem.id, "7");
        let io = problem.io.unwrap();
        assert_eq!(
            io.mode,
            IoMode::Call {
                fn_name: "f".into()
            }
        );
        assert_eq!(io.cases[0].input, "1\n[2,3]");
        assert!(problem.reference.starts_with("def f"));

        let cc = rec(
            r#"{"name":"1_A. Theatre","public_tests":{"input":["6 6 4\n"],"output":["4\n"]},"private_tests":{"input":[],"output":[]},"solutions":{"language":[2,3],"solution":["int main(){}","print(4)"]},"time_limit":{"seconds":2,"nanos":500000000}}"#,
        );
        let problem = detect(&cc).unwrap()(p, &cc).unwrap();
        assert_eq!(problem.reference, "print(4)");
        assert_eq!(problem.limits.timeout_secs, Some(2.5));
    }

    #[test]
    fn reads_livecodebench_lite_private_tests() {
        // base64(zlib(pickle.dumps('[{"input": "1", "output": "2", "testtype": "stdin"}]'))), default protocol
        let packed =
            "eJxrYJlqwQABPSbR1UqZeQWlJUpWCkqGSjoKSvmlJVCuEYhbklpcUlJZkAoSKC5JycxTqo2dogcAOgkSqg==";
        let r = rec(&format!(
            r#"{{"question_id":"q","public_test_cases":"[]","private_test_cases":"{packed}","metadata":"{{\"func_name\": \"solve\"}}"}}"#
        ));
        let problem = livecodebench(Path::new("p.jsonl"), &r).unwrap();
        let io = problem.io.unwrap();
        assert_eq!(io.cases.len(), 1);
        assert_eq!(problem.tests[0].name, "private_0");
        assert_eq!(
            io.mode,
            IoMode::Call {
                fn_name: "solve".into()
            }
        );
    }

    #[test]
    fn bad_records_name_the_field() {
        let p = Path::new("p.jsonl");
        let r = rec(r#"{"question_id":"q","public_test_cases":"[{\"input\":1}]"}"#);
        let e = livecodebench(p, &r).unwrap_err().to_string();
        assert!(e.contains("p.jsonl:1: public_test_cases: test 0"), "{e}");
        let r = rec(r#"{"problem_id":1,"input_output":"{\"inputs\":[\"1\"],\"outputs\":[]}"}"#);
        let e = apps(p, &r).unwrap_err().to_string();
        assert!(e.contains("input_output: 1 inputs for 0 outputs"), "{e}");
    }
}
