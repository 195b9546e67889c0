//! Harness faults through the real binary: the run directory's disk fills up mid-run.

mod common;

use common::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs of the test's own, unmounted on drop (whatever the test's outcome).
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .unwrap()
            .success();
        assert!(
            ok,
            "cannot mount a tmpfs on {} (the test needs root)",
            dir.display()
        );
        SmallDisk(dir.to_path_buf())
    }

    fn grow(&self, size: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success();
        assert!(ok, "cannot grow the tmpfs");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn journal_records(path: &Path) -> (usize, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let good = text
        .lines()
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
        .count();
    (good, text.lines().count() - good)
}

#[test]
fn a_full_run_directory_is_one_clear_line_and_a_rerun_after_freeing_space_completes() {
    let fx = Fixture::new();
    write_jsonl(&fx.path("problems.jsonl"), &[add_problem()]);
    // 200 distinct samples: about 70 KB of journal, four times what the disk holds.
    let samples: Vec<_> = (0..200)
        .map(|i| json!({"task_id": "Toy/0", "completion": format!("    return a + b  # {i}\n")}))
        .collect();
    write_jsonl(&fx.path("samples.jsonl"), &samples);
    let disk = SmallDisk::mount(&fx.path("disk"), "16k");
    let run_dir = fx.path("disk/run");
    let score = || {
        assay()
            .args(["score", "--problems"])
            .arg(fx.path("problems.jsonl"))
            .arg("--samples")
            .arg(fx.path("samples.jsonl"))
            .arg("--run-dir")
            .arg(&run_dir)
            .arg("--output")
            .arg(fx.path("results.jsonl"))
            .args(["--jobs", "2", "--format", "json"])
            .output()
            .unwrap()
    };

    let full = score();
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(2), "{stderr}");
    let journal = run_dir.join("journal.jsonl");
    assert_eq!(
        stderr.trim(),
        format!(
            "error: failed to write {}: No space left on device",
            journal.display()
        ),
        "one line naming the file"
    );
    assert!(
        !fx.path("results.jsonl").exists(),
        "no partial results file"
    );
    let (done, torn) = journal_records(&journal);
    assert!(done > 10 && done < 200, "{done} executions journaled");
    assert!(torn <= 1, "{torn} torn journal lines");

    disk.grow("4m");
    let rerun = score();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let results = read_jsonl(&fx.path("results.jsonl"));
    assert_eq!(results.len(), 200);
    assert!(results.iter().all(|r| r["passed"] == true));
    // Nothing journaled before the failure ran again: the journal holds each sample once.
    let (after, _) = journal_records(&journal);
    assert_eq!(after, 200, "every sample journaled exactly once");
}
