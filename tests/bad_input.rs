//! Bad input and bad usage, through the real binary (issue 13, items 3 and 4): every
//! malformed file each loader reads, and every flag given a value that cannot work, is
//! answered with exit 2 and ONE line on stderr naming the file, line and field (or the
//! flag), no panic, and nothing written. The files are under `tests/bad_input/`; the
//! binary or huge ones are written here into a temp dir.

mod common;

use common::assay;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad_input");
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A temp dir holding the corpus (and whatever a case adds), the cwd of every run, so
/// that "nothing written" is "the same files before and after".
struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        let dir = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(CORPUS).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
        Dir { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.path(name), bytes).unwrap();
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    /// Every file under the dir with its size.
    fn files(&self) -> BTreeMap<PathBuf, u64> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, u64>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.insert(p.strip_prefix(root).unwrap().to_path_buf(), 0);
                    walk(root, &p, out);
                } else {
                    let len = e.metadata().unwrap().len();
                    out.insert(p.strip_prefix(root).unwrap().to_path_buf(), len);
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(self.dir.path(), self.dir.path(), &mut out);
        out
    }

    fn run(&self, args: &[&str]) -> Output {
        assay()
            .current_dir(self.dir.path())
            .args(args)
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// `args` is refused: exit 2, one line on stderr holding every one of `expect`, no
    /// panic or internal error, nothing written.
    #[track_caller]
    fn refused(&self, args: &[&str], expect: &[&str]) -> String {
        let before = self.files();
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let what = format!("assay {}: stderr {stderr:?}", args.join(" "));
        assert_eq!(out.status.code(), Some(2), "{what}");
        assert_eq!(stderr.lines().count(), 1, "not one line: {what}");
        assert!(stderr.starts_with("error: "), "{what}");
        for e in expect {
            assert!(stderr.contains(e), "{e:?} missing: {what}");
        }
        for bad in [
            "panicked",
            "internal error",
            "RUST_BACKTRACE",
            "os error",
            "Usage:",
        ] {
            assert!(!stderr.contains(bad), "{bad:?} in {what}");
        }
        assert_eq!(self.files(), before, "something was written: {what}");
        stderr
    }

    /// `args` succeeds (exit 0); its stdout.
    #[track_caller]
    fn accepted(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "assay {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// `good` with its ending turned into CRLF, a BOM in front, or both.
fn crlf(good: &[u8]) -> Vec<u8> {
    String::from_utf8(good.to_vec())
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes()
}

fn with_bom(good: &[u8]) -> Vec<u8> {
    [BOM, good].concat()
}

/// The first line of `good`, then a line with bytes that are not UTF-8.
fn bad_utf8(good: &[u8]) -> Vec<u8> {
    let first = good.split(|&b| b == b'\n').next().unwrap();
    [first, b"\n{\"task_id\": \"Toy/1\", \"x\": \"caf\xE9\"}\n"].concat()
}

/// A 100 MB line (a JSON string that never ends, as a runaway generator writes it).
fn huge_line(dir: &Dir, name: &str) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.path(name)).unwrap());
    f.write_all(b"{\"task_id\": \"Toy/0\", \"completion\": \"")
        .unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\"}\n").unwrap();
}

/// Score args around a problems and a samples file, results into the cwd.
fn score<'a>(problems: &'a str, samples: &'a str) -> Vec<&'a str> {
    vec![
        "score",
        "--problems",
        problems,
        "--samples",
        samples,
        "--k",
        "1",
        "--jobs",
        "1",
    ]
}

/// Refused within a few seconds and a bounded RSS (the cap refuses the line before
/// reading it whole).
#[track_caller]
fn refused_promptly(dir: &Dir, args: &[&str], expect: &[&str]) {
    let start = std::time::Instant::now();
    dir.refused(args, expect);
    let took = start.elapsed();
    assert!(
        took.as_secs() < 10,
        "took {took:?}: assay {}",
        args.join(" ")
    );
}

// ---------------------------------------------------------------- samples (score)

#[test]
fn samples_malformed_are_refused_naming_file_line_and_field() {
    let d = Dir::new();
    let cases: &[(&str, &[&str])] = &[
        (
            "samples-truncated.jsonl",
            &["samples-truncated.jsonl:2: json: truncated"],
        ),
        (
            "samples-wrong-type.jsonl",
            &["samples-wrong-type.jsonl:2: completion: expected a string, found an array"],
        ),
        (
            "samples-missing-field.jsonl",
            &["samples-missing-field.jsonl:2: completion: missing field"],
        ),
        (
            "samples-unknown-task.jsonl",
            &["samples-unknown-task.jsonl:2: task_id: unknown task \"Toy/7\""],
        ),
        (
            "samples-not-an-object.jsonl",
            &["samples-not-an-object.jsonl:2: json: expected a JSON object, found an array"],
        ),
        // No samples is a mistake (a wrong or cut file), not a pass@k of nothing.
        ("empty.jsonl", &["empty.jsonl:1: task_id: no samples"]),
        (
            "blank-lines.jsonl",
            &["blank-lines.jsonl:1: task_id: no samples"],
        ),
    ];
    for (file, expect) in cases {
        d.refused(&score("problems.jsonl", file), expect);
    }
}

#[test]
fn samples_unreadable_are_refused_naming_the_flag() {
    let d = Dir::new();
    d.write("bad-utf8.jsonl", &bad_utf8(&d.read("samples.jsonl")));
    d.refused(
        &score("problems.jsonl", "bad-utf8.jsonl"),
        &["bad-utf8.jsonl:2: encoding: not valid UTF-8"],
    );
    d.write("fake.jsonl.gz", b"\x1f\x8bnot gzip at all\n");
    d.refused(
        &score("problems.jsonl", "fake.jsonl.gz"),
        &["fake.jsonl.gz:1: gzip: not a valid gzip file"],
    );
    std::fs::create_dir(d.path("a-dir")).unwrap();
    // A directory is read as EvalPlus's samples layout; an empty one is refused so.
    let msg = d.refused(&score("problems.jsonl", "a-dir"), &[]);
    assert_eq!(
        msg,
        "error: --samples a-dir: no samples: the directory has no <task_id>/<N>.py files (EvalPlus's samples layout)\n"
    );
    // The flag, the path, the cause once.
    let msg = d.refused(&score("problems.jsonl", "x.jsonl"), &[]);
    assert_eq!(msg, "error: --samples x.jsonl: No such file or directory\n");
    huge_line(&d, "huge.jsonl");
    refused_promptly(
        &d,
        &score("problems.jsonl", "huge.jsonl"),
        &["huge.jsonl:1: line: longer than 64 MiB"],
    );
}

#[test]
fn samples_with_bom_crlf_or_gzip_are_accepted() {
    let d = Dir::new();
    let good = d.read("samples.jsonl");
    d.write("bom.jsonl", &with_bom(&good));
    d.write("crlf.jsonl", &crlf(&good));
    d.write("bom-crlf.jsonl", &with_bom(&crlf(&good)));
    d.write("samples.jsonl.gz", &gzip(&with_bom(&good)));
    for f in [
        "bom.jsonl",
        "crlf.jsonl",
        "bom-crlf.jsonl",
        "samples.jsonl.gz",
    ] {
        let mut args = score("problems.jsonl", f);
        args.extend(["--format", "json"]);
        let out = d.accepted(&args);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["pass@1"], 1.0, "{f}: {out}");
    }
}

// ---------------------------------------------------------------- problems (score)

#[test]
fn problems_malformed_or_unreadable_are_refused() {
    let d = Dir::new();
    let cases: &[(&str, &[&str])] = &[
        (
            "problems-truncated.jsonl",
            &["problems-truncated.jsonl:2: json: truncated"],
        ),
        (
            "problems-wrong-type.jsonl",
            &["problems-wrong-type.jsonl:2: prompt: expected a string, found a number"],
        ),
        (
            "problems-missing-field.jsonl",
            &["problems-missing-field.jsonl:2: entry_point: missing field"],
        ),
        (
            "problems-duplicate.jsonl",
            &["problems-duplicate.jsonl:3: task_id: duplicate id \"Toy/0\""],
        ),
        ("empty.jsonl", &["empty.jsonl:1: id: no problems"]),
    ];
    for (file, expect) in cases {
        d.refused(&score(file, "samples.jsonl"), expect);
    }
    d.write("bad-utf8.jsonl", &bad_utf8(&d.read("problems.jsonl")));
    d.refused(
        &score("bad-utf8.jsonl", "samples.jsonl"),
        &["bad-utf8.jsonl:2: encoding: not valid UTF-8"],
    );
    d.write("fake.jsonl.gz", b"\x1f\x8b\x08\x00garbage");
    d.refused(
        &score("fake.jsonl.gz", "samples.jsonl"),
        &["fake.jsonl.gz:1: gzip:"],
    );
    std::fs::create_dir(d.path("a-dir")).unwrap();
    d.refused(
        &score("a-dir", "samples.jsonl"),
        &["--problems a-dir: Is a directory"],
    );
    let msg = d.refused(&score("nope.jsonl", "samples.jsonl"), &[]);
    assert_eq!(
        msg,
        "error: --problems nope.jsonl: No such file or directory\n"
    );
    huge_line(&d, "huge.jsonl");
    refused_promptly(
        &d,
        &score("huge.jsonl", "samples.jsonl"),
        &["huge.jsonl:1: line:"],
    );
}

#[test]
fn problems_with_bom_crlf_or_gzip_are_accepted() {
    let d = Dir::new();
    let good = d.read("problems.jsonl");
    d.write("bom.jsonl", &with_bom(&good));
    d.write("crlf.jsonl", &crlf(&good));
    d.write("p.jsonl.gz", &gzip(&with_bom(&crlf(&good))));
    for f in ["bom.jsonl", "crlf.jsonl", "p.jsonl.gz"] {
        d.accepted(&score(f, "samples.jsonl"));
        assert!(
            d.accepted(&["validate", f]).contains("2 entries valid"),
            "{f}"
        );
    }
}

// ---------------------------------------------------------------- entries (validate, curate)

#[test]
fn entries_malformed_or_unreadable_are_refused_by_validate() {
    let d = Dir::new();
    d.accepted(&["validate", "entries.jsonl"]);
    let cases: &[(&str, &[&str])] = &[
        (
            "entries-truncated.jsonl",
            &["entries-truncated.jsonl:2: json: truncated"],
        ),
        (
            "entries-wrong-type.jsonl",
            &["entries-wrong-type.jsonl:2: tests:"],
        ),
        (
            "entries-missing-field.jsonl",
            &["entries-missing-field.jsonl:2: reference:"],
        ),
        (
            "entries-duplicate.jsonl",
            &["entries-duplicate.jsonl:3: id: duplicate id \"add_two_0\""],
        ),
        ("empty.jsonl", &["empty.jsonl:1: id: no problems"]),
        ("x.jsonl", &["<FILE> x.jsonl: No such file or directory"]),
    ];
    for (file, expect) in cases {
        d.refused(&["validate", file], expect);
    }
    d.write("bad-utf8.jsonl", &bad_utf8(&d.read("entries.jsonl")));
    d.refused(
        &["validate", "bad-utf8.jsonl"],
        &["bad-utf8.jsonl:2: encoding:"],
    );
    d.write("fake.jsonl.gz", b"\x1f\x8b");
    d.refused(&["validate", "fake.jsonl.gz"], &["fake.jsonl.gz:1: gzip:"]);
    std::fs::create_dir(d.path("a-dir")).unwrap();
    d.refused(&["validate", "a-dir"], &["<FILE> a-dir: Is a directory"]);
    huge_line(&d, "huge.jsonl");
    refused_promptly(&d, &["validate", "huge.jsonl"], &["huge.jsonl:1: line:"]);
    let good = d.read("entries.jsonl");
    d.write("bom-crlf.jsonl", &with_bom(&crlf(&good)));
    d.accepted(&["validate", "bom-crlf.jsonl"]);
}

#[test]
fn curate_refuses_inputs_it_cannot_read() {
    let d = Dir::new();
    let curate = |input: &str| {
        d.refused(
            &[
                "curate",
                input,
                "-o",
                "out.jsonl",
                "--report",
                "rep",
                "--run-dir",
                "run",
            ],
            &[],
        )
    };
    assert!(curate("empty.jsonl").contains("empty.jsonl:1: id: no entries"));
    d.write("bad-utf8.jsonl", &bad_utf8(&d.read("entries.jsonl")));
    assert!(curate("bad-utf8.jsonl").contains("bad-utf8.jsonl:2: encoding:"));
    d.write("fake.jsonl.gz", b"\x1f\x8bxx");
    assert!(curate("fake.jsonl.gz").contains("fake.jsonl.gz:1: gzip:"));
    assert!(curate("x.jsonl").contains("<INPUTS> x.jsonl: No such file or directory"));
    std::fs::create_dir(d.path("no-skills")).unwrap();
    assert!(curate("no-skills").contains("no-skills: skill files: no *.py skill files"));
    huge_line(&d, "huge.jsonl");
    assert!(curate("huge.jsonl").contains("huge.jsonl:1: line: longer than 64 MiB"));
}

/// Curation keeps going past a bad record (the README's stages): each one is a
/// rejection whose reason names file, line and field, not a stop of the whole run.
#[test]
fn curate_rejects_bad_records_naming_file_line_and_field() {
    let d = Dir::new();
    for (file, reason) in [
        (
            "entries-wrong-type.jsonl",
            "entries-wrong-type.jsonl:2: tests:",
        ),
        (
            "entries-missing-field.jsonl",
            "entries-missing-field.jsonl:2: reference:",
        ),
        (
            "entries-truncated.jsonl",
            "entries-truncated.jsonl:2: json: truncated",
        ),
        (
            "entries-duplicate.jsonl",
            r#"duplicate id \"add_two_0\" (first at entries-duplicate.jsonl:1)"#,
        ),
    ] {
        let rep = format!("rep-{file}");
        d.accepted(&[
            "curate",
            file,
            "-o",
            "out.jsonl",
            "--report",
            &rep,
            "--run-dir",
            "run",
            "--repeats",
            "1",
        ]);
        let rejected = String::from_utf8(d.read(&format!("{rep}/rejected.jsonl"))).unwrap();
        assert!(rejected.contains(reason), "{file}: {rejected}");
    }
}

// ---------------------------------------------------------------- skill files

#[test]
fn skill_files_malformed_or_unreadable_are_refused() {
    let d = Dir::new();
    let build = |dir: &str| d.refused(&["skills", "build", dir, "-o", "out.jsonl"], &[]);
    let one = |file: &str, bytes: &[u8]| -> String {
        let dir = format!("dir-{file}");
        std::fs::create_dir(d.path(&dir)).unwrap();
        d.write(&format!("{dir}/{file}"), bytes);
        let msg = build(&dir);
        assert!(msg.contains(&format!("{dir}/{file}:")), "{msg}");
        msg
    };
    let good = d.read("skill.py");
    assert!(one("missing_header.py", &d.read("skill-missing-header.py"))
        .contains(":1: difficulty: missing"));
    assert!(one("bad_level.py", &d.read("skill-bad-test-level.py"))
        .contains(": tests: test_hard_exploration_rate"));
    assert!(one("syntax.py", &d.read("skill-syntax-error.py")).contains(": syntax:"));
    let mut latin1 = good.clone();
    latin1.extend(b"\n# caf\xE9\n");
    let lines = latin1.iter().filter(|&&b| b == b'\n').count();
    assert!(one("latin1.py", &latin1).contains(&format!(":{lines}: encoding: not valid UTF-8")));
    let truncated = &good[..good.len() / 2];
    one("truncated.py", truncated);
    let dir = "dir-huge";
    std::fs::create_dir(d.path(dir)).unwrap();
    huge_line(&d, "dir-huge/huge.py");
    let start = std::time::Instant::now();
    assert!(build(dir).contains("dir-huge/huge.py: size: larger than 64 MiB"));
    assert!(start.elapsed().as_secs() < 10);
    std::fs::create_dir(d.path("empty-dir")).unwrap();
    assert!(build("empty-dir").contains("empty-dir: skill files: no *.py skill files"));
    assert!(build("skill.py").contains("<DIR> skill.py: Not a directory"));
    assert!(build("nowhere").contains("<DIR> nowhere: No such file or directory"));
    let msg = d.refused(&["skills", "add", "nope.py", "--to", "entries.jsonl"], &[]);
    assert_eq!(msg, "error: <FILE> nope.py: No such file or directory\n");
    d.refused(
        &[
            "skills",
            "add",
            "skill.py",
            "--to",
            "entries-truncated.jsonl",
        ],
        &["entries-truncated.jsonl:2: json: truncated"],
    );
}

#[test]
fn skill_files_with_bom_or_crlf_are_accepted() {
    let d = Dir::new();
    let good = d.read("skill.py");
    std::fs::create_dir(d.path("skills")).unwrap();
    d.write("skills/with_bom.py", &with_bom(&good));
    d.write("skills/with_crlf.py", &crlf(&good));
    let out = d.accepted(&["skills", "build", "skills", "-o", "out.jsonl"]);
    assert!(out.contains("2 entries"), "{out}");
}

// ---------------------------------------------------------------- run records (compare, report)

#[test]
fn results_files_malformed_or_unreadable_are_refused_by_compare_and_report() {
    let d = Dir::new();
    d.accepted(&["compare", "results.jsonl", "results.jsonl"]);
    d.write("bad-utf8.jsonl", &bad_utf8(&d.read("results.jsonl")));
    d.write("fake.jsonl.gz", b"\x1f\x8b!");
    huge_line(&d, "huge.jsonl");
    std::fs::create_dir(d.path("not-a-run")).unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "results-truncated.jsonl",
            "results-truncated.jsonl:2: json: truncated",
        ),
        (
            "results-wrong-type.jsonl",
            "results-wrong-type.jsonl:2: passed:",
        ),
        (
            "results-missing-field.jsonl",
            "results-missing-field.jsonl:2: passed: missing field",
        ),
        (
            "empty.jsonl",
            "empty.jsonl:1: results: the results file is empty",
        ),
        ("bad-utf8.jsonl", "bad-utf8.jsonl:2: encoding:"),
        ("fake.jsonl.gz", "fake.jsonl.gz:1: gzip:"),
        ("huge.jsonl", "huge.jsonl:1: line:"),
        ("not-a-run", "not-a-run is not a run directory"),
        ("gone", "<CURRENT> gone: No such file or directory"),
    ];
    for (file, expect) in cases {
        d.refused(&["compare", "results.jsonl", file], &[expect]);
        let expect = expect.replace("<CURRENT>", "<RUN>");
        d.refused(&["report", file, "--markdown", "report.md"], &[&expect]);
    }
    d.refused(
        &[
            "report",
            "results.jsonl",
            "--baseline",
            "gone",
            "--html",
            "r.html",
        ],
        &["--baseline gone: No such file or directory"],
    );
    let good = d.read("results.jsonl");
    d.write("bom-crlf.jsonl", &with_bom(&crlf(&good)));
    d.accepted(&["compare", "results.jsonl", "bom-crlf.jsonl"]);
}

#[test]
fn a_run_dir_with_a_broken_meta_json_is_refused() {
    let d = Dir::new();
    std::fs::create_dir(d.path("run")).unwrap();
    d.write("run/meta.json", b"{\"kind\": ");
    std::fs::copy(d.path("results.jsonl"), d.path("run/results.jsonl")).unwrap();
    d.refused(
        &["compare", "results.jsonl", "run"],
        &["run/meta.json:1: json:"],
    );
}

// ---------------------------------------------------------------- bad usage

#[test]
fn numeric_flags_out_of_range_name_the_flag() {
    let d = Dir::new();
    let base = score("problems.jsonl", "samples.jsonl");
    let cases: &[(&[&str], &str)] = &[
        (&["--memory", "0"], "--memory must be at least 32 MB"),
        (
            &["--memory", "-1"],
            "'--memory <MEMORY>': expected a whole number, 0 or more",
        ),
        (
            &["--timeout", "-1"],
            "--timeout must be a positive number of seconds",
        ),
        (
            &["--timeout", "0"],
            "--timeout must be a positive number of seconds",
        ),
        (&["--timeout", "abc"], "--timeout"),
        (&["--fail-under", "1.5"], "--fail-under"),
        (&["--fail-under", "-0.1"], "--fail-under"),
        (&["--fail-under", "pass@0=0.5"], "--fail-under"),
        (&["--k", "0"], "--k values must be at least 1"),
        (
            &["--k", "1,-3"],
            "'--k <K>': expected a whole number, 0 or more",
        ),
        (&["--max-output", "0"], "--max-output"),
        (&["--retry-failed", "-1"], "--retry-failed"),
        (&["--shard", "3/3"], "--shard"),
        (&["--bogus"], "--bogus"),
    ];
    for (extra, expect) in cases {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        d.refused(&args, &[expect]);
    }
    d.refused(&["score", "--problems", "problems.jsonl"], &["--samples"]);
    d.refused(
        &[
            "score",
            "--problems",
            "problems.jsonl",
            "--samples",
            "samples.jsonl",
            "--jobs",
            "-2",
        ],
        &["'--jobs <N>': expected a whole number, 0 or more"],
    );
    let curate = [
        "curate",
        "entries.jsonl",
        "-o",
        "out.jsonl",
        "--report",
        "rep",
    ];
    let cases: &[(&[&str], &str)] = &[
        (&["--repeats", "0"], "--repeats must be at least 1"),
        (&["--similarity", "2"], "--similarity must be in [0, 1]"),
        (&["--similarity", "-0.5"], "--similarity must be in [0, 1]"),
        (&["--timeout", "-1"], "--timeout"),
        (&["--memory", "0"], "--memory"),
    ];
    for (extra, expect) in cases {
        let args: Vec<&str> = curate.iter().chain(extra.iter()).copied().collect();
        d.refused(&args, &[expect]);
    }
    let compare = ["compare", "results.jsonl", "results.jsonl"];
    for (extra, expect) in [
        (["--alpha", "2"], "--alpha must be in [0, 1]"),
        (["--max-drop", "-0.1"], "--max-drop must be in [0, 1]"),
        (["--resamples", "0"], "--resamples must be at least 1"),
    ] {
        let args: Vec<&str> = compare.iter().chain(extra.iter()).copied().collect();
        d.refused(&args, &[expect]);
    }
}

#[test]
fn jobs_zero_means_one_per_cpu() {
    let d = Dir::new();
    d.accepted(&[
        "score",
        "--problems",
        "problems.jsonl",
        "--samples",
        "samples.jsonl",
        "--k",
        "1",
        "--jobs",
        "0",
    ]);
    let help = d.accepted(&["score", "--help"]);
    assert!(help.contains("0 (the default) means one per CPU"), "{help}");
}

#[test]
fn python_not_found_is_told_apart_from_not_readable_by_the_sandbox_user() {
    let d = Dir::new();
    let mut args = score("problems.jsonl", "samples.jsonl");
    args.extend(["--python", "/nonexistent/python3"]);
    d.refused(&args, &["--python /nonexistent/python3: not found"]);
    let mut args = score("problems.jsonl", "samples.jsonl");
    args.extend(["--python", "no-such-python-here"]);
    d.refused(&args, &["--python no-such-python-here: not found on PATH"]);
    if !nix::unistd::geteuid().is_root() {
        eprintln!("not root: the sandbox runs as this user, so a 0700 directory is no obstacle");
        return;
    }
    // An interpreter in a 0700 directory of root's: root can run it, the sandbox uid not.
    let private = tempfile::Builder::new()
        .prefix("assay-private-")
        .tempdir_in("/root")
        .unwrap();
    let real = std::fs::canonicalize("/usr/bin/python3").unwrap();
    let python = private.path().join("python3");
    std::fs::copy(&real, &python).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(private.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let python = python.to_str().unwrap().to_string();
    let mut args = score("problems.jsonl", "samples.jsonl");
    args.extend(["--python", &python]);
    let msg = d.refused(
        &args,
        &[&format!(
            "--python {python}: not readable by the sandbox user, because"
        )],
    );
    assert!(msg.contains("mode 0700"), "{msg}");
}

#[test]
fn a_closed_stdout_ends_quietly_with_the_commands_own_status() {
    let d = Dir::new();
    // Documented choice: EPIPE is not an error (as ripgrep): the status is the command's.
    for (extra, code) in [
        (&[][..], 0),
        (&["--fail-under", "1"][..], 0),
        (&["--format", "json"][..], 0),
    ] {
        let mut child = assay()
            .current_dir(d.dir.path())
            .args(score("problems.jsonl", "samples.jsonl"))
            .args(extra)
            .args(["--run-dir", "run-pipe"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before assay writes a byte
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{extra:?}: {stderr}");
        assert!(
            !stderr.contains("panicked")
                && !stderr.contains("internal error")
                && !stderr.contains("Broken pipe"),
            "{stderr}"
        );
    }
    // The gate still fails when the pipe is gone: 1, not 0.
    d.write(
        "samples-wrong.jsonl",
        b"{\"task_id\": \"Toy/0\", \"completion\": \"    return a - b\\n\"}\n",
    );
    let mut child = assay()
        .current_dir(d.dir.path())
        .args(score("problems.jsonl", "samples-wrong.jsonl"))
        .args(["--fail-under", "0.5", "--run-dir", "run-gate"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("gate failed"), "{stderr}");
}

#[test]
fn every_argument_of_every_subcommand_has_a_help_line() {
    let d = Dir::new();
    fn subcommands(help: &str) -> Vec<String> {
        help.split("Commands:")
            .nth(1)
            .map(|s| s.split("\n\n").next().unwrap_or(""))
            .unwrap_or("")
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|c| *c != "help")
            .map(str::to_string)
            .collect()
    }
    let mut todo: Vec<Vec<String>> = vec![vec![]];
    let mut seen = 0;
    let mut arguments = 0;
    while let Some(path) = todo.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = d.accepted(&args);
        seen += 1;
        for sub in subcommands(&help) {
            let mut p = path.clone();
            p.push(sub);
            todo.push(p);
        }
        // Every entry of "Arguments:" and "Options:" has text after its name, on its
        // line (short layout) or on the next, indented (clap's long layout).
        let lines: Vec<&str> = help.lines().collect();
        let mut in_args = false;
        for (i, line) in lines.iter().enumerate() {
            if !line.starts_with(' ') && !line.is_empty() {
                in_args = *line == "Arguments:" || *line == "Options:";
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let t = line.trim();
            let is_arg = in_args && indent <= 6 && t.starts_with(['-', '<', '[']);
            if !is_arg {
                continue;
            }
            let same_line = t
                .split_once("  ")
                .is_some_and(|(_, d)| !d.trim().is_empty());
            let next_line = lines
                .get(i + 1)
                .is_some_and(|n| n.len() - n.trim_start().len() >= 10 && !n.trim().is_empty());
            assert!(
                same_line || next_line,
                "`assay {} --help`: no help for {t:?}",
                path.join(" ")
            );
            arguments += 1;
        }
    }
    assert!(arguments > 100, "checked only {arguments} arguments");
    assert!(seen > 15, "walked only {seen} commands");
    let help = d.accepted(&["score", "--help"]);
    assert!(
        help.contains("--sandbox wasi` multiplies it by 10"),
        "{help}"
    );
}

#[test]
fn results_and_reports_have_one_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let d = Dir::new();
    d.accepted(&[
        "score",
        "--problems",
        "problems.jsonl",
        "--samples",
        "samples.jsonl",
        "--k",
        "1",
        "--run-dir",
        "run",
        "--output",
        "results-out.jsonl",
    ]);
    d.accepted(&[
        "report",
        "run",
        "--html",
        "r.html",
        "--junit",
        "r.xml",
        "--markdown",
        "r.md",
    ]);
    std::fs::create_dir(d.path("skills")).unwrap();
    std::fs::copy(d.path("skill.py"), d.path("skills/skill.py")).unwrap();
    d.accepted(&["skills", "build", "skills", "-o", "built.jsonl"]);
    let umask = {
        let m = nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o022));
        nix::sys::stat::umask(m);
        m.bits() as u32
    };
    let want = 0o666 & !umask;
    let mut modes = Vec::new();
    for f in [
        "results-out.jsonl",
        "run/results.jsonl",
        "run/summary.json",
        "run/meta.json",
        "run/journal.jsonl",
        "r.html",
        "r.xml",
        "r.md",
        "built.jsonl",
    ] {
        let mode = std::fs::metadata(d.path(f)).unwrap().permissions().mode() & 0o777;
        modes.push(format!("{f} {mode:o}"));
        assert_eq!(
            mode, want,
            "{f} is {mode:o}, not {want:o} (umask {umask:o}): {modes:?}"
        );
    }
}

/// An output that cannot be written names its flag too (the run's journal may be kept:
/// it is what a rerun resumes from).
#[test]
fn unwritable_outputs_name_their_flag() {
    let d = Dir::new();
    std::fs::create_dir(d.path("a-dir")).unwrap();
    for (args, expect) in [
        (
            vec!["--output", "a-dir", "--run-dir", "run-1"],
            "error: --output a-dir: Is a directory\n",
        ),
        (
            vec!["--run-dir", "problems.jsonl"],
            "error: --run-dir problems.jsonl: File exists\n",
        ),
    ] {
        let mut all = score("problems.jsonl", "samples.jsonl");
        all.extend(args);
        let out = d.run(&all);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&out.stderr), expect);
    }
    let out = d.run(&["report", "results.jsonl", "--html", "a-dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --html a-dir: Is a directory\n"
    );
}
