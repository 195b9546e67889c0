"""Measure the loudness of an audio signal as RMS and as decibels relative to full scale (dBFS), overall and per frame.

Write `rms_dbfs(x, frame_length=None, floor_db=-120.0)` for a 1-D float signal with full
scale 1.0. Return a tuple `(rms, db)`:
- if `frame_length` is None: `rms` is the float sqrt(mean(x**2)) of the whole signal and
  `db` the float 20 * log10(rms), but never below `floor_db` (a silent signal gives
  exactly `floor_db`);
- otherwise the signal is cut into consecutive non-overlapping frames of `frame_length`
  samples (a final partial frame is kept and measured over its own length), and `rms`,
  `db` are 1-D float numpy arrays with one value per frame.

Reference points: a full-scale sine has RMS 1/sqrt(2), about -3.01 dBFS; a full-scale
square wave 0 dBFS.

Edge cases: raise ValueError for an empty or non-1-D signal, or frame_length < 1.
"""
# assay: domain = audio
# assay: category = audio_features
# assay: difficulty = basic
# assay: requirements = numpy
# assay: key_concepts = root mean square; decibels; full-scale reference; framing; log of zero
# assay: common_mistakes = using 10*log10 for an amplitude ratio; taking the log of zero and returning -inf; dropping the final partial frame; averaging absolute values instead of squares
# assay: tags = rms, loudness, decibel

import numpy as np


def rms_dbfs(x: np.ndarray, frame_length: int | None = None,
             floor_db: float = -120.0) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Return (rms, dBFS), for the whole signal or per frame."""
    sig = np.asarray(x, dtype=float)
    if sig.ndim != 1 or sig.size == 0:
        raise ValueError("x must be a non-empty 1-D signal")

    def to_db(r):
        with np.errstate(divide="ignore"):
            return np.maximum(20 * np.log10(r), floor_db)

    if frame_length is None:
        r = float(np.sqrt(np.mean(sig ** 2)))
        return r, float(to_db(r))
    if frame_length < 1:
        raise ValueError("frame_length must be >= 1")
    starts = range(0, sig.size, frame_length)
    r = np.array([np.sqrt(np.mean(sig[s:s + frame_length] ** 2)) for s in starts])
    return r, to_db(r)


def test_normal_full_scale_sine_and_square():
    t = np.arange(48000) / 48000
    r, db = rms_dbfs(np.sin(2 * np.pi * 100 * t))
    assert abs(r - 1 / np.sqrt(2)) < 1e-6 and abs(db - (-3.0103)) < 1e-3
    square = np.where(np.arange(1000) % 2 == 0, 1.0, -1.0)
    assert rms_dbfs(square) == (1.0, 0.0)


def test_normal_framewise_levels():
    x = np.concatenate([np.full(100, 0.5), np.zeros(100), np.full(50, 0.1)])
    r, db = rms_dbfs(x, frame_length=100)
    assert r.shape == (3,) and np.allclose(r, [0.5, 0.0, 0.1])
    assert np.allclose(db, [20 * np.log10(0.5), -120.0, -20.0])


def test_edge_case_silence_and_errors():
    r, db = rms_dbfs(np.zeros(10), floor_db=-90.0)
    assert r == 0.0 and db == -90.0
    for args in ((np.array([]),), (np.zeros((2, 2)),), (np.ones(4), 0)):
        try:
            rms_dbfs(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_reference_per_frame():
    rng = np.random.default_rng(0)
    x = rng.normal(scale=0.2, size=1037)
    r, db = rms_dbfs(x, frame_length=128)
    assert r.shape == (9,)
    for i in range(9):
        seg = x[i * 128:(i + 1) * 128]
        assert np.isclose(r[i], np.sqrt(np.mean(seg ** 2)))
        assert np.isclose(db[i], 10 * np.log10(np.mean(seg ** 2)))
    # halving the amplitude lowers the level by 6.02 dB
    assert np.isclose(rms_dbfs(x)[1] - rms_dbfs(x / 2)[1], 20 * np.log10(2))
