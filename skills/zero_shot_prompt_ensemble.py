"""Classify images zero-shot by comparing image embeddings with prompt-ensembled class text embeddings, CLIP style.

Write `zero_shot_classify(image_emb, prompt_emb, prompt_class, n_classes, temperature=0.01)`
with numpy. `image_emb` is (N, d); `prompt_emb` is (M, d), the text embeddings of prompts
such as "a photo of a {class}"; `prompt_class` is a length-M int array giving each prompt's
class in 0..n_classes-1. Return `(pred, probs)`:

1. L2-normalise every prompt embedding, average the normalised prompts of each class, and
   L2-normalise each class average again (the class "prototype").
2. L2-normalise the image embeddings; logits = image_norm @ prototypes.T / temperature,
   shape (N, n_classes).
3. probs = row-wise softmax of the logits (numerically stable); pred = argmax (first on
   ties) as an int64 array of shape (N,).

Edge cases: N == 0 gives shapes (0,) and (0, n_classes). Raise ValueError if a class has no
prompt, a prompt_class value is out of range, the embedding dimensions differ,
temperature <= 0, or any embedding row has zero norm.
"""
# assay: domain = multimodal
# assay: category = zero_shot_classification
# assay: difficulty = intermediate
# assay: requirements = numpy
# assay: key_concepts = zero-shot classification; prompt ensembling; class prototypes; cosine similarity; temperature softmax
# assay: common_mistakes = averaging unnormalised prompt embeddings so long vectors dominate; not renormalising the class mean; softmax over the wrong axis; overflow with a small temperature
# assay: tags = clip, zero-shot, prompt-ensemble, embeddings

import numpy as np


def zero_shot_classify(image_emb: np.ndarray, prompt_emb: np.ndarray, prompt_class: np.ndarray,
                       n_classes: int, temperature: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """Return (predicted class per image, class probabilities)."""
    img = np.asarray(image_emb, dtype=float)
    txt = np.asarray(prompt_emb, dtype=float)
    cls = np.asarray(prompt_class)
    if img.ndim != 2 or txt.ndim != 2 or img.shape[1] != txt.shape[1]:
        raise ValueError("embeddings must be 2-D with the same dimension")
    if cls.shape != (txt.shape[0],) or (cls < 0).any() or (cls >= n_classes).any():
        raise ValueError("prompt_class must give a valid class per prompt")
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    if np.bincount(cls, minlength=n_classes).min() == 0:
        raise ValueError("every class needs at least one prompt")

    def normalise(a: np.ndarray) -> np.ndarray:
        n = np.linalg.norm(a, axis=1, keepdims=True)
        if (n == 0).any():
            raise ValueError("zero-norm embedding")
        return a / n

    t = normalise(txt)
    protos = normalise(np.stack([t[cls == c].mean(axis=0) for c in range(n_classes)]))
    if img.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, n_classes))
    logits = normalise(img) @ protos.T / temperature
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    probs = e / e.sum(axis=1, keepdims=True)
    return probs.argmax(axis=1).astype(np.int64), probs


def test_normal_toy_embeddings():
    prompts = np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.0, 0.8, 0.2]])
    pclass = np.array([0, 0, 1, 1])
    images = np.array([[5.0, 0.5, 0.0], [0.1, 2.0, 0.3]])
    pred, probs = zero_shot_classify(images, prompts, pclass, 2)
    assert pred.tolist() == [0, 1] and pred.dtype == np.int64
    assert probs.shape == (2, 2) and np.allclose(probs.sum(axis=1), 1.0)


def test_normal_prompt_norm_does_not_matter():
    rng = np.random.default_rng(0)
    prompts = rng.normal(size=(9, 8))
    pclass = np.repeat([0, 1, 2], 3)
    images = rng.normal(size=(5, 8))
    _, p1 = zero_shot_classify(images, prompts, pclass, 3)
    scaled = prompts * rng.uniform(0.1, 10, size=(9, 1))
    _, p2 = zero_shot_classify(images * 4, scaled, pclass, 3)
    assert np.allclose(p1, p2)


def test_edge_case_empty_and_invalid():
    prompts, pclass = np.eye(2), np.array([0, 1])
    pred, probs = zero_shot_classify(np.zeros((0, 2)), prompts, pclass, 2)
    assert pred.shape == (0,) and probs.shape == (0, 2)
    _, p = zero_shot_classify(np.array([[1.0, 0.0]]), prompts, pclass, 2, temperature=1e-6)
    assert np.all(np.isfinite(p))
    bad = [((np.ones((1, 2)), prompts, np.array([0, 0]), 2), {}),
           ((np.ones((1, 2)), prompts, np.array([0, 2]), 2), {}),
           ((np.ones((1, 3)), prompts, pclass, 2), {}),
           ((np.ones((1, 2)), prompts, pclass, 2), {"temperature": 0.0}),
           ((np.zeros((1, 2)), prompts, pclass, 2), {})]
    for args, kwargs in bad:
        try:
            zero_shot_classify(*args, **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_explicit_computation():
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(4, 16))
    pclass = np.repeat(np.arange(4), 5)
    prompts = centers[pclass] + 0.3 * rng.normal(size=(20, 16))
    labels = rng.integers(0, 4, size=50)
    images = centers[labels] + 0.5 * rng.normal(size=(50, 16))
    pred, probs = zero_shot_classify(images, prompts, pclass, 4, temperature=0.05)
    unit = lambda a: a / np.linalg.norm(a, axis=-1, keepdims=True)
    protos = np.stack([unit(unit(prompts[pclass == c]).mean(axis=0)) for c in range(4)])
    z = unit(images) @ protos.T / 0.05
    ref = np.exp(z - z.max(1, keepdims=True))
    ref /= ref.sum(1, keepdims=True)
    assert np.allclose(probs, ref)
    assert (pred == labels).mean() > 0.9
