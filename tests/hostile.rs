//! The hostile-code suite against the real sandboxes: every case in `tests/hostile/`
//! gets its expected verdict, and the host is checked untouched afterwards.

mod common;

use common::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

struct Case {
    name: String,
    program: String,
    expect: String,
}

fn cases(backend: &str, port: u16, harness_pid: &str, marker: &str) -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
    {
        let text = std::fs::read_to_string(&path).unwrap();
        let header = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
                .map(str::to_string)
        };
        let expect = header(&format!("expect-{backend}"))
            .or_else(|| header("expect"))
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", path.display()));
        let program = text
            .replace("{{HOST_PORT}}", &port.to_string())
            .replace("{{HARNESS_PID}}", harness_pid)
            .replace("{{MARKER}}", marker);
        out.push(Case {
            name: path.file_stem().unwrap().to_string_lossy().into_owned(),
            program,
            expect,
        });
    }
    out
}

/// One suite at a time: the host checks compare process lists before and after.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run_suite(backend: &str, env: &[(&str, &str)]) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let fx = Fixture::new();
    let marker = format!("assayhostile{}", std::process::id());
    // A listener on the host's loopback: a sandbox that reaches it has network access.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let connected = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (connected, stop) = (Arc::clone(&connected), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if listener.accept().is_ok() {
                    connected.store(true, Ordering::Relaxed);
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        })
    };

    // kill_parent aims at this test process, the harness's parent: equally out of reach.
    let harness_pid = std::process::id().to_string();
    let cases = cases(backend, port, &harness_pid, &marker);
    let problems: Vec<_> = cases
        .iter()
        .map(|c| {
            json!({"id": c.name, "domain": "security", "category": "hostile", "difficulty": "advanced",
                   "description": "A hostile program.", "prompt": "# hostile\n", "entry_point": "main",
                   "reference": "def main():\n    pass\n",
                   "tests": [{"name": "reached", "level": "normal", "code": "assert True"}]})
        })
        .collect();
    let samples: Vec<_> = cases
        .iter()
        .map(|c| json!({"task_id": c.name, "solution": c.program}))
        .collect();
    write_jsonl(&fx.path("problems.jsonl"), &problems);
    write_jsonl(&fx.path("samples.jsonl"), &samples);

    let before = sandbox_processes(&marker);
    let mut child = assay()
        .envs(env.iter().copied())
        .args(["score", "--problems"])
        .arg(fx.path("problems.jsonl"))
        .arg("--samples")
        .arg(fx.path("samples.jsonl"))
        .args([
            "--k",
            "1",
            "--timeout",
            "2",
            "--memory",
            "512",
            "--jobs",
            "2",
            "--format",
            "json",
            "--sandbox",
            backend,
        ])
        .arg("--run-dir")
        .arg(fx.path("run"))
        .arg("--output")
        .arg(fx.path("results.jsonl"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The harness's own peak RSS (VmHWM), sampled while it runs.
    let peak_kb = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sampler = {
        let (peak_kb, pid) = (Arc::clone(&peak_kb), child.id());
        std::thread::spawn(move || {
            while let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                if status.contains("State:\tZ") {
                    break;
                }
                let hwm: u64 = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
                    .unwrap_or(0);
                peak_kb.fetch_max(hwm, Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        })
    };
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    sampler.join().unwrap();
    let status = child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();

    assert!(
        status.success(),
        "the harness must keep going: {status}\n{stderr}"
    );
    let results = read_jsonl(&fx.path("results.jsonl"));
    assert_eq!(results.len(), cases.len());
    let mut wrong = BTreeMap::new();
    for (case, r) in cases.iter().zip(&results) {
        let got = r["status"].as_str().unwrap();
        if got != case.expect {
            wrong.insert(
                case.name.clone(),
                format!("expected {}, got {got}: {}", case.expect, r["message"]),
            );
        }
    }
    assert!(wrong.is_empty(), "wrong verdicts on {backend}: {wrong:#?}");

    // The host is untouched.
    assert!(
        !connected.load(Ordering::Relaxed),
        "a sandbox connected to the host's loopback"
    );
    for path in [
        format!("/tmp/assay-hostile-{marker}"),
        format!("/var/tmp/assay-hostile-{marker}"),
        format!("/dev/shm/assay-hostile-{marker}"),
        format!("/root/assay-hostile-{marker}"),
        format!("/tmp/fill-{marker}-0"),
    ] {
        assert!(!Path::new(&path).exists(), "{path} was written on the host");
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let left: Vec<_> = sandbox_processes(&marker)
        .into_iter()
        .filter(|(pid, _)| !before.contains_key(pid))
        .collect();
    assert!(left.is_empty(), "processes left behind: {left:#?}");
    let peak_mb = peak_kb.load(Ordering::Relaxed) / 1024;
    assert!(peak_mb > 0, "the harness's memory was never sampled");
    // WASI guests live in the harness's own address space: their linear memories (up to
    // --memory 512 for each of the 2 jobs, the memory bomb fills one) count in its RSS.
    let guests_in_process_mb = if backend == "wasi" { 2 * 512 } else { 0 };
    assert!(
        peak_mb < 200 + guests_in_process_mb,
        "harness peak RSS {peak_mb} MB: output was not capped"
    );
}

#[test]
fn hostile_suite_on_process_backend_warm() {
    run_suite("process", &[]);
}

#[test]
fn hostile_suite_on_process_backend_cold() {
    run_suite("process", &[("ASSAY_PROCESS_COLD", "1")]);
}

/// WASI cases that cannot apply (fork, threads, signals) say so with `# expect-wasi:` and
/// `# why-wasi:` lines. python.wasm is fetched (or found) by `scripts/fetch-python-wasm`.
#[test]
fn hostile_suite_on_wasi_backend() {
    let wasm = python_wasm();
    run_suite("wasi", &[("ASSAY_PYTHON_WASM", &wasm)]);
}

#[test]
fn hostile_suite_on_docker_backend() {
    if !docker_ready("hostile suite on docker") {
        return;
    }
    run_suite("docker", &[]);
    let left = std::process::Command::new("docker")
        .args(["ps", "-a", "-q", "--filter", "label=assay"])
        .output()
        .unwrap();
    let left = String::from_utf8_lossy(&left.stdout);
    assert!(
        left.trim().is_empty(),
        "containers left after the suite: {left}"
    );
}

/// A writer and a reader of `tests/hostile/cross/`, with the marker filled in.
fn cross_program(name: &str, marker: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/hostile/cross/{name}.py"));
    std::fs::read_to_string(path)
        .unwrap()
        .replace("{{MARKER}}", marker)
}

/// Writers first, then readers, `jobs` of each, in one run: a reader raises if anything
/// of an earlier execution is visible to it, and must still find its memory. The verdicts
/// come from the results file; with one job the writer and the reader ran in the same
/// container (each prints its hostname), so it is the clean-up that was tested.
fn cross_execution(backend: &str, jobs: usize) {
    let fx = Fixture::new();
    let marker = format!("assaycross{}x{jobs}", std::process::id());
    let problem = |id: &str| {
        json!({"id": id, "domain": "security", "category": "hostile", "difficulty": "advanced",
               "description": "A hostile program.", "prompt": "# hostile\n", "entry_point": "main",
               "reference": "def main():\n    pass\n",
               "tests": [{"name": "reached", "level": "normal", "code": "assert True"}]})
    };
    write_jsonl(
        &fx.path("problems.jsonl"),
        &[problem("leak_writer"), problem("leak_reader")],
    );
    let mut samples = Vec::new();
    for name in ["leak_writer", "leak_reader"] {
        for copy in 0..jobs {
            // The comment keeps copies apart (identical samples run once).
            let program = format!("{}# copy {copy}\n", cross_program(name, &marker));
            samples.push(json!({"task_id": name, "solution": program}));
        }
    }
    write_jsonl(&fx.path("samples.jsonl"), &samples);
    let out = assay()
        .args(["score", "--problems"])
        .arg(fx.path("problems.jsonl"))
        .arg("--samples")
        .arg(fx.path("samples.jsonl"))
        .args([
            "--k",
            "1",
            "--timeout",
            "30",
            "--memory",
            "512",
            "--format",
            "json",
        ])
        .args(["--jobs", &jobs.to_string(), "--sandbox", backend])
        .arg("--run-dir")
        .arg(fx.path("run"))
        .arg("--output")
        .arg(fx.path("results.jsonl"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let results = read_jsonl(&fx.path("results.jsonl"));
    assert_eq!(results.len(), 2 * jobs);
    let wrong: Vec<String> = results
        .iter()
        .filter(|r| r["status"] != "passed")
        .map(|r| format!("{}: {} {}", r["task_id"], r["status"], r["message"]))
        .collect();
    assert!(wrong.is_empty(), "--jobs {jobs} on {backend}: {wrong:#?}");
    if jobs == 1 {
        let host =
            |r: &serde_json::Value| r["stdout"]["text"].as_str().unwrap_or_default().to_string();
        assert_eq!(host(&results[0]), host(&results[1]), "not one container");
        assert!(
            host(&results[0]).starts_with("container "),
            "{}",
            results[0]
        );
    }
}

#[test]
fn cross_execution_leaks_on_docker_backend() {
    if !docker_ready("cross-execution leaks on docker") {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for jobs in [1, 2] {
        cross_execution("docker", jobs);
    }
}
