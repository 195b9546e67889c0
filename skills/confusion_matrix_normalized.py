"""Build a confusion matrix from true and predicted labels, with optional row, column or global normalisation.

Write `confusion_matrix(y_true, y_pred, labels=None, normalize=None)` using only the
standard library. Return a list of lists `cm` where cm[i][j] is the number of samples whose
true label is labels[i] and predicted label is labels[j].

- `labels`: the label order; None means sorted(set(y_true) | set(y_pred)). Samples whose
  true or predicted label is not in an explicitly given `labels` are ignored.
- `normalize`: None (int counts), "true" (each row divided by its sum), "pred" (each column
  divided by its sum) or "all" (divided by the total). Normalised cells are floats; a row,
  column or total of 0 gives 0.0 cells instead of dividing by zero.

Edge cases: empty inputs with labels=None give []. Lists of different lengths, an unknown
`normalize` value or duplicate entries in `labels` raise ValueError.
"""
# assay: domain = classification
# assay: category = evaluation_metrics
# assay: difficulty = basic
# assay: key_concepts = confusion matrix; label ordering; normalisation by true class or by prediction
# assay: common_mistakes = transposing rows (true) and columns (predicted); dividing by zero for empty rows; normalising rows when "pred" is requested; crashing on labels outside the given list
# assay: tags = confusion-matrix, metrics, stdlib

def confusion_matrix(y_true: list, y_pred: list, labels: list | None = None,
                     normalize: str | None = None) -> list[list[float]]:
    """Return the confusion matrix (rows = true labels, columns = predicted labels)."""
    if len(y_true) != len(y_pred):
        raise ValueError("length mismatch")
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError("normalize must be None, 'true', 'pred' or 'all'")
    if labels is None:
        labels = sorted(set(y_true) | set(y_pred))
    if len(set(labels)) != len(labels):
        raise ValueError("duplicate labels")
    index = {lab: i for i, lab in enumerate(labels)}
    k = len(labels)
    cm = [[0] * k for _ in range(k)]
    for t, p in zip(y_true, y_pred):
        if t in index and p in index:
            cm[index[t]][index[p]] += 1
    if normalize == "true":
        return [[c / s if (s := sum(row)) else 0.0 for c in row] for row in cm]
    if normalize == "pred":
        cols = [sum(cm[i][j] for i in range(k)) for j in range(k)]
        return [[cm[i][j] / cols[j] if cols[j] else 0.0 for j in range(k)] for i in range(k)]
    if normalize == "all":
        total = sum(map(sum, cm))
        return [[c / total if total else 0.0 for c in row] for row in cm]
    return cm


def test_normal_counts():
    y_true = ["cat", "dog", "cat", "bird", "dog", "dog"]
    y_pred = ["cat", "cat", "cat", "dog", "dog", "bird"]
    assert confusion_matrix(y_true, y_pred) == [[0, 0, 1], [0, 2, 0], [1, 1, 1]]


def test_normal_explicit_label_order_filters():
    cm = confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1], labels=[2, 1])
    assert cm == [[1, 1], [1, 0]]


def test_edge_case_empty_zero_rows_and_errors():
    assert confusion_matrix([], []) == []
    cm = confusion_matrix([0, 0], [0, 0], labels=[0, 1], normalize="true")
    assert cm == [[1.0, 0.0], [0.0, 0.0]]
    assert confusion_matrix([], [], labels=[0], normalize="all") == [[0.0]]
    for args, kwargs in ((([1], [1, 2]), {}), (([1], [1]), {"normalize": "rows"}),
                         (([1], [1]), {"labels": [1, 1]})):
        try:
            confusion_matrix(*args, **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_normalisations_are_consistent():
    import random
    rng = random.Random(0)
    y_true = [rng.randrange(4) for _ in range(200)]
    y_pred = [t if rng.random() < 0.7 else rng.randrange(4) for t in y_true]
    cm = confusion_matrix(y_true, y_pred)
    assert sum(map(sum, cm)) == 200
    assert [sum(r) for r in cm] == [y_true.count(c) for c in range(4)]
    assert [sum(cm[i][j] for i in range(4)) for j in range(4)] == [y_pred.count(c) for c in range(4)]
    acc = sum(cm[i][i] for i in range(4)) / 200
    assert abs(acc - sum(t == p for t, p in zip(y_true, y_pred)) / 200) < 1e-12
    rows = confusion_matrix(y_true, y_pred, normalize="true")
    cols = confusion_matrix(y_true, y_pred, normalize="pred")
    alln = confusion_matrix(y_true, y_pred, normalize="all")
    assert all(abs(sum(r) - 1) < 1e-12 for r in rows)
    assert all(abs(sum(cols[i][j] for i in range(4)) - 1) < 1e-12 for j in range(4))
    assert abs(sum(map(sum, alln)) - 1) < 1e-12
    assert abs(rows[2][1] - cm[2][1] / sum(cm[2])) < 1e-12
