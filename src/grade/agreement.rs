//! How far graders agree: Krippendorff's alpha on an ordinal scale, Cohen's kappa of two
//! graders (unweighted and quadratic-weighted). Written to match the reference packages
//! to 1e-9 (`krippendorff.alpha(level_of_measurement="ordinal")`, scikit-learn's
//! `cohen_kappa_score`); `tests/grade.rs` checks both on generated and known tables.

/// Krippendorff's alpha, ordinal metric. `units` holds each unit's values (one per grader
/// who rated it; missing ratings are simply absent). The value domain is every value that
/// occurs; units with fewer than two values are not pairable and count for nothing.
/// `None` when it is undefined: fewer than two distinct values, or no pairable disagreement
/// is possible (the expected disagreement is zero).
pub(crate) fn krippendorff_ordinal(units: &[Vec<i64>]) -> Option<f64> {
    let mut domain: Vec<i64> = units.iter().flatten().copied().collect();
    domain.sort_unstable();
    domain.dedup();
    if domain.len() < 2 {
        return None;
    }
    let k = domain.len();
    let index = |v: i64| domain.binary_search(&v).expect("value in domain");
    // Coincidence matrix.
    let mut o = vec![vec![0.0f64; k]; k];
    for unit in units {
        let m = unit.len();
        if m < 2 {
            continue;
        }
        let mut counts = vec![0.0f64; k];
        for &v in unit {
            counts[index(v)] += 1.0;
        }
        let w = 1.0 / (m as f64 - 1.0);
        for c in 0..k {
            if counts[c] == 0.0 {
                continue;
            }
            for kk in 0..k {
                let pairs = if c == kk {
                    counts[c] * (counts[c] - 1.0)
                } else {
                    counts[c] * counts[kk]
                };
                o[c][kk] += pairs * w;
            }
        }
    }
    let n_v: Vec<f64> = (0..k).map(|c| (0..k).map(|r| o[r][c]).sum()).collect();
    let n: f64 = n_v.iter().sum();
    if n <= 1.0 {
        return None;
    }
    let d = |i: usize, j: usize| {
        let (lo, hi) = (i.min(j), i.max(j));
        let between: f64 = n_v[lo..=hi].iter().sum();
        (between - (n_v[lo] + n_v[hi]) / 2.0).powi(2)
    };
    let mut observed = 0.0;
    let mut expected = 0.0;
    for c in 0..k {
        for kk in 0..k {
            let dist = d(c, kk);
            observed += o[c][kk] * dist;
            let e = n_v[c] * (n_v[kk] - if c == kk { 1.0 } else { 0.0 }) / (n - 1.0);
            expected += e * dist;
        }
    }
    if expected == 0.0 {
        return None;
    }
    Some(1.0 - observed / expected)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weights {
    None,
    Quadratic,
}

/// Cohen's kappa of two graders' ratings of the same items, as scikit-learn computes it:
/// labels are the sorted union of both, quadratic weights are over label positions.
/// `None` when undefined (no items, or expected disagreement zero).
pub(crate) fn cohen_kappa(a: &[i64], b: &[i64], weights: Weights) -> Option<f64> {
    assert_eq!(a.len(), b.len(), "paired ratings");
    if a.is_empty() {
        return None;
    }
    let mut labels: Vec<i64> = a.iter().chain(b).copied().collect();
    labels.sort_unstable();
    labels.dedup();
    let k = labels.len();
    let index = |v: i64| labels.binary_search(&v).expect("label");
    let mut confusion = vec![vec![0.0f64; k]; k];
    for (&x, &y) in a.iter().zip(b) {
        confusion[index(x)][index(y)] += 1.0;
    }
    let rows: Vec<f64> = confusion.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<f64> = (0..k)
        .map(|j| confusion.iter().map(|r| r[j]).sum())
        .collect();
    let total: f64 = rows.iter().sum();
    let weight = |i: usize, j: usize| match weights {
        Weights::None => {
            if i == j {
                0.0
            } else {
                1.0
            }
        }
        Weights::Quadratic => ((i as f64) - (j as f64)).powi(2),
    };
    let mut observed = 0.0;
    let mut expected = 0.0;
    for i in 0..k {
        for j in 0..k {
            let w = weight(i, j);
            observed += w * confusion[i][j];
            expected += w * rows[i] * cols[j] / total;
        }
    }
    if expected == 0.0 {
        return None;
    }
    Some(1.0 - observed / expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the ordinal
    /// example's table (4 coders, 12 units, missing values): alpha = 0.815 (ordinal).
    #[test]
    fn krippendorffs_own_example() {
        let nan = None;
        let data: [[Option<i64>; 12]; 4] = [
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(1),
                Some(4),
                Some(1),
                Some(2),
                nan,
                nan,
                nan,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(2),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                nan,
                Some(3),
            ],
            [
                nan,
                Some(3),
                Some(3),
                Some(3),
                Some(2),
                Some(3),
                Some(4),
                Some(2),
                Some(2),
                Some(5),
                Some(1),
                nan,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(4),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                Some(1),
                nan,
            ],
        ];
        let units: Vec<Vec<i64>> = (0..12)
            .map(|u| data.iter().filter_map(|c| c[u]).collect())
            .collect();
        let a = krippendorff_ordinal(&units).unwrap();
        assert!((a - 0.815).abs() < 5e-4, "{a}");
    }

    #[test]
    fn perfect_agreement_is_one_and_a_constant_is_undefined() {
        let units = vec![vec![1, 1], vec![2, 2], vec![3, 3]];
        assert_eq!(krippendorff_ordinal(&units), Some(1.0));
        assert_eq!(krippendorff_ordinal(&[vec![2, 2], vec![2, 2]]), None);
        assert_eq!(
            cohen_kappa(&[1, 2, 3], &[1, 2, 3], Weights::None),
            Some(1.0)
        );
        assert_eq!(cohen_kappa(&[2, 2], &[2, 2], Weights::None), None);
    }
}
