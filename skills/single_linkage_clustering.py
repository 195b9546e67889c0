"""Cut a single-linkage hierarchical clustering into k clusters using Kruskal's algorithm with union-find.

Write `single_linkage(points, k)` using only the standard library. `points` is a list of n
coordinate tuples (all of the same dimension) and k the desired number of clusters. Return
`(labels, merge_distances)`:

1. List every pair (i, j) with i < j and its Euclidean distance (`math.dist`); sort the pairs
   by (distance, i, j).
2. Start with every point in its own cluster (a union-find / disjoint-set structure with path
   compression). Walk through the sorted pairs; whenever i and j are in different clusters,
   merge them and record the distance; stop as soon as k clusters remain.
3. Labels are canonical: the cluster of point 0 is 0, and the next point (in index order)
   belonging to a not-yet-labelled cluster opens label 1, and so on.

`merge_distances` is the list of the n - k recorded merge distances in order (it is
non-decreasing). This equals cutting the single-linkage dendrogram into k clusters.

Edge cases: raise ValueError if `points` is empty, the points have different dimensions, or
k is not in 1 .. n. k == n gives labels [0, 1, ..., n-1] and no merges.
"""
# assay: domain = clustering
# assay: category = hierarchical_clustering
# assay: difficulty = intermediate
# assay: key_concepts = single-linkage clustering; minimum spanning tree; Kruskal's algorithm; union-find with path compression
# assay: common_mistakes = merging pairs already in the same cluster; stopping after n - k pairs instead of n - k merges; non-canonical label numbering; O(n^3) repeated closest-pair searches
# assay: tags = hierarchical, single-linkage, union-find, stdlib

import math


def single_linkage(points: list[tuple[float, ...]], k: int) -> tuple[list[int], list[float]]:
    """Return (canonical labels, merge distances) of single-linkage clustering cut at k clusters."""
    n = len(points)
    if n == 0:
        raise ValueError("no points")
    if len({len(p) for p in points}) != 1:
        raise ValueError("points have different dimensions")
    if not 1 <= k <= n:
        raise ValueError("k must be in 1..n")
    parent = list(range(n))

    def find(a: int) -> int:
        root = a
        while parent[root] != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return root

    pairs = sorted((math.dist(points[i], points[j]), i, j) for i in range(n) for j in range(i + 1, n))
    merges: list[float] = []
    clusters = n
    for d, i, j in pairs:
        if clusters == k:
            break
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[ri] = rj
            merges.append(d)
            clusters -= 1
    labels, names = [], {}
    for i in range(n):
        root = find(i)
        if root not in names:
            names[root] = len(names)
        labels.append(names[root])
    return labels, merges


def test_normal_two_groups():
    pts = [(0.0, 0.0), (10.0, 10.0), (0.0, 1.0), (11.0, 10.0), (1.0, 0.0)]
    labels, merges = single_linkage(pts, 2)
    assert labels == [0, 1, 0, 1, 0]
    assert merges == [1.0, 1.0, 1.0]


def test_normal_chaining_effect():
    # single linkage chains through a bridge of close points
    pts = [(float(i), 0.0) for i in range(6)] + [(20.0, 0.0)]
    labels, merges = single_linkage(pts, 2)
    assert labels == [0, 0, 0, 0, 0, 0, 1]
    assert merges == [1.0] * 5


def test_edge_case_k_extremes_and_errors():
    pts = [(0.0,), (3.0,), (1.0,)]
    assert single_linkage(pts, 3) == ([0, 1, 2], [])
    labels, merges = single_linkage(pts, 1)
    assert labels == [0, 0, 0] and merges == [1.0, 2.0]
    for args in (([], 1), ([(0.0,), (1.0, 2.0)], 1), (pts, 0), (pts, 4)):
        try:
            single_linkage(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_naive_agglomeration():
    import random
    rng = random.Random(0)
    pts = [(rng.random(), rng.random()) for _ in range(25)]
    for k in (1, 2, 4, 7):
        clusters = [{i} for i in range(25)]
        heights = []
        while len(clusters) > k:
            best = None
            for a in range(len(clusters)):
                for b in range(a + 1, len(clusters)):
                    d = min(math.dist(pts[i], pts[j]) for i in clusters[a] for j in clusters[b])
                    if best is None or d < best[0]:
                        best = (d, a, b)
            d, a, b = best
            heights.append(d)
            clusters[a] |= clusters[b]
            del clusters[b]
        labels, merges = single_linkage(pts, k)
        expected = {frozenset(c) for c in clusters}
        got = {}
        for i, lab in enumerate(labels):
            got.setdefault(lab, set()).add(i)
        assert {frozenset(c) for c in got.values()} == expected
        assert all(abs(x - y) < 1e-12 for x, y in zip(merges, heights)) and len(merges) == 25 - k
        assert labels[0] == 0 and max(labels) == k - 1
