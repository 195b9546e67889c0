//! Nightly regression runs through the real binary: run records, `runs list`, `compare`
//! and its gate on a planted regression in HumanEval, flaky tasks, `--retry-failed`, and
//! `report`. Verdicts the gate must name are checked against the results files, read here.

mod common;

use common::{add_problem, assay, human_eval_data, read_jsonl, write_jsonl, xmllint, Fixture};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The tasks broken in the current run: their completion returns None.
const PLANTED: [&str; 8] = [
    "HumanEval/3",
    "HumanEval/10",
    "HumanEval/42",
    "HumanEval/77",
    "HumanEval/100",
    "HumanEval/120",
    "HumanEval/150",
    "HumanEval/163",
];

/// Canonical completions for every HumanEval task, with `broken` ones returning None.
fn samples(problems: &Path, broken: &[&str]) -> Vec<Value> {
    assay::entry::load_problems(problems)
        .unwrap()
        .into_iter()
        .map(|p| {
            let completion = if broken.contains(&p.id.as_str()) {
                "    return None\n".to_string()
            } else {
                p.reference[p.prompt.len()..].to_string()
            };
            json!({"task_id": p.id, "completion": completion})
        })
        .collect()
}

fn score(fx: &Fixture, problems: &Path, samples: &str, run: &str, extra: &[&str]) -> PathBuf {
    let dir = fx.path("runs").join(run);
    let out = assay()
        .args(["score", "--problems"])
        .arg(problems)
        .arg("--samples")
        .arg(fx.path(samples))
        .args(["--jobs", "2", "--k", "1"])
        .args(extra)
        .arg("--run-dir")
        .arg(&dir)
        .arg("--output")
        .arg(fx.path(&format!("{run}.results.jsonl")))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "score {run}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn compare(a: &Path, b: &Path, args: &[&str]) -> Output {
    assay()
        .arg("compare")
        .arg(a)
        .arg(b)
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Tasks that passed in `a`'s results and not in `b`'s (one sample per task).
fn newly_failing(a: &Path, b: &Path) -> Vec<String> {
    let pass = |p: &Path| -> BTreeSet<String> {
        read_jsonl(&p.join("results.jsonl"))
            .iter()
            .filter(|r| r["passed"] == json!(true))
            .map(|r| r["task_id"].as_str().unwrap().to_string())
            .collect()
    };
    let (pa, pb) = (pass(a), pass(b));
    let mut out: Vec<String> = pa.difference(&pb).cloned().collect();
    let num = |t: &String| t.rsplit('/').next().unwrap().parse::<u32>().unwrap();
    out.sort_by_key(num);
    out
}

#[test]
fn a_planted_regression_fails_the_gate_and_names_exactly_its_tasks() {
    let fx = Fixture::new();
    let he = human_eval_data();
    write_jsonl(&fx.path("base.jsonl"), &samples(&he, &[]));
    write_jsonl(&fx.path("broken.jsonl"), &samples(&he, &PLANTED));
    let base = score(&fx, &he, "base.jsonl", "1-base", &[]);
    let cur = score(&fx, &he, "broken.jsonl", "2-broken", &[]);

    // The run directory describes the run.
    for f in [
        "journal.jsonl",
        "results.jsonl",
        "summary.json",
        "meta.json",
    ] {
        assert!(base.join(f).is_file(), "{f} missing in the run directory");
    }
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(cur.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["kind"], "score");
    assert_eq!(meta["backend"]["name"], "process");
    assert!(
        meta["backend"]["fingerprint"]
            .as_str()
            .unwrap()
            .contains("python"),
        "{meta}"
    );
    assert_eq!(meta["limits"]["timeout_secs"], 3.0);
    assert_eq!(meta["jobs"], 2);
    assert_eq!(meta["benchmark"]["count"], 164);
    assert_eq!(meta["samples"]["count"], 164);
    assert!(meta["host"]["cores"].as_u64().unwrap() >= 1);
    assert!(meta["host"]["kernel"]
        .as_str()
        .unwrap()
        .starts_with("Linux"));
    assert!(meta["command"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "--run-dir"));
    assert!(meta["started"].as_str().unwrap() <= meta["ended"].as_str().unwrap());
    let head = std::process::Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| text(&o.stdout).trim().to_string());
    if let Some(head) = head {
        assert_eq!(
            meta["git_commit"].as_str(),
            Some(head.as_str()),
            "commit embedded at build time"
        );
    }
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(cur.join("summary.json")).unwrap()).unwrap();
    let rows = read_jsonl(&cur.join("results.jsonl"));
    assert_eq!(
        rows,
        read_jsonl(&fx.path("2-broken.results.jsonl")),
        "a copy of the results"
    );
    let passed = rows.iter().filter(|r| r["passed"] == json!(true)).count();
    assert_eq!(passed, 164 - PLANTED.len());
    assert!(
        (summary["pass_at_k"]["pass@1"].as_f64().unwrap() - passed as f64 / 164.0).abs() < 1e-12
    );
    assert_eq!(summary["by_status"]["failed"], PLANTED.len());
    assert_eq!(summary["per_task"].as_array().unwrap().len(), 164);
    assert!(summary["timing"]["wall_ms"]["p90"].as_f64().unwrap() > 0.0);

    // The gate fails and names exactly the planted tasks (which the results confirm).
    assert_eq!(newly_failing(&base, &cur), PLANTED);
    let out = compare(&base, &cur, &["--fail-on-regression", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["gate"]["culprits"], json!(PLANTED));
    assert_eq!(c["regressed_tasks"], json!(PLANTED));
    assert_eq!(c["test"]["method"], "mcnemar_exact");
    assert_eq!(c["test"]["pass_to_fail"], 8);
    assert_eq!(c["test"]["fail_to_pass"], 0);
    assert!((c["test"]["p_value"].as_f64().unwrap() - 2.0 / 256.0).abs() < 1e-12);
    let delta = &c["pass_at_k"][0];
    assert!((delta["delta"].as_f64().unwrap() + 8.0 / 164.0).abs() < 1e-12);
    assert!(delta["ci_low"].as_f64().unwrap() < delta["delta"].as_f64().unwrap());
    assert!(
        delta["ci_high"].as_f64().unwrap() < 0.0,
        "the interval excludes 0: {delta}"
    );
    let flips = c["flips"].as_array().unwrap();
    assert_eq!(flips.len(), 8);
    assert!(flips
        .iter()
        .all(|f| f["test"] == "check" && f["current"] == "failed"));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for t in PLANTED {
        assert!(
            stderr.contains(&format!("{t},")) || stderr.trim_end().ends_with(t),
            "{t} not named: {stderr}"
        );
    }
    // The same comparison is reproducible (seeded bootstrap).
    let again = compare(&base, &cur, &["--fail-on-regression", "--format", "json"]);
    assert_eq!(again.stdout, out.stdout);
    // A tolerated drop passes.
    let out = compare(&base, &cur, &["--fail-on-regression", "--max-drop", "0.1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    // The same samples again: no regression.
    let rerun = score(&fx, &he, "base.jsonl", "3-rerun", &[]);
    let out = compare(&base, &rerun, &["--fail-on-regression"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("identical samples"));

    // Another --timeout: refused, naming the limit, unless --allow-mismatch.
    let t5 = score(&fx, &he, "base.jsonl", "4-timeout5", &["--timeout", "5"]);
    let out = compare(&base, &t5, &["--fail-on-regression"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("limits.timeout_secs differs: 3.0 vs 5.0") && err.contains("--allow-mismatch"),
        "{err}"
    );
    let out = compare(
        &base,
        &t5,
        &[
            "--fail-on-regression",
            "--allow-mismatch",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["mismatch_allowed"], true);

    // --must-pass: a listed task that fails is named (the significance gate off).
    std::fs::write(
        fx.path("must.txt"),
        "# critical\nHumanEval/0\nHumanEval/42  # planted\n",
    )
    .unwrap();
    let out = compare(
        &base,
        &cur,
        &["--fail-on-regression", "--alpha", "0", "--must-pass"],
    );
    assert_eq!(out.status.code(), Some(2), "--must-pass needs its file");
    let must = fx.path("must.txt");
    let must = must.to_str().unwrap();
    let out = compare(
        &base,
        &cur,
        &[
            "--fail-on-regression",
            "--alpha",
            "0",
            "--must-pass",
            must,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["gate"]["culprits"], json!(["HumanEval/42"]));
    std::fs::write(fx.path("typo.txt"), "HumanEval/0\nHumanEval/9999\n").unwrap();
    let out = compare(
        &base,
        &cur,
        &[
            "--fail-on-regression",
            "--must-pass",
            fx.path("typo.txt").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("typo.txt:2: task_id"),
        "{}",
        text(&out.stderr)
    );

    // Identical code whose verdict flipped (here: a results line edited to fail) is flaky:
    // listed apart, not a culprit.
    let flaky = fx.path("runs").join("5-flaky");
    std::fs::create_dir_all(&flaky).unwrap();
    for f in ["meta.json", "summary.json"] {
        std::fs::copy(cur.join(f), flaky.join(f)).unwrap();
    }
    let rows: Vec<Value> = read_jsonl(&cur.join("results.jsonl"))
        .into_iter()
        .map(|mut r| {
            if r["task_id"] == "HumanEval/7" {
                r["passed"] = json!(false);
                r["status"] = json!("timeout");
                r["result"] = json!("timed out");
            }
            r
        })
        .collect();
    write_jsonl(&flaky.join("results.jsonl"), &rows);
    let out = compare(&base, &flaky, &["--fail-on-regression", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        c["gate"]["culprits"],
        json!(PLANTED),
        "the flaky task is not a culprit"
    );
    assert_eq!(c["flaky"][0]["task_id"], "HumanEval/7");
    assert_eq!(c["flaky"].as_array().unwrap().len(), 1);
    assert_eq!(
        c["test"]["tasks"], 163,
        "the flaky task is left out of the test"
    );

    // Results files compare too (no meta: a note says what cannot be checked).
    let out = compare(
        &fx.path("1-base.results.jsonl"),
        &fx.path("2-broken.results.jsonl"),
        &["--fail-on-regression"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("cannot be checked"),
        "{}",
        text(&out.stdout)
    );

    // runs list: newest first.
    let out = assay()
        .args(["runs", "list"])
        .arg(fx.path("runs"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let order: Vec<&str> = ["5-flaky", "4-timeout5", "3-rerun", "2-broken", "1-base"]
        .into_iter()
        .filter(|n| table.contains(n))
        .collect();
    assert_eq!(order.len(), 5, "{table}");
    let pos = |n: &str| table.find(n).unwrap();
    assert!(
        pos("4-timeout5") < pos("3-rerun")
            && pos("3-rerun") < pos("2-broken")
            && pos("2-broken") < pos("1-base"),
        "{table}"
    );
    assert!(
        table.contains("0.9512") && table.contains("1.0000"),
        "{table}"
    );
    let out = assay()
        .args(["runs", "list", "--format", "json"])
        .arg(fx.path("runs"))
        .output()
        .unwrap();
    let runs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let starts: Vec<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meta"]["started"].as_str().unwrap())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(starts, sorted);
    let out = assay()
        .args(["runs", "list"])
        .arg(fx.path("nowhere"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    // Reports for CI.
    let out = assay()
        .arg("report")
        .arg(&cur)
        .arg("--baseline")
        .arg(&base)
        .arg("--history")
        .arg(fx.path("runs"))
        .arg("--html")
        .arg(fx.path("r.html"))
        .arg("--junit")
        .arg(fx.path("r.xml"))
        .arg("--markdown")
        .arg(fx.path("r.md"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    xmllint(&fx.path("r.xml")).unwrap();
    let xml = std::fs::read_to_string(fx.path("r.xml")).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 164);
    assert_eq!(xml.matches("<failure ").count(), 8);
    let md = std::fs::read_to_string(fx.path("r.md")).unwrap();
    // minijinja's HTML escaping writes `/` as `&#x2f;`.
    let html = std::fs::read_to_string(fx.path("r.html"))
        .unwrap()
        .replace("&#x2f;", "/");
    for t in PLANTED {
        assert!(md.contains(&format!("| {t} |")), "{t} not in the Markdown");
        assert!(html.contains(t), "{t} not in the HTML");
        assert!(xml.contains(&format!("name=\"{t}\"")));
    }
    assert!(html.contains("Flips (8)"));
    let out = assay().arg("report").arg(&cur).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "no output asked for");
}

#[test]
fn retry_failed_reports_unstable_and_load_sensitive_verdicts() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    let mut samples = vec![
        json!({"task_id": "Toy/0", "completion": "    return a + b\n"}),
        json!({"task_id": "Toy/0", "completion": "    return a - b\n"}),
    ];
    // Half of these fail, independently per execution (one draw per execution: the check
    // calls the function twice); half of the others time out.
    let draw = "    import random\n    if not hasattr(random, 'draw'):\n        random.draw = random.random() < 0.5\n    if random.draw:\n";
    for i in 0..12 {
        samples.push(json!({"task_id": "Toy/0", "completion": format!(
            "{draw}        raise ValueError('unlucky {i}')\n    return a + b\n")}));
    }
    for i in 0..6 {
        samples.push(json!({"task_id": "Toy/0", "completion": format!(
            "{draw}        while True:\n            pass  # {i}\n    return a + b\n")}));
    }
    write_jsonl(&fx.path("samples.jsonl"), &samples);
    let run = |dir: &str, retries: &str| -> (Vec<Value>, Value, PathBuf) {
        let run_dir = fx.path(dir);
        let out = assay()
            .args(["score", "--problems"])
            .arg(fx.path("problems.jsonl"))
            .arg("--samples")
            .arg(fx.path("samples.jsonl"))
            .args([
                "--jobs",
                "2",
                "--timeout",
                "1",
                "--k",
                "1",
                "--retry-failed",
                retries,
            ])
            .arg("--run-dir")
            .arg(&run_dir)
            .arg("--output")
            .arg(fx.path(&format!("{dir}.jsonl")))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(run_dir.join("summary.json")).unwrap())
                .unwrap();
        (
            read_jsonl(&fx.path(&format!("{dir}.jsonl"))),
            summary,
            run_dir,
        )
    };
    let (rows, summary, run_dir) = run("retried", "16");
    assert!(
        rows[0].get("stability").is_none(),
        "a pass is not retried: {}",
        rows[0]
    );
    assert_eq!(rows[1]["stability"], "stable");
    let r1 = rows[1]["retries"].as_array().unwrap();
    assert_eq!(r1.len(), 16);
    assert!(r1.iter().all(|r| r["status"] == "failed"));
    let (mut unstable, mut load_sensitive) = (0, 0);
    for r in &rows[2..] {
        let first = r["status"].as_str().unwrap();
        if first == "passed" {
            assert!(r.get("stability").is_none(), "{r}");
            continue;
        }
        // The first verdict is kept; the retries ran until one differed (then stopped).
        assert_eq!(r["passed"], false);
        let tries = r["retries"].as_array().unwrap();
        let last = tries.last().unwrap()["status"].as_str().unwrap();
        assert_ne!(last, first, "16 retries never changed {r}");
        assert!(
            tries[..tries.len() - 1]
                .iter()
                .all(|t| t["status"] == first),
            "{r}"
        );
        match (first, last) {
            ("timeout", "passed") => {
                assert_eq!(r["stability"], "load_sensitive", "{r}");
                load_sensitive += 1;
            }
            _ => {
                assert_eq!(r["stability"], "unstable", "{r}");
                unstable += 1;
            }
        }
    }
    assert!(unstable + load_sensitive > 0, "no sample failed first");
    assert_eq!(summary["stability"]["unstable"], unstable);
    assert_eq!(summary["stability"]["load_sensitive"], load_sensitive);
    assert_eq!(summary["stability"]["stable"], 1);
    assert_eq!(
        summary["unstable"].as_array().unwrap().len(),
        unstable + load_sensitive
    );
    // pass@1 counts first verdicts only.
    let passed = rows.iter().filter(|r| r["passed"] == json!(true)).count();
    assert!(
        (summary["pass_at_k"]["pass@1"].as_f64().unwrap() - passed as f64 / rows.len() as f64)
            .abs()
            < 1e-12
    );

    // Resume: the same command replays every verdict and every retry from the journal.
    let (again, _, _) = run("retried", "16");
    let strip = |rows: &[Value]| -> Vec<(Value, Value)> {
        rows.iter()
            .map(|r| {
                (
                    r["status"].clone(),
                    r["retries"]
                        .as_array()
                        .map(|t| t.iter().map(|x| x["status"].clone()).collect::<Vec<_>>())
                        .into(),
                )
            })
            .collect()
    };
    assert_eq!(strip(&again), strip(&rows));

    // Against a run of the same samples, the unstable task is flaky, not a regression.
    let (_, _, plain) = run("plain", "0");
    let out = compare(
        &plain,
        &run_dir,
        &["--fail-on-regression", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["flaky"][0]["task_id"], "Toy/0", "{c}");
    assert_eq!(c["regressed_tasks"], json!([]));
}

/// A results line as `score` writes it (only the fields compare reads).
fn row(task: &str, id: usize, passed: bool, code: &str) -> Value {
    json!({"task_id": task, "completion_id": id, "passed": passed,
           "result": if passed { "passed".to_string() } else { "failed: AssertionError".to_string() },
           "status": if passed { "passed" } else { "failed" },
           "tests": [{"name": "check", "level": "correctness", "status": if passed { "passed" } else { "failed" }}],
           "wall_ms": 5.0, "completion": code})
}

#[test]
fn several_samples_per_task_use_the_permutation_test() {
    let fx = Fixture::new();
    // 20 tasks x 5 samples; in the current run tasks 0-5 lose 3 of 5 samples (new code),
    // task 19 loses one sample on identical code (flaky).
    let (mut base, mut cur) = (Vec::new(), Vec::new());
    for t in 0..20 {
        let task = format!("T/{t}");
        for i in 0..5 {
            base.push(row(&task, i, true, "old"));
            let broken = t < 6 && i < 3;
            let flaky = t == 19 && i == 4;
            cur.push(row(
                &task,
                i,
                !broken && !flaky,
                if broken { "new" } else { "old" },
            ));
        }
    }
    write_jsonl(&fx.path("base.jsonl"), &base);
    write_jsonl(&fx.path("cur.jsonl"), &cur);
    let out = compare(
        &fx.path("base.jsonl"),
        &fx.path("cur.jsonl"),
        &["--fail-on-regression", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["test"]["method"], "sign_flip_permutation");
    assert_eq!(c["test"]["resampling"], "exact");
    assert_eq!(c["test"]["tasks"], 19);
    // Six equal drops among 19 tasks: 2 of the 2^6 sign assignments are as extreme.
    assert!(
        (c["test"]["p_value"].as_f64().unwrap() - 2.0 / 64.0).abs() < 1e-12,
        "{}",
        c["test"]
    );
    let planted: Vec<String> = (0..6).map(|t| format!("T/{t}")).collect();
    assert_eq!(c["gate"]["culprits"], json!(planted));
    assert_eq!(
        c["flaky"],
        json!([{"task_id": "T/19", "reason": "verdict changed on identical code and tests"}])
    );
    // pass@1 fell by 19 failing samples of 100 (the flaky one included: it is a sample).
    let d1 = &c["pass_at_k"][0];
    assert!(
        (d1["delta"].as_f64().unwrap() - (-(6.0 * 3.0 + 1.0) / 100.0)).abs() < 1e-12,
        "{d1}"
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("ok.jsonl"), &[row("T/0", 0, true, "x")]);
    std::fs::write(
        fx.path("bad.jsonl"),
        format!("{}\n{{\"task_id\": \"T/0\"}}\n", row("T/0", 0, true, "x")),
    )
    .unwrap();
    std::fs::create_dir(fx.path("empty-dir")).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                fx.path("ok.jsonl").display().to_string(),
                fx.path("missing.jsonl").display().to_string(),
            ],
            "missing.jsonl",
        ),
        (
            vec![
                fx.path("ok.jsonl").display().to_string(),
                fx.path("bad.jsonl").display().to_string(),
            ],
            "bad.jsonl:2: passed",
        ),
        (
            vec![
                fx.path("ok.jsonl").display().to_string(),
                fx.path("empty-dir").display().to_string(),
            ],
            "is not a run directory",
        ),
        (
            vec![
                fx.path("ok.jsonl").display().to_string(),
                fx.path("ok.jsonl").display().to_string(),
                "--alpha".into(),
                "2".into(),
            ],
            "--alpha",
        ),
    ];
    for (args, needle) in cases {
        let out = assay().arg("compare").args(&args).output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
