"""Solve a deterministic gridworld with value iteration and extract the greedy policy.

Write `value_iteration(grid, gamma=0.9, step_reward=0.0, theta=1e-10)` using only the
standard library. `grid` is a list of equal-length strings; cell characters:
"." free, "#" wall, "G" goal (terminal), "X" pit (terminal).

Dynamics: from a free cell the actions "U", "D", "L", "R" move one cell up/down/left/right;
a move into a wall or off the grid leaves the agent where it is. Every action yields
`step_reward`, plus +1.0 if the agent lands on "G" or -1.0 if it lands on "X". Terminal
cells have value 0 and no actions.

Value iteration: start with V = 0 everywhere and repeat synchronous sweeps
V_new(s) = max_a [ r(s, a) + gamma * V(s') ] over all free cells until the largest change in
a sweep is < theta.

Return `(values, policy)`: `values` maps (row, col) to the value of every non-wall cell
(terminals included, as 0.0); `policy` maps every free (non-terminal) cell to its greedy
action under the final values, ties broken in the order U, D, L, R.

Edge cases: raise ValueError if gamma is not in [0, 1), the rows differ in length, or an
unknown character appears. A grid without terminals is fine (values converge to
step_reward / (1 - gamma)).
"""
# assay: domain = reinforcement_learning
# assay: category = dynamic_programming
# assay: difficulty = intermediate
# assay: key_concepts = value iteration; Bellman optimality backup; deterministic transitions; greedy policy extraction
# assay: common_mistakes = giving terminal states a nonzero value; moving through walls; in-place sweeps when synchronous updates are required; nondeterministic tie-breaking of actions
# assay: tags = value-iteration, gridworld, mdp, stdlib

MOVES = (("U", -1, 0), ("D", 1, 0), ("L", 0, -1), ("R", 0, 1))


def value_iteration(grid: list[str], gamma: float = 0.9, step_reward: float = 0.0,
                    theta: float = 1e-10) -> tuple[dict, dict]:
    """Return (values, greedy policy) of the gridworld."""
    if not 0.0 <= gamma < 1.0:
        raise ValueError("gamma must be in [0, 1)")
    h = len(grid)
    w = len(grid[0]) if h else 0
    if any(len(row) != w for row in grid):
        raise ValueError("rows differ in length")
    if any(ch not in ".#GX" for row in grid for ch in row):
        raise ValueError("unknown cell character")
    cells = [(r, c) for r in range(h) for c in range(w) if grid[r][c] != "#"]
    free = [(r, c) for (r, c) in cells if grid[r][c] == "."]

    def step(r: int, c: int, dr: int, dc: int) -> tuple[tuple[int, int], float]:
        nr, nc = r + dr, c + dc
        if not (0 <= nr < h and 0 <= nc < w) or grid[nr][nc] == "#":
            nr, nc = r, c
        bonus = {"G": 1.0, "X": -1.0}.get(grid[nr][nc], 0.0)
        return (nr, nc), step_reward + bonus

    trans = {s: [step(s[0], s[1], dr, dc) for _, dr, dc in MOVES] for s in free}
    V = {s: 0.0 for s in cells}
    while True:
        new = dict(V)
        delta = 0.0
        for s in free:
            new[s] = max(rew + gamma * V[nxt] for nxt, rew in trans[s])
            delta = max(delta, abs(new[s] - V[s]))
        V = new
        if delta < theta:
            break
    policy = {}
    for s in free:
        q = [rew + gamma * V[nxt] for nxt, rew in trans[s]]
        best = max(q)
        policy[s] = next(MOVES[i][0] for i in range(4) if q[i] >= best - 1e-12)
    return V, policy


def test_normal_corridor_values():
    V, pi = value_iteration(["...G"], gamma=0.9)
    assert abs(V[(0, 2)] - 1.0) < 1e-9 and abs(V[(0, 1)] - 0.9) < 1e-9
    assert abs(V[(0, 0)] - 0.81) < 1e-9 and V[(0, 3)] == 0.0
    assert pi == {(0, 0): "R", (0, 1): "R", (0, 2): "R"}


def test_normal_avoids_pit_and_walls():
    grid = ["...G",
            ".#.X",
            "...."]
    V, pi = value_iteration(grid, gamma=0.95, step_reward=-0.04)
    assert (1, 1) not in V and (1, 1) not in pi
    assert pi[(1, 2)] == "U"          # go up towards the goal, not right into the pit
    assert pi[(0, 2)] == "R"
    assert V[(0, 2)] > V[(2, 0)]


def test_edge_case_no_terminal_and_errors():
    V, pi = value_iteration(["..", ".."], gamma=0.5, step_reward=-1.0)
    assert all(abs(v - (-2.0)) < 1e-8 for v in V.values())
    assert set(pi.values()) == {"U"}  # all actions tie -> first in U, D, L, R order
    for args in ((["..G"], 1.0), (["..", "."], 0.9), (["..Z"], 0.9)):
        try:
            value_iteration(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_bellman_optimality_holds():
    grid = ["..#..G",
            "..#.X.",
            "......",
            "X....."]
    gamma, sr = 0.9, -0.1
    V, pi = value_iteration(grid, gamma=gamma, step_reward=sr)
    moves = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}
    for (r, c), a in pi.items():
        qs = {}
        for name, (dr, dc) in moves.items():
            nr, nc = r + dr, c + dc
            if not (0 <= nr < 4 and 0 <= nc < 6) or grid[nr][nc] == "#":
                nr, nc = r, c
            bonus = {"G": 1.0, "X": -1.0}.get(grid[nr][nc], 0.0)
            qs[name] = sr + bonus + gamma * V[(nr, nc)]
        assert abs(V[(r, c)] - max(qs.values())) < 1e-8
        assert abs(qs[a] - max(qs.values())) < 1e-8
    # following the policy from (3, 1) reaches the goal
    pos, seen = (3, 1), 0
    while grid[pos[0]][pos[1]] == "." and seen < 30:
        dr, dc = moves[pi[pos]]
        nr, nc = pos[0] + dr, pos[1] + dc
        pos = (nr, nc) if 0 <= nr < 4 and 0 <= nc < 6 and grid[nr][nc] != "#" else pos
        seen += 1
    assert grid[pos[0]][pos[1]] == "G"
