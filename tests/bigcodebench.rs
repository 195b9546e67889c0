//! BigCodeBench tasks: parity with `bigcodebench==0.2.5`'s own evaluator.
//!
//! `tests/bigcodebench/tasks.py` writes 23 BigCodeBench-format tasks (unittest suites over
//! the standard library, and numpy/pandas for the `ml` profile) and 66 samples, right and
//! wrong in various ways. BigCodeBench's evaluator runs them from its cached venv
//! (`scripts/fetch-bigcodebench-venv`) with `--execution local` on the tasks through
//! `BIGCODEBENCH_OVERRIDE_PATH`, offline; `assay score` runs them on the process sandbox.
//! Both tools' output files are read (BigCodeBench's `*_eval_results.json`,
//! `*_pass_at_k.json` and its ground-truth cache; assay's results file, run summary and
//! `--check-gt-only` report) and must agree on every sample's pass/fail, on the failing
//! test names (BigCodeBench's `details` keys, `ALL` for a module that does not load), on
//! the last line of each failure's traceback, on pass@1 and on the failing references.
//!
//! One setting of BigCodeBench's is changed, and said here: its per-suite time limit is
//! `max(TIMEOUT_LIMIT, min_time_limit, ground-truth time) + 1` with `TIMEOUT_LIMIT` 240 s,
//! and the variable meant to lower it (`BIGCODEBENCH_TIMEOUT_PER_TASK`) cannot (it is read
//! as a string and compared with a float: a `TypeError`), so the driver below sets the
//! module constant to 5 s before evaluating (30 s for `--check-gt-only`), and assay runs
//! with `--timeout 6`.
//!
//! Needs `scripts/setup` (the process sandbox and its `ml` venv) and a package registry
//! (the first run of `scripts/fetch-bigcodebench-venv`).

mod common;

use common::{assay, read_jsonl, write_jsonl, Fixture};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// BigCodeBench's `TIMEOUT_LIMIT` for the run, and assay's matching wall limit. Its child
/// must also import matplotlib (`reliability_guard`) and start a `Manager` within the
/// limit + 2 s, so the limit is not lower: under load a right sample would be `timeout`.
const SUITE_LIMIT: &str = "5";
const ASSAY_TIMEOUT: &str = "6";
/// The references of `--check-gt-only` never loop: a limit load cannot reach.
const GT_SUITE_LIMIT: &str = "30";

/// The two runs of BigCodeBench's evaluator, one at a time (each uses both cores).
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `bigcodebench.evaluate.evaluate` as its CLI does (`--execution local
/// --parallel 2`), after lowering its time-limit constant.
const DRIVER: &str = r#"import os, sys
import bigcodebench.eval, bigcodebench.gen.util
limit = float(os.environ["ASSAY_TEST_SUITE_LIMIT"])
bigcodebench.eval.TIMEOUT_LIMIT = limit
bigcodebench.gen.util.TIMEOUT_LIMIT = limit
from bigcodebench.evaluate import evaluate
evaluate(split=sys.argv[1], subset="full", samples=sys.argv[2], execution="local",
         parallel=2, check_gt_only=sys.argv[3] == "gt")
"#;

fn bigcodebench_python() -> String {
    common::venv_python("fetch-bigcodebench-venv")
}

/// The test tasks and samples, written into `dir`.
fn make_tasks(dir: &Path) -> (PathBuf, PathBuf) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bigcodebench/tasks.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir.join("tasks.jsonl"), dir.join("samples.jsonl"))
}

/// Runs BigCodeBench's evaluator on `samples` (or `--check-gt-only`), offline, with its
/// cache in the fixture. Its output goes to files: the `multiprocessing.Manager` servers
/// of executions it kills outlive it and would hold a pipe open. Those leftovers (their
/// command line names this fixture's driver) are killed by pid afterwards.
fn bigcodebench(fx: &Fixture, tasks: &Path, samples: &Path, split: &str, gt: bool) {
    let python = bigcodebench_python();
    let driver = fx.path("bigcodebench_driver.py");
    std::fs::write(&driver, DRIVER).unwrap();
    let log = fx.path(if gt {
        "bigcodebench-gt.log"
    } else {
        "bigcodebench.log"
    });
    let status = Command::new(&python)
        .arg(&driver)
        .arg(split)
        .arg(samples)
        .arg(if gt { "gt" } else { "samples" })
        .current_dir(fx.dir.path())
        .env("BIGCODEBENCH_OVERRIDE_PATH", tasks)
        .env(
            "ASSAY_TEST_SUITE_LIMIT",
            if gt { GT_SUITE_LIMIT } else { SUITE_LIMIT },
        )
        .env("XDG_CACHE_HOME", fx.path("cache"))
        .env("HF_HUB_OFFLINE", "1")
        .env("HF_DATASETS_OFFLINE", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(fx.path("bigcodebench.err")).unwrap())
        .status()
        .unwrap();
    kill_leftovers(&driver);
    assert!(
        status.success(),
        "bigcodebench's evaluator failed:\n{}\n{}",
        std::fs::read_to_string(&log).unwrap_or_default(),
        std::fs::read_to_string(fx.path("bigcodebench.err")).unwrap_or_default()
    );
}

fn kill_leftovers(driver: &Path) {
    let needle = driver.to_string_lossy().into_owned();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(&needle) {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    }
}

fn score(fx: &Fixture, tasks: &Path, samples: &Path, extra: &[&str]) -> std::process::Output {
    assay()
        .args(["score", "--problems"])
        .arg(tasks)
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
            ASSAY_TIMEOUT,
        ])
        .arg("--output")
        .arg(fx.path("assay_results.jsonl"))
        .arg("--run-dir")
        .arg(fx.path("run"))
        .args(extra)
        .output()
        .unwrap()
}

/// The failing test names of one assay result, as BigCodeBench would name them: `ALL` when
/// the module (solution + test module) did not load, else the methods that did not pass
/// (those never run after a time limit are not failures BigCodeBench could name).
fn assay_failing(result: &Value) -> BTreeSet<String> {
    let tests = result["tests"].as_array().unwrap();
    let status = result["status"].as_str().unwrap();
    if status != "passed" && status != "timeout" && tests.iter().all(|t| t["status"] == "not_run") {
        return BTreeSet::from(["ALL".to_string()]);
    }
    tests
        .iter()
        .filter(|t| t["status"] != "passed" && t["status"] != "not_run")
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

fn last_line(trace: &str) -> &str {
    trace
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

#[test]
fn verdicts_and_failing_tests_agree_with_bigcodebench() {
    let _one_at_a_time = HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    let fx = Fixture::new();
    let (tasks, samples) = make_tasks(fx.dir.path());
    bigcodebench(&fx, &tasks, &samples, "complete", false);
    let out = score(
        &fx,
        &tasks,
        &samples,
        &["--split", "complete", "--format", "json"],
    );
    assert!(
        out.status.code() == Some(0),
        "assay score failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let theirs: Value = serde_json::from_str(
        &std::fs::read_to_string(fx.path("samples_eval_results.json")).unwrap(),
    )
    .unwrap();
    let ours = read_jsonl(&fx.path("assay_results.jsonl"));
    let given = read_jsonl(&samples);
    assert_eq!(ours.len(), given.len());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let (mut agree, mut names_agree, mut traces, mut timeouts) = (0, 0, 0, 0);
    let mut differences = Vec::new();
    for (sample, mine) in given.iter().zip(&ours) {
        let task = sample["task_id"].as_str().unwrap();
        let index = seen.entry(task.to_string()).or_insert(0);
        let bcb = &theirs["eval"][task][*index];
        *index += 1;
        assert_eq!(mine["task_id"], task);
        assert_eq!(mine["completion_id"], json!(*index - 1));
        let kind = sample["_kind"].as_str().unwrap();
        let bcb_status = bcb["status"].as_str().unwrap();
        let bcb_pass = bcb_status == "pass";
        let assay_pass = mine["status"] == "passed";
        if bcb_pass != assay_pass {
            differences.push(format!(
                "{task} ({kind}): bigcodebench {bcb_status}, assay {}: {}",
                mine["status"], mine["message"]
            ));
            continue;
        }
        agree += 1;
        if bcb_status == "timeout" {
            // Killed before reporting: BigCodeBench has no names to compare.
            timeouts += 1;
            if mine["status"] != "timeout" {
                differences.push(format!(
                    "{task} ({kind}): bigcodebench timeout, assay {}",
                    mine["status"]
                ));
            }
            continue;
        }
        let details = bcb["details"].as_object().unwrap();
        let bcb_names: BTreeSet<String> = details.keys().cloned().collect();
        let assay_names = assay_failing(mine);
        if bcb_names != assay_names {
            differences.push(format!(
                "{task} ({kind}): bigcodebench fails {bcb_names:?}, assay {assay_names:?}"
            ));
            continue;
        }
        names_agree += 1;
        // The traceback reaches the results: its last line (the exception) is the same.
        for test in mine["tests"].as_array().unwrap() {
            let Some(trace) = details.get(test["name"].as_str().unwrap()) else {
                continue;
            };
            let want = last_line(trace.as_str().unwrap());
            if test["status"] == "timeout" {
                // BigCodeBench's alarm raised in this method; assay stopped the execution.
                if !want.ends_with("TimeoutException: Timed out!") {
                    differences.push(format!(
                        "{task} ({kind}) {}: assay timeout, bigcodebench {want:?}",
                        test["name"]
                    ));
                }
                continue;
            }
            let message = test["message"].as_str().unwrap();
            if !message.contains("Traceback (most recent call last)") || !message.contains(want) {
                differences.push(format!(
                    "{task} ({kind}) {}: bigcodebench's traceback ends {want:?}, assay's message is {message:?}",
                    test["name"]
                ));
            }
            traces += 1;
        }
    }
    eprintln!(
        "{} samples of {} tasks: pass/fail agree on {agree}, failing test names on {names_agree} \
         ({timeouts} timeouts, where bigcodebench names none), {traces} tracebacks compared",
        given.len(),
        seen.len()
    );
    assert!(
        differences.is_empty(),
        "differences:\n{}",
        differences.join("\n")
    );
    assert!(seen.len() >= 20 && traces >= 20);
    // The endless loops: BigCodeBench says `timeout` when it kills the child before it
    // reports, or fails the method its alarm interrupted (load decides which); assay
    // stops the execution either way.
    let stopped = ours.iter().filter(|r| r["status"] == "timeout").count();
    assert_eq!(stopped, 2);
    let passing = ours.iter().filter(|r| r["status"] == "passed").count();
    assert!(
        passing > 20 && passing < ours.len() - 20,
        "{passing} passing: the set tells apart little"
    );

    // pass@1, from both tools' files.
    let theirs: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path("samples_pass_at_k.json")).unwrap())
            .unwrap();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path("run/summary.json")).unwrap())
            .unwrap();
    let (a, b) = (
        theirs["pass@1"].as_f64().unwrap(),
        summary["pass_at_k"]["pass@1"].as_f64().unwrap(),
    );
    assert!((a - b).abs() < 1e-12, "pass@1: bigcodebench {a}, assay {b}");
    // The split is recorded as given.
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["split"], "complete");
}

#[test]
fn check_gt_only_lists_the_failing_references_as_bigcodebench_does() {
    let _one_at_a_time = HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    let fx = Fixture::new();
    let (tasks, samples) = make_tasks(fx.dir.path());
    bigcodebench(&fx, &tasks, &samples, "complete", true);
    // BigCodeBench keeps each reference's time (None: it failed) in its cache, named by
    // the dataset's md5.
    let python = bigcodebench_python();
    let read = Command::new(&python)
        .args([
            "-c",
            "import hashlib, json, pickle, sys\n\
             h = hashlib.md5(open(sys.argv[1], 'rb').read()).hexdigest()\n\
             t = pickle.load(open(sys.argv[2] + '/bigcodebench/' + h + '.pkl', 'rb'))\n\
             print(json.dumps(sorted(k for k, v in t.items() if v is None)))",
        ])
        .arg(&tasks)
        .arg(fx.path("cache"))
        .output()
        .unwrap();
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let theirs: Vec<String> = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(theirs, ["BigCodeBenchTest/16"]);

    let out = assay()
        .args(["score", "--check-gt-only", "--problems"])
        .arg(&tasks)
        .args([
            "--sandbox",
            "process",
            "--jobs",
            "2",
            "--timeout",
            ASSAY_TIMEOUT,
        ])
        .arg("--output")
        .arg(fx.path("gt.json"))
        .arg("--run-dir")
        .arg(fx.path("gt-run"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path("gt.json")).unwrap()).unwrap();
    let ours: Vec<String> = serde_json::from_value(report["failed_tasks"].clone()).unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(report["tasks"], 23);
    assert_eq!(report["passed"], 22);
    let t16 = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["task_id"] == "BigCodeBenchTest/16")
        .unwrap();
    assert_eq!(t16["failing_tests"], json!(["test_three"]));
}

/// A BigCodeBench record as the released dataset has it (`libs` a Python list's text).
fn record(id: &str, libs: &str, code_prompt: &str, body: &str, test: &str) -> Value {
    json!({
        "task_id": id,
        "complete_prompt": code_prompt,
        "instruct_prompt": "Write it.",
        "canonical_solution": body,
        "code_prompt": code_prompt,
        "test": test,
        "entry_point": "task_func",
        "libs": libs,
    })
}

#[test]
fn a_library_no_profile_has_makes_the_task_unsupported_and_named() {
    let fx = Fixture::new();
    let test = "import unittest\nclass TestCases(unittest.TestCase):\n    def test_one(self):\n        self.assertEqual(task_func(), 1)\n";
    let tasks = fx.path("tasks.jsonl");
    write_jsonl(
        &tasks,
        &[
            record(
                "T/plot",
                "['matplotlib', 'numpy']",
                "import matplotlib\ndef task_func():\n",
                "    return 1\n",
                test,
            ),
            record(
                "T/ml",
                "['numpy', 'random']",
                "import numpy as np\ndef task_func():\n",
                "    return int(np.ones(1)[0])\n",
                test,
            ),
            record(
                "T/std",
                "['random', 'os.path']",
                "def task_func():\n",
                "    return 1\n",
                test,
            ),
        ],
    );
    let samples = fx.path("samples.jsonl");
    write_jsonl(
        &samples,
        &[
            json!({"task_id": "T/plot", "completion": "    return 1\n"}),
            json!({"task_id": "T/ml", "completion": "    return int(np.ones(1)[0])\n"}),
            json!({"task_id": "T/std", "completion": "    return 1\n"}),
        ],
    );
    let out = score(&fx, &tasks, &samples, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = read_jsonl(&fx.path("assay_results.jsonl"));
    assert_eq!(results[0]["status"], "unsupported");
    let message = results[0]["message"].as_str().unwrap();
    assert!(message.contains("matplotlib"), "{message}");
    assert_eq!(results[1]["status"], "passed", "{}", results[1]);
    assert_eq!(results[2]["status"], "passed", "{}", results[2]);
}

#[test]
fn a_bad_record_is_one_line_naming_file_line_and_field() {
    let fx = Fixture::new();
    let tasks = fx.path("tasks.jsonl");
    let ok = record("T/0", "[]", "def task_func():\n", "    return 1\n", "import unittest\nclass TestCases(unittest.TestCase):\n    def test_one(self):\n        pass\n");
    let cases = [
        (record("T/1", "[]", "def task_func():\n", "    return 1\n", "import unittest\nclass Tests(unittest.TestCase):\n    def test_one(self):\n        pass\n"), "test", "no class TestCases"),
        (record("T/1", "numpy", "def task_func():\n", "    return 1\n", "class TestCases:\n    def test_a(self): pass\n"), "libs", "not a list of import names"),
        (json!({"task_id": "T/1", "complete_prompt": "x", "code_prompt": "x"}), "instruct_prompt", "missing field"),
    ];
    for (bad, field, why) in cases {
        write_jsonl(&tasks, &[ok.clone(), bad]);
        let samples = fx.path("samples.jsonl");
        write_jsonl(
            &samples,
            &[json!({"task_id": "T/0", "completion": "    return 1\n"})],
        );
        let validate = assay().arg("validate").arg(&tasks).output().unwrap();
        for out in [score(&fx, &tasks, &samples, &[]), validate] {
            assert_eq!(out.status.code(), Some(2));
            let stderr = String::from_utf8_lossy(&out.stderr);
            let want = format!("tasks.jsonl:2: {field}: ");
            assert!(stderr.contains(&want) && stderr.contains(why), "{stderr}");
            assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        }
    }
    write_jsonl(&tasks, &[ok]);
    let out = assay().arg("validate").arg(&tasks).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 entries valid"));
}
