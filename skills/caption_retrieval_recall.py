"""Evaluate image-caption retrieval with cosine similarity of embeddings and report Recall@K in both directions.

Write `retrieval_recall(image_emb, text_emb, text_to_image, ks=(1, 5))` with numpy.
`image_emb` is (N, d), `text_emb` is (M, d) and `text_to_image` a length-M int array: caption
j describes image text_to_image[j] (an image may have several captions). Return
{"t2i": {k: recall}, "i2t": {k: recall}} with float recalls:

- Embeddings are L2-normalised row-wise (a zero row stays zero); similarity = cosine
  (dot product of normalised rows), S has shape (M, N).
- Rankings sort candidates by decreasing similarity with a stable sort (on ties the lower
  index ranks first).
- Text-to-image Recall@K: fraction of captions whose own image is among the top K images.
- Image-to-text Recall@K: fraction of images for which at least one of their captions is
  among the top K captions. Images with no caption are skipped (if no image has a caption
  the i2t recalls are 0.0).
- K larger than the number of candidates is clamped to it.

Edge cases: raise ValueError if the embedding dimensions differ, if M == 0 or N == 0, if the
length of text_to_image is not M, an index is out of range, or some k < 1.
"""
# assay: domain = multimodal
# assay: category = cross_modal_retrieval
# assay: difficulty = intermediate
# assay: requirements = numpy
# assay: key_concepts = cross-modal retrieval; cosine similarity; Recall@K; one-to-many ground truth
# assay: common_mistakes = forgetting to normalise embeddings; treating image-to-text as one-to-one; ranking by ascending similarity; unstable tie-breaking
# assay: tags = retrieval, clip, recall-at-k, embeddings

import numpy as np


def retrieval_recall(image_emb: np.ndarray, text_emb: np.ndarray, text_to_image: np.ndarray,
                     ks: tuple[int, ...] = (1, 5)) -> dict:
    """Return {"t2i": {k: recall}, "i2t": {k: recall}} for cosine-similarity retrieval."""
    img = np.asarray(image_emb, dtype=float)
    txt = np.asarray(text_emb, dtype=float)
    gt = np.asarray(text_to_image)
    if img.ndim != 2 or txt.ndim != 2 or img.shape[1] != txt.shape[1]:
        raise ValueError("embeddings must be 2-D with the same dimension")
    n, m = img.shape[0], txt.shape[0]
    if n == 0 or m == 0:
        raise ValueError("need at least one image and one caption")
    if gt.shape != (m,) or (gt < 0).any() or (gt >= n).any():
        raise ValueError("text_to_image must map every caption to a valid image")
    if any(k < 1 for k in ks):
        raise ValueError("k must be >= 1")

    def normalise(a: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(a, axis=1, keepdims=True)
        return a / np.where(norms == 0, 1.0, norms)

    sim = normalise(txt) @ normalise(img).T
    t2i_rank = np.argsort(-sim, axis=1, kind="stable")
    i2t_rank = np.argsort(-sim.T, axis=1, kind="stable")
    out = {"t2i": {}, "i2t": {}}
    has_caption = np.zeros(n, dtype=bool)
    has_caption[gt] = True
    for k in ks:
        kk = min(k, n)
        out["t2i"][k] = float(np.mean([gt[j] in t2i_rank[j, :kk] for j in range(m)]))
        kc = min(k, m)
        hits = [np.any(gt[i2t_rank[i, :kc]] == i) for i in range(n) if has_caption[i]]
        out["i2t"][k] = float(np.mean(hits)) if hits else 0.0
    return out


def test_normal_perfect_alignment():
    rng = np.random.default_rng(0)
    img = rng.normal(size=(20, 16))
    txt = np.repeat(img, 2, axis=0) * 3.0 + 0.01 * rng.normal(size=(40, 16))
    gt = np.repeat(np.arange(20), 2)
    r = retrieval_recall(img, txt, gt, ks=(1, 5))
    assert r == {"t2i": {1: 1.0, 5: 1.0}, "i2t": {1: 1.0, 5: 1.0}}


def test_normal_hand_built_example():
    img = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    txt = np.array([[1.0, 0.1], [0.2, 1.0], [1.0, 0.0]])
    gt = np.array([0, 2, 2])
    r = retrieval_recall(img, txt, gt, ks=(1, 2))
    # caption 0 -> image 0 first (hit); caption 1 -> image 1 then 2 ; caption 2 -> image 0 then 2
    assert r["t2i"] == {1: 1 / 3, 2: 1.0}
    # image 0: captions ranked 2, 0, 1 -> its caption 0 is 2nd ; image 2: caption 1 ranks first ;
    # image 1 has no caption and is skipped
    assert r["i2t"] == {1: 0.5, 2: 1.0}


def test_edge_case_k_clamping_zero_rows_and_errors():
    img = np.array([[1.0, 0.0], [0.0, 0.0]])
    txt = np.array([[0.0, 0.0]])
    r = retrieval_recall(img, txt, np.array([1]), ks=(1, 10))
    # zero vectors: all similarities 0 -> stable order puts image 0 first
    assert r["t2i"] == {1: 0.0, 10: 1.0} and r["i2t"] == {1: 1.0, 10: 1.0}
    bad = [(img, np.zeros((1, 3)), np.array([0])), (img, txt, np.array([2])),
           (img, txt, np.array([0, 1])), (np.zeros((0, 2)), txt, np.array([0]))]
    for args in bad:
        try:
            retrieval_recall(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")
    try:
        retrieval_recall(img, txt, np.array([0]), ks=(0,))
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError for k=0")


def test_correctness_against_explicit_ranks():
    rng = np.random.default_rng(1)
    img = rng.normal(size=(15, 8))
    gt = rng.integers(0, 15, size=30)
    txt = img[gt] + 1.2 * rng.normal(size=(30, 8))
    r = retrieval_recall(img, txt, gt, ks=(1, 3, 5))
    a = img / np.linalg.norm(img, axis=1, keepdims=True)
    b = txt / np.linalg.norm(txt, axis=1, keepdims=True)
    S = b @ a.T
    for k in (1, 3, 5):
        t2i = np.mean([(S[j] > S[j, gt[j]]).sum() < k for j in range(30)])
        assert np.isclose(r["t2i"][k], t2i)
        imgs = np.unique(gt)
        i2t = np.mean([min((S[:, i] > S[c, i]).sum() for c in np.nonzero(gt == i)[0]) < k for i in imgs])
        assert np.isclose(r["i2t"][k], i2t)
