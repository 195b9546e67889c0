"""Choose the next arm of a multi-armed bandit with the UCB1 upper-confidence-bound rule.

Write `ucb1_select(counts, sums, t, c=2.0)` using only the standard library. `counts[i]` is
how many times arm i was pulled, `sums[i]` the total reward it returned, and `t` the total
number of pulls so far (t >= 1 once every arm has been pulled). Return the index of the arm
to pull next:
1. If some arm has count 0, return the smallest such index (initial round-robin).
2. Otherwise return the arm maximising
   sums[i] / counts[i] + sqrt(c * ln(t) / counts[i]),
   the smallest index on ties.

Edge cases: raise ValueError if `counts` is empty, if counts and sums differ in length, if
a count is negative, or (when every count is positive) if t < 1 or c < 0.
"""
# assay: domain = reinforcement_learning
# assay: category = bandits
# assay: difficulty = intermediate
# assay: key_concepts = multi-armed bandits; optimism in the face of uncertainty; UCB1 exploration bonus; regret
# assay: common_mistakes = dividing by zero for unpulled arms; using ln(count) instead of ln(t); forgetting the square root; random tie-breaking
# assay: tags = ucb, bandit, exploration, stdlib

import math


def ucb1_select(counts: list[int], sums: list[float], t: int, c: float = 2.0) -> int:
    """Return the arm chosen by UCB1."""
    if not counts or len(counts) != len(sums):
        raise ValueError("counts and sums must be non-empty and of equal length")
    if any(n < 0 for n in counts):
        raise ValueError("counts must be non-negative")
    for i, n in enumerate(counts):
        if n == 0:
            return i
    if t < 1 or c < 0:
        raise ValueError("need t >= 1 and c >= 0")
    scores = [s / n + math.sqrt(c * math.log(t) / n) for s, n in zip(sums, counts)]
    best = max(scores)
    return scores.index(best)


def test_normal_unpulled_arms_first():
    assert ucb1_select([3, 0, 0], [1.0, 0.0, 0.0], 3) == 1
    assert ucb1_select([0, 0], [0.0, 0.0], 0) == 0


def test_normal_bonus_trades_off_mean_and_uncertainty():
    # arm 0: mean 0.6 after 100 pulls ; arm 1: mean 0.5 after 2 pulls -> big bonus
    assert ucb1_select([100, 2], [60.0, 1.0], 102) == 1
    # without exploration bonus the greedy arm wins
    assert ucb1_select([100, 2], [60.0, 1.0], 102, c=0.0) == 0


def test_edge_case_ties_and_errors():
    assert ucb1_select([5, 5, 5], [2.0, 3.0, 3.0], 15) == 1
    for args in (([], [], 1), ([1, 2], [1.0], 3), ([-1, 2], [0.0, 1.0], 1), ([1, 1], [0.0, 1.0], 0)):
        try:
            ucb1_select(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for %r" % (args,))


def test_correctness_exact_score_and_bandit_simulation():
    import math
    import random
    counts, sums = [4, 9], [3.0, 6.0]
    s0 = 3 / 4 + math.sqrt(2 * math.log(13) / 4)
    s1 = 6 / 9 + math.sqrt(2 * math.log(13) / 9)
    assert ucb1_select(counts, sums, 13) == (0 if s0 >= s1 else 1)
    rng = random.Random(0)
    means = [0.2, 0.5, 0.8, 0.45]
    counts, sums = [0] * 4, [0.0] * 4
    for t in range(3000):
        a = ucb1_select(counts, sums, t)
        r = 1.0 if rng.random() < means[a] else 0.0
        counts[a] += 1
        sums[a] += r
    assert counts.index(max(counts)) == 2
    assert counts[2] > 0.8 * 3000
    assert min(counts) >= 5           # every arm keeps being explored a little
