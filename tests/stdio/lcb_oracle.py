"""LiveCodeBench's own verdicts, for tests/stdio.rs: reads [{"input_output", "code",
"timeout"}] as JSON on stdin, grades each with LiveCodeBench's `check_correctness` (from
lighteval's copy of its testing_util, loaded by path: scripts/fetch-lcb-venv), and prints
[{"results": [...], "passed": bool}] - passed as LiveCodeBench's pass@k counts a sample
(`compute_metrics_from_results`: every result > 0)."""

import importlib.util
import json
import os
import sys

spec = importlib.util.find_spec("lighteval")
path = os.path.join(spec.submodule_search_locations[0], "tasks/tasks/lcb/codegen_metrics.py")
grader_spec = importlib.util.spec_from_file_location("lcb_grader", path)
grader = importlib.util.module_from_spec(grader_spec)
grader_spec.loader.exec_module(grader)

out = []
for item in json.load(sys.stdin):
    sample = {"input_output": item["input_output"]}
    results = grader.check_correctness(sample, item["code"], timeout=item["timeout"])
    # As evaluate_generations_by_problem and compute_metrics_from_results take them.
    fixed = []
    for r in results:
        if isinstance(r, grader.np.ndarray):
            r = r.item(0)
        if isinstance(r, grader.np.bool_):
            r = bool(r)
        fixed.append(r)
    passed = bool(grader.np.all(grader.np.array(fixed) > 0))
    out.append({"results": fixed, "passed": passed})
print(json.dumps(out))
