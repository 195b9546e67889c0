"""Build an L2-normalised TF-IDF document-term matrix with smoothed IDF, as scikit-learn's TfidfVectorizer does by default.

Write `tfidf_matrix(docs)` where `docs` is a list of strings. Return a tuple
`(vocabulary, matrix)`:
- tokens are the maximal runs of two or more word characters (Unicode letters, digits and
  the underscore, i.e. Python's regex word class) in the lowercased document; single
  characters are ignored (this is scikit-learn's default token_pattern);
- `vocabulary` is the sorted list of distinct tokens over all documents;
- `matrix` is a float numpy array of shape (len(docs), len(vocabulary)); entry [i, j] is
  tf * idf where tf is the raw count of term j in document i and
  idf = ln((1 + N) / (1 + df_j)) + 1, N = number of documents, df_j = number of documents
  containing term j;
- every row is then divided by its Euclidean norm (rows that are all zero stay zero).

Edge cases: an empty `docs` list raises ValueError. A document with no tokens gives a row of
zeros. If no document has any token, return `([], np.zeros((len(docs), 0)))`.
"""
# assay: domain = nlp
# assay: category = text_features
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = term frequency; smoothed inverse document frequency; L2 normalisation; vocabulary building
# assay: common_mistakes = using log(N / df) without smoothing; forgetting the +1 added to idf; normalising columns instead of rows; dividing a zero row by zero
# assay: tags = tfidf, vectorizer, sparse-features

import re

import numpy as np


def tfidf_matrix(docs: list[str]) -> tuple[list[str], np.ndarray]:
    """Return (sorted vocabulary, L2-normalised TF-IDF matrix) for `docs`."""
    if len(docs) == 0:
        raise ValueError("docs must not be empty")
    pattern = re.compile(r"\b\w\w+\b")
    tokenized = [pattern.findall(d.lower()) for d in docs]
    vocab = sorted({t for toks in tokenized for t in toks})
    if not vocab:
        return [], np.zeros((len(docs), 0))
    index = {t: j for j, t in enumerate(vocab)}
    counts = np.zeros((len(docs), len(vocab)))
    for i, toks in enumerate(tokenized):
        for t in toks:
            counts[i, index[t]] += 1
    n = len(docs)
    df = (counts > 0).sum(axis=0)
    idf = np.log((1 + n) / (1 + df)) + 1.0
    weights = counts * idf
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vocab, weights / norms


def test_normal_shapes_and_vocabulary():
    vocab, m = tfidf_matrix(["The cat sat", "the dog sat down", "a cat"])
    assert vocab == ["cat", "dog", "down", "sat", "the"]
    assert m.shape == (3, 5)
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0)


def test_normal_rare_terms_weigh_more():
    vocab, m = tfidf_matrix(["apple banana", "apple cherry", "apple durian"])
    row = dict(zip(vocab, m[0]))
    assert row["banana"] > row["apple"] > 0
    assert row["cherry"] == 0.0


def test_edge_case_empty_inputs():
    try:
        tfidf_matrix([])
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError")
    vocab, m = tfidf_matrix(["", "a b"])
    assert vocab == [] and m.shape == (2, 0)
    vocab, m = tfidf_matrix(["", "hello there"])
    assert np.all(m[0] == 0.0)
    assert np.isclose(np.linalg.norm(m[1]), 1.0)


def test_correctness_single_document_value():
    vocab, m = tfidf_matrix(["aa aa bb"])
    # idf = 1 for every term with one document; tf = (2, 1) -> normalised
    assert vocab == ["aa", "bb"]
    assert np.allclose(m, [[2 / np.sqrt(5), 1 / np.sqrt(5)]])


def test_correctness_matches_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer
    docs = ["Machine learning is fun", "Deep learning, deep networks!",
            "Fun with numpy and scipy", "networks of networks of networks", ""]
    vocab, m = tfidf_matrix(docs)
    vec = TfidfVectorizer()
    ref = vec.fit_transform(docs).toarray()
    assert vocab == list(vec.get_feature_names_out())
    assert np.allclose(m, ref)
