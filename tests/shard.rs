//! `assay score --shard I/N` and `assay merge`: shards run in parallel processes and
//! merged give the unsharded run's results and summary; merge refuses what does not fit.

mod common;

use common::shards::*;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Output};

fn shard_command(problems: &Path, samples: &Path, spec: &str, run: &Path) -> std::process::Command {
    let mut c = assay();
    c.args([
        "score",
        "--sandbox",
        "process",
        "--jobs",
        "1",
        "--format",
        "json",
    ])
    .arg("--problems")
    .arg(problems)
    .arg("--samples")
    .arg(samples)
    .args(["--shard", spec])
    .arg("--run-dir")
    .arg(run);
    c
}

fn merge(runs: &[&Path], out: &Path) -> Output {
    assay()
        .arg("merge")
        .args(runs)
        .arg("-o")
        .arg(out)
        .args(["--format", "json"])
        .output()
        .unwrap()
}

/// Bad usage: exit 2 and one line on stderr that contains `needle`.
fn assert_refused(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in: {stderr}");
}

fn spawn_shards(problems: &Path, samples: &Path, dir: &Path, n: u32) -> Vec<PathBuf> {
    let runs: Vec<PathBuf> = (0..n).map(|i| dir.join(format!("shard-{i}"))).collect();
    // All shards at once, as separate processes (as separate machines would run them).
    let children: Vec<Child> = runs
        .iter()
        .enumerate()
        .map(|(i, run)| {
            shard_command(problems, samples, &format!("{i}/{n}"), run)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (i, c) in children.into_iter().enumerate() {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "shard {i}/{n}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    runs
}

#[test]
fn three_parallel_shards_merged_equal_a_single_run() {
    let fx = Fixture::new();
    let problems = humaneval_problems();
    let samples = canonical_samples(fx.dir.path(), 24);
    let total = read_jsonl(&samples).len();
    let (results, unsharded_run, summary) = unsharded(&problems, &samples, fx.dir.path(), &[]);
    assert!(
        summary["by_status"]["error"].as_u64() > Some(0)
            && summary["by_status"]["passed"].as_u64() > Some(0),
        "the fixture has passes and failures: {summary}"
    );

    let runs = spawn_shards(&problems, &samples, fx.dir.path(), 3);
    // Each shard holds whole tasks, none twice, all of them together, and is balanced
    // by samples (no shard more than the largest task, 4 samples + 1 wrong, above another).
    let mut seen = BTreeSet::new();
    let mut sizes = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let record: Value =
            serde_json::from_str(&std::fs::read_to_string(run.join("shard.json")).unwrap())
                .unwrap();
        assert_eq!(record["shard"], serde_json::json!({"index": i, "count": 3}));
        assert_eq!(record["total_samples"].as_u64(), Some(total as u64));
        for t in record["tasks"].as_array().unwrap() {
            assert!(
                seen.insert(t.as_str().unwrap().to_string()),
                "{t} in two shards"
            );
        }
        let lines = read_jsonl(&run.join("results.jsonl"));
        assert!(!lines.is_empty(), "shard {i} is empty");
        assert!(
            lines.iter().all(|l| l["shard"] == format!("{i}/3")),
            "{lines:?}"
        );
        sizes.push(lines.len());
    }
    assert_eq!(seen.len(), 24);
    assert_eq!(sizes.iter().sum::<usize>(), total);
    assert!(
        sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 5,
        "{sizes:?}"
    );

    let merged = fx.path("merged");
    let refs: Vec<&Path> = runs.iter().map(PathBuf::as_path).collect();
    // The order of the runs on the command line does not matter.
    let out = merge(&[refs[2], refs[0], refs[1]], &merged);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_run(&merged, &results, &unsharded_run);
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        comparable_printed(printed),
        comparable_printed(summary.clone())
    );
    // No merged line keeps a shard mark: it is the whole run.
    assert!(read_jsonl(&merged.join("results.jsonl"))
        .iter()
        .all(|l| l.get("shard").is_none()));

    // The merged journal resumes an unsharded score: nothing runs again.
    let again = assay()
        .args([
            "score",
            "--sandbox",
            "process",
            "--format",
            "json",
            "--problems",
        ])
        .arg(&problems)
        .arg("--samples")
        .arg(&samples)
        .arg("--run-dir")
        .arg(&merged)
        .arg("--output")
        .arg(fx.path("again.jsonl"))
        .output()
        .unwrap();
    assert!(again.status.success());
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(comparable_printed(again), comparable_printed(summary));
}

#[test]
fn merge_refuses_missing_overlapping_mismatched_and_incomplete_shards() {
    let fx = Fixture::new();
    let problems = humaneval_problems();
    let samples = canonical_samples(fx.dir.path(), 6);
    let runs = spawn_shards(&problems, &samples, fx.dir.path(), 3);
    let [a, b, c] = [&runs[0], &runs[1], &runs[2]].map(PathBuf::as_path);
    let out = fx.path("merged");

    assert_refused(&merge(&[a, b], &out), "missing shard(s) 2/3");
    assert_refused(&merge(&[a, b, b, c], &out), "shard 1/3 is given twice");
    assert_refused(&merge(&[a, b, c], b), "is one of the shard runs");
    assert_refused(&merge(&[a, b, fx.dir.path()], &out), "is not a shard run");

    // A shard with other limits, or of another shard count.
    let other = fx.path("shard-1-timeout");
    let o = shard_command(&problems, &samples, "1/3", &other)
        .args(["--timeout", "5"])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_refused(&merge(&[a, &other, c], &out), "differ in limits");
    let four = fx.path("shard-1-of-4");
    assert!(shard_command(&problems, &samples, "1/4", &four)
        .output()
        .unwrap()
        .status
        .success());
    assert_refused(&merge(&[a, &four, c], &out), "differ in shard count N");

    // A shard of other samples: one completion changed.
    let changed = fx.path("changed.jsonl");
    let mut rows = read_jsonl(&samples);
    rows[0]["completion"] = Value::from("    return 0\n");
    write_jsonl(&changed, &rows);
    let stranger = fx.path("shard-2-changed");
    assert!(shard_command(&problems, &changed, "2/3", &stranger)
        .output()
        .unwrap()
        .status
        .success());
    assert_refused(&merge(&[a, b, &stranger], &out), "differ in samples");

    // The samples file edited after the shards ran.
    let moved = fx.path("moved.jsonl");
    std::fs::copy(&samples, &moved).unwrap();
    std::fs::write(&samples, std::fs::read_to_string(&changed).unwrap()).unwrap();
    assert_refused(
        &merge(&[a, b, c], &out),
        "is not the samples file the shards scored",
    );
    // ...but its copy, given with --samples, is accepted.
    let ok = assay()
        .arg("merge")
        .args([a, b, c])
        .arg("-o")
        .arg(&out)
        .arg("--samples")
        .arg(&moved)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // A shard that did not finish: its outcomes cut short.
    let outcomes = b.join("outcomes.jsonl");
    let text = std::fs::read_to_string(&outcomes).unwrap();
    let cut: Vec<&str> = text.lines().collect();
    std::fs::write(&outcomes, format!("{}\n", cut[..cut.len() - 1].join("\n"))).unwrap();
    assert_refused(
        &assay()
            .arg("merge")
            .args([a, b, c])
            .arg("-o")
            .arg(&out)
            .arg("--samples")
            .arg(&moved)
            .output()
            .unwrap(),
        "is incomplete",
    );
}

#[test]
fn a_bad_shard_spec_is_refused_naming_the_flag() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("p.jsonl"), &[add_problem()]);
    write_jsonl(
        &fx.path("s.jsonl"),
        &[serde_json::json!({"task_id": "Toy/0", "completion": "    return a + b\n"})],
    );
    for bad in ["3/3", "1/0", "-1/2", "1", "a/b", "1/2/3", ""] {
        let out = shard_command(&fx.path("p.jsonl"), &fx.path("s.jsonl"), bad, &fx.path("r"))
            .output()
            .unwrap();
        assert_refused(&out, "--shard");
    }
    // More shards than tasks: the extra shards are empty, and still merge.
    let runs: Vec<PathBuf> = (0..2).map(|i| fx.path(&format!("r{i}"))).collect();
    for (i, r) in runs.iter().enumerate() {
        let o = shard_command(
            &fx.path("p.jsonl"),
            &fx.path("s.jsonl"),
            &format!("{i}/2"),
            r,
        )
        .output()
        .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let out = merge(&[&runs[0], &runs[1]], &fx.path("m"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["pass@1"], 1.0);
}
