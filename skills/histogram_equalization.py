"""Enhance the contrast of an 8-bit grayscale image by histogram equalization.

Write `equalize_histogram(image)` for a 2-D numpy array of dtype uint8 and return a new
uint8 array of the same shape.

With N pixels, hist[v] the number of pixels of value v (v = 0..255), cdf the cumulative sum
of hist and cdf_min the smallest non-zero value of cdf (the count of the darkest present
value), each pixel of value v becomes

    round( (cdf[v] - cdf_min) / (N - cdf_min) * 255 )

using numpy's `np.round` (half to even). The darkest present value maps to 0 and the
brightest to 255.

Edge cases: if the image has a single distinct value (N == cdf_min) return an unchanged
copy. Raise ValueError if the array is not 2-D, is empty, or its dtype is not uint8. The
input array must not be modified.
"""
# assay: domain = computer_vision
# assay: category = image_enhancement
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = intensity histogram; cumulative distribution function; lookup tables; contrast stretching
# assay: common_mistakes = not subtracting cdf_min so black is not 0; dividing by N instead of N - cdf_min; dividing by zero on a constant image; returning floats instead of uint8
# assay: tags = histogram, contrast, lookup-table

import numpy as np


def equalize_histogram(image: np.ndarray) -> np.ndarray:
    """Return the histogram-equalized copy of a uint8 grayscale image."""
    if not isinstance(image, np.ndarray) or image.ndim != 2 or image.size == 0:
        raise ValueError("image must be a non-empty 2-D array")
    if image.dtype != np.uint8:
        raise ValueError("image must have dtype uint8")
    hist = np.bincount(image.ravel(), minlength=256)
    cdf = np.cumsum(hist)
    n = image.size
    cdf_min = cdf[np.nonzero(cdf)[0][0]]
    if n == cdf_min:
        return image.copy()
    lut = np.round((cdf - cdf_min) / (n - cdf_min) * 255)
    lut = np.clip(lut, 0, 255).astype(np.uint8)
    return lut[image]


def test_normal_low_contrast_digit_is_stretched():
    from sklearn.datasets import load_digits
    img = (load_digits().images[0] * 4 + 100).astype(np.uint8)  # values in 100..164
    out = equalize_histogram(img)
    assert out.dtype == np.uint8 and out.shape == (8, 8)
    assert out.min() == 0 and out.max() == 255


def test_edge_case_constant_and_invalid():
    img = np.full((3, 4), 77, dtype=np.uint8)
    out = equalize_histogram(img)
    assert np.array_equal(out, img) and out is not img
    for bad in (np.zeros((2, 2), dtype=np.float64), np.zeros(4, dtype=np.uint8),
                np.zeros((0, 3), dtype=np.uint8)):
        try:
            equalize_histogram(bad)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_edge_case_input_not_modified():
    img = np.array([[0, 10], [10, 20]], dtype=np.uint8)
    before = img.copy()
    out = equalize_histogram(img)
    assert np.array_equal(img, before)
    # counts 0:1, 10:2, 20:1 -> cdf 1, 3, 4 ; cdf_min = 1, N = 4
    assert out.tolist() == [[0, 170], [170, 255]]


def test_correctness_hand_computed_lut():
    img = np.array([[52, 55, 61], [52, 61, 61], [70, 70, 200]], dtype=np.uint8)
    # counts: 52:2 55:1 61:3 70:2 200:1 -> cdf 2,3,6,8,9 ; cdf_min=2, N=9
    expected = {52: 0, 55: np.round(1 / 7 * 255), 61: np.round(4 / 7 * 255),
                70: np.round(6 / 7 * 255), 200: 255}
    out = equalize_histogram(img)
    for v, e in expected.items():
        assert np.all(out[img == v] == e)


def test_correctness_monotone_and_flattened():
    rng = np.random.default_rng(0)
    img = np.clip(rng.normal(120, 10, size=(64, 64)), 0, 255).astype(np.uint8)
    out = equalize_histogram(img)
    order = np.argsort(img.ravel(), kind="stable")
    assert np.all(np.diff(out.ravel()[order].astype(int)) >= 0)
    # equalized quartiles are close to a uniform distribution's
    q = np.percentile(out, [25, 50, 75])
    assert np.all(np.abs(q - np.array([64, 128, 191])) < 12)
