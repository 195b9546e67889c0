"""Find the global binarisation threshold of a grayscale image with Otsu's method.

Write `otsu_threshold(image)` for an integer numpy array with values in 0..255 (any shape).
Return the int threshold t such that splitting the pixels into class 0 (value <= t) and
class 1 (value > t) maximises the between-class variance

    w0 * w1 * (mu0 - mu1) ** 2

where w0, w1 are the fractions of pixels in each class and mu0, mu1 the class means. Only
thresholds t in 0..254 where both classes are non-empty are candidates; on ties return the
smallest t. Use the histogram (256 bins) and cumulative sums, not a loop over pixels.

Edge cases: if the image has a single distinct value v (no candidate threshold) return v.
Raise ValueError for an empty image, non-integer dtype, or values outside 0..255.
"""
# assay: domain = computer_vision
# assay: category = segmentation
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = Otsu's method; between-class variance; histograms; cumulative moments
# assay: common_mistakes = using < t instead of <= t for class 0; dividing by zero for empty classes; returning the threshold index off by one; looping over pixels per threshold
# assay: tags = otsu, threshold, binarization

import numpy as np


def otsu_threshold(image: np.ndarray) -> int:
    """Return Otsu's threshold of an 8-bit grayscale image."""
    img = np.asarray(image)
    if img.size == 0:
        raise ValueError("empty image")
    if not np.issubdtype(img.dtype, np.integer):
        raise ValueError("image must have an integer dtype")
    if img.min() < 0 or img.max() > 255:
        raise ValueError("values must be in 0..255")
    hist = np.bincount(img.ravel().astype(np.int64), minlength=256).astype(float)
    n = hist.sum()
    levels = np.arange(256)
    c0 = np.cumsum(hist)[:255]
    s0 = np.cumsum(hist * levels)[:255]
    total = (hist * levels).sum()
    c1 = n - c0
    valid = (c0 > 0) & (c1 > 0)
    if not valid.any():
        return int(img.ravel()[0])
    mu0 = np.where(valid, s0 / np.where(c0 > 0, c0, 1), 0)
    mu1 = np.where(valid, (total - s0) / np.where(c1 > 0, c1, 1), 0)
    var = np.where(valid, (c0 / n) * (c1 / n) * (mu0 - mu1) ** 2, -1.0)
    return int(np.argmax(var))


def test_normal_bimodal_image():
    rng = np.random.default_rng(0)
    dark = rng.normal(50, 8, size=2000)
    bright = rng.normal(190, 8, size=2000)
    img = np.clip(np.concatenate([dark, bright]), 0, 255).astype(np.uint8).reshape(40, 100)
    t = otsu_threshold(img)
    # every t between the two modes separates them; ties go to the smallest one
    assert t == img.ravel()[:2000].max()
    assert ((img <= t) == (np.arange(4000).reshape(40, 100) < 2000)).all()


def test_normal_two_values():
    img = np.array([[10, 10, 200], [200, 10, 200]], dtype=np.uint8)
    # any t in 10..199 separates perfectly; the smallest is returned
    assert otsu_threshold(img) == 10


def test_edge_case_constant_and_invalid():
    assert otsu_threshold(np.full((4, 4), 37, dtype=np.uint8)) == 37
    assert otsu_threshold(np.full(3, 255)) == 255
    for bad in (np.array([], dtype=np.uint8), np.array([1.5, 2.0]), np.array([0, 300]), np.array([-1, 5])):
        try:
            otsu_threshold(bad)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for %r" % (bad,))


def test_correctness_brute_force_search():
    from sklearn.datasets import load_digits
    imgs = (load_digits().images[:8] * 15).astype(np.uint8)
    for img in imgs:
        v = img.ravel().astype(float)
        best, best_t = -1.0, None
        for t in range(255):
            a, b = v[v <= t], v[v > t]
            if a.size == 0 or b.size == 0:
                continue
            score = (a.size / v.size) * (b.size / v.size) * (a.mean() - b.mean()) ** 2
            if score > best + 1e-9:
                best, best_t = score, t
        assert otsu_threshold(img) == best_t
