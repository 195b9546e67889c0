"""Score the sentiment of a text with a word lexicon, handling negations and intensifiers.

Write `score_sentiment(text, lexicon, negators=None, intensifiers=None, alpha=15.0)`
returning a dict `{"score": float, "compound": float, "hits": int}`.

Procedure:
1. Tokens are `re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())` (so "don't" is one token).
2. For each token found in `lexicon` (a dict word -> polarity float), start from its
   polarity v:
   - if the token immediately before it is a key of `intensifiers` (dict word -> factor),
     multiply v by that factor;
   - if any of the (up to) three tokens immediately before it is in `negators`, multiply v
     by -0.5 (once, however many negators there are).
3. "score" is the sum of the adjusted values, "hits" the number of lexicon tokens, and
   "compound" = score / sqrt(score**2 + alpha), a value strictly inside (-1, 1)
   (0.0 when score is 0).

Defaults: `negators=None` means the set {"not", "no", "never", "don't", "doesn't",
"didn't", "isn't", "wasn't", "can't", "won't"}; `intensifiers=None` means
{"very": 1.5, "really": 1.5, "extremely": 2.0, "slightly": 0.5}.

Edge cases: text with no lexicon words gives {"score": 0.0, "compound": 0.0, "hits": 0}.
`alpha <= 0` raises ValueError.
"""
# assay: domain = nlp
# assay: category = sentiment_analysis
# assay: difficulty = intermediate
# assay: key_concepts = lexicon-based sentiment; negation window; intensifiers; score normalisation
# assay: common_mistakes = flipping polarity fully instead of scaling by -0.5; applying the negation twice for two negators; looking at tokens after the word; splitting contractions
# assay: tags = sentiment, lexicon, vader-like

import math
import re

NEGATORS = frozenset({"not", "no", "never", "don't", "doesn't", "didn't", "isn't",
                      "wasn't", "can't", "won't"})
INTENSIFIERS = {"very": 1.5, "really": 1.5, "extremely": 2.0, "slightly": 0.5}


def score_sentiment(text: str, lexicon: dict[str, float], negators: frozenset | None = None,
                    intensifiers: dict[str, float] | None = None, alpha: float = 15.0) -> dict:
    """Return {"score", "compound", "hits"} for `text` under `lexicon`."""
    if negators is None:
        negators = NEGATORS
    if intensifiers is None:
        intensifiers = INTENSIFIERS
    if alpha <= 0:
        raise ValueError("alpha must be positive")
    tokens = re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())
    score = 0.0
    hits = 0
    for i, tok in enumerate(tokens):
        if tok not in lexicon:
            continue
        v = float(lexicon[tok])
        if i >= 1 and tokens[i - 1] in intensifiers:
            v *= intensifiers[tokens[i - 1]]
        if any(t in negators for t in tokens[max(0, i - 3):i]):
            v *= -0.5
        score += v
        hits += 1
    compound = 0.0 if score == 0 else score / math.sqrt(score * score + alpha)
    return {"score": score, "compound": compound, "hits": hits}


def test_normal_positive_and_negative():
    LEX = {"good": 2.0, "great": 3.0, "bad": -2.0, "terrible": -3.0, "fine": 1.0}
    pos = score_sentiment("What a great, good day!", LEX)
    neg = score_sentiment("This was terrible and bad.", LEX)
    assert pos["score"] == 5.0 and pos["hits"] == 2
    assert neg["score"] == -5.0 and neg["hits"] == 2
    assert 0 < pos["compound"] < 1 and -1 < neg["compound"] < 0


def test_normal_negation_and_intensifier():
    LEX = {"good": 2.0, "great": 3.0, "bad": -2.0, "terrible": -3.0, "fine": 1.0}
    assert score_sentiment("not good", LEX)["score"] == -1.0
    assert score_sentiment("very good", LEX)["score"] == 3.0
    assert score_sentiment("I don't think it is very good", LEX)["score"] == 3.0
    # negator four tokens back is outside the window
    assert score_sentiment("not that it is so good", LEX)["score"] == 2.0


def test_edge_case_no_hits_and_bad_alpha():
    LEX = {"good": 2.0, "great": 3.0, "bad": -2.0, "terrible": -3.0, "fine": 1.0}
    assert score_sentiment("", LEX) == {"score": 0.0, "compound": 0.0, "hits": 0}
    assert score_sentiment("nothing relevant here", LEX)["compound"] == 0.0
    try:
        score_sentiment("good", LEX, alpha=0)
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError")


def test_edge_case_double_negation_applies_once():
    LEX = {"good": 2.0, "great": 3.0, "bad": -2.0, "terrible": -3.0, "fine": 1.0}
    # two negators in the window still scale by -0.5 once
    assert score_sentiment("no, not good", LEX)["score"] == -1.0


def test_correctness_compound_formula():
    LEX = {"good": 2.0, "great": 3.0, "bad": -2.0, "terrible": -3.0, "fine": 1.0}
    import math
    r = score_sentiment("extremely good but slightly bad. Never terrible", LEX, alpha=4.0)
    expected = 2.0 * 2.0 + (-2.0 * 0.5) + (-3.0 * -0.5)
    assert abs(r["score"] - expected) < 1e-12
    assert abs(r["compound"] - expected / math.sqrt(expected ** 2 + 4.0)) < 1e-12
    custom = score_sentiment("meh fine", {"fine": 1.0}, negators=frozenset({"meh"}))
    assert custom["score"] == -0.5
