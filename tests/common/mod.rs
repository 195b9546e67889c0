//! Helpers shared by the integration tests: the real binary, temp-dir fixtures.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

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
        if (61000..61256).contains(&uid) || (!needle.is_empty() && cmdline.contains(needle)) {
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
