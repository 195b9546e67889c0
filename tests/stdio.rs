//! Input/output problems (LiveCodeBench, APPS, CodeContests) through the real binary on the
//! process backend, against LiveCodeBench's own grader (`check_correctness` from
//! lighteval's copy of its testing_util, `scripts/fetch-lcb-venv`): the same pass/fail for
//! every sample of a set built around the tricky cases (trailing spaces, blank lines,
//! floats, tuples for lists, `exit()`, `open(0)`, EOF, timeouts). The verdicts are read
//! from the results file and from the grader's own return values.

mod common;

use common::{assay, read_jsonl, write_jsonl, Fixture};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Seconds per test, for both tools (LiveCodeBench's alarm takes whole seconds).
const TIMEOUT: u64 = 2;

struct Task {
    id: &'static str,
    fn_name: Option<&'static str>,
    /// (input, expected output) per test.
    cases: Vec<(&'static str, &'static str)>,
    /// (label, program) per sample.
    samples: Vec<(&'static str, &'static str)>,
}

fn tasks() -> Vec<Task> {
    vec![
        Task {
            id: "sum_pairs",
            fn_name: None,
            cases: vec![
                ("2\n1 2\n3 4\n", "3\n7\n"),
                ("1\n-5 5\n", "0\n"),
                ("3\n10 20\n0 0\n7 8\n", "30\n0\n15\n"),
            ],
            samples: vec![
                ("right", "n = int(input())\nfor _ in range(n):\n    a, b = map(int, input().split())\n    print(a + b)\n"),
                ("trailing_spaces", "n = int(input())\nfor _ in range(n):\n    a, b = map(int, input().split())\n    print(a + b, end='   \\n')\n"),
                ("blank_lines_after", "n = int(input())\nfor _ in range(n):\n    a, b = map(int, input().split())\n    print(a + b)\nprint()\nprint()\n"),
                ("inner_blank_line", "n = int(input())\nfor _ in range(n):\n    a, b = map(int, input().split())\n    print(a + b)\n    print()\nprint('end')\n"),
                ("main_guard", "import sys\ndef main():\n    n = int(sys.stdin.readline())\n    for _ in range(n):\n        a, b = map(int, sys.stdin.readline().split())\n        print(a + b)\nif __name__ == '__main__':\n    main()\n"),
                ("global_in_helper", "total = 0\ndef add(x):\n    global total\n    total = x\nn = int(input())\nfor _ in range(n):\n    a, b = map(int, input().split())\n    add(a + b)\n    print(total)\n"),
                ("sys_exit_after", "import sys\nn = int(input())\nfor _ in range(n):\n    a, b = map(int, input().split())\n    print(a + b)\nsys.exit(0)\n"),
                ("exit_midway", "n = int(input())\na, b = map(int, input().split())\nprint(a + b)\nexit()\n"),
                ("quit_at_end", "n = int(input())\nfor _ in range(n):\n    a, b = map(int, input().split())\n    print(a + b)\nquit()\n"),
                ("open_zero", "data = open(0).read().split()\nn = int(data[0])\nfor i in range(n):\n    print(int(data[1 + 2 * i]) + int(data[2 + 2 * i]))\n"),
                ("stdin_read", "import sys\nv = list(map(int, sys.stdin.read().split()))\nfor i in range(v[0]):\n    print(v[1 + 2 * i] + v[2 + 2 * i])\n"),
                ("stdin_buffer", "import sys\nn = int(sys.stdin.buffer.readline())\nfor _ in range(n):\n    a, b = map(int, sys.stdin.buffer.readline().split())\n    print(a + b)\n"),
                ("read_past_eof", "n = int(input())\nfor _ in range(n + 1):\n    a, b = map(int, input().split())\n    print(a + b)\n"),
                ("stderr_only", "import sys\nn = int(input())\nfor _ in range(n):\n    a, b = map(int, input().split())\n    print(a + b, file=sys.stderr)\n"),
                ("raises", "n = int(input())\nraise ValueError('no')\n"),
                ("loops", "n = int(input())\nwhile True:\n    n += 1\n"),
                ("syntax_error", "n = int(input()\nprint(n)\n"),
                ("prelude_reduce", "n = int(input())\nfor _ in range(n):\n    print(reduce(lambda x, y: x + y, map(int, input().split())))\n"),
                ("sys_stdout_write", "import sys\nn = int(input())\nout = []\nfor _ in range(n):\n    a, b = map(int, input().split())\n    out.append(str(a + b))\nsys.stdout.write('\\n'.join(out))\n"),
                ("off_by_one", "n = int(input())\nfor _ in range(n):\n    a, b = map(int, input().split())\n    print(a + b + (n == 3))\n"),
            ],
        },
        Task {
            id: "average",
            fn_name: None,
            cases: vec![("1 2 3 4\n", "2.5000\n"), ("1\n", "1.0000\n"), ("1 2\n", "1.5000\n")],
            samples: vec![
                ("four_places", "v = list(map(int, input().split()))\nprint(f'{sum(v) / len(v):.4f}')\n"),
                ("plain_float", "v = list(map(int, input().split()))\nprint(sum(v) / len(v))\n"),
                ("six_places", "v = list(map(int, input().split()))\nprint(f'{sum(v) / len(v):.6f}')\n"),
                ("exponent", "v = list(map(int, input().split()))\nprint(f'{sum(v) / len(v):e}')\n"),
                ("slightly_off", "v = list(map(int, input().split()))\nprint(sum(v) / len(v) + 1e-7)\n"),
                ("comma", "v = list(map(int, input().split()))\nprint(str(sum(v) / len(v)).replace('.', ','))\n"),
                ("trailing_space", "v = list(map(int, input().split()))\nprint(sum(v) / len(v), '')\n"),
                ("integer_division", "v = list(map(int, input().split()))\nprint(sum(v) // len(v))\n"),
            ],
        },
        Task {
            id: "grid",
            fn_name: None,
            // The expected output has trailing spaces and a blank line inside.
            cases: vec![("2\n", "# . \n\n. # \n"), ("1\n", "#  \n")],
            samples: vec![
                ("no_trailing_spaces", "n = int(input())\nif n == 1:\n    print('#')\nelse:\n    print('# .')\n    print()\n    print('. #')\n"),
                ("no_blank_line", "n = int(input())\nif n == 1:\n    print('#')\nelse:\n    print('# .')\n    print('. #')\n"),
                ("tabs_between", "n = int(input())\nif n == 1:\n    print('#')\nelse:\n    print('#\\t.')\n    print()\n    print('.\\t#')\n"),
                ("leading_blank", "n = int(input())\nprint()\nif n == 1:\n    print('#')\nelse:\n    print('# .')\n    print()\n    print('. #')\n"),
            ],
        },
        Task {
            id: "yes_no",
            fn_name: None,
            cases: vec![("4\n", "YES\n"), ("3\n", "NO\n")],
            samples: vec![
                ("upper", "print('YES' if int(input()) % 2 == 0 else 'NO')\n"),
                ("title_case", "print('Yes' if int(input()) % 2 == 0 else 'No')\n"),
                ("no_newline", "import sys\nsys.stdout.write('YES' if int(input()) % 2 == 0 else 'NO')\n"),
            ],
        },
        Task {
            id: "two_sum",
            fn_name: Some("twoSum"),
            cases: vec![("[2,7,11,15]\n9", "[0, 1]"), ("[3,2,4]\n6", "[1, 2]"), ("[3,3]\n6", "[0, 1]")],
            samples: vec![
                ("right", "from typing import List\nclass Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        seen = {}\n        for i, x in enumerate(nums):\n            if target - x in seen:\n                return [seen[target - x], i]\n            seen[x] = i\n"),
                ("tuple", "class Solution:\n    def twoSum(self, nums, target):\n        for i in range(len(nums)):\n            for j in range(i + 1, len(nums)):\n                if nums[i] + nums[j] == target:\n                    return (i, j)\n"),
                ("reversed", "class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n        for i, x in enumerate(nums):\n            if target - x in seen:\n                return [i, seen[target - x]]\n            seen[x] = i\n"),
                ("numpy_array", "import numpy as np\nclass Solution:\n    def twoSum(self, nums, target):\n        for i in range(len(nums)):\n            for j in range(i + 1, len(nums)):\n                if nums[i] + nums[j] == target:\n                    return np.array([i, j])\n"),
                ("raises", "class Solution:\n    def twoSum(self, nums, target):\n        return nums[10]\n"),
                ("wrong_name", "class Solution:\n    def two_sum(self, nums, target):\n        return [0, 1]\n"),
                ("module_function", "def twoSum(nums, target):\n    for i in range(len(nums)):\n        for j in range(i + 1, len(nums)):\n            if nums[i] + nums[j] == target:\n                return [i, j]\n"),
                ("floats", "class Solution:\n    def twoSum(self, nums, target):\n        for i in range(len(nums)):\n            for j in range(i + 1, len(nums)):\n                if nums[i] + nums[j] == target:\n                    return [float(i), j * 1.0]\n"),
                ("slow", "import time\nclass Solution:\n    def twoSum(self, nums, target):\n        time.sleep(30)\n        return [0, 1]\n"),
            ],
        },
        Task {
            id: "is_even",
            fn_name: Some("isEven"),
            cases: vec![("4", "true"), ("7", "false")],
            samples: vec![
                ("bool", "class Solution:\n    def isEven(self, n: int) -> bool:\n        return n % 2 == 0\n"),
                ("int", "class Solution:\n    def isEven(self, n):\n        return 1 - n % 2\n"),
                ("string", "class Solution:\n    def isEven(self, n):\n        return 'true' if n % 2 == 0 else 'false'\n"),
                ("nested_tuple", "class Solution:\n    def isEven(self, n):\n        return (n % 2 == 0,)\n"),
                ("none", "class Solution:\n    def isEven(self, n):\n        pass\n"),
            ],
        },
    ]
}

/// A LiveCodeBench record (code_generation_lite): public tests as a JSON string, private
/// tests as base64 of zlib of a pickled JSON string, the function name in `metadata`.
fn livecodebench_record(t: &Task) -> Value {
    let tests = |cases: &[(&str, &str)]| -> String {
        let kind = if t.fn_name.is_some() {
            "functional"
        } else {
            "stdin"
        };
        let list: Vec<Value> = cases
            .iter()
            .map(|(i, o)| json!({"input": i, "output": o, "testtype": kind}))
            .collect();
        serde_json::to_string(&list).unwrap()
    };
    let (public, private) = t.cases.split_at(1);
    let pickled = serde_pickle::to_vec(&tests(private), Default::default()).unwrap();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&pickled).unwrap();
    use base64::Engine;
    let packed = base64::engine::general_purpose::STANDARD.encode(z.finish().unwrap());
    let metadata = match t.fn_name {
        Some(f) => json!({"func_name": f}).to_string(),
        None => "{}".to_string(),
    };
    json!({
        "question_title": t.id,
        "question_content": "…",
        "platform": "atcoder",
        "question_id": t.id,
        "contest_id": "test",
        "contest_date": "2026-12-01T00:00:00",
        "starter_code": "",
        "difficulty": "easy",
        "public_test_cases": tests(public),
        "private_test_cases": packed,
        "metadata": metadata,
    })
}

/// What LiveCodeBench's grader takes: `get_evaluation_sample()`'s `input_output`.
fn input_output(fn_name: Option<&str>, cases: &[(String, String)]) -> String {
    json!({
        "inputs": cases.iter().map(|c| &c.0).collect::<Vec<_>>(),
        "outputs": cases.iter().map(|c| &c.1).collect::<Vec<_>>(),
        "fn_name": fn_name,
    })
    .to_string()
}

fn lcb_python() -> String {
    common::venv_python("fetch-lcb-venv")
}

/// LiveCodeBench's verdict on each (input_output, code).
fn livecodebench_verdicts(items: &[(String, String)]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stdio/lcb_oracle.py");
    let input: Vec<Value> = items
        .iter()
        .map(|(io, code)| json!({"input_output": io, "code": code, "timeout": TIMEOUT}))
        .collect();
    let mut child = Command::new(lcb_python())
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(Value::from(input).to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "LiveCodeBench's grader failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The grader prints from inside (a timeout's "alarm went off"): the verdicts are the last line.
    let text = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str::<Vec<Value>>(text.lines().last().unwrap()).unwrap()
}

/// Scores `samples` against `problems` on the process backend; the results, in order.
fn score(fx: &Fixture, problems: &Path, samples: &[Value]) -> Vec<Value> {
    let samples_path = fx.path("samples.jsonl");
    write_jsonl(&samples_path, samples);
    let results = fx.path("results.jsonl");
    let out = assay()
        .args(["score", "--sandbox", "process", "--jobs", "2", "--k", "1"])
        .args(["--timeout", &TIMEOUT.to_string()])
        .arg("--problems")
        .arg(problems)
        .arg("--samples")
        .arg(&samples_path)
        .arg("--output")
        .arg(&results)
        .arg("--run-dir")
        .arg(fx.path("run"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "assay score failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    read_jsonl(&results)
}

#[test]
fn livecodebench_problems_get_livecodebench_verdicts() {
    let fx = Fixture::new();
    let tasks = tasks();
    let problems = fx.path("problems.jsonl");
    write_jsonl(
        &problems,
        &tasks.iter().map(livecodebench_record).collect::<Vec<_>>(),
    );
    let validate = assay().arg("validate").arg(&problems).output().unwrap();
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stderr)
    );
    assert!(String::from_utf8_lossy(&validate.stdout)
        .contains(&format!("{} entries valid", tasks.len())));

    let mut samples = Vec::new();
    let mut oracle_items = Vec::new();
    let mut labels = Vec::new();
    for t in &tasks {
        let cases: Vec<(String, String)> = t
            .cases
            .iter()
            .map(|(i, o)| (i.to_string(), o.to_string()))
            .collect();
        for (label, code) in &t.samples {
            samples.push(json!({"task_id": t.id, "completion": code}));
            oracle_items.push((input_output(t.fn_name, &cases), code.to_string()));
            labels.push(format!("{}/{label}", t.id));
        }
    }
    let ours = score(&fx, &problems, &samples);
    let theirs = livecodebench_verdicts(&oracle_items);
    assert_eq!(ours.len(), labels.len());
    let mut differ = Vec::new();
    for ((label, mine), lcb) in labels.iter().zip(&ours).zip(&theirs) {
        let (a, b) = (
            mine["passed"].as_bool().unwrap(),
            lcb["passed"].as_bool().unwrap(),
        );
        if a != b {
            differ.push(format!(
                "{label}: assay {} ({}), LiveCodeBench {} {}",
                if a { "passed" } else { "failed" },
                mine["message"],
                if b { "passed" } else { "failed" },
                lcb["results"]
            ));
        }
    }
    assert!(differ.is_empty(), "verdicts differ:\n{}", differ.join("\n"));
    // The set is not one-sided, and the tricky cases went the way the rules say.
    let passed: Vec<&str> = labels
        .iter()
        .zip(&ours)
        .filter(|(_, r)| r["passed"] == true)
        .map(|(l, _)| l.as_str())
        .collect();
    for must in [
        "sum_pairs/trailing_spaces",
        "sum_pairs/blank_lines_after",
        "sum_pairs/main_guard",
        "sum_pairs/prelude_reduce",
        "average/plain_float",
        "average/exponent",
        "grid/no_trailing_spaces",
        "two_sum/tuple",
        "two_sum/module_function",
        "is_even/int",
    ] {
        assert!(passed.contains(&must), "{must} should pass: {passed:?}");
    }
    for must_not in [
        "sum_pairs/inner_blank_line",
        "sum_pairs/global_in_helper",
        "sum_pairs/quit_at_end",
        "sum_pairs/stdin_buffer",
        // open(0) reads the real (empty) stdin: the prelude's `from builtins import *`
        // bound the real open() before the test patched builtins.open.
        "sum_pairs/open_zero",
        "sum_pairs/loops",
        "average/slightly_off",
        "grid/no_blank_line",
        "yes_no/title_case",
        "two_sum/numpy_array",
        "is_even/nested_tuple",
    ] {
        assert!(!passed.contains(&must_not), "{must_not} should fail");
    }
    // Per-test verdicts name LiveCodeBench's public and private tests; a time limit is the
    // test's own, not the execution's.
    let loops = &ours[labels.iter().position(|l| l == "sum_pairs/loops").unwrap()];
    assert_eq!(loops["status"], "timeout", "{loops}");
    assert_eq!(loops["tests"][0]["name"], "public_0");
    assert!(
        loops["wall_ms"].as_f64().unwrap() < (TIMEOUT as f64 + 1.5) * 1000.0,
        "{loops}"
    );
    let off = &ours[labels
        .iter()
        .position(|l| l == "sum_pairs/off_by_one")
        .unwrap()];
    let statuses: Vec<&str> = off["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["passed", "passed", "failed"], "{off}");
    assert!(
        off["tests"][2]["message"]
            .as_str()
            .unwrap()
            .starts_with("Wrong answer at line 0"),
        "{off}"
    );
}

/// The expected output never enters the sandbox: a program that searches its own process
/// for it finds nothing under assay, where under LiveCodeBench it finds `gt_out` in the
/// grader's frame and prints it (a documented difference: assay is right to fail it).
#[test]
fn expected_outputs_cannot_be_read_by_the_program() {
    let fx = Fixture::new();
    let task = Task {
        id: "secret",
        fn_name: None,
        cases: vec![("x\n", "kq7-omega-3141\n")],
        samples: vec![],
    };
    let problems = fx.path("problems.jsonl");
    write_jsonl(
        &problems,
        &[livecodebench_record(&Task {
            cases: vec![task.cases[0], task.cases[0]],
            ..task
        })],
    );
    let forger = "import gc, re, sys\nfound = set()\nf = sys._getframe()\nwhile f is not None:\n    for v in list(f.f_locals.values()):\n        if isinstance(v, str) and re.fullmatch(r'kq7-\\w+-\\d+\\s*', v):\n            found.add(v.strip())\n    f = f.f_back\nfor o in gc.get_objects():\n    if isinstance(o, (list, tuple)):\n        for v in o:\n            if isinstance(v, str) and re.fullmatch(r'kq7-\\w+-\\d+\\s*', v):\n                found.add(v.strip())\nprint(min(found) if found else 'nothing')\n";
    let ours = score(
        &fx,
        &problems,
        &[json!({"task_id": "secret", "completion": forger})],
    );
    assert_eq!(ours[0]["passed"], false, "{}", ours[0]);
    let cases = vec![("x\n".to_string(), "kq7-omega-3141\n".to_string()); 2];
    let theirs = livecodebench_verdicts(&[(input_output(None, &cases), forger.to_string())]);
    assert_eq!(
        theirs[0]["passed"], true,
        "the forger should fool LiveCodeBench's grader: {}",
        theirs[0]
    );
}

/// APPS and CodeContests records are read by their fields and judged by the same rules:
/// APPS `input_output` (stdin, and call-based with `fn_name`), CodeContests' public,
/// private and generated tests with its time limit.
#[test]
fn apps_and_codecontests_records_are_judged_as_livecodebench_would() {
    let fx = Fixture::new();
    let problems = fx.path("problems.jsonl");
    let apps_stdin = json!({"inputs": ["1 2\n", "5 5\n"], "outputs": ["3\n", "10\n"]});
    let apps_call =
        json!({"inputs": [[1, [2, 3]], [0, []]], "outputs": [6, 0], "fn_name": "total"});
    write_jsonl(
        &problems,
        &[
            json!({"problem_id": 11, "question": "add", "input_output": apps_stdin.to_string(), "solutions": "[\"print(sum(map(int, input().split())))\"]"}),
            json!({"problem_id": 12, "question": "total", "input_output": apps_call.to_string()}),
            json!({
                "name": "1_A. Sum",
                "description": "…",
                "public_tests": {"input": ["3\n1 2 3\n"], "output": ["6\n"]},
                "private_tests": {"input": ["1\n7\n"], "output": ["7\n"]},
                "generated_tests": {"input": ["2\n-1 1\n"], "output": ["0\n"]},
                "solutions": {"language": [2, 3], "solution": ["int main() {}", "input()\nprint(sum(map(int, input().split())))\n"]},
                "time_limit": {"seconds": 1, "nanos": 0},
            }),
        ],
    );
    let samples = [
        ("11", "print(sum(map(int, input().split())))\n"),
        ("11", "a, b = input().split()\nprint(a + b)\n"),
        ("12", "def total(a, b):\n    return a + sum(b)\n"),
        ("12", "def total(a, b):\n    return (a + sum(b),)\n"),
        (
            "1_A. Sum",
            "input()\nprint(sum(map(int, input().split())), ' ')\n",
        ),
        (
            "1_A. Sum",
            "input()\nprint(max(map(int, input().split())))\n",
        ),
    ];
    let rows: Vec<Value> = samples
        .iter()
        .map(|(id, c)| json!({"task_id": id, "completion": c}))
        .collect();
    let ours = score(&fx, &problems, &rows);
    let call_cases = vec![
        ("1\n[2, 3]".to_string(), "6".to_string()),
        ("0\n[]".to_string(), "0".to_string()),
    ];
    let stdin = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    };
    let io = |id: &str| match id {
        "11" => input_output(None, &stdin(&[("1 2\n", "3\n"), ("5 5\n", "10\n")])),
        "12" => input_output(Some("total"), &call_cases),
        _ => input_output(
            None,
            &stdin(&[
                ("3\n1 2 3\n", "6\n"),
                ("1\n7\n", "7\n"),
                ("2\n-1 1\n", "0\n"),
            ]),
        ),
    };
    let items: Vec<(String, String)> = samples
        .iter()
        .map(|(id, c)| (io(id), c.to_string()))
        .collect();
    let theirs = livecodebench_verdicts(&items);
    let got: Vec<bool> = ours
        .iter()
        .map(|r| r["passed"].as_bool().unwrap())
        .collect();
    let want: Vec<bool> = theirs
        .iter()
        .map(|r| r["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(got, want, "assay {ours:?}\nLiveCodeBench {theirs:?}");
    assert_eq!(got, [true, false, true, false, true, false]);
    let names: Vec<&str> = ours[4]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["public_0", "private_0", "generated_0"]);
}

#[test]
fn a_malformed_record_is_one_line_naming_file_line_and_field() {
    let fx = Fixture::new();
    let problems = fx.path("problems.jsonl");
    std::fs::write(
        &problems,
        "{\"question_id\": \"q\", \"public_test_cases\": \"[{\\\"input\\\": \\\"1\\\"}]\"}\n",
    )
    .unwrap();
    let out = assay().arg("validate").arg(&problems).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(
            "problems.jsonl:1: public_test_cases: test 0: needs string `input` and `output`"
        ),
        "{err}"
    );
}

/// `assay curate` reads the same formats (and HumanEval's) by their fields: it runs each
/// reference on its tests and writes the records whose reference passes, as they came.
#[test]
fn curate_keeps_the_records_whose_reference_passes() {
    let fx = Fixture::new();
    let input = fx.path("mixed.jsonl");
    let add = json!({"inputs": ["1 2\n", "5 5\n"], "outputs": ["3\n", "10\n"]});
    let rows = [
        json!({"problem_id": 1, "question": "Add two numbers.", "input_output": add.to_string(), "solutions": "[\"print(sum(map(int, input().split())))\"]"}),
        json!({"problem_id": 2, "question": "Concatenate the two numbers as text.", "input_output": add.to_string(), "solutions": "[\"a, b = input().split()\\nprint(a + b)\"]"}),
        json!({"name": "7_B. Max", "description": "The largest of the numbers.", "public_tests": {"input": ["3\n1 5 2\n"], "output": ["5\n"]}, "solutions": {"language": [3], "solution": ["input()\nprint(max(map(int, input().split())))\n"]}}),
        livecodebench_record(&tasks()[3]),
        common::add_problem(),
        bigcodebench("BigCodeBench/1", "    return a + b\n"),
        bigcodebench("BigCodeBench/2", "    return a - b\n"),
    ];
    write_jsonl(&input, &rows);
    let out = assay()
        .arg("curate")
        .arg(&input)
        .arg("-o")
        .arg(fx.path("curated.jsonl"))
        .arg("--report")
        .arg(fx.path("report"))
        .arg("--run-dir")
        .arg(fx.path("run"))
        .args(["--repeats", "2", "--jobs", "2", "--sandbox", "process"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kept = read_jsonl(&fx.path("curated.jsonl"));
    // Written as they came, in their own formats.
    assert_eq!(
        kept,
        [
            rows[0].clone(),
            rows[2].clone(),
            rows[4].clone(),
            rows[5].clone()
        ]
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path("report/report.json")).unwrap())
            .unwrap();
    let text = report.to_string();
    assert!(text.contains("no reference solution to check"), "{text}");
    // The kept file is a problems file again.
    let v = assay()
        .arg("validate")
        .arg(fx.path("curated.jsonl"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&v.stdout).contains("4 entries valid"),
        "{v:?}"
    );
}

/// A BigCodeBench task: `task_func(a, b)` with a unittest suite of two methods.
fn bigcodebench(id: &str, canonical: &str) -> Value {
    json!({
        "task_id": id,
        "complete_prompt": "def task_func(a, b):\n    \"\"\"Add a and b.\"\"\"\n",
        "instruct_prompt": "Write task_func(a, b) that adds a and b.",
        "canonical_solution": canonical,
        "code_prompt": "def task_func(a, b):\n",
        "test": "import unittest\nclass TestCases(unittest.TestCase):\n    def test_small(self):\n        self.assertEqual(task_func(1, 2), 3)\n    def test_zero(self):\n        self.assertEqual(task_func(0, 0), 0)\n",
        "entry_point": "task_func",
        "libs": "[]",
    })
}
