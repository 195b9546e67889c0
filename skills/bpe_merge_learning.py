"""Learn byte-pair-encoding (BPE) merge rules from a word-frequency table.

Write `learn_bpe(word_freqs, num_merges)` where `word_freqs` maps words (non-empty strings)
to positive integer counts. Return the list of learned merges, each a pair of symbols
`(left, right)`, in the order they were learned.

Algorithm:
1. Start with every word split into its single characters (no end-of-word marker).
2. Repeat up to `num_merges` times:
   - count every adjacent symbol pair over all words, each occurrence weighted by the word's
     frequency;
   - if there are no pairs at all, stop early;
   - pick the pair with the highest count; break ties by the smallest pair in Python tuple
     order (so ("e", "s") beats ("s", "t"));
   - record it and replace, in every word, each occurrence of that pair (scanning left to
     right, non-overlapping) by the concatenated symbol `left + right`.

Edge cases: `num_merges == 0` or an empty table gives []. A negative `num_merges` raises
ValueError. Single-character words never produce pairs.
"""
# assay: domain = nlp
# assay: category = subword_tokenization
# assay: difficulty = advanced
# assay: key_concepts = byte-pair encoding; subword vocabularies; frequency-weighted pair counting; deterministic tie-breaking
# assay: common_mistakes = counting pairs per distinct word instead of weighting by frequency; overlapping merges in runs like "aaa"; recounting pairs across word boundaries; nondeterministic tie-breaking
# assay: tags = bpe, subword, tokenizer

from collections import Counter


def learn_bpe(word_freqs: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    """Return the BPE merges learned from `word_freqs`, in order."""
    if num_merges < 0:
        raise ValueError("num_merges must be non-negative")
    words = [(list(w), f) for w, f in word_freqs.items()]
    merges: list[tuple[str, str]] = []
    for _ in range(num_merges):
        pairs: Counter = Counter()
        for symbols, f in words:
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] += f
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        joined = best[0] + best[1]
        new_words = []
        for symbols, f in words:
            out = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == best[0] and symbols[i + 1] == best[1]:
                    out.append(joined)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            new_words.append((out, f))
        words = new_words
    return merges


def test_normal_sennrich_style_corpus():
    freqs = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
    merges = learn_bpe(freqs, 4)
    assert merges == [("e", "s"), ("es", "t"), ("l", "o"), ("lo", "w")]


def test_normal_merges_build_whole_word():
    merges = learn_bpe({"abab": 10}, 10)
    assert merges == [("a", "b"), ("ab", "ab")]


def test_edge_case_trivial_inputs():
    assert learn_bpe({}, 5) == []
    assert learn_bpe({"a": 3, "b": 1}, 5) == []
    assert learn_bpe({"abc": 1}, 0) == []
    try:
        learn_bpe({"ab": 1}, -1)
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError")


def test_edge_case_non_overlapping_runs():
    # "aaa": pairs (a,a) twice -> merged left to right into ["aa", "a"]
    merges = learn_bpe({"aaa": 1}, 2)
    assert merges == [("a", "a"), ("aa", "a")]


def test_correctness_frequency_weighting_and_segmentation():
    freqs = {"hug": 10, "pug": 5, "pun": 12, "bun": 4, "hugs": 5}
    merges = learn_bpe(freqs, 3)
    # u-g: 10 + 5 + 5 = 20 ; u-n: 16 ; h-u: 15
    assert merges[0] == ("u", "g")
    assert merges[1] == ("u", "n")
    assert merges[2] == ("h", "ug")

    def segment(word):
        syms = list(word)
        for a, b in merges:
            i, out = 0, []
            while i < len(syms):
                if i + 1 < len(syms) and (syms[i], syms[i + 1]) == (a, b):
                    out.append(a + b)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            syms = out
        return syms
    assert segment("hugs") == ["hug", "s"]
    assert segment("bun") == ["b", "un"]
