//! The statistics of `compare`: an exact McNemar test for paired single-sample outcomes,
//! a paired sign-flip permutation test for per-task pass rates, and a paired bootstrap
//! confidence interval for a difference of means (tasks resampled). Distributions come
//! from statrs, resampling from a seeded ChaCha generator (rand_chacha), so a comparison
//! is reproducible bit for bit. `tests/stats_reference.rs` checks them against
//! statsmodels and scipy.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, DiscreteCDF};
use statrs::statistics::{Data, OrderStatistics};

/// Exact McNemar p-value (two-sided) for `b` pairs that went one way and `c` the other,
/// as statsmodels' `mcnemar(table, exact=True)`: twice the binomial(b + c, 1/2) tail of
/// min(b, c), capped at 1.
pub fn mcnemar_exact(b: u64, c: u64) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let binom = Binomial::new(0.5, n).expect("p = 0.5 is a probability");
    (2.0 * binom.cdf(b.min(c))).min(1.0)
}

/// How a permutation p-value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resampling {
    /// Every sign assignment enumerated.
    Exact,
    /// Random sign assignments (seeded).
    MonteCarlo,
}

/// Up to this many non-zero differences, the sign-flip test enumerates all 2^n assignments.
pub const EXACT_UP_TO: usize = 20;

/// Two-sided paired permutation test on differences `d` (current − baseline per task),
/// with the mean as statistic: under the null each difference's sign is a coin flip.
/// Computed as scipy's `permutation_test(..., permutation_type="samples")` does:
/// 2 × min(P(T ≤ t), P(T ≥ t)) with a relative tolerance on ties, capped at 1; exact
/// (every assignment) up to `EXACT_UP_TO` non-zero differences, else `resamples` seeded
/// random ones with the (k + 1) / (R + 1) correction.
pub fn sign_flip_test(d: &[f64], resamples: usize, seed: u64) -> (f64, Resampling) {
    // Zeros keep their value under a sign flip; only the others matter, and the mean's
    // denominator is a constant factor: the sum is an equivalent statistic.
    let nz: Vec<f64> = d.iter().copied().filter(|x| *x != 0.0).collect();
    let observed: f64 = nz.iter().sum();
    if nz.is_empty() {
        return (1.0, Resampling::Exact);
    }
    let gamma = (observed * 1e-14).abs().max(1e-12);
    let (mut le, mut ge) = (0u64, 0u64);
    let mut count = |t: f64| {
        if t <= observed + gamma {
            le += 1;
        }
        if t >= observed - gamma {
            ge += 1;
        }
    };
    if nz.len() <= EXACT_UP_TO {
        let total = 1u64 << nz.len();
        for mask in 0..total {
            let t: f64 = nz
                .iter()
                .enumerate()
                .map(|(i, x)| if mask >> i & 1 == 1 { -x } else { *x })
                .sum();
            count(t);
        }
        let p = 2.0 * (le.min(ge) as f64 / total as f64);
        (p.min(1.0), Resampling::Exact)
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..resamples {
            let t: f64 = nz
                .iter()
                .map(|x| if rng.gen::<bool>() { -x } else { *x })
                .sum();
            count(t);
        }
        let r = resamples as f64;
        let p = 2.0 * ((le.min(ge) as f64 + 1.0) / (r + 1.0));
        (p.min(1.0), Resampling::MonteCarlo)
    }
}

/// A percentile bootstrap interval for the mean of paired differences: `resamples`
/// resamples of the tasks with replacement, each giving mean(current) − mean(baseline)
/// over the same drawn tasks; the interval is the (1 − level)/2 and (1 + level)/2
/// quantiles of those means (statrs' quantile).
pub fn bootstrap_mean_ci(
    baseline: &[f64],
    current: &[f64],
    level: f64,
    resamples: usize,
    seed: u64,
) -> Option<(f64, f64)> {
    assert_eq!(baseline.len(), current.len(), "paired values");
    let n = baseline.len();
    if n == 0 || resamples == 0 {
        return None;
    }
    let d: Vec<f64> = current.iter().zip(baseline).map(|(c, b)| c - b).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut means = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let mut sum = 0.0;
        for _ in 0..n {
            sum += d[rng.gen_range(0..n)];
        }
        means.push(sum / n as f64);
    }
    let mut data = Data::new(means);
    let lo = data.quantile((1.0 - level) / 2.0);
    let hi = data.quantile((1.0 + level) / 2.0);
    Some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcnemar_on_small_tables() {
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        // 2 × P(X ≤ 0), X ~ B(10, 1/2) = 2 / 1024.
        assert!((mcnemar_exact(10, 0) - 2.0 / 1024.0).abs() < 1e-15);
        assert!((mcnemar_exact(0, 10) - 2.0 / 1024.0).abs() < 1e-15);
        assert_eq!(mcnemar_exact(3, 3), 1.0);
        // 2 × (1 + 5) / 32
        assert!((mcnemar_exact(1, 4) - 12.0 / 32.0).abs() < 1e-15);
    }

    #[test]
    fn sign_flip_exact_by_hand() {
        // d = [1, 1]: sums over sign flips are 2, 0, 0, -2: P(T ≥ 2) = 1/4, p = 1/2.
        let (p, how) = sign_flip_test(&[1.0, 1.0, 0.0], 1000, 0);
        assert_eq!(how, Resampling::Exact);
        assert!((p - 0.5).abs() < 1e-15, "{p}");
        assert_eq!(sign_flip_test(&[0.0, 0.0], 10, 0).0, 1.0);
    }

    #[test]
    fn resampling_is_seeded() {
        let d: Vec<f64> = (0..40).map(|i| ((i * 7) % 5) as f64 / 5.0 - 0.3).collect();
        let a = sign_flip_test(&d, 2000, 7);
        assert_eq!(a, sign_flip_test(&d, 2000, 7));
        assert_eq!(a.1, Resampling::MonteCarlo);
        let b: Vec<f64> = (0..40).map(|i| (i % 3) as f64 / 2.0).collect();
        let c: Vec<f64> = (0..40).map(|i| (i % 4) as f64 / 3.0).collect();
        let x = bootstrap_mean_ci(&b, &c, 0.95, 1000, 3).unwrap();
        assert_eq!(x, bootstrap_mean_ci(&b, &c, 0.95, 1000, 3).unwrap());
        assert_ne!(x, bootstrap_mean_ci(&b, &c, 0.95, 1000, 4).unwrap());
        assert!(x.0 < x.1);
    }
}
