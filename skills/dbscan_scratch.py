"""Implement DBSCAN density-based clustering from scratch, reproducing scikit-learn's labels exactly.

Write `dbscan(X, eps, min_samples)` with numpy for an (n, d) array `X`. Return an int64
array of n labels: -1 for noise and 0, 1, 2, ... for clusters.

Definitions: the eps-neighbourhood of a point is every point (itself included) at Euclidean
distance <= eps; a point is a *core* point if its neighbourhood has at least `min_samples`
points.

Labelling order (this fixes the numbering and the owner of border points):
- Visit points in index order. When an unlabelled core point is found, start a new cluster
  with the next cluster id and expand it: repeatedly take points from a stack/queue; every
  unlabelled point reached gets the cluster id, and only core points add their
  neighbours to the stack.
- A non-core (border) point reachable from several clusters belongs to the cluster that
  reaches it first, i.e. the one started earliest.
- Points never reached are noise (-1).

Edge cases: n == 0 gives an empty int64 array. Raise ValueError if X is not 2-D, eps <= 0
or min_samples < 1.
"""
# assay: domain = clustering
# assay: category = density_based_clustering
# assay: difficulty = advanced
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = DBSCAN; core, border and noise points; eps-neighbourhoods; cluster expansion
# assay: common_mistakes = not counting the point itself in its neighbourhood; expanding from border points; relabelling border points already claimed by an earlier cluster; strict < eps instead of <=
# assay: tags = dbscan, density, clustering, from-scratch

import numpy as np


def dbscan(X: np.ndarray, eps: float, min_samples: int) -> np.ndarray:
    """Return DBSCAN labels (-1 = noise) for the rows of `X`."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError("X must be 2-D")
    if eps <= 0 or min_samples < 1:
        raise ValueError("need eps > 0 and min_samples >= 1")
    n = X.shape[0]
    labels = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return labels
    sq = (X ** 2).sum(axis=1)
    D2 = np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0.0)
    diff_ok = D2 <= eps * eps
    neighbours = [np.nonzero(row)[0] for row in diff_ok]
    core = np.array([len(nb) >= min_samples for nb in neighbours])
    cluster = 0
    for i in range(n):
        if labels[i] != -1 or not core[i]:
            continue
        labels[i] = cluster
        stack = [i]
        while stack:
            p = stack.pop()
            if not core[p]:
                continue
            for q in neighbours[p]:
                if labels[q] == -1:
                    labels[q] = cluster
                    stack.append(q)
        cluster += 1
    return labels


def test_normal_two_clusters_and_noise():
    X = np.array([[0.0, 0.0], [0.0, 0.5], [0.5, 0.0], [5.0, 5.0], [5.0, 5.5], [5.5, 5.0], [20.0, 20.0]])
    labels = dbscan(X, eps=1.0, min_samples=3)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1, -1] and labels.dtype == np.int64


def test_normal_border_point_goes_to_first_cluster():
    # two dense groups; x = 2.0 has only 3 neighbours (not core) but is within eps of a core
    # point of each group; the group containing index 0 starts first and claims it
    X = np.array([[3.0], [3.4], [3.7], [4.0], [2.0], [0.0], [0.3], [0.6], [1.0]])
    labels = dbscan(X, eps=1.0, min_samples=4)
    assert labels.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    labels = dbscan(X[::-1], eps=1.0, min_samples=4)
    assert labels.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]


def test_edge_case_min_samples_one_empty_and_errors():
    X = np.array([[0.0], [10.0], [20.0]])
    assert dbscan(X, eps=1.0, min_samples=1).tolist() == [0, 1, 2]
    assert dbscan(X, eps=1.0, min_samples=2).tolist() == [-1, -1, -1]
    assert dbscan(np.array([[0.0], [1.0]]), eps=1.0, min_samples=2).tolist() == [0, 0]
    assert dbscan(np.zeros((0, 2)), 1.0, 2).shape == (0,)
    for args in ((np.zeros(3), 1.0, 2), (X, 0.0, 2), (X, 1.0, 0)):
        try:
            dbscan(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn_dbscan():
    from sklearn.cluster import DBSCAN
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal((0, 0), 0.4, (60, 2)), rng.normal((3, 3), 0.5, (60, 2)),
                   rng.uniform(-2, 5, (30, 2))])
    for eps, ms in ((0.3, 4), (0.5, 5), (0.8, 10)):
        ref = DBSCAN(eps=eps, min_samples=ms).fit(X).labels_
        assert np.array_equal(dbscan(X, eps, ms), ref), (eps, ms)
