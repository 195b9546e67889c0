"""Implement a Gaussian naive Bayes classifier from scratch that reproduces scikit-learn's GaussianNB probabilities.

Write `gaussian_nb(X_train, y_train, X_test, var_smoothing=1e-9)` returning
`(predictions, probabilities)`: a 1-D array of predicted labels and an array of shape
(n_test, n_classes) of class posterior probabilities (rows sum to 1), classes in sorted
order (`np.unique(y_train)`).

Model:
- prior of class c = (number of training rows of class c) / n;
- per class and feature: mean and variance (ddof=0) of the training rows of that class;
- epsilon = var_smoothing * max over features of the variance (ddof=0) of that feature over
  all training rows; epsilon is added to every class variance;
- joint log-likelihood of x for class c: log prior_c - 0.5 * sum_j log(2 * pi * var_cj)
  - 0.5 * sum_j (x_j - mean_cj)^2 / var_cj;
- probabilities are the softmax of the joint log-likelihoods over classes, computed stably
  (log-sum-exp); the prediction is the class with the largest probability (first on ties).

Edge cases: raise ValueError for empty training data, mismatched lengths, or a feature
count of X_test different from X_train. An empty X_test gives arrays of shape (0,) and
(0, n_classes).
"""
# assay: domain = classification
# assay: category = probabilistic_models
# assay: difficulty = advanced
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = Gaussian naive Bayes; variance smoothing; log-space computation; log-sum-exp normalisation
# assay: common_mistakes = using ddof=1 variances; smoothing with a per-class instead of a global epsilon; normalising probabilities without log-sum-exp (underflow to 0/0); forgetting the class prior
# assay: tags = naive-bayes, gaussian, probabilistic, from-scratch

import numpy as np


def gaussian_nb(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                var_smoothing: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """Return (predicted labels, posterior probabilities) of a Gaussian naive Bayes model."""
    X = np.asarray(X_train, dtype=float)
    y = np.asarray(y_train)
    T = np.asarray(X_test, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError("X_train must be a non-empty 2-D array")
    if len(y) != len(X):
        raise ValueError("X_train and y_train lengths differ")
    if T.ndim != 2 or T.shape[1] != X.shape[1]:
        raise ValueError("X_test must have the same number of features")
    classes = np.unique(y)
    eps = var_smoothing * np.var(X, axis=0).max()
    means = np.array([X[y == c].mean(axis=0) for c in classes])
    vars_ = np.array([X[y == c].var(axis=0) for c in classes]) + eps
    log_prior = np.log(np.array([np.mean(y == c) for c in classes]))
    jll = (log_prior[None, :]
           - 0.5 * np.sum(np.log(2 * np.pi * vars_), axis=1)[None, :]
           - 0.5 * (((T[:, None, :] - means[None, :, :]) ** 2) / vars_[None, :, :]).sum(axis=2))
    m = jll.max(axis=1, keepdims=True) if len(T) else np.zeros((0, 1))
    log_norm = m + np.log(np.exp(jll - m).sum(axis=1, keepdims=True))
    proba = np.exp(jll - log_norm)
    return classes[np.argmax(proba, axis=1)] if len(T) else classes[:0], proba


def test_normal_separated_gaussians():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (50, 2))])
    y = np.array(["lo"] * 50 + ["hi"] * 50)
    pred, proba = gaussian_nb(X, y, np.array([[0.0, 0.0], [6.0, 6.0]]))
    assert pred.tolist() == ["lo", "hi"]
    assert proba.shape == (2, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert proba[0, 1] > 0.99     # classes sorted: ["hi", "lo"]


def test_edge_case_far_points_do_not_underflow():
    X = np.array([[0.0], [0.1], [10.0], [10.1]])
    y = np.array([0, 0, 1, 1])
    pred, proba = gaussian_nb(X, y, np.array([[1e4], [-1e4]]))
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1)
    assert pred.tolist() == [1, 0]


def test_edge_case_empty_test_and_errors():
    X, y = np.array([[0.0], [1.0]]), np.array([0, 1])
    pred, proba = gaussian_nb(X, y, np.zeros((0, 1)))
    assert pred.shape == (0,) and proba.shape == (0, 2)
    for args in ((np.zeros((0, 1)), np.zeros(0), X), (X, y[:1], X), (X, y, np.zeros((1, 2)))):
        try:
            gaussian_nb(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn_gaussiannb():
    from sklearn.datasets import load_iris, load_wine
    from sklearn.naive_bayes import GaussianNB
    for loader in (load_iris, load_wine):
        X, y = loader(return_X_y=True)
        rng = np.random.default_rng(0)
        idx = rng.permutation(len(y))
        tr, te = idx[: len(y) * 2 // 3], idx[len(y) * 2 // 3:]
        pred, proba = gaussian_nb(X[tr], y[tr], X[te])
        ref = GaussianNB().fit(X[tr], y[tr])
        assert np.allclose(proba, ref.predict_proba(X[te]), atol=1e-9)
        assert np.array_equal(pred, ref.predict(X[te]))
