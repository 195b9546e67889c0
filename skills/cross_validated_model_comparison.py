"""Compare several scikit-learn classifiers on a dataset with stratified k-fold cross-validation.

Write `compare_models(X, y, n_splits=5, random_state=0)` returning a dict that maps a model
name to {"mean": float, "std": float, "scores": list of n_splits floats} (fold accuracies
in fold order, std with ddof=0). Models (build a fresh one for every fold):
- "logreg": a Pipeline of StandardScaler and LogisticRegression(max_iter=1000);
- "knn": a Pipeline of StandardScaler and KNeighborsClassifier(n_neighbors=5);
- "tree": DecisionTreeClassifier(max_depth=4, random_state=random_state) (no scaling).
Folds come from StratifiedKFold(n_splits, shuffle=True, random_state=random_state); each
model is fitted on the training part only (scaling statistics included) and scored by
accuracy on the held-out part. The dict keys are in the order "logreg", "knn", "tree".

Edge cases: raise ValueError if n_splits < 2, if X and y have different lengths, or if a
class has fewer than n_splits samples.
"""
# assay: domain = classification
# assay: category = model_selection
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = stratified k-fold cross-validation; pipelines to avoid leakage; model comparison; reproducibility
# assay: common_mistakes = scaling the whole dataset before splitting (leakage); reusing a fitted model across folds; unshuffled folds on sorted labels; reporting the sample standard deviation
# assay: tags = sklearn, cross-validation, pipeline, model-selection

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier


def compare_models(X: np.ndarray, y: np.ndarray, n_splits: int = 5,
                   random_state: int = 0) -> dict[str, dict]:
    """Return per-model fold accuracies with their mean and standard deviation."""
    X = np.asarray(X)
    y = np.asarray(y)
    if n_splits < 2:
        raise ValueError("n_splits must be >= 2")
    if len(X) != len(y):
        raise ValueError("X and y lengths differ")
    if np.unique(y, return_counts=True)[1].min() < n_splits:
        raise ValueError("every class needs at least n_splits samples")
    factories = {
        "logreg": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "knn": lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5)),
        "tree": lambda: DecisionTreeClassifier(max_depth=4, random_state=random_state),
    }
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    folds = list(cv.split(X, y))
    out = {}
    for name, make in factories.items():
        scores = []
        for tr, te in folds:
            model = make().fit(X[tr], y[tr])
            scores.append(float((model.predict(X[te]) == y[te]).mean()))
        out[name] = {"mean": float(np.mean(scores)), "std": float(np.std(scores)), "scores": scores}
    return out


def test_normal_wine_comparison():
    from sklearn.datasets import load_wine
    X, y = load_wine(return_X_y=True)
    res = compare_models(X, y)
    assert list(res) == ["logreg", "knn", "tree"]
    assert len(res["logreg"]["scores"]) == 5
    assert res["logreg"]["mean"] > 0.95 and res["knn"]["mean"] > 0.9
    assert 0.0 <= res["tree"]["std"] < 0.2


def test_normal_reproducible():
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True)
    X, y = X[::2], y[::2]
    a = compare_models(X, y, n_splits=3, random_state=1)
    assert a == compare_models(X, y, n_splits=3, random_state=1)
    for res in a.values():
        assert len(res["scores"]) == 3 and np.isclose(res["mean"], np.mean(res["scores"]))


def test_edge_case_invalid_arguments():
    X = np.zeros((10, 2))
    y = np.array([0] * 8 + [1] * 2)
    for args in ((X, y, 1), (X, y[:-1], 2), (X, y, 3)):
        try:
            compare_models(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_cross_val_score():
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import cross_val_score
    X, y = load_breast_cancer(return_X_y=True)
    X, y = X[::3], y[::3]
    res = compare_models(X, y, n_splits=3, random_state=3)
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=3)
    ref = cross_val_score(make_pipeline(StandardScaler(), KNeighborsClassifier(5)), X, y, cv=cv)
    assert np.allclose(res["knn"]["scores"], ref)
    ref_tree = cross_val_score(DecisionTreeClassifier(max_depth=4, random_state=3), X, y, cv=cv)
    assert np.allclose(res["tree"]["scores"], ref_tree)
    assert np.isclose(res["tree"]["std"], np.std(ref_tree))
