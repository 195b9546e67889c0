"""Slice an audio signal into overlapping, windowed analysis frames, as done before computing a spectrogram.

Write `frame_signal(x, frame_length, hop_length, window="hann", pad=True)` for a 1-D signal.
Return a float64 numpy array of shape (n_frames, frame_length) whose row i is
x[i * hop_length : i * hop_length + frame_length] multiplied element-wise by the window.

- window "hann" is the symmetric Hann window `np.hanning(frame_length)`; "hamming" is
  `np.hamming(frame_length)`; "rect" is all ones.
- pad=True: the signal is zero-padded at the end so every sample belongs to some frame:
  n_frames = 1 + ceil(max(0, len(x) - frame_length) / hop_length) (at least one frame for
  a non-empty signal).
- pad=False: only frames lying entirely inside the signal:
  n_frames = 1 + (len(x) - frame_length) // hop_length, or 0 if len(x) < frame_length.

Edge cases: an empty signal gives an array of shape (0, frame_length). Raise ValueError for
a non-1-D signal, frame_length < 1, hop_length < 1, or an unknown window name.
"""
# assay: domain = audio
# assay: category = audio_preprocessing
# assay: difficulty = basic
# assay: requirements = numpy
# assay: key_concepts = framing; hop length and overlap; window functions; zero padding
# assay: common_mistakes = dropping the tail of the signal when padding is requested; applying the window before slicing; an extra all-padding frame; using the periodic instead of the symmetric Hann window
# assay: tags = framing, window, stft

import math

import numpy as np


def frame_signal(x: np.ndarray, frame_length: int, hop_length: int, window: str = "hann",
                 pad: bool = True) -> np.ndarray:
    """Return the windowed frames of `x` as an (n_frames, frame_length) array."""
    sig = np.asarray(x, dtype=float)
    if sig.ndim != 1:
        raise ValueError("x must be 1-D")
    if frame_length < 1 or hop_length < 1:
        raise ValueError("frame_length and hop_length must be >= 1")
    windows = {"hann": np.hanning, "hamming": np.hamming, "rect": np.ones}
    if window not in windows:
        raise ValueError("unknown window %r" % (window,))
    win = windows[window](frame_length).astype(float)
    n = sig.size
    if n == 0:
        return np.zeros((0, frame_length))
    if pad:
        n_frames = 1 + math.ceil(max(0, n - frame_length) / hop_length)
    else:
        n_frames = 0 if n < frame_length else 1 + (n - frame_length) // hop_length
    need = (n_frames - 1) * hop_length + frame_length if n_frames else 0
    padded = np.concatenate([sig, np.zeros(max(0, need - n))])
    idx = np.arange(n_frames)[:, None] * hop_length + np.arange(frame_length)[None, :]
    return padded[idx] * win


def test_normal_rect_frames_with_overlap():
    x = np.arange(10, dtype=float)
    f = frame_signal(x, 4, 2, window="rect")
    assert f.shape == (4, 4)
    assert f[0].tolist() == [0, 1, 2, 3] and f[3].tolist() == [6, 7, 8, 9]


def test_normal_padding_and_window():
    x = np.ones(11)
    f = frame_signal(x, 4, 3)
    # 1 + ceil(7 / 3) = 4 frames, the last one is [x9, x10, 0, 0] * hann
    assert f.shape == (4, 4)
    assert np.allclose(f[0], np.hanning(4))
    assert np.allclose(f[3], np.hanning(4) * [1, 1, 0, 0])
    assert frame_signal(x, 4, 3, pad=False).shape == (3, 4)


def test_edge_case_short_empty_invalid():
    assert frame_signal(np.ones(3), 8, 4).shape == (1, 8)
    assert frame_signal(np.ones(3), 8, 4, pad=False).shape == (0, 8)
    assert frame_signal(np.array([]), 8, 4).shape == (0, 8)
    for args, kwargs in (((np.ones(4), 0, 1), {}), ((np.ones(4), 2, 0), {}),
                         ((np.ones((2, 2)), 2, 1), {}), ((np.ones(4), 2, 1), {"window": "kaiser"})):
        try:
            frame_signal(*args, **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sliding_window_view():
    rng = np.random.default_rng(0)
    x = rng.normal(size=1000)
    for fl, hop in ((256, 128), (100, 33), (64, 64)):
        f = frame_signal(x, fl, hop, window="hamming", pad=False)
        ref = np.lib.stride_tricks.sliding_window_view(x, fl)[::hop] * np.hamming(fl)
        assert np.allclose(f, ref)
        g = frame_signal(x, fl, hop, window="rect", pad=True)
        covered = (g.shape[0] - 1) * hop + fl
        assert covered >= len(x) and covered - hop < len(x)
        assert np.allclose(g[:ref.shape[0]], ref / np.hamming(fl))
