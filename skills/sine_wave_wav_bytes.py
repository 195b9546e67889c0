"""Synthesise a sine tone and encode it as a mono 16-bit PCM WAV file in memory.

Write `synthesize_sine_wav(freq_hz, duration_s, sample_rate=16000, amplitude=0.5)` using only
the standard library (`math`, `struct`/`array`, `wave`, `io`). Return the complete WAV file
as `bytes` (RIFF header included): 1 channel, sample width 2 bytes, frame rate
`sample_rate`.

- The number of samples is n = round(duration_s * sample_rate).
- Sample i (0-based) is the int round(amplitude * 32767 * sin(2 * pi * freq_hz * i /
  sample_rate)), stored little-endian signed 16-bit.

Edge cases: duration 0 gives a valid WAV with zero frames. Raise ValueError if
amplitude is outside [0, 1], if sample_rate <= 0, if duration_s < 0, or if freq_hz < 0
(freq_hz == 0 gives silence). Frequencies above the Nyquist limit are allowed (they alias).
"""
# assay: domain = audio
# assay: category = audio_synthesis
# assay: difficulty = basic
# assay: key_concepts = PCM encoding; WAV container; sampling; 16-bit quantisation
# assay: common_mistakes = writing floats instead of 16-bit integers; scaling by 32768 and overflowing; big-endian samples; forgetting the RIFF header by writing raw frames
# assay: tags = wav, sine, synthesis, stdlib

import io
import math
import struct
import wave


def synthesize_sine_wav(freq_hz: float, duration_s: float, sample_rate: int = 16000,
                        amplitude: float = 0.5) -> bytes:
    """Return the bytes of a mono 16-bit WAV file containing a sine tone."""
    if not 0 <= amplitude <= 1:
        raise ValueError("amplitude must be in [0, 1]")
    if sample_rate <= 0 or duration_s < 0 or freq_hz < 0:
        raise ValueError("invalid sample_rate, duration or frequency")
    n = round(duration_s * sample_rate)
    samples = [round(amplitude * 32767 * math.sin(2 * math.pi * freq_hz * i / sample_rate))
               for i in range(n)]
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(struct.pack("<%dh" % n, *samples))
    return buf.getvalue()


def test_normal_header_and_length():
    import io
    import wave
    data = synthesize_sine_wav(440.0, 0.5, sample_rate=8000)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    with wave.open(io.BytesIO(data), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        assert w.getframerate() == 8000 and w.getnframes() == 4000


def test_normal_sample_values():
    import io
    import struct
    import wave
    data = synthesize_sine_wav(1000.0, 0.001, sample_rate=8000, amplitude=1.0)
    with wave.open(io.BytesIO(data), "rb") as w:
        frames = w.readframes(w.getnframes())
    samples = struct.unpack("<%dh" % (len(frames) // 2), frames)
    # 1 kHz at 8 kHz: 8 samples per period, i = 2 is the positive peak
    assert samples == (0, 23170, 32767, 23170, 0, -23170, -32767, -23170)


def test_edge_case_empty_and_silence():
    import io
    import wave
    with wave.open(io.BytesIO(synthesize_sine_wav(440, 0.0)), "rb") as w:
        assert w.getnframes() == 0
    with wave.open(io.BytesIO(synthesize_sine_wav(0.0, 0.01)), "rb") as w:
        assert set(w.readframes(w.getnframes())) == {0}


def test_edge_case_invalid_arguments():
    for kwargs in ({"amplitude": 1.5}, {"sample_rate": 0}, {"duration_s": -1.0}, {"freq_hz": -5.0}):
        args = {"freq_hz": 440.0, "duration_s": 0.1}
        args.update(kwargs)
        try:
            synthesize_sine_wav(**args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for %r" % (kwargs,))


def test_correctness_rms_and_zero_crossings():
    import io
    import math
    import struct
    import wave
    sr, f = 16000, 250.0
    with wave.open(io.BytesIO(synthesize_sine_wav(f, 1.0, sr, amplitude=0.5)), "rb") as w:
        raw = w.readframes(w.getnframes())
    x = [v / 32767 for v in struct.unpack("<%dh" % (len(raw) // 2), raw)]
    rms = math.sqrt(sum(v * v for v in x) / len(x))
    assert abs(rms - 0.5 / math.sqrt(2)) < 1e-3
    crossings = sum(1 for a, b in zip(x, x[1:]) if (a < 0) != (b < 0))
    assert abs(crossings - 2 * f) <= 2
