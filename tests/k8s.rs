//! The deployment templates: the Kubernetes manifest validates against the batch/v1 Job
//! schema kept in the repo (`tests/k8s/job-batch-v1.schema.json`, see its `$comment` for
//! origin and licence), its completion index is wired to `--shard`, and its pods' commands,
//! run here for every index with the real binary, merge to the unsharded run. The nightly
//! CI workflow's shard matrix matches its `--shard`.

mod common;

use common::shards::*;
use common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Every YAML document of a file, as JSON.
fn yaml_documents(path: &Path) -> Vec<Value> {
    use serde::Deserialize;
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|doc| {
            let v = serde_yaml_ng::Value::deserialize(doc)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            serde_json::to_value(v).unwrap()
        })
        .collect()
}

fn job_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/k8s/job-batch-v1.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the Job schema compiles")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

fn manifest() -> Vec<Value> {
    yaml_documents(&repo("deploy/k8s/score-indexed-job.yaml"))
}

/// The first container's env of a Job, as a map.
fn env_of(job: &Value) -> HashMap<String, String> {
    job["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The shell script a Job's container runs (`command: [/bin/sh, -c]`, `args: [SCRIPT]`).
fn script_of(job: &Value) -> String {
    let c = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["command"], serde_json::json!(["/bin/sh", "-c"]), "{c}");
    c["args"][0].as_str().unwrap().to_string()
}

#[test]
fn the_indexed_job_manifest_is_a_valid_batch_v1_job() {
    let v = job_validator();
    let docs = manifest();
    assert_eq!(docs.len(), 2, "the shard Job and the merge Job");
    for doc in &docs {
        assert_eq!(doc["apiVersion"], "batch/v1");
        assert_eq!(doc["kind"], "Job");
        let errs = errors(&v, doc);
        assert!(errs.is_empty(), "{}: {errs:#?}", doc["metadata"]["name"]);
    }
    // The schema is strict and typed: a misspelt field, a string count, a numeric path
    // deep in the pod template each fail (so the checks above could fail too).
    let mut typo = docs[0].clone();
    let spec = typo["spec"].as_object_mut().unwrap();
    let mode = spec.remove("completionMode").unwrap();
    spec.insert("completionMod".into(), mode);
    assert!(!errors(&v, &typo).is_empty(), "a misspelt field passed");
    let mut typed = docs[0].clone();
    typed["spec"]["completions"] = Value::from("four");
    assert!(!errors(&v, &typed).is_empty(), "a string count passed");
    let mut mount = docs[0].clone();
    mount["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0]["mountPath"] =
        Value::from(7);
    assert!(!errors(&v, &mount).is_empty(), "a numeric mountPath passed");
}

#[test]
fn the_completion_index_is_wired_to_shard_and_the_pods_merge_to_the_unsharded_run() {
    let docs = manifest();
    let (score, merge) = (&docs[0], &docs[1]);
    assert_eq!(score["spec"]["completionMode"], "Indexed");
    let n = score["spec"]["completions"].as_u64().unwrap();
    assert!(score["spec"]["parallelism"].as_u64().unwrap() <= n);
    let score_env = env_of(score);
    let merge_env = env_of(merge);
    assert_eq!(score_env["ASSAY_SHARDS"], n.to_string(), "completions is N");
    assert_eq!(merge_env["ASSAY_SHARDS"], n.to_string());
    assert_eq!(score_env["ASSAY_RUNS"], merge_env["ASSAY_RUNS"]);
    let score_script = script_of(score);
    assert!(
        score_script.contains(r#"--shard "$JOB_COMPLETION_INDEX/$ASSAY_SHARDS""#),
        "{score_script}"
    );
    let volume = |job: &Value| job["spec"]["template"]["spec"]["volumes"][0].clone();
    assert_eq!(
        volume(score),
        volume(merge),
        "both Jobs mount the same volume"
    );

    // What the pods would run, here: each index's script with the manifest's env (paths
    // moved into a temp dir), all shards at once, then the merge Job's script.
    let fx = Fixture::new();
    let problems = humaneval_problems();
    let samples = canonical_samples(fx.dir.path(), 12);
    let runs = fx.path("runs/nightly");
    let bin = fx.path("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_assay"), bin.join("assay")).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let pod = |script: &str, env: &HashMap<String, String>, index: Option<u64>| {
        let mut c = Command::new("/bin/sh");
        c.arg("-c").arg(script).envs(env).env("PATH", &path);
        c.env("ASSAY_PROBLEMS", &problems)
            .env("ASSAY_SAMPLES", &samples)
            .env("ASSAY_RUNS", &runs);
        if let Some(i) = index {
            c.env("JOB_COMPLETION_INDEX", i.to_string());
        }
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        c
    };
    let children: Vec<_> = (0..n)
        .map(|i| pod(&score_script, &score_env, Some(i)).spawn().unwrap())
        .collect();
    for (i, c) in children.into_iter().enumerate() {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "index {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = pod(&script_of(merge), &merge_env, None).output().unwrap();
    assert!(
        out.status.success(),
        "merge: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let extra: Vec<&str> = score_env["ASSAY_SCORE_ARGS"].split_whitespace().collect();
    let (results, unsharded_run, _) = unsharded(&problems, &samples, fx.dir.path(), &extra);
    assert_same_run(&runs.join("merged"), &results, &unsharded_run);
}

#[test]
fn the_nightly_workflow_shards_as_a_matrix_and_fails_on_regression() {
    let docs = yaml_documents(&repo("deploy/ci/nightly.yml"));
    let wf = &docs[0];
    assert!(wf["on"]["schedule"][0]["cron"].is_string(), "scheduled");
    let n: u64 = wf["env"]["SHARDS"].as_str().unwrap().parse().unwrap();
    let matrix: Vec<u64> = wf["jobs"]["score"]["strategy"]["matrix"]["shard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(
        matrix,
        (0..n).collect::<Vec<_>>(),
        "one matrix entry per shard, 0-based"
    );
    let steps = |job: &str| -> String { serde_json::to_string(&wf["jobs"][job]["steps"]).unwrap() };
    assert!(steps("score").contains(r#"--shard \"${{ matrix.shard }}/$SHARDS\""#));
    let merge = steps("merge");
    for needle in [
        "assay merge runs/shard-*",
        "--fail-on-regression",
        "--junit junit.xml",
        "actions/cache",
        "action-junit-report",
    ] {
        assert!(
            merge.contains(needle) || steps("build").contains(needle),
            "{needle} not in the workflow"
        );
    }
}
