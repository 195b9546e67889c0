"""Fit a monotone (isotonic) regression to a sequence with the pool-adjacent-violators algorithm (PAVA).

Write `isotonic_fit(y, weights=None, increasing=True)` using only the standard library. `y`
is a list of floats in their x order and `weights` optional positive floats (default all
1.0). Return the list of fitted values f (same length) that minimises
sum_i w_i * (y_i - f_i)^2 subject to f being non-decreasing (or non-increasing when
`increasing` is False).

PAVA: scan left to right keeping a stack of blocks (weighted mean, total weight, length);
push each point as a new block, and while the last block's mean is smaller than the
previous block's mean (for increasing fits: a violation means previous mean > last mean),
merge them into one block with the weighted mean. Finally expand the blocks. It runs in
O(n). For a decreasing fit, fit the negated values increasingly and negate the result.

Edge cases: [] gives []. Raise ValueError if `weights` has a different length or contains a
non-positive value.
"""
# assay: domain = regression
# assay: category = nonparametric_regression
# assay: difficulty = advanced
# assay: key_concepts = isotonic regression; pool adjacent violators; weighted block means; monotone constraints
# assay: common_mistakes = merging only once instead of repeatedly back through the stack; unweighted block means; quadratic re-scanning; treating equal neighbouring means as violations that change the result
# assay: tags = isotonic, pava, monotone, stdlib

def isotonic_fit(y: list[float], weights: list[float] | None = None,
                 increasing: bool = True) -> list[float]:
    """Return the weighted least-squares monotone fit of `y`."""
    if weights is None:
        weights = [1.0] * len(y)
    if len(weights) != len(y):
        raise ValueError("weights must match y")
    if any(w <= 0 for w in weights):
        raise ValueError("weights must be positive")
    if not increasing:
        return [-v for v in isotonic_fit([-v for v in y], weights, True)]
    blocks: list[list[float]] = []   # [mean, weight, length]
    for v, w in zip(y, weights):
        blocks.append([float(v), float(w), 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks.pop()
            wt = w1 + w2
            blocks.append([(m1 * w1 + m2 * w2) / wt, wt, n1 + n2])
    out: list[float] = []
    for mean, _, length in blocks:
        out.extend([mean] * int(length))
    return out


def test_normal_simple_violation():
    assert isotonic_fit([1.0, 3.0, 2.0, 4.0]) == [1.0, 2.5, 2.5, 4.0]
    assert isotonic_fit([1.0, 2.0, 3.0]) == [1.0, 2.0, 3.0]


def test_normal_cascading_merge_and_weights():
    assert isotonic_fit([4.0, 3.0, 2.0, 1.0]) == [2.5] * 4
    out = isotonic_fit([1.0, 5.0, 0.0], weights=[1.0, 1.0, 3.0])
    assert all(abs(a - b) < 1e-12 for a, b in zip(out, [1.0, 1.25, 1.25]))
    out = isotonic_fit([3.0, 1.0], weights=[3.0, 1.0])
    assert out == [2.5, 2.5]


def test_edge_case_empty_decreasing_and_errors():
    assert isotonic_fit([]) == []
    assert isotonic_fit([7.0]) == [7.0]
    assert isotonic_fit([1.0, 3.0, 2.0], increasing=False) == [2.0, 2.0, 2.0]
    assert isotonic_fit([5.0, 1.0, 2.0], increasing=False) == [5.0, 1.5, 1.5]
    for w in ([1.0], [1.0, 0.0]):
        try:
            isotonic_fit([1.0, 2.0], weights=w)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_min_max_formula():
    import random
    rng = random.Random(0)
    for _ in range(40):
        n = rng.randint(1, 12)
        y = [rng.randint(-5, 5) + rng.random() for _ in range(n)]
        w = [rng.choice([0.5, 1.0, 2.0]) for _ in range(n)]
        fit = isotonic_fit(y, w)

        def avg(j, k):
            return sum(y[t] * w[t] for t in range(j, k + 1)) / sum(w[j:k + 1])

        # classical characterisation: f_i = max_{j <= i} min_{k >= i} avg(j..k)
        for i in range(n):
            ref = max(min(avg(j, k) for k in range(i, n)) for j in range(i + 1))
            assert abs(fit[i] - ref) < 1e-9
        assert all(a <= b + 1e-12 for a, b in zip(fit, fit[1:]))
        total = sum(wi * yi for wi, yi in zip(w, y))
        assert abs(sum(wi * fi for wi, fi in zip(w, fit)) - total) < 1e-9
