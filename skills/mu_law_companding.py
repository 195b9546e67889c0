"""Compress audio samples to 8-bit codes with mu-law companding and expand them back.

Write `mu_law(values, mu=255, decode=False)` using only the standard library.

Encoding (decode=False): `values` is a list of floats in [-1, 1]. Each x becomes
  y = sign(x) * ln(1 + mu * |x|) / ln(1 + mu)          (y in [-1, 1], sign(0) = 0)
  q = floor((y + 1) / 2 * mu + 0.5)                    (an int in 0 .. mu)
and the function returns the list of ints q.

Decoding (decode=True): `values` is a list of ints in 0 .. mu. Each q becomes
  y = 2 * q / mu - 1
  x = sign(y) * ((1 + mu) ** |y| - 1) / mu
and the function returns the list of floats x.

Edge cases: an empty list gives []. Raise ValueError if mu is not a positive int, if an
encoding input is outside [-1, 1], or if a decoding input is not an int in 0 .. mu.
"""
# assay: domain = audio
# assay: category = audio_coding
# assay: difficulty = intermediate
# assay: key_concepts = companding; logarithmic quantisation; signal-to-quantisation-noise ratio; WaveNet-style 8-bit audio
# assay: common_mistakes = using log base 10 inconsistently between encode and decode; dropping the sign; quantising with truncation instead of rounding; off-by-one so codes reach mu + 1
# assay: tags = mu-law, quantization, companding, stdlib

import math


def mu_law(values: list, mu: int = 255, decode: bool = False) -> list:
    """Mu-law encode floats in [-1, 1] to ints 0..mu, or decode such ints back to floats."""
    if not isinstance(mu, int) or isinstance(mu, bool) or mu <= 0:
        raise ValueError("mu must be a positive int")
    out = []
    if decode:
        for q in values:
            if not isinstance(q, int) or isinstance(q, bool) or not 0 <= q <= mu:
                raise ValueError("codes must be ints in 0..mu")
            y = 2 * q / mu - 1
            out.append(math.copysign(((1 + mu) ** abs(y) - 1) / mu, y) if y != 0 else 0.0)
        return out
    log1mu = math.log1p(mu)
    for x in values:
        if not -1 <= x <= 1:
            raise ValueError("samples must be in [-1, 1]")
        y = 0.0 if x == 0 else math.copysign(math.log1p(mu * abs(x)) / log1mu, x)
        out.append(math.floor((y + 1) / 2 * mu + 0.5))
    return out


def test_normal_encode_extremes_and_zero():
    assert mu_law([-1.0, 0.0, 1.0]) == [0, 128, 255]
    assert mu_law([0.5, -0.5]) == [math.floor((1 + math.log1p(127.5) / math.log(256)) / 2 * 255 + 0.5),
                                   math.floor((1 - math.log1p(127.5) / math.log(256)) / 2 * 255 + 0.5)]


def test_normal_decode_extremes():
    out = mu_law([0, 255], decode=True)
    assert abs(out[0] + 1.0) < 1e-12 and abs(out[1] - 1.0) < 1e-12


def test_edge_case_empty_and_invalid():
    assert mu_law([]) == [] and mu_law([], decode=True) == []
    bad = [(([1.5],), {}), (([0.1],), {"mu": 0}), (([256],), {"decode": True}),
           (([1.5],), {"decode": True}), (([-1],), {"decode": True})]
    for args, kwargs in bad:
        try:
            mu_law(*args, **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for %r %r" % (args, kwargs))


def test_correctness_roundtrip_error_is_relative():
    import random
    rng = random.Random(0)
    xs = [rng.uniform(-1, 1) for _ in range(2000)]
    back = mu_law(mu_law(xs), decode=True)
    for x, b in zip(xs, back):
        # half a code step in the companded domain is 1/mu; mapped back through the expander
        # the error is about (1 + mu|x|) * ln(1+mu) / mu^2 (first order, hence the 5% margin)
        assert abs(x - b) <= 1.05 * (1 + 255 * abs(x)) * math.log(256) / 255 ** 2
    # small signals are reproduced far more precisely than with 8-bit linear quantisation
    small = [i / 1000 for i in range(-10, 11)]
    err = max(abs(a - b) for a, b in zip(small, mu_law(mu_law(small), decode=True)))
    assert err < 1 / 1000
    codes = mu_law(xs)
    assert min(codes) >= 0 and max(codes) <= 255
    order = sorted(range(len(xs)), key=xs.__getitem__)
    assert all(codes[i] <= codes[j] for i, j in zip(order, order[1:]))
