"""Combine the class-probability outputs of two unimodal classifiers by late fusion.

Write `late_fusion(prob_a, prob_b, weight=0.5, method="mean")` with numpy. `prob_a` and
`prob_b` are (n, C) arrays of class probabilities from two models (e.g. one per modality);
`weight` in [0, 1] is the weight of model a (model b gets 1 - weight). Return an (n, C)
float64 array whose rows sum to 1:
- "mean": weight * prob_a + (1 - weight) * prob_b;
- "geometric": exp(weight * log(pa) + (1 - weight) * log(pb)) renormalised per row, where
  pa, pb are the inputs clipped to [1e-12, 1] (so zeros do not give -inf);
- "max": the element-wise maximum of weight * prob_a and (1 - weight) * prob_b,
  renormalised per row.

Edge cases: n == 0 gives an empty (0, C) array. Raise ValueError if the shapes differ or are
not 2-D, if weight is outside [0, 1], or for an unknown method.
"""
# assay: domain = multimodal
# assay: category = late_fusion
# assay: difficulty = basic
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = late fusion; ensemble averaging; log-linear (product of experts) pooling; renormalisation
# assay: common_mistakes = forgetting to renormalise after a geometric mean or max; log(0) producing NaN; swapping the weights of the two models; averaging predicted labels instead of probabilities
# assay: tags = fusion, ensemble, multimodal, probabilities

import numpy as np


def late_fusion(prob_a: np.ndarray, prob_b: np.ndarray, weight: float = 0.5,
                method: str = "mean") -> np.ndarray:
    """Return the fused (n, C) class probabilities of two models."""
    a = np.asarray(prob_a, dtype=float)
    b = np.asarray(prob_b, dtype=float)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError("inputs must be 2-D arrays of the same shape")
    if not 0.0 <= weight <= 1.0:
        raise ValueError("weight must be in [0, 1]")
    if method == "mean":
        return weight * a + (1 - weight) * b
    if method == "geometric":
        logp = weight * np.log(np.clip(a, 1e-12, 1.0)) + (1 - weight) * np.log(np.clip(b, 1e-12, 1.0))
        logp -= logp.max(axis=1, keepdims=True) if len(a) else 0.0
        p = np.exp(logp)
    elif method == "max":
        p = np.maximum(weight * a, (1 - weight) * b)
    else:
        raise ValueError("unknown method %r" % (method,))
    s = p.sum(axis=1, keepdims=True)
    return p / np.where(s == 0, 1.0, s)


def test_normal_mean_and_weights():
    a = np.array([[0.8, 0.2], [0.4, 0.6]])
    b = np.array([[0.2, 0.8], [0.4, 0.6]])
    assert np.allclose(late_fusion(a, b), [[0.5, 0.5], [0.4, 0.6]])
    assert np.allclose(late_fusion(a, b, weight=1.0), a)
    assert np.allclose(late_fusion(a, b, weight=0.25), 0.25 * a + 0.75 * b)


def test_normal_geometric_and_max():
    a = np.array([[0.9, 0.1, 0.0]])
    b = np.array([[0.5, 0.25, 0.25]])
    g = late_fusion(a, b, method="geometric")
    raw = np.sqrt(np.clip(a, 1e-12, 1) * np.clip(b, 1e-12, 1))
    assert np.allclose(g, raw / raw.sum())
    m = late_fusion(a, b, method="max")
    assert np.allclose(m, np.array([[0.45, 0.125, 0.125]]) / 0.7)


def test_edge_case_empty_and_invalid():
    out = late_fusion(np.zeros((0, 3)), np.zeros((0, 3)), method="geometric")
    assert out.shape == (0, 3)
    bad = [((np.ones((2, 2)), np.ones((2, 3))), {}), ((np.ones(2), np.ones(2)), {}),
           ((np.ones((1, 2)), np.ones((1, 2))), {"weight": 1.5}),
           ((np.ones((1, 2)), np.ones((1, 2))), {"method": "vote"})]
    for args, kwargs in bad:
        try:
            late_fusion(*args, **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_fusing_two_views_of_digits_helps():
    from sklearn.datasets import load_digits
    from sklearn.neighbors import KNeighborsClassifier
    X, y = load_digits(return_X_y=True)
    left, right = X.reshape(-1, 8, 8)[:, :, :4].reshape(-1, 32), X.reshape(-1, 8, 8)[:, :, 4:].reshape(-1, 32)
    tr, te = np.arange(0, 1200), np.arange(1200, len(y))
    # one "modality" sees the left half of each digit, the other the right half
    pa = KNeighborsClassifier(n_neighbors=10).fit(left[tr], y[tr]).predict_proba(left[te])
    pb = KNeighborsClassifier(n_neighbors=10).fit(right[tr], y[tr]).predict_proba(right[te])
    acc = lambda p: (p.argmax(1) == y[te]).mean()
    for method in ("mean", "geometric", "max"):
        fused = late_fusion(pa, pb, method=method)
        assert np.allclose(fused.sum(axis=1), 1.0)
        assert acc(fused) > max(acc(pa), acc(pb))
