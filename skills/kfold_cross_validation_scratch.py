"""Implement k-fold cross-validation from scratch for any estimator with fit/predict methods.

Write `kfold_scores(make_model, X, y, k=5)` where `make_model` is a zero-argument callable
returning a fresh, unfitted estimator with `fit(X, y)` and `predict(X)` methods, and `X`,
`y` are numpy arrays with the same number of rows. Return a list of k accuracies (floats),
one per fold, in fold order.

Folds (no shuffling, the scikit-learn `KFold` layout): with n samples, the first n % k
folds contain n // k + 1 samples and the others n // k; fold i is a contiguous block of
indices following fold i - 1 (fold 0 starts at index 0). For fold i, fit a new model on all
the other samples and score the fraction of correct predictions on fold i.

Edge cases: raise ValueError if k < 2, if k > n, or if X and y have different lengths.
Use numpy indexing (X may be any 2-D array; y any 1-D array).
"""
# assay: domain = classification
# assay: category = model_selection
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = k-fold cross-validation; fold sizes; fresh model per fold; held-out accuracy
# assay: common_mistakes = dropping the remainder samples; putting the larger folds last; reusing one fitted model across folds; training on the test fold
# assay: tags = cross-validation, kfold, from-scratch

from collections.abc import Callable
from typing import Any

import numpy as np


def kfold_scores(make_model: Callable[[], Any], X: np.ndarray, y: np.ndarray, k: int = 5) -> list[float]:
    """Return the accuracy of a fresh model on each of k contiguous folds."""
    X = np.asarray(X)
    y = np.asarray(y)
    n = len(X)
    if len(y) != n:
        raise ValueError("X and y lengths differ")
    if k < 2 or k > n:
        raise ValueError("need 2 <= k <= n")
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    scores = []
    start = 0
    for size in sizes:
        test = np.arange(start, start + size)
        train = np.concatenate([np.arange(0, start), np.arange(start + size, n)])
        model = make_model()
        model.fit(X[train], y[train])
        scores.append(float(np.mean(model.predict(X[test]) == y[test])))
        start += size
    return scores


def test_normal_fold_layout_with_recording_model():
    seen = []

    class Recorder:
        def fit(self, X, y):
            seen.append(sorted(X[:, 0].tolist()))
            return self

        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    X = np.arange(7).reshape(-1, 1)
    y = np.array([0, 0, 1, 0, 1, 1, 0])
    scores = kfold_scores(Recorder, X, y, k=3)
    # fold sizes 3, 2, 2 -> test blocks [0,1,2], [3,4], [5,6]
    assert seen == [[3, 4, 5, 6], [0, 1, 2, 5, 6], [0, 1, 2, 3, 4]]
    assert scores == [2 / 3, 0.5, 0.5]


def test_normal_iris_with_sklearn_model():
    from sklearn.datasets import load_iris
    from sklearn.neighbors import KNeighborsClassifier
    X, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))
    scores = kfold_scores(lambda: KNeighborsClassifier(5), X[idx], y[idx], k=5)
    assert len(scores) == 5 and np.mean(scores) > 0.9


def test_edge_case_invalid_arguments():
    X, y = np.zeros((4, 1)), np.zeros(4)
    for args in ((X, y, 1), (X, y, 5), (X, y[:3], 2)):
        try:
            kfold_scores(lambda: None, *args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn_cross_val_score():
    from sklearn.datasets import load_wine
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.tree import DecisionTreeClassifier
    X, y = load_wine(return_X_y=True)
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))
    X, y = X[idx], y[idx]
    for k in (3, 5):
        ours = kfold_scores(lambda: DecisionTreeClassifier(max_depth=3, random_state=0), X, y, k=k)
        ref = cross_val_score(DecisionTreeClassifier(max_depth=3, random_state=0), X, y, cv=KFold(k))
        assert np.allclose(ours, ref)
