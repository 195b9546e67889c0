"""Change the sample rate of an audio signal by linear interpolation.

Write `resample_linear(x, sr_in, sr_out)` for a 1-D signal `x` sampled at `sr_in` Hz
(positive ints). Return a float64 numpy array sampled at `sr_out` Hz:
- the output length is n_out = (len(x) * sr_out) // sr_in (integer division);
- output sample j corresponds to time j / sr_out, i.e. to the fractional input position
  p = j * sr_in / sr_out; its value is the linear interpolation between x[floor(p)] and
  x[floor(p) + 1] (positions past the last input sample take the last sample's value), as
  `np.interp` computes it.
When sr_in == sr_out the signal is returned unchanged (as float64 copy).

Edge cases: an empty signal gives an empty float64 array. Raise ValueError if x is not 1-D
or a rate is not a positive integer.
"""
# assay: domain = audio
# assay: category = resampling
# assay: difficulty = basic
# assay: requirements = numpy
# assay: key_concepts = sample rate conversion; linear interpolation; time axes; output length
# assay: common_mistakes = swapping the rate ratio; computing positions with sr_out / sr_in; using float rounding for the output length; interpolating against sample indices of the wrong signal
# assay: tags = resample, interpolation, sample-rate

import numpy as np


def resample_linear(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Return `x` resampled from `sr_in` to `sr_out` Hz by linear interpolation."""
    sig = np.asarray(x, dtype=float)
    if sig.ndim != 1:
        raise ValueError("x must be 1-D")
    for r in (sr_in, sr_out):
        if not isinstance(r, (int, np.integer)) or isinstance(r, bool) or r <= 0:
            raise ValueError("sample rates must be positive integers")
    if sig.size == 0:
        return np.zeros(0)
    n_out = (sig.size * sr_out) // sr_in
    pos = np.arange(n_out) * (sr_in / sr_out)
    return np.interp(pos, np.arange(sig.size), sig)


def test_normal_upsample_doubles_length():
    out = resample_linear(np.array([0.0, 2.0, 4.0]), 1, 2)
    assert out.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 4.0]


def test_normal_downsample_keeps_tone_frequency():
    sr_in, sr_out = 48000, 16000
    t = np.arange(4800) / sr_in
    y = resample_linear(np.sin(2 * np.pi * 1000 * t), sr_in, sr_out)
    assert y.shape == (1600,)
    t_out = np.arange(1600) / sr_out
    assert np.allclose(y, np.sin(2 * np.pi * 1000 * t_out), atol=1e-9)


def test_edge_case_identity_empty_invalid():
    x = np.array([1, 5, 2], dtype=np.int16)
    out = resample_linear(x, 8000, 8000)
    assert out.dtype == np.float64 and out.tolist() == [1.0, 5.0, 2.0]
    assert resample_linear(np.array([]), 8000, 16000).shape == (0,)
    for args in ((np.zeros((2, 2)), 1, 2), (np.zeros(3), 0, 2), (np.zeros(3), 8000, 44100.5)):
        try:
            resample_linear(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_explicit_interpolation():
    rng = np.random.default_rng(0)
    x = rng.normal(size=441)
    y = resample_linear(x, 44100, 22050 + 7)
    assert len(y) == (441 * 22057) // 44100
    for j in (0, 1, 57, len(y) - 1):
        p = j * 44100 / 22057
        i = int(np.floor(p))
        frac = p - i
        ref = x[i] * (1 - frac) + x[min(i + 1, 440)] * frac
        assert np.isclose(y[j], ref)
    # a linear ramp stays a ramp
    ramp = np.arange(100, dtype=float)
    y = resample_linear(ramp, 3, 7)
    assert len(y) == 233
    assert np.allclose(y, np.minimum(np.arange(233) * 3 / 7, 99.0))
