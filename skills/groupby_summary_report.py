"""Summarise a numeric column per group of a pandas DataFrame into a tidy report table.

Write `group_summary(df, group_col, value_col)` returning a new DataFrame with exactly the
columns [group_col, "count", "mean", "min", "max"] and one row per distinct non-missing
value of `group_col`:
- "count" is the number of non-missing values of `value_col` in the group (int64),
- "mean", "min", "max" are computed over those non-missing values (float64; NaN when the
  group has no non-missing value),
- rows whose group value is missing are dropped,
- rows are sorted by "mean" descending (NaN means last), then by the group value ascending,
  and the result has a fresh RangeIndex (0..k-1).

Edge cases: an empty DataFrame (with the two columns present) gives an empty DataFrame with
the five columns. Raise KeyError if either column is missing. The input is not modified.
"""
# assay: domain = tabular
# assay: category = aggregation
# assay: difficulty = basic
# assay: requirements = numpy, pandas
# assay: timeout = 10
# assay: key_concepts = groupby; aggregation; sorting with NaN; index reset
# assay: common_mistakes = counting rows instead of non-missing values; keeping the group as the index; forgetting to drop missing group keys; unstable order for equal means
# assay: tags = pandas, groupby, report

import pandas as pd


def group_summary(df: pd.DataFrame, group_col: str, value_col: str) -> pd.DataFrame:
    """Return count/mean/min/max of `value_col` per `group_col`, sorted by mean descending."""
    for c in (group_col, value_col):
        if c not in df.columns:
            raise KeyError(c)
    sub = df[[group_col, value_col]].dropna(subset=[group_col])
    values = pd.to_numeric(sub[value_col], errors="coerce").astype("float64")
    grouped = values.groupby(sub[group_col], sort=True)
    out = pd.DataFrame({
        "count": grouped.count().astype("int64"),
        "mean": grouped.mean(),
        "min": grouped.min(),
        "max": grouped.max(),
    })
    out.index.name = group_col
    out = out.reset_index()
    out = out.sort_values(["mean", group_col], ascending=[False, True], na_position="last",
                          kind="mergesort").reset_index(drop=True)
    return out[[group_col, "count", "mean", "min", "max"]]


def test_normal_basic_report():
    df = pd.DataFrame({"team": ["a", "b", "a", "c", "b", "a"],
                       "score": [1.0, 5.0, 3.0, 2.0, 7.0, 2.0]})
    out = group_summary(df, "team", "score")
    assert list(out.columns) == ["team", "count", "mean", "min", "max"]
    assert out["team"].tolist() == ["b", "a", "c"]
    assert out["count"].tolist() == [2, 3, 1]
    assert out["mean"].tolist() == [6.0, 2.0, 2.0]
    assert out["max"].tolist() == [7.0, 3.0, 2.0]
    assert list(out.index) == [0, 1, 2]


def test_normal_ties_sorted_by_group():
    df = pd.DataFrame({"g": ["z", "y", "x"], "v": [1, 1, 1]})
    out = group_summary(df, "g", "v")
    assert out["g"].tolist() == ["x", "y", "z"]
    assert out["count"].dtype == "int64" and out["mean"].dtype == "float64"


def test_edge_case_missing_values():
    import numpy as np
    df = pd.DataFrame({"g": ["a", None, "b", "a", "c"], "v": [1.0, 100.0, np.nan, np.nan, 4.0]})
    before = df.copy()
    out = group_summary(df, "g", "v")
    assert out["g"].tolist() == ["c", "a", "b"]
    assert out["count"].tolist() == [1, 1, 0]
    assert np.isnan(out.loc[2, "mean"])
    pd.testing.assert_frame_equal(df, before)


def test_edge_case_empty_and_missing_columns():
    out = group_summary(pd.DataFrame({"g": [], "v": []}), "g", "v")
    assert out.empty and list(out.columns) == ["g", "count", "mean", "min", "max"]
    try:
        group_summary(pd.DataFrame({"g": [1]}), "g", "nope")
    except KeyError:
        pass
    else:
        raise AssertionError("expected KeyError")


def test_correctness_against_plain_python():
    import numpy as np
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"g": rng.choice(list("pqrstu"), size=300), "v": rng.normal(size=300)})
    out = group_summary(df, "g", "v").set_index("g")
    for g in "pqrstu":
        vals = df.loc[df["g"] == g, "v"].to_numpy()
        assert out.loc[g, "count"] == len(vals)
        assert np.isclose(out.loc[g, "mean"], vals.mean())
        assert out.loc[g, "min"] == vals.min() and out.loc[g, "max"] == vals.max()
    assert out["mean"].is_monotonic_decreasing
