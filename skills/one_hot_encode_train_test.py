"""One-hot encode categorical columns of a train and a test DataFrame using categories learned from the training data only.

Write `one_hot_encode(train, test, columns)` returning a tuple `(train_enc, test_enc)` of
new DataFrames:
- categories of each column in `columns` are the distinct non-missing values of that column
  in `train`, sorted;
- each encoded column is replaced by indicator columns named f"{col}={category}" with
  dtype int64 (1 where the row has that category, else 0);
- output column order: first the columns not in `columns`, in their original order, then
  the indicator columns, grouped by `columns` order and, within a column, in sorted
  category order;
- missing values and categories of `test` never seen in `train` give all-zero indicators;
- the index of each input is preserved.

Edge cases: `columns == []` returns copies of the inputs. Raise KeyError if a column is
missing from either frame. Inputs are not modified.
"""
# assay: domain = tabular
# assay: category = feature_encoding
# assay: difficulty = intermediate
# assay: requirements = numpy, pandas, scikit-learn
# assay: timeout = 15
# assay: key_concepts = one-hot encoding; fit on train and transform test; unknown categories; column alignment
# assay: common_mistakes = calling get_dummies on train and test separately so the columns differ; learning categories from the test set (leakage); crashing on unseen categories; bool dtype instead of int
# assay: tags = pandas, one-hot, encoding

import pandas as pd


def one_hot_encode(train: pd.DataFrame, test: pd.DataFrame,
                   columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (train_enc, test_enc) with `columns` one-hot encoded using train categories."""
    for col in columns:
        if col not in train.columns or col not in test.columns:
            raise KeyError(col)
    cats = {col: sorted(train[col].dropna().unique().tolist()) for col in columns}

    def transform(df: pd.DataFrame) -> pd.DataFrame:
        keep = [c for c in df.columns if c not in columns]
        parts = {c: df[c] for c in keep}
        for col in columns:
            for cat in cats[col]:
                parts[f"{col}={cat}"] = (df[col] == cat).astype("int64")
        return pd.DataFrame(parts, index=df.index)

    return transform(train), transform(test)


def test_normal_encodes_and_aligns_columns():
    train = pd.DataFrame({"color": ["red", "blue", "red"], "size": [1, 2, 3]})
    test = pd.DataFrame({"color": ["blue", "green"], "size": [5, 6]}, index=[7, 8])
    tr, te = one_hot_encode(train, test, ["color"])
    assert list(tr.columns) == ["size", "color=blue", "color=red"]
    assert list(te.columns) == list(tr.columns)
    assert tr["color=red"].tolist() == [1, 0, 1]
    assert te.loc[7, "color=blue"] == 1 and te.loc[8].tolist() == [6, 0, 0]
    assert tr["color=blue"].dtype == "int64"


def test_normal_multiple_columns_order():
    train = pd.DataFrame({"b": ["y", "x"], "num": [0.5, 1.5], "a": ["q", "p"]})
    tr, _ = one_hot_encode(train, train.copy(), ["a", "b"])
    assert list(tr.columns) == ["num", "a=p", "a=q", "b=x", "b=y"]


def test_edge_case_missing_values_empty_columns_errors():
    import numpy as np
    train = pd.DataFrame({"c": ["a", None, "b"]})
    test = pd.DataFrame({"c": [np.nan, "b"]})
    before = train.copy()
    tr, te = one_hot_encode(train, test, ["c"])
    assert list(tr.columns) == ["c=a", "c=b"]
    assert tr.to_numpy().tolist() == [[1, 0], [0, 0], [0, 1]]
    assert te.to_numpy().tolist() == [[0, 0], [0, 1]]
    pd.testing.assert_frame_equal(train, before)
    tr2, _ = one_hot_encode(train, test, [])
    pd.testing.assert_frame_equal(tr2, train)
    try:
        one_hot_encode(train, pd.DataFrame({"d": [1]}), ["c"])
    except KeyError:
        pass
    else:
        raise AssertionError("expected KeyError")


def test_correctness_matches_sklearn_onehotencoder():
    import numpy as np
    from sklearn.preprocessing import OneHotEncoder
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"u": rng.choice(list("abcd"), 40), "v": rng.choice(list("xyz"), 40)})
    test = pd.DataFrame({"u": rng.choice(list("abcde"), 15), "v": rng.choice(list("xyzw"), 15)})
    enc = OneHotEncoder(handle_unknown="ignore").fit(train)
    tr, te = one_hot_encode(train, test, ["u", "v"])
    assert np.array_equal(tr.to_numpy(), enc.transform(train).toarray())
    assert np.array_equal(te.to_numpy(), enc.transform(test).toarray())
    names = [n.replace("_", "=", 1) for n in enc.get_feature_names_out()]
    assert list(tr.columns) == names
