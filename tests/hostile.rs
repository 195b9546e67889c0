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
    /// `# timeout: SECS`: the case's own wall limit (the entry's `limits`), for cases whose
    /// verdict needs more work than the suite's 2 s allow on a loaded machine.
    timeout: Option<f64>,
}

/// The cases of the corpus for `backend`. Single-execution cases when `phase` is None;
/// otherwise the `# sequence:` cases (writer and reader executions) for that phase, whose
/// headers are looked up as `expect-PHASE-BACKEND`, `expect-PHASE`, `expect-BACKEND`,
/// `expect`.
fn cases(
    backend: &str,
    phase: Option<&str>,
    port: u16,
    harness_pid: &str,
    marker: &str,
) -> Vec<Case> {
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
        if header("sequence").is_some() != phase.is_some() {
            continue;
        }
        let phased = |key: String| match phase {
            Some(p) => {
                header(&format!("{key}-{p}-{backend}")).or_else(|| header(&format!("{key}-{p}")))
            }
            None => None,
        };
        let expect = phased("expect".into())
            .or_else(|| header(&format!("expect-{backend}")))
            .or_else(|| header("expect"))
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", path.display()));
        let program = text
            .replace("{{PHASE}}", phase.unwrap_or(""))
            .replace("{{HOST_PORT}}", &port.to_string())
            .replace("{{HARNESS_PID}}", harness_pid)
            .replace("{{INBOUND_PORT}}", &inbound_port().to_string())
            .replace("{{MARKER}}", marker);
        out.push(Case {
            name: path.file_stem().unwrap().to_string_lossy().into_owned(),
            program,
            expect,
            timeout: header("timeout").map(|t| t.parse().expect("# timeout: SECS")),
        });
    }
    out
}

/// The port `socket_inbound` listens on inside the sandbox while `HostBait` connects to it
/// from the host: free on the host when picked (so a connection that gets in can only be
/// the sandbox's listener, which also answers with the marker).
fn inbound_port() -> u16 {
    static PORT: std::sync::OnceLock<u16> = std::sync::OnceLock::new();
    *PORT.get_or_init(|| {
        TcpListener::bind("0.0.0.0:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    })
}

/// One suite at a time: the host checks compare process lists before and after.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run_suite(backend: &str, env: &[(&str, &str)]) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let fx = Fixture::new();
    let marker = format!("assayhostile{}", std::process::id());
    // A listener on the host's loopback: a sandbox that reaches it has network access.
    // Never on `inbound_port`: the host's own prober connects there (a fresh-clone CI run
    // failed once so, the kernel having handed the released port to this listener).
    let listener = loop {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        if l.local_addr().unwrap().port() != inbound_port() {
            break l;
        }
    };
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

    let bait = HostBait::lay(&marker);

    // kill_parent aims at this test process, the harness's parent: equally out of reach.
    let harness_pid = std::process::id().to_string();
    let cases = cases(backend, None, port, &harness_pid, &marker);
    let problems: Vec<_> = cases
        .iter()
        .map(|c| {
            json!({"id": c.name, "domain": "security", "category": "hostile", "difficulty": "advanced",
                   "description": "A hostile program.", "prompt": "# hostile\n", "entry_point": "main",
                   "reference": "def main():\n    pass\n",
                   "limits": {"timeout_secs": c.timeout.unwrap_or(2.0)},
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
            "--max-output",
            "64MiB",
            "--jobs",
            "2",
            "--format",
            "json",
            "--sandbox",
            backend,
        ])
        // The marker in the harness's command line: host_view looks for it from inside.
        .arg("--run-dir")
        .arg(fx.path(&format!("run-{marker}")))
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
    let label = match env.iter().any(|(k, _)| *k == "ASSAY_PROCESS_COLD") {
        true => format!("{backend} (cold)"),
        false if backend == "process" => format!("{backend} (warm)"),
        false => backend.to_string(),
    };
    let record = |host: &str| record_suite(&label, &cases, &results, host);
    record("not checked: wrong verdicts");
    assert!(wrong.is_empty(), "wrong verdicts on {backend}: {wrong:#?}");
    record("not checked yet");

    // The host is untouched.
    assert!(
        !connected.load(Ordering::Relaxed),
        "a sandbox connected to the host's loopback"
    );
    assert!(
        !bait.reached(),
        "a sandbox connected to a unix socket at a host path"
    );
    assert!(
        !bait.reached_inbound(),
        "the host connected to a port a sandbox listened on"
    );
    drop(bait);
    for path in [
        format!("/tmp/assay-hostile-{marker}"),
        format!("/var/tmp/assay-hostile-{marker}"),
        format!("/dev/shm/assay-hostile-{marker}"),
        format!("/root/assay-hostile-{marker}"),
        format!("/tmp/fill-{marker}-0"),
    ] {
        assert!(!Path::new(&path).exists(), "{path} was written on the host");
    }
    // Killed processes take a moment to be reaped (more on a loaded machine): wait for
    // the table to be clean, and name what is left if it never is.
    let left = || -> Vec<_> {
        sandbox_processes(&marker)
            .into_iter()
            .filter(|(pid, _)| !before.contains_key(pid))
            .collect()
    };
    let clean = (0..250).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        left().is_empty()
    });
    assert!(clean, "processes left behind after 5 s: {:#?}", left());
    let peak_mb = peak_kb.load(Ordering::Relaxed) / 1024;
    assert!(peak_mb > 0, "the harness's memory was never sampled");
    // WASI guests live in the harness's own address space: their linear memories (up to
    // --memory 512 for each of the 2 jobs, the memory bomb fills one) count in its RSS.
    let guests_in_process_mb = if backend == "wasi" { 2 * 512 } else { 0 };
    assert!(
        peak_mb < 200 + guests_in_process_mb,
        "harness peak RSS {peak_mb} MB: output was not capped"
    );
    record(&format!(
        "untouched (no connection, no file, no process left; harness peak RSS {peak_mb} MB)"
    ));
}

/// Where the suites leave what they saw, for `scripts/hardening-table` (the README's table).
fn records_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-results")
}

/// One suite's verdicts as a JSON file: per case the expected and the observed verdict,
/// and the outcome of the host checks so far.
fn record_suite(label: &str, cases: &[Case], results: &[serde_json::Value], host: &str) {
    let dir = records_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let rows: Vec<_> = cases
        .iter()
        .zip(results)
        .map(|(c, r)| json!({"case": c.name, "expect": c.expect, "got": r["status"]}))
        .collect();
    let file = dir.join(format!("{}.json", label.replace([' ', '(', ')'], "")));
    let text = json!({"backend": label, "host": host, "cases": rows}).to_string();
    std::fs::write(file, text).unwrap();
}

/// What the host lays out for the sandbox to find, removed on drop: a 0777 unix socket
/// under `/run` (with a listener that records any connection), world-readable files
/// under `/var/lib` and `/home`, and a tmpfs mounted on the host (so the host's mount
/// table holds the marker).
struct HostBait {
    socket: std::path::PathBuf,
    files: Vec<std::path::PathBuf>,
    mount: std::path::PathBuf,
    reached: Arc<AtomicBool>,
    /// A host-side connection reached a sandbox's listener (`socket_inbound`).
    reached_inbound: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    listener: Option<std::thread::JoinHandle<()>>,
    prober: Option<std::thread::JoinHandle<()>>,
}

impl HostBait {
    fn lay(marker: &str) -> HostBait {
        use std::os::unix::fs::PermissionsExt;
        let socket = std::path::PathBuf::from(format!("/run/assay-hostile-{marker}.sock"));
        let _ = std::fs::remove_file(&socket);
        let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o777)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let reached = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (reached, stop) = (Arc::clone(&reached), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if listener.accept().is_ok() {
                        reached.store(true, Ordering::Relaxed);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            })
        };
        let reached_inbound = Arc::new(AtomicBool::new(false));
        let prober = {
            let (reached, stop) = (Arc::clone(&reached_inbound), Arc::clone(&stop));
            let want = format!("inbound {marker}");
            std::thread::spawn(move || probe_inbound(&want, &reached, &stop))
        };
        let files: Vec<_> = ["/var/lib", "/home"]
            .iter()
            .map(|d| std::path::PathBuf::from(format!("{d}/assay-hostile-{marker}")))
            .collect();
        for f in &files {
            std::fs::write(f, "host file").unwrap();
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let mount = std::path::PathBuf::from(format!("/run/assay-hostile-{marker}-mnt"));
        std::fs::create_dir_all(&mount).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "assay-hostile-bait"])
            .arg(&mount)
            .status()
            .unwrap();
        assert!(ok.success(), "cannot mount the bait tmpfs on the host");
        HostBait {
            socket,
            files,
            mount,
            reached,
            reached_inbound,
            stop,
            listener: Some(thread),
            prober: Some(prober),
        }
    }

    fn reached(&self) -> bool {
        self.reached.load(Ordering::Relaxed)
    }

    fn reached_inbound(&self) -> bool {
        self.reached_inbound.load(Ordering::Relaxed)
    }
}

/// Connects, from the host, to [`inbound_port`] on loopback and on every address of the
/// host (`hostname -I`) every 50 ms until `stop`; a connection that answers with `want`
/// reached a listener inside a sandbox.
fn probe_inbound(want: &str, reached: &AtomicBool, stop: &AtomicBool) {
    let mut addrs = vec!["127.0.0.1".to_string()];
    if let Ok(out) = std::process::Command::new("hostname").arg("-I").output() {
        addrs.extend(
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .map(String::from),
        );
    }
    let targets: Vec<std::net::SocketAddr> = addrs
        .iter()
        .filter_map(|a| a.parse::<std::net::IpAddr>().ok())
        .map(|ip| std::net::SocketAddr::new(ip, inbound_port()))
        .collect();
    let wait = std::time::Duration::from_millis(100);
    while !stop.load(Ordering::Relaxed) {
        for addr in &targets {
            let Ok(conn) = std::net::TcpStream::connect_timeout(addr, wait) else {
                continue;
            };
            let _ = conn.set_read_timeout(Some(wait));
            let mut got = String::new();
            let _ = conn.take(256).read_to_string(&mut got);
            if got.contains(want) {
                reached.store(true, Ordering::Relaxed);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

impl Drop for HostBait {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in [self.listener.take(), self.prober.take()]
            .into_iter()
            .flatten()
        {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.socket);
        for f in &self.files {
            let _ = std::fs::remove_file(f);
        }
        let _ = std::process::Command::new("umount")
            .arg(&self.mount)
            .status();
        let _ = std::fs::remove_dir(&self.mount);
    }
}

/// Runs `assay score` once on `(case, program)` samples, one problem per case, and
/// returns each sample's status in input order.
fn score_samples(
    fx: &Fixture,
    tag: &str,
    backend: &str,
    env: &[(&str, &str)],
    jobs: usize,
    samples: &[(String, String)],
) -> Vec<String> {
    let mut names: Vec<&String> = samples.iter().map(|(n, _)| n).collect();
    names.sort();
    names.dedup();
    let problems: Vec<_> = names
        .iter()
        .map(|n| {
            json!({"id": n, "domain": "security", "category": "hostile", "difficulty": "advanced",
                   "description": "A hostile program.", "prompt": "# hostile\n", "entry_point": "main",
                   "reference": "def main():\n    pass\n",
                   "tests": [{"name": "reached", "level": "normal", "code": "assert True"}]})
        })
        .collect();
    let rows: Vec<_> = samples
        .iter()
        .enumerate()
        // A distinct comment per sample: identical programs must still each run.
        .map(|(i, (n, p))| json!({"task_id": n, "solution": format!("{p}\n# sample {i}\n")}))
        .collect();
    write_jsonl(&fx.path(&format!("{tag}-problems.jsonl")), &problems);
    write_jsonl(&fx.path(&format!("{tag}-samples.jsonl")), &rows);
    let out = assay()
        .envs(env.iter().copied())
        .args(["score", "--problems"])
        .arg(fx.path(&format!("{tag}-problems.jsonl")))
        .arg("--samples")
        .arg(fx.path(&format!("{tag}-samples.jsonl")))
        .args([
            "--k",
            "1",
            "--timeout",
            "5",
            "--memory",
            "512",
            "--format",
            "json",
        ])
        .args(["--jobs", &jobs.to_string(), "--sandbox", backend])
        .arg("--run-dir")
        .arg(fx.path(&format!("{tag}-run")))
        .arg("--output")
        .arg(fx.path(&format!("{tag}-results.jsonl")))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tag}: the harness must keep going: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    read_jsonl(&fx.path(&format!("{tag}-results.jsonl")))
        .iter()
        .map(|r| format!("{} {}", r["status"].as_str().unwrap(), r["message"]))
        .collect()
}

/// The `# sequence:` cases: writers leave something behind, later readers look for it.
/// Three ways of being later: the next execution with `--jobs 1`; with `--jobs 2` (two
/// writers, then two readers, so every slot that reads has written); and a second
/// harness run after the first has exited (the same uid is leased again).
fn run_sequences(backend: &str, env: &[(&str, &str)]) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let fx = Fixture::new();
    let marker = format!("assayseq{}", std::process::id());
    let pid = std::process::id().to_string();
    let writers = cases(backend, Some("write"), 0, &pid, &marker);
    let readers = cases(backend, Some("read"), 0, &pid, &marker);
    assert!(!writers.is_empty() && writers.len() == readers.len());
    let as_samples = |cs: &[Case], copies: usize| -> Vec<(String, String)> {
        (0..copies)
            .flat_map(|_| cs.iter().map(|c| (c.name.clone(), c.program.clone())))
            .collect()
    };
    let expected = |cs: &[Case], copies: usize| -> Vec<String> {
        (0..copies)
            .flat_map(|_| cs.iter().map(|c| c.expect.clone()))
            .collect()
    };
    let check = |tag: &str, got: Vec<String>, want: Vec<String>, names: Vec<(String, String)>| {
        let wrong: Vec<_> = got
            .iter()
            .zip(&want)
            .zip(&names)
            .filter(|((g, w), _)| !g.starts_with(&format!("{w} ")))
            .map(|((g, w), (n, _))| format!("{n}: expected {w}, got {g}"))
            .collect();
        assert!(wrong.is_empty(), "{tag} on {backend}: {wrong:#?}");
    };
    for (tag, jobs, copies) in [("jobs1", 1, 1), ("jobs2", 2, 2)] {
        let mut samples = as_samples(&writers, copies);
        samples.extend(as_samples(&readers, copies));
        let mut want = expected(&writers, copies);
        want.extend(expected(&readers, copies));
        let got = score_samples(&fx, tag, backend, env, jobs, &samples);
        check(tag, got, want, samples);
    }
    let w = as_samples(&writers, 1);
    let got = score_samples(&fx, "harness1", backend, env, 1, &w);
    check("first harness (writers)", got, expected(&writers, 1), w);
    let r = as_samples(&readers, 1);
    let got = score_samples(&fx, "harness2", backend, env, 1, &r);
    check("second harness (readers)", got, expected(&readers, 1), r);
}

#[test]
fn leaks_between_executions_on_process_backend_warm() {
    run_sequences("process", &[]);
}

#[test]
fn leaks_between_executions_on_process_backend_cold() {
    run_sequences("process", &[("ASSAY_PROCESS_COLD", "1")]);
}

#[test]
fn leaks_between_executions_on_wasi_backend() {
    let wasm = python_wasm();
    run_sequences("wasi", &[("ASSAY_PYTHON_WASM", &wasm)]);
}

#[test]
fn leaks_between_executions_on_docker_backend() {
    if !docker_ready("leak sequences on docker") {
        return;
    }
    run_sequences("docker", &[]);
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
