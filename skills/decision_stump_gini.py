"""Find the best single-feature threshold split (a decision stump) for a classification dataset using Gini impurity.

Write `best_stump(X, y)` using only the standard library. `X` is a list of n rows, each a
list of d numbers, and `y` a list of n comparable labels. Return a dict
{"feature", "threshold", "impurity", "left", "right"}:
- Candidate splits: for every feature j, every midpoint (a + b) / 2 between two consecutive
  distinct sorted values a < b of that feature. Rows with x[j] <= threshold go left, the
  others right.
- Gini(S) = 1 - sum_c p_c^2 over the label proportions in S. The impurity of a split is
  (n_left * Gini(left) + n_right * Gini(right)) / n.
- Choose the split with the lowest impurity; ties are broken by the smallest feature index,
  then the smallest threshold. Compare impurities with a tolerance of 1e-12 when breaking
  ties.
- "left"/"right" are the majority labels of each side (ties: the smallest label).
- If no candidate exists (every feature constant), return {"feature": None,
  "threshold": None, "impurity": Gini(all rows), "left": majority, "right": majority}.
Each feature must be handled in O(n log n) (sort once and sweep with running class counts).

Edge cases: raise ValueError for empty data, rows of different lengths, or len(X) != len(y).
"""
# assay: domain = classification
# assay: category = decision_trees
# assay: difficulty = intermediate
# assay: key_concepts = decision stumps; Gini impurity; candidate thresholds at midpoints; sweep with running counts
# assay: common_mistakes = using the raw feature values as thresholds; unweighted average of the child impurities; recomputing class counts from scratch for every threshold (quadratic); thresholds between equal values
# assay: tags = decision-tree, gini, stump, stdlib

from collections import Counter


def best_stump(X: list[list[float]], y: list) -> dict:
    """Return the best Gini split {"feature", "threshold", "impurity", "left", "right"}."""
    n = len(X)
    if n == 0 or len(y) != n:
        raise ValueError("need non-empty X and y of the same length")
    d = len(X[0])
    if any(len(row) != d for row in X):
        raise ValueError("rows have different lengths")

    def gini(counts: Counter, total: int) -> float:
        return 1.0 - sum((c / total) ** 2 for c in counts.values()) if total else 0.0

    def majority(counts: Counter):
        return min((lab for lab in counts if counts[lab] > 0), key=lambda lab: (-counts[lab], lab))

    total_counts = Counter(y)
    best = None
    for j in range(d):
        order = sorted(range(n), key=lambda i: X[i][j])
        left: Counter = Counter()
        right = Counter(total_counts)
        for pos in range(n - 1):
            i = order[pos]
            left[y[i]] += 1
            right[y[i]] -= 1
            a, b = X[i][j], X[order[pos + 1]][j]
            if a == b:
                continue
            nl = pos + 1
            imp = (nl * gini(left, nl) + (n - nl) * gini(right, n - nl)) / n
            if best is None or imp < best[0] - 1e-12:
                best = (imp, j, (a + b) / 2, majority(left), majority(right))
    if best is None:
        maj = majority(total_counts)
        return {"feature": None, "threshold": None, "impurity": gini(total_counts, n),
                "left": maj, "right": maj}
    imp, j, t, lm, rm = best
    return {"feature": j, "threshold": t, "impurity": imp, "left": lm, "right": rm}


def test_normal_perfect_split():
    X = [[1.0, 5.0], [2.0, 3.0], [3.0, 8.0], [4.0, 1.0]]
    y = ["a", "a", "b", "b"]
    s = best_stump(X, y)
    assert s == {"feature": 0, "threshold": 2.5, "impurity": 0.0, "left": "a", "right": "b"}


def test_normal_second_feature_and_impurity_value():
    X = [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5]]
    y = [0, 0, 1, 1, 1]
    s = best_stump(X, y)
    assert s["feature"] == 1 and s["threshold"] == 2.5 and s["impurity"] == 0.0
    X2 = [[1], [2], [3], [4]]
    y2 = [0, 1, 0, 1]
    s2 = best_stump(X2, y2)
    # splits at 1.5 and 3.5 both give 1/3 (2.5 gives 1/2); the smaller threshold wins
    assert s2["threshold"] == 1.5 and abs(s2["impurity"] - 1 / 3) < 1e-12
    assert (s2["left"], s2["right"]) == (0, 1)


def test_edge_case_constant_features_and_errors():
    s = best_stump([[1, 1], [1, 1], [1, 1]], ["x", "y", "y"])
    assert s["feature"] is None and s["threshold"] is None
    assert abs(s["impurity"] - (1 - (1 / 3) ** 2 - (2 / 3) ** 2)) < 1e-12 and s["left"] == "y"
    for args in (([], []), ([[1], [2, 3]], [0, 1]), ([[1], [2]], [0])):
        try:
            best_stump(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_brute_force():
    import random
    rng = random.Random(0)
    for _ in range(15):
        n, d = rng.randint(2, 25), rng.randint(1, 3)
        X = [[rng.randint(0, 6) for _ in range(d)] for _ in range(n)]
        y = [rng.randint(0, 2) for _ in range(n)]

        def gini(labels):
            return 1 - sum((labels.count(c) / len(labels)) ** 2 for c in set(labels)) if labels else 0.0

        best = None
        for j in range(d):
            vals = sorted(set(r[j] for r in X))
            for a, b in zip(vals, vals[1:]):
                t = (a + b) / 2
                L = [y[i] for i in range(n) if X[i][j] <= t]
                R = [y[i] for i in range(n) if X[i][j] > t]
                imp = (len(L) * gini(L) + len(R) * gini(R)) / n
                if best is None or imp < best[0] - 1e-12:
                    best = (imp, j, t)
        s = best_stump(X, y)
        if best is None:
            assert s["feature"] is None
        else:
            assert (s["feature"], s["threshold"]) == (best[1], best[2])
            assert abs(s["impurity"] - best[0]) < 1e-12
