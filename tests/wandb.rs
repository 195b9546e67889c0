//! Experiment tracking through the real wandb SDK (the venv of `scripts/fetch-wandb-venv`),
//! offline (`WANDB_MODE=offline`, `WANDB_DIR` in a temp dir, no network): what `score`,
//! `compare` and `curate` logged is read back from the offline run's transaction log by
//! `tests/wandb/read_run.py` (wandb's protobufs) and checked against the run's own files.
//! Then the failures: no bridge python, no wandb module, a bridge that dies before or in the
//! middle of the run — results complete, one warning, the exit code the run had without
//! tracking — and `--wandb-required`, which makes them exit 2.

mod common;

use common::{assay, read_jsonl, write_jsonl, Fixture};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The venv's python (installed now if missing: this test never skips).
fn wandb_python() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-wandb-venv");
    let out = Command::new(&script).output().unwrap();
    assert!(
        out.status.success(),
        "scripts/fetch-wandb-venv failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// Two native entries in two domains, tests at every level; four samples: two pass, one
/// fails a test, one raises.
fn fixture() -> Fixture {
    let fx = Fixture::new();
    let clip = json!({"id": "clip_value", "domain": "math", "category": "arith", "difficulty": "basic",
        "description": "Clip a value.", "prompt": "def clip(x, lo, hi):\n", "entry_point": "clip",
        "reference": "def clip(x, lo, hi):\n    return max(lo, min(hi, x))\n",
        "tests": [
            {"name": "inside", "level": "normal", "code": "assert clip(5, 0, 10) == 5"},
            {"name": "below", "level": "edge_case", "code": "assert clip(-1, 0, 10) == 0"},
            {"name": "above", "level": "correctness", "code": "assert clip(11, 0, 10) == 10"}]});
    let shout = json!({"id": "shout", "domain": "nlp", "category": "text", "difficulty": "basic",
        "description": "Upper-case a word.", "prompt": "def shout(s):\n", "entry_point": "shout",
        "reference": "def shout(s):\n    return s.upper()\n",
        "tests": [
            {"name": "word", "level": "normal", "code": "assert shout('a') == 'A'"},
            {"name": "empty", "level": "edge_case", "code": "assert shout('') == ''"}]});
    write_jsonl(&fx.path("problems.jsonl"), &[clip, shout]);
    write_jsonl(
        &fx.path("samples.jsonl"),
        &[
            json!({"task_id": "clip_value", "completion": "    return max(lo, min(hi, x))\n"}),
            json!({"task_id": "clip_value", "completion": "    return max(lo, x)\n"}),
            json!({"task_id": "shout", "completion": "    return s.upper()\n"}),
            json!({"task_id": "shout", "completion": "    return s.nope()\n"}),
        ],
    );
    fx
}

/// `assay ARGS` with W&B offline in the fixture's directory, and `env` on top.
fn run(fx: &Fixture, args: &[&str], env: &[(&str, &str)]) -> Output {
    let wandb = fx.path("wandb-home");
    let mut cmd = assay();
    cmd.current_dir(fx.dir.path())
        .args(args)
        .env("WANDB_MODE", "offline")
        .env("WANDB_DIR", &wandb)
        .env("WANDB_CONFIG_DIR", wandb.join("config"))
        .env("WANDB_CACHE_DIR", wandb.join("cache"))
        .env("WANDB_DATA_DIR", wandb.join("data"))
        .env_remove("WANDB_PROJECT")
        .env_remove("WANDB_API_KEY")
        .env_remove("ASSAY_WANDB_PYTHON");
    std::fs::create_dir_all(&wandb).unwrap();
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn score(fx: &Fixture, run_dir: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec![
        "score",
        "--problems",
        "problems.jsonl",
        "--samples",
        "samples.jsonl",
        "--k",
        "1,2",
        "--jobs",
        "2",
        "--run-dir",
        run_dir,
        "--output",
    ];
    let output = format!("{run_dir}.results.jsonl");
    args.push(&output);
    args.extend(extra);
    run(fx, &args, env)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The offline runs under the fixture's WANDB_DIR, oldest first.
fn offline_runs(fx: &Fixture) -> Vec<PathBuf> {
    let dir = fx.path("wandb-home").join("wandb");
    let mut runs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    runs.retain(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("offline-run-"))
    });
    runs.sort();
    runs
}

/// What the offline run logged, decoded from its `.wandb` log by read_run.py.
fn read_back(run_dir: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wandb/read_run.py");
    let out = Command::new(wandb_python())
        .arg(script)
        .arg(run_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "read_run.py: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// W&B's digest of a file: base64 of its md5 (computed here by Python's hashlib).
fn md5_b64(path: &Path) -> String {
    let out = Command::new(wandb_python())
        .args([
            "-c",
            "import base64,hashlib,sys; print(base64.b64encode(hashlib.md5(open(sys.argv[1],'rb').read()).digest()).decode())",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The table logged under `key` (its rows, from the table file in the run's files).
fn table<'a>(logged: &'a Value, key: &str) -> &'a Value {
    let path = logged["summary"][format!("{key}.path")]
        .as_str()
        .unwrap_or_else(|| panic!("no table {key} in the summary"));
    &logged["tables"][path]
}

fn artifact<'a>(logged: &'a Value, kind: &str) -> &'a Value {
    logged["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} artifact in {:#}", logged["artifacts"]))
}

#[test]
fn score_logs_config_summary_tables_and_artifacts_read_back_from_the_offline_log() {
    let python = wandb_python();
    let fx = fixture();
    let out = score(
        &fx,
        "run",
        &[
            "--wandb-project",
            "assay-test",
            "--checkpoint",
            "toy-model:step-100",
            "--wandb-tags",
            "nightly,ci",
            "--wandb-name",
            "nightly-1",
        ],
        &[("ASSAY_WANDB_PYTHON", python.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("warning"), "{err}");
    assert!(
        err.contains("wandb: logged offline run") && err.contains("wandb sync"),
        "{err}"
    );
    let runs = offline_runs(&fx);
    assert_eq!(runs.len(), 1, "{runs:?}");
    let logged = read_back(&runs[0]);
    let rd = fx.path("run");
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(rd.join("meta.json")).unwrap()).unwrap();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(rd.join("summary.json")).unwrap()).unwrap();

    // The run: project, group (the checkpoint's name), tags, name, job type; it finished.
    let r = &logged["run"];
    assert_eq!(r["project"], "assay-test");
    assert_eq!(r["group"], "toy-model");
    assert_eq!(r["tags"], json!(["nightly", "ci"]));
    assert_eq!(r["name"], "nightly-1");
    assert_eq!(r["job_type"], "score");
    assert_eq!(logged["exit"], 0);

    // Config: the keys to group by, and the run record's meta flattened.
    let c = &logged["config"];
    assert_eq!(c["checkpoint"], "toy-model");
    assert_eq!(c["checkpoint_version"], "step-100");
    assert_eq!(c["benchmark"], "problems");
    assert_eq!(c["backend"], "process");
    assert_eq!(c["wandb_version"], "0.31.0");
    assert_eq!(c["assay_version"], meta["assay_version"]);
    for (key, value) in [
        ("meta.kind", &meta["kind"]),
        ("meta.assay_version", &meta["assay_version"]),
        ("meta.backend.fingerprint", &meta["backend"]["fingerprint"]),
        ("meta.limits.timeout_secs", &meta["limits"]["timeout_secs"]),
        ("meta.benchmark.hash", &meta["benchmark"]["hash"]),
        ("meta.samples.hash", &meta["samples"]["hash"]),
        ("meta.command", &meta["command"]),
        ("meta.started", &meta["started"]),
    ] {
        assert_eq!(&c[key], value, "config {key}");
    }
    assert!(
        c.get("meta.benchmark.tasks.shout").is_none(),
        "no per-task keys"
    );

    // Summary metrics: summary.json's numbers.
    let s = &logged["summary"];
    assert_eq!(s["pass@1"], summary["pass_at_k"]["pass@1"]);
    assert_eq!(s["pass@2"], summary["pass_at_k"]["pass@2"]);
    assert_eq!(s["pass@1"], json!(0.5));
    for (status, n) in summary["by_status"].as_object().unwrap() {
        assert_eq!(&s[format!("status/{status}")], n, "status {status}");
    }
    assert_eq!(s["status/passed"], 2);
    for l in summary["by_level"].as_array().unwrap() {
        let lv = l["level"].as_str().unwrap();
        assert_eq!(s[format!("level/{lv}/tests")], l["tests"]);
        assert_eq!(s[format!("level/{lv}/passed")], l["passed"]);
    }
    for d in summary["by_domain"].as_array().unwrap() {
        let dn = d["domain"].as_str().unwrap();
        assert_eq!(
            s[format!("domain/{dn}/pass@1")],
            d["pass_at_1"],
            "domain {dn}"
        );
    }
    assert_eq!(summary["by_domain"].as_array().unwrap().len(), 2);
    assert_eq!(s["timing/wall_ms/p50"], summary["timing"]["wall_ms"]["p50"]);
    assert_eq!(s["samples"], 4);
    // ... logged as a step of the history too.
    assert_eq!(logged["history"][0]["pass@1"], json!(0.5));

    // The results table: one row per line of results.jsonl, same verdicts.
    let results = read_jsonl(&rd.join("results.jsonl"));
    let t = table(&logged, "results");
    assert_eq!(
        t["columns"],
        json!([
            "task_id",
            "completion_id",
            "status",
            "passed",
            "tests",
            "wall_ms"
        ])
    );
    let rows = t["data"].as_array().unwrap();
    assert_eq!(rows.len(), results.len());
    for (row, res) in rows.iter().zip(&results) {
        assert_eq!(row[0], res["task_id"]);
        assert_eq!(row[1], res["completion_id"]);
        assert_eq!(row[2], res["status"]);
        assert_eq!(row[3], res["passed"]);
        let tests: Value = serde_json::from_str(row[4].as_str().unwrap()).unwrap();
        let want: Vec<Value> = res["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| json!({"name": t["name"], "level": t["level"], "status": t["status"]}))
            .collect();
        assert_eq!(tests, json!(want));
        assert_eq!(row[5], res["wall_ms"]);
    }
    assert_eq!(rows[1][2], "failed");
    assert_eq!(rows[3][2], "error");
    // The long-format metrics table, to group by benchmark, level, domain, metric.
    let m = table(&logged, "metrics");
    assert_eq!(
        m["columns"],
        json!(["benchmark", "level", "domain", "metric", "value"])
    );
    assert!(m["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == &json!(["problems", "", "nlp", "domain/nlp/pass@1", 0.5])));

    // Artifacts: the results (named after the benchmark, aliased with the checkpoint) with
    // the record's files and their digests; the samples file as the run's input.
    let a = artifact(&logged, "eval-results");
    assert_eq!(a["name"], "problems");
    for alias in ["toy-model", "toy-model-step-100"] {
        assert!(
            a["aliases"].as_array().unwrap().contains(&json!(alias)),
            "{a}"
        );
    }
    assert_eq!(a["use_after_commit"], false);
    let files = a["files"].as_object().unwrap();
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["meta.json", "results.jsonl", "summary.json"]
    );
    for (name, digest) in files {
        assert_eq!(digest, &json!(md5_b64(&rd.join(name))), "digest of {name}");
    }
    let input = artifact(&logged, "samples");
    assert_eq!(input["name"], "problems-samples");
    assert_eq!(
        input["use_after_commit"], true,
        "the samples are the run's input"
    );
    assert_eq!(
        input["files"]["samples.jsonl"],
        json!(md5_b64(&fx.path("samples.jsonl")))
    );
    // The SDK's messages are kept beside the record.
    let log = std::fs::read_to_string(rd.join("wandb-bridge.log")).unwrap();
    assert!(log.contains("wandb"), "{log}");
}

#[test]
fn compare_logs_deltas_and_flips_against_the_baseline() {
    let python = wandb_python();
    let fx = fixture();
    let py = [("ASSAY_WANDB_PYTHON", python.to_str().unwrap())];
    assert!(score(&fx, "base", &[], &py).status.success());
    // The current run: the clip sample that passed now fails.
    let mut samples = read_jsonl(&fx.path("samples.jsonl"));
    samples[0]["completion"] = json!("    return lo\n");
    write_jsonl(&fx.path("samples.jsonl"), &samples);
    assert!(score(&fx, "cur", &[], &py).status.success());
    let out = run(
        &fx,
        &[
            "compare",
            "base",
            "cur",
            "--wandb-project",
            "assay-test",
            "--checkpoint",
            "toy-model",
        ],
        &py,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let runs = offline_runs(&fx);
    assert_eq!(runs.len(), 1, "only compare was tracked: {runs:?}");
    let logged = read_back(&runs[0]);
    assert_eq!(logged["run"]["job_type"], "compare");
    assert_eq!(logged["run"]["group"], "toy-model");
    assert_eq!(logged["config"]["benchmark"], "problems");
    assert_eq!(logged["config"]["baseline"], "base");
    let s = &logged["summary"];
    assert_eq!(s["baseline/pass@1"], json!(0.5));
    assert_eq!(s["current/pass@1"], json!(0.25));
    assert_eq!(s["delta/pass@1"], json!(-0.25));
    assert_eq!(s["flips/pass_to_fail"], 1);
    assert_eq!(s["flips/fail_to_pass"], 0);
    let flips = table(&logged, "flips");
    let rows = flips["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], "clip_value");
    assert_eq!(rows[0][1], 0);
    assert_eq!(rows[0][2], "pass_to_fail");
}

#[test]
fn curate_logs_the_funnel_entries_and_rejections() {
    let python = wandb_python();
    let fx = fixture();
    // Two entries: clip passes; a broken one fails its reference run.
    let mut entries = read_jsonl(&fx.path("problems.jsonl"));
    entries[1]["reference"] = json!("def shout(s):\n    return s\n");
    write_jsonl(&fx.path("entries.jsonl"), &entries);
    let out = run(
        &fx,
        &[
            "curate",
            "entries.jsonl",
            "-o",
            "curated.jsonl",
            "--report",
            "report",
            "--repeats",
            "1",
            "--run-dir",
            "crun",
            "--wandb-project",
            "assay-test",
        ],
        &[("ASSAY_WANDB_PYTHON", python.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let runs = offline_runs(&fx);
    assert_eq!(runs.len(), 1);
    let logged = read_back(&runs[0]);
    assert_eq!(logged["run"]["job_type"], "curate");
    assert_eq!(logged["config"]["benchmark"], "entries");
    let s = &logged["summary"];
    assert_eq!(s["funnel/input"], 2);
    assert_eq!(s["kept"], 1);
    assert_eq!(s["rejected"], 1);
    let e = table(&logged, "entries");
    let rows = e["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let kept: Vec<(&Value, &Value)> = rows.iter().map(|r| (&r[0], &r[3])).collect();
    assert!(
        kept.contains(&(&json!("clip_value"), &json!(true))),
        "{kept:?}"
    );
    assert!(kept.contains(&(&json!("shout"), &json!(false))), "{kept:?}");
    let rej = table(&logged, "rejections");
    assert_eq!(rej["data"].as_array().unwrap().len(), 1);
    assert_eq!(rej["data"][0][0], "shout");
    let a = artifact(&logged, "eval-results");
    let files = a["files"].as_object().unwrap();
    for f in [
        "curated.jsonl",
        "rejected.jsonl",
        "report.json",
        "results.jsonl",
    ] {
        assert!(files.contains_key(f), "{f} in {files:?}");
    }
    assert_eq!(
        files["curated.jsonl"],
        json!(md5_b64(&fx.path("curated.jsonl")))
    );
}

/// An executable at `name` in the fixture that plays the bridge's python with `body`.
fn fake_python(fx: &Fixture, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = fx.path(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

/// Scores without tracking and with the given broken bridge: the same exit code (the
/// `--fail-under 1` gate fails both), the same results, and one more line on stderr: the
/// warning, containing `needle`.
fn results_survive(python: &str, needle: &str) {
    let fx = fixture();
    let gate = ["--fail-under", "1"];
    let plain = score(&fx, "plain", &gate, &[]);
    assert_eq!(plain.status.code(), Some(1), "{}", stderr(&plain));
    let mut extra = gate.to_vec();
    extra.extend(["--wandb-project", "assay-test"]);
    let out = score(&fx, "tracked", &extra, &[("ASSAY_WANDB_PYTHON", python)]);
    assert_eq!(out.status.code(), plain.status.code(), "{}", stderr(&out));
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning")).collect();
    assert_eq!(warnings.len(), 1, "one warning: {err}");
    assert!(warnings[0].starts_with("warning: wandb: "), "{err}");
    assert!(warnings[0].contains(needle), "{needle:?} in {err}");
    assert_eq!(
        err.lines().count(),
        stderr(&plain).lines().count() + 1,
        "nothing else: {err}"
    );
    let verdicts = |run: &str| -> Vec<(Value, Value)> {
        read_jsonl(&fx.path(run).join("results.jsonl"))
            .iter()
            .map(|r| (r["task_id"].clone(), r["status"].clone()))
            .collect()
    };
    assert_eq!(verdicts("tracked"), verdicts("plain"));
    assert_eq!(verdicts("tracked").len(), 4);
    for f in ["meta.json", "summary.json"] {
        assert!(fx.path("tracked").join(f).exists(), "{f}");
    }
    assert!(offline_runs(&fx).is_empty(), "no W&B run was written");
}

#[test]
fn a_missing_bridge_python_is_one_warning_and_changes_nothing() {
    results_survive("/nonexistent/python", "/nonexistent/python");
}

#[test]
fn a_python_without_wandb_is_one_warning_and_changes_nothing() {
    // The system python: no wandb in it (the SDK lives only in the venv).
    let out = Command::new("/usr/bin/python3")
        .args(["-c", "import wandb"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "/usr/bin/python3 has wandb: this test needs one without"
    );
    results_survive("/usr/bin/python3", "No module named 'wandb'");
}

#[test]
fn a_bridge_that_dies_at_once_is_one_warning_and_changes_nothing() {
    let fx = Fixture::new();
    let python = fake_python(&fx, "dies.sh", "read line\nexit 1");
    results_survive(&python, "hello record");
}

#[test]
fn a_bridge_that_dies_mid_run_is_one_warning_and_changes_nothing() {
    let fx = Fixture::new();
    let python = fake_python(
        &fx,
        "dies-later.sh",
        r#"read line; echo '{"ok": true, "wandb": "0.31.0"}'
read line; echo '{"ok": true, "id": "fake", "name": "", "offline": true}'
read line; echo 'the SDK fell over' >&2; exit 1"#,
    );
    results_survive(&python, "log record");
}

#[test]
fn wandb_required_turns_a_tracking_failure_into_exit_2() {
    let fx = fixture();
    // Before the evaluation: a bridge that cannot start stops it.
    let out = score(
        &fx,
        "req",
        &["--wandb-project", "assay-test", "--wandb-required"],
        &[("ASSAY_WANDB_PYTHON", "/nonexistent/python")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: wandb: ") && err.contains("--wandb-required"),
        "{err}"
    );
    // After it: the results stay on disk, the exit is 2.
    let python = fake_python(
        &fx,
        "dies-later.sh",
        r#"read line; echo '{"ok": true, "wandb": "0.31.0"}'
read line; echo '{"ok": true, "id": "fake", "name": "", "offline": true}'
read line; exit 1"#,
    );
    let out = score(
        &fx,
        "req2",
        &["--wandb-project", "assay-test", "--wandb-required"],
        &[("ASSAY_WANDB_PYTHON", &python)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--wandb-required"));
    assert_eq!(read_jsonl(&fx.path("req2").join("results.jsonl")).len(), 4);
    // Without a project, --wandb-required is bad usage.
    let out = score(&fx, "req3", &["--wandb-required"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--wandb-project"), "{}", stderr(&out));
}

/// A 200 Chat Completions reply with `content` (the shape tests/generate.rs uses).
fn chat_ok(content: &str) -> Value {
    json!({"status": 200, "body": {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1733130000, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 40, "completion_tokens": 10, "total_tokens": 50}}})
}

#[test]
fn generated_samples_and_their_score_share_one_samples_artifact() {
    use std::io::BufRead;
    let python = wandb_python();
    let fx = fixture();
    let script = json!({
        "def clip(": [chat_ok("```python\ndef clip(x, lo, hi):\n    return max(lo, min(hi, x))\n```")],
        "def shout(": [chat_ok("```python\ndef shout(s):\n    return s.upper()\n```")],
    });
    std::fs::write(fx.path("script.json"), script.to_string()).unwrap();
    let mut server = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/llm/chat_server.py"
        ))
        .arg(fx.path("script.json"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let base_url = format!("http://127.0.0.1:{}/v1", port.trim());
    let py = [("ASSAY_WANDB_PYTHON", python.to_str().unwrap())];
    let ckpt = [
        "--wandb-project",
        "assay-test",
        "--checkpoint",
        "toy-model:v2",
    ];
    let mut args = vec![
        "generate",
        "samples",
        "--problems",
        "problems.jsonl",
        "--n",
        "1",
        "-o",
        "samples.jsonl",
        "--base-url",
        &base_url,
        "--model",
        "toy-model",
        "--cache-dir",
        "llm-cache",
        "--run-dir",
        "gen-run",
    ];
    args.extend(ckpt);
    let out = run(&fx, &args, &py);
    let _ = server.kill();
    let _ = server.wait();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = score(&fx, "run", &ckpt, &py);
    assert!(out.status.success(), "{}", stderr(&out));
    let runs = offline_runs(&fx);
    assert_eq!(runs.len(), 2, "{runs:?}");
    let (gen, scored) = (read_back(&runs[0]), read_back(&runs[1]));
    assert_eq!(gen["run"]["job_type"], "generate-samples");
    assert_eq!(gen["run"]["group"], "toy-model");
    assert_eq!(gen["config"]["model"], "toy-model");
    assert_eq!(gen["summary"]["samples"], 2);
    assert_eq!(gen["summary"]["totals/completion_tokens"], 20);
    // The generate run's output is the score run's input: same name, same contents.
    let made = artifact(&gen, "samples");
    let used = artifact(&scored, "samples");
    assert_eq!(made["use_after_commit"], false);
    assert_eq!(used["use_after_commit"], true);
    assert_eq!(made["name"], "problems-samples");
    assert_eq!(made["name"], used["name"]);
    assert_eq!(made["files"], used["files"]);
    assert_eq!(
        made["files"]["samples.jsonl"],
        json!(md5_b64(&fx.path("samples.jsonl")))
    );
    assert_eq!(scored["summary"]["pass@1"], json!(1.0));
}
