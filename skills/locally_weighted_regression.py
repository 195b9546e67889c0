"""Smooth noisy 1-D data with locally weighted linear regression (LOESS-style) using tricube weights.

Write `loess_predict(x, y, x_query, frac=0.3)` with numpy. `x`, `y` are 1-D training arrays
of length n and `x_query` a 1-D array of query points. Return a float64 array with one
prediction per query point:

For a query point q:
1. k = max(2, ceil(frac * n)) (at most n). The neighbourhood is the k training points
   closest to q by |x_i - q| (stable sort, so ties keep the training order).
2. h = the largest of those k distances. Weights w_i = (1 - (d_i / h)^3)^3 for the
   neighbours (so the farthest gets weight 0); if h == 0 all neighbour weights are 1.
3. Fit a weighted least-squares line y ~ a + b * (x - q) on the neighbours and predict a.
   If the weighted fit is degenerate (fewer than 2 neighbours with positive weight, or all
   of them at the same x), predict the weighted mean of their y (plain mean if all weights
   are 0).

Edge cases: an empty x_query gives an empty array. Raise ValueError if x and y differ in
length, n < 2, or frac is not in (0, 1].
"""
# assay: domain = regression
# assay: category = nonparametric_regression
# assay: difficulty = intermediate
# assay: requirements = numpy
# assay: key_concepts = local regression; tricube kernel; nearest-neighbour bandwidth; weighted least squares
# assay: common_mistakes = a fixed bandwidth instead of k nearest neighbours; fitting y ~ a + b x and predicting with the wrong intercept; singular weighted fits when neighbours share one x; forgetting to cube twice
# assay: tags = loess, smoothing, local-regression, numpy

import math

import numpy as np


def loess_predict(x: np.ndarray, y: np.ndarray, x_query: np.ndarray, frac: float = 0.3) -> np.ndarray:
    """Return LOESS predictions at `x_query`."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    q = np.asarray(x_query, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError("x and y must be 1-D of equal length >= 2")
    if not 0 < frac <= 1:
        raise ValueError("frac must be in (0, 1]")
    n = x.size
    k = min(n, max(2, math.ceil(frac * n)))
    out = np.empty(q.size)
    for i, q0 in enumerate(q):
        d = np.abs(x - q0)
        idx = np.argsort(d, kind="stable")[:k]
        dn, xn, yn = d[idx], x[idx] - q0, y[idx]
        h = dn.max()
        w = np.ones(k) if h == 0 else (1 - (dn / h) ** 3) ** 3
        pos = w > 0
        if pos.sum() >= 2 and np.ptp(xn[pos]) > 0:
            sw = w.sum()
            mx, my = (w * xn).sum() / sw, (w * yn).sum() / sw
            b = (w * (xn - mx) * (yn - my)).sum() / (w * (xn - mx) ** 2).sum()
            out[i] = my - b * mx
        else:
            out[i] = (w * yn).sum() / w.sum() if w.sum() > 0 else yn.mean()
    return out


def test_normal_reproduces_a_line_exactly():
    x = np.linspace(0, 10, 30)
    y = 3 * x - 2
    q = np.array([0.0, 2.5, 7.77, 10.0])
    assert np.allclose(loess_predict(x, y, q, frac=0.2), 3 * q - 2)


def test_normal_smooths_noisy_sine():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(0, 2 * np.pi, 200))
    y = np.sin(x) + 0.3 * rng.normal(size=200)
    q = np.linspace(0.5, 5.5, 20)
    pred = loess_predict(x, y, q, frac=0.2)
    assert np.max(np.abs(pred - np.sin(q))) < 0.25
    assert np.mean((pred - np.sin(q)) ** 2) < np.mean((y - np.sin(x)) ** 2) / 5


def test_edge_case_degenerate_neighbourhoods_and_errors():
    x = np.array([1.0, 1.0, 1.0, 5.0])
    y = np.array([1.0, 2.0, 3.0, 10.0])
    # k = 3 neighbours of q=1 all sit at x=1 -> h = 0 -> plain mean
    assert np.allclose(loess_predict(x, y, np.array([1.0]), frac=0.75), [2.0])
    assert loess_predict(x, y, np.array([])).shape == (0,)
    for args in ((np.ones(3), np.ones(2), np.ones(1)), (np.ones(1), np.ones(1), np.ones(1)),
                 (np.arange(3.0), np.ones(3), np.ones(1), 0.0), (np.arange(3.0), np.ones(3), np.ones(1), 1.5)):
        try:
            loess_predict(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_weighted_polyfit():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 60)
    y = np.exp(x) + 0.05 * rng.normal(size=60)
    for q0 in (0.1, 0.5, 0.93):
        pred = loess_predict(x, y, np.array([q0]), frac=0.25)[0]
        d = np.abs(x - q0)
        idx = np.argsort(d, kind="stable")[:15]
        w = (1 - (d[idx] / d[idx].max()) ** 3) ** 3
        b, a = np.polyfit(x[idx] - q0, y[idx], 1, w=np.sqrt(w))
        assert np.isclose(pred, a)
