"""Detect edges in a grayscale image with the Sobel operator, returning gradient magnitude and direction.

Write `sobel_edges(image)` for a 2-D numeric array (H, W). Return a tuple
`(magnitude, direction)` of float arrays with the same shape as `image`.

- Pad the image by one pixel on each side by replicating the border pixels (numpy
  `mode="edge"`).
- gx is the cross-correlation (no kernel flip) with [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
  (positive when intensity increases to the right); gy is the cross-correlation with
  [[-1, -2, -1], [0, 0, 0], [1, 2, 1]] (positive when intensity increases downwards, rows
  growing down).
- magnitude = sqrt(gx**2 + gy**2); direction = arctan2(gy, gx) in radians, in [-pi, pi].

Edge cases: a constant image gives all-zero magnitude and direction; a 1x1 image works
(zeros). Raise ValueError if `image` is not 2-D or is empty. Integer images must not
overflow (compute in float).
"""
# assay: domain = computer_vision
# assay: category = edge_detection
# assay: difficulty = intermediate
# assay: requirements = numpy, scipy
# assay: timeout = 15
# assay: key_concepts = image gradients; Sobel kernels; border handling; gradient direction
# assay: common_mistakes = swapping the x and y kernels; flipping the kernel so the sign is inverted; zero padding that creates false edges at the border; uint8 overflow
# assay: tags = sobel, edges, gradients

import numpy as np


def sobel_edges(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (gradient magnitude, gradient direction) of `image`."""
    img = np.asarray(image, dtype=float)
    if img.ndim != 2 or img.size == 0:
        raise ValueError("image must be a non-empty 2-D array")
    p = np.pad(img, 1, mode="edge")
    h, w = img.shape

    def win(dr: int, dc: int) -> np.ndarray:
        return p[1 + dr:1 + dr + h, 1 + dc:1 + dc + w]

    gx = (win(-1, 1) + 2 * win(0, 1) + win(1, 1)) - (win(-1, -1) + 2 * win(0, -1) + win(1, -1))
    gy = (win(1, -1) + 2 * win(1, 0) + win(1, 1)) - (win(-1, -1) + 2 * win(-1, 0) + win(-1, 1))
    return np.hypot(gx, gy), np.arctan2(gy, gx)


def test_normal_vertical_step_edge():
    img = np.zeros((5, 6))
    img[:, 3:] = 1.0
    mag, ang = sobel_edges(img)
    assert mag.shape == (5, 6)
    assert np.allclose(mag[:, 2], 4.0) and np.allclose(mag[:, 3], 4.0)
    assert np.allclose(mag[:, [0, 5]], 0.0)
    assert np.allclose(ang[:, 2], 0.0)  # gradient points right


def test_normal_horizontal_edge_points_down():
    img = np.zeros((6, 4), dtype=np.uint8)
    img[3:, :] = 255
    mag, ang = sobel_edges(img)
    assert np.allclose(mag[2], 4 * 255.0)
    assert np.allclose(ang[2], np.pi / 2)


def test_edge_case_constant_tiny_and_invalid():
    mag, ang = sobel_edges(np.full((3, 3), 7))
    assert np.all(mag == 0) and np.all(ang == 0)
    mag, _ = sobel_edges(np.array([[5.0]]))
    assert mag.shape == (1, 1) and mag[0, 0] == 0
    for bad in (np.zeros(5), np.zeros((0, 3)), np.zeros((2, 2, 2))):
        try:
            sobel_edges(bad)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_scipy_ndimage():
    from scipy import ndimage
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(16, 12)).astype(np.uint8)
    mag, ang = sobel_edges(img)
    f = img.astype(float)
    gx = ndimage.sobel(f, axis=1, mode="nearest")
    gy = ndimage.sobel(f, axis=0, mode="nearest")
    assert np.allclose(mag, np.hypot(gx, gy))
    assert np.allclose(ang, np.arctan2(gy, gx))
