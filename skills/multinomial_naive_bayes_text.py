"""Classify short documents with a multinomial naive Bayes model trained from scratch.

Write `nb_predict(train_docs, train_labels, test_docs, alpha=1.0)` returning the list of
predicted labels (strings) for `test_docs`.

- Tokens: the maximal runs of two or more word characters (Unicode letters, digits and the
  underscore, i.e. Python's regex word class) in the lowercased document; shorter runs are
  ignored (this is scikit-learn's default token_pattern).
- The vocabulary is the set of training tokens; tokens of test documents that are not in
  the vocabulary are ignored.
- Classes are the distinct training labels, sorted. Prior: log(n_c / n) from label counts.
- Likelihood with Laplace/Lidstone smoothing:
  log P(w | c) = log( (count(w, c) + alpha) / (total_count(c) + alpha * |vocabulary|) ).
- The score of a document for class c is its prior plus the sum over tokens of
  count(w in doc) * log P(w | c). Predict the highest-scoring class; on an exact tie, the
  first class in sorted order.

Edge cases: an empty `test_docs` gives []. Empty `train_docs`, mismatched lengths of
`train_docs`/`train_labels`, or `alpha <= 0` raise ValueError. A test document with no known
tokens is predicted by the prior alone.
"""
# assay: domain = nlp
# assay: category = text_classification
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = multinomial naive Bayes; Laplace smoothing; log-space scoring; bag of words
# assay: common_mistakes = multiplying probabilities and underflowing; smoothing with the class count instead of the vocabulary size; forgetting the class prior; giving unknown words a probability
# assay: tags = naive-bayes, text-classification, bag-of-words

import re

import numpy as np


def nb_predict(train_docs: list[str], train_labels: list[str], test_docs: list[str],
               alpha: float = 1.0) -> list[str]:
    """Train multinomial naive Bayes on the training docs and predict labels for `test_docs`."""
    if not train_docs or len(train_docs) != len(train_labels):
        raise ValueError("need a non-empty training set with one label per document")
    if alpha <= 0:
        raise ValueError("alpha must be positive")
    if not test_docs:
        return []
    pat = re.compile(r"\b\w\w+\b")
    train_tok = [pat.findall(d.lower()) for d in train_docs]
    vocab = sorted({t for toks in train_tok for t in toks})
    index = {t: j for j, t in enumerate(vocab)}
    classes = sorted(set(train_labels))
    cidx = {c: i for i, c in enumerate(classes)}
    counts = np.zeros((len(classes), len(vocab)))
    priors = np.zeros(len(classes))
    for toks, lab in zip(train_tok, train_labels):
        priors[cidx[lab]] += 1
        for t in toks:
            counts[cidx[lab], index[t]] += 1
    log_prior = np.log(priors / priors.sum())
    log_lik = np.log((counts + alpha) / (counts.sum(axis=1, keepdims=True) + alpha * len(vocab)))
    out = []
    for d in test_docs:
        x = np.zeros(len(vocab))
        for t in pat.findall(d.lower()):
            j = index.get(t)
            if j is not None:
                x[j] += 1
        scores = log_prior + log_lik @ x
        out.append(classes[int(np.argmax(scores))])
    return out


def test_normal_predicts_topics():
    TRAIN = ["great match and a fantastic goal", "the team won the league",
             "stock prices fell sharply today", "the market rallied on earnings",
             "goal scored in the final minute", "investors sold shares of the bank"]
    LABELS = ["sport", "sport", "finance", "finance", "sport", "finance"]
    preds = nb_predict(TRAIN, LABELS, ["a late goal won the match", "bank shares and stock prices"])
    assert preds == ["sport", "finance"]


def test_edge_case_empty_and_unknown():
    TRAIN = ["great match and a fantastic goal", "the team won the league",
             "stock prices fell sharply today", "the market rallied on earnings",
             "goal scored in the final minute", "investors sold shares of the bank"]
    LABELS = ["sport", "sport", "finance", "finance", "sport", "finance"]
    assert nb_predict(TRAIN, LABELS, []) == []
    # no known tokens -> prior decides; equal priors -> first sorted class
    assert nb_predict(TRAIN, LABELS, ["zzz qqq"]) == ["finance"]
    assert nb_predict(TRAIN + ["goal"], LABELS + ["sport"], ["zzz"]) == ["sport"]


def test_edge_case_invalid_arguments():
    TRAIN = ["great match and a fantastic goal", "the team won the league",
             "stock prices fell sharply today", "the market rallied on earnings",
             "goal scored in the final minute", "investors sold shares of the bank"]
    LABELS = ["sport", "sport", "finance", "finance", "sport", "finance"]
    for args in (([], [], ["x"]), (TRAIN, LABELS[:-1], ["x"]), (TRAIN, LABELS, ["x"], 0.0)):
        try:
            nb_predict(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn_multinomialnb():
    import random
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB
    rng = random.Random(0)
    words = {"a": ["alpha", "apple", "arch", "atom", "shared"],
             "b": ["beta", "bread", "brick", "bond", "shared"],
             "c": ["gamma", "grape", "gate", "glue", "shared"]}
    docs, labels = [], []
    for _ in range(60):
        lab = rng.choice("abc")
        pool = words[lab] + [w for ws in words.values() for w in ws]
        docs.append(" ".join(rng.choice(pool) for _ in range(rng.randint(3, 8))))
        labels.append(lab)
    test = [" ".join(rng.choice([w for ws in words.values() for w in ws]) for _ in range(4))
            for _ in range(40)]
    for alpha in (1.0, 0.3):
        vec = CountVectorizer()
        clf = MultinomialNB(alpha=alpha).fit(vec.fit_transform(docs), labels)
        ref = list(clf.predict(vec.transform(test)))
        assert nb_predict(docs, labels, test, alpha=alpha) == ref
