# Run by scripts/build-images inside the freshly built image (hardened flags, uid 10001).
import json, os, re, sys, collections, itertools, math, heapq, hashlib  # noqa: F401
assert sys.prefix == "/opt/assay/venv", sys.prefix
assert os.getuid() == 10001, os.getuid()
assert hash("abc") == hash("abc") and os.environ.get("PYTHONHASHSEED") == "0"
print(sys.version.split()[0], sys.prefix)
