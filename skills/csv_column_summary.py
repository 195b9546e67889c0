"""Profile the columns of a CSV text: numeric statistics for numeric columns and frequency statistics for the others.

Write `summarize_csv(text)` using only the standard library (`csv` module). `text` is CSV
content whose first row is the header. Return a dict mapping each column name (in header
order; dicts keep insertion order) to a summary dict:
- A cell is missing if it is empty after stripping whitespace. "missing" is the number of
  missing cells and "count" the number of non-missing cells.
- A column is numeric if it has at least one non-missing cell and every non-missing cell
  parses with `float()` (after stripping). Its summary is
  {"count", "missing", "mean", "min", "max"} (floats for the last three).
- A column with no non-missing cell has the summary
  {"count": 0, "missing": n, "mean": None, "min": None, "max": None}.
- Any other column is categorical with summary {"count", "missing", "unique", "top"}:
  "unique" is the number of distinct stripped values and "top" the most frequent one (ties:
  the smallest string).

Edge cases: empty text (or only whitespace) gives {}. A header with no data rows gives the
all-missing summary with count 0 and missing 0 for every column. A data row with a
different number of fields than the header raises ValueError. Quoted fields with commas
must be handled.
"""
# assay: domain = tabular
# assay: category = data_profiling
# assay: difficulty = basic
# assay: key_concepts = CSV parsing; type inference; missing values; summary statistics
# assay: common_mistakes = splitting lines on commas by hand so quoted fields break; treating "nan" strings as numbers then averaging; counting empty cells as categories; nondeterministic top value on ties
# assay: tags = csv, profiling, stdlib

import csv
import io
from collections import Counter


def summarize_csv(text: str) -> dict[str, dict]:
    """Return a per-column summary of the CSV `text`."""
    if not text.strip():
        return {}
    rows = list(csv.reader(io.StringIO(text.strip("\n"))))
    header = [h.strip() for h in rows[0]]
    data = [r for r in rows[1:] if r]
    for r in data:
        if len(r) != len(header):
            raise ValueError("row has %d fields, header has %d" % (len(r), len(header)))
    out: dict[str, dict] = {}
    for j, name in enumerate(header):
        cells = [r[j].strip() for r in data]
        present = [c for c in cells if c]
        missing = len(cells) - len(present)
        if not present:
            out[name] = {"count": 0, "missing": missing, "mean": None, "min": None, "max": None}
            continue
        try:
            nums = [float(c) for c in present]
        except ValueError:
            nums = None
        if nums is not None:
            out[name] = {"count": len(nums), "missing": missing, "mean": sum(nums) / len(nums),
                         "min": min(nums), "max": max(nums)}
        else:
            counts = Counter(present)
            top = min(counts, key=lambda v: (-counts[v], v))
            out[name] = {"count": len(present), "missing": missing, "unique": len(counts), "top": top}
    return out


def test_normal_mixed_columns():
    text = "name,age,city\nann,30,paris\nbob,,rome\ncid,40,paris\n"
    s = summarize_csv(text)
    assert list(s) == ["name", "age", "city"]
    assert s["age"] == {"count": 2, "missing": 1, "mean": 35.0, "min": 30.0, "max": 40.0}
    assert s["city"] == {"count": 3, "missing": 0, "unique": 2, "top": "paris"}
    assert s["name"]["unique"] == 3 and s["name"]["top"] == "ann"


def test_normal_quoted_fields():
    text = 'id,comment\n1,"hello, world"\n2,"a ""quoted"" word"\n3,"hello, world"\n'
    s = summarize_csv(text)
    assert s["comment"]["top"] == "hello, world" and s["comment"]["unique"] == 2
    assert s["id"]["mean"] == 2.0


def test_edge_case_empty_header_only_and_all_missing():
    assert summarize_csv("") == {} and summarize_csv("  \n ") == {}
    assert summarize_csv("a,b\n") == {
        "a": {"count": 0, "missing": 0, "mean": None, "min": None, "max": None},
        "b": {"count": 0, "missing": 0, "mean": None, "min": None, "max": None}}
    s = summarize_csv("a,b\n , 1\n,2")
    assert s["a"]["missing"] == 2 and s["a"]["mean"] is None
    assert s["b"]["max"] == 2.0


def test_edge_case_ragged_row_raises():
    try:
        summarize_csv("a,b\n1,2\n3\n")
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError")


def test_correctness_random_table_against_direct_computation():
    import random
    rng = random.Random(0)
    vals = [rng.choice(["", str(rng.randint(-20, 20)), "%.2f" % rng.uniform(0, 5)]) for _ in range(80)]
    cats = [rng.choice(["x", "y", "z", ""]) for _ in range(80)]
    text = "v,c\n" + "\n".join("%s,%s" % (v, c) for v, c in zip(vals, cats))
    s = summarize_csv(text)
    nums = [float(v) for v in vals if v]
    assert s["v"]["count"] == len(nums) and s["v"]["missing"] == 80 - len(nums)
    assert abs(s["v"]["mean"] - sum(nums) / len(nums)) < 1e-9
    assert s["v"]["min"] == min(nums) and s["v"]["max"] == max(nums)
    present = [c for c in cats if c]
    best = max(sorted(set(present)), key=present.count)
    assert s["c"]["top"] == best and s["c"]["unique"] == len(set(present))
