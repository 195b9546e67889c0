"""Estimate state values from sampled episodes with first-visit (or every-visit) Monte Carlo prediction.

Write `mc_state_values(episodes, gamma=1.0, first_visit=True)` using only the standard
library. Each episode is a list of (state, reward) pairs in time order, where the reward is
the one received *after* leaving that state (r_{t+1}); states are hashable. Return a dict
mapping every state that occurs in some episode to its estimated value:

- the return from time t is G_t = r_{t+1} + gamma * r_{t+2} + ... until the episode ends;
- first-visit: for each episode, only the return from the first occurrence of each state is
  used; every-visit (first_visit=False): the returns from all occurrences are used;
- the value estimate is the average of all collected returns for that state.

Compute each episode's returns with one backward pass.

Edge cases: no episodes (or only empty episodes) gives {}. Raise ValueError if gamma is
outside [0, 1].
"""
# assay: domain = reinforcement_learning
# assay: category = monte_carlo
# assay: difficulty = intermediate
# assay: key_concepts = Monte Carlo prediction; first-visit versus every-visit; returns; sample averages
# assay: common_mistakes = using the return from the last visit instead of the first; averaging per episode instead of per return; off-by-one between a state and its reward; quadratic forward summation of returns
# assay: tags = monte-carlo, prediction, rl, stdlib

def mc_state_values(episodes: list[list[tuple]], gamma: float = 1.0,
                    first_visit: bool = True) -> dict:
    """Return Monte Carlo value estimates {state: average return}."""
    if not 0.0 <= gamma <= 1.0:
        raise ValueError("gamma must be in [0, 1]")
    totals: dict = {}
    counts: dict = {}
    for episode in episodes:
        returns = [0.0] * len(episode)
        g = 0.0
        for t in range(len(episode) - 1, -1, -1):
            g = episode[t][1] + gamma * g
            returns[t] = g
        seen = set()
        for t, (state, _) in enumerate(episode):
            if first_visit and state in seen:
                continue
            seen.add(state)
            totals[state] = totals.get(state, 0.0) + returns[t]
            counts[state] = counts.get(state, 0) + 1
    return {s: totals[s] / counts[s] for s in totals}


def test_normal_single_episode_first_visit():
    ep = [("A", 1.0), ("B", 0.0), ("A", 2.0), ("C", 3.0)]
    v = mc_state_values([ep], gamma=1.0)
    assert v == {"A": 6.0, "B": 5.0, "C": 3.0}


def test_normal_every_visit_and_discount():
    ep = [("A", 1.0), ("B", 0.0), ("A", 2.0), ("C", 3.0)]
    v = mc_state_values([ep], gamma=1.0, first_visit=False)
    assert v["A"] == (6.0 + 5.0) / 2
    v = mc_state_values([[("x", 1.0), ("y", 1.0)]], gamma=0.5)
    assert v == {"x": 1.5, "y": 1.0}


def test_edge_case_empty_and_invalid():
    assert mc_state_values([]) == {}
    assert mc_state_values([[], []]) == {}
    try:
        mc_state_values([[("a", 1.0)]], gamma=1.2)
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError")


def test_correctness_random_walk_converges_to_true_values():
    import random
    rng = random.Random(0)
    # classic 5-state random walk: states 1..5, start in 3, exit right (+1) or left (0)
    episodes = []
    for _ in range(3000):
        s, ep = 3, []
        while True:
            nxt = s + rng.choice((-1, 1))
            ep.append((s, 1.0 if nxt == 6 else 0.0))
            if nxt in (0, 6):
                break
            s = nxt
        episodes.append(ep)
    v = mc_state_values(episodes)
    for s in range(1, 6):
        assert abs(v[s] - s / 6) < 0.04
    # averaging over returns: first-visit equals the mean of per-episode first returns
    small = episodes[:5]
    fv = mc_state_values(small)
    firsts = []
    for ep in small:
        g_list, g = [], 0.0
        for _, r in reversed(ep):
            g = r + g
            g_list.append(g)
        g_list.reverse()
        firsts.append(g_list[[s for s, _ in ep].index(3)])
    assert abs(fv[3] - sum(firsts) / len(firsts)) < 1e-12
