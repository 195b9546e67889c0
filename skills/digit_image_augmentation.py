"""Apply geometric augmentations (flips, right-angle rotations, transpose) to an image or a batch of images.

Write `augment(images, op)` where `images` is a numpy array of shape (H, W) (one image) or
(N, H, W) (a batch; the operation applies to each image, i.e. to the last two axes), and
`op` is one of:
- "identity": unchanged copy;
- "hflip": mirror left-right (reverse the column order);
- "vflip": mirror top-bottom (reverse the row order);
- "rot90": rotate 90 degrees counter-clockwise (the top-right pixel moves to the top-left,
  as `np.rot90`), "rot180", "rot270" (= 90 degrees clockwise);
- "transpose": swap rows and columns.
Return a new array (never a view of the input) with the same dtype; rotations by 90/270
degrees and "transpose" swap the H and W dimensions.

Edge cases: raise ValueError for an unknown `op` or if `images` is not 2-D or 3-D.
Empty batches (N == 0) are allowed and keep their shape (with H and W swapped when the
operation swaps them).
"""
# assay: domain = computer_vision
# assay: category = data_augmentation
# assay: difficulty = basic
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = image flips; rotations; batch axes; views versus copies
# assay: common_mistakes = rotating clockwise for rot90; flipping the batch axis of a batch; returning a view that aliases the input; confusing horizontal and vertical flips
# assay: tags = augmentation, rotation, flip, digits

import numpy as np

_OPS = {
    "identity": lambda a: a,
    "hflip": lambda a: a[..., :, ::-1],
    "vflip": lambda a: a[..., ::-1, :],
    "rot90": lambda a: np.rot90(a, 1, axes=(-2, -1)),
    "rot180": lambda a: np.rot90(a, 2, axes=(-2, -1)),
    "rot270": lambda a: np.rot90(a, 3, axes=(-2, -1)),
    "transpose": lambda a: np.swapaxes(a, -1, -2),
}


def augment(images: np.ndarray, op: str) -> np.ndarray:
    """Return a copy of `images` transformed by the augmentation `op`."""
    arr = np.asarray(images)
    if arr.ndim not in (2, 3):
        raise ValueError("images must be (H, W) or (N, H, W)")
    if op not in _OPS:
        raise ValueError("unknown op %r" % (op,))
    return np.ascontiguousarray(_OPS[op](arr)).copy()


def test_normal_small_image_operations():
    a = np.array([[1, 2, 3], [4, 5, 6]])
    assert augment(a, "hflip").tolist() == [[3, 2, 1], [6, 5, 4]]
    assert augment(a, "vflip").tolist() == [[4, 5, 6], [1, 2, 3]]
    assert augment(a, "rot90").tolist() == [[3, 6], [2, 5], [1, 4]]
    assert augment(a, "rot270").tolist() == [[4, 1], [5, 2], [6, 3]]
    assert augment(a, "transpose").tolist() == [[1, 4], [2, 5], [3, 6]]
    assert augment(a, "rot180").tolist() == [[6, 5, 4], [3, 2, 1]]


def test_normal_digits_batch():
    from sklearn.datasets import load_digits
    imgs = load_digits().images[:50]
    out = augment(imgs, "hflip")
    assert out.shape == (50, 8, 8) and out.dtype == imgs.dtype
    assert np.array_equal(out[7], imgs[7][:, ::-1])
    # the batch order is untouched
    assert np.array_equal(augment(imgs, "identity"), imgs)


def test_edge_case_copy_not_view_and_errors():
    a = np.zeros((2, 2))
    out = augment(a, "identity")
    out[0, 0] = 1
    assert a[0, 0] == 0
    assert augment(np.zeros((0, 3, 5)), "rot90").shape == (0, 5, 3)
    for args in ((a, "shear"), (np.zeros(3), "hflip"), (np.zeros((1, 1, 1, 1)), "hflip")):
        try:
            augment(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_group_identities_on_digits():
    from sklearn.datasets import load_digits
    imgs = load_digits().images[:100]
    assert np.array_equal(augment(augment(imgs, "hflip"), "hflip"), imgs)
    r = imgs
    for _ in range(4):
        r = augment(r, "rot90")
    assert np.array_equal(r, imgs)
    assert np.array_equal(augment(augment(imgs, "rot90"), "rot270"), imgs)
    # rot90 == transpose followed by a vertical flip; rot180 == hflip + vflip
    assert np.array_equal(augment(imgs, "rot90"), augment(augment(imgs, "transpose"), "vflip"))
    assert np.array_equal(augment(imgs, "rot180"), augment(augment(imgs, "hflip"), "vflip"))
    for i in (0, 5, 99):
        assert np.array_equal(augment(imgs, "rot270")[i], np.rot90(imgs[i], -1))
