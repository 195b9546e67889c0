//! `compare`'s statistics against reference implementations: statsmodels' exact McNemar
//! test, scipy's exact paired permutation test and scipy's percentile bootstrap, on known
//! tables and vectors. The references run in the venv of `scripts/fetch-stats-venv`
//! (cached, pinned; `scripts/setup --all` calls it).

mod common;

use assay::compare::stats::{bootstrap_mean_ci, mcnemar_exact, sign_flip_test, Resampling};
use serde_json::{json, Value};

const REFERENCE: &str = r#"
import json, sys
import numpy as np
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
q = json.load(sys.stdin)
out = {"mcnemar": [], "permutation": [], "bootstrap": []}
for b, c in q["mcnemar"]:
    out["mcnemar"].append(float(mcnemar([[7, b], [c, 11]], exact=True).pvalue))
def mean_diff(x, y, axis=-1):
    return np.mean(x - y, axis=axis)
for cur, base in q["permutation"]:
    r = stats.permutation_test((np.array(cur), np.array(base)), mean_diff, vectorized=True,
                               permutation_type="samples", n_resamples=np.inf,
                               alternative="two-sided")
    out["permutation"].append(float(r.pvalue))
for cur, base in q["bootstrap"]:
    d = np.array(cur) - np.array(base)
    r = stats.bootstrap((d,), np.mean, method="percentile", n_resamples=20000,
                        confidence_level=0.95, random_state=np.random.default_rng(1))
    out["bootstrap"].append([float(r.confidence_interval.low), float(r.confidence_interval.high)])
json.dump(out, sys.stdout)
"#;

fn reference(query: &Value) -> Value {
    common::stats_python(REFERENCE, query)
}

/// Per-task pass rates of `n` tasks with `m` samples each, from a fixed LCG (no RNG crate
/// on the reference side: the same numbers go to both).
fn rates(n: usize, m: u32, seed: u64, bias: f64) -> Vec<f64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            ((u + bias).clamp(0.0, 1.0) * m as f64).round() / m as f64
        })
        .collect()
}

#[test]
fn statistics_match_scipy_and_statsmodels() {
    let tables: Vec<(u64, u64)> = vec![
        (0, 0),
        (1, 0),
        (0, 1),
        (5, 0),
        (8, 0),
        (3, 7),
        (10, 10),
        (12, 3),
        (40, 25),
        (0, 30),
        (100, 80),
        (517, 463),
    ];
    let perm: Vec<(Vec<f64>, Vec<f64>)> = vec![
        (vec![1.0, 1.0, 0.0], vec![0.0, 0.0, 0.0]),
        (rates(8, 5, 1, 0.0), rates(8, 5, 2, 0.0)),
        (rates(12, 10, 3, -0.1), rates(12, 10, 4, 0.1)),
        (rates(14, 4, 5, 0.0), rates(14, 4, 5, 0.0)),
        (rates(15, 20, 7, -0.2), rates(15, 20, 8, 0.0)),
    ];
    let boot: Vec<(Vec<f64>, Vec<f64>)> = vec![
        (rates(50, 10, 11, -0.05), rates(50, 10, 12, 0.0)),
        (rates(164, 1, 13, -0.1), rates(164, 1, 14, 0.0)),
        (rates(300, 25, 15, 0.0), rates(300, 25, 16, 0.05)),
    ];
    let q = json!({"mcnemar": tables, "permutation": perm, "bootstrap": boot});
    let r = reference(&q);

    // The cases are not trivial: the references give p-values strictly inside (0, 1).
    let inside = |key: &str| {
        r[key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| (1e-6..0.999).contains(&p.as_f64().unwrap()))
            .count()
    };
    assert!(inside("mcnemar") >= 5, "{}", r["mcnemar"]);
    assert!(inside("permutation") >= 3, "{}", r["permutation"]);

    for ((b, c), want) in tables.iter().zip(r["mcnemar"].as_array().unwrap()) {
        let want = want.as_f64().unwrap();
        let got = mcnemar_exact(*b, *c);
        assert!(
            (got - want).abs() <= 1e-12 * want.max(1e-300) + 1e-15,
            "McNemar b={b} c={c}: assay {got} statsmodels {want}"
        );
    }
    for ((cur, base), want) in perm.iter().zip(r["permutation"].as_array().unwrap()) {
        let want = want.as_f64().unwrap();
        let d: Vec<f64> = cur.iter().zip(base).map(|(c, b)| c - b).collect();
        let (got, how) = sign_flip_test(&d, 1000, 0);
        assert_eq!(how, Resampling::Exact);
        assert!(
            (got - want).abs() < 1e-9,
            "permutation {d:?}: assay {got} scipy {want}"
        );
    }
    for ((cur, base), want) in boot.iter().zip(r["bootstrap"].as_array().unwrap()) {
        let (lo, hi) = (want[0].as_f64().unwrap(), want[1].as_f64().unwrap());
        let (glo, ghi) = bootstrap_mean_ci(base, cur, 0.95, 20000, 0).unwrap();
        // Two independent Monte Carlo estimates of the same quantiles: a few thousandths.
        assert!(
            (glo - lo).abs() < 0.01 && (ghi - hi).abs() < 0.01,
            "bootstrap n={}: assay [{glo}, {ghi}] scipy [{lo}, {hi}]",
            cur.len()
        );
        assert!(lo < hi && glo < ghi);
    }
}
