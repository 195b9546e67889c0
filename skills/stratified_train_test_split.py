"""Split sample indices into train and test sets while preserving the class proportions (stratified split).

Write `stratified_split(y, test_size=0.25, seed=0)` where `y` is a 1-D array-like of class
labels. Return `(train_idx, test_idx)`, two sorted 1-D numpy int64 arrays that partition
range(len(y)).

Exact procedure (so results are reproducible):
1. rng = np.random.default_rng(seed).
2. For each class c in sorted order of the distinct labels: idx_c = the indices i with
   y[i] == c in increasing order; n_c = len(idx_c);
   n_test = floor(test_size * n_c + 0.5) (round half up), then, if n_c >= 2, clipped to
   [1, n_c - 1] so each class appears in both sets; if n_c == 1, n_test = 0.
   perm = rng.permutation(idx_c); the first n_test entries of perm go to the test set, the
   rest to the train set.
3. Sort both index arrays.

Edge cases: an empty `y` gives two empty int64 arrays. Raise ValueError if test_size is not
strictly between 0 and 1, or if `y` is not 1-D.
"""
# assay: domain = tabular
# assay: category = data_splitting
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = stratification; reproducible shuffling with a seeded generator; class proportions; partitioning
# assay: common_mistakes = shuffling the whole dataset before stratifying; banker's rounding of the per-class test count; a class missing from the training set; overlapping train and test indices
# assay: tags = split, stratified, sampling

import math

import numpy as np


def stratified_split(y: np.ndarray | list, test_size: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return sorted (train_idx, test_idx) preserving the class proportions of `y`."""
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError("y must be 1-D")
    if not 0 < test_size < 1:
        raise ValueError("test_size must be in (0, 1)")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        idx = np.nonzero(labels == c)[0]
        n_c = len(idx)
        if n_c == 1:
            n_test = 0
        else:
            n_test = min(max(math.floor(test_size * n_c + 0.5), 1), n_c - 1)
        perm = rng.permutation(idx)
        test.extend(perm[:n_test].tolist())
        train.extend(perm[n_test:].tolist())
    return np.array(sorted(train), dtype=np.int64), np.array(sorted(test), dtype=np.int64)


def test_normal_iris_proportions():
    from sklearn.datasets import load_iris
    y = load_iris().target
    tr, te = stratified_split(y, test_size=0.2, seed=0)
    assert len(te) == 30 and len(tr) == 120
    assert np.bincount(y[te]).tolist() == [10, 10, 10]
    assert tr.dtype == np.int64 and np.all(np.diff(tr) > 0)


def test_normal_reproducible_and_seed_dependent():
    y = np.repeat([0, 1, 2], [40, 30, 10])
    a = stratified_split(y, 0.3, seed=1)
    b = stratified_split(y, 0.3, seed=1)
    c = stratified_split(y, 0.3, seed=2)
    assert np.array_equal(a[1], b[1]) and not np.array_equal(a[1], c[1])


def test_edge_case_tiny_classes_and_empty():
    y = ["a", "a", "b", "c", "c", "c"]
    tr, te = stratified_split(y, test_size=0.1)
    # a: n=2 -> round(0.2)=0 clipped to 1 ; b: single sample stays in train ; c: 0.3 -> 0 -> 1
    assert sorted(np.asarray(y)[te].tolist()) == ["a", "c"]
    assert 2 in tr
    tr, te = stratified_split([])
    assert tr.dtype == np.int64 and tr.size == 0 and te.size == 0
    for args in (([0, 1], 0.0), ([0, 1], 1.0), (np.zeros((2, 2)), 0.5)):
        try:
            stratified_split(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_exact_procedure_and_partition():
    from sklearn.datasets import load_wine
    y = load_wine().target
    tr, te = stratified_split(y, test_size=0.25, seed=3)
    assert np.array_equal(np.sort(np.concatenate([tr, te])), np.arange(len(y)))
    rng = np.random.default_rng(3)
    expected = []
    for c in range(3):
        idx = np.nonzero(y == c)[0]
        n_test = int(np.floor(0.25 * len(idx) + 0.5))
        expected += rng.permutation(idx)[:n_test].tolist()
    assert te.tolist() == sorted(expected)
    # class counts 59, 71, 48 -> 15, 18, 12
    assert np.bincount(y[te]).tolist() == [15, 18, 12]
