//! Input/output problems (LiveCodeBench, APPS, CodeContests records) through the real
//! binary on the process sandbox: each pair a test, stdout compared outside the sandbox
//! by LiveCodeBench's rules (`lcb_runner/evaluation/testing_util.py`, `grade_stdio`:
//! strip, split on "\n", strip each line, equal line counts, each line equal as text or
//! as a list of `Decimal`s), call-based problems by `==` on the returned value.
//!
//! LiveCodeBench is not on a package registry, so its grader cannot run here as the
//! oracle; the expected verdicts below are written from those rules, one reason each.
//!
//! Needs `scripts/setup` (the process sandbox).

mod common;

use common::{assay, read_jsonl, write_jsonl, Fixture};
use serde_json::{json, Value};

/// A LiveCodeBench stdin problem whose expected output is `expected` for input "3\n".
fn lcb_stdin(id: &str, expected: &str) -> Value {
    let cases = json!([{"input": "3\n", "output": expected, "testtype": "stdin"}]);
    json!({
        "question_id": id,
        "question_content": "Read n; print what is asked.",
        "starter_code": "",
        "public_test_cases": cases.to_string(),
        "private_test_cases": "",
        "metadata": "{}",
    })
}

/// (problem, program, passes?, why), all judged on one input.
fn stdin_cases() -> Vec<(Value, &'static str, bool, &'static str)> {
    vec![
        (lcb_stdin("trailing", "1 2 3\n"), "n = int(input())\nprint(*range(1, n + 1), end='   \\n\\n\\n')\n", true, "trailing spaces and blank lines at the end are stripped"),
        (lcb_stdin("crlf", "a\nb\n"), "input()\nprint('a\\r\\nb\\r')\n", true, "\\r is stripped from each line"),
        (lcb_stdin("leading", "x\ny"), "input()\nprint('   x  \\n\\ty')\n", true, "each line is stripped both sides"),
        (lcb_stdin("inner-blank", "a\nb"), "input()\nprint('a\\n\\nb')\n", false, "a blank line inside changes the line count"),
        (lcb_stdin("inner-spaces", "a b"), "input()\nprint('a  b')\n", false, "text lines compare exactly after strip"),
        (lcb_stdin("float-form", "1.5 2"), "input()\nprint('1.50 2.0')\n", true, "numbers compare as Decimals: 1.50 == 1.5"),
        (lcb_stdin("float-exp", "100 0.001"), "input()\nprint('1e2 1E-3')\n", true, "1e2 == 100 as Decimals"),
        (lcb_stdin("neg-zero", "0"), "input()\nprint('-0.0')\n", true, "-0.0 == 0 as Decimals"),
        (lcb_stdin("float-close", "0.3333333333"), "input()\nprint(1/3)\n", false, "no tolerance: 0.3333333333333333 != 0.3333333333"),
        (lcb_stdin("float-round", "0.333333"), "input()\nprint(f'{1/3:.6f}')\n", true, "the same digits"),
        (lcb_stdin("nan", "nan"), "input()\nprint('nan')\n", true, "equal text passes before any number is read"),
        (lcb_stdin("nan-form", "nan"), "input()\nprint('NaN')\n", false, "as Decimals NaN is never equal"),
        (lcb_stdin("word-vs-number", "YES 1"), "input()\nprint('yes 1')\n", false, "a token that is not a number makes the line text"),
        (lcb_stdin("extra-line", "6"), "n = int(input())\nprint(n * 2)\nprint('debug')\n", false, "an extra line is a mismatched length"),
        (lcb_stdin("exit", "3"), "import sys\nprint(input().strip())\nsys.exit(0)\n", true, "SystemExit ends the case, what was printed counts"),
        (lcb_stdin("raises", "3"), "print(input())\nraise ValueError('no')\n", false, "an exception is a runtime error"),
        (lcb_stdin("buffer", "3"), "import sys\nprint(sys.stdin.buffer.read().decode().strip())\n", true, "stdin has a binary buffer"),
        (lcb_stdin("main-guard", "9"), "def main():\n    n = int(input())\n    print(n * n)\nif __name__ == '__main__':\n    main()\n", true, "the program runs as __main__"),
        (lcb_stdin("prelude", "3"), "print(max(accumulate([1, 2])))\n", true, "LiveCodeBench's imports (itertools *) are there"),
    ]
}

#[test]
fn stdin_outputs_are_judged_by_livecodebench_rules() {
    let fx = Fixture::new();
    let cases = stdin_cases();
    let problems: Vec<Value> = cases.iter().map(|c| c.0.clone()).collect();
    let samples: Vec<Value> = cases
        .iter()
        .map(|c| json!({"task_id": c.0["question_id"], "solution": c.1}))
        .collect();
    let (p, s) = (fx.path("problems.jsonl"), fx.path("samples.jsonl"));
    write_jsonl(&p, &problems);
    write_jsonl(&s, &samples);
    let out = score(&fx, &p, &s, "2");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = read_jsonl(&fx.path("results.jsonl"));
    let mut wrong = Vec::new();
    for ((problem, _, passes, why), r) in cases.iter().zip(&results) {
        if (r["status"] == "passed") != *passes {
            wrong.push(format!(
                "{}: expected {} ({why}), got {} {}",
                problem["question_id"],
                if *passes { "pass" } else { "fail" },
                r["status"],
                r["message"]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let by_id = |id: &str| {
        cases
            .iter()
            .zip(&results)
            .find(|(c, _)| c.0["question_id"] == id)
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(by_id("raises")["tests"][0]["status"], "error");
    let m = by_id("extra-line")["tests"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(m.contains("mismatched output length"), "{m}");
    let m = by_id("float-close")["tests"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(m.contains("wrong answer at line 0"), "{m}");
}

fn score(
    fx: &Fixture,
    problems: &std::path::Path,
    samples: &std::path::Path,
    timeout: &str,
) -> std::process::Output {
    assay()
        .args(["score", "--problems"])
        .arg(problems)
        .arg("--samples")
        .arg(samples)
        .args([
            "--sandbox",
            "process",
            "--jobs",
            "2",
            "--k",
            "1",
            "--timeout",
            timeout,
        ])
        .arg("--output")
        .arg(fx.path("results.jsonl"))
        .arg("--run-dir")
        .arg(fx.path("run"))
        .output()
        .unwrap()
}

#[test]
fn each_pair_is_a_test_with_its_own_time_limit() {
    let fx = Fixture::new();
    // APPS: three pairs; the second loops forever, the third is wrong.
    let problem = json!({
        "problem_id": 7,
        "question": "Print n + 1.",
        "solutions": json!(["print(int(input()) + 1)\n"]).to_string(),
        "input_output": json!({"inputs": ["1\n", "2\n", "3\n"], "outputs": ["2\n", "3\n", "5\n"]}).to_string(),
    });
    let (p, s) = (fx.path("problems.jsonl"), fx.path("samples.jsonl"));
    write_jsonl(&p, &[problem]);
    write_jsonl(
        &s,
        &[
            json!({"task_id": "7", "solution": "print(int(input()) + 1)\n"}),
            json!({"task_id": "7", "solution": "n = int(input())\nwhile n == 2:\n    pass\nprint(n + 1)\n"}),
            json!({"task_id": "7", "solution": "import time\nn = int(input())\ntime.sleep(0.6 if n == 1 else 0)\nprint(n + 1)\n"}),
        ],
    );
    let out = score(&fx, &p, &s, "0.5");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = read_jsonl(&fx.path("results.jsonl"));
    let statuses = |i: usize| -> Vec<String> {
        r[i]["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["status"].as_str().unwrap().to_string())
            .collect()
    };
    // The reference's answer to the third pair is 4, the record says 5: a wrong answer.
    assert_eq!(statuses(0), ["passed", "passed", "failed"]);
    assert_eq!(r[0]["status"], "failed");
    assert_eq!(
        statuses(1)[..2],
        ["passed".to_string(), "timeout".to_string()]
    );
    assert_eq!(r[1]["status"], "timeout");
    // 0.6 s on the first pair is past 0.5 s per test, though within the 1.5 s of all three.
    assert_eq!(statuses(2), ["timeout", "passed", "failed"]);
    // --check-gt-only runs APPS's first solution.
    let out = assay()
        .args(["score", "--check-gt-only", "--problems"])
        .arg(&p)
        .args(["--sandbox", "process", "--timeout", "2", "--output"])
        .arg(fx.path("gt.json"))
        .arg("--run-dir")
        .arg(fx.path("gt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let gt: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path("gt.json")).unwrap()).unwrap();
    assert_eq!(gt["failed_tasks"], json!(["7"]));
    assert_eq!(gt["results"][0]["failing_tests"], json!(["case_2"]));
}

#[test]
fn call_based_problems_compare_returned_values() {
    let fx = Fixture::new();
    let cases = json!([
        {"input": "[1, 2]\n3", "output": "[1, 2, 3]", "testtype": "functional"},
        {"input": "[]\n0", "output": "[0]", "testtype": "functional"},
    ]);
    let problem = json!({
        "question_id": "append",
        "question_content": "Return xs + [x].",
        "starter_code": "class Solution:\n    def append(self, xs, x):\n",
        "public_test_cases": cases.to_string(),
        "metadata": json!({"func_name": "append"}).to_string(),
    });
    let (p, s) = (fx.path("problems.jsonl"), fx.path("samples.jsonl"));
    write_jsonl(&p, &[problem]);
    write_jsonl(
        &s,
        &[
            json!({"task_id": "append", "solution": "class Solution:\n    def append(self, xs: List[int], x):\n        return xs + [x]\n"}),
            json!({"task_id": "append", "solution": "class Solution:\n    def append(self, xs, x):\n        return tuple(xs) + (x,)\n"}),
            json!({"task_id": "append", "solution": "class Solution:\n    def append(self, xs, x):\n        return [x] + xs\n"}),
            json!({"task_id": "append", "solution": "class Solution:\n    def append(self, xs, x):\n        return [float(v) for v in xs + [x]]\n"}),
        ],
    );
    let out = score(&fx, &p, &s, "2");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = read_jsonl(&fx.path("results.jsonl"));
    let status: Vec<&str> = r.iter().map(|x| x["status"].as_str().unwrap()).collect();
    // List from typing is there (LiveCodeBench's imports); a tuple counts as a list; the
    // order matters; 1.0 == 1 as Python compares.
    assert_eq!(status, ["passed", "passed", "failed", "passed"], "{r:?}");
    let t = &r[2]["tests"];
    assert_eq!(t[0]["status"], "failed");
    assert_eq!(t[1]["status"], "passed", "[0] + [] == [0]");
}

#[test]
fn bad_io_records_are_one_line_naming_the_field() {
    let fx = Fixture::new();
    let (p, s) = (fx.path("problems.jsonl"), fx.path("samples.jsonl"));
    let bad = [
        (
            json!({"question_id": "q", "question_content": "x", "public_test_cases": "eJzLSM3JyQcABiwCFQ=="}),
            "public_test_cases",
        ),
        (
            json!({"problem_id": 1, "question": "x", "input_output": json!({"inputs": ["1"], "outputs": []}).to_string()}),
            "input_output",
        ),
    ];
    for (record, field) in bad {
        write_jsonl(&p, &[record]);
        write_jsonl(&s, &[json!({"task_id": "q", "solution": ""})]);
        let out = score(&fx, &p, &s, "1");
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("problems.jsonl:1: {field}: ")),
            "{stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
}

#[test]
fn codecontests_records_run_their_python_solution_as_the_reference() {
    let fx = Fixture::new();
    let problem = json!({
        "name": "1_A. Plus one",
        "description": "Print n + 1.",
        "public_tests": {"input": ["1\n"], "output": ["2\n"]},
        "private_tests": {"input": ["41\n"], "output": ["42\n"]},
        "generated_tests": {"input": [], "output": []},
        "solutions": {"language": [2, 3], "solution": ["int main() {}", "print(int(input()) + 1)"]},
    });
    let (p, s) = (fx.path("problems.jsonl"), fx.path("samples.jsonl"));
    write_jsonl(&p, &[problem]);
    let out = assay()
        .args(["score", "--check-gt-only", "--problems"])
        .arg(&p)
        .args(["--sandbox", "process", "--timeout", "2", "--output"])
        .arg(fx.path("gt.json"))
        .arg("--run-dir")
        .arg(fx.path("gt"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gt: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path("gt.json")).unwrap()).unwrap();
    assert_eq!(gt["passed"], 1);
    write_jsonl(
        &s,
        &[json!({"task_id": "1_A. Plus one", "solution": "print(int(input()) + 2)"})],
    );
    let out = score(&fx, &p, &s, "2");
    assert_eq!(out.status.code(), Some(0));
    let r = read_jsonl(&fx.path("results.jsonl"));
    assert_eq!(r[0]["tests"].as_array().unwrap().len(), 2);
    assert_eq!(r[0]["status"], "failed");
}
