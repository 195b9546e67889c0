//! `pip install assay-eval`: `scripts/build-wheel` builds the wheel, pip installs it into a
//! fresh virtual environment, and the installed `bin/assay` scores and curates from a
//! directory with no checkout around it. As root the checkout and the cargo target
//! directory are also hidden (a private mount namespace with an empty tmpfs over each),
//! so nothing the binary needs can come from the source tree: runner, zygote, pool
//! server, schema and profile pins must all be inside it.
//!
//! No skip: a missing maturin is installed by the script, and a failure is a failure.

mod common;

use common::{read_jsonl, write_jsonl};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn checkout() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory this test was built in (`<target>/<profile>/assay`), so the
/// wheel reuses this build instead of starting one in the scripts' default directory.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_assay"))
        .parent()
        .and_then(Path::parent)
        .expect("CARGO_BIN_EXE_assay is <target>/<profile>/assay")
        .to_path_buf()
}

fn text(o: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn run(cmd: &mut Command, what: &str) -> Output {
    let started = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    eprintln!("{what}: {:.1} s", started.elapsed().as_secs_f64());
    assert!(out.status.success(), "{what} failed: {}", text(&out));
    out
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Runs the installed binary from `cwd` with a minimal environment (no CARGO_* variable
/// of this test's, no ASSAY_* override); as root, inside a mount namespace where the
/// checkout and the target directory are empty.
fn installed(bin: &Path, cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = if is_root() {
        let mut hide = vec![checkout()];
        let target = target_dir();
        if !target.starts_with(checkout()) {
            hide.push(target);
        }
        let mut c = Command::new("unshare");
        c.args(["--mount", "--propagation", "private", "sh", "-c"])
            .arg(
                // Mount an empty tmpfs over each hidden directory, check it is empty,
                // then exec the command.
                "n=$1; shift; i=0; while [ $i -lt $n ]; do d=$1; shift; i=$((i+1)); \
                 mount -t tmpfs -o size=1m tmpfs \"$d\" || exit 97; \
                 [ -z \"$(ls -A \"$d\")\" ] || exit 98; done; exec \"$@\"",
            )
            .arg("sh")
            .arg(hide.len().to_string())
            .args(&hide)
            .arg(bin);
        c
    } else {
        eprintln!("not root: the checkout cannot be hidden, only left out of reach of the cwd");
        Command::new(bin)
    };
    cmd.args(args).current_dir(cwd).env_clear();
    for var in ["PATH", "HOME", "TMPDIR", "LANG"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    cmd
}

/// `scripts/build-wheel OUT` as the shell that ran `cargo test` would run it. cargo gives
/// a test process variables of its own (CARGO_MANIFEST_DIR, CARGO_PKG_*, …, and the
/// build script's `rustc-env` ASSAY_GIT_COMMIT); the inner cargo that maturin runs would
/// see them as changed environment (ring's build script watches CARGO_MANIFEST_DIR,
/// build.rs watches ASSAY_GIT_COMMIT) and recompile half the tree instead of reusing it.
fn build_wheel(out: &Path) -> Command {
    let mut cmd = Command::new(checkout().join("scripts/build-wheel"));
    cmd.arg(out).env("CARGO_TARGET_DIR", target_dir());
    for (key, value) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        let cargo_set = key == "CARGO"
            || key == "OUT_DIR"
            || key == "CARGO_PRIMARY_PACKAGE"
            || key == "CARGO_TARGET_TMPDIR"
            || [
                "CARGO_MANIFEST_",
                "CARGO_PKG_",
                "CARGO_CRATE_",
                "CARGO_BIN_",
                "CARGO_RUSTC_",
            ]
            .iter()
            .any(|p| key.starts_with(p));
        // ASSAY_GIT_COMMIT is build.rs's rustc-env when it names HEAD; one a packager set
        // to something else was in the outer build's environment too, and stays.
        let from_build_script = key == "ASSAY_GIT_COMMIT"
            && Command::new("git")
                .args(["rev-parse", "HEAD"])
                .current_dir(checkout())
                .output()
                .is_ok_and(|o| o.stdout.trim_ascii() == value.as_encoded_bytes());
        if cargo_set || from_build_script {
            cmd.env_remove(&key);
        }
    }
    cmd
}

fn entry(id: &str, description: &str, reference: &str, tests: &[(&str, &str, &str)]) -> Value {
    json!({"id": id, "domain": "math", "category": "arith", "difficulty": "basic",
           "description": description,
           "prompt": format!("def f(a, b):\n    \"\"\"{description}\"\"\"\n"),
           "entry_point": "f", "reference": reference,
           "tests": tests.iter().map(|(n, l, c)| json!({"name": n, "level": l, "code": c})).collect::<Vec<_>>()})
}

#[test]
fn the_wheel_installs_with_pip_and_runs_score_and_curate_without_a_checkout() {
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();

    // 1. Build the wheel, reusing this test's release build.
    let out = run(
        &mut build_wheel(&tmp.path().join("wheels")),
        "scripts/build-wheel",
    );
    // cargo just built this test and the binary with the release profile in this target
    // directory, so maturin's `cargo rustc --release --bin assay` must reuse all of it: a
    // compile here is a second variant of the crates (a feature a dev-dependency turns on
    // that the normal build lacks; see the comment above crc32fast in Cargo.toml), which
    // costs a warm CI run minutes and swaps the binary the other tests run.
    let log = String::from_utf8_lossy(&out.stderr);
    if target_dir().join("release/assay") == Path::new(env!("CARGO_BIN_EXE_assay")) {
        let compiled: Vec<&str> = log
            .lines()
            .filter(|l| l.trim_start().starts_with("Compiling "))
            .collect();
        assert!(
            compiled.is_empty(),
            "maturin rebuilt what `cargo test --release` had just built; compare \
             `cargo tree -e features` with and without `-e normal,build`:\n{}",
            compiled.join("\n")
        );
    }
    let wheel = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    assert!(wheel.is_file(), "no wheel at {}", wheel.display());
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        name,
        format!("assay_eval-{VERSION}-py3-none-manylinux_2_34_x86_64.whl"),
        "wheel name (distribution, version from Cargo.toml, platform tag)"
    );

    // 2. A fresh virtual environment, the wheel installed from the file alone.
    let venv = tmp.path().join("venv");
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    );
    run(
        Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--no-index",
                "--disable-pip-version-check",
            ])
            .arg(&wheel),
        "pip install --no-index <wheel>",
    );
    let show = run(
        Command::new(venv.join("bin/pip")).args(["show", "assay-eval"]),
        "pip show assay-eval",
    );
    let show = String::from_utf8_lossy(&show.stdout).into_owned();
    assert!(show.contains("Name: assay-eval\n"), "{show}");
    assert!(show.contains(&format!("Version: {VERSION}\n")), "{show}");
    assert!(show.contains("License: MIT"), "{show}");
    let bin = venv.join("bin/assay");
    assert!(bin.is_file(), "pip installed no {}", bin.display());
    // The wheel carries the binary this test run built and the other tests run.
    if target_dir().join("release/assay") == Path::new(env!("CARGO_BIN_EXE_assay")) {
        assert!(
            std::fs::read(&bin).unwrap() == std::fs::read(env!("CARGO_BIN_EXE_assay")).unwrap(),
            "the installed binary differs from the release build"
        );
    }

    // 3. A working directory with no checkout in or above it.
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path();
    assert!(!cwd.starts_with(checkout()));
    assert!(
        !cwd.ancestors()
            .any(|d| d.join("Cargo.toml").exists() || d.join("sandbox-images").exists()),
        "{} has a checkout around it",
        cwd.display()
    );

    let version = run(
        &mut installed(&bin, cwd, &["--version"]),
        "assay --version (installed)",
    );
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("assay {VERSION}")
    );

    // 4. score: one task, a right and a wrong completion, on the process backend.
    write_jsonl(
        &cwd.join("problems.jsonl"),
        &[json!({
            "task_id": "Toy/0",
            "prompt": "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n",
            "canonical_solution": "    return a + b\n",
            "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n",
            "entry_point": "add",
        })],
    );
    write_jsonl(
        &cwd.join("samples.jsonl"),
        &[
            json!({"task_id": "Toy/0", "completion": "    return a + b\n", "case": "right"}),
            json!({"task_id": "Toy/0", "completion": "    return a - b\n", "case": "wrong"}),
        ],
    );
    let out = run(
        &mut installed(
            &bin,
            cwd,
            &[
                "score",
                "--problems",
                "problems.jsonl",
                "--samples",
                "samples.jsonl",
                "--sandbox",
                "process",
                "--k",
                "1",
                "--format",
                "json",
            ],
        ),
        "assay score (installed)",
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = read_jsonl(&cwd.join("samples.jsonl_results.jsonl"));
    let got: Vec<(&str, bool, &str)> = results
        .iter()
        .map(|r| {
            (
                r["case"].as_str().unwrap(),
                r["passed"].as_bool().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("right", true, "passed"), ("wrong", false, "failed")]);
    assert!(
        results.iter().all(|r| r["backend"] == "process"),
        "{results:?}"
    );
    // pass@1 from the results file itself (one task: the share of its samples passing),
    // and the one assay reports.
    let pass1 =
        results.iter().filter(|r| r["passed"] == true).count() as f64 / results.len() as f64;
    assert_eq!(pass1, 0.5);
    assert_eq!(summary["pass@1"].as_f64(), Some(pass1), "{summary}");
    // The run record lands under the working directory's runs/, with this version.
    let run_dir = cwd.join(summary["run_dir"].as_str().unwrap());
    assert!(run_dir.starts_with(cwd), "{}", run_dir.display());
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["assay_version"], VERSION);

    // 5. curate: one good entry, one whose reference fails its own tests.
    let good = entry(
        "good_add",
        "Return a plus b.",
        "def f(a, b):\n    return a + b\n",
        &[
            ("t_normal", "normal", "assert f(1, 2) == 3"),
            ("t_edge", "edge_case", "assert f(0, 0) == 0"),
            ("t_corr", "correctness", "assert f(-1, 1) == 0"),
        ],
    );
    let broken = entry(
        "broken_sub",
        "Subtract b from a, giving the difference.",
        "def f(a, b):\n    return a + b\n",
        &[
            ("t_normal", "normal", "assert f(3, 2) == 1"),
            ("t_edge", "edge_case", "assert f(0, 0) == 0"),
            ("t_corr", "correctness", "assert f(-1, 1) == -2"),
        ],
    );
    write_jsonl(&cwd.join("entries.jsonl"), &[good, broken]);
    let out = run(
        &mut installed(
            &bin,
            cwd,
            &[
                "curate",
                "entries.jsonl",
                "-o",
                "curated.jsonl",
                "--report",
                "report",
                "--sandbox",
                "process",
                "--repeats",
                "2",
            ],
        ),
        "assay curate (installed)",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let curated = read_jsonl(&cwd.join("curated.jsonl"));
    let kept: Vec<&str> = curated.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(kept, ["good_add"], "{stdout}");
    assert_eq!(curated[0]["reference"], "def f(a, b):\n    return a + b\n");
    let rejected = read_jsonl(&cwd.join("report/rejected.jsonl"));
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["id"], "broken_sub");
    assert_eq!(rejected[0]["stage"], "execution", "{:?}", rejected[0]);
    let reason = rejected[0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("1/3 tests pass") && reason.contains("AssertionError"),
        "{reason}"
    );
    for name in ["report.json", "report.md", "report.html"] {
        assert!(cwd.join("report").join(name).is_file(), "no report/{name}");
    }

    eprintln!(
        "wheel test: {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
}
