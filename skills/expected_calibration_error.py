"""Measure how well a classifier's predicted probabilities are calibrated with the expected calibration error (ECE).

Write `calibration_error(probs, labels, n_bins=10)` where `probs` is an (n, C) array of
predicted class probabilities and `labels` an (n,) array of true class indices 0..C-1.
Return a dict {"ece": float, "mce": float, "counts": int64 array of shape (n_bins,)}:
- confidence_i = max_c probs[i, c]; prediction_i = argmax (the first index on ties);
  correct_i = (prediction_i == labels[i]);
- bins have equal width on [0, 1]: bin b (0-based) holds the confidences in
  (b / n_bins, (b + 1) / n_bins]; a confidence of exactly 0 goes to bin 0;
- for each non-empty bin B: gap_B = |mean(correct in B) - mean(confidence in B)|;
- ece = sum over bins of (|B| / n) * gap_B; mce = the largest gap_B over non-empty bins;
- counts[b] = number of samples in bin b.

Edge cases: raise ValueError if probs is not 2-D, n == 0, the lengths differ, n_bins < 1,
or a label is outside 0..C-1.
"""
# assay: domain = classification
# assay: category = calibration
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = probability calibration; reliability diagrams; expected and maximum calibration error; binning
# assay: common_mistakes = left-closed bins so a confidence of 1.0 falls outside; averaging gaps without weighting by bin size; using the probability of the true class instead of the predicted one; counting empty bins in the maximum
# assay: tags = calibration, ece, reliability, metrics

import numpy as np


def calibration_error(probs: np.ndarray, labels: np.ndarray, n_bins: int = 10) -> dict:
    """Return {"ece", "mce", "counts"} of predicted probabilities against true labels."""
    p = np.asarray(probs, dtype=float)
    y = np.asarray(labels)
    if p.ndim != 2 or p.shape[0] == 0:
        raise ValueError("probs must be a non-empty 2-D array")
    if y.shape != (p.shape[0],):
        raise ValueError("labels must have one entry per row")
    if n_bins < 1:
        raise ValueError("n_bins must be >= 1")
    if np.any(y < 0) or np.any(y >= p.shape[1]):
        raise ValueError("label out of range")
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(float)
    bins = np.clip(np.ceil(conf * n_bins).astype(int) - 1, 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins).astype(np.int64)
    ece, mce = 0.0, 0.0
    for b in np.nonzero(counts)[0]:
        m = bins == b
        gap = abs(correct[m].mean() - conf[m].mean())
        ece += counts[b] / len(y) * gap
        mce = max(mce, gap)
    return {"ece": float(ece), "mce": float(mce), "counts": counts}


def test_normal_hand_computed():
    probs = np.array([[0.85, 0.15], [0.75, 0.25], [0.3, 0.7], [0.55, 0.45]])
    labels = np.array([0, 1, 1, 0])
    r = calibration_error(probs, labels, n_bins=5)
    # bin 4 (0.8, 1.0]: conf [0.85], correct [1] -> gap 0.15
    # bin 3 (0.6, 0.8]: conf [0.75, 0.7], correct [0, 1] -> gap |0.5 - 0.725| = 0.225
    # bin 2 (0.4, 0.6]: conf [0.55], correct [1] -> gap 0.45
    assert r["counts"].tolist() == [0, 0, 1, 2, 1]
    assert abs(r["ece"] - (0.15 + 2 * 0.225 + 0.45) / 4) < 1e-12
    assert abs(r["mce"] - 0.45) < 1e-12


def test_normal_overconfident_model_has_large_ece():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 1000)
    probs = np.tile([0.99, 0.01], (1000, 1))   # always 99% sure of class 0, right half the time
    r = calibration_error(probs, labels)
    assert abs(r["ece"] - abs(0.99 - np.mean(labels == 0))) < 1e-12


def test_edge_case_boundaries_and_errors():
    r = calibration_error(np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([0, 1]), n_bins=2)
    # 1.0 goes to the last bin, 0.5 to bin 0 ; the tie predicts class 0 (wrong)
    assert r["counts"].tolist() == [1, 1] and r["counts"].dtype == np.int64
    assert abs(r["ece"] - 0.25) < 1e-12
    for args in ((np.zeros(3), np.zeros(3)), (np.zeros((0, 2)), np.zeros(0)),
                 (np.ones((2, 2)) / 2, np.array([0])), (np.ones((2, 2)) / 2, np.array([0, 2])),
                 (np.ones((2, 2)) / 2, np.array([0, 1]), 0)):
        try:
            calibration_error(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_loop_on_real_model():
    from sklearn.datasets import load_breast_cancer
    from sklearn.naive_bayes import GaussianNB
    X, y = load_breast_cancer(return_X_y=True)
    probs = GaussianNB().fit(X[::2], y[::2]).predict_proba(X[1::2])
    yt = y[1::2]
    r = calibration_error(probs, yt, n_bins=15)
    conf, pred = probs.max(1), probs.argmax(1)
    ece, total = 0.0, 0
    for b in range(15):
        lo, hi = b / 15, (b + 1) / 15
        m = [(lo < c <= hi) or (b == 0 and c == 0) for c in conf]
        m = np.array(m)
        total += m.sum()
        if m.any():
            ece += m.mean() * abs((pred[m] == yt[m]).mean() - conf[m].mean())
    assert total == len(yt)
    assert np.isclose(r["ece"], ece) and 0 <= r["ece"] <= 1
