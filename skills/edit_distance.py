"""Compute the weighted edit distance between two strings, optionally counting adjacent transpositions.

Write `edit_distance(a, b, ins_cost=1.0, del_cost=1.0, sub_cost=1.0, transpositions=False)`
returning the minimum total cost (a float) of turning string `a` into string `b` using:
- insertion of one character (cost `ins_cost`),
- deletion of one character (cost `del_cost`),
- substitution of one character by a different one (cost `sub_cost`; a character kept
  unchanged costs 0),
- if `transpositions` is True, also swapping two adjacent characters (cost 1.0), in the
  "optimal string alignment" sense: no substring is edited more than once (so
  edit_distance("ca", "abc", transpositions=True) == 3.0, not 2.0).

Use dynamic programming in O(len(a) * len(b)) time.

Edge cases: if either string is empty the distance is the cost of inserting/deleting all
characters of the other (edit_distance("", "") == 0.0). Any negative cost raises ValueError.
"""
# assay: domain = nlp
# assay: category = string_similarity
# assay: difficulty = intermediate
# assay: key_concepts = dynamic programming; Levenshtein distance; Damerau (optimal string alignment) transpositions
# assay: common_mistakes = charging a substitution for equal characters; swapping insertion and deletion costs; off-by-one in the DP table borders; allowing transpositions when the flag is off
# assay: tags = levenshtein, damerau, dynamic-programming, spelling

def edit_distance(a: str, b: str, ins_cost: float = 1.0, del_cost: float = 1.0,
                  sub_cost: float = 1.0, transpositions: bool = False) -> float:
    """Return the minimum cost of editing `a` into `b`."""
    if min(ins_cost, del_cost, sub_cost) < 0:
        raise ValueError("costs must be non-negative")
    n, m = len(a), len(b)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = d[i - 1][0] + del_cost
    for j in range(1, m + 1):
        d[0][j] = d[0][j - 1] + ins_cost
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            same = a[i - 1] == b[j - 1]
            best = min(d[i - 1][j] + del_cost,
                       d[i][j - 1] + ins_cost,
                       d[i - 1][j - 1] + (0.0 if same else sub_cost))
            if (transpositions and i > 1 and j > 1 and a[i - 1] == b[j - 2]
                    and a[i - 2] == b[j - 1] and not same):
                best = min(best, d[i - 2][j - 2] + 1.0)
            d[i][j] = best
    return float(d[n][m])


def test_normal_classic_examples():
    assert edit_distance("kitten", "sitting") == 3.0
    assert edit_distance("flaw", "lawn") == 2.0
    assert edit_distance("same", "same") == 0.0


def test_normal_weighted_costs():
    # substitution made expensive: delete + insert (2.0) is cheaper than 5.0
    assert edit_distance("a", "b", sub_cost=5.0) == 2.0
    assert edit_distance("abc", "", del_cost=0.5) == 1.5
    assert edit_distance("", "abcd", ins_cost=2.0) == 8.0


def test_edge_case_empty_strings_and_bad_costs():
    assert edit_distance("", "") == 0.0
    assert edit_distance("", "xy") == 2.0
    try:
        edit_distance("a", "b", sub_cost=-1)
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError")


def test_edge_case_transpositions_osa():
    assert edit_distance("ab", "ba") == 2.0
    assert edit_distance("ab", "ba", transpositions=True) == 1.0
    assert edit_distance("ca", "abc", transpositions=True) == 3.0


def test_correctness_matches_brute_force_recursion():
    import random
    from functools import lru_cache

    def brute(a, b, ic, dc, sc):
        @lru_cache(maxsize=None)
        def go(i, j):
            if i == len(a):
                return (len(b) - j) * ic
            if j == len(b):
                return (len(a) - i) * dc
            return min(go(i + 1, j) + dc, go(i, j + 1) + ic,
                       go(i + 1, j + 1) + (0 if a[i] == b[j] else sc))
        return go(0, 0)

    rng = random.Random(0)
    for _ in range(60):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 6)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 6)))
        ic, dc, sc = rng.choice([1, 2]), rng.choice([1, 3]), rng.choice([1, 2, 5])
        assert abs(edit_distance(a, b, ic, dc, sc) - brute(a, b, ic, dc, sc)) < 1e-9
        # symmetric when insertion and deletion cost the same
        assert edit_distance(a, b) == edit_distance(b, a)
