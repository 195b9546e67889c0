"""Cluster points with Lloyd's k-means algorithm starting from given initial centroids.

Write `kmeans(X, init_centers, max_iter=300)` with numpy for an (n, d) array `X` and a
(k, d) array of initial centroids. Return `(labels, centers, inertia, n_iter)`:

For it = 1 .. max_iter:
1. Assignment: label each point with the index of its nearest centroid (squared Euclidean
   distance; the smallest index on ties), vectorised.
2. Update: each centroid becomes the mean of its assigned points; a centroid with no
   points keeps its previous position.
3. If the labels are identical to those of the previous iteration, stop.
`n_iter` is the number of iterations performed (the first iteration has nothing to compare
with, so convergence is detected at iteration 2 at the earliest). Finally `labels` is the
assignment of every point to the final centroids (int64 array (n,)), `centers` the final
centroids (float64 (k, d)) and `inertia` the float sum of squared distances of the points
to their assigned final centroids. The input arrays are not modified.

Edge cases: raise ValueError if X is not 2-D, n == 0, init_centers is not (k, d) with
1 <= k <= n, or max_iter < 1.
"""
# assay: domain = clustering
# assay: category = partitional_clustering
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = k-means; Lloyd iterations; vectorised distance computation; empty clusters; inertia
# assay: common_mistakes = NaN centroids for empty clusters; Python loops over points; computing inertia against stale centroids; modifying the caller's initial centroids
# assay: tags = kmeans, clustering, lloyd

import numpy as np


def kmeans(X: np.ndarray, init_centers: np.ndarray,
           max_iter: int = 300) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Return (labels, centers, inertia, n_iter) of Lloyd's algorithm."""
    X = np.asarray(X, dtype=float)
    C = np.array(init_centers, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError("X must be a non-empty 2-D array")
    if C.ndim != 2 or C.shape[1] != X.shape[1] or not 1 <= C.shape[0] <= X.shape[0]:
        raise ValueError("init_centers must be (k, d) with 1 <= k <= n")
    if max_iter < 1:
        raise ValueError("max_iter must be >= 1")
    k = C.shape[0]

    def assign(centers: np.ndarray) -> np.ndarray:
        d2 = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        return np.argmin(d2, axis=1).astype(np.int64)

    labels = None
    n_iter = 0
    for _ in range(max_iter):
        new_labels = assign(C)
        n_iter += 1
        for j in range(k):
            members = X[new_labels == j]
            if len(members):
                C[j] = members.mean(axis=0)
        if labels is not None and np.array_equal(new_labels, labels):
            labels = new_labels
            break
        labels = new_labels
    labels = assign(C)
    inertia = float(((X - C[labels]) ** 2).sum())
    return labels, C, inertia, n_iter


def test_normal_two_blobs():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [10.0, 10.0], [10.0, 11.0], [11.0, 10.0]])
    labels, centers, inertia, n_iter = kmeans(X, np.array([[0.0, 0.0], [10.0, 10.0]]))
    assert labels.tolist() == [0, 0, 0, 1, 1, 1] and labels.dtype == np.int64
    assert n_iter == 2
    assert np.allclose(centers, [[1 / 3, 1 / 3], [31 / 3, 31 / 3]])
    assert np.isclose(inertia, 2 * (2 * (1 / 9 + 4 / 9) + 2 / 9))


def test_normal_converges_from_poor_start():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.3, size=(50, 2)) for c in ((0, 0), (5, 5), (0, 5))])
    labels, centers, _, n_iter = kmeans(X, X[[0, 1, 2]])
    assert n_iter >= 2
    assert len({tuple(np.round(c)) for c in centers}) == 3
    assert all(len(set(labels[i * 50:(i + 1) * 50])) == 1 for i in range(3))


def test_edge_case_empty_cluster_and_no_mutation():
    X = np.array([[0.0], [1.0], [2.0]])
    init = np.array([[1.0], [100.0]])
    labels, centers, _, _ = kmeans(X, init)
    assert labels.tolist() == [0, 0, 0] and centers[1, 0] == 100.0
    assert init.tolist() == [[1.0], [100.0]]
    for args in ((np.zeros(3), np.zeros((1, 1))), (np.zeros((0, 2)), np.zeros((1, 2))),
                 (np.zeros((2, 2)), np.zeros((3, 2))), (np.zeros((2, 2)), np.zeros((1, 3)))):
        try:
            kmeans(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn_lloyd():
    from sklearn.cluster import KMeans
    from sklearn.datasets import load_iris
    X = load_iris().data
    init = X[[0, 60, 120]]
    labels, centers, inertia, _ = kmeans(X, init)
    ref = KMeans(n_clusters=3, init=init, n_init=1, algorithm="lloyd", tol=0.0).fit(X)
    assert np.array_equal(labels, ref.labels_)
    assert np.allclose(centers, ref.cluster_centers_)
    assert np.isclose(inertia, ref.inertia_)
