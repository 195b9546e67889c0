"""Select actions with an epsilon-greedy policy using a seeded random generator, with deterministic tie-breaking.

Write `epsilon_greedy(q_values, epsilon, rng)` using only the standard library, where
`q_values` is a non-empty list of floats (one per action), `epsilon` a float in [0, 1] and
`rng` a `random.Random` instance. Return the chosen action index (int).

Exact procedure (it fixes how many random numbers are drawn, so runs are reproducible):
1. u = rng.random().
2. If u < epsilon: return rng.randrange(len(q_values)) (explore uniformly over *all*
   actions, the greedy one included).
3. Otherwise return the index of the largest q-value, the smallest index on ties (no further
   random draws).

Edge cases: raise ValueError if `q_values` is empty or epsilon is outside [0, 1]. With
epsilon = 0 the choice is always greedy; with epsilon = 1 it is always uniform.
"""
# assay: domain = reinforcement_learning
# assay: category = exploration
# assay: difficulty = basic
# assay: key_concepts = exploration versus exploitation; epsilon-greedy; reproducible randomness; argmax tie-breaking
# assay: common_mistakes = exploring only among non-greedy actions; using the global random module instead of the given generator; drawing extra random numbers; random tie-breaking
# assay: tags = epsilon-greedy, exploration, bandit, stdlib

import random


def epsilon_greedy(q_values: list[float], epsilon: float, rng: random.Random) -> int:
    """Return an epsilon-greedy action index for `q_values`."""
    if not q_values:
        raise ValueError("q_values must not be empty")
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError("epsilon must be in [0, 1]")
    if rng.random() < epsilon:
        return rng.randrange(len(q_values))
    best = max(q_values)
    return q_values.index(best)


def test_normal_greedy_when_epsilon_zero():
    rng = random.Random(0)
    assert all(epsilon_greedy([0.1, 0.7, 0.3], 0.0, rng) == 1 for _ in range(100))
    assert epsilon_greedy([2.0, 5.0, 5.0], 0.0, rng) == 1


def test_hard_exploration_rate():
    rng = random.Random(0)
    picks = [epsilon_greedy([0.0, 1.0, 0.0, 0.0], 0.2, rng) for _ in range(20000)]
    frac_greedy = picks.count(1) / len(picks)
    # greedy with prob 0.8 + 0.2 / 4
    assert abs(frac_greedy - 0.85) < 0.01
    assert all(abs(picks.count(a) / len(picks) - 0.05) < 0.01 for a in (0, 2, 3))


def test_edge_case_invalid_and_single_action():
    rng = random.Random(1)
    assert epsilon_greedy([3.0], 1.0, rng) == 0
    for args in (([], 0.1), ([1.0], -0.1), ([1.0], 1.01)):
        try:
            epsilon_greedy(args[0], args[1], rng)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_exact_random_stream():
    q = [0.5, 0.2, 0.9, 0.1, 0.9]
    ours = random.Random(42)
    ref = random.Random(42)
    for _ in range(500):
        got = epsilon_greedy(q, 0.3, ours)
        expected = ref.randrange(5) if ref.random() < 0.3 else 2
        assert got == expected
    # the generator states stay in lockstep: no extra draws were made
    assert ours.random() == ref.random()
