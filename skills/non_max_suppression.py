"""Filter overlapping object detections with greedy non-maximum suppression (NMS).

Write `non_max_suppression(boxes, scores, iou_threshold=0.5, score_threshold=0.0)` where
`boxes` is an (N, 4) array of (x1, y1, x2, y2) boxes (continuous coordinates, area
(x2 - x1) * (y2 - y1)) and `scores` an (N,) array. Return a 1-D numpy int64 array with the
indices of the kept boxes, in the order they were kept (decreasing score).

Algorithm: discard boxes with score < score_threshold; sort the rest by decreasing score
(ties: smaller index first, i.e. a stable sort); repeatedly keep the first remaining box
and remove every remaining box whose IoU with it is strictly greater than
`iou_threshold`. IoU of boxes with zero union area is 0.

Edge cases: N == 0 (boxes of shape (0, 4)) gives an empty int64 array. Raise ValueError if
`boxes` is not of shape (N, 4), if `scores` does not have shape (N,), or if iou_threshold is
outside [0, 1].
"""
# assay: domain = computer_vision
# assay: category = object_detection
# assay: difficulty = intermediate
# assay: requirements = numpy
# assay: key_concepts = non-maximum suppression; vectorised IoU; greedy selection; score thresholding
# assay: common_mistakes = suppressing with >= instead of >; returning indices into the sorted array instead of the original one; not removing the kept box itself; unstable ordering of equal scores
# assay: tags = nms, detection, iou

import numpy as np


def non_max_suppression(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float = 0.5,
                        score_threshold: float = 0.0) -> np.ndarray:
    """Return the indices of the boxes kept by greedy NMS, highest score first."""
    boxes = np.asarray(boxes, dtype=float)
    scores = np.asarray(scores, dtype=float)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError("boxes must have shape (N, 4)")
    if scores.shape != (boxes.shape[0],):
        raise ValueError("scores must have shape (N,)")
    if not 0.0 <= iou_threshold <= 1.0:
        raise ValueError("iou_threshold must be in [0, 1]")
    idx = np.nonzero(scores >= score_threshold)[0]
    order = idx[np.argsort(-scores[idx], kind="stable")]
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep = []
    while order.size:
        i = order[0]
        keep.append(i)
        rest = order[1:]
        iw = np.clip(np.minimum(boxes[i, 2], boxes[rest, 2]) - np.maximum(boxes[i, 0], boxes[rest, 0]), 0, None)
        ih = np.clip(np.minimum(boxes[i, 3], boxes[rest, 3]) - np.maximum(boxes[i, 1], boxes[rest, 1]), 0, None)
        inter = iw * ih
        union = areas[i] + areas[rest] - inter
        iou = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
        order = rest[iou <= iou_threshold]
    return np.array(keep, dtype=np.int64)


def test_normal_suppresses_duplicates():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 9, 10]])
    scores = np.array([0.9, 0.8, 0.7, 0.95])
    keep = non_max_suppression(boxes, scores, 0.5)
    assert keep.dtype == np.int64
    assert keep.tolist() == [3, 2]


def test_normal_score_threshold_and_loose_iou():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]])
    scores = np.array([0.9, 0.8, 0.1])
    assert non_max_suppression(boxes, scores, 0.5, score_threshold=0.5).tolist() == [0]
    assert non_max_suppression(boxes, scores, 0.9).tolist() == [0, 1, 2]


def test_edge_case_empty_and_invalid():
    out = non_max_suppression(np.zeros((0, 4)), np.zeros(0))
    assert out.shape == (0,) and out.dtype == np.int64
    for args in ((np.zeros((3, 5)), np.zeros(3)), (np.zeros((3, 4)), np.zeros(2)),
                 (np.zeros((1, 4)), np.zeros(1), 1.5)):
        try:
            non_max_suppression(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_edge_case_ties_and_threshold_is_strict():
    boxes = np.array([[0, 0, 2, 2], [1, 0, 3, 2]], dtype=float)   # IoU exactly 1/3
    assert non_max_suppression(boxes, np.array([0.5, 0.5]), 1 / 3).tolist() == [0, 1]
    assert non_max_suppression(boxes, np.array([0.5, 0.5]), 0.3).tolist() == [0]


def test_correctness_matches_pure_python_nms():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 50, size=(60, 2))
    wh = rng.uniform(5, 20, size=(60, 2))
    boxes = np.hstack([xy, xy + wh])
    scores = rng.uniform(size=60)

    def iou(a, b):
        iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        inter = iw * ih
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)

    for thr in (0.1, 0.3, 0.6):
        order = sorted(range(60), key=lambda i: -scores[i])
        keep = []
        for i in order:
            if all(iou(boxes[i], boxes[k]) <= thr for k in keep):
                keep.append(i)
        assert non_max_suppression(boxes, scores, thr).tolist() == keep
