"""Estimate the dominant frequency of an audio signal from its windowed FFT with parabolic peak interpolation.

Write `peak_frequency(x, sample_rate)` for a 1-D real signal of n >= 4 samples. Return the
estimated frequency in Hz (float):
1. Subtract the signal's mean (remove the DC offset, which would otherwise leak into the
   first bins through the window), multiply by a Hann window (`np.hanning(n)`) and take
   the magnitude of the real FFT (`np.fft.rfft`), giving bins k = 0 .. n//2 with bin
   frequency k * sample_rate / n.
2. Ignore the DC bin (k = 0); let k be the bin with the largest magnitude among 1 .. n//2
   (the first one on ties).
3. If 1 <= k - 1 and k + 1 <= n//2, refine with a parabola through the log-magnitudes
   a = ln|X[k-1]|, b = ln|X[k]|, c = ln|X[k+1]|:
   delta = 0.5 * (a - c) / (a - 2b + c) (delta = 0 if the denominator is 0), and return
   (k + delta) * sample_rate / n. Otherwise (peak next to DC or at the last bin) return
   k * sample_rate / n.

Edge cases: a constant (e.g. all-zero) signal returns 0.0 (treat magnitudes below
1e-12 * n as zero). Raise ValueError if the signal is not 1-D, has
fewer than 4 samples, or sample_rate <= 0. (Add a tiny constant such as 1e-300 inside the
logarithms so zero magnitudes do not produce -inf.)
"""
# assay: domain = audio
# assay: category = spectral_analysis
# assay: difficulty = intermediate
# assay: requirements = numpy
# assay: key_concepts = FFT; windowing and spectral leakage; frequency resolution; parabolic (quadratic) peak interpolation
# assay: common_mistakes = not removing the DC offset so its leakage wins; using np.fft.fft and finding a mirrored negative-frequency peak; picking the DC bin for signals with an offset; converting bins with sample_rate / (n - 1); interpolating on linear instead of log magnitudes
# assay: tags = fft, pitch, spectrum

import numpy as np


def peak_frequency(x: np.ndarray, sample_rate: float) -> float:
    """Return the dominant frequency of `x` in Hz."""
    sig = np.asarray(x, dtype=float)
    if sig.ndim != 1 or sig.size < 4:
        raise ValueError("x must be 1-D with at least 4 samples")
    if sample_rate <= 0:
        raise ValueError("sample_rate must be positive")
    n = sig.size
    mag = np.abs(np.fft.rfft((sig - sig.mean()) * np.hanning(n)))
    if not np.any(mag[1:] > 1e-12 * n):
        return 0.0
    k = 1 + int(np.argmax(mag[1:]))
    last = n // 2
    if k - 1 >= 1 and k + 1 <= last:
        a, b, c = np.log(mag[k - 1:k + 2] + 1e-300)
        den = a - 2 * b + c
        delta = 0.0 if den == 0 else 0.5 * (a - c) / den
        return float((k + delta) * sample_rate / n)
    return float(k * sample_rate / n)


def test_normal_on_bin_tone():
    sr, n = 8000, 4000
    t = np.arange(n) / sr
    assert abs(peak_frequency(np.sin(2 * np.pi * 440 * t), sr) - 440.0) < 1e-6


def test_normal_off_bin_tone_with_dc_offset():
    sr, n = 16000, 2048
    t = np.arange(n) / sr
    x = 3.0 + 0.5 * np.sin(2 * np.pi * 1234.5 * t)
    f = peak_frequency(x, sr)
    assert abs(f - 1234.5) < 1.0     # bin width is 7.8 Hz; interpolation gets well below it


def test_edge_case_silence_and_invalid():
    assert peak_frequency(np.zeros(64), 1000) == 0.0
    assert peak_frequency(np.full(64, 0.7), 1000) == 0.0
    for args in ((np.zeros(3), 100), (np.zeros((4, 4)), 100), (np.ones(16), 0)):
        try:
            peak_frequency(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_edge_case_peak_at_nyquist():
    x = np.array([1.0, -1.0] * 8)
    assert peak_frequency(x, 1000) == 500.0


def test_correctness_interpolation_beats_raw_bins():
    rng = np.random.default_rng(0)
    sr, n = 8000, 1024
    t = np.arange(n) / sr
    for f0 in rng.uniform(200, 3000, size=10):
        x = np.sin(2 * np.pi * f0 * t + rng.uniform(0, 6)) + 0.01 * rng.normal(size=n)
        est = peak_frequency(x, sr)
        raw = np.argmax(np.abs(np.fft.rfft(x * np.hanning(n)))[1:]) + 1
        assert abs(est - f0) < 0.2 * sr / n
        assert abs(est - f0) <= abs(raw * sr / n - f0) + 1e-9
