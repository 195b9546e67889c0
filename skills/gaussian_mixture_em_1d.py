"""Fit a one-dimensional Gaussian mixture model with the expectation-maximisation (EM) algorithm.

Write `gmm_em_1d(x, means, variances, weights, max_iter=100, tol=1e-8, reg=1e-6)` with numpy.
`x` is a 1-D data array; `means`, `variances`, `weights` are the initial parameters of K
components (1-D arrays of length K, weights summing to 1). Return a dict with the final
"means", "variances", "weights" (float64 arrays) and "log_likelihood", the list of total
log-likelihoods computed at each E-step.

Each iteration:
1. E-step (in log space): log p_ik = log w_k + log N(x_i | mu_k, var_k), with
   log N = -0.5 * (log(2 pi var) + (x - mu)^2 / var); the log-likelihood is
   L = sum_i logsumexp_k(log p_ik) (append it to the history); responsibilities
   r_ik = exp(log p_ik - logsumexp_k log p_ik).
2. If this is not the first iteration and L - L_previous < tol, stop (without an M-step).
3. M-step: N_k = sum_i r_ik; w_k = N_k / n; mu_k = sum_i r_ik x_i / N_k;
   var_k = sum_i r_ik (x_i - mu_k)^2 / N_k + reg.
Stop after max_iter iterations at most (each iteration = E-step + optional M-step).

Edge cases: raise ValueError if x is empty or not 1-D, the parameter arrays have different
lengths or are empty, a variance is <= 0, a weight is negative, or the weights do not sum
to 1 (tolerance 1e-6).
"""
# assay: domain = clustering
# assay: category = mixture_models
# assay: difficulty = advanced
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = Gaussian mixture models; expectation-maximisation; responsibilities; log-sum-exp; monotone likelihood
# assay: common_mistakes = computing densities outside log space so far points underflow to 0/0; updating variances with the old means; forgetting the variance floor so a component collapses; using standard deviations where variances are expected
# assay: tags = gmm, em, mixture, unsupervised

import numpy as np


def gmm_em_1d(x: np.ndarray, means: np.ndarray, variances: np.ndarray, weights: np.ndarray,
              max_iter: int = 100, tol: float = 1e-8, reg: float = 1e-6) -> dict:
    """Return the EM-fitted 1-D Gaussian mixture parameters and the log-likelihood history."""
    x = np.asarray(x, dtype=float)
    mu = np.array(means, dtype=float)
    var = np.array(variances, dtype=float)
    w = np.array(weights, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError("x must be a non-empty 1-D array")
    if mu.ndim != 1 or mu.size == 0 or mu.shape != var.shape or mu.shape != w.shape:
        raise ValueError("parameter arrays must be non-empty and of equal length")
    if (var <= 0).any() or (w < 0).any() or abs(w.sum() - 1.0) > 1e-6:
        raise ValueError("invalid variances or weights")
    history: list[float] = []
    for it in range(max_iter):
        with np.errstate(divide="ignore"):
            logp = (np.log(w)[None, :] - 0.5 * (np.log(2 * np.pi * var)[None, :]
                    + (x[:, None] - mu[None, :]) ** 2 / var[None, :]))
        m = logp.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(logp - m).sum(axis=1))
        ll = float(lse.sum())
        if history and ll - history[-1] < tol:
            history.append(ll)
            break
        history.append(ll)
        r = np.exp(logp - lse[:, None])
        nk = r.sum(axis=0)
        w = nk / x.size
        mu = (r * x[:, None]).sum(axis=0) / nk
        var = (r * (x[:, None] - mu[None, :]) ** 2).sum(axis=0) / nk + reg
    return {"means": mu, "variances": var, "weights": w, "log_likelihood": history}


def test_normal_recovers_two_components():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-2, 0.5, 300), rng.normal(3, 1.0, 700)])
    r = gmm_em_1d(x, np.array([-1.0, 1.0]), np.array([1.0, 1.0]), np.array([0.5, 0.5]))
    assert np.allclose(r["means"], [-2, 3], atol=0.1)
    assert np.allclose(r["weights"], [0.3, 0.7], atol=0.03)
    assert np.allclose(r["variances"], [x[:300].var(), x[300:].var()], atol=0.05)
    assert len(r["log_likelihood"]) < 100      # converged before max_iter


def test_normal_log_likelihood_never_decreases():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 1, 200), rng.normal(4, 0.5, 100), rng.normal(8, 1, 100)])
    r = gmm_em_1d(x, np.array([1.0, 2.0, 3.0]), np.ones(3), np.ones(3) / 3, max_iter=50, tol=-np.inf)
    ll = r["log_likelihood"]
    assert len(ll) == 50
    assert all(b >= a - 1e-9 for a, b in zip(ll, ll[1:]))


def test_edge_case_far_points_single_component_and_errors():
    x = np.array([0.0, 0.1, 1e6])
    r = gmm_em_1d(x, np.array([0.0, 1.0]), np.array([1.0, 1.0]), np.array([0.5, 0.5]), max_iter=5)
    assert all(np.isfinite(v).all() for v in (r["means"], r["variances"], r["weights"]))
    one = gmm_em_1d(np.array([1.0, 2.0, 3.0]), np.array([0.0]), np.array([1.0]), np.array([1.0]), reg=0.0)
    assert np.allclose(one["means"], [2.0]) and np.allclose(one["variances"], [2 / 3])
    bad = [(np.array([]), [0.0], [1.0], [1.0]), (np.ones(3), [0.0, 1.0], [1.0], [1.0]),
           (np.ones(3), [0.0], [0.0], [1.0]), (np.ones(3), [0.0, 1.0], [1.0, 1.0], [0.7, 0.7])]
    for args in bad:
        try:
            gmm_em_1d(*[np.asarray(a) for a in args])
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_matches_sklearn_gaussian_mixture():
    from sklearn.mixture import GaussianMixture
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.normal(-1, 0.7, 150), rng.normal(2.5, 1.2, 250)])
    mu0, var0, w0 = np.array([-2.0, 1.0]), np.array([1.0, 2.0]), np.array([0.4, 0.6])
    r = gmm_em_1d(x, mu0, var0, w0, max_iter=10, tol=-np.inf, reg=1e-6)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # sklearn warns that 10 iterations did not converge
        gm = GaussianMixture(2, covariance_type="diag", max_iter=10, tol=0.0, reg_covar=1e-6,
                             means_init=mu0[:, None], weights_init=w0,
                             precisions_init=(1 / var0)[:, None]).fit(x[:, None])
    assert np.allclose(r["means"], gm.means_[:, 0], atol=1e-8)
    assert np.allclose(r["variances"], gm.covariances_[:, 0], atol=1e-8)
    assert np.allclose(r["weights"], gm.weights_, atol=1e-8)
