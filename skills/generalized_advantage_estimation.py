"""Compute generalized advantage estimates (GAE) and value targets for a batch of rollout steps.

Write `compute_gae(rewards, values, dones, last_value, gamma=0.99, lam=0.95)` with numpy.
`rewards`, `values` and `dones` are 1-D arrays of length T (values[t] is the critic's
estimate V(s_t); dones[t] is 1/True if the episode ended after step t); `last_value` is
V(s_T), the estimate for the state after the last step. Return `(advantages, returns)`,
two float64 arrays of length T:

    next_value_t = last_value if t == T - 1 else values[t + 1]
    mask_t = 0 if dones[t] else 1
    delta_t = rewards[t] + gamma * next_value_t * mask_t - values[t]
    A_t = delta_t + gamma * lam * mask_t * A_{t+1}      (A_T = 0)
    returns = advantages + values

Compute it with a single backward loop (O(T)).

Special cases: lam = 0 gives the one-step TD errors; lam = 1 gives discounted Monte-Carlo
returns (bootstrapped with last_value) minus values.

Edge cases: T = 0 gives two empty arrays. Raise ValueError if the lengths differ, gamma is
outside [0, 1] or lam outside [0, 1].
"""
# assay: domain = reinforcement_learning
# assay: category = policy_gradient
# assay: difficulty = advanced
# assay: key_concepts = advantage estimation; TD residuals; bias-variance trade-off with lambda; episode masks; bootstrapping
# assay: common_mistakes = leaking advantages across episode boundaries; bootstrapping from the next value after a terminal step; using values[t] instead of values[t+1] in the TD error; forward loops in O(T^2)
# assay: tags = gae, ppo, actor-critic, advantages
# assay: requirements = numpy

import numpy as np


def compute_gae(rewards: np.ndarray, values: np.ndarray, dones: np.ndarray, last_value: float,
                gamma: float = 0.99, lam: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Return (advantages, returns) computed with GAE(gamma, lambda)."""
    r = np.asarray(rewards, dtype=float)
    v = np.asarray(values, dtype=float)
    d = np.asarray(dones, dtype=float)
    if not (r.shape == v.shape == d.shape) or r.ndim != 1:
        raise ValueError("rewards, values and dones must be 1-D of equal length")
    if not 0.0 <= gamma <= 1.0 or not 0.0 <= lam <= 1.0:
        raise ValueError("gamma and lam must be in [0, 1]")
    T = len(r)
    adv = np.zeros(T)
    running = 0.0
    for t in range(T - 1, -1, -1):
        mask = 1.0 - d[t]
        next_v = last_value if t == T - 1 else v[t + 1]
        delta = r[t] + gamma * next_v * mask - v[t]
        running = delta + gamma * lam * mask * running
        adv[t] = running
    return adv, adv + v


def test_normal_small_example():
    adv, ret = compute_gae([1.0, 1.0], [0.5, 0.5], [0, 0], last_value=1.0, gamma=0.5, lam=0.5)
    d1 = 1.0 + 0.5 * 1.0 - 0.5
    d0 = 1.0 + 0.5 * 0.5 - 0.5
    assert np.allclose(adv, [d0 + 0.25 * d1, d1])
    assert np.allclose(ret, adv + 0.5)


def test_normal_lambda_extremes():
    rng = np.random.default_rng(0)
    r, v = rng.normal(size=6), rng.normal(size=6)
    d = np.zeros(6)
    adv0, _ = compute_gae(r, v, d, 0.3, gamma=0.9, lam=0.0)
    nxt = np.append(v[1:], 0.3)
    assert np.allclose(adv0, r + 0.9 * nxt - v)
    adv1, ret1 = compute_gae(r, v, d, 0.3, gamma=0.9, lam=1.0)
    mc = [sum(0.9 ** (k - t) * r[k] for k in range(t, 6)) + 0.9 ** (6 - t) * 0.3 for t in range(6)]
    assert np.allclose(ret1, mc)


def test_edge_case_terminal_masks_and_empty():
    adv, ret = compute_gae([1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [0, 1, 0], last_value=10.0,
                           gamma=1.0, lam=1.0)
    assert np.allclose(ret, [3.0, 2.0, 13.0])
    a, b = compute_gae([], [], [], 5.0)
    assert a.shape == (0,) and b.shape == (0,) and a.dtype == np.float64
    for args, kwargs in ((([1.0], [1.0, 2.0], [0]), {}), (([1.0], [1.0], [0]), {"gamma": 1.5}),
                         (([1.0], [1.0], [0]), {"lam": -0.1})):
        try:
            compute_gae(*args, 0.0, **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_lambda_return_definition():
    rng = np.random.default_rng(1)
    T, g, lam = 12, 0.97, 0.8
    r, v = rng.normal(size=T), rng.normal(size=T)
    d = (rng.random(T) < 0.2).astype(float)
    last = 0.7
    adv, _ = compute_gae(r, v, d, last, gamma=g, lam=lam)
    nxt = np.append(v[1:], last)
    delta = r + g * nxt * (1 - d) - v
    for t in range(T):
        total, coef = 0.0, 1.0
        for k in range(t, T):
            total += coef * delta[k]
            if d[k]:
                break
            coef *= g * lam
        assert np.isclose(adv[t], total)
