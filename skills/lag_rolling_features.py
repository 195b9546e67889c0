"""Create leakage-free lag and rolling-mean features for per-entity time series in a long-format DataFrame.

Write `add_lag_features(df, id_col, time_col, value_col, lags=(1,), window=3)` returning a
new DataFrame:
- rows sorted by (id_col, time_col) ascending (stable), with a fresh RangeIndex;
- all original columns kept, then for each k in `lags` (in the given order) a column named
  f"{value_col}_lag{k}" holding the value k rows earlier *within the same id* (NaN when
  there is no such row);
- then a column f"{value_col}_rollmean{window}": the mean of the (up to) `window` values
  strictly before the current row within the same id, ignoring NaN values (NaN when there
  is no previous non-missing value). The current row's own value is never used, so the
  features can be used to predict it without leakage.
Values of different ids never mix.

Edge cases: an empty DataFrame gives an empty DataFrame with the new columns added. Raise
ValueError if a lag is < 1 or window < 1, and KeyError if a column is missing.
"""
# assay: domain = tabular
# assay: category = feature_engineering
# assay: difficulty = advanced
# assay: requirements = numpy, pandas
# assay: timeout = 10
# assay: key_concepts = lag features; rolling windows; grouped shifts; target leakage in time series
# assay: common_mistakes = shifting across entity boundaries; including the current value in the rolling mean (leakage); not sorting by time first; requiring a full window instead of using partial windows
# assay: tags = pandas, time-series, feature-engineering, lags

import numpy as np
import pandas as pd


def add_lag_features(df: pd.DataFrame, id_col: str, time_col: str, value_col: str,
                     lags: tuple[int, ...] = (1,), window: int = 3) -> pd.DataFrame:
    """Return `df` sorted by (id, time) with lag and past-rolling-mean columns added."""
    for c in (id_col, time_col, value_col):
        if c not in df.columns:
            raise KeyError(c)
    if any(k < 1 for k in lags) or window < 1:
        raise ValueError("lags and window must be >= 1")
    out = df.sort_values([id_col, time_col], kind="mergesort").reset_index(drop=True)
    grouped = out.groupby(id_col, sort=False)[value_col]
    for k in lags:
        out[f"{value_col}_lag{k}"] = grouped.shift(k)
    prev = grouped.shift(1)
    roll = prev.groupby(out[id_col], sort=False).rolling(window, min_periods=1).mean()
    out[f"{value_col}_rollmean{window}"] = roll.reset_index(level=0, drop=True).sort_index()
    if out.empty:
        out[f"{value_col}_rollmean{window}"] = pd.Series(dtype=np.float64)
    return out


def test_normal_single_series():
    df = pd.DataFrame({"id": ["a"] * 5, "t": [1, 2, 3, 4, 5], "y": [1.0, 2.0, 3.0, 4.0, 5.0]})
    out = add_lag_features(df, "id", "t", "y", lags=(1, 2), window=2)
    assert list(out.columns) == ["id", "t", "y", "y_lag1", "y_lag2", "y_rollmean2"]
    assert out["y_lag1"].tolist()[1:] == [1.0, 2.0, 3.0, 4.0] and np.isnan(out["y_lag1"][0])
    assert np.isnan(out["y_lag2"][1]) and out["y_lag2"][4] == 3.0
    assert out["y_rollmean2"].tolist()[1:] == [1.0, 1.5, 2.5, 3.5]


def test_normal_groups_do_not_mix_and_unsorted_input():
    df = pd.DataFrame({"id": ["b", "a", "b", "a", "a"], "t": [2, 3, 1, 1, 2],
                       "y": [20.0, 3.0, 10.0, 1.0, 2.0]})
    out = add_lag_features(df, "id", "t", "y")
    assert out["id"].tolist() == ["a", "a", "a", "b", "b"]
    assert out["t"].tolist() == [1, 2, 3, 1, 2]
    lag = out["y_lag1"].tolist()
    assert np.isnan(lag[0]) and lag[1:3] == [1.0, 2.0] and np.isnan(lag[3]) and lag[4] == 10.0
    assert out["y_rollmean3"].tolist()[2] == 1.5
    assert list(out.index) == [0, 1, 2, 3, 4]


def test_edge_case_nan_values_empty_and_errors():
    df = pd.DataFrame({"id": [1, 1, 1, 1], "t": [1, 2, 3, 4], "y": [2.0, np.nan, 4.0, 0.0]})
    out = add_lag_features(df, "id", "t", "y", window=3)
    roll = out["y_rollmean3"].tolist()
    assert np.isnan(roll[0]) and roll[1] == 2.0 and roll[2] == 2.0 and roll[3] == 3.0
    empty = add_lag_features(df.iloc[:0], "id", "t", "y")
    assert empty.empty and "y_rollmean3" in empty.columns and "y_lag1" in empty.columns
    for kwargs in ({"lags": (0,)}, {"window": 0}):
        try:
            add_lag_features(df, "id", "t", "y", **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")
    try:
        add_lag_features(df, "id", "time", "y")
    except KeyError:
        pass
    else:
        raise AssertionError("expected KeyError")


def test_correctness_against_python_loops():
    rng = np.random.default_rng(0)
    n = 200
    df = pd.DataFrame({"id": rng.integers(0, 7, n), "t": rng.permutation(n),
                       "y": rng.normal(size=n)})
    out = add_lag_features(df, "id", "t", "y", lags=(1, 3), window=4)
    for g, part in out.groupby("id"):
        ys = part["y"].tolist()
        assert part["t"].is_monotonic_increasing
        for i in range(len(ys)):
            lag3 = part["y_lag3"].iloc[i]
            assert (np.isnan(lag3) if i < 3 else lag3 == ys[i - 3])
            past = ys[max(0, i - 4):i]
            rm = part["y_rollmean4"].iloc[i]
            assert (np.isnan(rm) if not past else np.isclose(rm, np.mean(past)))
