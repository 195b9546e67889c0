//! The docker backend through the real binary: verdicts equal to the process backend's,
//! an `ml` entry, no container left after success, Ctrl-C or `kill -9` (within seconds,
//! with nothing restarted), leftovers reaped, and the pool server's clean-up.
//!
//! Needs a Docker engine. Without one these tests fail (under `CI=true` always); outside
//! CI, `ASSAY_SKIP_DOCKER=1` skips them with a loud message. Missing images are built
//! with `scripts/build-images` first.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One docker test at a time: they count containers on the whole engine.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Containers of assay on the engine (`docker ps -a --filter label=…`).
fn containers(label: &str) -> Vec<String> {
    let out = Command::new("docker")
        .args(["ps", "-a", "-q", "--filter", &format!("label={label}")])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

fn score(
    fx: &Fixture,
    name: &str,
    backend: &str,
    extra: &[&str],
) -> (std::process::Output, Vec<Value>) {
    let out = assay()
        .args(["score", "--problems"])
        .arg(fx.path("problems.jsonl"))
        .arg("--samples")
        .arg(fx.path("samples.jsonl"))
        .args([
            "--k",
            "1",
            "--jobs",
            "2",
            "--format",
            "json",
            "--sandbox",
            backend,
        ])
        .args(extra)
        .arg("--run-dir")
        .arg(fx.path(&format!("run-{name}")))
        .arg("--output")
        .arg(fx.path(&format!("{name}.jsonl")))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "assay score --sandbox {backend} {extra:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let results = read_jsonl(&fx.path(&format!("{name}.jsonl")));
    (out, results)
}

/// HumanEval-style programs whose verdict a careless harness gets wrong.
fn tricky() -> (Vec<Value>, Vec<Value>) {
    let problem = json!({
        "task_id": "Tricky/0",
        "prompt": "def f(x):\n    \"\"\"Return x doubled.\"\"\"\n",
        "canonical_solution": "    return 2 * x\n",
        "test": "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-3) == -6\n",
        "entry_point": "f",
    });
    let completions = [
        "    return 2 * x\n",
        "    return x + 2\n",
        "    return undefined_name\n",
        "    while True:\n        pass\n",
        "    import sys\n    sys.exit(0)\n",
        "    import os\n    os._exit(0)\n",
        "    print('passed')\n    print('{\"ev\": \"done\"}')\n    raise SystemExit(0)\n",
        "    return f(x)\n",
        "    return int(input() or 0) + 2 * x\n",
        "    print('\\u00e9\\ud800 unicode', flush=True)\n    return 2 * x\n",
        "    import os, signal\n    os.kill(os.getpid(), signal.SIGSEGV)\n",
        "    x = bytearray(10 << 30)\n",
        "    import subprocess\n    return 2 * x if subprocess.run(['true']).returncode == 0 else 0\n",
    ];
    let samples = completions
        .iter()
        .map(|c| json!({"task_id": "Tricky/0", "completion": c}))
        .collect();
    (vec![problem], samples)
}

#[test]
fn verdicts_match_the_process_backend_warm_and_cold() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    let fx = Fixture::new();
    let (problems, samples) = tricky();
    write_jsonl(&fx.path("problems.jsonl"), &problems);
    write_jsonl(&fx.path("samples.jsonl"), &samples);
    let (_, process) = score(&fx, "process", "process", &[]);
    let (_, warm) = score(&fx, "warm", "docker", &[]);
    let (_, cold) = score(&fx, "cold", "docker", &["--docker-cold"]);
    for (name, docker) in [("warm", &warm), ("cold", &cold)] {
        assert_eq!(docker.len(), process.len());
        for (i, (d, p)) in docker.iter().zip(&process).enumerate() {
            assert_eq!(
                (&d["passed"], &d["status"]),
                (&p["passed"], &p["status"]),
                "sample {i} on docker {name}: {} vs process: {}",
                d["result"],
                p["result"]
            );
        }
    }
    assert_eq!(warm[0]["status"], "passed", "{}", warm[0]);
    let statuses: Vec<&str> = warm.iter().map(|r| r["status"].as_str().unwrap()).collect();
    for s in ["failed", "error", "timeout", "crashed", "memory"] {
        assert!(statuses.contains(&s), "no {s} among {statuses:?}");
    }
    assert!(
        containers("assay").is_empty(),
        "containers left: {:?}",
        containers("assay")
    );
}

#[test]
fn an_ml_entry_passes_in_docker_and_unknown_packages_are_unsupported() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    let fx = Fixture::new();
    let entry = |id: &str, requirements: Value| {
        json!({
            "id": id, "domain": "machine_learning", "category": "classification",
            "difficulty": "intermediate",
            "description": "Train a classifier on the iris dataset.",
            "prompt": "from sklearn.datasets import load_iris\n\ndef iris_accuracy() -> float:\n    \"\"\"Training accuracy of a logistic regression on iris.\"\"\"\n",
            "entry_point": "iris_accuracy",
            "reference": "from sklearn.datasets import load_iris\nfrom sklearn.linear_model import LogisticRegression\nimport numpy as np\n\ndef iris_accuracy() -> float:\n    X, y = load_iris(return_X_y=True)\n    return float(LogisticRegression(max_iter=500).fit(X, y).score(X, y))\n",
            "requirements": requirements,
            "tests": [
                {"name": "accurate", "level": "normal", "code": "assert iris_accuracy() > 0.9"},
                {"name": "is_float", "level": "edge_case", "code": "assert isinstance(iris_accuracy(), float)"},
                {"name": "numpy_pinned", "level": "correctness", "code": "import numpy, sklearn\nassert numpy.__version__ == '2.2.6' and sklearn.__version__ == '1.7.2'"},
            ],
        })
    };
    write_jsonl(
        &fx.path("problems.jsonl"),
        &[
            entry("iris_logreg", json!(["scikit-learn>=1.5", "numpy"])),
            entry("iris_torch", json!(["sklearn", "torch>=2"])),
        ],
    );
    let reference = |id: &str| {
        let p = read_jsonl(&fx.path("problems.jsonl"));
        let e = p.iter().find(|e| e["id"] == id).unwrap().clone();
        json!({"task_id": id, "solution": e["reference"]})
    };
    write_jsonl(
        &fx.path("samples.jsonl"),
        &[reference("iris_logreg"), reference("iris_torch")],
    );
    let (_, results) = score(&fx, "ml", "docker", &["--timeout", "60"]);
    assert_eq!(results[0]["status"], "passed", "{}", results[0]);
    assert_eq!(results[1]["status"], "unsupported", "{}", results[1]);
    assert!(
        results[1]["message"].as_str().unwrap().contains("torch"),
        "{}",
        results[1]
    );
    // WASI runs pure Python only: the same ml entry is unsupported there.
    let fetch = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-python-wasm");
    if Command::new(fetch)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
    {
        let (_, wasi) = score(&fx, "wasi", "wasi", &[]);
        assert_eq!(wasi[0]["status"], "unsupported", "{}", wasi[0]);
    }
    assert!(containers("assay").is_empty());
}

/// Starts a docker run of endless programs and waits until its containers exist.
#[test]
fn an_oom_kill_by_the_container_cgroup_is_a_memory_verdict() {
    // Each process stays under its RLIMIT_AS (--memory 512), but together they pass the
    // container's cgroup limit (512 MB + tmpfs + slack): the kernel's OOM killer, not a
    // MemoryError, ends the program. The program's process holds the most memory, so it
    // is the one killed; a SIGKILL with the cgroup's oom_kill counter up is `memory`.
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    let fx = Fixture::new();
    let (problems, _) = tricky();
    write_jsonl(&fx.path("problems.jsonl"), &problems);
    // The program holds 380 MB, then starts a fresh interpreter that fills `child_mb`.
    let hog = |child_mb: u32, wait: u32| {
        format!(
            "    import subprocess, sys, time\n    \
             big = b'x' * (380 << 20)\n    \
             subprocess.Popen([sys.executable, '-c', \
             \"import time; y = b'y' * ({child_mb} << 20); time.sleep(30)\"])\n    \
             time.sleep({wait})\n    return 2 * x\n"
        )
    };
    let samples = [
        json!({"task_id": "Tricky/0", "completion": hog(400, 15)}),
        // The control: the same program with a small child passes (and runs in a fresh
        // container: the one that saw an OOM kill is replaced).
        json!({"task_id": "Tricky/0", "completion": hog(1, 1)}),
    ];
    write_jsonl(&fx.path("samples.jsonl"), &samples);
    let (_, results) = score(
        &fx,
        "oom",
        "docker",
        &["--memory", "512", "--timeout", "20"],
    );
    assert_eq!(results[0]["status"], "memory", "{:#}", results[0]);
    assert_eq!(results[1]["status"], "passed", "{:#}", results[1]);
}

#[test]
fn concurrent_harnesses_never_share_an_execution_uid() {
    // RLIMIT_NPROC and kill(-1) count by uid across containers: two harnesses whose
    // containers ran executions as one uid could starve or kill each other's programs.
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    let fixtures = [Fixture::new(), Fixture::new()];
    let children: Vec<_> = fixtures
        .iter()
        .map(|fx| {
            write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
            let uid_of = |i: usize| {
                json!({"task_id": "Toy/0", "completion": format!(
                    "    import os, time\n    time.sleep(1)\n    \
                     raise AssertionError('uid %d' % os.getuid())  # {i}\n")})
            };
            write_jsonl(
                &fx.path("samples.jsonl"),
                &(0..6).map(uid_of).collect::<Vec<_>>(),
            );
            assay()
                .args(["score", "--sandbox", "docker", "--jobs", "2", "--k", "1"])
                .arg("--problems")
                .arg(fx.path("problems.jsonl"))
                .arg("--samples")
                .arg(fx.path("samples.jsonl"))
                .arg("--run-dir")
                .arg(fx.path("run"))
                .arg("--output")
                .arg(fx.path("results.jsonl"))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut uids = Vec::new();
    for (fx, child) in fixtures.iter().zip(children) {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mine: std::collections::BTreeSet<u32> = read_jsonl(&fx.path("results.jsonl"))
            .iter()
            .map(|r| {
                let result = r["result"].as_str().unwrap();
                let uid = result.rsplit(' ').next().unwrap();
                uid.parse()
                    .unwrap_or_else(|_| panic!("no uid in {result:?}"))
            })
            .collect();
        assert!(mine.iter().all(|u| (61000..62000).contains(u)), "{mine:?}");
        uids.push(mine);
    }
    assert!(uids[0].is_disjoint(&uids[1]), "shared uids: {uids:?}");
}

fn start_long_run(fx: &Fixture) -> std::process::Child {
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    let hang: Vec<Value> = (0..8)
        .map(|i| json!({"task_id": "Toy/0", "completion": format!("    while True:\n        pass  # {i}\n")}))
        .collect();
    write_jsonl(&fx.path("samples.jsonl"), &hang);
    let child = assay()
        .args(["score", "--problems"])
        .arg(fx.path("problems.jsonl"))
        .arg("--samples")
        .arg(fx.path("samples.jsonl"))
        .args([
            "--k",
            "1",
            "--jobs",
            "2",
            "--timeout",
            "60",
            "--format",
            "json",
            "--sandbox",
            "docker",
        ])
        .arg("--run-dir")
        .arg(fx.path("run"))
        .arg("--output")
        .arg(fx.path("results.jsonl"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let label = format!("assay.pid={}", child.id());
    let t0 = Instant::now();
    while containers(&label).len() < 2 {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no containers appeared"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500)); // executions are running now
    child
}

#[test]
fn ctrl_c_mid_run_leaves_no_container() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    let fx = Fixture::new();
    let mut child = start_long_run(&fx);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "assay did not stop after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130), "exit status after Ctrl-C");
    assert!(
        containers("assay").is_empty(),
        "containers left after Ctrl-C: {:?}",
        containers("assay")
    );
}

#[test]
fn kill_9_of_the_harness_leaves_no_container_within_10_s() {
    // No cleanup code of the harness runs: the engine closes the servers' stdin when the
    // attach connections drop (StdinOnce), each server purges and exits, and the engine
    // removes its container (auto-remove). Nothing starts assay again here.
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    let fx = Fixture::new();
    let mut child = start_long_run(&fx);
    let label = format!("assay.pid={}", child.id());
    child.kill().unwrap(); // SIGKILL, mid-execution
    child.wait().unwrap();
    let t0 = Instant::now();
    while !containers(&label).is_empty() {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "containers of a killed harness still there after 10 s: {:?}",
            containers(&label)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A container labelled by a dead harness that did not end itself (say, a server that
/// hung): what the reaping at the next start and `assay sandbox gc` are for.
fn leftover_container(run: &str) -> String {
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let out = Command::new("docker")
        .args(["run", "-d", "--network", "none", "--label", "assay=1"])
        .args(["--label", &format!("assay.run={run}")])
        .args(["--label", &format!("assay.pid={pid}")])
        .args([
            "--label",
            "assay.pid-start=1",
            "--label",
            "assay.profile=python",
        ])
        .args(["assay-sandbox-python:latest", "python3", "-c"])
        .arg("import time; time.sleep(600)")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn leftovers_of_a_dead_harness_are_reaped_by_the_next_start_and_by_gc() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    for reaper in ["next start", "gc"] {
        let fx = Fixture::new();
        let run = format!("leftover-{}", std::process::id());
        leftover_container(&run);
        let label = format!("assay.run={run}");
        assert_eq!(containers(&label).len(), 1);
        if reaper == "gc" {
            let out = assay().args(["sandbox", "gc"]).output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("removed"));
        } else {
            write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
            write_jsonl(
                &fx.path("samples.jsonl"),
                &[json!({"task_id": "Toy/0", "completion": "    return a + b\n"})],
            );
            let (out, _) = score(&fx, "next", "docker", &[]);
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("leftover"),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            containers("assay").is_empty(),
            "after {reaper}: {:?}",
            containers("assay")
        );
    }
}

#[test]
fn the_pool_clean_up_removes_everything_and_reports_what_it_cannot() {
    // `tests/docker/purge_check.py` drives the server's clean-up in a container hardened
    // like a pool container (root with only SETUID and SETGID, read-only root, private
    // IPC namespace, size-capped /tmp): a 5,000-level tree of long names with chmod'ed
    // levels, fifos, sockets, odd names, symlinks out, a wide directory, POSIX shm and
    // mqueue, SysV shm/sem/msg and a process holding a segment all go, and a clean-up that
    // cannot finish says so while its other stages still run.
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = std::fs::read_to_string(root.join("tests/docker/purge_check.py")).unwrap();
    // The server's modules as the bootstrap loads them: [[name, source]...], in order.
    let modules: Vec<(String, String)> = ["assay_runner", "assay_child", "assay_pool"]
        .iter()
        .map(|m| {
            let path = root.join(format!("sandbox-images/runner/{m}.py"));
            (m.to_string(), std::fs::read_to_string(path).unwrap())
        })
        .collect();
    let pool = serde_json::to_vec(&modules).unwrap();
    let mut child = Command::new("docker")
        .args([
            "run",
            "--rm",
            "-i",
            "--network",
            "none",
            "--read-only",
            "--ipc",
            "private",
        ])
        .args(["--tmpfs", "/tmp:rw,nosuid,nodev,noexec,size=64m,mode=1777"])
        .args([
            "--cap-drop",
            "ALL",
            "--cap-add",
            "SETUID",
            "--cap-add",
            "SETGID",
        ])
        .args(["--security-opt", "no-new-privileges", "--user", "0:0"])
        .args(["--pids-limit", "64", "--memory", "512m"])
        .args(["assay-sandbox-python:latest", "python3", "-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&pool).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("purge checks passed"),
        "{}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_container_whose_clean_up_fails_is_replaced_and_the_verdict_stands() {
    // No program can leave what its uid cannot remove, so the test does it from outside:
    // while the first execution waits, a root process (`docker exec`) puts a root-owned
    // directory into the execution's world-writable one. The clean-up after it must fail,
    // say so, and the harness must run the next execution in a fresh container.
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    let wait = "    import os, socket, time\n    \
                os.makedirs('/tmp/poison', exist_ok=True)\n    \
                os.chmod('/tmp/poison', 0o777)\n    \
                t = time.time()\n    \
                while not os.path.exists('/tmp/poison/root/f') and time.time() - t < 20:\n        \
                time.sleep(0.05)\n    \
                print('container', socket.gethostname(), os.path.exists('/tmp/poison/root/f'))\n    \
                return a + b\n";
    let next =
        "    import socket\n    print('container', socket.gethostname(), True)\n    return a + b\n";
    write_jsonl(
        &fx.path("samples.jsonl"),
        &[
            json!({"task_id": "Toy/0", "completion": wait}),
            json!({"task_id": "Toy/0", "completion": next}),
        ],
    );
    let mut child = assay()
        .args(["score", "--problems"])
        .arg(fx.path("problems.jsonl"))
        .arg("--samples")
        .arg(fx.path("samples.jsonl"))
        .args([
            "--k",
            "1",
            "--jobs",
            "1",
            "--timeout",
            "30",
            "--sandbox",
            "docker",
        ])
        .arg("--run-dir")
        .arg(fx.path("run"))
        .arg("--output")
        .arg(fx.path("results.jsonl"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let label = format!("assay.pid={}", child.id());
    let sabotage = "test -d /tmp/poison && mkdir -p /tmp/poison/root && touch /tmp/poison/root/f";
    let t0 = Instant::now();
    'sabotage: loop {
        assert!(
            t0.elapsed() < Duration::from_secs(60) && child.try_wait().unwrap().is_none(),
            "the first execution never waited in a container"
        );
        for id in containers(&label) {
            let done = Command::new("docker")
                .args(["exec", "-u", "0", &id, "sh", "-c", sabotage])
                .output()
                .is_ok_and(|o| o.status.success());
            if done {
                break 'sabotage;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = read_jsonl(&fx.path("results.jsonl"));
    let seen: Vec<&str> = results
        .iter()
        .map(|r| r["stdout"]["text"].as_str().unwrap_or_default())
        .collect();
    for r in &results {
        assert_eq!(r["status"], "passed", "{r:#}");
    }
    assert!(
        seen[0].contains(" True"),
        "the sabotage did not happen: {seen:?}"
    );
    let host = |s: &str| s.split_whitespace().nth(1).unwrap_or_default().to_string();
    assert_ne!(
        host(seen[0]),
        host(seen[1]),
        "the poisoned container served again"
    );
    assert!(containers(&label).is_empty());
}

#[test]
fn sandbox_check_reports_every_isolation_feature() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    let out = assay().args(["sandbox", "check"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for feature in [
        "engine",
        "image python",
        "image ml",
        "network none",
        "read-only root",
        "private temp dir",
        "execution uid",
        "capabilities",
        "no-new-privileges",
        "memory limit",
        "pids limit",
        "cpu quota",
        "ends with the harness",
    ] {
        assert!(
            text.contains(&format!("ok   {feature}:")),
            "{feature} missing:\n{text}"
        );
    }
    assert!(containers("assay").is_empty());
}

#[test]
fn docker_down_is_one_clear_line_and_exit_2() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    write_jsonl(
        &fx.path("samples.jsonl"),
        &[json!({"task_id": "Toy/0", "completion": "    return a + b\n"})],
    );
    let out = assay()
        .env(
            "DOCKER_HOST",
            format!("unix://{}", fx.path("no-docker.sock").display()),
        )
        .args(["score", "--problems"])
        .arg(fx.path("problems.jsonl"))
        .arg("--samples")
        .arg(fx.path("samples.jsonl"))
        .args(["--sandbox", "docker", "--format", "json"])
        .arg("--run-dir")
        .arg(fx.path("run"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("cannot reach the Docker engine"), "{err}");
    let out = assay()
        .env(
            "DOCKER_HOST",
            format!("unix://{}", fx.path("no-docker.sock").display()),
        )
        .args(["sandbox", "gc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn chatty_correct_programs_pass() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    chatty_programs_pass("docker", &[]);
}

/// A proxy of the engine's socket that the test owns: `cut` closes it and every
/// connection through it (the engine itself keeps running for the other tests).
struct EngineProxy {
    path: std::path::PathBuf,
    conns: std::sync::Arc<std::sync::Mutex<Vec<std::os::unix::net::UnixStream>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl EngineProxy {
    fn start(path: &Path) -> EngineProxy {
        use std::os::unix::net::{UnixListener, UnixStream};
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Arc, Mutex};
        let listener = UnixListener::bind(path).unwrap();
        listener.set_nonblocking(true).unwrap();
        let conns: Arc<Mutex<Vec<UnixStream>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (Arc::clone(&conns), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                client.set_nonblocking(false).unwrap();
                let engine = UnixStream::connect("/var/run/docker.sock").unwrap();
                let mut held = c.lock().unwrap();
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), engine.try_clone().unwrap()),
                    (engine.try_clone().unwrap(), client.try_clone().unwrap()),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
                held.extend([client, engine]);
            }
        });
        EngineProxy {
            path: path.to_path_buf(),
            conns,
            stop,
        }
    }

    fn cut(&self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = std::fs::remove_file(&self.path);
        for c in self.conns.lock().unwrap().iter() {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
    }
}

#[test]
fn losing_the_engine_mid_run_ends_the_run_with_exit_3_and_no_container() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_ready("docker tests") {
        return;
    }
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    let samples: Vec<_> = (0..30)
        .map(|i| json!({"task_id": "Toy/0", "completion": format!("    import time\n    time.sleep(0.2)\n    return a + b  # {i}\n")}))
        .collect();
    write_jsonl(&fx.path("samples.jsonl"), &samples);
    let proxy = EngineProxy::start(&fx.path("engine.sock"));
    let mut child = assay()
        .env(
            "DOCKER_HOST",
            format!("unix://{}", fx.path("engine.sock").display()),
        )
        .args(["score", "--sandbox", "docker", "--jobs", "2", "--problems"])
        .arg(fx.path("problems.jsonl"))
        .arg("--samples")
        .arg(fx.path("samples.jsonl"))
        .arg("--run-dir")
        .arg(fx.path("run"))
        .arg("--output")
        .arg(fx.path("results.jsonl"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let label = format!("assay.pid={}", child.id());
    wait_for("the run's containers", Duration::from_secs(60), || {
        containers(&label).len() >= 2
    });
    // Some executions are done: the cut comes mid-run.
    wait_for("journaled executions", Duration::from_secs(60), || {
        std::fs::read_to_string(fx.path("run/journal.jsonl")).is_ok_and(|t| t.lines().count() >= 2)
    });
    proxy.cut();
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "assay hung after the engine was lost"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(3), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains("samples have no verdict"),
        "{stderr}"
    );
    // Every sample is accounted for: a verdict for those run before the cut, a
    // sandbox_error (kept out of pass@k) for the rest; none is lost.
    let results = read_jsonl(&fx.path("results.jsonl"));
    assert_eq!(results.len(), 30);
    let errors = results
        .iter()
        .filter(|r| r["status"] == "sandbox_error")
        .count();
    assert!(errors > 0 && errors < 30, "{errors} sandbox errors");
    assert!(results
        .iter()
        .all(|r| r["status"] == "sandbox_error" || r["passed"] == true));
    // The engine closed the servers' stdin with their attach connections: no container
    // of the run is left.
    wait_for(
        "the run's containers to go",
        Duration::from_secs(20),
        || containers(&label).is_empty(),
    );
}
