"""Resize an image with bilinear interpolation using the align-corners convention.

Write `resize_bilinear(image, out_h, out_w)` for a numpy array of shape (H, W) or
(H, W, C). Return a float64 array of shape (out_h, out_w) or (out_h, out_w, C).

Coordinate mapping (align corners): output row i samples source row
y = i * (H - 1) / (out_h - 1), output column j samples source column
x = j * (W - 1) / (out_w - 1); when out_h == 1 (or out_w == 1) use y = 0 (x = 0).
The value is the bilinear interpolation of the four surrounding pixels:
with y0 = floor(y), y1 = min(y0 + 1, H - 1), dy = y - y0 (same for x),

    v = (1-dy)(1-dx) I[y0,x0] + (1-dy) dx I[y0,x1] + dy (1-dx) I[y1,x0] + dy dx I[y1,x1]

Consequences: the four corner pixels are preserved exactly and resizing to the same size
returns the image unchanged (as floats). Channels are interpolated independently. Must be
vectorised (no Python loop over pixels).

Edge cases: raise ValueError if the image is not 2-D or 3-D, is empty, or out_h/out_w are
not positive integers.
"""
# assay: domain = computer_vision
# assay: category = image_resizing
# assay: difficulty = advanced
# assay: requirements = numpy, scipy
# assay: timeout = 15
# assay: key_concepts = bilinear interpolation; coordinate mapping; align corners; vectorised gather
# assay: common_mistakes = mapping with H / out_h instead of (H - 1) / (out_h - 1); reading past the last row or column; swapping dx and dy weights; integer truncation of the result
# assay: tags = resize, interpolation, bilinear

import numpy as np


def resize_bilinear(image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """Return `image` resized to (out_h, out_w) by align-corners bilinear interpolation."""
    img = np.asarray(image, dtype=float)
    if img.ndim not in (2, 3) or img.size == 0:
        raise ValueError("image must be a non-empty 2-D or 3-D array")
    for v in (out_h, out_w):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError("output size must be positive integers")
    h, w = img.shape[:2]
    ys = np.arange(out_h) * ((h - 1) / (out_h - 1)) if out_h > 1 else np.zeros(1)
    xs = np.arange(out_w) * ((w - 1) / (out_w - 1)) if out_w > 1 else np.zeros(1)
    y0 = np.clip(np.floor(ys).astype(int), 0, h - 1)
    x0 = np.clip(np.floor(xs).astype(int), 0, w - 1)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    dy = (ys - y0)[:, None]
    dx = (xs - x0)[None, :]
    if img.ndim == 3:
        dy = dy[..., None]
        dx = dx[..., None]
    top = img[y0][:, x0] * (1 - dx) + img[y0][:, x1] * dx
    bottom = img[y1][:, x0] * (1 - dx) + img[y1][:, x1] * dx
    return top * (1 - dy) + bottom * dy


def test_normal_upscale_2x2():
    img = np.array([[0.0, 10.0], [20.0, 30.0]])
    out = resize_bilinear(img, 3, 3)
    assert np.allclose(out, [[0, 5, 10], [10, 15, 20], [20, 25, 30]])


def test_normal_color_image_and_corners():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(7, 5, 3)).astype(np.uint8)
    out = resize_bilinear(img, 13, 4)
    assert out.shape == (13, 4, 3) and out.dtype == np.float64
    for (r, c), (R, C) in [((0, 0), (0, 0)), ((0, 3), (0, 4)), ((12, 0), (6, 0)), ((12, 3), (6, 4))]:
        assert np.allclose(out[r, c], img[R, C])


def test_edge_case_same_size_and_single_pixel_output():
    img = np.arange(12, dtype=float).reshape(3, 4)
    assert np.array_equal(resize_bilinear(img, 3, 4), img)
    assert resize_bilinear(img, 1, 1).tolist() == [[0.0]]
    assert np.allclose(resize_bilinear(np.array([[4.0]]), 2, 3), 4.0)


def test_edge_case_invalid_arguments():
    for args in ((np.zeros(5), 2, 2), (np.zeros((2, 2)), 0, 2), (np.zeros((2, 2)), 2, 2.5),
                 (np.zeros((0, 2)), 2, 2)):
        try:
            resize_bilinear(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_scipy_regular_grid_interpolator():
    from scipy.interpolate import RegularGridInterpolator
    rng = np.random.default_rng(0)
    img = rng.normal(size=(9, 6))
    out = resize_bilinear(img, 17, 11)
    interp = RegularGridInterpolator((np.arange(9), np.arange(6)), img, method="linear")
    ys = np.linspace(0, 8, 17)
    xs = np.linspace(0, 5, 11)
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    ref = interp(np.stack([yy.ravel(), xx.ravel()], axis=1)).reshape(17, 11)
    assert np.allclose(out, ref)
    # a bilinear function a + b*y + c*x + d*x*y is reproduced exactly
    yy, xx = np.mgrid[0:5, 0:4].astype(float)
    f = 1 + 2 * yy - 3 * xx + 0.5 * xx * yy
    oy, ox = np.meshgrid(np.linspace(0, 4, 9), np.linspace(0, 3, 7), indexing="ij")
    assert np.allclose(resize_bilinear(f, 9, 7), 1 + 2 * oy - 3 * ox + 0.5 * ox * oy)
