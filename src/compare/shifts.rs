//! The rest of a comparison: pass@k deltas with their intervals, the status mix, timing.

use super::{stats, CompareOptions, MetricDelta, SlowerTask, StatusShift, Tasks, TimingShift};
use crate::record::load::Row;
use crate::record::summary::Percentiles;
use crate::score::passk;
use std::collections::{BTreeMap, BTreeSet};

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// Counts per verdict in both runs and the change of each one's share.
pub(super) fn status_mix(base: &[Row], cur: &[Row]) -> Vec<StatusShift> {
    let mix = |rows: &[Row]| {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for r in rows {
            *m.entry(r.status().as_str().to_string()).or_insert(0) += 1;
        }
        m
    };
    let (bm, cm) = (mix(base), mix(cur));
    let names: BTreeSet<&String> = bm.keys().chain(cm.keys()).collect();
    names
        .into_iter()
        .map(|s| {
            let b = bm.get(s).copied().unwrap_or(0);
            let c = cm.get(s).copied().unwrap_or(0);
            StatusShift {
                status: s.clone(),
                baseline: b,
                current: c,
                delta_points: 100.0
                    * (c as f64 / cur.len().max(1) as f64 - b as f64 / base.len().max(1) as f64),
            }
        })
        .collect()
}

/// Wall-time percentiles of both runs, and the paired tasks whose median grew past the
/// thresholds, the largest growth first.
pub(super) fn timing(
    base: &[Row],
    cur: &[Row],
    paired: &[&str],
    bt: &Tasks,
    ct: &Tasks,
    opts: &CompareOptions,
) -> TimingShift {
    let walls = |rows: &[Row]| -> Vec<f64> { rows.iter().filter_map(|r| r.wall_ms).collect() };
    let mut slower = Vec::new();
    for &task in paired {
        let bw = median(bt.rows[task].iter().filter_map(|r| r.wall_ms).collect());
        let cw = median(ct.rows[task].iter().filter_map(|r| r.wall_ms).collect());
        if let (Some(b), Some(c)) = (bw, cw) {
            if c >= b * opts.slower_factor && c - b >= opts.slower_min_ms {
                slower.push(SlowerTask {
                    task_id: task.to_string(),
                    baseline_ms: b,
                    current_ms: c,
                    ratio: if b > 0.0 { c / b } else { f64::INFINITY },
                });
            }
        }
    }
    slower.sort_by(|a, b| b.ratio.total_cmp(&a.ratio).then(a.task_id.cmp(&b.task_id)));
    TimingShift {
        baseline: Percentiles::of(walls(base)),
        current: Percentiles::of(walls(cur)),
        slower_tasks: slower,
    }
}

/// pass@k of both runs over the paired tasks, with a bootstrap interval of the delta;
/// not computable unless every paired task has k samples on both sides.
pub(super) fn metric_delta(
    k: u64,
    paired: &[&str],
    bt: &Tasks,
    ct: &Tasks,
    opts: &CompareOptions,
) -> MetricDelta {
    let mut b = Vec::new();
    let mut c = Vec::new();
    for t in paired {
        let (bn, bp) = bt.counts(t).unwrap_or_default();
        let (cn, cp) = ct.counts(t).unwrap_or_default();
        if let (Some(x), Some(y)) = (passk::pass_at_k(bn, bp, k), passk::pass_at_k(cn, cp, k)) {
            b.push(x);
            c.push(y);
        }
    }
    // Not computable unless every paired task has k samples in both runs.
    let complete = b.len() == paired.len() && !b.is_empty();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (bm, cm) = if complete {
        (Some(mean(&b)), Some(mean(&c)))
    } else {
        (None, None)
    };
    let ci = if complete {
        stats::bootstrap_mean_ci(&b, &c, opts.confidence, opts.resamples, opts.seed)
    } else {
        None
    };
    MetricDelta {
        metric: crate::score::PassAt(k),
        baseline: bm,
        current: cm,
        delta: bm.zip(cm).map(|(x, y)| y - x),
        ci_low: ci.map(|c| c.0),
        ci_high: ci.map(|c| c.1),
        tasks: b.len(),
    }
}
