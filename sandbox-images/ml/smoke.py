# Run by scripts/build-images inside the freshly built image (hardened flags, uid 10001).
import os, sys
import numpy, pandas, scipy, sklearn  # noqa: F401
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
assert sys.prefix == "/opt/assay/venv", sys.prefix
assert os.getuid() == 10001, os.getuid()
X, y = load_iris(return_X_y=True)
acc = LogisticRegression(max_iter=500).fit(X, y).score(X, y)
assert acc > 0.9, acc
assert str(pandas.to_datetime("2024-03-01 12:00").date()) == "2024-03-01"
print(load_iris().data.shape, "numpy", numpy.__version__, "pandas", pandas.__version__,
      "scipy", scipy.__version__, "sklearn", sklearn.__version__)
