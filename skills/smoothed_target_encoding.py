"""Encode a high-cardinality categorical column by its smoothed target mean, with leave-one-out encoding on the training rows to avoid leakage.

Write `target_encode(train, test, col, target, smoothing=10.0)` returning a tuple
`(train_enc, test_enc)` of float64 pandas Series (indexed like `train` and `test`).

With prior = mean of train[target], and for each category c of train[col]: n_c = number of
training rows with category c and s_c = sum of their targets:
- test rows: enc = (s_c + smoothing * prior) / (n_c + smoothing); categories not seen in
  training, and missing values, get `prior`;
- training rows (leave-one-out): a row with category c and target y gets
  (s_c - y + smoothing * prior) / (n_c - 1 + smoothing), i.e. the same formula computed
  without the row itself; training rows with a missing category get `prior`.

Edge cases: smoothing must be > 0 (else ValueError) so no division by zero can happen. An
empty `train` raises ValueError. Raise KeyError for a missing column. Inputs are not
modified.
"""
# assay: domain = tabular
# assay: category = feature_encoding
# assay: difficulty = advanced
# assay: requirements = numpy, pandas
# assay: timeout = 10
# assay: key_concepts = target (mean) encoding; additive smoothing towards the prior; leave-one-out to prevent target leakage; unseen categories
# assay: common_mistakes = encoding training rows with their own target (leakage); not shrinking rare categories towards the prior; NaN for unseen categories; computing the prior on the test set
# assay: tags = pandas, target-encoding, leakage, categorical

import pandas as pd


def target_encode(train: pd.DataFrame, test: pd.DataFrame, col: str, target: str,
                  smoothing: float = 10.0) -> tuple[pd.Series, pd.Series]:
    """Return (train_enc, test_enc): leave-one-out and full smoothed target means of `col`."""
    if smoothing <= 0:
        raise ValueError("smoothing must be positive")
    for c in (col, target):
        if c not in train.columns:
            raise KeyError(c)
    if col not in test.columns:
        raise KeyError(col)
    if len(train) == 0:
        raise ValueError("train is empty")
    y = train[target].astype("float64")
    prior = float(y.mean())
    stats = y.groupby(train[col]).agg(["sum", "count"])
    s = train[col].map(stats["sum"])
    n = train[col].map(stats["count"])
    train_enc = ((s - y + smoothing * prior) / (n - 1 + smoothing)).fillna(prior).astype("float64")
    full = (stats["sum"] + smoothing * prior) / (stats["count"] + smoothing)
    test_enc = test[col].map(full).fillna(prior).astype("float64")
    return train_enc, test_enc


def test_normal_test_encoding_shrinks_to_prior():
    train = pd.DataFrame({"city": ["a", "a", "a", "b"], "y": [1.0, 1.0, 1.0, 0.0]})
    test = pd.DataFrame({"city": ["a", "b", "zzz"]}, index=[10, 11, 12])
    _, te = target_encode(train, test, "city", "y", smoothing=1.0)
    prior = 0.75
    assert list(te.index) == [10, 11, 12]
    assert abs(te[10] - (3 + prior) / 4) < 1e-12
    assert abs(te[11] - (0 + prior) / 2) < 1e-12
    assert te[12] == prior


def test_normal_leave_one_out_on_train():
    train = pd.DataFrame({"c": ["x", "x", "y"], "y": [1.0, 0.0, 1.0]})
    tr, _ = target_encode(train, train[["c"]], "c", "y", smoothing=2.0)
    prior = 2 / 3
    assert abs(tr[0] - (0.0 + 2 * prior) / (1 + 2)) < 1e-12
    assert abs(tr[1] - (1.0 + 2 * prior) / (1 + 2)) < 1e-12
    assert abs(tr[2] - prior) < 1e-12          # singleton: only the prior remains
    assert tr.dtype == "float64"


def test_edge_case_missing_categories_and_errors():
    import numpy as np
    train = pd.DataFrame({"c": ["x", None, "x"], "y": [1, 0, 0]})
    test = pd.DataFrame({"c": [None, "x"]})
    before = train.copy()
    tr, te = target_encode(train, test, "c", "y")
    assert tr[1] == 1 / 3 and te[0] == 1 / 3
    pd.testing.assert_frame_equal(train, before)
    for args, exc in (((train, test, "c", "y", 0.0), ValueError),
                      ((train.iloc[:0], test, "c", "y"), ValueError),
                      ((train, test, "c", "nope"), KeyError)):
        try:
            target_encode(*args)
        except exc:
            pass
        else:
            raise AssertionError("expected %s" % exc.__name__)
    assert not np.isnan(tr).any()


def test_correctness_against_explicit_loops():
    import numpy as np
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"c": rng.choice(list("abcdefg"), 120), "y": rng.integers(0, 2, 120)})
    test = pd.DataFrame({"c": rng.choice(list("abcdefgh"), 30)})
    m = 5.0
    tr, te = target_encode(train, test, "c", "y", smoothing=m)
    prior = train["y"].mean()
    for i, (c, y) in enumerate(zip(train["c"], train["y"])):
        others = train["y"][(train["c"] == c) & (train.index != i)]
        assert np.isclose(tr[i], (others.sum() + m * prior) / (len(others) + m))
    for j, c in enumerate(test["c"]):
        grp = train["y"][train["c"] == c]
        expected = (grp.sum() + m * prior) / (len(grp) + m) if len(grp) else prior
        assert np.isclose(te[j], expected)
