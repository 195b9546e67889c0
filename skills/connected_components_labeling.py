"""Label the connected components of a binary image with 4- or 8-connectivity.

Write `label_components(mask, connectivity=4)` where `mask` is a 2-D array (bool or
numbers; non-zero means foreground). Return `(labels, count)`:
- `labels` is an int32 array of the same shape, 0 on the background and 1..count on the
  foreground, every connected component having its own label;
- components are numbered in raster order of their first pixel (scan rows top to bottom,
  each row left to right: the component met first gets 1, the next new one 2, ...);
- with connectivity 4, pixels are neighbours if they share an edge; with 8, also if they
  share a corner.

Edge cases: an all-background mask gives all zeros and count 0. Raise ValueError if
`mask` is not 2-D or if connectivity is not 4 or 8. Must handle components of thousands of
pixels (use an explicit stack or queue, not recursion).
"""
# assay: domain = computer_vision
# assay: category = segmentation
# assay: difficulty = advanced
# assay: requirements = numpy, scipy
# assay: timeout = 15
# assay: key_concepts = connected-component labelling; flood fill; 4- versus 8-connectivity; raster-order numbering
# assay: common_mistakes = recursion depth overflow on large blobs; forgetting diagonal neighbours for 8-connectivity; wrapping around the image border with negative indices; labels not consecutive
# assay: tags = labeling, flood-fill, segmentation

from collections import deque

import numpy as np


def label_components(mask: np.ndarray, connectivity: int = 4) -> tuple[np.ndarray, int]:
    """Return (labels, count) of the connected foreground components of `mask`."""
    m = np.asarray(mask)
    if m.ndim != 2:
        raise ValueError("mask must be 2-D")
    if connectivity not in (4, 8):
        raise ValueError("connectivity must be 4 or 8")
    fg = m != 0
    h, w = fg.shape
    labels = np.zeros((h, w), dtype=np.int32)
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if connectivity == 8:
        steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    count = 0
    fg_list = fg.tolist()
    lab = labels.tolist()
    for r in range(h):
        for c in range(w):
            if not fg_list[r][c] or lab[r][c]:
                continue
            count += 1
            lab[r][c] = count
            queue = deque([(r, c)])
            while queue:
                y, x = queue.popleft()
                for dy, dx in steps:
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < h and 0 <= nx < w and fg_list[ny][nx] and not lab[ny][nx]:
                        lab[ny][nx] = count
                        queue.append((ny, nx))
    return np.array(lab, dtype=np.int32).reshape(h, w), count


def test_normal_two_blobs():
    mask = np.array([[1, 1, 0, 0],
                     [0, 1, 0, 1],
                     [0, 0, 0, 1]])
    labels, n = label_components(mask)
    assert n == 2
    assert labels.dtype == np.int32
    assert labels.tolist() == [[1, 1, 0, 0], [0, 1, 0, 2], [0, 0, 0, 2]]


def test_normal_diagonal_connectivity():
    mask = np.eye(4, dtype=bool)
    assert label_components(mask, 4)[1] == 4
    labels, n = label_components(mask, 8)
    assert n == 1 and np.array_equal(labels, np.eye(4, dtype=np.int32))


def test_edge_case_empty_and_invalid():
    labels, n = label_components(np.zeros((3, 3)))
    assert n == 0 and not labels.any()
    labels, n = label_components(np.zeros((0, 0)))
    assert n == 0 and labels.shape == (0, 0)
    for args in ((np.zeros(3),), (np.zeros((2, 2)), 6)):
        try:
            label_components(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_edge_case_large_component_no_recursion_limit():
    mask = np.ones((120, 120), dtype=bool)
    mask[::2, 1:] = False       # a long serpentine path
    mask[1::4, 0] = False
    mask[3::4, -1] = True
    mask[3::4, 0] = True
    labels, n = label_components(mask)
    assert n >= 1 and labels.max() == n


def test_correctness_matches_scipy_label():
    from scipy import ndimage
    rng = np.random.default_rng(0)
    for trial in range(5):
        mask = rng.random((30, 40)) < 0.45
        for conn, structure in ((4, None), (8, np.ones((3, 3), dtype=int))):
            ref, n_ref = ndimage.label(mask, structure=structure)
            labels, n = label_components(mask, conn)
            assert n == n_ref
            assert np.array_equal(labels, ref)
