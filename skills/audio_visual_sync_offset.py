"""Estimate the time offset between an audio track and a video track by maximising the correlation of their activity signals.

Write `sync_offset(audio_env, video_motion, max_lag)` with numpy. `audio_env` and
`video_motion` are 1-D float arrays sampled at the same frame rate (e.g. audio loudness per
video frame and per-frame motion energy). For every integer lag L in [-max_lag, max_lag],
compare audio_env[t + L] with video_motion[t] over all t where both indices are valid,
and compute the Pearson correlation of the two overlapping segments (0.0 if the overlap has
fewer than 2 samples or either segment is constant).

Return `(best_lag, best_corr)`: the lag with the highest correlation (a positive lag means
the audio is late: events appear L frames later in the audio), ties broken by the smaller
|L| and then by the negative lag, and its correlation as a float.

Edge cases: raise ValueError if either input is not 1-D or is empty, or if max_lag < 0.
max_lag may exceed the signal lengths (lags without overlap score 0.0).
"""
# assay: domain = multimodal
# assay: category = temporal_alignment
# assay: difficulty = intermediate
# assay: requirements = numpy
# assay: key_concepts = cross-correlation; Pearson correlation on overlaps; lag sign conventions; audio-visual synchronisation
# assay: common_mistakes = using raw dot products so longer overlaps win; inverting the sign of the lag; dividing by zero on constant segments; wrapping around with circular shifts
# assay: tags = synchronization, cross-correlation, audio-visual, alignment

import numpy as np


def sync_offset(audio_env: np.ndarray, video_motion: np.ndarray, max_lag: int) -> tuple[int, float]:
    """Return (best lag, correlation) aligning audio_env[t + lag] with video_motion[t]."""
    a = np.asarray(audio_env, dtype=float)
    v = np.asarray(video_motion, dtype=float)
    if a.ndim != 1 or v.ndim != 1 or a.size == 0 or v.size == 0:
        raise ValueError("inputs must be non-empty 1-D arrays")
    if max_lag < 0:
        raise ValueError("max_lag must be >= 0")
    best = None
    for lag in sorted(range(-max_lag, max_lag + 1), key=lambda L: (abs(L), L)):
        t0 = max(0, -lag)
        t1 = min(v.size, a.size - lag)
        corr = 0.0
        if t1 - t0 >= 2:
            x = a[t0 + lag:t1 + lag]
            y = v[t0:t1]
            sx, sy = x.std(), y.std()
            if sx > 0 and sy > 0:
                corr = float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))
        if best is None or corr > best[1]:
            best = (lag, corr)
    return best


def test_normal_recovers_delay():
    rng = np.random.default_rng(0)
    motion = rng.random(300)
    audio = np.concatenate([rng.random(7), motion])[:300]     # audio is 7 frames late
    lag, corr = sync_offset(audio, motion, max_lag=20)
    assert lag == 7 and corr > 0.99


def test_normal_negative_lag_with_noise():
    rng = np.random.default_rng(1)
    events = (rng.random(400) < 0.05).astype(float)
    motion = np.convolve(events, np.ones(3), mode="same") + 0.1 * rng.normal(size=400)
    audio = np.roll(np.convolve(events, np.ones(3), mode="same"), -4) + 0.1 * rng.normal(size=400)
    lag, corr = sync_offset(audio, motion, max_lag=10)
    assert lag == -4 and corr > 0.8


def test_edge_case_constant_short_and_invalid():
    lag, corr = sync_offset(np.ones(10), np.arange(10.0), max_lag=3)
    assert (lag, corr) == (0, 0.0)
    lag, corr = sync_offset(np.array([1.0, 2.0]), np.array([3.0, 4.0]), max_lag=50)
    assert lag == 0 and np.isclose(corr, 1.0)
    for args in ((np.zeros(0), np.ones(3), 1), (np.ones((2, 2)), np.ones(3), 1), (np.ones(3), np.ones(3), -1)):
        try:
            sync_offset(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_numpy_corrcoef():
    rng = np.random.default_rng(2)
    a, v = rng.normal(size=60), rng.normal(size=45)
    lag, corr = sync_offset(a, v, max_lag=8)
    scores = {}
    for L in range(-8, 9):
        idx = [t for t in range(45) if 0 <= t + L < 60]
        scores[L] = np.corrcoef(a[[t + L for t in idx]], v[idx])[0, 1]
    best = max(scores.values())
    assert np.isclose(corr, best)
    assert np.isclose(scores[lag], best)
