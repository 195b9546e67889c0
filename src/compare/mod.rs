//! `assay compare BASELINE CURRENT`: what changed between two runs, and whether it is
//! real. Per-sample flips with the test and verdict that changed; pass@k deltas with
//! bootstrap intervals; a paired significance test (exact McNemar with one sample per
//! task, a sign-flip permutation test on per-task pass rates with several); shifts in the
//! status mix; timing regressions; flaky tasks kept apart; the `--fail-on-regression` gate.
//!
//! Runs are paired by task (and sample by `(task_id, completion_id)`). Runs whose
//! benchmark, limits or backend differ are refused unless `allow_mismatch`.

pub mod gate;
mod shifts;
pub mod stats;
pub mod text;

use crate::record::load::{Row, RunRecord};
use crate::record::meta;
use crate::record::summary::{Percentiles, Stability};
use crate::sandbox::Status;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How to compare.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    pub allow_mismatch: bool,
    /// Bootstrap and permutation resamples.
    pub resamples: usize,
    pub seed: u64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// A task is slower when its median wall time grew by this factor…
    pub slower_factor: f64,
    /// …and by at least this many milliseconds.
    pub slower_min_ms: f64,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            allow_mismatch: false,
            resamples: 2000,
            seed: 0,
            confidence: 0.95,
            slower_factor: 1.5,
            slower_min_ms: 20.0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    pub baseline: String,
    pub current: String,
    /// What differs between the runs' benchmark, limits and backend (empty: comparable).
    pub mismatch: Vec<String>,
    /// Compared anyway (`--allow-mismatch`): every number below is marked as such.
    pub mismatch_allowed: bool,
    /// Caveats: a results file without meta, tasks in one run only.
    pub notes: Vec<String>,
    /// Both runs ran the very same samples (same samples hash).
    pub same_samples: bool,
    /// Tasks scored in both runs.
    pub paired_tasks: usize,
    pub pass_at_k: Vec<MetricDelta>,
    pub test: Significance,
    /// Per sample: pass→fail (regressions and flaky) and fail→pass.
    pub flips: Vec<Flip>,
    /// Tasks whose pass count fell through non-flaky flips: what a regression names.
    pub regressed_tasks: Vec<String>,
    pub improved_tasks: Vec<String>,
    /// Tasks whose verdict changed on identical code and benchmark (or that a
    /// `--retry-failed` run found unstable): listed apart, not regressions.
    pub flaky: Vec<FlakyTask>,
    pub status_shift: Vec<StatusShift>,
    pub timing: TimingShift,
    /// Per task, pass counts in both runs (for must-pass and reports).
    pub tasks: Vec<TaskPair>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetricDelta {
    pub metric: crate::score::PassAt,
    pub baseline: Option<f64>,
    pub current: Option<f64>,
    pub delta: Option<f64>,
    /// Bootstrap percentile interval of the delta.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Tasks with at least k samples in both runs.
    pub tasks: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Significance {
    /// `mcnemar_exact` or `sign_flip_permutation`, or `none` without paired tasks.
    pub method: String,
    pub p_value: f64,
    /// McNemar: pass→fail and fail→pass tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_to_fail: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_to_pass: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resampling: Option<stats::Resampling>,
    /// Tasks in the test (flaky ones left out).
    pub tasks: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    PassToFail,
    FailToPass,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flip {
    pub task_id: String,
    pub completion_id: usize,
    pub direction: Direction,
    /// The test whose verdict changed (the first), when per-test verdicts differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    pub baseline: Status,
    pub current: Status,
    /// Why the failing side failed.
    pub message: String,
    /// Same code and benchmark, or unstable under retries: not a regression.
    pub flaky: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlakyTask {
    pub task_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusShift {
    pub status: String,
    pub baseline: usize,
    pub current: usize,
    /// Change in share of all samples, in percentage points.
    pub delta_points: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TimingShift {
    pub baseline: Percentiles,
    pub current: Percentiles,
    /// Tasks whose median wall time grew past the thresholds, slowest growth first.
    pub slower_tasks: Vec<SlowerTask>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlowerTask {
    pub task_id: String,
    pub baseline_ms: f64,
    pub current_ms: f64,
    pub ratio: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskPair {
    pub task_id: String,
    /// (scored samples, passed) in each run; None when the task is absent.
    pub baseline: Option<(u64, u64)>,
    pub current: Option<(u64, u64)>,
}

/// Per task: its scored rows, in completion order.
pub(crate) struct Tasks<'a> {
    pub(crate) order: Vec<&'a str>,
    pub(crate) rows: HashMap<&'a str, Vec<&'a Row>>,
}

impl<'a> Tasks<'a> {
    fn of(rows: &'a [Row]) -> Tasks<'a> {
        let mut order = Vec::new();
        let mut map: HashMap<&str, Vec<&Row>> = HashMap::new();
        for r in rows {
            let e = map.entry(r.task_id.as_str()).or_insert_with(|| {
                order.push(r.task_id.as_str());
                Vec::new()
            });
            if r.scored() {
                e.push(r);
            }
        }
        Tasks { order, rows: map }
    }

    pub(crate) fn counts(&self, task: &str) -> Option<(u64, u64)> {
        self.rows.get(task).map(|rs| {
            (
                rs.len() as u64,
                rs.iter().filter(|r| r.passed).count() as u64,
            )
        })
    }
}

/// Compares two runs; `Err(Usage)` when they are not comparable and mismatches are not
/// allowed (the message lists every difference).
pub fn compare(base: &RunRecord, cur: &RunRecord, opts: &CompareOptions) -> Result<Comparison> {
    let mut notes = Vec::new();
    let (mismatch, same_benchmark, same_samples) = match (&base.meta, &cur.meta) {
        (Some(a), Some(b)) => (
            meta::differences(a, b),
            a.benchmark.hash == b.benchmark.hash,
            matches!((&a.samples, &b.samples), (Some(x), Some(y)) if x.hash == y.hash),
        ),
        _ => {
            notes.push(format!(
                "{} has no meta.json: benchmark contents, limits and backend cannot be checked",
                if base.meta.is_none() {
                    base.name()
                } else {
                    cur.name()
                }
            ));
            (Vec::new(), true, false)
        }
    };
    if !mismatch.is_empty() && !opts.allow_mismatch {
        return Err(Error::Usage(format!(
            "{} and {} are not comparable: {}; pass --allow-mismatch to compare them anyway",
            base.path.display(),
            cur.path.display(),
            mismatch.join("; ")
        )));
    }

    let bt = Tasks::of(&base.rows);
    let ct = Tasks::of(&cur.rows);
    let mut all_tasks: Vec<&str> = bt.order.clone();
    let in_base: BTreeSet<&str> = bt.order.iter().copied().collect();
    all_tasks.extend(ct.order.iter().copied().filter(|t| !in_base.contains(t)));
    let only_base: Vec<&str> = bt
        .order
        .iter()
        .copied()
        .filter(|t| !ct.rows.contains_key(t))
        .collect();
    let only_cur: Vec<&str> = ct
        .order
        .iter()
        .copied()
        .filter(|t| !bt.rows.contains_key(t))
        .collect();
    for (list, which) in [(&only_base, "the baseline"), (&only_cur, "the current run")] {
        if !list.is_empty() {
            notes.push(format!(
                "{} task(s) only in {which} (left out of the paired statistics): {}",
                list.len(),
                list.iter().take(5).copied().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    // Tasks scored in both runs.
    let paired: Vec<&str> = bt
        .order
        .iter()
        .copied()
        .filter(|t| {
            matches!((bt.counts(t), ct.counts(t)), (Some((a, _)), Some((b, _))) if a > 0 && b > 0)
        })
        .collect();

    // Per-sample flips.
    let mut flips = Vec::new();
    let mut flaky_reason: BTreeMap<&str, String> = BTreeMap::new();
    for &task in &paired {
        let cur_by_id: HashMap<usize, &Row> = ct.rows[task]
            .iter()
            .map(|r| (r.completion_id.unwrap_or(0), *r))
            .collect();
        for b in &bt.rows[task] {
            let id = b.completion_id.unwrap_or(0);
            let Some(c) = cur_by_id.get(&id) else {
                continue;
            };
            if b.passed == c.passed {
                continue;
            }
            let unstable = |r: &Row| {
                matches!(
                    r.stability,
                    Some(Stability::Unstable) | Some(Stability::LoadSensitive)
                )
            };
            let same_code =
                same_benchmark && b.code_hash().is_some() && b.code_hash() == c.code_hash();
            let flaky = same_code || unstable(b) || unstable(c);
            if flaky {
                let why = if same_code {
                    "verdict changed on identical code and tests".to_string()
                } else {
                    "unstable under --retry-failed".to_string()
                };
                flaky_reason.entry(task).or_insert(why);
            }
            let (failing, direction) = if b.passed {
                (c, Direction::PassToFail)
            } else {
                (b, Direction::FailToPass)
            };
            flips.push(Flip {
                task_id: task.to_string(),
                completion_id: id,
                direction,
                test: changed_test(b, c),
                baseline: b.status(),
                current: c.status(),
                message: failing.why(),
                flaky,
            });
        }
    }
    // Samples found unstable by retries, even without a flip, make their task flaky.
    for r in base.rows.iter().chain(&cur.rows) {
        if matches!(
            r.stability,
            Some(Stability::Unstable) | Some(Stability::LoadSensitive)
        ) {
            flaky_reason.entry(r.task_id.as_str()).or_insert_with(|| {
                format!(
                    "{} under --retry-failed",
                    r.stability.map_or("", |s| s.as_str())
                )
            });
        }
    }

    // Task-level changes through non-flaky flips.
    let mut real_flips: HashMap<&str, (bool, bool)> = HashMap::new();
    for f in flips.iter().filter(|f| !f.flaky) {
        let e = real_flips.entry(f.task_id.as_str()).or_default();
        match f.direction {
            Direction::PassToFail => e.0 = true,
            Direction::FailToPass => e.1 = true,
        }
    }
    // A task with a real flip changed, whatever noise its other samples show: it is judged,
    // not set apart (its flaky flips stay marked in the list).
    flaky_reason.retain(|t, _| !real_flips.contains_key(t));
    let mut regressed = Vec::new();
    let mut improved = Vec::new();
    for &task in &paired {
        if flaky_reason.contains_key(task) {
            continue;
        }
        let (bn, bp) = bt.counts(task).unwrap_or_default();
        let (cn, cp) = ct.counts(task).unwrap_or_default();
        let (br, cr) = (bp as f64 / bn as f64, cp as f64 / cn as f64);
        let (down, up) = real_flips.get(task).copied().unwrap_or_default();
        if cr < br && (down || cn != bn) {
            regressed.push(task.to_string());
        } else if cr > br && (up || cn != bn) {
            improved.push(task.to_string());
        }
    }

    // Significance, on the non-flaky paired tasks.
    let tested: Vec<&str> = paired
        .iter()
        .copied()
        .filter(|t| !flaky_reason.contains_key(t))
        .collect();
    let single = tested
        .iter()
        .all(|t| bt.counts(t).map(|c| c.0) == Some(1) && ct.counts(t).map(|c| c.0) == Some(1));
    let test = if tested.is_empty() {
        Significance {
            method: "none".into(),
            p_value: 1.0,
            pass_to_fail: None,
            fail_to_pass: None,
            resampling: None,
            tasks: 0,
        }
    } else if single {
        let (mut b, mut c) = (0u64, 0u64);
        for t in &tested {
            let was = bt.counts(t).unwrap_or_default().1 == 1;
            let now = ct.counts(t).unwrap_or_default().1 == 1;
            b += u64::from(was && !now);
            c += u64::from(!was && now);
        }
        Significance {
            method: "mcnemar_exact".into(),
            p_value: stats::mcnemar_exact(b, c),
            pass_to_fail: Some(b),
            fail_to_pass: Some(c),
            resampling: None,
            tasks: tested.len(),
        }
    } else {
        let d: Vec<f64> = tested
            .iter()
            .map(|t| {
                let (bn, bp) = bt.counts(t).unwrap_or_default();
                let (cn, cp) = ct.counts(t).unwrap_or_default();
                cp as f64 / cn as f64 - bp as f64 / bn as f64
            })
            .collect();
        let (p, how) = stats::sign_flip_test(&d, opts.resamples.max(1), opts.seed);
        Significance {
            method: "sign_flip_permutation".into(),
            p_value: p,
            pass_to_fail: None,
            fail_to_pass: None,
            resampling: Some(how),
            tasks: tested.len(),
        }
    };

    // pass@k deltas over all paired tasks, with bootstrap intervals.
    let mut ks: BTreeSet<u64> = [1].into_iter().collect();
    for m in [&base.meta, &cur.meta].into_iter().flatten() {
        ks.extend(m.ks.iter().copied());
    }
    let pass_at_k = ks
        .into_iter()
        .map(|k| shifts::metric_delta(k, &paired, &bt, &ct, opts))
        .collect();

    let status_shift = shifts::status_mix(&base.rows, &cur.rows);
    let timing = shifts::timing(&base.rows, &cur.rows, &paired, &bt, &ct, opts);

    let tasks = all_tasks
        .iter()
        .map(|t| TaskPair {
            task_id: t.to_string(),
            baseline: bt.counts(t),
            current: ct.counts(t),
        })
        .collect();
    let flaky = flaky_reason
        .into_iter()
        .map(|(t, reason)| FlakyTask {
            task_id: t.to_string(),
            reason,
        })
        .collect();
    Ok(Comparison {
        baseline: base.path.display().to_string(),
        current: cur.path.display().to_string(),
        mismatch_allowed: !mismatch.is_empty(),
        mismatch,
        notes,
        same_samples,
        paired_tasks: paired.len(),
        pass_at_k,
        test,
        flips,
        regressed_tasks: regressed,
        improved_tasks: improved,
        flaky,
        status_shift,
        timing,
        tasks,
    })
}

/// The first test whose verdict differs, or none when the tests agree (the execution as
/// a whole changed, e.g. a timeout before any test).
fn changed_test(b: &Row, c: &Row) -> Option<String> {
    let cur: HashMap<&str, Status> = c
        .tests
        .iter()
        .map(|t| (t.name.as_str(), t.status))
        .collect();
    b.tests
        .iter()
        .find(|t| cur.get(t.name.as_str()).is_some_and(|s| *s != t.status))
        .map(|t| t.name.clone())
}
