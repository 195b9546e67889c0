"""Implement 2-D discrete convolution of a grayscale image with a kernel in pure numpy.

Write `conv2d(image, kernel, mode="same")` for 2-D float arrays `image` (H, W) and `kernel`
(kh, kw). This is a true convolution (the kernel is flipped), with zero padding outside the
image:

    full[i, j] = sum_{a, b} kernel[a, b] * image[i - a, j - b]     (image = 0 outside)

for 0 <= i < H + kh - 1 and 0 <= j < W + kw - 1. Return a float numpy array:
- mode "full": the whole `full` array, shape (H + kh - 1, W + kw - 1);
- mode "same": shape (H, W), the block of `full` starting at row (kh - 1) // 2 and column
  (kw - 1) // 2 (the `scipy.signal.convolve2d(..., mode="same")` convention, also for even
  kernel sizes);
- mode "valid": shape (H - kh + 1, W - kw + 1), the block starting at (kh - 1, kw - 1)
  (only positions where the kernel fits entirely inside the image).

Edge cases / errors: raise ValueError if either input is not 2-D or is empty, if `mode` is
not one of the three, or if mode is "valid" and the kernel is larger than the image in
either dimension. Loop over the kernel entries, not over pixels (vectorise over the image).
"""
# assay: domain = computer_vision
# assay: category = image_filtering
# assay: difficulty = intermediate
# assay: requirements = numpy, scipy
# assay: timeout = 15
# assay: key_concepts = convolution versus correlation; zero padding; output size modes; vectorisation
# assay: common_mistakes = not flipping the kernel (computing correlation); wrong centring of the same output for even kernels; integer overflow by keeping an integer dtype; looping over pixels in Python
# assay: tags = convolution, filtering, numpy

import numpy as np


def conv2d(image: np.ndarray, kernel: np.ndarray, mode: str = "same") -> np.ndarray:
    """Return the 2-D convolution of `image` with `kernel` in the given mode."""
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2 or image.size == 0 or kernel.size == 0:
        raise ValueError("image and kernel must be non-empty 2-D arrays")
    if mode not in ("full", "same", "valid"):
        raise ValueError("unknown mode %r" % (mode,))
    h, w = image.shape
    kh, kw = kernel.shape
    if mode == "valid" and (kh > h or kw > w):
        raise ValueError("kernel larger than image in valid mode")
    full = np.zeros((h + kh - 1, w + kw - 1))
    for a in range(kh):
        for b in range(kw):
            full[a:a + h, b:b + w] += kernel[a, b] * image
    if mode == "full":
        return full
    if mode == "same":
        r0, c0 = (kh - 1) // 2, (kw - 1) // 2
        return full[r0:r0 + h, c0:c0 + w]
    return full[kh - 1:h, kw - 1:w]


def test_normal_box_blur_same_shape():
    img = np.zeros((5, 5))
    img[2, 2] = 9.0
    out = conv2d(img, np.ones((3, 3)) / 9.0)
    assert out.shape == (5, 5)
    assert np.allclose(out[1:4, 1:4], 1.0)
    assert out[0, 0] == 0.0 and np.isclose(out.sum(), 9.0)


def test_normal_kernel_is_flipped():
    img = np.zeros((3, 3))
    img[1, 1] = 1.0
    k = np.arange(1, 10, dtype=float).reshape(3, 3)
    # convolving an impulse reproduces the kernel itself (correlation would give it flipped)
    assert np.array_equal(conv2d(img, k), k)


def test_edge_case_invalid_inputs():
    bad_calls = [(np.zeros(4), np.ones((1, 1)), "same"), (np.zeros((2, 2)), np.ones((0, 1)), "same"),
                 (np.zeros((2, 2)), np.ones((3, 1)), "valid"), (np.zeros((2, 2)), np.ones((1, 1)), "circular")]
    for img, k, mode in bad_calls:
        try:
            conv2d(img, k, mode)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for %s" % mode)


def test_edge_case_integer_input_and_shapes():
    img = np.full((4, 6), 200, dtype=np.uint8)
    out = conv2d(img, np.ones((2, 2), dtype=np.uint8), "valid")
    assert out.shape == (3, 5) and np.all(out == 800.0)
    assert conv2d(np.ones((1, 1)), np.ones((3, 2)), "full").shape == (3, 2)


def test_correctness_matches_scipy_convolve2d():
    from scipy.signal import convolve2d
    rng = np.random.default_rng(0)
    img = rng.normal(size=(13, 11))
    for shape in [(3, 3), (2, 4), (5, 2), (1, 1)]:
        k = rng.normal(size=shape)
        for mode in ("full", "same", "valid"):
            assert np.allclose(conv2d(img, k, mode), convolve2d(img, k, mode=mode)), (shape, mode)
