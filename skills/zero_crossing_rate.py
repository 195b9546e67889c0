"""Compute the frame-wise zero-crossing rate (ZCR) of an audio signal.

Write `zero_crossing_rate(x, frame_length=2048, hop_length=512)` for a 1-D numeric signal.
Return a 1-D float64 numpy array with one value per frame.

- Frames start at 0, hop_length, 2*hop_length, ... and only frames that fit entirely in the
  signal are used: n_frames = 1 + (len(x) - frame_length) // hop_length, or 0 frames if
  len(x) < frame_length.
- A sample is "positive" if it is >= 0 and "negative" otherwise (so 0 counts as positive).
- The ZCR of a frame is the number of adjacent sample pairs inside the frame whose signs
  differ, divided by (frame_length - 1).

For a sine of frequency f sampled at sr the ZCR is about 2 * f / sr. The computation must
be vectorised (no Python loop over samples).

Edge cases: a signal shorter than one frame gives an empty float64 array. Raise ValueError
if x is not 1-D, if frame_length < 2 or if hop_length < 1.
"""
# assay: domain = audio
# assay: category = audio_features
# assay: difficulty = intermediate
# assay: requirements = numpy
# assay: key_concepts = zero-crossing rate; framing with hop length; sign conventions; vectorisation with strides
# assay: common_mistakes = counting the pair that straddles two frames; treating 0 as its own sign so crossings through 0 count twice; dividing by frame_length instead of frame_length - 1; padding partial frames
# assay: tags = zcr, audio-features, framing

import numpy as np


def zero_crossing_rate(x: np.ndarray, frame_length: int = 2048, hop_length: int = 512) -> np.ndarray:
    """Return the zero-crossing rate of each full frame of `x`."""
    sig = np.asarray(x, dtype=float)
    if sig.ndim != 1:
        raise ValueError("x must be 1-D")
    if frame_length < 2 or hop_length < 1:
        raise ValueError("need frame_length >= 2 and hop_length >= 1")
    if sig.size < frame_length:
        return np.zeros(0, dtype=np.float64)
    frames = np.lib.stride_tricks.sliding_window_view(sig, frame_length)[::hop_length]
    pos = frames >= 0
    changes = np.count_nonzero(pos[:, 1:] != pos[:, :-1], axis=1)
    return changes / (frame_length - 1)


def test_normal_sine_rate():
    sr = 16000
    t = np.arange(sr) / sr
    z = zero_crossing_rate(np.sin(2 * np.pi * 500 * t + 0.1), 2048, 512)
    assert z.shape == (1 + (16000 - 2048) // 512,)
    assert np.allclose(z, 2 * 500 / sr, atol=2 / 2047)


def test_normal_noise_crosses_more_than_tone():
    rng = np.random.default_rng(0)
    noise = rng.normal(size=8000)
    tone = np.sin(2 * np.pi * 100 * np.arange(8000) / 8000)
    assert zero_crossing_rate(noise, 1024, 256).mean() > 10 * zero_crossing_rate(tone, 1024, 256).mean()


def test_edge_case_short_zero_and_invalid():
    out = zero_crossing_rate(np.ones(10), frame_length=16)
    assert out.shape == (0,) and out.dtype == np.float64
    # zeros count as positive: 0, -1, 0, -1 has 3 crossings over 3 pairs
    assert zero_crossing_rate(np.array([0.0, -1.0, 0.0, -1.0]), 4, 1).tolist() == [1.0]
    assert zero_crossing_rate(np.zeros(5), 5, 1).tolist() == [0.0]
    for kwargs in ({"frame_length": 1}, {"hop_length": 0}):
        try:
            zero_crossing_rate(np.ones(10), **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")
    try:
        zero_crossing_rate(np.ones((3, 3)), 2, 1)
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError for 2-D input")


def test_correctness_against_python_loop():
    rng = np.random.default_rng(0)
    x = rng.normal(size=3001) + 0.3
    fl, hop = 200, 70
    z = zero_crossing_rate(x, fl, hop)
    expected = []
    start = 0
    while start + fl <= len(x):
        f = x[start:start + fl]
        expected.append(sum((f[i] >= 0) != (f[i + 1] >= 0) for i in range(fl - 1)) / (fl - 1))
        start += hop
    assert np.allclose(z, expected)
