"""BigCodeBench-format tasks written for tests/bigcodebench.rs, and samples for them.

    python3 tasks.py OUT_DIR

writes OUT_DIR/tasks.jsonl (the records, as bigcodebench/data/bigcodebench.py reads them
through BIGCODEBENCH_OVERRIDE_PATH) and OUT_DIR/samples.jsonl (`solution` or `completion`
per line). Each sample's `_kind` says what it is meant to be (both tools ignore it).
Stdlib tasks and `ml`-profile tasks (numpy, pandas); samples right and wrong in various
ways: failing some test methods, raising in a method, raising at import, a syntax error,
a missing module, leaving at import, an endless loop in one method, relying on the
calibration prefix's imports, not defining the function at all.
"""

import json
import sys
import textwrap

TASKS = []
SAMPLES = []


def task(n, code_prompt, doc, canonical, test, libs, wrong=(), completion=None):
    """One task: `code_prompt` is imports + signature, `doc` the docstring text,
    `canonical` the body; `wrong` are (kind, solution body or whole program) samples."""
    code_prompt = textwrap.dedent(code_prompt).lstrip("\n")
    doc = textwrap.indent(textwrap.dedent(doc).strip("\n"), "    ")
    complete = code_prompt + '    """\n' + doc + '\n    """\n'
    canonical = textwrap.indent(textwrap.dedent(canonical).strip("\n"), "    ") + "\n"
    test = "import unittest\n" + textwrap.dedent(test).lstrip("\n")
    tid = "BigCodeBenchTest/%d" % n
    TASKS.append({
        "task_id": tid,
        "complete_prompt": complete,
        "instruct_prompt": "Write the function.\n" + doc + "\n```\n" + code_prompt + "```",
        "canonical_solution": canonical,
        "code_prompt": code_prompt,
        "test": test,
        "entry_point": "task_func",
        "doc_struct": "{}",
        "libs": str(libs),
    })
    SAMPLES.append({"task_id": tid, "_kind": "right", "solution": complete + canonical})
    if completion is not None:
        SAMPLES.append({"task_id": tid, "_kind": "completion", "completion": completion})
    for kind, body in wrong:
        if kind.startswith("bare:"):
            # The signature alone, without the prompt's imports: only the calibration
            # prefix (code_prompt + pass, put first by the evaluator) supplies them.
            signature = code_prompt.rstrip("\n").split("\n")[-1] + "\n"
            body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"
            SAMPLES.append({"task_id": tid, "_kind": kind, "solution": signature + body})
        elif kind.startswith("program:"):
            SAMPLES.append({"task_id": tid, "_kind": kind, "solution": textwrap.dedent(body).lstrip("\n")})
        else:
            body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"
            SAMPLES.append({"task_id": tid, "_kind": kind, "solution": code_prompt + body})


# ---- standard library ---------------------------------------------------------------

task(0, """
    import collections
    def task_func(text):
    """, "Count the words of `text` (split on whitespace, lower-cased).", """
    return dict(collections.Counter(text.lower().split()))
    """, """
    class TestCases(unittest.TestCase):
        def test_basic(self):
            self.assertEqual(task_func("a b a"), {"a": 2, "b": 1})
        def test_case(self):
            self.assertEqual(task_func("A a"), {"a": 2})
        def test_empty(self):
            self.assertEqual(task_func(""), {})
    """, ["collections"], wrong=[
        ("fails test_case", "return dict(collections.Counter(text.split()))"),
        ("raises in every method", "return undefined_name"),
    ], completion="    return dict(collections.Counter(text.lower().split()))\n")

task(1, """
    def task_func(s):
    """, "Whether `s` reads the same backwards, ignoring case and spaces.", """
    t = s.replace(" ", "").lower()
    return t == t[::-1]
    """, """
    class TestCases(unittest.TestCase):
        def test_yes(self):
            self.assertTrue(task_func("Never odd or even"))
        def test_no(self):
            self.assertFalse(task_func("abc"))
        def test_single(self):
            self.assertTrue(task_func("x"))
    """, [], wrong=[
        ("fails test_yes (case)", "t = s.replace(' ', '')\nreturn t == t[::-1]"),
        ("program: syntax error", "def task_func(s)\n    return True\n"),
    ])

task(2, """
    def task_func(n):
    """, "The first `n` Fibonacci numbers, from 0.", """
    out, a, b = [], 0, 1
    for _ in range(n):
        out.append(a)
        a, b = b, a + b
    return out
    """, """
    class TestCases(unittest.TestCase):
        def test_five(self):
            self.assertEqual(task_func(5), [0, 1, 1, 2, 3])
        def test_zero(self):
            self.assertEqual(task_func(0), [])
        def test_one(self):
            self.assertEqual(task_func(1), [0])
    """, [], wrong=[
        ("endless loop in test_five", "if n == 5:\n    while True:\n        pass\nreturn [0, 1, 1, 2, 3][:n]"),
        ("fails test_zero and test_one", "return [0, 1, 1, 2, 3]"),
    ])

task(3, """
    import csv
    import io
    def task_func(line):
    """, "The fields of one CSV line.", """
    return next(csv.reader(io.StringIO(line)))
    """, """
    class TestCases(unittest.TestCase):
        def test_plain(self):
            self.assertEqual(task_func("a,b,c"), ["a", "b", "c"])
        def test_quoted(self):
            self.assertEqual(task_func('"a,b",c'), ["a,b", "c"])
    """, ["csv", "io"], wrong=[
        ("fails test_quoted", "return line.split(',')"),
        ("bare: relies on the calibration's imports", "return next(csv.reader(io.StringIO(line)))"),
    ])

task(4, """
    from datetime import date
    def task_func(a, b):
    """, "Days from ISO date `a` to ISO date `b`.", """
    return (date.fromisoformat(b) - date.fromisoformat(a)).days
    """, """
    class TestCases(unittest.TestCase):
        def test_forward(self):
            self.assertEqual(task_func("2024-01-01", "2024-03-01"), 60)
        def test_backward(self):
            self.assertEqual(task_func("2024-01-02", "2024-01-01"), -1)
        def test_same(self):
            self.assertEqual(task_func("2020-02-29", "2020-02-29"), 0)
    """, ["datetime"], wrong=[
        ("fails test_backward", "return abs((date.fromisoformat(b) - date.fromisoformat(a)).days)"),
        ("program: missing module", "import no_such_module_anywhere\ndef task_func(a, b):\n    return 0\n"),
    ])

task(5, """
    import json
    def task_func(obj):
    """, "`obj` as JSON with sorted keys and no spaces.", """
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))
    """, """
    class TestCases(unittest.TestCase):
        def test_dict(self):
            self.assertEqual(task_func({"b": 1, "a": [1, 2]}), '{"a":[1,2],"b":1}')
        def test_list(self):
            self.assertEqual(task_func([1, "x"]), '[1,"x"]')
    """, ["json"], wrong=[
        ("fails both (spaces)", "return json.dumps(obj, sort_keys=True)"),
        ("program: raises at import", "raise RuntimeError('refusing to load')\n"),
    ])

task(6, """
    import math
    def task_func(n):
    """, "The primes below `n`.", """
    return [p for p in range(2, n) if all(p % d for d in range(2, math.isqrt(p) + 1))]
    """, """
    class TestCases(unittest.TestCase):
        def test_small(self):
            self.assertEqual(task_func(10), [2, 3, 5, 7])
        def test_none(self):
            self.assertEqual(task_func(2), [])
        def test_more(self):
            self.assertEqual(len(task_func(100)), 25)
    """, ["math"], wrong=[
        ("fails test_small and test_more (1 is not prime)", "return [p for p in range(1, n) if all(p % d for d in range(2, math.isqrt(p) + 1))]"),
        ("program: does not define task_func: the calibration stub answers None", "x = 1\n"),
    ])

task(7, """
    import itertools
    def task_func(nested):
    """, "Flatten one level of nesting.", """
    return list(itertools.chain.from_iterable(nested))
    """, """
    class TestCases(unittest.TestCase):
        def test_lists(self):
            self.assertEqual(task_func([[1], [2, 3]]), [1, 2, 3])
        def test_empty(self):
            self.assertEqual(task_func([]), [])
        def test_strings(self):
            self.assertEqual(task_func(["ab", "c"]), ["a", "b", "c"])
    """, ["itertools"], wrong=[
        ("errors in test_strings", "out = []\nfor x in nested:\n    out.extend(x if isinstance(x, list) else x.missing)\nreturn out"),
    ], completion="    return [x for xs in nested for x in xs]\n")

task(8, """
    import re
    def task_func(text):
    """, "The e-mail addresses in `text`, in order.", """
    return re.findall(r"[\\w.]+@[\\w.]+\\.\\w+", text)
    """, """
    class TestCases(unittest.TestCase):
        def test_two(self):
            self.assertEqual(task_func("a@b.com, c.d@e.org"), ["a@b.com", "c.d@e.org"])
        def test_none(self):
            self.assertEqual(task_func("no mail"), [])
    """, ["re"], wrong=[
        ("fails test_two", "return re.findall(r'\\w+@\\w+\\.\\w+', text)"),
        ("program: leaves at import", "import sys\nsys.exit(0)\n"),
    ])

task(9, """
    import os
    def task_func(path, lines):
    """, "Write `lines` to `path`, one per line; return how many were written.", """
    with open(path, "w") as f:
        for line in lines:
            f.write(line + "\\n")
    return len(lines)
    """, """
    import os
    class TestCases(unittest.TestCase):
        def setUp(self):
            self.path = "out.txt"
        def tearDown(self):
            if os.path.exists(self.path):
                os.remove(self.path)
        def test_count(self):
            self.assertEqual(task_func(self.path, ["a", "b"]), 2)
        def test_content(self):
            task_func(self.path, ["x", "y"])
            with open(self.path) as f:
                self.assertEqual(f.read(), "x\\ny\\n")
    """, ["os"], wrong=[
        ("fails test_content (no newline)", "with open(path, 'w') as f:\n    f.write(''.join(lines))\nreturn len(lines)"),
    ])

task(10, """
    import hashlib
    def task_func(s):
    """, "The SHA-256 hex digest of `s` (UTF-8).", """
    return hashlib.sha256(s.encode()).hexdigest()
    """, """
    class TestCases(unittest.TestCase):
        def test_empty(self):
            self.assertEqual(task_func(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        def test_len(self):
            self.assertEqual(len(task_func("abc")), 64)
    """, ["hashlib"], wrong=[
        ("fails test_empty (md5)", "return hashlib.md5(s.encode()).hexdigest()"),
    ])

task(11, """
    import statistics
    def task_func(xs):
    """, "(mean, median) of `xs`.", """
    return (statistics.mean(xs), statistics.median(xs))
    """, """
    class TestCases(unittest.TestCase):
        def test_odd(self):
            self.assertEqual(task_func([1, 2, 9]), (4, 2))
        def test_even(self):
            self.assertEqual(task_func([1, 2, 3, 4]), (2.5, 2.5))
        def test_empty(self):
            with self.assertRaises(statistics.StatisticsError):
                task_func([])
    """, ["statistics"], wrong=[
        ("fails test_empty (no error)", "if not xs:\n    return (0, 0)\nreturn (statistics.mean(xs), statistics.median(xs))"),
        ("errors in test_even", "return (statistics.mean(xs), sorted(xs)[len(xs) // 2 - 1 + len(xs) % 2] if len(xs) % 2 else 1 / 0)"),
    ])

task(12, """
    import random
    def task_func(seed, n):
    """, "`n` random integers in [0, 100] from a generator seeded with `seed`.", """
    rng = random.Random(seed)
    return [rng.randint(0, 100) for _ in range(n)]
    """, """
    import random
    class TestCases(unittest.TestCase):
        def test_repeatable(self):
            self.assertEqual(task_func(1, 5), task_func(1, 5))
        def test_matches(self):
            rng = random.Random(7)
            self.assertEqual(task_func(7, 3), [rng.randint(0, 100) for _ in range(3)])
        def test_range(self):
            self.assertTrue(all(0 <= x <= 100 for x in task_func(3, 50)))
    """, ["random"], wrong=[
        ("fails test_matches (global generator)", "random.seed(seed)\nreturn [random.randint(0, 100) for _ in range(n)] if n != 3 else [0, 0, 0]"),
        ("fails test_repeatable (state across calls)", "global CALLS\ntry:\n    CALLS += 1\nexcept NameError:\n    CALLS = 1\nrng = random.Random(seed)\nout = [rng.randint(0, 100) for _ in range(n)]\nreturn out if n != 5 else [CALLS] + out[1:]"),
    ])

task(13, """
    import string
    def task_func(s, k):
    """, "Caesar-shift the lowercase letters of `s` by `k`.", """
    lower = string.ascii_lowercase
    table = str.maketrans(lower, lower[k % 26:] + lower[:k % 26])
    return s.translate(table)
    """, """
    class TestCases(unittest.TestCase):
        def test_shift(self):
            self.assertEqual(task_func("abc", 1), "bcd")
        def test_wrap(self):
            self.assertEqual(task_func("xyz", 3), "abc")
        def test_other(self):
            self.assertEqual(task_func("a-B", 1), "b-B")
    """, ["string"], wrong=[
        ("fails test_wrap", "return ''.join(chr(ord(c) + k) if c.islower() else c for c in s)"),
        ("leaves inside test_shift", "import sys\nif k == 1 and s == 'abc':\n    sys.exit(3)\nlower = string.ascii_lowercase\nreturn s.translate(str.maketrans(lower, lower[k % 26:] + lower[:k % 26]))"),
    ])

task(14, """
    def task_func(x):
    """, "The square root of `x` by Newton's method; ValueError for negative `x`.", """
    if x < 0:
        raise ValueError("negative")
    if x == 0:
        return 0.0
    r = float(x)
    for _ in range(60):
        r = (r + x / r) / 2
    return r
    """, """
    class TestCases(unittest.TestCase):
        def test_four(self):
            self.assertAlmostEqual(task_func(4), 2.0)
        def test_zero(self):
            self.assertEqual(task_func(0), 0.0)
        def test_negative(self):
            with self.assertRaises(ValueError):
                task_func(-1)
    """, [], wrong=[
        ("errors in test_zero, fails test_negative", "r = float(x)\nfor _ in range(60):\n    r = (r + x / r) / 2\nreturn r"),
    ])

task(15, """
    def task_func(items, key):
    """, "`items` (dicts) sorted by `key`, stable, missing keys last.", """
    return sorted(items, key=lambda d: (key not in d, d.get(key, 0)))
    """, """
    class TestCases(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            cls.items = [{"a": 2}, {"b": 1}, {"a": 1}]
        def test_sorted(self):
            self.assertEqual(task_func(self.items, "a"), [{"a": 1}, {"a": 2}, {"b": 1}])
        def test_unchanged(self):
            task_func(self.items, "a")
            self.assertEqual(self.items[0], {"a": 2})
        def test_all_missing(self):
            self.assertEqual(task_func(self.items, "z"), self.items)
    """, [], wrong=[
        ("fails test_unchanged (sorts in place)", "items.sort(key=lambda d: (key not in d, d.get(key, 0)))\nreturn items"),
        ("errors in test_sorted and test_all_missing", "return sorted(items, key=lambda d: d[key])"),
    ])

task(16, """
    def task_func(n):
    """, "The sum of the squares 1..n.", """
    return sum(i * i for i in range(1, n + 1))
    """, """
    class TestCases(unittest.TestCase):
        def test_three(self):
            self.assertEqual(task_func(3), 14)
        def test_zero(self):
            self.assertEqual(task_func(0), 0)
    """, [], wrong=[
        ("the reference is wrong: this is right", "return n * (n + 1) * (2 * n + 1) // 6"),
    ])
# The reference of task 16 is made wrong on purpose (--check-gt-only lists it).
TASKS[-1]["canonical_solution"] = "    return sum(i for i in range(1, n + 1))\n"

# ---- the ml profile: numpy and pandas -----------------------------------------------

task(17, """
    import numpy as np
    def task_func(arr):
    """, "`arr` scaled to unit Euclidean norm (a zero vector unchanged).", """
    a = np.asarray(arr, dtype=float)
    n = np.linalg.norm(a)
    return a if n == 0 else a / n
    """, """
    import numpy as np
    class TestCases(unittest.TestCase):
        def test_unit(self):
            np.testing.assert_allclose(task_func([3, 4]), [0.6, 0.8])
        def test_zero(self):
            np.testing.assert_allclose(task_func([0, 0]), [0, 0])
        def test_norm(self):
            self.assertAlmostEqual(float(np.linalg.norm(task_func([1, 2, 3]))), 1.0)
    """, ["numpy"], wrong=[
        ("fails test_zero (nan)", "a = np.asarray(arr, dtype=float)\nwith np.errstate(all='ignore'):\n    return a / np.linalg.norm(a)"),
        ("bare: relies on the calibration's numpy import", "a = np.asarray(arr, dtype=float)\nn = np.linalg.norm(a)\nreturn a if n == 0 else a / n"),
    ])

task(18, """
    import numpy as np
    def task_func(arr, w):
    """, "The moving average of `arr` over windows of `w`.", """
    return np.convolve(np.asarray(arr, dtype=float), np.ones(w) / w, mode="valid")
    """, """
    import numpy as np
    class TestCases(unittest.TestCase):
        def test_simple(self):
            np.testing.assert_allclose(task_func([1, 2, 3, 4], 2), [1.5, 2.5, 3.5])
        def test_window_one(self):
            np.testing.assert_allclose(task_func([5, 6], 1), [5, 6])
        def test_length(self):
            self.assertEqual(len(task_func(list(range(10)), 3)), 8)
    """, ["numpy"], wrong=[
        ("fails test_simple and test_length (mode same)", "return np.convolve(np.asarray(arr, dtype=float), np.ones(w) / w, mode='same')"),
        ("endless loop in test_length", "a = np.asarray(arr, dtype=float)\nwhile len(a) == 10:\n    pass\nreturn np.convolve(a, np.ones(w) / w, mode='valid')"),
    ])

task(19, """
    import pandas as pd
    def task_func(df):
    """, "The mean of column `value` per `group`, as a dict.", """
    return df.groupby("group")["value"].mean().to_dict()
    """, """
    import pandas as pd
    class TestCases(unittest.TestCase):
        def setUp(self):
            self.df = pd.DataFrame({"group": ["a", "a", "b"], "value": [1.0, 3.0, 5.0]})
        def test_means(self):
            self.assertEqual(task_func(self.df), {"a": 2.0, "b": 5.0})
        def test_one_group(self):
            self.assertEqual(task_func(self.df[self.df.group == "b"]), {"b": 5.0})
        def test_type(self):
            self.assertIsInstance(task_func(self.df), dict)
    """, ["pandas"], wrong=[
        ("fails test_means and test_one_group (sum)", "return df.groupby('group')['value'].sum().to_dict()"),
        ("errors everywhere (wrong column)", "return df.groupby('grp')['value'].mean().to_dict()"),
    ], completion="    return {k: float(v) for k, v in df.groupby('group')['value'].mean().items()}\n")

task(20, """
    import pandas as pd
    import numpy as np
    def task_func(df):
    """, "Rows of `df` without missing values, and how many were dropped.", """
    clean = df.dropna()
    return clean, len(df) - len(clean)
    """, """
    import numpy as np
    import pandas as pd
    class TestCases(unittest.TestCase):
        def test_drop(self):
            df = pd.DataFrame({"x": [1, np.nan, 3]})
            clean, dropped = task_func(df)
            self.assertEqual(dropped, 1)
            self.assertEqual(list(clean["x"]), [1.0, 3.0])
        def test_none(self):
            clean, dropped = task_func(pd.DataFrame({"x": [1, 2]}))
            self.assertEqual(dropped, 0)
    """, ["pandas", "numpy"], wrong=[
        ("fails test_drop (fills instead)", "clean = df.fillna(0)\nreturn clean, len(df) - len(clean)"),
        ("program: raises at import (ml)", "import numpy as np\nnp.zeros(3)[5]\n"),
    ])

task(21, """
    import numpy as np
    import pandas as pd
    def task_func(values):
    """, "A one-row DataFrame with the min, max and mean of `values`.", """
    a = np.asarray(values, dtype=float)
    return pd.DataFrame([{"min": a.min(), "max": a.max(), "mean": a.mean()}])
    """, """
    import pandas as pd
    class TestCases(unittest.TestCase):
        def test_columns(self):
            self.assertEqual(list(task_func([1, 2]).columns), ["min", "max", "mean"])
        def test_values(self):
            row = task_func([1, 2, 6]).iloc[0]
            self.assertEqual((row["min"], row["max"], row["mean"]), (1.0, 6.0, 3.0))
        def test_empty(self):
            with self.assertRaises(ValueError):
                task_func([])
    """, ["numpy", "pandas"], wrong=[
        ("fails test_columns (order)", "a = np.asarray(values, dtype=float)\nreturn pd.DataFrame([{'max': a.max(), 'min': a.min(), 'mean': a.mean()}])"),
        ("fails test_empty (errors differently: TypeError is not ValueError)", "if not values:\n    raise TypeError('empty')\na = np.asarray(values, dtype=float)\nreturn pd.DataFrame([{'min': a.min(), 'max': a.max(), 'mean': a.mean()}])"),
    ])

task(22, """
    import numpy as np
    def task_func(n):
    """, "The determinant of the n-by-n matrix with 2 on the diagonal and 1 elsewhere.", """
    return float(round(np.linalg.det(np.ones((n, n)) + np.eye(n))))
    """, """
    class TestCases(unittest.TestCase):
        def test_one(self):
            self.assertEqual(task_func(1), 2.0)
        def test_three(self):
            self.assertEqual(task_func(3), 4.0)
        def test_type(self):
            self.assertIsInstance(task_func(2), float)
    """, ["numpy"], wrong=[
        ("fails test_type (an int)", "return int(round(np.linalg.det(np.ones((n, n)) + np.eye(n))))"),
    ])


def main():
    out = sys.argv[1]
    with open(out + "/tasks.jsonl", "w") as f:
        for t in TASKS:
            f.write(json.dumps(t) + "\n")
    with open(out + "/samples.jsonl", "w") as f:
        for s in SAMPLES:
            f.write(json.dumps(s) + "\n")


if __name__ == "__main__":
    main()
