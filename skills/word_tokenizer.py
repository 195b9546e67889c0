"""Split raw text into word and punctuation tokens, keeping contractions and hyphenated words whole.

Write `tokenize(text, lowercase=True)` returning the list of tokens of `text`, in order.

Token rules:
- A word is a maximal run of letters or digits (Unicode-aware: the word characters of
  Python's re module except the underscore), optionally joined to further such runs by a single
  apostrophe `'` or hyphen `-` placed *between* two alphanumeric characters. So
  "don't" and "state-of-the-art" are single tokens, while in "end-" or "'quoted'" the
  hyphen/apostrophes are separate tokens.
- Every other non-whitespace character (punctuation, symbols, the underscore) is a token on
  its own, one character per token ("--" gives ["-", "-"]).
- Whitespace only separates tokens and is never part of one.
- If `lowercase` is True (the default) every token is lowercased with `str.lower()`.

Edge cases: an empty or whitespace-only string gives []. A `text` that is not a `str`
raises TypeError.
"""
# assay: domain = nlp
# assay: category = tokenization
# assay: difficulty = basic
# assay: key_concepts = tokenization; regular expressions; contractions; unicode word characters
# assay: common_mistakes = splitting "don't" into three tokens; dropping punctuation; treating the underscore as a word character; grouping runs of punctuation into one token
# assay: tags = tokenizer, regex, preprocessing

import re

_TOKEN_RE = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*|[^\w\s]|_")


def tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Return the word and punctuation tokens of `text` in order."""
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    tokens = _TOKEN_RE.findall(text)
    if lowercase:
        tokens = [t.lower() for t in tokens]
    return tokens


def test_normal_sentence_with_punctuation():
    assert tokenize("Hello, world!") == ["hello", ",", "world", "!"]
    assert tokenize("I can't believe it's state-of-the-art.") == [
        "i", "can't", "believe", "it's", "state-of-the-art", "."]


def test_normal_keeps_case_when_asked():
    assert tokenize("New York 2024", lowercase=False) == ["New", "York", "2024"]


def test_edge_case_empty_and_whitespace():
    assert tokenize("") == []
    assert tokenize(" \t\n  ") == []


def test_edge_case_dangling_joiners_and_symbols():
    assert tokenize("end- 'quoted' --") == ["end", "-", "'", "quoted", "'", "-", "-"]
    assert tokenize("snake_case") == ["snake", "_", "case"]
    assert tokenize("a--b") == ["a", "-", "-", "b"]


def test_edge_case_rejects_non_string():
    try:
        tokenize(None)
    except TypeError:
        pass
    else:
        raise AssertionError("expected TypeError")


def test_correctness_unicode_and_reconstruction():
    assert tokenize("Café naïve Straße") == ["café", "naïve", "straße"]
    text = "Dr. O'Neil's e-mail: x@y.org (re-sent)!! 3.14"
    tokens = tokenize(text, lowercase=False)
    assert "".join(tokens) == "".join(text.split())
    assert tokens[:4] == ["Dr", ".", "O'Neil's", "e-mail"]
    assert "3" in tokens and "14" in tokens
