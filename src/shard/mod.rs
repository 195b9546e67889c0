//! `assay score --shard I/N`: one machine's share of a benchmark, and the record that lets
//! `assay merge` put the shares back together.
//!
//! The partition depends only on the samples file and N, so every machine computes the
//! same one without talking to the others: the tasks, largest sample count first (ties in
//! the order of the blake3 hash of the task id, a fixed hash unlike Rust's randomized
//! `HashMap` hasher), each go to the shard with the fewest samples so far (ties to the
//! lowest index). A task's samples stay together, so completion ids, journal keys and
//! per-task pass@k are the same as in an unsharded run.
//!
//! A shard's run directory holds, besides the journal: `shard.json` (which shard of what:
//! index, count, the content hashes of the problems and samples files, limits, backend,
//! k values, the shard's tasks), `outcomes.jsonl` (every sample's outcome, by its index in
//! the samples file) and, unless `--output` says otherwise, `results.jsonl`, whose lines
//! carry `"shard": "I/N"`.

pub mod merge;

use crate::entry::Sample;
use crate::run::{Cancel, Listener};
use crate::sandbox::{Limits, Outcome, Sandbox};
use crate::score::{self, Inputs, ScoreRequest, Summary};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// Shard `index` of `count`, 0-based (as `SLURM_ARRAY_TASK_ID` of `--array=0-(N-1)` and
/// Kubernetes' `JOB_COMPLETION_INDEX` count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ShardSpec {
    pub index: u32,
    pub count: u32,
}

/// Upper bound on N: more shards than this is a typo, not a cluster.
pub const MAX_SHARDS: u32 = 100_000;

impl FromStr for ShardSpec {
    type Err = String;

    fn from_str(spec: &str) -> std::result::Result<Self, String> {
        let expected = "expected I/N with 0 <= I < N (0-based, as SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX count)";
        let (i, n) = spec
            .split_once('/')
            .ok_or_else(|| format!("{spec:?}: {expected}"))?;
        let parse = |s: &str| s.trim().parse::<u32>().ok();
        let (Some(index), Some(count)) = (parse(i), parse(n)) else {
            return Err(format!("{spec:?}: {expected}"));
        };
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("{spec:?}: N must be 1 to {MAX_SHARDS}"));
        }
        if index >= count {
            return Err(format!(
                "{spec:?}: I must be below N (0-based: the last of {count} shards is {}/{count})",
                count - 1
            ));
        }
        Ok(ShardSpec { index, count })
    }
}

impl std::fmt::Display for ShardSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The shard of every task that has samples, for `count` shards.
pub fn partition(samples: &[Sample], count: u32) -> HashMap<String, u32> {
    let mut sizes: HashMap<&str, u64> = HashMap::new();
    for s in samples {
        *sizes.entry(s.task_id.as_str()).or_insert(0) += 1;
    }
    let mut tasks: Vec<(&str, u64, blake3::Hash)> = sizes
        .into_iter()
        .map(|(t, n)| (t, n, blake3::hash(t.as_bytes())))
        .collect();
    tasks.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| a.2.as_bytes().cmp(b.2.as_bytes()))
            .then_with(|| a.0.cmp(b.0))
    });
    let mut load = vec![0u64; count as usize];
    let mut out = HashMap::new();
    for (task, n, _) in tasks {
        let (shard, _) = load
            .iter()
            .enumerate()
            .min_by_key(|&(i, &l)| (l, i))
            .expect("count >= 1");
        load[shard] += n;
        out.insert(task.to_string(), shard as u32);
    }
    out
}

/// A file an input came from and a hash of its bytes, so a merge can tell it is the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileId {
    pub path: PathBuf,
    pub blake3: String,
}

impl FileId {
    pub fn of(path: &Path) -> Result<FileId> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(FileId {
            path,
            blake3: blake3::hash(&bytes).to_hex().to_string(),
        })
    }
}

/// `shard.json`: which shard of what a run directory holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardRecord {
    pub shard: ShardSpec,
    pub assay_version: String,
    pub problems: FileId,
    pub samples: FileId,
    pub limits: Limits,
    pub backend: String,
    pub ks: Vec<u64>,
    pub dedupe_identical: bool,
    /// The shard's tasks, in problem-file order.
    pub tasks: Vec<String>,
    /// Samples in this shard (lines of `outcomes.jsonl`).
    pub shard_samples: usize,
    /// Samples in the whole samples file.
    pub total_samples: usize,
    pub results: PathBuf,
    pub elapsed_secs: f64,
}

/// One line of `outcomes.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleOutcome {
    /// 0-based index of the sample among the samples file's records.
    pub sample: usize,
    pub task_id: String,
    pub outcome: Outcome,
}

/// Writes each of the shard's outcomes to `outcomes.jsonl` as it arrives (any order:
/// `merge` places them by sample index); events of retry rounds, past the shard's
/// samples, are left alone.
struct OutcomeStream<'a> {
    /// The shard's samples' indices in the whole samples file.
    indices: &'a [usize],
    samples: &'a [Sample],
    sink: crate::entry::JsonlSink,
}

impl Listener for OutcomeStream<'_> {
    fn on_event(&mut self, event: &crate::run::Event<'_>) {
        let crate::run::Event::Finished { index, outcome, .. } = *event else {
            return;
        };
        let Some(&sample) = self.indices.get(index) else {
            return;
        };
        self.sink.push(&SampleOutcome {
            sample,
            task_id: self.samples[sample].task_id.clone(),
            outcome: outcome.clone(),
        });
    }
}

pub const RECORD: &str = "shard.json";
pub const OUTCOMES: &str = "outcomes.jsonl";
pub const RESULTS: &str = "results.jsonl";

/// The default run directory of a shard: the unsharded default with `-shard-I-of-N`, so
/// shards sharing a disk never share a journal.
pub fn default_run_dir(problems: &Path, samples: &Path, spec: ShardSpec) -> PathBuf {
    let base = score::default_run_dir(problems, samples);
    let mut name = base.file_name().unwrap_or_default().to_owned();
    name.push(format!("-shard-{}-of-{}", spec.index, spec.count));
    base.with_file_name(name)
}

/// Runs the shard `spec` of `req` and records it in its run directory. The shard's
/// summary covers its own tasks (and, in shard 0, the problems nobody sampled).
pub async fn score_shard(
    sandbox: Arc<dyn Sandbox>,
    req: &ScoreRequest,
    inputs: Inputs,
    spec: ShardSpec,
    listener: &mut dyn Listener,
    cancel: Cancel,
) -> Result<Summary> {
    let problems_id = FileId::of(&req.problems)?;
    let samples_id = FileId::of(&req.samples)?;
    let assignment = partition(&inputs.samples, spec.count);
    let mine = |task: &str| assignment.get(task) == Some(&spec.index);
    let total_samples = inputs.samples.len();
    let indices: Vec<usize> = (0..total_samples)
        .filter(|&i| mine(&inputs.samples[i].task_id))
        .collect();
    let Inputs { problems, samples } = inputs;
    let shard_samples: Vec<Sample> = indices.iter().map(|&i| samples[i].clone()).collect();
    let shard_problems: Vec<_> = problems
        .into_iter()
        .filter(|p| mine(&p.id) || (spec.index == 0 && !assignment.contains_key(&p.id)))
        .collect();
    let tasks: Vec<String> = shard_problems
        .iter()
        .filter(|p| mine(&p.id))
        .map(|p| p.id.clone())
        .collect();

    let run_dir = req
        .run_dir
        .clone()
        .unwrap_or_else(|| default_run_dir(&req.problems, &req.samples, spec));
    let output = req.output.clone().unwrap_or_else(|| run_dir.join(RESULTS));
    let shard_req = ScoreRequest {
        output: Some(output.clone()),
        run_dir: Some(run_dir.clone()),
        ..req.clone()
    };
    let backend = sandbox.name().to_string();
    let shard_inputs = Inputs {
        problems: shard_problems,
        samples: shard_samples,
    };
    let mut outcomes = OutcomeStream {
        indices: &indices,
        samples: &samples,
        sink: crate::entry::JsonlSink::new(&run_dir.join(OUTCOMES)),
    };
    let summary = score::score(
        sandbox,
        &shard_req,
        shard_inputs,
        &mut crate::run::Tee(listener, &mut outcomes),
        cancel,
    )
    .await?;
    mark_results(&output, spec)?;
    outcomes.sink.finish()?;
    let record = ShardRecord {
        shard: spec,
        assay_version: env!("CARGO_PKG_VERSION").to_string(),
        problems: problems_id,
        samples: samples_id,
        limits: req.limits.clone(),
        backend,
        ks: req.ks.clone(),
        dedupe_identical: req.dedupe_identical,
        tasks,
        shard_samples: indices.len(),
        total_samples,
        results: output,
        elapsed_secs: summary.elapsed_secs,
    };
    crate::entry::write_json(&run_dir.join(RECORD), &record)?;
    Ok(summary)
}

/// Adds `"shard": "I/N"` to every line of a shard's results file.
fn mark_results(path: &Path, spec: ShardSpec) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut row: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
            .map_err(|e| Error::Internal(format!("a results line we wrote does not parse: {e}")))?;
        row.insert("shard".into(), serde_json::json!(spec.to_string()));
        rows.push(row);
    }
    crate::entry::write_jsonl(path, rows)
}

/// Task ids of a set of shards, to name what overlaps or is missing.
pub(crate) fn tasks_of(records: &[&ShardRecord]) -> BTreeSet<String> {
    records
        .iter()
        .flat_map(|r| r.tasks.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample(task: &str) -> Sample {
        Sample {
            task_id: task.to_string(),
            body: crate::entry::SampleBody::Completion(String::new()),
            line: 0,
            original: Default::default(),
        }
    }

    #[test]
    fn a_spec_is_zero_based_and_checked() {
        assert_eq!("0/3".parse(), Ok(ShardSpec { index: 0, count: 3 }));
        assert_eq!("2/3".parse(), Ok(ShardSpec { index: 2, count: 3 }));
        assert_eq!("0/1".parse(), Ok(ShardSpec { index: 0, count: 1 }));
        for bad in [
            "3/3", "1/0", "0/0", "-1/3", "1", "a/3", "1/b", "", "/", "1/2/3", "0/100001",
        ] {
            assert!(bad.parse::<ShardSpec>().is_err(), "{bad:?} parsed");
        }
        assert!("3/3"
            .parse::<ShardSpec>()
            .unwrap_err()
            .contains("the last of 3 shards is 2/3"));
    }

    #[test]
    fn the_largest_tasks_are_spread_first() {
        // 6, 5, 4, 3, 2, 1 samples over 2 shards: 6→0, 5→1, 4→1 (5 < 6), 3→0, 2→0 or 1, …
        let mut samples = Vec::new();
        for (t, n) in [("a", 6), ("b", 5), ("c", 4), ("d", 3), ("e", 2), ("f", 1)] {
            samples.extend((0..n).map(|_| sample(t)));
        }
        let p = partition(&samples, 2);
        let load = |s: u32| -> usize { samples.iter().filter(|x| p[&x.task_id] == s).count() };
        assert_eq!(load(0) + load(1), 21);
        assert!(load(0).abs_diff(load(1)) <= 1, "{p:?}");
        assert_eq!(p["a"], 0);
        assert_eq!(p["b"], 1);
        assert_eq!(p["c"], 1);
    }

    proptest! {
        #[test]
        fn every_task_has_one_shard_whatever_the_order(
            sizes in proptest::collection::vec(1usize..20, 1..40),
            count in 1u32..8,
            seed in any::<u64>(),
        ) {
            let mut samples: Vec<Sample> = sizes
                .iter()
                .enumerate()
                .flat_map(|(t, &n)| (0..n).map(move |_| sample(&format!("T/{t}"))))
                .collect();
            let p = partition(&samples, count);
            prop_assert_eq!(p.len(), sizes.len());
            prop_assert!(p.values().all(|&s| s < count));
            // Input order does not matter: a shuffled file gives the same partition.
            let mut rng = seed;
            for i in (1..samples.len()).rev() {
                rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                samples.swap(i, (rng >> 33) as usize % (i + 1));
            }
            prop_assert_eq!(&partition(&samples, count), &p);
            // Greedy balance: no shard exceeds the lightest by more than the largest task.
            let mut load = vec![0usize; count as usize];
            for s in &samples { load[p[&s.task_id] as usize] += 1; }
            let biggest = *sizes.iter().max().unwrap();
            prop_assert!(load.iter().max().unwrap() - load.iter().min().unwrap() <= biggest);
        }
    }
}
