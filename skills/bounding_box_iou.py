"""Compute the intersection-over-union (IoU) of two axis-aligned bounding boxes.

Write `box_iou(box_a, box_b)` where each box is a sequence of four numbers
(x1, y1, x2, y2) with x1 <= x2 and y1 <= y2 (continuous coordinates: the box covers
[x1, x2] x [y1, y2], so its area is (x2 - x1) * (y2 - y1)). Return a float in [0, 1]:
area of the intersection divided by area of the union.

Edge cases: boxes that only touch along an edge or a corner, or do not overlap, give 0.0.
If the union area is 0 (both boxes degenerate), return 0.0. Raise ValueError if a box does
not have exactly 4 coordinates or has x2 < x1 or y2 < y1.
"""
# assay: domain = computer_vision
# assay: category = object_detection
# assay: difficulty = basic
# assay: key_concepts = intersection over union; box overlap; degenerate boxes
# assay: common_mistakes = adding +1 pixel to widths; not clamping a negative intersection width to zero; dividing by zero for degenerate boxes; confusing (x, y, w, h) with (x1, y1, x2, y2)
# assay: tags = iou, bounding-box, detection

def box_iou(box_a: list[float], box_b: list[float]) -> float:
    """Return the IoU of two (x1, y1, x2, y2) boxes."""
    for box in (box_a, box_b):
        if len(box) != 4:
            raise ValueError("a box needs 4 coordinates")
        if box[2] < box[0] or box[3] < box[1]:
            raise ValueError("need x1 <= x2 and y1 <= y2")
    ax1, ay1, ax2, ay2 = box_a
    bx1, by1, bx2, by2 = box_b
    iw = max(0.0, min(ax2, bx2) - max(ax1, bx1))
    ih = max(0.0, min(ay2, by2) - max(ay1, by1))
    inter = iw * ih
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    if union <= 0:
        return 0.0
    return float(inter / union)


def test_normal_partial_overlap():
    assert abs(box_iou([0, 0, 2, 2], [1, 0, 3, 2]) - 1 / 3) < 1e-12
    assert abs(box_iou((0, 0, 10, 10), (5, 5, 15, 15)) - 25 / 175) < 1e-12


def test_normal_identity_and_containment():
    assert box_iou([1, 2, 3, 4], [1, 2, 3, 4]) == 1.0
    assert abs(box_iou([0, 0, 4, 4], [1, 1, 3, 3]) - 4 / 16) < 1e-12


def test_edge_case_touching_disjoint_degenerate():
    assert box_iou([0, 0, 1, 1], [1, 0, 2, 1]) == 0.0
    assert box_iou([0, 0, 1, 1], [1, 1, 2, 2]) == 0.0
    assert box_iou([0, 0, 1, 1], [5, 5, 6, 6]) == 0.0
    assert box_iou([0, 0, 0, 0], [0, 0, 0, 0]) == 0.0


def test_edge_case_invalid_boxes():
    for a in ([0, 0, 1], [2, 0, 1, 1], [0, 3, 1, 1]):
        try:
            box_iou(a, [0, 0, 1, 1])
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for %r" % (a,))


def test_correctness_against_unit_cell_counting():
    import random
    rng = random.Random(0)

    def cells(b):
        return {(x, y) for x in range(b[0], b[2]) for y in range(b[1], b[3])}

    for _ in range(200):
        xa, ya, xb, yb = (sorted(rng.sample(range(12), 2)) for _ in range(4))
        ba, bb = [xa[0], ya[0], xa[1], ya[1]], [xb[0], yb[0], xb[1], yb[1]]
        sa, sb = cells(ba), cells(bb)
        expected = len(sa & sb) / len(sa | sb)
        assert abs(box_iou(ba, bb) - expected) < 1e-12
        assert box_iou(ba, bb) == box_iou(bb, ba)
