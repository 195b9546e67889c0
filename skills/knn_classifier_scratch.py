"""Implement a k-nearest-neighbours classifier from scratch with numpy.

Write `knn_predict(X_train, y_train, X_test, k=5)` returning a 1-D numpy array with the
predicted label of each row of `X_test`.

- Distances are Euclidean, computed in a vectorised way (no Python loop over training
  points).
- The k nearest training points of a test point are the first k of the training indices
  sorted by distance with a *stable* sort (so equal distances keep the training order).
- The prediction is the most frequent label among those k (majority vote); on a tie, the
  smallest label wins.
- The output has the dtype of `y_train`.

Edge cases: an empty X_test (shape (0, d)) gives an empty array. Raise ValueError if k < 1,
k > number of training points, X_train and y_train lengths differ, or the feature
dimensions of X_train and X_test differ.
"""
# assay: domain = classification
# assay: category = instance_based_learning
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = k-nearest neighbours; vectorised pairwise distances; majority vote; tie-breaking
# assay: common_mistakes = computing distances with Python loops; using argsort without a stable kind; breaking vote ties arbitrarily; allowing k larger than the training set
# assay: tags = knn, classification, numpy, from-scratch

import numpy as np


def knn_predict(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, k: int = 5) -> np.ndarray:
    """Return the k-NN majority-vote predictions for `X_test`."""
    xtr = np.asarray(X_train, dtype=float)
    ytr = np.asarray(y_train)
    xte = np.asarray(X_test, dtype=float)
    if xtr.ndim != 2 or xte.ndim != 2 or xtr.shape[1] != xte.shape[1]:
        raise ValueError("X_train and X_test must be 2-D with the same number of columns")
    if len(xtr) != len(ytr):
        raise ValueError("X_train and y_train lengths differ")
    if not 1 <= k <= len(xtr):
        raise ValueError("k must be between 1 and the number of training points")
    if len(xte) == 0:
        return np.empty(0, dtype=ytr.dtype)
    d2 = (xte ** 2).sum(1)[:, None] - 2 * xte @ xtr.T + (xtr ** 2).sum(1)[None, :]
    d2 = np.maximum(d2, 0.0)
    nn = np.argsort(d2, axis=1, kind="stable")[:, :k]
    classes, y_idx = np.unique(ytr, return_inverse=True)
    votes = np.zeros((len(xte), len(classes)), dtype=int)
    np.add.at(votes, (np.repeat(np.arange(len(xte)), k), y_idx[nn].ravel()), 1)
    return classes[np.argmax(votes, axis=1)].astype(ytr.dtype)


def test_normal_two_clusters():
    X = np.array([[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10]], dtype=float)
    y = np.array(["a", "a", "a", "b", "b", "b"])
    pred = knn_predict(X, y, np.array([[0.5, 0.5], [10.2, 10.1]]), k=3)
    assert pred.tolist() == ["a", "b"]


def test_normal_iris_accuracy():
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))
    tr, te = idx[:100], idx[100:]
    acc = (knn_predict(X[tr], y[tr], X[te], k=5) == y[te]).mean()
    assert acc >= 0.9


def test_edge_case_ties_and_empty():
    X = np.array([[0.0], [2.0], [4.0]])
    y = np.array([2, 1, 3])
    # k=2: both neighbours at distance 1 -> vote tie 1 vs 2 -> smallest label
    assert knn_predict(X, y, np.array([[1.0]]), k=2).tolist() == [1]
    # equal distances keep training order: nearest of [1.0] with k=1 is index 0
    assert knn_predict(X, y, np.array([[1.0]]), k=1).tolist() == [2]
    out = knn_predict(X, y, np.zeros((0, 1)), k=1)
    assert out.shape == (0,) and out.dtype == y.dtype


def test_edge_case_invalid_arguments():
    X = np.zeros((3, 2))
    for args in ((X, [0, 1, 2], np.zeros((1, 2)), 0), (X, [0, 1, 2], np.zeros((1, 2)), 4),
                 (X, [0, 1], np.zeros((1, 2)), 1), (X, [0, 1, 2], np.zeros((1, 3)), 1)):
        try:
            knn_predict(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn_on_wine():
    from sklearn.datasets import load_wine
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import StandardScaler
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))
    tr, te = idx[:120], idx[120:]
    for k in (1, 3, 7):
        ref = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X[tr], y[tr]).predict(X[te])
        assert np.array_equal(knn_predict(X[tr], y[tr], X[te], k=k), ref)
