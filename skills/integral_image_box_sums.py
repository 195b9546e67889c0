"""Answer many rectangle-sum queries on a grayscale image in constant time each using an integral image.

Write `box_sums(image, boxes)` where `image` is a list of equal-length rows (lists of
numbers) and `boxes` a list of (r0, c0, r1, c1) tuples with inclusive bounds
0 <= r0 <= r1 < H and 0 <= c0 <= c1 < W. Return a list with, for each box, the sum of
image[r][c] over r0 <= r <= r1 and c0 <= c <= c1.

Build a summed-area table S of shape (H + 1) x (W + 1) with S[i][j] = sum of image[r][c]
for r < i, c < j; then each query is S[r1+1][c1+1] - S[r0][c1+1] - S[r1+1][c0] + S[r0][c0].
Use only the standard library. Sums of ints stay ints.

Edge cases: an empty `boxes` list gives [] (even for an empty image). Raise ValueError if
the rows have different lengths, or if a box is out of range or has r0 > r1 or c0 > c1.
"""
# assay: domain = computer_vision
# assay: category = image_features
# assay: difficulty = basic
# assay: key_concepts = summed-area table; inclusion-exclusion; constant-time range queries
# assay: common_mistakes = off-by-one with inclusive bounds; forgetting the extra zero row and column; accepting negative indices that wrap around; adding instead of subtracting the corner term
# assay: tags = integral-image, viola-jones, prefix-sums

def box_sums(image: list[list[float]], boxes: list[tuple[int, int, int, int]]) -> list[float]:
    """Return the sum of `image` inside each inclusive box (r0, c0, r1, c1)."""
    h = len(image)
    w = len(image[0]) if h else 0
    if any(len(row) != w for row in image):
        raise ValueError("ragged image")
    s = [[0] * (w + 1) for _ in range(h + 1)]
    for i in range(h):
        run = 0
        row = image[i]
        above = s[i]
        cur = s[i + 1]
        for j in range(w):
            run += row[j]
            cur[j + 1] = above[j + 1] + run
    out = []
    for r0, c0, r1, c1 in boxes:
        if not (0 <= r0 <= r1 < h and 0 <= c0 <= c1 < w):
            raise ValueError("box out of range: %r" % ((r0, c0, r1, c1),))
        out.append(s[r1 + 1][c1 + 1] - s[r0][c1 + 1] - s[r1 + 1][c0] + s[r0][c0])
    return out


def test_normal_small_grid():
    img = [[1, 2, 3],
           [4, 5, 6],
           [7, 8, 9]]
    assert box_sums(img, [(0, 0, 2, 2), (1, 1, 1, 1), (0, 1, 1, 2), (2, 0, 2, 2)]) == [45, 5, 16, 24]


def test_normal_float_values():
    img = [[0.5, 0.25], [0.125, 1.0]]
    assert box_sums(img, [(0, 0, 1, 1)]) == [1.875]
    assert box_sums(img, [(0, 1, 1, 1)]) == [1.25]


def test_edge_case_empty_queries_and_bad_boxes():
    assert box_sums([], []) == []
    assert box_sums([[1]], []) == []
    for box in [(0, 0, 2, 0), (-1, 0, 0, 0), (1, 0, 0, 0), (0, 1, 0, 0)]:
        try:
            box_sums([[1], [2]], [box])
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for %r" % (box,))
    try:
        box_sums([[1, 2], [3]], [(0, 0, 0, 0)])
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError for a ragged image")


def test_correctness_against_brute_force():
    import random
    rng = random.Random(0)
    h, w = 17, 23
    img = [[rng.randint(-50, 50) for _ in range(w)] for _ in range(h)]
    boxes = []
    for _ in range(300):
        r0, r1 = sorted(rng.randrange(h) for _ in range(2))
        c0, c1 = sorted(rng.randrange(w) for _ in range(2))
        boxes.append((r0, c0, r1, c1))
    expected = [sum(img[r][c] for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
                for r0, c0, r1, c1 in boxes]
    got = box_sums(img, boxes)
    assert got == expected
    assert all(isinstance(v, int) for v in got)
