"""Count the word n-grams of a token sequence, optionally padded with sentence-boundary markers.

Write `ngram_counts(tokens, n, pad=False)` returning a `collections.Counter` that maps each
n-gram (a tuple of `n` strings, in sequence order) to the number of times it occurs in
`tokens` (a list of strings).

If `pad` is True, the sequence is first extended with `n - 1` copies of "[BOS]" at the
start and `n - 1` copies of "[EOS]" at the end, so `ngram_counts(["a"], 2, pad=True)` is
Counter({("[BOS]", "a"): 1, ("a", "[EOS]"): 1}).

Edge cases: if the (possibly padded) sequence is shorter than `n`, return an empty Counter.
`n` must be an int >= 1, otherwise raise ValueError. The input list is not modified.
"""
# assay: domain = nlp
# assay: category = text_features
# assay: difficulty = basic
# assay: key_concepts = n-grams; sliding window; boundary padding; counting with Counter
# assay: common_mistakes = off-by-one in the window range; padding only one side; returning lists instead of tuples as keys; mutating the input list when padding
# assay: tags = ngrams, counting, language-model

from collections import Counter


def ngram_counts(tokens: list[str], n: int, pad: bool = False) -> Counter:
    """Return a Counter of the n-grams (tuples) of `tokens`."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError("n must be an integer >= 1")
    seq = list(tokens)
    if pad:
        seq = ["[BOS]"] * (n - 1) + seq + ["[EOS]"] * (n - 1)
    return Counter(tuple(seq[i:i + n]) for i in range(len(seq) - n + 1))


def test_normal_bigrams():
    counts = ngram_counts("the cat sat on the cat".split(), 2)
    assert counts[("the", "cat")] == 2
    assert counts[("cat", "sat")] == 1
    assert len(counts) == 4
    assert sum(counts.values()) == 5


def test_normal_padded_trigrams():
    counts = ngram_counts(["a", "b"], 3, pad=True)
    assert counts == Counter({("[BOS]", "[BOS]", "a"): 1, ("[BOS]", "a", "b"): 1,
                              ("a", "b", "[EOS]"): 1, ("b", "[EOS]", "[EOS]"): 1})


def test_edge_case_short_or_empty_input():
    assert ngram_counts([], 2) == Counter()
    assert ngram_counts(["x"], 2) == Counter()
    assert ngram_counts([], 2, pad=True) == Counter({("[BOS]", "[EOS]"): 1})
    assert ngram_counts(["x"], 1) == Counter({("x",): 1})


def test_edge_case_invalid_n_and_no_mutation():
    for bad in (0, -1, 2.0):
        try:
            ngram_counts(["a", "b"], bad)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError for n=%r" % (bad,))
    toks = ["a", "b", "c"]
    ngram_counts(toks, 2, pad=True)
    assert toks == ["a", "b", "c"]


def test_correctness_against_zip_reference():
    import random
    rng = random.Random(0)
    for n in (1, 2, 3, 4):
        toks = [rng.choice("abcd") for _ in range(50)]
        ref = Counter(zip(*(toks[i:] for i in range(n))))
        got = ngram_counts(toks, n)
        assert got == ref
        assert sum(got.values()) == len(toks) - n + 1
        padded = ngram_counts(toks, n, pad=True)
        assert sum(padded.values()) == len(toks) + n - 1
