"""Compute the sentence-level BLEU score of a tokenized candidate translation against one or more references.

Write `sentence_bleu(candidate, references, max_n=4, smooth=False)` where `candidate` is a
list of tokens and `references` is a non-empty list of token lists. Return a float in [0, 1]:

    BLEU = BP * exp( (1 / max_n) * sum_{n=1..max_n} ln p_n )

- p_n is the modified (clipped) n-gram precision: for every n-gram of the candidate, its
  count is clipped to the maximum number of times it appears in any single reference; p_n =
  (sum of clipped counts) / (number of candidate n-grams).
- If `smooth` is True, for n >= 2 add 1 to both the numerator and the denominator of p_n
  (p_1 is never smoothed).
- If the candidate has fewer than max_n tokens (so it has no max_n-grams) the score is 0.0,
  with or without smoothing. Otherwise, if any p_n is 0, the score is 0.0.
- Brevity penalty: c = len(candidate), r = the reference length closest to c (on a tie,
  the shorter reference). BP = 1 if c > r else exp(1 - r / c).

Edge cases: an empty candidate scores 0.0. An empty `references` list, or `max_n < 1`,
raises ValueError.
"""
# assay: domain = nlp
# assay: category = evaluation_metrics
# assay: difficulty = advanced
# assay: key_concepts = clipped n-gram precision; geometric mean; brevity penalty; multiple references; smoothing
# assay: common_mistakes = not clipping counts; clipping against the sum over references instead of the max; using the longest reference for the brevity penalty; applying the penalty when the candidate is longer
# assay: tags = bleu, machine-translation, metric

import math
from collections import Counter


def sentence_bleu(candidate: list[str], references: list[list[str]], max_n: int = 4,
                  smooth: bool = False) -> float:
    """Return the BLEU score of `candidate` against `references`."""
    if not references:
        raise ValueError("need at least one reference")
    if max_n < 1:
        raise ValueError("max_n must be >= 1")
    c = len(candidate)
    if c < max_n:
        return 0.0
    log_sum = 0.0
    for n in range(1, max_n + 1):
        cand = Counter(tuple(candidate[i:i + n]) for i in range(c - n + 1))
        max_ref: Counter = Counter()
        for ref in references:
            rc = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            for g, k in rc.items():
                if k > max_ref[g]:
                    max_ref[g] = k
        num = sum(min(k, max_ref[g]) for g, k in cand.items())
        den = sum(cand.values())
        if smooth and n >= 2:
            num += 1
            den += 1
        if num == 0 or den == 0:
            return 0.0
        log_sum += math.log(num / den)
    r = min((abs(len(ref) - c), len(ref)) for ref in references)[1]
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(log_sum / max_n)


def test_normal_identical_sentence_scores_one():
    s = "the quick brown fox jumps over the lazy dog".split()
    assert abs(sentence_bleu(s, [s]) - 1.0) < 1e-12


def test_normal_partial_overlap_between_zero_and_one():
    cand = "the cat sat on a mat today".split()
    refs = ["the cat sat on the mat today".split(), "a cat was sitting on the mat".split()]
    score = sentence_bleu(cand, refs)
    assert 0.0 < score < 1.0


def test_edge_case_degenerate_inputs():
    assert sentence_bleu([], [["a", "b"]]) == 0.0
    # a 3-token candidate has no 4-grams -> 0, with or without smoothing
    assert sentence_bleu(["a", "b", "c"], [["a", "b", "c"]]) == 0.0
    assert sentence_bleu(["a", "b", "c"], [["a", "b", "c"]], smooth=True) == 0.0
    assert sentence_bleu(["a", "b", "c"], [["a", "b", "c"]], max_n=3) == 1.0
    for args in (([" a"], []), (["a"], [["a"]], 0)):
        try:
            sentence_bleu(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_clipping_classic_example():
    cand = "the the the the the the the".split()
    ref = "the cat is on the mat".split()
    # clipped unigram precision 2/7, candidate longer than reference -> BP = 1
    assert abs(sentence_bleu(cand, [ref], max_n=1) - 2 / 7) < 1e-12
    # clipping uses the max over references, not the sum
    ref2 = "the mat".split()
    assert abs(sentence_bleu(cand, [ref, ref2], max_n=1) - 2 / 7) < 1e-12


def test_correctness_brevity_penalty_and_smoothing():
    import math
    cand = "a b c d".split()
    refs = ["a b c d e f".split(), "a b c d e f g h".split()]
    # all precisions 1; closest ref length 6 -> BP = exp(1 - 6/4)
    assert abs(sentence_bleu(cand, refs) - math.exp(1 - 6 / 4)) < 1e-12
    # tie in closeness (lengths 3 and 5 for c=4) -> the shorter one, so BP = 1
    cand2 = "a b c z".split()
    refs_tie = ["a b c".split(), "a b c d e".split()]
    p = [3 / 4, 2 / 3, 1 / 2]
    expected = math.exp(sum(math.log(x) for x in p) / 3)
    assert abs(sentence_bleu(cand2, refs_tie, max_n=3) - expected) < 1e-12
    # smoothing: candidate "a x c" vs "a b c": p1 = 2/3, p2 = (0+1)/(2+1)
    got = sentence_bleu("a x c".split(), ["a b c".split()], max_n=2, smooth=True)
    assert abs(got - math.sqrt(2 / 3 * 1 / 3)) < 1e-12
