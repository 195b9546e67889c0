//! On a real Slurm cluster: `scripts/slurm-cluster up` starts slurmctld and two slurmd
//! nodes (Debian's slurm-wlm and munge, in containers on a private Docker network), the
//! array template `deploy/slurm/score-array.sbatch` is submitted unchanged with `sbatch`,
//! a dependent job merges the shards, and the merged run equals an unsharded one.
//!
//! Under `CI=true` a cluster that does not start is a failure; elsewhere too, unless
//! `ASSAY_SKIP_DOCKER=1` (no engine at all), announced loudly.

mod common;

use common::shards::*;
use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const SHARDS: u32 = 3;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-cluster")
}

/// A cluster of this test process, torn down when dropped (also when the test panics);
/// one killed before its drop is removed by the next `up`, its owner pid being gone.
struct Cluster {
    name: String,
    share: PathBuf,
}

impl Cluster {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(script());
        c.args(args)
            .env("ASSAY_SLURM_NAME", &self.name)
            .env("ASSAY_SLURM_SHARE", &self.share)
            .env("ASSAY_SLURM_BIN", env!("CARGO_BIN_EXE_assay"))
            .env("ASSAY_SLURM_OWNER", std::process::id().to_string());
        c
    }

    fn up(share: &Path) -> Cluster {
        let cluster = Cluster {
            name: format!("assay-slurm-t{}", std::process::id()),
            share: share.to_path_buf(),
        };
        let out = cluster.command(&["up"]).output().unwrap();
        assert!(
            out.status.success(),
            "scripts/slurm-cluster up failed (a failure to start Slurm fails this test):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        cluster
    }

    /// A command on the controller; panics unless it succeeds.
    fn exec(&self, args: &[&str]) -> String {
        let mut all = vec!["exec"];
        all.extend_from_slice(args);
        let out: Output = self.command(&all).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `scontrol show job` fields of every job (array tasks each on their own) of `id`.
    fn jobs(&self, id: &str) -> Vec<std::collections::HashMap<String, String>> {
        self.exec(&["scontrol", "show", "job", "--oneliner", id])
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                l.split_whitespace()
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.command(&["down"]).output();
    }
}

fn engine_ready() -> bool {
    let ok = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true and no Docker engine is reachable: the Slurm cluster test must run here");
    }
    if std::env::var("ASSAY_SKIP_DOCKER").as_deref() == Ok("1") {
        eprintln!("\n!!!!!!!! SKIPPED: the Slurm cluster test (no engine, ASSAY_SKIP_DOCKER=1) !!!!!!!!\n");
        return false;
    }
    panic!("no Docker engine is reachable: start dockerd, or set ASSAY_SKIP_DOCKER=1 to skip the Slurm test (outside CI only)");
}

#[test]
fn the_array_template_on_a_slurm_cluster_merges_to_the_unsharded_run() {
    if !engine_ready() {
        return;
    }
    // The share is mounted at the same path on every node: inputs, template, runs.
    let fx = Fixture::new();
    let share = fx.dir.path();
    let problems = share.join("HumanEval.jsonl.gz");
    std::fs::copy(humaneval_problems(), &problems).unwrap();
    let samples = canonical_samples(share, 9);
    let template = share.join("score-array.sbatch");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/slurm/score-array.sbatch"),
        &template,
    )
    .unwrap();
    let runs = share.join("runs");
    let s = |p: &Path| p.to_str().unwrap().to_string();

    // Leftovers of a killed run (here: a network labeled with an owner that is gone) are
    // removed by the next `up`.
    let mut dead = Command::new("true").spawn().unwrap();
    let dead_pid = dead.id();
    dead.wait().unwrap();
    let stale = format!("assay-slurm-stale{}", std::process::id());
    let created = Command::new("docker")
        .args(["network", "create", "--internal", "--label"])
        .arg(format!("assay.slurm.cluster={stale}"))
        .arg("--label")
        .arg(format!("assay.slurm.owner={dead_pid}:0"))
        .arg(format!("{stale}-net"))
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    let started = Instant::now();
    let cluster = Cluster::up(share);
    let up_secs = started.elapsed().as_secs_f64();
    let nodes = cluster.exec(&["sinfo", "-h", "-N", "-o", "%N %t"]);
    assert_eq!(nodes.lines().count(), 2, "two compute nodes: {nodes}");
    let networks = Command::new("docker")
        .args(["network", "ls", "--format", "{{.Name}}"])
        .output()
        .unwrap();
    let networks = String::from_utf8_lossy(&networks.stdout);
    assert!(
        !networks.contains(&stale),
        "the stale cluster's network is left: {networks}"
    );
    // `up` again is a no-op on a running cluster.
    let again = cluster.command(&["up"]).output().unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is up"));
    // The process sandbox has every layer on a compute node (run there by Slurm).
    let check = cluster.exec(&[
        "srun",
        "--nodes=1",
        "--ntasks=1",
        "assay",
        "sandbox",
        "check",
        "--sandbox",
        "process",
    ]);
    let layers: Vec<&str> = check.lines().collect();
    assert!(
        layers.len() >= 5 && layers.iter().all(|l| l.starts_with("ok ")),
        "{check}"
    );

    let array = cluster
        .exec(&[
            "env",
            &format!("ASSAY_PROBLEMS={}", s(&problems)),
            &format!("ASSAY_SAMPLES={}", s(&samples)),
            &format!("ASSAY_RUNS={}", s(&runs)),
            "sbatch",
            "--parsable",
            "--chdir",
            &s(share),
            &format!("--array=0-{}", SHARDS - 1),
            &s(&template),
        ])
        .trim()
        .to_string();
    let shard_runs: Vec<String> = (0..SHARDS)
        .map(|i| s(&runs.join(format!("shard-{i}-of-{SHARDS}"))))
        .collect();
    let merged = runs.join("merged");
    let merge = cluster
        .exec(&[
            "sbatch",
            "--parsable",
            "--chdir",
            &s(share),
            &format!("--dependency=afterok:{array}"),
            "--output=merge-%j.out",
            "--wrap",
            &format!("assay merge {} -o {}", shard_runs.join(" "), s(&merged)),
        ])
        .trim()
        .to_string();

    // Wait for both to leave the queue.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let queued = cluster.exec(&["squeue", "-h", "-j", &format!("{array},{merge}")]);
        if queued.trim().is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "jobs still queued after 300 s:\n{queued}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let job_secs = started.elapsed().as_secs_f64() - up_secs;
    let tasks = cluster.jobs(&array);
    assert_eq!(tasks.len(), SHARDS as usize, "{tasks:?}");
    let log = |t: &std::collections::HashMap<String, String>| {
        std::fs::read_to_string(&t["StdOut"]).unwrap_or_default()
    };
    for t in &tasks {
        assert_eq!(t["JobState"], "COMPLETED", "{t:?}\n{}", log(t));
    }
    // The shards ran on both nodes, not one.
    let hosts: BTreeSet<&str> = tasks.iter().map(|t| t["BatchHost"].as_str()).collect();
    assert_eq!(hosts.len(), 2, "{hosts:?}");
    let merge_job = &cluster.jobs(&merge)[0];
    assert_eq!(merge_job["JobState"], "COMPLETED", "{}", log(merge_job));

    // Each array task's output is its shard's summary; each shard records itself.
    for t in &tasks {
        let summary: serde_json::Value = serde_json::from_str(&log(t)).unwrap();
        let index = t["ArrayTaskId"].parse::<u32>().unwrap();
        assert_eq!(summary["shard"], format!("{index}/{SHARDS}"), "{summary}");
    }
    for (i, run) in shard_runs.iter().enumerate() {
        let results = read_jsonl(&Path::new(run).join("results.jsonl"));
        assert!(results
            .iter()
            .all(|l| l["shard"] == format!("{i}/{SHARDS}")));
        assert!(results.iter().all(|l| l["backend"] == "process"));
    }

    // The same samples unsharded, here on the host: the same results and summary.
    let (results, unsharded_run, _) = unsharded(&problems, &samples, &fx.path("host"), &[]);
    assert_same_run(&merged, &results, &unsharded_run);
    eprintln!(
        "slurm: cluster up in {up_secs:.1} s, {SHARDS} shards + merge in {job_secs:.1} s, on {hosts:?}"
    );

    // Torn down: no container or network of the cluster is left.
    let name = cluster.name.clone();
    let mut status = cluster.command(&["status"]);
    drop(cluster);
    assert_eq!(
        status.output().unwrap().status.code(),
        Some(1),
        "status after down"
    );
    let left = Command::new("docker")
        .args(["ps", "-aq", "--filter"])
        .arg(format!("label=assay.slurm.cluster={name}"))
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "containers left: {}",
        String::from_utf8_lossy(&left.stdout)
    );
}
