"""Evaluate a stochastic policy on a finite MDP with iterative (synchronous) policy evaluation.

Write `policy_evaluation(P, R, policy, gamma=0.9, theta=1e-10, max_iter=100000)` with numpy:
- `P` has shape (S, A, S): P[s, a, s2] is the probability of moving from s to s2 under a;
- `R` has shape (S, A): the expected immediate reward of taking a in s;
- `policy` has shape (S, A): the probability of taking a in s.
Start from V = 0 and repeat the synchronous Bellman expectation backup

    V_new[s] = sum_a policy[s, a] * (R[s, a] + gamma * sum_s2 P[s, a, s2] * V[s2])

(vectorised, with einsum or matrix products) until max |V_new - V| < theta; return V_new as
a float64 array of shape (S,). If max_iter sweeps are done without converging, raise
RuntimeError.

Edge cases / validation (ValueError): inconsistent shapes; gamma not in [0, 1); any row of
P[s, a, :] or of policy[s, :] not summing to 1 (tolerance 1e-8) or containing negative
entries.
"""
# assay: domain = reinforcement_learning
# assay: category = dynamic_programming
# assay: difficulty = intermediate
# assay: requirements = numpy
# assay: key_concepts = policy evaluation; Bellman expectation equation; contraction mapping; vectorised backups
# assay: common_mistakes = forgetting to weight by the policy; summing over the wrong axis of P; stopping after a fixed number of sweeps; accepting transition rows that are not distributions
# assay: tags = policy-evaluation, mdp, bellman, numpy

import numpy as np


def policy_evaluation(P: np.ndarray, R: np.ndarray, policy: np.ndarray, gamma: float = 0.9,
                      theta: float = 1e-10, max_iter: int = 100000) -> np.ndarray:
    """Return the state-value function of `policy`."""
    P = np.asarray(P, dtype=float)
    R = np.asarray(R, dtype=float)
    pi = np.asarray(policy, dtype=float)
    if P.ndim != 3 or P.shape[0] != P.shape[2] or R.shape != P.shape[:2] or pi.shape != R.shape:
        raise ValueError("inconsistent shapes")
    if not 0.0 <= gamma < 1.0:
        raise ValueError("gamma must be in [0, 1)")
    if (P < 0).any() or not np.allclose(P.sum(axis=2), 1.0, atol=1e-8):
        raise ValueError("P rows must be probability distributions")
    if (pi < 0).any() or not np.allclose(pi.sum(axis=1), 1.0, atol=1e-8):
        raise ValueError("policy rows must be probability distributions")
    r_pi = (pi * R).sum(axis=1)
    p_pi = np.einsum("sa,sat->st", pi, P)
    V = np.zeros(P.shape[0])
    for _ in range(max_iter):
        new = r_pi + gamma * p_pi @ V
        if np.max(np.abs(new - V)) < theta:
            return new
        V = new
    raise RuntimeError("policy evaluation did not converge")


def test_normal_two_state_cycle():
    # s0 -> s1 -> s0 deterministically, reward 1 in s0 and 0 in s1
    P = np.zeros((2, 1, 2))
    P[0, 0, 1] = 1
    P[1, 0, 0] = 1
    R = np.array([[1.0], [0.0]])
    V = policy_evaluation(P, R, np.ones((2, 1)), gamma=0.5)
    assert np.allclose(V, [1 / (1 - 0.25), 0.5 / (1 - 0.25)])


def test_normal_policy_mixture():
    P = np.zeros((1, 2, 1))
    P[0, :, 0] = 1
    R = np.array([[1.0, 3.0]])
    V = policy_evaluation(P, R, np.array([[0.25, 0.75]]), gamma=0.8)
    assert np.allclose(V, [2.5 / 0.2])


def test_edge_case_validation_and_non_convergence():
    P = np.ones((2, 1, 2)) / 2
    R = np.zeros((2, 1))
    pi = np.ones((2, 1))
    bad = [(P, R, pi, 1.0), (P * 2, R, pi, 0.9), (P, np.zeros((2, 2)), pi, 0.9),
           (P, R, np.full((2, 1), 0.5), 0.9)]
    for args in bad:
        try:
            policy_evaluation(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")
    try:
        policy_evaluation(P, np.ones((2, 1)), pi, gamma=0.99, max_iter=5)
    except RuntimeError:
        pass
    else:
        raise AssertionError("expected RuntimeError")
    assert np.allclose(policy_evaluation(P, R, pi, gamma=0.0), 0.0)


def test_correctness_matches_linear_solve():
    rng = np.random.default_rng(0)
    S, A, gamma = 6, 3, 0.95
    P = rng.random((S, A, S))
    P /= P.sum(axis=2, keepdims=True)
    R = rng.normal(size=(S, A))
    pi = rng.random((S, A))
    pi /= pi.sum(axis=1, keepdims=True)
    V = policy_evaluation(P, R, pi, gamma=gamma, theta=1e-12)
    p_pi = np.einsum("sa,sat->st", pi, P)
    exact = np.linalg.solve(np.eye(S) - gamma * p_pi, (pi * R).sum(axis=1))
    assert np.allclose(V, exact, atol=1e-9)
