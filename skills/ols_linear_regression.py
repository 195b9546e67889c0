"""Fit an ordinary least squares linear regression in closed form with numpy.

Write `fit_ols(X, y, fit_intercept=True)` for an (n, d) array `X` and an (n,) array `y`.
Return `(coef, intercept)`: a float64 array of shape (d,) and a float, minimising
||y - X @ coef - intercept||^2.

- With `fit_intercept`, center X and y with their column means, solve the least-squares
  problem on the centered data, and set intercept = mean(y) - mean(X) @ coef. Without it,
  intercept is 0.0.
- Solve with `np.linalg.lstsq` (never by inverting X^T X), which also handles collinear
  columns by returning the minimum-norm solution.

Edge cases: raise ValueError if X is not 2-D, y is not 1-D, their lengths differ, or
n == 0. A single sample with fit_intercept gives coef = zeros and intercept = y[0].
"""
# assay: domain = regression
# assay: category = linear_models
# assay: difficulty = basic
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = ordinary least squares; intercept via centering; numerically stable solvers; minimum-norm solutions
# assay: common_mistakes = inverting X^T X (unstable, fails on collinear features); forgetting the intercept; appending a ones column and then also centering; returning a 2-D coefficient array
# assay: tags = ols, linear-regression, least-squares

import numpy as np


def fit_ols(X: np.ndarray, y: np.ndarray, fit_intercept: bool = True) -> tuple[np.ndarray, float]:
    """Return (coef, intercept) of the least-squares fit."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0] or X.shape[0] == 0:
        raise ValueError("need X (n, d) and y (n,) with n > 0")
    if fit_intercept:
        xm, ym = X.mean(axis=0), y.mean()
        coef = np.linalg.lstsq(X - xm, y - ym, rcond=None)[0]
        return coef, float(ym - xm @ coef)
    return np.linalg.lstsq(X, y, rcond=None)[0], 0.0


def test_normal_exact_line():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    coef, b = fit_ols(X, 2 * X[:, 0] + 1)
    assert np.allclose(coef, [2.0]) and np.isclose(b, 1.0)
    assert coef.shape == (1,) and isinstance(b, float)


def test_normal_no_intercept():
    X = np.array([[1.0], [2.0], [3.0]])
    y = np.array([1.0, 2.0, 2.0])
    coef, b = fit_ols(X, y, fit_intercept=False)
    assert b == 0.0 and np.isclose(coef[0], (1 + 4 + 6) / 14)


def test_edge_case_collinear_single_sample_and_errors():
    X = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    coef, b = fit_ols(X, np.array([1.0, 2.0, 3.0]))
    assert np.allclose(X @ coef + b, [1.0, 2.0, 3.0])
    assert np.allclose(coef, [0.2, 0.4])           # minimum-norm solution
    coef, b = fit_ols(np.array([[5.0, 1.0]]), np.array([7.0]))
    assert np.allclose(coef, 0.0) and b == 7.0
    for args in ((np.ones(3), np.ones(3)), (np.ones((3, 1)), np.ones((3, 1))),
                 (np.ones((3, 1)), np.ones(2)), (np.ones((0, 1)), np.ones(0))):
        try:
            fit_ols(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn_on_diabetes():
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression
    X, y = load_diabetes(return_X_y=True)
    coef, b = fit_ols(X, y)
    ref = LinearRegression().fit(X, y)
    assert np.allclose(coef, ref.coef_) and np.isclose(b, ref.intercept_)
    # residuals are orthogonal to every feature and sum to zero
    r = y - X @ coef - b
    assert abs(r.sum()) < 1e-6 and np.allclose(X.T @ r, 0.0, atol=1e-6)
