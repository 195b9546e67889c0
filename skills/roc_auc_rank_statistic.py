"""Compute the ROC AUC of binary classifier scores via the rank-sum (Mann-Whitney U) statistic, handling ties.

Write `roc_auc(y_true, scores)` using only the standard library, where `y_true` is a list of
0/1 labels and `scores` a list of real-valued scores (higher means more likely positive).
Return the area under the ROC curve, equal to the probability that a random positive gets
a higher score than a random negative, counting ties as one half:

    AUC = (R_pos - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)

where R_pos is the sum of the ranks (1-based, in increasing score order) of the positive
samples, tied scores receiving the average of the ranks they span. It must run in
O(n log n) (sort once; no loop over all positive/negative pairs).

Edge cases: raise ValueError if the lists have different lengths, if a label is not 0 or 1,
or if only one class is present (the AUC is undefined).
"""
# assay: domain = classification
# assay: category = evaluation_metrics
# assay: difficulty = intermediate
# assay: key_concepts = ROC AUC; Mann-Whitney U statistic; average ranks for ties; ranking metrics
# assay: common_mistakes = ignoring ties so equal scores count as wins or losses; an O(n^2) pairwise loop; ranking in decreasing order; returning 0.5 silently when a class is missing
# assay: tags = auc, roc, ranking, stdlib

def roc_auc(y_true: list[int], scores: list[float]) -> float:
    """Return the ROC AUC of `scores` for binary labels `y_true`."""
    if len(y_true) != len(scores):
        raise ValueError("length mismatch")
    if any(v not in (0, 1) for v in y_true):
        raise ValueError("labels must be 0 or 1")
    n_pos = sum(y_true)
    n_neg = len(y_true) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("both classes are needed")
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        avg = (i + j) / 2 + 1
        for t in range(i, j + 1):
            ranks[order[t]] = avg
        i = j + 1
    r_pos = sum(r for r, y in zip(ranks, y_true) if y == 1)
    return (r_pos - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def test_normal_known_value():
    # pairs (pos, neg): 0.8>0.1, 0.8>0.4, 0.35>0.1, 0.35<0.4 -> 3 / 4
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75


def test_normal_perfect_and_reversed():
    assert roc_auc([0, 0, 1, 1, 1], [1, 2, 3, 4, 5]) == 1.0
    assert roc_auc([1, 1, 0, 0], [1, 2, 3, 4]) == 0.0


def test_edge_case_ties_and_errors():
    assert roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert roc_auc([0, 1, 1], [0.2, 0.2, 0.9]) == 0.75
    for args in (([0, 1], [0.1]), ([0, 2], [0.1, 0.2]), ([1, 1], [0.1, 0.2]), ([], [])):
        try:
            roc_auc(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_pairwise_definition():
    import random
    rng = random.Random(0)
    for _ in range(20):
        n = rng.randint(2, 60)
        y = [rng.randint(0, 1) for _ in range(n)]
        y[0], y[1] = 0, 1
        s = [rng.choice([0.1, 0.2, 0.3, rng.random()]) for _ in range(n)]
        pos = [v for v, t in zip(s, y) if t == 1]
        neg = [v for v, t in zip(s, y) if t == 0]
        wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
        assert abs(roc_auc(y, s) - wins / (len(pos) * len(neg))) < 1e-12
        # invariant to strictly increasing transforms of the scores
        assert abs(roc_auc(y, [3 * v + 1 for v in s]) - roc_auc(y, s)) < 1e-12
