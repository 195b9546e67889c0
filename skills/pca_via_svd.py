"""Implement principal component analysis (PCA) through the singular value decomposition with a deterministic sign convention.

Write `pca(X, n_components)` with numpy for an (n, d) array `X`. Return a dict with:
- "components": (n_components, d) array, the top principal axes (unit-norm rows, ordered by
  decreasing explained variance);
- "explained_variance": (n_components,) array, the variance along each axis with the n - 1
  denominator (singular value s gives s**2 / (n - 1));
- "explained_variance_ratio": explained_variance divided by the total variance (sum of the
  per-feature variances with ddof=1);
- "mean": (d,) column means;
- "transformed": (n, n_components) array, (X - mean) @ components.T.

Compute it with `np.linalg.svd(X - mean, full_matrices=False)`. Sign convention (to make the
result deterministic): flip each component so that its entry of largest absolute value is
positive (the first such entry on ties), flipping the corresponding column of
"transformed" too.

Edge cases: raise ValueError if X is not 2-D, n < 2, or n_components is not in
1 .. min(n, d). If the total variance is 0, explained_variance_ratio is all zeros.
"""
# assay: domain = clustering
# assay: category = dimensionality_reduction
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = principal component analysis; singular value decomposition; explained variance; centering; sign indeterminacy
# assay: common_mistakes = forgetting to center the data; using n instead of n - 1; taking columns of U instead of rows of Vt; nondeterministic component signs
# assay: tags = pca, svd, dimensionality-reduction

import numpy as np


def pca(X: np.ndarray, n_components: int) -> dict[str, np.ndarray]:
    """Return the PCA decomposition of `X` with `n_components` components."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError("X must be 2-D with at least two rows")
    n, d = X.shape
    if not 1 <= n_components <= min(n, d):
        raise ValueError("n_components must be in 1 .. min(n, d)")
    mean = X.mean(axis=0)
    Xc = X - mean
    _, s, vt = np.linalg.svd(Xc, full_matrices=False)
    comps = vt[:n_components].copy()
    idx = np.argmax(np.abs(comps), axis=1)
    signs = np.sign(comps[np.arange(n_components), idx])
    signs[signs == 0] = 1.0
    comps *= signs[:, None]
    var = s[:n_components] ** 2 / (n - 1)
    total = X.var(axis=0, ddof=1).sum()
    ratio = var / total if total > 0 else np.zeros(n_components)
    return {"components": comps, "explained_variance": var, "explained_variance_ratio": ratio,
            "mean": mean, "transformed": Xc @ comps.T}


def test_normal_points_on_a_line():
    t = np.linspace(-1, 1, 11)
    X = np.column_stack([3 * t + 1, -4 * t + 2])
    r = pca(X, 1)
    assert np.allclose(r["components"], [[-0.6, 0.8]])      # largest |entry| (0.8) made positive
    assert np.allclose(r["explained_variance_ratio"], [1.0])
    assert np.allclose(r["mean"], [1.0, 2.0])
    assert np.allclose(r["transformed"][:, 0], -5 * t)


def test_normal_orthonormal_components_on_iris():
    from sklearn.datasets import load_iris
    X = load_iris().data
    r = pca(X, 3)
    C = r["components"]
    assert C.shape == (3, 4) and np.allclose(C @ C.T, np.eye(3))
    assert np.all(np.diff(r["explained_variance"]) <= 0)
    assert r["explained_variance_ratio"][0] > 0.9
    assert np.allclose(r["transformed"].var(axis=0, ddof=1), r["explained_variance"])


def test_edge_case_constant_data_and_errors():
    r = pca(np.ones((4, 3)), 2)
    assert np.all(r["explained_variance"] == 0) and np.all(r["explained_variance_ratio"] == 0)
    for args in ((np.ones(3), 1), (np.ones((1, 3)), 1), (np.ones((5, 3)), 0), (np.ones((5, 3)), 4)):
        try:
            pca(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn_pca_up_to_sign():
    from sklearn.datasets import load_wine
    from sklearn.decomposition import PCA
    X = load_wine().data
    r = pca(X, 4)
    ref = PCA(n_components=4, svd_solver="full").fit(X)
    signs = np.sign((r["components"] * ref.components_).sum(axis=1))
    assert np.allclose(r["components"], ref.components_ * signs[:, None])
    assert np.allclose(r["explained_variance"], ref.explained_variance_)
    assert np.allclose(r["explained_variance_ratio"], ref.explained_variance_ratio_)
    assert np.allclose(r["transformed"], ref.transform(X) * signs[None, :])
    big = np.abs(r["components"]).argmax(axis=1)
    assert np.all(r["components"][np.arange(4), big] > 0)
