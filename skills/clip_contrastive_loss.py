"""Compute the symmetric CLIP-style contrastive (InfoNCE) loss for a batch of paired image and text embeddings.

Write `clip_loss(image_emb, text_emb, temperature=0.07)` with numpy, where both inputs are
(n, d) arrays and row i of each is a matching pair. Return a tuple `(loss, logits)`:

1. L2-normalise every row of both inputs.
2. logits = (image_norm @ text_norm.T) / temperature, an (n, n) float64 array.
3. loss_i2t = mean over i of cross-entropy of row i of logits with target class i:
   -logits[i, i] + logsumexp(logits[i, :]).
4. loss_t2i = the same on the columns (rows of logits.T).
5. loss = (loss_i2t + loss_t2i) / 2, returned as a Python float.

The log-sum-exp must be computed stably (subtract the row maximum) so that small
temperatures do not overflow.

Edge cases: raise ValueError if the shapes differ or are not 2-D, if n == 0, if
temperature <= 0, or if any row has zero norm. With n == 1 the loss is exactly 0.0.
"""
# assay: domain = multimodal
# assay: category = contrastive_learning
# assay: difficulty = advanced
# assay: requirements = numpy, scipy
# assay: timeout = 15
# assay: key_concepts = contrastive learning; InfoNCE; temperature scaling; symmetric cross-entropy; log-sum-exp stability
# assay: common_mistakes = forgetting to normalise embeddings; only using the image-to-text direction; dividing by temperature after the softmax; overflow in exp for small temperatures
# assay: tags = clip, contrastive, infonce, embeddings

import numpy as np


def clip_loss(image_emb: np.ndarray, text_emb: np.ndarray,
              temperature: float = 0.07) -> tuple[float, np.ndarray]:
    """Return (symmetric contrastive loss, logits matrix)."""
    a = np.asarray(image_emb, dtype=float)
    b = np.asarray(text_emb, dtype=float)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError("inputs must be 2-D arrays of the same shape")
    if a.shape[0] == 0:
        raise ValueError("empty batch")
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    if (na == 0).any() or (nb == 0).any():
        raise ValueError("zero-norm embedding")
    logits = (a / na) @ (b / nb).T / temperature

    def ce(z: np.ndarray) -> float:
        m = z.max(axis=1, keepdims=True)
        lse = (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))).ravel()
        return float(np.mean(lse - np.diag(z)))

    return (ce(logits) + ce(logits.T)) / 2, logits


def test_normal_aligned_pairs_have_low_loss():
    rng = np.random.default_rng(0)
    img = rng.normal(size=(8, 32))
    aligned, _ = clip_loss(img, img + 0.01 * rng.normal(size=(8, 32)))
    shuffled, _ = clip_loss(img, img[::-1] + 0.01 * rng.normal(size=(8, 32)))
    assert aligned < 0.01 < shuffled


def test_normal_logits_are_scaled_cosines():
    img = np.array([[3.0, 0.0], [0.0, 2.0]])
    txt = np.array([[1.0, 1.0], [0.0, 5.0]])
    loss, logits = clip_loss(img, txt, temperature=0.5)
    c = 1 / np.sqrt(2)
    assert np.allclose(logits, np.array([[c, 0.0], [c, 1.0]]) / 0.5)
    assert logits.dtype == np.float64 and isinstance(loss, float)


def test_edge_case_single_pair_tiny_temperature_and_errors():
    loss, _ = clip_loss(np.array([[1.0, 2.0]]), np.array([[-1.0, 0.5]]))
    assert loss == 0.0
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 4))
    loss, _ = clip_loss(x, rng.normal(size=(5, 4)), temperature=1e-4)
    assert np.isfinite(loss)
    bad = [((x, x[:4]), {}), ((x[0], x[0]), {}), ((np.zeros((0, 4)), np.zeros((0, 4))), {}),
           ((x, x), {"temperature": 0.0}), ((np.zeros((1, 4)), np.ones((1, 4))), {})]
    for args, kwargs in bad:
        try:
            clip_loss(*args, **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_scipy_logsumexp_and_symmetry():
    from scipy.special import logsumexp
    rng = np.random.default_rng(2)
    img, txt = rng.normal(size=(16, 10)), rng.normal(size=(16, 10))
    loss, logits = clip_loss(img, txt, temperature=0.1)
    a = img / np.linalg.norm(img, axis=1, keepdims=True)
    b = txt / np.linalg.norm(txt, axis=1, keepdims=True)
    z = a @ b.T / 0.1
    ref = (np.mean(logsumexp(z, axis=1) - np.diag(z)) + np.mean(logsumexp(z, axis=0) - np.diag(z))) / 2
    assert np.isclose(loss, ref)
    assert np.isclose(clip_loss(txt, img, 0.1)[0], loss)          # symmetric in the two modalities
    assert np.isclose(clip_loss(img * 7.0, txt * 0.2, 0.1)[0], loss)  # invariant to row scaling
    # with identical random embeddings at temperature 1 the loss is below log(n)
    assert clip_loss(img, img, 1.0)[0] < np.log(16)
