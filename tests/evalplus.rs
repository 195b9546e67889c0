//! Parity with EvalPlus's own evaluator (PyPI evalplus 0.3.1, `scripts/fetch-evalplus-venv`):
//! the test builds a HumanEval+-format and an MBPP+-format file (real-looking tasks; plus
//! inputs grown by `assay generate tests`, the project's mutation generator, from each
//! task's base inputs, and a few written by hand), samples that are right, wrong, slow,
//! float-inexact, chatty, raising and typed differently, and runs both `python -m
//! evalplus.evaluate` (reading the files through HUMANEVAL_OVERRIDE_PATH /
//! MBPP_OVERRIDE_PATH) and `assay score`. Verdicts are read from EvalPlus's
//! `*_eval_results.json` and from assay's results file, never from printed output; every
//! sample must get the same base and plus status, except the documented differences.

mod common;

use common::{assay, read_jsonl, write_jsonl, Fixture};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn evalplus_python() -> String {
    common::venv_python("fetch-evalplus-venv")
}

/// A task: EvalPlus fields, and its samples as (label, completion or whole solution).
struct Task {
    task_id: &'static str,
    prompt: &'static str,
    entry_point: &'static str,
    canonical: &'static str,
    base: Value,
    /// Hand-written plus inputs (the mutation generator adds more).
    plus: Value,
    atol: f64,
    samples: Vec<(&'static str, Body)>,
}

enum Body {
    Completion(String),
    Solution(String),
}

fn c(s: &str) -> Body {
    Body::Completion(s.to_string())
}

fn s(s: &str) -> Body {
    Body::Solution(s.to_string())
}

/// Ints beyond 64 bits, which serde_json's values cannot hold: the test writes them into
/// the problems file as text (`build` replaces the quoted placeholders).
const BIG_A: &str = "123456789012345678901234567890";
const BIG_B: &str = "987654321098765432109876543210";

const HAS_CLOSE: &str = "    for idx, elem in enumerate(numbers):\n        for idx2, elem2 in enumerate(numbers):\n            if idx != idx2:\n                distance = abs(elem - elem2)\n                if distance < threshold:\n                    return True\n\n    return False\n";
const FIND_ZERO: &str = "    begin, end = -1., 1.\n    while poly(xs, begin) * poly(xs, end) > 0:\n        begin *= 2.0\n        end *= 2.0\n    while end - begin > 1e-10:\n        center = (begin + end) / 2.0\n        if poly(xs, center) * poly(xs, begin) > 0:\n            begin = center\n        else:\n            end = center\n    return begin\n";
const REMOVE_DUP: &str = "    import collections\n    c = collections.Counter(numbers)\n    return [n for n in numbers if c[n] <= 1]\n";

fn humaneval_tasks() -> Vec<Task> {
    vec![
        Task {
            task_id: "HumanEval/0",
            prompt: "from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    \"\"\" Check if in given list of numbers, are any two numbers closer to each other than\n    given threshold.\n    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)\n    False\n    \"\"\"\n",
            entry_point: "has_close_elements",
            canonical: HAS_CLOSE,
            base: json!([[[1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3], [[1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05],
                         [[1.0, 2.0, 5.9, 4.0, 5.0], 0.95], [[1.1, 2.2, 3.1, 4.1, 5.1], 1.0]]),
            plus: json!([[[], 1.0], [[1.5], 0.0]]),
            atol: 0.0,
            samples: vec![
                ("right", c(HAS_CLOSE)),
                ("wrong", c("    return len(numbers) > 100\n")),
                ("int_for_bool", c("    return int(any(abs(a - b) < threshold for i, a in enumerate(numbers) for j, b in enumerate(numbers) if i != j))\n")),
                ("chatty", c(&format!("    for i in range(3000):\n        print('thinking about', numbers, i)\n    import sys\n    sys.stderr.write('x' * 100000)\n{HAS_CLOSE}"))),
                ("raises_on_empty", c(&format!("    if not numbers:\n        raise ValueError('empty')\n{HAS_CLOSE}"))),
            ],
        },
        Task {
            task_id: "HumanEval/2",
            prompt: "def truncate_number(number: float) -> float:\n    \"\"\" Return the decimal part of the number.\n    >>> truncate_number(3.5)\n    0.5\n    \"\"\"\n",
            entry_point: "truncate_number",
            canonical: "    return number % 1.0\n",
            base: json!([[3.5], [1.33], [123.456]]),
            plus: json!([[0.0], [1e-9], [999999.999999]]),
            atol: 0.0,
            samples: vec![
                ("right", c("    return number % 1.0\n")),
                ("within_atol", c("    return number % 1.0 + 1e-9\n")),
                ("outside_atol", c("    return number % 1.0 + 1e-4\n")),
                ("rounded", c("    return round(number % 1.0, 2)\n")),
                ("subtracts", c("    return number - int(number)\n")),
                ("int_type", c("    return int(number % 1.0)\n")),
                ("slow_on_big", c("    import time\n    if number > 100:\n        time.sleep(3)\n    return number % 1.0\n")),
            ],
        },
        Task {
            task_id: "HumanEval/12",
            prompt: "from typing import List, Optional\n\n\ndef longest(strings: List[str]) -> Optional[str]:\n    \"\"\" Out of list of strings, return the longest one. Return the first one in case of multiple\n    strings of the same length. Return None in case the input list is empty.\n    >>> longest([])\n\n    \"\"\"\n",
            entry_point: "longest",
            canonical: "    if not strings:\n        return None\n\n    maxlen = max(len(x) for x in strings)\n    for s in strings:\n        if len(s) == maxlen:\n            return s\n",
            base: json!([[[]], [["x", "y", "z"]], [["x", "yyy", "zzzz", "www", "kkkk", "abc"]]]),
            plus: json!([[["", "é", "ü"]]]),
            atol: 0.0,
            samples: vec![
                ("right", c("    return max(strings, key=len) if strings else None\n")),
                ("empty_string", c("    return max(strings, key=len) if strings else ''\n")),
                ("last_longest", c("    best = None\n    for s in strings:\n        if best is None or len(s) >= len(best):\n            best = s\n    return best\n")),
            ],
        },
        Task {
            task_id: "HumanEval/13",
            prompt: "def greatest_common_divisor(a: int, b: int) -> int:\n    \"\"\" Return a greatest common divisor of two integers a and b\n    >>> greatest_common_divisor(3, 5)\n    1\n    \"\"\"\n",
            entry_point: "greatest_common_divisor",
            canonical: "    while b:\n        a, b = b, a % b\n    return a\n",
            base: json!([[3, 7], [10, 15], [49, 14], [144, 60]]),
            // Big ints (written into the file as bare numbers: see `build`).
            plus: json!([[BIG_A, BIG_B]]),
            atol: 0.0,
            samples: vec![
                ("right", c("    while b:\n        a, b = b, a % b\n    return a\n")),
                ("wrong", c("    return min(a, b)\n")),
                ("float_result", c("    import math\n    return float(math.gcd(a, b))\n")),
                ("slow_on_big", c("    import math, time\n    if a > 10 ** 6:\n        time.sleep(2.5)\n    return math.gcd(a, b)\n")),
                ("syntax_error", c("    return a +\n")),
                ("exits", c("    import sys\n    sys.exit(0)\n")),
                // An object equal to everything: EvalPlus compares it in the sample's own
                // process (`out == exp` is its `__eq__`); assay compares outside.
                ("forges_eq", c("    class Yes:\n        def __eq__(self, other):\n            return True\n    return Yes()\n")),
            ],
        },
        Task {
            task_id: "HumanEval/26",
            prompt: "from typing import List\n\n\ndef remove_duplicates(numbers: List[int]) -> List[int]:\n    \"\"\" From a list of integers, remove all elements that occur more than once.\n    >>> remove_duplicates([1, 2, 3, 2, 4])\n    [1, 3, 4]\n    \"\"\"\n",
            entry_point: "remove_duplicates",
            canonical: REMOVE_DUP,
            base: json!([[[]], [[1, 2, 3, 4]], [[1, 2, 3, 2, 4, 3, 5]]]),
            plus: json!([[[7, 7, 7]]]),
            atol: 0.0,
            samples: vec![
                ("right", c(REMOVE_DUP)),
                ("tuple", c("    import collections\n    c = collections.Counter(numbers)\n    return tuple(n for n in numbers if c[n] <= 1)\n")),
                ("dedupes", c("    return list(dict.fromkeys(numbers))\n")),
                ("whole_solution", s(&format!("from typing import List\n\ndef remove_duplicates(numbers: List[int]) -> List[int]:\n{REMOVE_DUP}"))),
            ],
        },
        Task {
            task_id: "HumanEval/32",
            prompt: "import math\n\n\ndef poly(xs: list, x: float):\n    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])\n\n\ndef find_zero(xs: list):\n    \"\"\" xs are coefficients of a polynomial; find_zero finds x such that poly(x) = 0.\n    \"\"\"\n",
            entry_point: "find_zero",
            canonical: FIND_ZERO,
            base: json!([[[1, 2]], [[-6, 11, -6, 1]], [[-3, -6, -7, 7]]]),
            plus: json!([[[5, 0, 0, -1]]]),
            atol: 1e-6,
            samples: vec![
                ("right", c(FIND_ZERO)),
                ("other_bracket", c(&FIND_ZERO.replace("-1., 1.", "-7., 9."))),
                ("wrong", c("    return 0.0\n")),
            ],
        },
    ]
}

fn mbpp_tasks() -> Vec<Task> {
    vec![
        Task {
            task_id: "Mbpp/2",
            prompt: "\"\"\"\nWrite a function to find the shared elements from the given two lists.\nassert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\n\"\"\"\n",
            entry_point: "similar_elements",
            canonical: "def similar_elements(test_tup1, test_tup2):\n  return tuple(set(test_tup1) & set(test_tup2))\n",
            base: json!([[[3, 4, 5, 6], [5, 7, 4, 10]], [[1, 2, 3, 4], [5, 4, 3, 7]], [[11, 12, 14, 13], [17, 15, 14, 13]]]),
            plus: json!([[[], [1, 2]]]),
            atol: 0.0,
            samples: vec![
                ("right", s("def similar_elements(test_tup1, test_tup2):\n  return tuple(set(test_tup1) & set(test_tup2))\n")),
                ("sorted_list", s("def similar_elements(a, b):\n    return sorted(set(a) & set(b), reverse=True)\n")),
                ("union", s("def similar_elements(a, b):\n    return tuple(set(a) | set(b))\n")),
                ("wants_tuples", s("def similar_elements(a, b):\n    assert isinstance(a, tuple) and isinstance(b, tuple)\n    return tuple(x for x in a if x in b)\n")),
            ],
        },
        Task {
            task_id: "Mbpp/3",
            prompt: "\"\"\"\nWrite a python function to identify non-prime numbers.\nassert is_not_prime(2) == False\n\"\"\"\n",
            entry_point: "is_not_prime",
            canonical: "import math\ndef is_not_prime(n):\n    if n == 1:\n        return True\n    for i in range(2, int(math.sqrt(n))+1):\n        if n % i == 0:\n            return True\n    return False\n",
            base: json!([[2], [10], [35], [37]]),
            plus: json!([[1], [97], [1000001]]),
            atol: 0.0,
            samples: vec![
                ("right", s("def is_not_prime(n):\n    return n == 1 or any(n % d == 0 for d in range(2, int(n ** 0.5) + 1))\n")),
                ("even", s("def is_not_prime(n):\n    return n % 2 == 0\n")),
                ("ints", s("def is_not_prime(n):\n    return 1 if n == 1 or any(n % d == 0 for d in range(2, int(n ** 0.5) + 1)) else 0\n")),
                ("slow", s("import time\ndef is_not_prime(n):\n    if n > 100:\n        time.sleep(2)\n    return n == 1 or any(n % d == 0 for d in range(2, int(n ** 0.5) + 1))\n")),
            ],
        },
        Task {
            task_id: "Mbpp/18",
            prompt: "\"\"\"\nWrite a function to remove characters from the first string which are present in the second string.\nassert remove_dirty_chars(\"probasscurve\", \"pros\") == 'bacuve'\n\"\"\"\n",
            entry_point: "remove_dirty_chars",
            canonical: "def remove_dirty_chars(string, second_string): \n\tfor char in second_string:\n\t\tstring = string.replace(char, '')\n\treturn string\n",
            base: json!([["probasscurve", "pros"], ["digitalindia", "talent"]]),
            // No plus inputs and none grown (see `build`): EvalPlus passes an empty section.
            plus: json!([]),
            atol: 0.0,
            samples: vec![
                ("right", s("def remove_dirty_chars(a, b):\n    return ''.join(c for c in a if c not in b)\n")),
                ("wrong", s("def remove_dirty_chars(a, b):\n    return a\n")),
                ("syntax_error", s("def remove_dirty_chars(a, b)\n    return a\n")),
            ],
        },
        Task {
            task_id: "Mbpp/17",
            prompt: "\"\"\"\nWrite a function that returns the perimeter of a square given its side length as input.\nassert square_perimeter(10)==40\n\"\"\"\n",
            entry_point: "square_perimeter",
            canonical: "def square_perimeter(a):\n  return 4*a\n",
            base: json!([[10], [5], [4]]),
            plus: json!([[0.5], [-3]]),
            atol: 0.0,
            samples: vec![
                ("right", s("def square_perimeter(a):\n    return a * 4\n")),
                ("area", s("def square_perimeter(a):\n    return a * a\n")),
                ("chatty", s("def square_perimeter(a):\n    print('side', a)\n    print('x' * 50000)\n    return 4 * a\n")),
                ("raises_negative", s("def square_perimeter(a):\n    if a < 0:\n        raise ValueError(a)\n    return 4 * a\n")),
            ],
        },
        Task {
            task_id: "Mbpp/581",
            prompt: "\"\"\"\nWrite a python function to find the surface area of a square pyramid with a given base edge and height.\nassert surface_Area(3,4) == 33\n\"\"\"\n",
            entry_point: "surface_Area",
            canonical: "def surface_Area(b,s): \n    return 2 * b * s + pow(b,2) \n",
            base: json!([[3, 4], [4, 5], [1, 2]]),
            plus: json!([[10, 20]]),
            atol: 0.0,
            samples: vec![
                ("right", s("def surface_Area(b, s):\n    return b * b + 2 * b * s\n")),
                ("height", s("import math\ndef surface_Area(b, h):\n    return round(b * b + 2 * b * math.sqrt((b / 2) ** 2 + h ** 2))\n")),
                ("wrong", s("def surface_Area(b, s):\n    return b * s\n")),
            ],
        },
    ]
}

/// A JSON value as a Python literal (for the generator's entries).
fn py(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => serde_json::to_string(s).unwrap(),
        Value::Array(a) => format!("[{}]", a.iter().map(py).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap(), py(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn native_id(task: &Task) -> String {
    task.entry_point.to_lowercase()
}

/// Plus inputs grown by `assay generate tests` (mutations of the base inputs, the
/// canonical solution as oracle): the arguments of the generated tests' calls, read back
/// with Python's `ast.literal_eval`, keeping only calls the canonical answered (not the
/// `raises` tests) and values JSON can carry.
fn grown_inputs(
    fx: &Fixture,
    name: &str,
    tasks: &[Task],
    python: &str,
) -> BTreeMap<String, Vec<Value>> {
    let entries: Vec<Value> = tasks
        .iter()
        .map(|t| {
            let tests: Vec<Value> = t.base.as_array().unwrap().iter().enumerate()
                .map(|(i, args)| {
                    let call = format!(
                        "{}({})",
                        t.entry_point,
                        args.as_array().unwrap().iter().map(py).collect::<Vec<_>>().join(", ")
                    );
                    json!({"name": format!("base_{i}"), "level": "normal", "code": format!("{call}\n")})
                })
                .collect();
            json!({"id": native_id(t), "domain": "evalplus", "category": "parity", "difficulty": "basic",
                   "description": format!("{} for the EvalPlus parity test", t.task_id),
                   "prompt": t.prompt, "entry_point": t.entry_point,
                   "reference": format!("{}{}", t.prompt, t.canonical), "tests": tests})
        })
        .collect();
    let input = fx.path(&format!("{name}-entries.jsonl"));
    let output = fx.path(&format!("{name}-grown.jsonl"));
    write_jsonl(&input, &entries);
    let out = assay()
        .arg("generate")
        .arg("tests")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .args([
            "--max-new",
            "4",
            "--no-mutation-score",
            "--timeout",
            "5",
            "--run-dir",
        ])
        .arg(fx.path(&format!("{name}-generate-run")))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "generate tests: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = r#"
import ast, json, sys
out = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    found = out.setdefault(e["id"], [])
    for t in e["tests"]:
        if "_generated_" not in t["name"] or "except " in t["code"]:
            continue
        for node in ast.walk(ast.parse(t["code"])):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == e["entry_point"]:
                try:
                    args = [ast.literal_eval(a) for a in node.args]
                    found.append(json.loads(json.dumps(args, allow_nan=False)))
                except Exception:
                    pass
                break
print(json.dumps(out))
"#;
    let out = Command::new(python)
        .args(["-c", script])
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let grown: BTreeMap<String, Vec<Value>> = serde_json::from_slice(&out.stdout).unwrap();
    tasks
        .iter()
        .map(|t| {
            (
                t.task_id.to_string(),
                grown.get(&native_id(t)).cloned().unwrap_or_default(),
            )
        })
        .collect()
}

struct Built {
    problems: PathBuf,
    samples: PathBuf,
    /// Label per sample line: `task_id label`.
    labels: Vec<String>,
    /// Each sample as a whole program (EvalPlus's samples directory holds these).
    solutions: Vec<String>,
    grown: usize,
}

fn build(fx: &Fixture, name: &str, tasks: &[Task], python: &str) -> Built {
    let grown = grown_inputs(fx, name, tasks, python);
    let mut problems = Vec::new();
    let mut samples = Vec::new();
    let mut labels = Vec::new();
    let mut solutions = Vec::new();
    let mut n_grown = 0;
    for t in tasks {
        let mut plus = t.plus.as_array().unwrap().clone();
        let extra: &[Value] = if plus.is_empty() {
            &[]
        } else {
            &grown[t.task_id]
        };
        n_grown += extra.len();
        plus.extend(extra.iter().cloned());
        problems.push(
            json!({"task_id": t.task_id, "prompt": t.prompt, "entry_point": t.entry_point,
            "canonical_solution": t.canonical, "contract": "", "base_input": t.base,
            "plus_input": plus, "atol": t.atol}),
        );
        for (label, body) in &t.samples {
            samples.push(match body {
                Body::Completion(text) => json!({"task_id": t.task_id, "completion": text}),
                Body::Solution(text) => json!({"task_id": t.task_id, "solution": text}),
            });
            solutions.push(match body {
                Body::Completion(text) => format!("{}{text}", t.prompt),
                Body::Solution(text) => text.clone(),
            });
            labels.push(format!("{} {label}", t.task_id));
        }
    }
    let p = fx.path(&format!("{name}-problems.jsonl"));
    let sp = fx.path(&format!("{name}-samples.jsonl"));
    write_jsonl(&p, &problems);
    let text = std::fs::read_to_string(&p).unwrap();
    let text = [BIG_A, BIG_B]
        .iter()
        .fold(text, |t, big| t.replace(&format!("\"{big}\""), big));
    std::fs::write(&p, text).unwrap();
    write_jsonl(&sp, &samples);
    Built {
        problems: p,
        samples: sp,
        labels,
        solutions,
        grown: n_grown,
    }
}

/// EvalPlus's verdicts: (base_status, plus_status) per sample, in samples-file order.
fn run_evalplus(
    fx: &Fixture,
    python: &str,
    dataset: &str,
    b: &Built,
) -> (Vec<(String, String)>, Value) {
    let var = match dataset {
        "humaneval" => "HUMANEVAL_OVERRIDE_PATH",
        _ => "MBPP_OVERRIDE_PATH",
    };
    let out = Command::new(python)
        .args(["-m", "evalplus.evaluate", "--dataset", dataset, "--samples"])
        .arg(&b.samples)
        .args(["--parallel", "2", "--i_just_wanna_run", "True"])
        .env(var, &b.problems)
        .env("XDG_CACHE_HOME", fx.path(&format!("{dataset}-cache")))
        .env("HOME", fx.path(&format!("{dataset}-home")))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "evalplus.evaluate failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let path = b
        .samples
        .to_string_lossy()
        .replace(".jsonl", "_eval_results.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (statuses(&doc, &b.samples), doc)
}

/// (base_status, plus_status) per sample of an `eval_results.json`, in samples-file order
/// (EvalPlus lists a task's samples in completion order).
fn statuses(doc: &Value, samples: &Path) -> Vec<(String, String)> {
    let mut next: BTreeMap<String, usize> = BTreeMap::new();
    read_jsonl(samples)
        .iter()
        .map(|s| {
            let task = s["task_id"].as_str().unwrap().to_string();
            let i = next.entry(task.clone()).or_insert(0);
            let r = &doc["eval"][&task][*i];
            *i += 1;
            (text(&r["base_status"]), text(&r["plus_status"]))
        })
        .collect()
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn run_assay(
    fx: &Fixture,
    b: &Built,
    samples: &Path,
    extra: &[&str],
    tag: &str,
) -> (Vec<Value>, PathBuf, String) {
    let results = fx.path(&format!("{tag}-results.jsonl"));
    let eval_results = fx.path(&format!("{tag}-eval_results.json"));
    let out = assay()
        .arg("score")
        .arg("--problems")
        .arg(&b.problems)
        .arg("--samples")
        .arg(samples)
        .arg("--output")
        .arg(&results)
        .arg("--evalplus-results")
        .arg(&eval_results)
        .arg("--run-dir")
        .arg(fx.path(&format!("{tag}-run")))
        .args(["--k", "1", "--jobs", "2"])
        .args(extra)
        .env("ASSAY_CACHE", fx.path("assay-cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "assay score failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (
        read_jsonl(&results),
        eval_results,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The label of a task's k-th sample.
fn sample_label(b: &Built, task: &str, k: usize) -> String {
    let prefix = format!("{task} ");
    b.labels
        .iter()
        .filter(|l| l.starts_with(&prefix))
        .nth(k)
        .unwrap()[prefix.len()..]
        .to_string()
}

/// Compares per sample; returns the disagreements as `task label: evalplus vs assay`.
fn compare(b: &Built, theirs: &[(String, String)], ours: &[Value]) -> Vec<String> {
    assert_eq!(theirs.len(), ours.len());
    let mut differ = Vec::new();
    for ((label, t), o) in b.labels.iter().zip(theirs).zip(ours) {
        let mine = (text(&o["base_status"]), text(&o["plus_status"]));
        eprintln!("{label:40} evalplus {t:?}  assay {mine:?}");
        if *t != mine {
            differ.push(format!("{label}: evalplus {t:?} vs assay {mine:?}"));
        }
    }
    differ
}

/// A sample whose return value's `__eq__` says True passes EvalPlus (the comparison runs
/// in the sample's process) and fails assay (the value is compared outside, as what it is).
/// EvalPlus 0.3.1's find_zero oracle skips the line that counts an input as done
/// (`continue` before `progress.value += 1`), so every find_zero sample ends `fail`
/// there; assay applies the oracle as written, |poly(xs, x)| <= atol.
fn documented(label: &str) -> bool {
    label.starts_with("HumanEval/32 ") || label.starts_with("HumanEval/13 forges_eq:")
}

#[test]
fn humaneval_plus_verdicts_match_evalplus() {
    let python = evalplus_python();
    let fx = Fixture::new();
    let tasks = humaneval_tasks();
    let b = build(&fx, "he", &tasks, &python);
    assert!(
        b.grown >= 8,
        "the mutation generator grew only {} inputs",
        b.grown
    );
    let v = assay().arg("validate").arg(&b.problems).output().unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));

    let (theirs, their_doc) = run_evalplus(&fx, &python, "humaneval", &b);
    let (ours, our_eval, log) = run_assay(&fx, &b, &b.samples, &[], "he");
    assert!(
        log.contains("computing the expected outputs of 6 problems"),
        "{log}"
    );
    let differ = compare(&b, &theirs, &ours);
    let undocumented: Vec<&String> = differ.iter().filter(|d| !documented(d)).collect();
    assert!(
        undocumented.is_empty(),
        "verdicts differ:\n{undocumented:#?}"
    );
    // The documented difference is really there: EvalPlus fails the right find_zero.
    let right_zero = b
        .labels
        .iter()
        .position(|l| l == "HumanEval/32 right")
        .unwrap();
    assert_eq!(theirs[right_zero].0, "fail");
    assert_eq!(ours[right_zero]["base_status"], "pass");
    let forged = b
        .labels
        .iter()
        .position(|l| l == "HumanEval/13 forges_eq")
        .unwrap();
    assert_eq!(theirs[forged], ("pass".into(), "pass".into()));
    assert_eq!(ours[forged]["status"], "failed");
    // Not a vacuous agreement: every kind of verdict is in there.
    let all: Vec<&(String, String)> = theirs.iter().collect();
    assert!(all.iter().any(|s| s.0 == "pass" && s.1 == "pass"));
    assert!(all.iter().any(|s| s.0 == "pass" && s.1 == "fail"));
    assert!(all.iter().any(|s| s.0 == "fail"));
    eprintln!(
        "HumanEval+: {} samples, {} agree, {} differ (documented: find_zero, the __eq__ forger); {} plus inputs grown",
        theirs.len(),
        theirs.len() - differ.len(),
        differ.len(),
        b.grown
    );

    // Per-input verdicts: the slow sample's big input timed out, the rest passed.
    let slow = b
        .labels
        .iter()
        .position(|l| l == "HumanEval/2 slow_on_big")
        .unwrap();
    let tests = ours[slow]["tests"].as_array().unwrap();
    let by_name = |n: &str| tests.iter().find(|t| t["name"] == n).unwrap()["status"].clone();
    assert_eq!(by_name("base/2"), "timeout");
    assert_eq!(by_name("base/0"), "passed");

    // assay's eval_results.json: EvalPlus's shape and the same statuses and fail tests.
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&our_eval).unwrap()).unwrap();
    let mine = statuses(&doc, &b.samples);
    for (i, label) in b.labels.iter().enumerate() {
        let o = (text(&ours[i]["base_status"]), text(&ours[i]["plus_status"]));
        assert_eq!(mine[i], o, "{label}");
    }
    for (task, rows) in their_doc["eval"].as_object().unwrap() {
        if task == "HumanEval/32" {
            continue;
        }
        for (k, r) in rows.as_array().unwrap().iter().enumerate() {
            if documented(&format!("{task} {}:", sample_label(&b, task, k))) {
                continue;
            }
            let m = &doc["eval"][task][k];
            for key in [
                "task_id",
                "solution",
                "base_status",
                "plus_status",
                "base_fail_tests",
                "plus_fail_tests",
            ] {
                assert_eq!(m[key], r[key], "{task} sample {k}: {key}");
            }
        }
    }

    // EvalPlus's samples directory gives the same verdicts as the samples file.
    let dir = fx.path("he-dir");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (row, solution) in read_jsonl(&b.samples).iter().zip(&b.solutions) {
        let task = row["task_id"].as_str().unwrap();
        let n = counts.entry(task.to_string()).or_insert(0);
        let folder = dir.join(task.replace('/', "_"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{n}.py")), solution).unwrap();
        *n += 1;
    }
    let (from_dir, _, log) = run_assay(&fx, &b, &dir, &[], "he-dir");
    // The expected outputs came from the cache this time.
    assert!(!log.contains("computing the expected outputs"), "{log}");
    let pairs = |rows: &[Value]| -> Vec<(String, String, String)> {
        rows.iter()
            .map(|r| {
                (
                    text(&r["task_id"]),
                    text(&r["base_status"]),
                    text(&r["plus_status"]),
                )
            })
            .collect()
    };
    assert_eq!(pairs(&from_dir), pairs(&ours));

    // --base-only: the same base verdicts, no plus.
    let (base_only, _, _) = run_assay(&fx, &b, &b.samples, &["--base-only"], "he-base");
    for (i, r) in base_only.iter().enumerate() {
        assert_eq!(r["base_status"], ours[i]["base_status"], "{}", b.labels[i]);
        assert_eq!(r["plus_status"], Value::Null, "{}", b.labels[i]);
    }
}

#[test]
fn mbpp_plus_verdicts_match_evalplus() {
    let python = evalplus_python();
    let fx = Fixture::new();
    let tasks = mbpp_tasks();
    let b = build(&fx, "mbpp", &tasks, &python);
    assert!(
        b.grown >= 6,
        "the mutation generator grew only {} inputs",
        b.grown
    );
    let v = assay().arg("validate").arg(&b.problems).output().unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let (theirs, _) = run_evalplus(&fx, &python, "mbpp", &b);
    let (ours, _, _) = run_assay(&fx, &b, &b.samples, &[], "mbpp");
    let differ = compare(&b, &theirs, &ours);
    assert!(differ.is_empty(), "verdicts differ:\n{differ:#?}");
    // The tuple deserialisation and the special oracles decided something.
    let at = |l: &str| b.labels.iter().position(|x| x == l).unwrap();
    assert_eq!(theirs[at("Mbpp/2 wants_tuples")].0, "pass");
    assert_eq!(theirs[at("Mbpp/2 sorted_list")].0, "pass");
    assert_eq!(theirs[at("Mbpp/581 height")].0, "pass");
    assert_eq!(theirs[at("Mbpp/3 ints")], ("pass".into(), "pass".into()));
    eprintln!(
        "MBPP+: {} samples, {} agree, {} differ; {} plus inputs grown",
        theirs.len(),
        theirs.len() - differ.len(),
        differ.len(),
        b.grown
    );
}

#[test]
fn a_bad_evalplus_record_is_one_line_naming_the_field() {
    let fx = Fixture::new();
    let p = fx.path("bad.jsonl");
    write_jsonl(
        &p,
        &[
            json!({"task_id": "HumanEval/0", "prompt": "def f(x):\n", "entry_point": "f",
        "canonical_solution": "    return x\n", "contract": "", "base_input": [[1]], "plus_input": [[2]], "atol": "0"}),
        ],
    );
    let out = assay().arg("validate").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.jsonl:1: atol: expected a number, found a string"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
