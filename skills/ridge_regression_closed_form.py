"""Fit ridge (L2-regularised) linear regression in closed form without penalising the intercept.

Write `fit_ridge(X, y, alpha=1.0)` for an (n, d) array `X`, an (n,) array `y` and
alpha >= 0. Return `(coef, intercept)` minimising

    ||y - X @ coef - intercept||^2 + alpha * ||coef||^2

(the intercept is not penalised). Procedure: center X and y with their means, solve
(Xc^T Xc + alpha * I) coef = Xc^T yc with `np.linalg.solve` (or lstsq when alpha == 0), and
set intercept = mean(y) - mean(X) @ coef. This matches `sklearn.linear_model.Ridge`.

Edge cases: raise ValueError if alpha < 0 or for inconsistent/empty inputs (X not 2-D,
y not 1-D, different lengths, n == 0). As alpha grows, coef shrinks towards 0 and the
intercept towards mean(y).
"""
# assay: domain = regression
# assay: category = linear_models
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = ridge regression; L2 shrinkage; unpenalised intercept via centering; normal equations
# assay: common_mistakes = penalising the intercept by adding a column of ones; using alpha / n instead of alpha; explicit matrix inversion; not centering y
# assay: tags = ridge, regularization, linear-regression

import numpy as np


def fit_ridge(X: np.ndarray, y: np.ndarray, alpha: float = 1.0) -> tuple[np.ndarray, float]:
    """Return (coef, intercept) of ridge regression with penalty `alpha`."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if alpha < 0:
        raise ValueError("alpha must be non-negative")
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0] or X.shape[0] == 0:
        raise ValueError("need X (n, d) and y (n,) with n > 0")
    xm, ym = X.mean(axis=0), y.mean()
    Xc, yc = X - xm, y - ym
    if alpha == 0:
        coef = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    else:
        coef = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ yc)
    return coef, float(ym - xm @ coef)


def test_normal_one_feature_formula():
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    y = np.array([2.0, 4.0, 5.0, 8.0])
    coef, b = fit_ridge(X, y, alpha=2.0)
    xc, yc = X[:, 0] - 2.5, y - 4.75
    expected = (xc @ yc) / (xc @ xc + 2.0)
    assert np.isclose(coef[0], expected) and np.isclose(b, 4.75 - 2.5 * expected)


def test_normal_shrinkage_with_alpha():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 5))
    y = X @ np.array([3.0, -2.0, 0.5, 0.0, 1.0]) + 10 + 0.1 * rng.normal(size=50)
    norms = [np.linalg.norm(fit_ridge(X, y, a)[0]) for a in (0.0, 1.0, 10.0, 1e6)]
    assert all(n1 > n2 for n1, n2 in zip(norms, norms[1:]))
    coef, b = fit_ridge(X, y, 1e9)
    assert np.allclose(coef, 0.0, atol=1e-6) and np.isclose(b, y.mean(), atol=1e-4)


def test_edge_case_errors_and_more_features_than_samples():
    X = np.random.default_rng(1).normal(size=(3, 10))
    coef, b = fit_ridge(X, np.array([1.0, 2.0, 3.0]), alpha=0.5)
    assert coef.shape == (10,) and np.all(np.isfinite(coef))
    for args in ((np.ones((3, 1)), np.ones(3), -1.0), (np.ones(3), np.ones(3), 1.0),
                 (np.ones((3, 1)), np.ones(4), 1.0), (np.ones((0, 2)), np.ones(0), 1.0)):
        try:
            fit_ridge(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn_ridge():
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge
    X, y = load_diabetes(return_X_y=True)
    for alpha in (0.01, 1.0, 25.0):
        coef, b = fit_ridge(X, y, alpha)
        ref = Ridge(alpha=alpha).fit(X, y)
        assert np.allclose(coef, ref.coef_, rtol=1e-6, atol=1e-6)
        assert np.isclose(b, ref.intercept_)
