"""Implement masked scaled dot-product cross-attention from text tokens to image patches.

Write `cross_attention(queries, keys, values, key_mask=None)` with numpy. `queries` is
(T, d) (text token features), `keys` is (P, d) and `values` is (P, dv) (image patch
features); `key_mask` is an optional bool array of shape (P,) where False marks padding
patches that must be ignored. Return `(output, weights)`:

    scores = queries @ keys.T / sqrt(d)                      shape (T, P)
    scores[:, j] = -inf where key_mask[j] is False
    weights = softmax(scores, axis=1)                        rows sum to 1
    output = weights @ values                                shape (T, dv)

The softmax must be numerically stable (subtract the row maximum). If every key is masked,
the weights are all 0 and the output is all 0 (no NaN). Both outputs are float64.

Edge cases: T == 0 gives arrays of shape (0, P) and (0, dv). Raise ValueError for
inconsistent shapes (d mismatch between queries and keys, P mismatch between keys, values
and key_mask) or P == 0.
"""
# assay: domain = multimodal
# assay: category = attention
# assay: difficulty = advanced
# assay: requirements = numpy, scipy
# assay: timeout = 15
# assay: key_concepts = scaled dot-product attention; cross-attention between modalities; key padding masks; stable softmax
# assay: common_mistakes = scaling by d instead of sqrt(d); softmax over the wrong axis; masking by multiplying weights by 0 without renormalising; NaN for fully masked rows
# assay: tags = attention, transformer, vision-language, mask

import numpy as np


def cross_attention(queries: np.ndarray, keys: np.ndarray, values: np.ndarray,
                    key_mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (attended output, attention weights)."""
    q = np.asarray(queries, dtype=float)
    k = np.asarray(keys, dtype=float)
    v = np.asarray(values, dtype=float)
    if q.ndim != 2 or k.ndim != 2 or v.ndim != 2:
        raise ValueError("inputs must be 2-D")
    if q.shape[1] != k.shape[1] or k.shape[0] != v.shape[0] or k.shape[0] == 0:
        raise ValueError("inconsistent shapes")
    mask = np.ones(k.shape[0], dtype=bool) if key_mask is None else np.asarray(key_mask, dtype=bool)
    if mask.shape != (k.shape[0],):
        raise ValueError("key_mask must have shape (P,)")
    scores = q @ k.T / np.sqrt(q.shape[1])
    if not mask.any():
        return np.zeros((q.shape[0], v.shape[1])), np.zeros((q.shape[0], k.shape[0]))
    scores = np.where(mask[None, :], scores, -np.inf)
    scores = scores - scores.max(axis=1, keepdims=True) if len(q) else scores
    e = np.exp(scores)
    weights = e / e.sum(axis=1, keepdims=True)
    return weights @ v, weights


def test_normal_attends_to_matching_patch():
    keys = np.eye(3) * 10.0
    values = np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    out, w = cross_attention(np.array([[0.0, 10.0, 0.0]]), keys, values)
    assert w.shape == (1, 3) and np.isclose(w.sum(), 1.0)
    assert w[0, 1] > 0.999 and np.allclose(out, [[0.0, 1.0]], atol=1e-3)


def test_normal_uniform_when_queries_are_zero_and_mask():
    keys = np.random.default_rng(0).normal(size=(4, 8))
    values = np.arange(8, dtype=float).reshape(4, 2)
    out, w = cross_attention(np.zeros((2, 8)), keys, values)
    assert np.allclose(w, 0.25) and np.allclose(out, values.mean(axis=0))
    out, w = cross_attention(np.zeros((1, 8)), keys, values, key_mask=np.array([True, False, True, False]))
    assert np.allclose(w, [[0.5, 0.0, 0.5, 0.0]]) and np.allclose(out, (values[0] + values[2]) / 2)


def test_edge_case_fully_masked_empty_and_errors():
    k = np.ones((3, 4))
    v = np.ones((3, 2))
    out, w = cross_attention(np.ones((2, 4)), k, v, key_mask=np.zeros(3, dtype=bool))
    assert np.all(out == 0) and np.all(w == 0) and not np.isnan(out).any()
    out, w = cross_attention(np.zeros((0, 4)), k, v)
    assert out.shape == (0, 2) and w.shape == (0, 3)
    big, wb = cross_attention(np.full((1, 4), 1e4), np.vstack([np.full(4, 1e4), np.zeros(4), -np.ones(4)]), v)
    assert np.all(np.isfinite(wb)) and np.isclose(wb.sum(), 1.0)
    for args in ((np.ones((1, 3)), k, v), (np.ones((1, 4)), k, np.ones((2, 2))),
                 (np.ones((1, 4)), np.ones((0, 4)), np.ones((0, 2))), (np.ones((1, 4)), k, v, np.ones(2, dtype=bool))):
        try:
            cross_attention(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_scipy_softmax_reference():
    from scipy.special import softmax
    rng = np.random.default_rng(1)
    q, k, v = rng.normal(size=(5, 16)), rng.normal(size=(7, 16)), rng.normal(size=(7, 3))
    mask = np.array([True, True, False, True, False, True, True])
    out, w = cross_attention(q, k, v, key_mask=mask)
    s = q @ k[mask].T / 4.0
    ref_w = softmax(s, axis=1)
    assert np.allclose(w[:, mask], ref_w) and np.all(w[:, ~mask] == 0)
    assert np.allclose(out, ref_w @ v[mask])
