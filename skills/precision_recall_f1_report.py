"""Compute per-class precision, recall and F1 plus macro, micro and weighted averages from label lists.

Write `classification_report(y_true, y_pred)` using only the standard library. Both
arguments are equal-length lists of hashable, mutually comparable labels. Return a dict:
- for every label in sorted(set(y_true) | set(y_pred)), an entry
  label -> {"precision": p, "recall": r, "f1": f, "support": s} where s is the number of
  occurrences of the label in y_true, p = TP / (TP + FP), r = TP / (TP + FN) and
  f = 2pr / (p + r); any 0/0 is defined as 0.0;
- "macro": the unweighted mean of the per-class precision, recall and f1 (dict with those
  three keys);
- "weighted": the support-weighted mean of the per-class precision, recall and f1;
- "micro": precision, recall and f1 from the summed TP/FP/FN over classes (for
  single-label data these all equal the accuracy).

Edge cases: empty inputs raise ValueError, as do lists of different lengths. A label that
appears only in y_pred gets support 0 and recall 0.0.
"""
# assay: domain = classification
# assay: category = evaluation_metrics
# assay: difficulty = basic
# assay: key_concepts = precision; recall; F1 score; macro versus micro versus weighted averaging; zero division
# assay: common_mistakes = swapping precision and recall; raising ZeroDivisionError for classes never predicted; averaging F1 as the harmonic mean of macro precision and recall; ignoring labels that only appear in predictions
# assay: tags = metrics, f1, precision, recall, stdlib

def classification_report(y_true: list, y_pred: list) -> dict:
    """Return per-class and averaged precision/recall/F1."""
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred must have the same length")
    if not y_true:
        raise ValueError("empty input")

    def div(a: float, b: float) -> float:
        return a / b if b else 0.0

    labels = sorted(set(y_true) | set(y_pred))
    report: dict = {}
    tp_sum = fp_sum = fn_sum = 0
    for lab in labels:
        tp = sum(1 for t, p in zip(y_true, y_pred) if t == lab and p == lab)
        fp = sum(1 for t, p in zip(y_true, y_pred) if t != lab and p == lab)
        fn = sum(1 for t, p in zip(y_true, y_pred) if t == lab and p != lab)
        prec, rec = div(tp, tp + fp), div(tp, tp + fn)
        report[lab] = {"precision": prec, "recall": rec, "f1": div(2 * prec * rec, prec + rec),
                       "support": tp + fn}
        tp_sum, fp_sum, fn_sum = tp_sum + tp, fp_sum + fp, fn_sum + fn
    keys = ("precision", "recall", "f1")
    n = len(y_true)
    report["macro"] = {k: sum(report[l][k] for l in labels) / len(labels) for k in keys}
    report["weighted"] = {k: sum(report[l][k] * report[l]["support"] for l in labels) / n for k in keys}
    mp, mr = div(tp_sum, tp_sum + fp_sum), div(tp_sum, tp_sum + fn_sum)
    report["micro"] = {"precision": mp, "recall": mr, "f1": div(2 * mp * mr, mp + mr)}
    return report


def test_normal_binary_counts():
    y_true = [1, 1, 1, 0, 0, 0, 0, 1]
    y_pred = [1, 0, 1, 0, 1, 0, 0, 1]
    r = classification_report(y_true, y_pred)
    assert r[1] == {"precision": 0.75, "recall": 0.75, "f1": 0.75, "support": 4}
    assert r[0]["support"] == 4 and r[0]["precision"] == 0.75
    assert r["micro"]["f1"] == 0.75


def test_normal_multiclass_averages():
    y_true = ["cat", "cat", "dog", "dog", "dog", "bird"]
    y_pred = ["cat", "dog", "dog", "dog", "cat", "dog"]
    r = classification_report(y_true, y_pred)
    assert r["bird"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert abs(r["dog"]["precision"] - 2 / 4) < 1e-12 and abs(r["dog"]["recall"] - 2 / 3) < 1e-12
    assert abs(r["macro"]["recall"] - (0.5 + 2 / 3 + 0.0) / 3) < 1e-12
    assert abs(r["micro"]["precision"] - 3 / 6) < 1e-12


def test_edge_case_errors_and_prediction_only_label():
    for a, b in (([], []), ([1], [1, 2])):
        try:
            classification_report(a, b)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")
    r = classification_report([0, 0], [0, 9])
    assert r[9] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert r[0]["recall"] == 0.5 and r[0]["precision"] == 1.0


def test_correctness_weighted_and_micro_identities():
    import random
    rng = random.Random(0)
    y_true = [rng.choice("abcd") for _ in range(300)]
    y_pred = [t if rng.random() < 0.6 else rng.choice("abcd") for t in y_true]
    r = classification_report(y_true, y_pred)
    acc = sum(t == p for t, p in zip(y_true, y_pred)) / 300
    for k in ("precision", "recall", "f1"):
        assert abs(r["micro"][k] - acc) < 1e-12
    # weighted recall equals accuracy too
    assert abs(r["weighted"]["recall"] - acc) < 1e-12
    for lab in "abcd":
        p, q = r[lab]["precision"], r[lab]["recall"]
        assert abs(r[lab]["f1"] - 2 * p * q / (p + q)) < 1e-12
    assert sum(r[l]["support"] for l in "abcd") == 300
