"""Find an optimal deterministic policy of a finite MDP with policy iteration (exact evaluation plus greedy improvement).

Write `policy_iteration(P, R, gamma=0.9, max_iter=1000)` with numpy, where `P` has shape
(S, A, S) (transition probabilities) and `R` shape (S, A) (expected rewards). Return
`(policy, V)`: an int64 array of shape (S,) with the chosen action per state and the float64
value function of that policy.

1. Start with policy[s] = 0 for every state.
2. Evaluation: solve the linear system (I - gamma * P_pi) V = R_pi exactly
   (np.linalg.solve), where P_pi[s] = P[s, policy[s]] and R_pi[s] = R[s, policy[s]].
3. Improvement: Q[s, a] = R[s, a] + gamma * sum_s2 P[s, a, s2] V[s2]; the new action of s is
   its current action if that is within 1e-10 of max_a Q[s, a] (this prevents cycling
   between equally good actions), otherwise the smallest a attaining the maximum.
4. Stop when the policy no longer changes; raise RuntimeError after max_iter improvements.

Edge cases: raise ValueError for inconsistent shapes, gamma not in [0, 1), or rows of P that
are not probability distributions (tolerance 1e-8).
"""
# assay: domain = reinforcement_learning
# assay: category = dynamic_programming
# assay: difficulty = advanced
# assay: requirements = numpy
# assay: key_concepts = policy iteration; exact policy evaluation by linear solve; greedy policy improvement; convergence and tie handling
# assay: common_mistakes = switching between tied actions forever; indexing P with the whole policy array incorrectly; evaluating with the old value function after improvement; iterating without a stopping rule
# assay: tags = policy-iteration, mdp, dynamic-programming, numpy

import numpy as np


def policy_iteration(P: np.ndarray, R: np.ndarray, gamma: float = 0.9,
                     max_iter: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Return (optimal deterministic policy, its value function)."""
    P = np.asarray(P, dtype=float)
    R = np.asarray(R, dtype=float)
    if P.ndim != 3 or P.shape[0] != P.shape[2] or R.shape != P.shape[:2]:
        raise ValueError("inconsistent shapes")
    if not 0.0 <= gamma < 1.0:
        raise ValueError("gamma must be in [0, 1)")
    if (P < 0).any() or not np.allclose(P.sum(axis=2), 1.0, atol=1e-8):
        raise ValueError("P rows must be probability distributions")
    S = P.shape[0]
    states = np.arange(S)
    policy = np.zeros(S, dtype=np.int64)
    for _ in range(max_iter):
        V = np.linalg.solve(np.eye(S) - gamma * P[states, policy], R[states, policy])
        Q = R + gamma * P @ V
        best = Q.max(axis=1)
        keep = Q[states, policy] >= best - 1e-10
        new = np.where(keep, policy, np.argmax(Q >= best[:, None] - 1e-10, axis=1))
        if np.array_equal(new, policy):
            return policy, V
        policy = new.astype(np.int64)
    raise RuntimeError("policy iteration did not converge")


def test_normal_two_state_choice():
    # state 0: action 0 stays (+0), action 1 goes to state 1 (+0); state 1: stays with +1
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = 1
    P[0, 1, 1] = 1
    P[1, :, 1] = 1
    R = np.array([[0.0, 0.0], [1.0, 1.0]])
    policy, V = policy_iteration(P, R, gamma=0.9)
    assert policy.tolist() == [1, 0] and policy.dtype == np.int64
    assert np.allclose(V, [9.0, 10.0])


def test_normal_immediate_versus_delayed_reward():
    # action 0: +1 now and stay; action 1: 0 now, move to a state paying +2 forever
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = 1
    P[0, 1, 1] = 1
    P[1, :, 1] = 1
    R = np.array([[1.0, 0.0], [2.0, 2.0]])
    assert policy_iteration(P, R, gamma=0.3)[0][0] == 0     # myopic: 1/(0.7) > 0.3*2/0.7
    assert policy_iteration(P, R, gamma=0.9)[0][0] == 1


def test_edge_case_ties_and_validation():
    P = np.ones((3, 2, 3)) / 3
    R = np.ones((3, 2))
    policy, V = policy_iteration(P, R, gamma=0.5)
    assert policy.tolist() == [0, 0, 0] and np.allclose(V, 2.0)
    for args in ((P, R, 1.0), (P * 2, R, 0.5), (P, np.ones((3, 3)), 0.5)):
        try:
            policy_iteration(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_value_iteration():
    rng = np.random.default_rng(0)
    S, A, gamma = 8, 4, 0.9
    P = rng.random((S, A, S)) ** 4
    P /= P.sum(axis=2, keepdims=True)
    R = rng.normal(size=(S, A))
    policy, V = policy_iteration(P, R, gamma=gamma)
    Vs = np.zeros(S)
    for _ in range(2000):
        Vs = (R + gamma * P @ Vs).max(axis=1)
    assert np.allclose(V, Vs, atol=1e-8)
    Q = R + gamma * P @ V
    assert np.allclose(Q[np.arange(S), policy], Q.max(axis=1))
