"""Compute per-sample silhouette coefficients and the mean silhouette score of a clustering from scratch.

Write `silhouette(X, labels)` with numpy for an (n, d) array `X` and an (n,) array of
cluster labels. Return `(score, samples)`: `samples` is a float64 array with the silhouette
coefficient of every point and `score` its mean (a float).

With Euclidean distances, for point i in cluster C:
- a(i) = mean distance from i to the *other* points of C;
- b(i) = min over other clusters C' of the mean distance from i to the points of C';
- s(i) = (b(i) - a(i)) / max(a(i), b(i)), and s(i) = 0 if i is the only point of its
  cluster (also 0 if a(i) == b(i) == 0).
Use a vectorised pairwise distance matrix.

Edge cases: raise ValueError if the number of distinct labels is not in 2 .. n - 1, if X
is not 2-D or the lengths differ.
"""
# assay: domain = clustering
# assay: category = cluster_evaluation
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = silhouette coefficient; intra- versus nearest-cluster distance; singleton clusters; pairwise distances
# assay: common_mistakes = including the point itself (distance 0) in a(i); taking the mean over all other points for b(i) instead of the nearest cluster; division by zero for singletons; using squared distances
# assay: tags = silhouette, clustering, evaluation

import numpy as np


def silhouette(X: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Return (mean silhouette, per-sample silhouettes)."""
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels)
    if X.ndim != 2 or labels.shape != (X.shape[0],):
        raise ValueError("X must be (n, d) and labels (n,)")
    n = X.shape[0]
    clusters, idx = np.unique(labels, return_inverse=True)
    if not 2 <= len(clusters) <= n - 1:
        raise ValueError("need between 2 and n - 1 clusters")
    sq = (X ** 2).sum(axis=1)
    D = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0.0))
    np.fill_diagonal(D, 0.0)
    onehot = np.eye(len(clusters))[idx]
    sizes = onehot.sum(axis=0)
    sums = D @ onehot
    own = sizes[idx]
    a = np.where(own > 1, sums[np.arange(n), idx] / np.maximum(own - 1, 1), 0.0)
    mean_other = sums / sizes[None, :]
    mean_other[np.arange(n), idx] = np.inf
    b = mean_other.min(axis=1)
    denom = np.maximum(a, b)
    s = np.where((own > 1) & (denom > 0), (b - a) / np.where(denom > 0, denom, 1.0), 0.0)
    return float(s.mean()), s


def test_normal_well_separated_clusters():
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    score, s = silhouette(X, np.array([0, 0, 1, 1]))
    # point 0: a = 1, b = mean(10, 11) = 10.5 -> (10.5 - 1) / 10.5
    assert np.isclose(s[0], 9.5 / 10.5) and np.isclose(s[1], (9.5 - 1) / 9.5)
    assert score > 0.85


def test_normal_bad_clustering_is_negative():
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    score, _ = silhouette(X, np.array([0, 1, 0, 1]))
    assert score < 0


def test_edge_case_singletons_and_errors():
    X = np.array([[0.0], [1.0], [5.0]])
    score, s = silhouette(X, np.array(["a", "a", "b"]))
    assert s[2] == 0.0 and s.dtype == np.float64
    for args in ((X, np.array([0, 0, 0])), (X, np.array([0, 1, 2])), (X, np.array([0, 1])),
                 (np.ones(3), np.array([0, 1, 1]))):
        try:
            silhouette(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn():
    from sklearn.datasets import load_iris
    from sklearn.metrics import silhouette_samples, silhouette_score
    X, y = load_iris(return_X_y=True)
    score, s = silhouette(X, y)
    assert np.allclose(s, silhouette_samples(X, y))
    assert np.isclose(score, silhouette_score(X, y))
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 5, size=150)
    labels[7] = 9          # a singleton cluster
    assert np.allclose(silhouette(X, labels)[1], silhouette_samples(X, labels))
