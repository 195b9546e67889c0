"""Fuse feature blocks from several modalities into one early-fusion design matrix with per-modality scaling and weights.

Write `fuse_features(train_blocks, test_blocks, weights=None)` with numpy. `train_blocks` is a
list of 2-D arrays (one per modality, all with the same number of rows n_train) and
`test_blocks` a list of the same length with arrays of n_test rows and matching column
counts. Return `(train_fused, test_fused)`:

1. Standardise each block column-wise with the mean and population std (ddof=0) of its
   *training* block (a std of 0 is replaced by 1).
2. Divide each standardised block by sqrt(number of its columns), so every modality
   contributes the same expected squared norm whatever its dimensionality.
3. Multiply block m by weights[m] (weights default to all 1.0).
4. Concatenate the blocks horizontally in the given order.

Both outputs are float64 with n_train (resp. n_test) rows and the total column count.

Edge cases: raise ValueError if the lists are empty or have different lengths, if row counts
differ within the train (or test) blocks, if a test block's column count differs from its
train block, if len(weights) is wrong or a weight is negative, or if n_train == 0.
"""
# assay: domain = multimodal
# assay: category = early_fusion
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = early fusion; feature scaling per modality; dimensionality balancing; train/test statistics
# assay: common_mistakes = standardising test data with its own statistics; letting the high-dimensional modality dominate distances; dividing by zero for constant features; concatenating blocks in a different order for train and test
# assay: tags = fusion, features, multimodal, preprocessing

import numpy as np


def fuse_features(train_blocks: list[np.ndarray], test_blocks: list[np.ndarray],
                  weights: list[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (train_fused, test_fused) early-fusion matrices."""
    if not train_blocks or len(train_blocks) != len(test_blocks):
        raise ValueError("need the same non-zero number of train and test blocks")
    if weights is None:
        weights = [1.0] * len(train_blocks)
    if len(weights) != len(train_blocks) or any(w < 0 for w in weights):
        raise ValueError("one non-negative weight per block is required")
    tr = [np.asarray(b, dtype=float) for b in train_blocks]
    te = [np.asarray(b, dtype=float) for b in test_blocks]
    if any(b.ndim != 2 for b in tr + te):
        raise ValueError("blocks must be 2-D")
    if len({b.shape[0] for b in tr}) != 1 or len({b.shape[0] for b in te}) != 1:
        raise ValueError("row counts differ between blocks")
    if tr[0].shape[0] == 0:
        raise ValueError("no training rows")
    out_tr, out_te = [], []
    for a, b, w in zip(tr, te, weights):
        if a.shape[1] != b.shape[1]:
            raise ValueError("test block has a different number of columns")
        mean = a.mean(axis=0)
        std = a.std(axis=0)
        std[std == 0] = 1.0
        scale = w / np.sqrt(a.shape[1]) if a.shape[1] else 0.0
        out_tr.append((a - mean) / std * scale)
        out_te.append((b - mean) / std * scale)
    return np.hstack(out_tr), np.hstack(out_te)


def test_normal_shapes_and_block_norms():
    rng = np.random.default_rng(0)
    a, b = rng.normal(5, 3, size=(100, 2)), rng.normal(-1, 0.1, size=(100, 50))
    ftr, fte = fuse_features([a, b], [a[:10], b[:10]])
    assert ftr.shape == (100, 52) and fte.shape == (10, 52)
    # each modality has mean squared row norm 1 on the training data
    assert np.isclose((ftr[:, :2] ** 2).sum(1).mean(), 1.0)
    assert np.isclose((ftr[:, 2:] ** 2).sum(1).mean(), 1.0)
    assert np.allclose(fte, ftr[:10])


def test_normal_weights_and_train_statistics():
    tr = [np.array([[0.0], [2.0]]), np.array([[1.0, 1.0], [3.0, 5.0]])]
    te = [np.array([[4.0]]), np.array([[2.0, 3.0]])]
    ftr, fte = fuse_features(tr, te, weights=[2.0, 0.0])
    assert np.allclose(ftr, [[-2.0, 0, 0], [2.0, 0, 0]])
    assert np.allclose(fte, [[6.0, 0, 0]])


def test_edge_case_constant_columns_and_errors():
    tr = [np.ones((3, 2))]
    ftr, fte = fuse_features(tr, [np.full((1, 2), 4.0)])
    assert np.all(ftr == 0) and np.allclose(fte, 3 / np.sqrt(2))
    bad = [([], []), ([np.ones((2, 1))], []), ([np.ones((2, 1)), np.ones((3, 1))], [np.ones((1, 1))] * 2),
           ([np.ones((2, 1))], [np.ones((1, 2))]), ([np.ones((2, 1))], [np.ones((1, 1))], [-1.0]),
           ([np.ones((0, 1))], [np.ones((1, 1))])]
    for args in bad:
        try:
            fuse_features(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for %r" % (args,))


def test_correctness_balanced_fusion_beats_raw_concat_on_noisy_modality():
    from sklearn.datasets import load_digits
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import StandardScaler
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(len(y), 200)) * 20     # a useless, high-dimensional modality
    tr, te = np.arange(800), np.arange(800, 1100)
    ftr, fte = fuse_features([X[tr], noise[tr]], [X[te], noise[te]], weights=[1.0, 0.2])
    fused_acc = KNeighborsClassifier(5).fit(ftr, y[tr]).score(fte, y[te])
    raw = np.hstack([X, noise])
    sc = StandardScaler().fit(raw[tr])
    raw_acc = KNeighborsClassifier(5).fit(sc.transform(raw[tr]), y[tr]).score(sc.transform(raw[te]), y[te])
    assert fused_acc > 0.9 and fused_acc > raw_acc + 0.1
    ref = np.hstack([StandardScaler().fit(X[tr]).transform(X[te]) / 8.0,
                     StandardScaler().fit(noise[tr]).transform(noise[te]) * 0.2 / np.sqrt(200)])
    assert np.allclose(fte, ref)
