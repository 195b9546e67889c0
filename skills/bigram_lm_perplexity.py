"""Train an add-k smoothed bigram language model and report its perplexity on held-out sentences.

Write `bigram_perplexity(train, test, k=1.0)` where `train` and `test` are lists of
sentences, each a list of string tokens. Return the perplexity (float) of the model on
`test`.

Model definition:
- Every sentence is wrapped as ["[BOS]"] + tokens + ["[EOS]"].
- The vocabulary V is the set of all training tokens plus "[EOS]" and "[UNK]" (but not
  "[BOS]"); |V| is its size. Test tokens not seen in training are replaced by "[UNK]".
- Counts come from the wrapped training sentences: c(u, w) bigram counts and c(u) the
  number of bigrams starting with u.
- P(w | u) = (c(u, w) + k) / (c(u) + k * |V|).
- Perplexity = exp( -(1 / M) * sum ln P(w_i | w_{i-1}) ) over every predicted position of
  every wrapped test sentence (each token and the final "[EOS]", never "[BOS]"); M is the
  number of predicted positions.

Edge cases: `k <= 0` raises ValueError; a `test` with no sentences raises ValueError. An
empty test sentence still contributes the single prediction of "[EOS]" after "[BOS]". An
empty `train` is allowed (the model is then uniform over V = {"[EOS]", "[UNK]"}).
"""
# assay: domain = nlp
# assay: category = language_modeling
# assay: difficulty = intermediate
# assay: key_concepts = bigram language model; add-k smoothing; unknown-word handling; perplexity
# assay: common_mistakes = including [BOS] in the vocabulary size; not predicting the end-of-sentence token; averaging probabilities instead of log probabilities; mapping OOV words after counting
# assay: tags = language-model, perplexity, smoothing

import math
from collections import Counter


def bigram_perplexity(train: list[list[str]], test: list[list[str]], k: float = 1.0) -> float:
    """Return the perplexity of an add-k bigram model trained on `train` over `test`."""
    if k <= 0:
        raise ValueError("k must be positive")
    if not test:
        raise ValueError("test must contain at least one sentence")
    vocab = {t for s in train for t in s} | {"[EOS]", "[UNK]"}
    bigrams: Counter = Counter()
    unigrams: Counter = Counter()
    for s in train:
        seq = ["[BOS]"] + list(s) + ["[EOS]"]
        for u, w in zip(seq, seq[1:]):
            bigrams[(u, w)] += 1
            unigrams[u] += 1
    v = len(vocab)
    total = 0.0
    m = 0
    for s in test:
        seq = ["[BOS]"] + [t if t in vocab else "[UNK]" for t in s] + ["[EOS]"]
        for u, w in zip(seq, seq[1:]):
            total += math.log((bigrams[(u, w)] + k) / (unigrams[u] + k * v))
            m += 1
    return math.exp(-total / m)


def test_normal_in_domain_text_has_lower_perplexity():
    train = [s.split() for s in ["the cat sat", "the dog sat", "the cat ran", "a dog ran"]]
    in_domain = bigram_perplexity(train, [["the", "cat", "sat"]])
    out_domain = bigram_perplexity(train, [["ran", "a", "the"]])
    assert 1.0 < in_domain < out_domain


def test_normal_smaller_k_sharpens_seen_bigrams():
    train = [["a", "b"]] * 5
    assert bigram_perplexity(train, [["a", "b"]], k=0.01) < bigram_perplexity(train, [["a", "b"]], k=1.0)


def test_edge_case_errors_and_empty_sentences():
    for args in (([["a"]], [["a"]], 0), ([["a"]], [])):
        try:
            bigram_perplexity(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")
    # empty train: uniform over {[EOS], [UNK]} -> perplexity 2 for any test
    assert abs(bigram_perplexity([], [["x", "y"], []]) - 2.0) < 1e-12


def test_correctness_hand_computed():
    import math
    train = [["a", "b"], ["a"]]
    # V = {a, b, [EOS], [UNK]} -> 4; c([BOS])=2, c(a)=2, c(b)=1
    # test ["a", "z"] -> [BOS] a [UNK] [EOS]
    p1 = (2 + 1) / (2 + 4)   # P(a | [BOS])
    p2 = (0 + 1) / (2 + 4)   # P([UNK] | a)
    p3 = (0 + 1) / (0 + 4)   # P([EOS] | [UNK])
    expected = math.exp(-(math.log(p1) + math.log(p2) + math.log(p3)) / 3)
    assert abs(bigram_perplexity(train, [["a", "z"]]) - expected) < 1e-12
