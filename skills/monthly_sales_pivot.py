"""Turn a table of sales transactions into a month-by-region pivot table with totals.

Write `monthly_sales_pivot(df)` where `df` has columns "date" (datetime64 or ISO date
strings such as "2024-03-15"), "region" (strings) and "amount" (numbers). Return a new
DataFrame:
- the index is the sorted month labels "YYYY-MM" (strings) followed by a final "Total"
  row; the index name is "month";
- the columns are the sorted region names followed by a final "Total" column; the columns
  index has no name;
- each cell is the sum of "amount" for that month and region (0.0 when there is none), as
  float64; "Total" column = row sums, "Total" row = column sums (so the bottom-right cell is
  the grand total).
Rows with a missing date, region or amount are ignored.

Edge cases: if no valid row remains, return a DataFrame with index ["Total"] (named
"month"), the single column "Total" and value 0.0. Raise KeyError if a required column is
missing.
"""
# assay: domain = tabular
# assay: category = reshaping
# assay: difficulty = intermediate
# assay: requirements = numpy, pandas
# assay: timeout = 10
# assay: key_concepts = pivot tables; date parsing and period grouping; margins; filling missing cells
# assay: common_mistakes = grouping by day instead of month; leaving NaN instead of 0 for empty cells; sorting months as dates after turning them into strings incorrectly; totals that include the total row twice
# assay: tags = pandas, pivot, report, dates

import pandas as pd


def monthly_sales_pivot(df: pd.DataFrame) -> pd.DataFrame:
    """Return a month x region table of summed amounts with a Total row and column."""
    for col in ("date", "region", "amount"):
        if col not in df.columns:
            raise KeyError(col)
    d = df[["date", "region", "amount"]].dropna()
    if d.empty:
        out = pd.DataFrame({"Total": [0.0]}, index=pd.Index(["Total"], name="month"))
        return out
    month = pd.to_datetime(d["date"]).dt.strftime("%Y-%m")
    table = pd.pivot_table(d.assign(month=month), index="month", columns="region",
                           values="amount", aggfunc="sum", fill_value=0.0)
    table = table.astype("float64").sort_index().sort_index(axis=1)
    table.columns = list(table.columns)
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    table.index.name = "month"
    return table


def test_normal_small_pivot():
    df = pd.DataFrame({
        "date": ["2024-01-05", "2024-01-20", "2024-02-01", "2024-02-11", "2023-12-31"],
        "region": ["north", "south", "north", "north", "south"],
        "amount": [10, 5, 7, 3, 1],
    })
    out = monthly_sales_pivot(df)
    assert out.index.tolist() == ["2023-12", "2024-01", "2024-02", "Total"]
    assert out.columns.tolist() == ["north", "south", "Total"]
    assert out.loc["2024-02", "north"] == 10.0 and out.loc["2024-02", "south"] == 0.0
    assert out.loc["Total"].tolist() == [20.0, 6.0, 26.0]
    assert out["Total"].tolist() == [1.0, 15.0, 10.0, 26.0]
    assert out.index.name == "month"


def test_normal_datetime_column():
    df = pd.DataFrame({"date": pd.to_datetime(["2024-03-01", "2024-03-31"]),
                       "region": ["b", "a"], "amount": [1.5, 2.5]})
    out = monthly_sales_pivot(df)
    assert out.loc["2024-03"].tolist() == [2.5, 1.5, 4.0]
    assert (out.dtypes == "float64").all()


def test_edge_case_missing_rows_and_empty():
    import numpy as np
    df = pd.DataFrame({"date": ["2024-01-01", None, "2024-01-02"], "region": ["a", "a", None],
                       "amount": [1.0, 2.0, np.nan]})
    out = monthly_sales_pivot(df)
    assert out.loc["Total", "Total"] == 1.0
    empty = monthly_sales_pivot(pd.DataFrame({"date": [], "region": [], "amount": []}))
    assert empty.index.tolist() == ["Total"] and empty.columns.tolist() == ["Total"]
    assert empty.iloc[0, 0] == 0.0
    try:
        monthly_sales_pivot(pd.DataFrame({"date": [], "amount": []}))
    except KeyError:
        pass
    else:
        raise AssertionError("expected KeyError")


def test_correctness_against_groupby():
    import numpy as np
    rng = np.random.default_rng(0)
    n = 400
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    df = pd.DataFrame({"date": dates, "region": rng.choice(["e", "w", "n", "s"], n),
                       "amount": rng.integers(1, 100, n).astype(float)})
    out = monthly_sales_pivot(df)
    ref = df.groupby([df["date"].dt.strftime("%Y-%m"), "region"])["amount"].sum()
    for (m, r), v in ref.items():
        assert out.loc[m, r] == v
    assert out.loc["Total", "Total"] == df["amount"].sum()
    assert np.allclose(out.iloc[:-1, :-1].sum(axis=1), out["Total"].iloc[:-1])
