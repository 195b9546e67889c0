"""Build a bank of triangular mel-scale filters that maps an FFT magnitude spectrum to mel bands.

Write `mel_filterbank(sample_rate, n_fft, n_mels, fmin=0.0, fmax=None)` returning a float64
numpy array of shape (n_mels, n_fft // 2 + 1); row m holds the weights of filter m over the
rfft bins, whose frequencies are k * sample_rate / n_fft for k = 0 .. n_fft // 2.

- Mel scale (HTK): mel(f) = 2595 * log10(1 + f / 700), inverse
  f(m) = 700 * (10 ** (m / 2595) - 1).
- fmax defaults to sample_rate / 2.
- Take n_mels + 2 points equally spaced in mel between mel(fmin) and mel(fmax) (inclusive,
  as `np.linspace`) and convert them back to Hz: p[0] < p[1] < ... < p[n_mels + 1].
- Filter m is the triangle with left edge p[m], peak p[m + 1] and right edge p[m + 2]:
  weight(f) = max(0, min((f - p[m]) / (p[m+1] - p[m]), (p[m+2] - f) / (p[m+2] - p[m+1]))),
  evaluated at each bin frequency f. No area normalisation.

Consequently adjacent filters overlap so that, for bin frequencies between p[1] and
p[n_mels], the weights of all filters sum to 1.

Edge cases: raise ValueError if n_mels < 1, n_fft < 2, sample_rate <= 0, fmin < 0,
fmax > sample_rate / 2, or fmin >= fmax.
"""
# assay: domain = audio
# assay: category = audio_features
# assay: difficulty = advanced
# assay: requirements = numpy
# assay: key_concepts = mel scale; triangular filters; FFT bin frequencies; spectrogram to mel-spectrogram
# assay: common_mistakes = spacing the filter edges linearly in Hz; using n_fft bins instead of n_fft // 2 + 1; snapping edges to integer bins so narrow low filters become empty; log base e in the mel formula
# assay: tags = mel, filterbank, mfcc, spectrogram

import numpy as np


def mel_filterbank(sample_rate: float, n_fft: int, n_mels: int, fmin: float = 0.0,
                   fmax: float | None = None) -> np.ndarray:
    """Return the (n_mels, n_fft // 2 + 1) triangular mel filterbank matrix."""
    if fmax is None:
        fmax = sample_rate / 2
    if n_mels < 1 or n_fft < 2 or sample_rate <= 0:
        raise ValueError("invalid sizes")
    if fmin < 0 or fmax > sample_rate / 2 or fmin >= fmax:
        raise ValueError("need 0 <= fmin < fmax <= sample_rate / 2")
    mel = lambda f: 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)
    hz = lambda m: 700.0 * (10.0 ** (np.asarray(m) / 2595.0) - 1.0)
    points = hz(np.linspace(mel(fmin), mel(fmax), n_mels + 2))
    freqs = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    left = points[:-2, None]
    center = points[1:-1, None]
    right = points[2:, None]
    up = (freqs[None, :] - left) / (center - left)
    down = (right - freqs[None, :]) / (right - center)
    return np.maximum(0.0, np.minimum(up, down))


def test_normal_shape_and_range():
    fb = mel_filterbank(16000, 512, 40)
    assert fb.shape == (40, 257) and fb.dtype == np.float64
    assert fb.min() >= 0 and fb.max() <= 1
    assert np.all(fb.sum(axis=1) > 0)


def test_normal_filters_move_up_in_frequency():
    fb = mel_filterbank(22050, 2048, 64, fmin=50.0, fmax=8000.0)
    peaks = fb.argmax(axis=1)
    assert np.all(np.diff(peaks) >= 0) and peaks[-1] > peaks[0]
    freqs = np.arange(1025) * 22050 / 2048
    assert np.all(fb[:, freqs < 50.0] == 0) and np.all(fb[:, freqs > 8000.0] == 0)
    # bandwidths grow with frequency on the mel scale
    widths = (fb > 0).sum(axis=1)
    assert widths[-1] > widths[0]


def test_edge_case_invalid_arguments():
    bad = [dict(sample_rate=16000, n_fft=512, n_mels=0), dict(sample_rate=16000, n_fft=1, n_mels=4),
           dict(sample_rate=16000, n_fft=512, n_mels=4, fmax=9000.0),
           dict(sample_rate=16000, n_fft=512, n_mels=4, fmin=4000.0, fmax=3000.0),
           dict(sample_rate=16000, n_fft=512, n_mels=4, fmin=-1.0)]
    for kwargs in bad:
        try:
            mel_filterbank(**kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for %r" % (kwargs,))


def test_correctness_partition_of_unity_and_explicit_values():
    sr, n_fft, n_mels = 8000, 256, 10
    fb = mel_filterbank(sr, n_fft, n_mels)
    m = np.linspace(0, 2595 * np.log10(1 + 4000 / 700), n_mels + 2)
    p = 700 * (10 ** (m / 2595) - 1)
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    inside = (freqs >= p[1]) & (freqs <= p[n_mels])
    assert np.allclose(fb[:, inside].sum(axis=0), 1.0)
    for j in (3, 17, 60, 128):
        f = freqs[j]
        for k in range(n_mels):
            w = max(0.0, min((f - p[k]) / (p[k + 1] - p[k]), (p[k + 2] - f) / (p[k + 2] - p[k + 1])))
            assert np.isclose(fb[k, j], w)
    assert abs(2595 * np.log10(1 + 1000 / 700) - 1000) < 0.05
