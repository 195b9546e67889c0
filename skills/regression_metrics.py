"""Compute the standard regression error metrics (MAE, MSE, RMSE, R^2, max error) from two lists of numbers.

Write `regression_metrics(y_true, y_pred)` using only the standard library. Return a dict
with float values:
- "mae": mean absolute error; "mse": mean squared error; "rmse": sqrt(mse);
- "r2": coefficient of determination 1 - SS_res / SS_tot with SS_res = sum (y - yhat)^2 and
  SS_tot = sum (y - mean(y))^2. If SS_tot == 0 (constant y_true), r2 is 1.0 when SS_res == 0
  and 0.0 otherwise (never a division by zero);
- "max_error": the largest absolute error.
R^2 can be negative for predictions worse than the mean.

Edge cases: raise ValueError for empty inputs or lists of different lengths.
"""
# assay: domain = regression
# assay: category = evaluation_metrics
# assay: difficulty = basic
# assay: key_concepts = mean absolute error; mean squared error; coefficient of determination; constant targets
# assay: common_mistakes = computing R^2 as the squared correlation; dividing by zero for constant targets; taking the root of MAE; using n - 1 in the means
# assay: tags = metrics, r2, rmse, stdlib

import math


def regression_metrics(y_true: list[float], y_pred: list[float]) -> dict[str, float]:
    """Return {"mae", "mse", "rmse", "r2", "max_error"}."""
    if len(y_true) != len(y_pred):
        raise ValueError("length mismatch")
    if not y_true:
        raise ValueError("empty input")
    n = len(y_true)
    errors = [t - p for t, p in zip(y_true, y_pred)]
    ss_res = sum(e * e for e in errors)
    mean = sum(y_true) / n
    ss_tot = sum((t - mean) ** 2 for t in y_true)
    if ss_tot == 0:
        r2 = 1.0 if ss_res == 0 else 0.0
    else:
        r2 = 1.0 - ss_res / ss_tot
    return {"mae": sum(abs(e) for e in errors) / n, "mse": ss_res / n,
            "rmse": math.sqrt(ss_res / n), "r2": r2,
            "max_error": max(abs(e) for e in errors)}


def test_normal_known_values():
    m = regression_metrics([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    assert m["mae"] == 0.5 and m["mse"] == 0.375 and m["max_error"] == 1.0
    assert abs(m["rmse"] - math.sqrt(0.375)) < 1e-12
    assert abs(m["r2"] - 0.9486081370449679) < 1e-12


def test_normal_perfect_and_mean_predictions():
    y = [1.0, 2.0, 3.0, 4.0]
    assert regression_metrics(y, y)["r2"] == 1.0
    assert abs(regression_metrics(y, [2.5] * 4)["r2"]) < 1e-12
    assert regression_metrics(y, [4.0, 3.0, 2.0, 1.0])["r2"] < 0


def test_edge_case_constant_target_and_errors():
    assert regression_metrics([2.0, 2.0], [2.0, 2.0])["r2"] == 1.0
    assert regression_metrics([2.0, 2.0], [2.0, 3.0])["r2"] == 0.0
    assert regression_metrics([5.0], [3.0])["max_error"] == 2.0
    for args in (([], []), ([1.0], [1.0, 2.0])):
        try:
            regression_metrics(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_identities_on_random_data():
    import random
    rng = random.Random(0)
    y = [rng.gauss(0, 3) for _ in range(500)]
    p = [v + rng.gauss(0, 1) for v in y]
    m = regression_metrics(y, p)
    n = len(y)
    mean = sum(y) / n
    var = sum((v - mean) ** 2 for v in y) / n
    assert abs(m["r2"] - (1 - m["mse"] / var)) < 1e-12
    assert m["mae"] <= m["rmse"] <= m["max_error"]
    shifted = regression_metrics([v + 100 for v in y], [v + 100 for v in p])
    assert all(abs(shifted[k] - m[k]) < 1e-9 for k in m)
