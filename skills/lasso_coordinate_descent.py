"""Fit Lasso (L1-regularised) linear regression with cyclic coordinate descent and soft-thresholding.

Write `fit_lasso(X, y, alpha=1.0, tol=1e-8, max_iter=10000)` with numpy, minimising the
scikit-learn Lasso objective

    (1 / (2 n)) * ||y - X @ coef - intercept||^2 + alpha * ||coef||_1

with an unpenalised intercept. Return `(coef, intercept, n_iter)`.

Algorithm: center X and y by their means (intercept = mean(y) - mean(X) @ coef at the end);
start from coef = 0 and keep the residual r = yc - Xc @ coef. One iteration is a sweep over
the features j = 0 .. d-1:
    rho = Xc[:, j] @ r / n + z_j * coef[j],  where z_j = ||Xc[:, j]||^2 / n
    new = soft_threshold(rho, alpha) / z_j   (0 if z_j == 0),  soft_threshold(v, a) = sign(v) * max(|v| - a, 0)
    update r for the change of coef[j], then set coef[j] = new.
Stop after the first sweep whose largest absolute coefficient change is < tol (n_iter = the
number of sweeps done); raise RuntimeError if max_iter sweeps do not converge.

Edge cases: alpha >= max_j |Xc[:, j] @ yc| / n gives coef = 0 exactly. Raise ValueError for
alpha < 0 or inconsistent/empty inputs.
"""
# assay: domain = regression
# assay: category = sparse_models
# assay: difficulty = advanced
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = Lasso; L1 regularisation and sparsity; coordinate descent; soft-thresholding; residual updates
# assay: common_mistakes = forgetting the 1/n scaling so alpha means something else; not adding back the coordinate's own contribution to rho; recomputing the full residual each step; penalising the intercept
# assay: tags = lasso, sparse, coordinate-descent, regularization

import numpy as np


def fit_lasso(X: np.ndarray, y: np.ndarray, alpha: float = 1.0, tol: float = 1e-8,
              max_iter: int = 10000) -> tuple[np.ndarray, float, int]:
    """Return (coef, intercept, number of sweeps) of the Lasso fit."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if alpha < 0:
        raise ValueError("alpha must be non-negative")
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0] or X.shape[0] == 0:
        raise ValueError("need X (n, d) and y (n,) with n > 0")
    n, d = X.shape
    xm, ym = X.mean(axis=0), y.mean()
    Xc, r = X - xm, y - ym
    z = (Xc ** 2).sum(axis=0) / n
    coef = np.zeros(d)
    for it in range(1, max_iter + 1):
        max_change = 0.0
        for j in range(d):
            if z[j] == 0:
                continue
            rho = Xc[:, j] @ r / n + z[j] * coef[j]
            new = np.sign(rho) * max(abs(rho) - alpha, 0.0) / z[j]
            delta = new - coef[j]
            if delta != 0.0:
                r -= delta * Xc[:, j]
                coef[j] = new
                max_change = max(max_change, abs(delta))
        if max_change < tol:
            return coef, float(ym - xm @ coef), it
    raise RuntimeError("coordinate descent did not converge")


def test_normal_recovers_sparse_signal():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 10))
    true = np.zeros(10)
    true[[1, 6]] = [4.0, -3.0]
    y = X @ true + 2.0 + 0.1 * rng.normal(size=200)
    coef, b, it = fit_lasso(X, y, alpha=0.1)
    assert set(np.nonzero(np.abs(coef) > 1e-8)[0]) == {1, 6}
    assert abs(coef[1] - 3.9) < 0.1 and abs(b - 2.0) < 0.1 and it >= 1


def test_normal_more_alpha_more_sparsity():
    from sklearn.datasets import load_diabetes
    X, y = load_diabetes(return_X_y=True)
    nnz = [np.count_nonzero(fit_lasso(X, y, a, tol=1e-6)[0]) for a in (0.05, 0.5, 5.0)]
    assert all(a >= b for a, b in zip(nnz, nnz[1:])) and nnz[0] > nnz[-1]


def test_edge_case_large_alpha_constant_column_and_errors():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.normal(size=30), np.ones(30)])
    y = 3 * X[:, 0] + 1
    alpha_max = np.max(np.abs((X - X.mean(0)).T @ (y - y.mean()))) / 30
    coef, b, _ = fit_lasso(X, y, alpha=alpha_max * 1.01)
    assert np.all(coef == 0.0) and np.isclose(b, y.mean())
    coef, _, _ = fit_lasso(X, y, alpha=0.0)
    assert np.isclose(coef[0], 3.0) and coef[1] == 0.0
    for args in ((X, y, -1.0), (X, y[:5], 1.0), (np.ones(3), np.ones(3), 1.0)):
        try:
            fit_lasso(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")
    try:
        fit_lasso(rng.normal(size=(20, 5)), rng.normal(size=20), alpha=1e-3, tol=0.0, max_iter=3)
    except RuntimeError:
        pass
    else:
        raise AssertionError("expected RuntimeError")


def test_correctness_matches_sklearn_lasso():
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Lasso
    X, y = load_diabetes(return_X_y=True)
    for alpha in (0.05, 0.5):
        coef, b, _ = fit_lasso(X, y, alpha=alpha, tol=1e-10)
        ref = Lasso(alpha=alpha, tol=1e-12, max_iter=100000).fit(X, y)
        assert np.allclose(coef, ref.coef_, atol=1e-5)
        assert np.isclose(b, ref.intercept_, atol=1e-5)
