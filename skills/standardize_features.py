"""Standardise numeric features to zero mean and unit variance using statistics fitted on the training set.

Write `standardize(train, test=None)` where `train` is a 2-D numpy array (n_samples,
n_features) and `test` an optional 2-D array with the same number of features. Return a
tuple `(train_z, test_z, mean, scale)`:
- mean = column means of `train`; scale = column population standard deviations of
  `train` (ddof=0), except that a scale of 0 (constant column) is replaced by 1.0;
- train_z = (train - mean) / scale and test_z likewise with the *train* statistics
  (test_z is None when `test` is None);
- all outputs are float64 arrays; inputs are not modified.
This matches `sklearn.preprocessing.StandardScaler` with default settings.

Edge cases: raise ValueError if `train` is not 2-D or has no rows, if it contains NaN, or if
`test` does not have the same number of columns.
"""
# assay: domain = tabular
# assay: category = feature_scaling
# assay: difficulty = basic
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = z-score standardisation; fit/transform split; population standard deviation; constant features
# assay: common_mistakes = fitting the statistics on the test set; using ddof=1; dividing by zero for constant columns; standardising rows instead of columns
# assay: tags = scaling, standardization, preprocessing

import numpy as np


def standardize(train: np.ndarray, test: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Return (train_z, test_z, mean, scale) fitted on `train`."""
    x = np.asarray(train, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError("train must be a 2-D array with at least one row")
    if np.isnan(x).any():
        raise ValueError("train contains NaN")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale == 0, 1.0, scale)
    test_z = None
    if test is not None:
        t = np.asarray(test, dtype=float)
        if t.ndim != 2 or t.shape[1] != x.shape[1]:
            raise ValueError("test must be 2-D with the same number of columns")
        test_z = (t - mean) / scale
    return (x - mean) / scale, test_z, mean, scale


def test_normal_unit_statistics():
    rng = np.random.default_rng(0)
    x = rng.normal(5, 3, size=(200, 4))
    z, t, mean, scale = standardize(x)
    assert t is None
    assert np.allclose(z.mean(axis=0), 0) and np.allclose(z.std(axis=0), 1)
    assert mean.shape == (4,) and scale.shape == (4,)


def test_normal_uses_train_statistics_for_test():
    train = np.array([[0.0], [2.0]])
    test = np.array([[4.0], [1.0]])
    _, tz, mean, scale = standardize(train, test)
    assert mean.tolist() == [1.0] and scale.tolist() == [1.0]
    assert tz.ravel().tolist() == [3.0, 0.0]


def test_edge_case_constant_column_and_errors():
    x = np.array([[1, 7], [3, 7], [5, 7]])
    z, _, _, scale = standardize(x)
    assert scale[1] == 1.0 and np.all(z[:, 1] == 0)
    assert z.dtype == np.float64
    for args in ((np.zeros(3),), (np.zeros((0, 2)),), (np.array([[np.nan, 1.0]]),),
                 (np.zeros((2, 2)), np.zeros((2, 3)))):
        try:
            standardize(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_standard_scaler_on_wine():
    from sklearn.datasets import load_wine
    from sklearn.preprocessing import StandardScaler
    x = load_wine().data
    train, test = x[:120], x[120:]
    z, tz, mean, scale = standardize(train, test)
    sc = StandardScaler().fit(train)
    assert np.allclose(z, sc.transform(train))
    assert np.allclose(tz, sc.transform(test))
    assert np.allclose(mean, sc.mean_) and np.allclose(scale, sc.scale_)
