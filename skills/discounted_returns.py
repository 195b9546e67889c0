"""Compute the discounted return at every time step of a rollout that may span several episodes.

Write `discounted_returns(rewards, gamma, dones=None, last_value=0.0)` using only the
standard library. `rewards` is a list of floats r_0 .. r_{T-1}, `dones` an optional list of
bools of the same length (dones[t] is True if the episode ended right after step t; None
means all False). Return the list G_0 .. G_{T-1}:

    G_t = r_t + gamma * G_{t+1} * (0 if dones[t] else 1),  with G_T = last_value

i.e. returns never flow across an episode boundary, and `last_value` (a bootstrap estimate
of the value after the final step) is used only if the last step is not terminal. Compute it
in one backward pass (O(T)).

Edge cases: empty `rewards` gives []. Raise ValueError if gamma is outside [0, 1] or if
`dones` has a different length than `rewards`.
"""
# assay: domain = reinforcement_learning
# assay: category = returns
# assay: difficulty = basic
# assay: key_concepts = discounted return; episode boundaries; bootstrapping; backward recursion
# assay: common_mistakes = summing forward in O(T^2); letting rewards leak across episode boundaries; discounting the immediate reward; using the bootstrap value after a terminal step
# assay: tags = returns, discounting, rl, stdlib

def discounted_returns(rewards: list[float], gamma: float, dones: list[bool] | None = None,
                       last_value: float = 0.0) -> list[float]:
    """Return the discounted return G_t for every step."""
    if not 0.0 <= gamma <= 1.0:
        raise ValueError("gamma must be in [0, 1]")
    if dones is None:
        dones = [False] * len(rewards)
    if len(dones) != len(rewards):
        raise ValueError("dones and rewards must have the same length")
    out = [0.0] * len(rewards)
    g = float(last_value)
    for t in range(len(rewards) - 1, -1, -1):
        g = rewards[t] + gamma * g * (0.0 if dones[t] else 1.0)
        out[t] = g
    return out


def test_normal_single_episode():
    assert discounted_returns([1.0, 1.0, 1.0], 0.5) == [1.75, 1.5, 1.0]
    out = discounted_returns([0.0, 0.0, 10.0], 0.9)
    assert all(abs(a - b) < 1e-12 for a, b in zip(out, [8.1, 9.0, 10.0])) and len(out) == 3


def test_normal_episode_boundaries_and_bootstrap():
    r = [1.0, 2.0, 3.0, 4.0]
    d = [False, True, False, False]
    assert discounted_returns(r, 1.0, d, last_value=10.0) == [3.0, 2.0, 17.0, 14.0]
    assert discounted_returns(r, 1.0, [False, False, False, True], last_value=10.0) == [10.0, 9.0, 7.0, 4.0]


def test_edge_case_empty_and_invalid():
    assert discounted_returns([], 0.9) == []
    assert discounted_returns([], 0.9, last_value=5.0) == []
    assert discounted_returns([2.0, 3.0], 0.0) == [2.0, 3.0]
    for args in (([1.0], 1.5), ([1.0], -0.1), ([1.0, 2.0], 0.9, [True])):
        try:
            discounted_returns(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_forward_sums():
    import random
    rng = random.Random(0)
    T = 200
    r = [rng.uniform(-1, 1) for _ in range(T)]
    d = [rng.random() < 0.05 for _ in range(T)]
    g = 0.97
    out = discounted_returns(r, g, d, last_value=0.5)
    for t in range(0, T, 7):
        total, k = 0.0, t
        while True:
            total += g ** (k - t) * r[k]
            if d[k]:
                break
            k += 1
            if k == T:
                total += g ** (k - t) * 0.5
                break
        assert abs(out[t] - total) < 1e-9
