//! `assay curate` end to end through the binary and the process sandbox: a mixed input
//! where each broken entry must be rejected at the right stage, for the right reason.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn entry(id: &str, reference: &str, tests: &[(&str, &str, &str)]) -> Value {
    json!({"id": id, "domain": "math", "category": "arith", "difficulty": "basic",
           "description": format!("Task {id}."), "prompt": format!("def {id}_fn(a, b):\n    \"\"\"Task {id} with its own words {id}.\"\"\"\n"),
           "entry_point": "f", "reference": reference,
           "tests": tests.iter().map(|(n, l, c)| json!({"name": n, "level": l, "code": c})).collect::<Vec<_>>()})
}

const ADD: &str = "def f(a, b):\n    total = a + b\n    return total\n";
const SKILL: &str = r#""""Reverse the words of a sentence.

Write `reverse_words(s)` returning the words of `s` in reverse order, joined by one space.
"""
# assay: domain = nlp
# assay: category = text
# assay: difficulty = basic


def reverse_words(s: str) -> str:
    """Return the words of s in reverse order."""
    return " ".join(reversed(s.split()))


def test_normal_two_words():
    assert reverse_words("a b") == "b a"


def test_edge_case_empty():
    assert reverse_words("") == ""


def test_correctness_spaces():
    assert reverse_words("  x   y ") == "y x"
"#;

#[test]
fn mixed_input_is_rejected_stage_by_stage() {
    let fx = Fixture::new();
    let ok_tests = [
        ("t_normal", "normal", "assert f(1, 2) == 3"),
        ("t_edge", "edge_case", "assert f(0, 0) == 0"),
        ("t_corr", "correctness", "assert f(-1, 1) == 0"),
    ];
    let mut bad_schema = entry("bad_schema", ADD, &ok_tests);
    bad_schema["difficulty"] = json!("impossible");
    let mut unsupported = entry("needs_torch", ADD, &ok_tests);
    unsupported["requirements"] = json!(["torch"]);
    let rows = [
        entry("good_add", ADD, &ok_tests),
        bad_schema,
        entry("syntax_error", "def f(a, b)\n    return a + b\n", &ok_tests),
        entry(
            "denied_import",
            "import subprocess\n\ndef f(a, b):\n    return a + b\n",
            &ok_tests,
        ),
        entry(
            "wrong_answer",
            "def f(a, b):\n    return a - b\n",
            &ok_tests,
        ),
        // The same code as good_add with other names: a near-duplicate.
        entry(
            "renamed_add",
            "def f(x, y):\n    s = x + y\n    return s\n",
            &ok_tests,
        ),
        entry("good_add", "def f(a, b):\n    return b + a\n", &ok_tests),
        unsupported,
    ];
    let mut text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    text.push_str("{\"id\": \"broken_json\", \n");
    std::fs::write(fx.path("mixed.jsonl"), text).unwrap();
    std::fs::create_dir(fx.path("skills")).unwrap();
    std::fs::write(fx.path("skills/reverse_words.py"), SKILL).unwrap();
    std::fs::write(
        fx.path("skills/no_header.py"),
        SKILL.replace("# assay: domain = nlp\n", ""),
    )
    .unwrap();

    let out = assay()
        .arg("curate")
        .arg(fx.path("mixed.jsonl"))
        .arg(fx.path("skills"))
        .arg("-o")
        .arg(fx.path("curated.jsonl"))
        .arg("--report")
        .arg(fx.path("report"))
        .arg("--run-dir")
        .arg(fx.path("run"))
        .args(["--repeats", "8", "--jobs", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );

    let kept: Vec<String> = read_jsonl(&fx.path("curated.jsonl"))
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kept, ["good_add", "reverse_words"]);

    let rejected: BTreeMap<String, (String, String)> =
        read_jsonl(&fx.path("report/rejected.jsonl"))
            .iter()
            .map(|r| {
                let key = format!(
                    "{}@{}",
                    r["id"].as_str().unwrap(),
                    r["origin"].as_str().unwrap().rsplit('/').next().unwrap()
                );
                (
                    key,
                    (
                        r["stage"].as_str().unwrap().to_string(),
                        r["reason"].as_str().unwrap().to_string(),
                    ),
                )
            })
            .collect();
    let expect = [
        ("bad_schema@mixed.jsonl:2", "schema", "difficulty"),
        ("syntax_error@mixed.jsonl:3", "syntax", "reference line 1"),
        (
            "denied_import@mixed.jsonl:4",
            "policy",
            "reference line 1: imports denied module subprocess",
        ),
        (
            "wrong_answer@mixed.jsonl:5",
            "execution",
            "1/3 tests pass; t_normal failed: AssertionError",
        ),
        (
            "renamed_add@mixed.jsonl:6",
            "duplicate",
            "same normalized reference as good_add",
        ),
        (
            "good_add@mixed.jsonl:7",
            "schema",
            "duplicate id \"good_add\"",
        ),
        ("needs_torch@mixed.jsonl:8", "unsupported", "torch"),
        ("@mixed.jsonl:9", "schema", "malformed JSON"),
        ("no_header@no_header.py", "schema", "domain: missing"),
    ];
    assert_eq!(rejected.len(), expect.len(), "{rejected:#?}");
    for (key, stage, needle) in expect {
        let (got_stage, reason) = rejected
            .get(key)
            .unwrap_or_else(|| panic!("{key} not rejected: {rejected:#?}"));
        assert_eq!(got_stage, stage, "{key}: {reason}");
        assert!(
            reason.contains(needle),
            "{key}: {reason:?} lacks {needle:?}"
        );
    }

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path("report/report.json")).unwrap())
            .unwrap();
    let funnel: Vec<(String, u64)> = report["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["stage"].as_str().unwrap().to_string(),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let counts: Vec<u64> = funnel.iter().map(|(_, c)| *c).collect();
    // 11 inputs; 4 fail schema (bad, dup id, broken JSON, no header); 1 syntax; 1 policy;
    // of 5 run: torch unsupported; the wrong answer passes some; 3 pass all; 1 dup. (The
    // flake check is the scripted curation's, src/curate/tests.rs: deterministic.)
    assert_eq!(counts, [11, 6, 5, 4, 3, 2], "{funnel:?}");
    assert_eq!(report["repeats"], 8);
    for name in ["report.md", "report.html"] {
        let text = std::fs::read_to_string(fx.path("report").join(name)).unwrap();
        assert!(text.contains("good_add") || name == "report.html", "{name}");
        assert!(text.len() > 500, "{name} is too small");
    }
    assert!(stdout.contains("after dedupe"), "{stdout}");

    // The run directory records the reference runs: 5 entries reached the sandbox, 8 times.
    let run = fx.path("run");
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["kind"], "curate");
    assert_eq!(meta["benchmark"]["count"], 5);
    let rows = read_jsonl(&run.join("results.jsonl"));
    assert_eq!(rows.len(), 5 * 8);
    assert!(rows.iter().all(|r| r["repeat"].as_u64().unwrap() < 8));
    let wrong: Vec<&Value> = rows
        .iter()
        .filter(|r| r["task_id"] == "wrong_answer")
        .collect();
    assert!(wrong.iter().all(|r| r["status"] == "failed"), "{wrong:?}");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["samples"], 40);
    assert_eq!(summary["by_status"]["unsupported"], 8);
    let levels: Vec<&str> = summary["by_level"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["normal", "edge_case", "correctness"]);
    assert!(summary["by_domain"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["domain"] == "nlp"));
    // Its JUnit report has a case per task and per test, and validates.
    let out = assay()
        .arg("report")
        .arg(&run)
        .arg("--junit")
        .arg(fx.path("curate.xml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    xmllint(&fx.path("curate.xml")).unwrap();
    let xml = std::fs::read_to_string(fx.path("curate.xml")).unwrap();
    assert!(
        xml.contains("name=\"wrong_answer::t_normal\" classname=\"wrong_answer\""),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped message=\"8 sample(s) unsupported"),
        "{xml}"
    );
}
