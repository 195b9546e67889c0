"""Apply one tabular Q-learning temporal-difference update to a dictionary-based Q-table.

Write `q_update(Q, state, action, reward, next_state, done, actions, alpha=0.1, gamma=0.99)`
using only the standard library. `Q` is a dict mapping (state, action) pairs to floats;
missing pairs count as 0.0. `actions` is the list of actions available in every state.

    target = reward                                   if done
    target = reward + gamma * max_b Q[(next_state, b)] over b in actions   otherwise
    td_error = target - Q[(state, action)]
    Q[(state, action)] = Q[(state, action)] + alpha * td_error

Update `Q` in place (inserting the key if needed) and return td_error (the error *before*
the update).

Edge cases: raise ValueError if alpha is not in (0, 1], gamma not in [0, 1], or `actions`
is empty. Missing entries of next_state are read as 0.0 without being inserted.
"""
# assay: domain = reinforcement_learning
# assay: category = temporal_difference
# assay: difficulty = basic
# assay: key_concepts = Q-learning; temporal-difference error; off-policy max backup; terminal transitions
# assay: common_mistakes = bootstrapping from the next state after a terminal transition; using the action actually taken next (SARSA) instead of the max; returning the error after the update; KeyError on unseen states
# assay: tags = q-learning, td, tabular, stdlib

from collections.abc import Hashable


def q_update(Q: dict, state: Hashable, action: Hashable, reward: float, next_state: Hashable,
             done: bool, actions: list, alpha: float = 0.1, gamma: float = 0.99) -> float:
    """Apply one Q-learning update to `Q` in place and return the TD error."""
    if not 0.0 < alpha <= 1.0:
        raise ValueError("alpha must be in (0, 1]")
    if not 0.0 <= gamma <= 1.0:
        raise ValueError("gamma must be in [0, 1]")
    if not actions:
        raise ValueError("actions must not be empty")
    target = reward
    if not done:
        target += gamma * max(Q.get((next_state, b), 0.0) for b in actions)
    current = Q.get((state, action), 0.0)
    td = target - current
    Q[(state, action)] = current + alpha * td
    return td


def test_normal_single_update():
    Q = {("s1", "left"): 2.0, ("s1", "right"): 5.0}
    td = q_update(Q, "s0", "right", 1.0, "s1", False, ["left", "right"], alpha=0.5, gamma=0.9)
    assert abs(td - 5.5) < 1e-12
    assert abs(Q[("s0", "right")] - 2.75) < 1e-12


def test_normal_terminal_transition_ignores_next_state():
    Q = {(1, 0): 100.0, (0, 0): 1.0}
    td = q_update(Q, 0, 0, 3.0, 1, True, [0], alpha=1.0)
    assert td == 2.0 and Q[(0, 0)] == 3.0


def test_edge_case_missing_entries_and_errors():
    Q = {}
    assert q_update(Q, "a", 1, -1.0, "b", False, [0, 1]) == -1.0
    assert Q == {("a", 1): -0.1}
    for kwargs in ({"alpha": 0.0}, {"alpha": 1.5}, {"gamma": 1.1}):
        try:
            q_update({}, 0, 0, 0.0, 1, False, [0], **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")
    try:
        q_update({}, 0, 0, 0.0, 1, False, [])
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError for empty actions")


def test_correctness_learns_chain_optimal_values():
    # chain 0-1-2-3-4; action +1 moves right, -1 left (clamped); reaching 4 gives +1 and ends
    gamma, Q = 0.9, {}
    for sweep in range(300):
        for s in range(4):
            for a in (-1, 1):
                s2 = min(max(s + a, 0), 4)
                done = s2 == 4
                q_update(Q, s, a, 1.0 if done else 0.0, s2, done, [-1, 1], alpha=0.5, gamma=gamma)
    for s in range(4):
        assert abs(Q[(s, 1)] - gamma ** (3 - s)) < 1e-6
        assert Q[(s, 1)] > Q[(s, -1)]
    assert abs(Q[(0, -1)] - gamma * Q[(0, 1)]) < 1e-6
