"""Fill missing values in a pandas DataFrame with per-column medians or modes, optionally adding missingness indicators.

Write `impute_missing(df, add_indicators=False)` returning a new DataFrame (the input is
never modified):
- numeric columns (`pd.api.types.is_numeric_dtype`, excluding bool columns) get their
  missing values replaced by the column median (computed over non-missing values);
- every other column gets the column mode: the most frequent non-missing value, ties broken
  by the smallest value in sorted order;
- a column with no non-missing value is filled with 0.0 if numeric, otherwise with the
  string "missing";
- if `add_indicators` is True, for every column that had at least one missing value append
  (after all original columns, in the original column order) a bool column named
  column name + "_was_missing" that is True where the value was missing.
Columns without missing values are left as they are (same dtype). Column order and index
are preserved.

Edge cases: an empty DataFrame is returned as an (equal) copy.
"""
# assay: domain = tabular
# assay: category = data_cleaning
# assay: difficulty = intermediate
# assay: requirements = numpy, pandas, scikit-learn
# assay: timeout = 15
# assay: key_concepts = missing-value imputation; median versus mode; missingness indicators; dtype handling
# assay: common_mistakes = modifying the caller's DataFrame in place; using the mean instead of the median; nondeterministic mode on ties; treating bool columns as numeric; crashing on an all-missing column
# assay: tags = pandas, imputation, cleaning

import numpy as np
import pandas as pd


def impute_missing(df: pd.DataFrame, add_indicators: bool = False) -> pd.DataFrame:
    """Return a copy of `df` with missing values imputed (median / mode)."""
    out = df.copy()
    indicators = {}
    for col in df.columns:
        miss = df[col].isna()
        if not miss.any():
            continue
        s = df[col]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        present = s[~miss]
        if numeric:
            fill = float(present.median()) if len(present) else 0.0
        elif len(present):
            counts = present.value_counts()
            top = counts[counts == counts.max()].index
            fill = sorted(top)[0]
        else:
            fill = "missing"
        out[col] = s.where(~miss, fill)
        if numeric:
            out[col] = out[col].astype("float64")
        if add_indicators:
            indicators[str(col) + "_was_missing"] = miss.to_numpy()
    for name, values in indicators.items():
        out[name] = np.asarray(values, dtype=bool)
    return out


def test_normal_numeric_and_categorical():
    df = pd.DataFrame({"age": [20.0, np.nan, 40.0, 30.0],
                       "city": ["paris", None, "rome", "paris"],
                       "ok": [1, 2, 3, 4]})
    out = impute_missing(df)
    assert out["age"].tolist() == [20.0, 30.0, 40.0, 30.0]
    assert out["city"].tolist() == ["paris", "paris", "rome", "paris"]
    assert out["ok"].dtype == np.int64 and out["ok"].tolist() == [1, 2, 3, 4]
    assert list(out.columns) == ["age", "city", "ok"]


def test_normal_indicators_appended_in_order():
    df = pd.DataFrame({"b": ["x", None], "a": [np.nan, 1.0], "c": [1, 2]})
    out = impute_missing(df, add_indicators=True)
    assert list(out.columns) == ["b", "a", "c", "b_was_missing", "a_was_missing"]
    assert out["b_was_missing"].tolist() == [False, True]
    assert out["a_was_missing"].dtype == bool


def test_edge_case_all_missing_ties_and_no_mutation():
    df = pd.DataFrame({"n": [np.nan, np.nan], "s": [None, None], "t": ["b", "a"],
                       "u": ["b", None]}, index=[10, 20])
    before = df.copy()
    out = impute_missing(df)
    assert out["n"].tolist() == [0.0, 0.0]
    assert out["s"].tolist() == ["missing", "missing"]
    assert out["u"].tolist() == ["b", "b"]
    assert list(out.index) == [10, 20]
    pd.testing.assert_frame_equal(df, before)
    mode_tie = impute_missing(pd.DataFrame({"k": ["z", "y", "z", "y", None]}))
    assert mode_tie["k"].iloc[-1] == "y"


def test_edge_case_empty_frame():
    df = pd.DataFrame({"a": pd.Series([], dtype=float)})
    out = impute_missing(df, add_indicators=True)
    assert out.empty and list(out.columns) == ["a"] and out is not df


def test_correctness_matches_sklearn_simple_imputer():
    from sklearn.impute import SimpleImputer
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3))
    x[rng.random((50, 3)) < 0.2] = np.nan
    df = pd.DataFrame(x, columns=["p", "q", "r"])
    ref = SimpleImputer(strategy="median").fit_transform(x)
    assert np.allclose(impute_missing(df).to_numpy(), ref)
    cats = pd.DataFrame({"c": ["u", "v", None, "v", "w", None, "u", "u"]})
    ref_c = SimpleImputer(strategy="most_frequent", missing_values=None).fit_transform(cats.to_numpy(dtype=object))
    assert impute_missing(cats)["c"].tolist() == list(ref_c[:, 0])
