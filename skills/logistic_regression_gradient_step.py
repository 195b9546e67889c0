"""Take one batch gradient-descent step for L2-regularised binary logistic regression and report the loss.

Write `logistic_step(w, b, X, y, lr=0.1, l2=0.0)` where `w` is a float array (d,), `b` a
float bias, `X` an (n, d) array and `y` an (n,) array of 0/1 labels. Return
`(new_w, new_b, loss)` where `loss` is evaluated at the *input* parameters (w, b):

    z = X @ w + b,   p = sigmoid(z) = 1 / (1 + exp(-z))
    loss = mean_i[ -y_i * log(p_i) - (1 - y_i) * log(1 - p_i) ] + 0.5 * l2 * ||w||^2
    grad_w = X.T @ (p - y) / n + l2 * w,   grad_b = mean(p - y)   (the bias is not regularised)
    new_w = w - lr * grad_w,   new_b = b - lr * grad_b

The loss must be numerically stable for large |z|: compute the per-sample term as
logaddexp(0, z) - y * z (never log(0)); the sigmoid must not overflow either. Inputs are not
modified; new_w is a new float64 array and new_b, loss are Python floats.

Edge cases: raise ValueError if n == 0, if shapes are inconsistent, or if y contains values
other than 0 and 1.
"""
# assay: domain = classification
# assay: category = linear_models
# assay: difficulty = intermediate
# assay: requirements = numpy, scikit-learn
# assay: timeout = 15
# assay: key_concepts = logistic regression; binary cross-entropy; gradient descent; L2 regularisation; numerical stability
# assay: common_mistakes = regularising the bias; computing log(sigmoid(z)) that underflows to log(0); summing instead of averaging the gradient; returning the loss after the update; modifying w in place
# assay: tags = logistic-regression, gradient-descent, optimization

import numpy as np


def logistic_step(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, lr: float = 0.1,
                  l2: float = 0.0) -> tuple[np.ndarray, float, float]:
    """Return (new_w, new_b, loss at the input parameters)."""
    w = np.asarray(w, dtype=float)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError("X must be a non-empty 2-D array")
    if w.shape != (X.shape[1],) or y.shape != (X.shape[0],):
        raise ValueError("inconsistent shapes")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must contain only 0 and 1")
    n = X.shape[0]
    z = X @ w + b
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * np.dot(w, w))
    p = np.exp(-np.logaddexp(0.0, -z))
    err = p - y
    grad_w = X.T @ err / n + l2 * w
    grad_b = float(err.mean())
    return w - lr * grad_w, float(b - lr * grad_b), loss


def test_normal_zero_init_loss_is_log2():
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0]])
    y = np.array([1, 0, 1])
    w, b, loss = logistic_step(np.zeros(2), 0.0, X, y, lr=1.0)
    assert abs(loss - np.log(2)) < 1e-12
    # p = 0.5 everywhere -> grad_w = X.T @ (0.5 - y) / 3
    assert np.allclose(w, -(X.T @ (0.5 - y)) / 3)
    assert abs(b - (-(0.5 - 2 / 3))) < 1e-12


def test_normal_training_on_breast_cancer():
    from sklearn.datasets import load_breast_cancer
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    w, b = np.zeros(X.shape[1]), 0.0
    losses = []
    for _ in range(200):
        w, b, loss = logistic_step(w, b, X, y, lr=0.5, l2=1e-3)
        losses.append(loss)
    assert all(l2_ <= l1_ + 1e-12 for l1_, l2_ in zip(losses, losses[1:]))
    acc = (((X @ w + b) > 0).astype(int) == y).mean()
    assert acc > 0.97


def test_edge_case_extreme_logits_are_finite():
    X = np.array([[1000.0], [-1000.0]])
    y = np.array([0, 1])
    w, b, loss = logistic_step(np.array([1.0]), 0.0, X, y, lr=0.0)
    assert np.isfinite(loss) and abs(loss - 1000.0) < 1e-9
    assert np.all(np.isfinite(w))


def test_edge_case_invalid_inputs_and_no_mutation():
    w0 = np.array([0.5, -0.5])
    X = np.ones((2, 2))
    logistic_step(w0, 0.0, X, np.array([0, 1]), l2=0.1)
    assert w0.tolist() == [0.5, -0.5]
    for args in ((w0, 0.0, np.zeros((0, 2)), np.zeros(0)), (w0, 0.0, np.ones((2, 3)), np.array([0, 1])),
                 (w0, 0.0, X, np.array([0, 2]))):
        try:
            logistic_step(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (rng.random(40) < 0.5).astype(int)
    w, b, l2, lr = rng.normal(size=3), 0.3, 0.2, 1.0
    new_w, new_b, loss = logistic_step(w, b, X, y, lr=lr, l2=l2)
    grad_w, grad_b = (w - new_w) / lr, (b - new_b) / lr
    eps = 1e-6

    def f(w_, b_):
        return logistic_step(w_, b_, X, y, lr=0.0, l2=l2)[2]

    for j in range(3):
        e = np.zeros(3)
        e[j] = eps
        assert abs((f(w + e, b) - f(w - e, b)) / (2 * eps) - grad_w[j]) < 1e-6
    assert abs((f(w, b + eps) - f(w, b - eps)) / (2 * eps) - grad_b) < 1e-6
