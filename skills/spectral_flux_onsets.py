"""Detect note onsets in an audio signal with half-wave-rectified spectral flux and peak picking.

Write `detect_onsets(x, sample_rate, frame_length=512, hop_length=256, threshold=0.3)` for a
1-D signal. Return the list of onset times in seconds (floats, increasing).

1. Frames: only full frames, frame i = x[i*hop : i*hop + frame_length] for
   i = 0 .. (len(x) - frame_length) // hop_length, each multiplied by `np.hanning(frame_length)`.
2. M[i] = |np.fft.rfft(frame i)| (magnitude spectrum).
3. Spectral flux: flux[0] = 0 and, for i >= 1, flux[i] = sum over bins of max(0, M[i] - M[i-1])
   (only increases of energy count).
4. If max(flux) == 0 return []. Otherwise divide flux by its maximum (values in [0, 1]).
5. Frame i (i >= 1) is an onset if flux[i] >= threshold, flux[i] > flux[i-1], and
   (i is the last frame or flux[i] >= flux[i+1]).
6. The onset time of frame i is i * hop_length / sample_rate.
Vectorise the spectral computations with numpy.

Edge cases: a signal shorter than one frame, or silence, gives []. Raise ValueError if x
is not 1-D, sample_rate <= 0, frame_length < 2, hop_length < 1, or threshold is outside
[0, 1].
"""
# assay: domain = audio
# assay: category = onset_detection
# assay: difficulty = advanced
# assay: requirements = numpy
# assay: key_concepts = short-time Fourier transform; spectral flux; half-wave rectification; peak picking; frame-to-time conversion
# assay: common_mistakes = counting energy decreases so note endings become onsets; using the raw signal energy instead of spectral change; converting frames to time with frame_length instead of hop_length; reporting every frame above threshold instead of local peaks
# assay: tags = onset, spectral-flux, stft, music

import numpy as np


def detect_onsets(x: np.ndarray, sample_rate: int, frame_length: int = 512, hop_length: int = 256,
                  threshold: float = 0.3) -> list[float]:
    """Return onset times (seconds) found by spectral-flux peak picking."""
    sig = np.asarray(x, dtype=float)
    if sig.ndim != 1:
        raise ValueError("x must be 1-D")
    if sample_rate <= 0 or frame_length < 2 or hop_length < 1 or not 0 <= threshold <= 1:
        raise ValueError("invalid parameters")
    if sig.size < frame_length:
        return []
    frames = np.lib.stride_tricks.sliding_window_view(sig, frame_length)[::hop_length]
    mag = np.abs(np.fft.rfft(frames * np.hanning(frame_length), axis=1))
    flux = np.zeros(len(mag))
    flux[1:] = np.maximum(0.0, np.diff(mag, axis=0)).sum(axis=1)
    peak = flux.max()
    if peak <= 0:
        return []
    flux = flux / peak
    onsets = []
    n = len(flux)
    for i in range(1, n):
        if flux[i] >= threshold and flux[i] > flux[i - 1] and (i == n - 1 or flux[i] >= flux[i + 1]):
            onsets.append(i * hop_length / sample_rate)
    return onsets


def test_normal_three_tone_bursts():
    sr = 8000
    x = np.zeros(sr * 2)
    t = np.arange(int(0.4 * sr)) / sr
    starts = [0.25, 0.9, 1.5]
    for s, f in zip(starts, (440, 660, 880)):
        i = int(s * sr)
        # plucked notes: sharp attack, exponential decay (no click at the end)
        x[i:i + t.size] = np.sin(2 * np.pi * f * t) * np.exp(-t * 15)
    onsets = detect_onsets(x, sr)
    assert len(onsets) == 3
    for got, want in zip(onsets, starts):
        assert abs(got - want) <= 2 * 256 / sr


def test_normal_pitch_change_without_silence():
    sr = 8000
    t = np.arange(sr) / sr
    x = np.where(t < 0.5, np.sin(2 * np.pi * 300 * t), np.sin(2 * np.pi * 1200 * t))
    x[:800] = 0.0
    onsets = detect_onsets(x, sr, threshold=0.2)
    assert len(onsets) == 2
    assert abs(onsets[0] - 0.1) <= 0.064 and abs(onsets[1] - 0.5) <= 0.064


def test_edge_case_silence_short_invalid():
    assert detect_onsets(np.zeros(4000), 8000) == []
    assert detect_onsets(np.ones(100), 8000) == []
    for args, kwargs in (((np.zeros((10, 10)), 8000), {}), ((np.zeros(1000), 0), {}),
                         ((np.zeros(1000), 8000), {"threshold": 1.5}),
                         ((np.zeros(1000), 8000), {"hop_length": 0})):
        try:
            detect_onsets(*args, **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_against_explicit_loops():
    rng = np.random.default_rng(0)
    sr, fl, hop = 4000, 128, 64
    x = np.zeros(4000)
    for s in (300, 1500, 2600, 3300):
        x[s:s + 400] += rng.normal(size=400) * rng.uniform(0.5, 1.5)
    got = detect_onsets(x, sr, fl, hop, threshold=0.1)
    win = np.hanning(fl)
    mags = [np.abs(np.fft.rfft(x[i:i + fl] * win)) for i in range(0, len(x) - fl + 1, hop)]
    flux = [0.0] + [float(np.sum(np.maximum(0, b - a))) for a, b in zip(mags, mags[1:])]
    m = max(flux)
    flux = [f / m for f in flux]
    want = [i * hop / sr for i in range(1, len(flux))
            if flux[i] >= 0.1 and flux[i] > flux[i - 1] and (i == len(flux) - 1 or flux[i] >= flux[i + 1])]
    assert np.allclose(got, want) and len(got) == len(want)
    assert any(abs(o - 300 / sr) <= 2 * hop / sr for o in got)
