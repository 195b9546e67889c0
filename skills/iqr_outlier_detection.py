"""Flag outlier rows of a DataFrame with Tukey's interquartile-range (IQR) fences.

Write `iqr_outlier_mask(df, columns=None, k=1.5)` returning a boolean pandas Series aligned
with `df.index` that is True for rows that are outliers in at least one of the checked
columns.

- `columns`: the columns to check; None means every numeric column
  (`pd.api.types.is_numeric_dtype`, excluding bool).
- For each column: Q1 and Q3 are the 25th and 75th percentiles of its non-missing values
  using linear interpolation (pandas' default `Series.quantile`), IQR = Q3 - Q1, and a value
  is an outlier if it is strictly below Q1 - k * IQR or strictly above Q3 + k * IQR.
- Missing values are never outliers. Columns with no non-missing value flag nothing.

Edge cases: an empty DataFrame gives an empty bool Series. Raise ValueError if k < 0 and
KeyError for an unknown column.
"""
# assay: domain = tabular
# assay: category = outlier_detection
# assay: difficulty = basic
# assay: requirements = numpy, pandas, scikit-learn
# assay: timeout = 15
# assay: key_concepts = interquartile range; Tukey fences; robust statistics; boolean masks
# assay: common_mistakes = using >= so values on the fence count as outliers; treating NaN as an outlier; checking non-numeric columns; combining the column masks with and instead of or
# assay: tags = outliers, iqr, pandas

import pandas as pd


def iqr_outlier_mask(df: pd.DataFrame, columns: list[str] | None = None,
                     k: float = 1.5) -> pd.Series:
    """Return a boolean Series, True for rows outside the IQR fences in any column."""
    if k < 0:
        raise ValueError("k must be non-negative")
    if columns is None:
        columns = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])
                   and not pd.api.types.is_bool_dtype(df[c])]
    mask = pd.Series(False, index=df.index, dtype=bool)
    for col in columns:
        if col not in df.columns:
            raise KeyError(col)
        s = df[col].astype("float64")
        present = s.dropna()
        if present.empty:
            continue
        q1, q3 = present.quantile(0.25), present.quantile(0.75)
        iqr = q3 - q1
        out = (s < q1 - k * iqr) | (s > q3 + k * iqr)
        mask |= out.fillna(False).astype(bool)
    return mask


def test_normal_single_outlier():
    df = pd.DataFrame({"x": [10, 12, 11, 13, 12, 100], "name": list("abcdef")})
    mask = iqr_outlier_mask(df)
    assert mask.tolist() == [False] * 5 + [True]
    assert mask.dtype == bool


def test_normal_any_column_and_selected_columns():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5, -50], "b": [100, 1, 2, 3, 4, 5]}, index=list("uvwxyz"))
    mask = iqr_outlier_mask(df)
    assert mask.index.tolist() == list("uvwxyz")
    assert mask.tolist() == [True, False, False, False, False, True]
    assert iqr_outlier_mask(df, columns=["a"]).tolist() == [False] * 5 + [True]


def test_edge_case_fence_value_and_nan():
    import numpy as np
    # Q1 = 2, Q3 = 4, IQR = 2 -> fences -1 and 7 ; 7 itself is not an outlier
    df = pd.DataFrame({"v": [1, 2, 3, 4, 7, np.nan, 2, 3, 4]})
    assert not iqr_outlier_mask(df).any()
    df2 = pd.DataFrame({"v": [1, 2, 3, 4, 7.01, np.nan, 2, 3, 4]})
    assert iqr_outlier_mask(df2).tolist() == [False] * 4 + [True] + [False] * 4


def test_edge_case_empty_and_errors():
    out = iqr_outlier_mask(pd.DataFrame({"v": pd.Series([], dtype=float)}))
    assert out.empty and out.dtype == bool
    for kwargs in ({"k": -1}, {"columns": ["missing"]}):
        try:
            iqr_outlier_mask(pd.DataFrame({"v": [1.0]}), **kwargs)
        except (ValueError, KeyError):
            pass
        else:
            raise AssertionError("expected an error for %r" % (kwargs,))


def test_correctness_against_numpy_percentiles():
    import numpy as np
    from sklearn.datasets import load_diabetes
    x = load_diabetes().data
    df = pd.DataFrame(x[:, :4], columns=list("abcd"))
    expected = np.zeros(len(df), dtype=bool)
    for j in range(4):
        q1, q3 = np.percentile(x[:, j], [25, 75])
        expected |= (x[:, j] < q1 - 3.0 * (q3 - q1)) | (x[:, j] > q3 + 3.0 * (q3 - q1))
    assert np.array_equal(iqr_outlier_mask(df, k=3.0).to_numpy(), expected)
    assert iqr_outlier_mask(df, k=0.0).sum() >= iqr_outlier_mask(df, k=1.5).sum()
