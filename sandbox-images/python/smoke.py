# Run by scripts/build-images inside the freshly built image (hardened flags, uid 10001).
import json, os, re, sys, collections, itertools, math, heapq, hashlib  # noqa: F401
assert sys.prefix == "/opt/assay/venv", sys.prefix
assert os.getuid() == 10001, os.getuid()
# The execution environment (PYTHONHASHSEED and the rest) is the harness's to set, per
# container (src/sandbox/environment.rs); the image itself sets only PATH and LANG.
assert "PYTHONHASHSEED" not in os.environ, os.environ["PYTHONHASHSEED"]
print(sys.version.split()[0], sys.prefix)
