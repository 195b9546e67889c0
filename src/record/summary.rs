//! `summary.json`: a run's numbers, computed by one pure function of its problems,
//! samples, outcomes (and retries), ks and meta — so a merge of shard runs, given the same
//! inputs, gets the very summary an unsharded run writes.

use super::Meta;
use crate::entry::{Level, Problem, Sample};
use crate::sandbox::{Outcome, Status};
use crate::score::{Brief, PassAt};
use serde::{Deserialize, Serialize};
use statrs::statistics::{Data, OrderStatistics};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// `score` or `curate`.
    pub kind: String,
    /// `pass@k` → value, or null when some task has fewer than k samples.
    pub pass_at_k: BTreeMap<PassAt, Option<f64>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub not_computable: BTreeMap<PassAt, String>,
    pub samples: usize,
    pub tasks: usize,
    /// Problems without a sample.
    pub unattempted_tasks: usize,
    /// Samples kept out of pass@k (sandbox errors, unsupported).
    pub excluded: usize,
    pub by_status: BTreeMap<Status, usize>,
    /// Per test level, over every test of every scored execution.
    pub by_level: Vec<LevelCount>,
    /// Per domain, when the problems have domains (native entries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_domain: Vec<DomainCount>,
    pub per_task: Vec<TaskCount>,
    pub timing: Timing,
    /// `--retry-failed`: how the retried verdicts behaved.
    pub stability: StabilityCounts,
    /// Samples whose verdict changed on a retry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unstable: Vec<UnstableSample>,
    pub elapsed_secs: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelCount {
    pub level: String,
    pub tests: usize,
    pub passed: usize,
}

impl LevelCount {
    /// Tests and passes per level, in level order, from (level, passed) per test; levels
    /// with no test are left out.
    pub(crate) fn tally(tests: impl IntoIterator<Item = (Level, bool)>) -> Vec<LevelCount> {
        let mut levels: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
        for (level, passed) in tests {
            let l = levels.entry(level.as_str()).or_insert((0, 0));
            l.0 += 1;
            l.1 += usize::from(passed);
        }
        ["normal", "edge_case", "correctness"]
            .iter()
            .filter_map(|l| {
                levels.get(l).map(|&(tests, passed)| LevelCount {
                    level: l.to_string(),
                    tests,
                    passed,
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainCount {
    pub domain: String,
    pub tasks: usize,
    pub samples: u64,
    pub passed: u64,
    /// Mean over the domain's tasks of passed / samples.
    pub pass_at_1: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskCount {
    pub task_id: String,
    /// Samples with a verdict on the code.
    pub n: u64,
    pub passed: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub excluded: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub wall_ms: Percentiles,
    pub cpu_ms: Percentiles,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub count: usize,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Percentiles {
    /// Quantiles by statrs (its `quantile`: the median-unbiased estimator, R's type 8).
    pub fn of(values: Vec<f64>) -> Percentiles {
        if values.is_empty() {
            return Percentiles::default();
        }
        let count = values.len();
        let mean = values.iter().sum::<f64>() / count as f64;
        let mut d = Data::new(values);
        let r = |v: f64| (v * 10.0).round() / 10.0;
        Percentiles {
            count,
            mean: r(mean),
            p50: r(d.quantile(0.5)),
            p90: r(d.quantile(0.9)),
            p99: r(d.quantile(0.99)),
            max: r(d.quantile(1.0)),
        }
    }
}

/// How one sample's verdict behaved under `--retry-failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stability {
    /// Every retry gave the first verdict.
    Stable,
    /// A retry gave another verdict: the first is kept and reported as unstable.
    Unstable,
    /// A timeout that passed when retried at lower concurrency.
    LoadSensitive,
}

impl Stability {
    /// The first verdict against its retries.
    pub fn of(first: Status, retries: &[Outcome]) -> Option<Stability> {
        if retries.is_empty() {
            return None;
        }
        if retries.iter().all(|r| r.status == first) {
            Some(Stability::Stable)
        } else if first == Status::Timeout && retries.iter().any(|r| r.status.is_pass()) {
            Some(Stability::LoadSensitive)
        } else {
            Some(Stability::Unstable)
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stability::Stable => "stable",
            Stability::Unstable => "unstable",
            Stability::LoadSensitive => "load_sensitive",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StabilityCounts {
    pub retried: usize,
    pub stable: usize,
    pub unstable: usize,
    pub load_sensitive: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnstableSample {
    pub task_id: String,
    pub completion_id: usize,
    pub stability: Stability,
    /// The first verdict, then each retry's.
    pub statuses: Vec<Status>,
}

/// The summary of a run. `retries` is empty, or holds per sample the outcomes of its
/// retries (empty for a sample that was not retried).
pub(crate) fn summarize(
    problems: &[Problem],
    samples: &[Sample],
    briefs: &[Brief],
    retries: &[Vec<Outcome>],
    ks: &[u64],
    meta: &Meta,
) -> RunSummary {
    let base = crate::score::summarize(problems, samples, briefs, ks);
    let domain_of: HashMap<&str, &str> = problems
        .iter()
        .filter_map(|p| p.domain.as_deref().map(|d| (p.id.as_str(), d)))
        .collect();

    let scored = || briefs.iter().filter(|b| b.status.is_verdict_on_code());
    let by_level = LevelCount::tally(scored().flat_map(Brief::tests));
    let wall: Vec<f64> = scored().map(|o| o.wall_ms).collect();
    let cpu: Vec<f64> = scored().map(|o| o.cpu_ms).collect();

    let mut domains: BTreeMap<&str, (usize, u64, u64, f64, usize)> = BTreeMap::new();
    for t in &base.tasks {
        let Some(d) = domain_of.get(t.task_id.as_str()) else {
            continue;
        };
        let e = domains.entry(d).or_insert((0, 0, 0, 0.0, 0));
        e.0 += 1;
        e.1 += t.n;
        e.2 += t.passed;
        if t.n > 0 {
            e.3 += t.passed as f64 / t.n as f64;
            e.4 += 1;
        }
    }
    let by_domain = domains
        .into_iter()
        .map(|(d, (tasks, n, passed, rate, scored))| DomainCount {
            domain: d.to_string(),
            tasks,
            samples: n,
            passed,
            pass_at_1: (scored > 0).then(|| rate / scored as f64),
        })
        .collect();

    let mut stability = StabilityCounts::default();
    let mut unstable = Vec::new();
    let ids = crate::score::completion_ids(samples);
    for (i, r) in retries.iter().enumerate() {
        let Some(s) = Stability::of(briefs[i].status, r) else {
            continue;
        };
        stability.retried += 1;
        match s {
            Stability::Stable => stability.stable += 1,
            Stability::Unstable => stability.unstable += 1,
            Stability::LoadSensitive => stability.load_sensitive += 1,
        }
        if s != Stability::Stable {
            unstable.push(UnstableSample {
                task_id: samples[i].task_id.clone(),
                completion_id: ids[i],
                stability: s,
                statuses: std::iter::once(briefs[i].status)
                    .chain(r.iter().map(|o| o.status))
                    .collect(),
            });
        }
    }

    RunSummary {
        kind: meta.kind.clone(),
        pass_at_k: base.pass_at_k,
        not_computable: base.not_computable,
        samples: base.samples,
        tasks: base.tasks.len(),
        unattempted_tasks: base.unattempted_tasks,
        excluded: base.excluded,
        by_status: base.by_status,
        by_level,
        by_domain,
        per_task: base
            .tasks
            .into_iter()
            .map(|t| TaskCount {
                task_id: t.task_id,
                n: t.n,
                passed: t.passed,
                excluded: t.excluded,
            })
            .collect(),
        timing: Timing {
            wall_ms: Percentiles::of(wall),
            cpu_ms: Percentiles::of(cpu),
        },
        stability,
        unstable,
        elapsed_secs: meta.elapsed_secs,
    }
}
