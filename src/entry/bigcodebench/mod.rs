//! BigCodeBench tasks (`task_id`, `complete_prompt`, `instruct_prompt`,
//! `canonical_solution`, `code_prompt`, `test`, `entry_point`, `libs`) as problems.
//!
//! What `bigcodebench==0.2.5`'s evaluator does (`bigcodebench/evaluate.py`,
//! `bigcodebench/eval/__init__.py`), and how it maps here:
//! - a sample's program is its `solution`, or `complete_prompt` + `completion`, and
//!   "calibrated" (its default) puts `code_prompt` + `"\n    pass\n"` before it; the test
//!   module follows after a newline and the whole runs as one module with `sys`, `os` and
//!   `environ` in its globals. Here: the problem's [`Frame`] (before: the globals and the
//!   calibration prefix; after: the test module), so an exception anywhere in the module
//!   (BigCodeBench's `details["ALL"]`) is the program's failure;
//! - the verdict is `pass` when no test method of `TestCases` failed or errored. Here each
//!   test method is its own [`TestCase`] (sorted by name, as `unittest`'s loader does), run
//!   through a one-test `unittest.TestSuite` so `setUp`/`tearDown`/`setUpClass` run as they
//!   do there; a failure or error is raised with `unittest`'s traceback as its text;
//! - the ground truth is `complete_prompt` + `"\n"` + `canonical_solution`, uncalibrated
//!   ([`Problem::reference`], with the test module);
//! - `libs` name import names: standard-library ones need nothing, the rest become
//!   requirements, so a task needing a library no profile has is `unsupported`, named.

mod stdlib;

use super::jsonl::{string_field, Record};
use super::{Frame, Level, LimitOverrides, Problem, TestCase};
use crate::error::{Error, Result};
use rustpython_parser::ast;
use serde_json::{Map, Value};
use std::path::Path;

/// A BigCodeBench record is told by its fields: a `complete_prompt` and a `code_prompt`.
pub(crate) fn is_task(record: &Map<String, Value>) -> bool {
    record.contains_key("complete_prompt") && record.contains_key("code_prompt")
}

/// What BigCodeBench's test module sees in its globals besides its own names.
const GLOBALS: &str = "import os, sys\nenviron = os.environ\n";

/// Runs one test method of `TestCases` as `unittest` would in the whole suite, and raises
/// its failure (as `AssertionError`) or error (as an exception of the same class name)
/// with `unittest`'s traceback as the text. When a method both fails and errors (a
/// failing test whose `tearDown` raises), the last of failures + errors is the one
/// reported, as BigCodeBench's `details` keeps the last per name.
const RUN_METHOD: &str = r#"def __assay_bigcodebench_method(name):
    import unittest
    class Result(unittest.TestResult):
        def __init__(self):
            super().__init__()
            self.kinds = []
        def addError(self, test, err):
            super().addError(test, err)
            self.kinds.append(("error", err[0].__name__))
        def addFailure(self, test, err):
            super().addFailure(test, err)
            self.kinds.append(("failure", err[0].__name__))
    result = Result()
    unittest.TestSuite([TestCases(name)]).run(result)
    issues = result.failures + result.errors
    if not issues:
        return
    trace = issues[-1][1]
    errors = [k for (how, k) in result.kinds if how == "error"]
    if errors:
        raise type(errors[-1], (Exception,), {})(trace)
    raise AssertionError(trace)
"#;

pub(crate) fn problem(path: &Path, rec: &Record) -> Result<Problem> {
    let field = |name: &str| string_field(path, rec, name);
    let task_id = field("task_id")?;
    let complete_prompt = field("complete_prompt")?;
    // Required as BigCodeBench's completeness check requires it, though only generation reads it.
    field("instruct_prompt")?;
    let canonical = field("canonical_solution")?;
    let code_prompt = field("code_prompt")?;
    let test = field("test")?;
    let entry_point = field("entry_point")?;
    let methods = test_methods(test).map_err(|m| Error::input(path, rec.line, "test", m))?;
    let requirements = match rec.value.get("libs") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => requirements(v).map_err(|m| Error::input(path, rec.line, "libs", m))?,
    };
    let tests = methods
        .into_iter()
        .map(|name| TestCase {
            code: format!("{RUN_METHOD}__assay_bigcodebench_method({name:?})\n"),
            name,
            level: Level::Correctness,
        })
        .collect();
    Ok(Problem {
        id: task_id.to_string(),
        prompt: complete_prompt.to_string(),
        entry_point: entry_point.to_string(),
        reference: format!("{GLOBALS}{complete_prompt}\n{canonical}\n{test}"),
        tests,
        requirements,
        limits: LimitOverrides::default(),
        domain: None,
        frame: Frame {
            before: format!("{GLOBALS}{code_prompt}\n    pass\n"),
            after: format!("\n{test}"),
        },
        io: None,
        evalplus: None,
    })
}

/// The test methods `unittest.TestLoader().loadTestsFromTestCase(TestCases)` finds, in
/// its order (sorted by name): functions named `test*` in the class `TestCases` of the
/// test module and in the module's classes it inherits from.
fn test_methods(test: &str) -> std::result::Result<Vec<String>, String> {
    let body = crate::python::parse_module(test, "test")
        .map_err(|e| format!("the test module does not parse: {e}"))?;
    let classes: Vec<&ast::StmtClassDef> = body
        .iter()
        .filter_map(|s| match s {
            ast::Stmt::ClassDef(c) => Some(c),
            _ => None,
        })
        .collect();
    let find = |name: &str| {
        classes
            .iter()
            .rev()
            .find(|c| c.name.as_str() == name)
            .copied()
    };
    let root = find("TestCases").ok_or("the test module defines no class TestCases")?;
    let mut names = Vec::new();
    let mut todo = vec![root];
    let mut seen = Vec::new();
    while let Some(class) = todo.pop() {
        if seen.contains(&class.name.as_str()) {
            continue;
        }
        seen.push(class.name.as_str());
        for stmt in &class.body {
            let name = match stmt {
                ast::Stmt::FunctionDef(f) => f.name.as_str(),
                ast::Stmt::AsyncFunctionDef(f) => f.name.as_str(),
                _ => continue,
            };
            if name.starts_with("test") {
                names.push(name.to_string());
            }
        }
        for base in &class.bases {
            if let ast::Expr::Name(n) = base {
                todo.extend(find(n.id.as_str()));
            }
        }
    }
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Err("class TestCases has no test methods (functions named test*)".into());
    }
    Ok(names)
}

/// `libs` (a JSON list of import names, or the string of a Python list as the released
/// dataset has it) as requirements: standard-library modules dropped.
fn requirements(libs: &Value) -> std::result::Result<Vec<String>, String> {
    let names = match libs {
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!(
                    "expected import names, found {}",
                    super::jsonl_kind(other)
                )),
            })
            .collect::<std::result::Result<Vec<_>, _>>()?,
        Value::String(text) => python_list(text)?,
        other => {
            return Err(format!(
                "expected a list of import names, found {}",
                super::jsonl_kind(other)
            ))
        }
    };
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let top = name
            .trim()
            .split('.')
            .next()
            .unwrap_or_default()
            .to_string();
        if top.is_empty() {
            return Err(format!("{name:?} is not an import name"));
        }
        if stdlib::STDLIB.binary_search(&top.as_str()).is_err() && !out.contains(&top) {
            out.push(top);
        }
    }
    Ok(out)
}

/// The strings of a Python list (or tuple) literal such as `"['numpy', 'random']"`.
fn python_list(text: &str) -> std::result::Result<Vec<String>, String> {
    let bad = || format!("{text:?} is not a list of import names");
    let parsed = rustpython_parser::parse(text, rustpython_parser::Mode::Expression, "<libs>")
        .map_err(|_| bad())?;
    let ast::Mod::Expression(e) = parsed else {
        return Err(bad());
    };
    let elts = match *e.body {
        ast::Expr::List(l) => l.elts,
        ast::Expr::Tuple(t) => t.elts,
        _ => return Err(bad()),
    };
    elts.into_iter()
        .map(|x| match x {
            ast::Expr::Constant(c) => match c.value {
                ast::Constant::Str(s) => Ok(s),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_test_methods_as_unittest_does() {
        let test = "import unittest\nclass Base(unittest.TestCase):\n    def test_z(self): pass\n    def helper(self): pass\nclass TestCases(Base):\n    def setUp(self): pass\n    def test_b(self): pass\n    async def test_a(self): pass\n    def test_z(self): pass\n";
        assert_eq!(test_methods(test).unwrap(), ["test_a", "test_b", "test_z"]);
        assert!(test_methods("class Other: pass\n")
            .unwrap_err()
            .contains("no class TestCases"));
        assert!(test_methods("class TestCases:\n    x = 1\n")
            .unwrap_err()
            .contains("no test methods"));
        assert!(test_methods("class TestCases(:\n")
            .unwrap_err()
            .contains("does not parse"));
    }

    #[test]
    fn libs_become_requirements_without_the_standard_library() {
        let v = Value::String("['numpy', 'random', 'os.path', 'sklearn', 'numpy']".into());
        assert_eq!(requirements(&v).unwrap(), ["numpy", "sklearn"]);
        let v = serde_json::json!(["collections", "matplotlib"]);
        assert_eq!(requirements(&v).unwrap(), ["matplotlib"]);
        assert!(requirements(&Value::String("numpy".into())).is_err());
        assert!(requirements(&serde_json::json!([1])).is_err());
        assert!(requirements(&serde_json::json!(3)).is_err());
    }

    #[test]
    fn the_list_of_standard_modules_is_sorted() {
        assert!(stdlib::STDLIB.windows(2).all(|w| w[0] < w[1]));
    }
}
