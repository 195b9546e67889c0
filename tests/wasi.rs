//! The wasi backend through the real binary: each verdict of the vocabulary, from the
//! same runner protocol as the process backend. python.wasm comes from
//! `scripts/fetch-python-wasm` (a no-op when it is cached).

mod common;

use common::*;
use serde_json::{json, Value};

fn entry(id: &str, requirements: &[&str]) -> Value {
    json!({"id": id, "domain": "d", "category": "c", "difficulty": "basic",
           "description": "A case.", "prompt": "def f():\n    \"\"\"Returns 1.\"\"\"\n",
           "entry_point": "f", "reference": "def f():\n    return 1\n",
           "requirements": requirements,
           "tests": [{"name": "one", "level": "normal", "code": "assert f() == 1"}]})
}

/// Scores `(id, solution)` pairs on wasi; returns the results in input order.
fn score(cases: &[(&str, &str)], extra: &[&str]) -> Vec<Value> {
    score_with(cases, extra, &[])
}

/// `score` with environment variables for the harness.
fn score_with(cases: &[(&str, &str)], extra: &[&str], envs: &[(&str, &str)]) -> Vec<Value> {
    let fx = Fixture::new();
    let problems: Vec<_> = cases
        .iter()
        .map(|(id, _)| {
            if *id == "needs_numpy" {
                entry(id, &["numpy>=1.20"])
            } else {
                entry(id, &[])
            }
        })
        .collect();
    let samples: Vec<_> = cases
        .iter()
        .map(|(id, s)| json!({"task_id": id, "solution": s}))
        .collect();
    write_jsonl(&fx.path("problems.jsonl"), &problems);
    write_jsonl(&fx.path("samples.jsonl"), &samples);
    let out = assay()
        .env("ASSAY_PYTHON_WASM", python_wasm())
        .envs(envs.iter().copied())
        .args(["score", "--sandbox", "wasi", "--jobs", "2", "--k", "1"])
        .args(["--timeout", "0.5", "--memory", "256", "--format", "json"])
        // The floods must meet the output cap, not the clock.
        .args(["--max-output", "4MiB"])
        .args(extra)
        .arg("--problems")
        .arg(fx.path("problems.jsonl"))
        .arg("--samples")
        .arg(fx.path("samples.jsonl"))
        .arg("--run-dir")
        .arg(fx.path("run"))
        .arg("--output")
        .arg(fx.path("results.jsonl"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "assay failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    read_jsonl(&fx.path("results.jsonl"))
}

fn status(r: &Value) -> &str {
    r["status"].as_str().unwrap()
}

#[test]
fn every_verdict_of_the_vocabulary() {
    every_verdict(&[]);
}

#[test]
fn every_verdict_of_the_vocabulary_without_the_snapshot() {
    // The path a python.wasm that cannot be pre-initialised takes: `_start` per execution.
    every_verdict(&[("ASSAY_WASI_SNAPSHOT", "0")]);
}

fn every_verdict(envs: &[(&str, &str)]) {
    let cases = [
        ("passing", "def f():\n    return 1\n"),
        ("failing", "def f():\n    return 2\n"),
        ("erroring", "def f():\n    raise KeyError('nope')\n"),
        ("looping", "def f():\n    while True:\n        pass\n"),
        ("sleeping", "import time\ntime.sleep(1000)\n"),
        ("exit_zero", "import sys\nsys.exit(0)\n"),
        ("os_exit_zero", "import os\nos._exit(0)\n"),
        ("flood", "while True:\n    print('x' * 1000)\n"),
        (
            "stderr_flood",
            "import sys\nwhile True:\n    sys.stderr.write('y' * 999)\n",
        ),
        (
            "memory",
            "hog = []\nwhile True:\n    hog.append(bytearray(16 << 20))\n",
        ),
        ("needs_numpy", "import numpy\ndef f():\n    return 1\n"),
    ];
    let results = score_with(&cases, &[], envs);
    let got: Vec<(&str, &str)> = cases
        .iter()
        .zip(&results)
        .map(|((id, _), r)| (*id, status(r)))
        .collect();
    assert_eq!(
        got,
        [
            ("passing", "passed"),
            ("failing", "failed"),
            ("erroring", "error"),
            ("looping", "timeout"),
            ("sleeping", "timeout"),
            ("exit_zero", "crashed"),
            ("os_exit_zero", "crashed"),
            ("flood", "output_limit"),
            ("stderr_flood", "output_limit"),
            ("memory", "memory"),
            ("needs_numpy", "unsupported"),
        ],
        "{results:#?}"
    );
    assert_eq!(results[3]["timeout"], "wall");
    assert!(results[10]["message"].as_str().unwrap().contains("numpy"));
    for r in &results {
        assert_eq!(r["backend"], "wasi");
    }
}

#[test]
fn executions_start_from_the_snapshot_not_from_each_other() {
    // Every execution restores the pre-initialised interpreter: what one program changes
    // in modules, builtins, sys, the environment or its /tmp is gone for the next, and
    // the random generators are not shared.
    let mutator = "import math, builtins, sys, os, random, collections, re\n\
                   math.pi = 3\n\
                   builtins.leaked = True\n\
                   sys.modules['leak'] = 1\n\
                   sys.path.insert(0, '/evil')\n\
                   os.environ['LEAK'] = '1'\n\
                   collections.OrderedDict = None\n\
                   re.compile = None\n\
                   sys.setrecursionlimit(50)\n\
                   random.seed(0)\n\
                   open('/tmp/leak', 'w').write('x')\n\
                   sys.modules['assay_runner'].serve = None\n\
                   def f():\n    return 1\n";
    let checker = "import math, builtins, sys, os, collections, re\n\
                   assert math.pi > 3.14\n\
                   assert not hasattr(builtins, 'leaked')\n\
                   assert 'leak' not in sys.modules\n\
                   assert '/evil' not in sys.path\n\
                   assert 'LEAK' not in os.environ\n\
                   assert collections.OrderedDict is not None\n\
                   assert re.compile('a+').match('aa')\n\
                   assert sys.getrecursionlimit() > 50\n\
                   assert not os.path.exists('/tmp/leak')\n\
                   def f():\n    return 1\n";
    let draw = "import random\nraise AssertionError('draw %d' % random.getrandbits(64))\n";
    // Each program differs by a comment: identical requests would run once.
    let mut cases = Vec::new();
    for i in 0..6 {
        for (name, program) in [("mutator", mutator), ("checker", checker), ("draw", draw)] {
            cases.push((format!("{name}{i}"), format!("# {i}\n{program}")));
        }
    }
    let cases: Vec<(&str, &str)> = cases
        .iter()
        .map(|(id, s)| (id.as_str(), s.as_str()))
        .collect();
    let results = score(&cases, &[]);
    let mut draws = std::collections::HashSet::new();
    for ((id, _), r) in cases.iter().zip(&results) {
        if id.starts_with("draw") {
            assert_eq!(status(r), "failed", "{r:#?}");
            assert!(
                draws.insert(r["result"].as_str().unwrap().to_string()),
                "{results:#?}"
            );
        } else {
            assert_eq!(status(r), "passed", "{id}: {r:#?}");
        }
    }
}

#[test]
fn program_output_and_the_runner_channel_stay_apart() {
    // A program that prints on stderr without a newline and forges records cannot pass,
    // and what it printed is kept as its stderr.
    let cases = [
        (
            "passing",
            "import sys\nsys.stderr.write('half a line')\nsys.stderr.flush()\n\
             print('{\"ev\": \"done\", \"nonce\": \"\"}', file=sys.stderr)\n\
             def f():\n    return 1\n",
        ),
        (
            "forger",
            "import sys\nprint('{\"ev\": \"done\", \"nonce\": \"\"}', file=sys.stderr, flush=True)\n\
             import os\nos._exit(0)\n",
        ),
    ];
    let results = score(&cases, &[]);
    assert_eq!(status(&results[0]), "passed", "{results:#?}");
    assert_eq!(status(&results[1]), "crashed", "{results:#?}");
}

#[test]
fn python_wasm_missing_says_what_to_run() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("p.jsonl"), &[add_problem()]);
    write_jsonl(
        &fx.path("s.jsonl"),
        &[json!({"task_id": "Toy/0", "completion": "    return a + b\n"})],
    );
    let out = assay()
        .args([
            "score",
            "--sandbox",
            "wasi",
            "--python-wasm",
            "/nonexistent/python.wasm",
        ])
        .arg("--problems")
        .arg(fx.path("p.jsonl"))
        .arg("--samples")
        .arg(fx.path("s.jsonl"))
        .arg("--run-dir")
        .arg(fx.path("run"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("run scripts/fetch-python-wasm"), "{err}");
}

#[test]
fn deterministic_budget_is_a_cpu_timeout() {
    let cases = [
        ("passing", "def f():\n    return 1\n"),
        ("looping", "def f():\n    while True:\n        pass\n"),
    ];
    let results = score(&cases, &["--deterministic"]);
    assert_eq!(status(&results[0]), "passed", "{results:#?}");
    assert_eq!(status(&results[1]), "timeout", "{results:#?}");
    assert_eq!(results[1]["timeout"], "cpu", "{results:#?}");
}

#[test]
fn chatty_correct_programs_pass() {
    let wasm = python_wasm();
    chatty_programs_pass("wasi", &[("ASSAY_PYTHON_WASM", &wasm)]);
}
