"""Score documents against a keyword query with Okapi BM25.

Write `bm25_scores(query, docs, k1=1.5, b=0.75)` returning a list of floats, one BM25
score per document in `docs` (a list of strings), for the string `query`.

- Tokens (for query and documents) are the maximal runs of word characters (Unicode
  letters, digits and the underscore, i.e. Python's regex word class) in the lowercased
  text.
- N = number of documents, avgdl = mean document length in tokens, df(t) = number of
  documents containing term t, and
  idf(t) = ln( (N - df(t) + 0.5) / (df(t) + 0.5) + 1 )   (always positive).
- score(D) = sum over the query tokens q (a repeated query token counts each time) of
  idf(q) * f(q, D) * (k1 + 1) / ( f(q, D) + k1 * (1 - b + b * |D| / avgdl) ),
  where f(q, D) is the count of q in D and |D| its length. Terms absent from D add 0.

Edge cases: empty `docs` gives []. If every document is empty (avgdl == 0) or the query has
no tokens, all scores are 0.0. k1 < 0 or b outside [0, 1] raises ValueError.
"""
# assay: domain = nlp
# assay: category = information_retrieval
# assay: difficulty = intermediate
# assay: key_concepts = BM25; term frequency saturation; document length normalisation; inverse document frequency
# assay: common_mistakes = using the classic idf that can go negative; forgetting the +1 in the numerator factor (k1 + 1); normalising by the query length; dividing by zero when all documents are empty
# assay: tags = bm25, search, ranking

import math
import re
from collections import Counter


def bm25_scores(query: str, docs: list[str], k1: float = 1.5, b: float = 0.75) -> list[float]:
    """Return the BM25 score of every document for `query`."""
    if k1 < 0 or not 0 <= b <= 1:
        raise ValueError("need k1 >= 0 and 0 <= b <= 1")
    if not docs:
        return []
    toks = [re.findall(r"\w+", d.lower()) for d in docs]
    q = re.findall(r"\w+", query.lower())
    n = len(docs)
    avgdl = sum(len(t) for t in toks) / n
    if avgdl == 0 or not q:
        return [0.0] * n
    counts = [Counter(t) for t in toks]
    df = Counter(term for c in counts for term in c)
    scores = []
    for c, t in zip(counts, toks):
        s = 0.0
        norm = k1 * (1 - b + b * len(t) / avgdl)
        for term in q:
            f = c.get(term, 0)
            if f == 0:
                continue
            idf = math.log((n - df[term] + 0.5) / (df[term] + 0.5) + 1)
            s += idf * f * (k1 + 1) / (f + norm)
        scores.append(s)
    return scores


def test_normal_relevant_document_ranks_first():
    docs = ["the cat sat on the mat", "dogs chase cats in the park",
            "a quick brown fox", "the cat and the hat"]
    scores = bm25_scores("cat hat", docs)
    assert len(scores) == 4
    assert max(range(4), key=scores.__getitem__) == 3
    assert scores[2] == 0.0


def test_normal_rare_terms_matter_more():
    docs = ["common rare", "common", "common", "common"]
    s_common = bm25_scores("common", docs)
    s_rare = bm25_scores("rare", docs)
    assert s_rare[0] > s_common[0] > 0


def test_edge_case_empty_inputs_and_params():
    assert bm25_scores("x", []) == []
    assert bm25_scores("x", ["", ""]) == [0.0, 0.0]
    assert bm25_scores("!!!", ["a b", "c"]) == [0.0, 0.0]
    for kw in ({"k1": -1}, {"b": 1.5}):
        try:
            bm25_scores("a", ["a"], **kw)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_hand_computed_value():
    import math
    docs = ["apple apple banana", "banana cherry", "cherry"]
    got = bm25_scores("apple banana", docs, k1=1.2, b=0.75)
    avgdl = 6 / 3
    idf_apple = math.log((3 - 1 + 0.5) / (1 + 0.5) + 1)
    idf_banana = math.log((3 - 2 + 0.5) / (2 + 0.5) + 1)
    norm0 = 1.2 * (1 - 0.75 + 0.75 * 3 / avgdl)
    norm1 = 1.2 * (1 - 0.75 + 0.75 * 2 / avgdl)
    exp0 = idf_apple * 2 * 2.2 / (2 + norm0) + idf_banana * 1 * 2.2 / (1 + norm0)
    exp1 = idf_banana * 1 * 2.2 / (1 + norm1)
    assert abs(got[0] - exp0) < 1e-12 and abs(got[1] - exp1) < 1e-12 and got[2] == 0.0


def test_correctness_length_normalisation_and_repeated_query():
    docs = ["x y", "x y z z z z z z"]
    no_norm = bm25_scores("x", docs, b=0.0)
    assert abs(no_norm[0] - no_norm[1]) < 1e-12
    full = bm25_scores("x", docs, b=1.0)
    assert full[0] > full[1]
    single = bm25_scores("x", docs)
    double = bm25_scores("x x", docs)
    assert all(abs(d - 2 * s) < 1e-12 for d, s in zip(double, single))
