"""Read a PCM WAV file from disk into a normalised floating-point numpy array.

Write `read_wav(path)` returning `(samples, sample_rate)` where `samples` is a float64
numpy array of shape (n_frames, n_channels) with values in [-1, 1) and `sample_rate` an
int. Use the standard-library `wave` module and numpy.

Decoding by sample width:
- 1 byte: unsigned 8-bit, value v -> (v - 128) / 128;
- 2 bytes: little-endian signed 16-bit, v -> v / 32768;
- 4 bytes: little-endian signed 32-bit, v -> v / 2**31.
Channels are interleaved in the file (frame = one sample per channel); keep them as
columns. The array is always 2-D, also for mono files.

Edge cases: a file with zero frames gives an array of shape (0, n_channels). Raise
ValueError for any other sample width (e.g. 24-bit). A missing file raises
FileNotFoundError (the natural error of opening it).
"""
# assay: domain = audio
# assay: category = audio_io
# assay: difficulty = intermediate
# assay: requirements = numpy
# assay: key_concepts = WAV decoding; sample widths; unsigned 8-bit offset; channel interleaving; normalisation
# assay: common_mistakes = treating 8-bit audio as signed; dividing by 32767 instead of 32768; returning a flat array for stereo; reading big-endian samples
# assay: tags = wav, io, pcm, numpy

import wave

import numpy as np


def read_wav(path: str) -> tuple[np.ndarray, int]:
    """Return (samples of shape (n_frames, n_channels) in [-1, 1), sample_rate)."""
    with wave.open(path, "rb") as w:
        channels = w.getnchannels()
        width = w.getsampwidth()
        rate = w.getframerate()
        raw = w.readframes(w.getnframes())
    if width == 1:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 2:
        x = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    elif width == 4:
        x = np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2147483648.0
    else:
        raise ValueError("unsupported sample width %d" % width)
    return x.reshape(-1, channels), rate


def test_normal_mono_16bit():
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "mono.wav")
        with wave.open(path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(22050)
            w.writeframes(np.array([0, 16384, -32768, 32767], dtype="<i2").tobytes())
        x, sr = read_wav(path)
    assert sr == 22050 and x.shape == (4, 1) and x.dtype == np.float64
    assert x[:, 0].tolist() == [0.0, 0.5, -1.0, 32767 / 32768]


def test_normal_stereo_channels_are_columns():
    import os
    import tempfile
    left = np.array([100, 200, 300], dtype="<i2")
    right = np.array([-100, -200, -300], dtype="<i2")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "stereo.wav")
        with wave.open(path, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(np.column_stack([left, right]).astype("<i2").tobytes())
        x, _ = read_wav(path)
    assert x.shape == (3, 2)
    assert np.allclose(x[:, 0] * 32768, left) and np.allclose(x[:, 1] * 32768, right)


def test_edge_case_8bit_empty_and_unsupported():
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p8 = os.path.join(d, "u8.wav")
        with wave.open(p8, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(1)
            w.setframerate(8000)
            w.writeframes(bytes([0, 128, 255]))
        x, _ = read_wav(p8)
        assert x[:, 0].tolist() == [-1.0, 0.0, 127 / 128]
        p0 = os.path.join(d, "empty.wav")
        with wave.open(p0, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"")
        assert read_wav(p0)[0].shape == (0, 2)
        p24 = os.path.join(d, "s24.wav")
        with wave.open(p24, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(3)
            w.setframerate(8000)
            w.writeframes(b"\x00\x00\x01" * 4)
        try:
            read_wav(p24)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for 24-bit audio")


def test_correctness_32bit_sine_roundtrip():
    import os
    import tempfile
    sr = 16000
    t = np.arange(1600) / sr
    ref = 0.8 * np.sin(2 * np.pi * 440 * t)
    ints = np.round(ref * 2 ** 31).clip(-2 ** 31, 2 ** 31 - 1).astype("<i4")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s32.wav")
        with wave.open(path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(4)
            w.setframerate(sr)
            w.writeframes(ints.tobytes())
        x, got_sr = read_wav(path)
    assert got_sr == sr
    assert np.max(np.abs(x[:, 0] - ref)) < 1e-9
