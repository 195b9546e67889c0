//! Human grading through the real binary: the grading app in headless Chromium over
//! WebDriver (keyboard, mouse, pairwise mode, reload, the grader's file, no console
//! error), two graders posting 500 grades each at once, agreement figures against the
//! reference packages (`krippendorff`, scikit-learn) in the venv of
//! `scripts/fetch-stats-venv`, the preference export loaded by Hugging Face `datasets`,
//! and bad grade files. Needs `chromium` and `chromium-driver` (`scripts/setup --all`).

mod common;

use common::webdriver::Driver;
use common::{assay, read_jsonl, stats_python, write_jsonl, Fixture};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn problem(id: &str, name: &str, doc: &str, test: &str) -> Value {
    json!({
        "task_id": id,
        "prompt": format!("def {name}:\n    \"\"\"{doc}\"\"\"\n"),
        "canonical_solution": "    pass\n",
        "test": format!("def check(candidate):\n{test}"),
        "entry_point": name.split('(').next().unwrap(),
    })
}

/// Three tasks; per task right, wrong and raising completions (10 samples).
fn write_inputs(fx: &Fixture) -> (PathBuf, PathBuf) {
    let problems = fx.path("problems.jsonl");
    write_jsonl(
        &problems,
        &[
            problem(
                "Toy/0",
                "add(a, b)",
                "Return a + b.",
                "    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n",
            ),
            problem(
                "Toy/1",
                "mul(a, b)",
                "Return a * b.",
                "    assert candidate(2, 3) == 6\n    assert candidate(-2, 3) == -6\n",
            ),
            problem(
                "Toy/2",
                "neg(x)",
                "Return -x.",
                "    assert candidate(2) == -2\n",
            ),
        ],
    );
    let samples = fx.path("samples.jsonl");
    let s = |t: &str, c: &str| json!({"task_id": t, "completion": c});
    write_jsonl(
        &samples,
        &[
            s("Toy/0", "    return a + b\n"),
            s("Toy/0", "    return b + a\n"),
            s("Toy/0", "    return a - b\n"),
            s("Toy/0", "    raise ValueError('<no>')\n"),
            s("Toy/1", "    return a * b\n"),
            s("Toy/1", "    r = 0\n    for _ in range(abs(b)):\n        r += a\n    return r if b >= 0 else -r\n"),
            s("Toy/1", "    return a + b\n"),
            s("Toy/2", "    return -x\n"),
            s("Toy/2", "    return x\n"),
            s("Toy/2", "    print('thinking <hard>')\n    return x * 1\n"),
        ],
    );
    (problems, samples)
}

/// A real scored run of the inputs: (problems, results).
fn scored(fx: &Fixture) -> (PathBuf, PathBuf) {
    let (problems, samples) = write_inputs(fx);
    let results = fx.path("results.jsonl");
    let out = assay()
        .args(["score", "--problems"])
        .arg(&problems)
        .arg("--samples")
        .arg(&samples)
        .arg("--output")
        .arg(&results)
        .arg("--run-dir")
        .arg(fx.path("run"))
        .args(["--k", "1", "--timeout", "10", "--jobs", "2"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "assay score: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (problems, results)
}

struct Server {
    child: Child,
    url: String,
    stdout: std::io::BufReader<std::process::ChildStdout>,
    first: String,
}

impl Server {
    fn start(problems: &Path, results: &Path, grades: &Path, grader: &str) -> Server {
        Server::start_with(problems, results, grades, grader, &[], &[])
    }

    fn start_with(
        problems: &Path,
        results: &Path,
        grades: &Path,
        grader: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        let mut child = assay()
            .envs(env.iter().copied())
            .args(["grade", "serve", "--results"])
            .arg(results)
            .arg("--problems")
            .arg(problems)
            .arg("--grades")
            .arg(grades)
            .args(["--grader", grader])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let url = first
            .split(" at ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| {
                let mut err = String::new();
                let _ = std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err);
                panic!("no URL in the server's first line {first:?}; stderr: {err}")
            })
            .trim_end_matches('/')
            .to_string();
        let mut second = String::new();
        stdout.read_line(&mut second).unwrap();
        first.push_str(&second);
        Server {
            child,
            url,
            stdout,
            first,
        }
    }

    /// SIGTERM, then the exit status must be 0; returns the rest of stdout.
    fn stop(mut self) -> String {
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest).unwrap();
        assert!(status.success(), "grade serve ended with {status}");
        rest
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn get(url: &str) -> Value {
    let r = reqwest::get(url).await.unwrap();
    assert!(r.status().is_success(), "GET {url}: {}", r.status());
    r.json().await.unwrap()
}

async fn post(client: &reqwest::Client, url: &str, body: Value) -> (u16, Value) {
    let r = client.post(url).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

fn grade_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn lines_of(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "{} ends mid-line",
        path.display()
    );
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a whole JSON line"))
        .collect()
}

// ---------------------------------------------------------------------------------------

#[test]
fn browser_grading_by_keyboard_and_mouse_survives_a_reload_and_lands_in_the_graders_file() {
    let fx = Fixture::new();
    let (problems, results) = scored(&fx);
    let grades = fx.path("grades");
    let server = Server::start(&problems, &results, &grades, "carol");
    let url = server.url.clone();
    let profile = fx.path("chrome-profile");
    let rt = runtime();
    let hashes: Vec<String> = rt.block_on(async {
        let s = get(&format!("{url}/api/session")).await;
        s["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["sample"].as_str().unwrap().to_string())
            .collect()
    });
    assert_eq!(hashes.len(), 10);
    rt.block_on(async {
        let driver = Driver::start().await;
        let b = driver.session(&profile).await;
        b.goto(&format!("{url}/")).await;
        b.wait("the app to start", "return document.body.dataset.ready === '1'").await;
        // The first sample is shown with its task, highlighted code and verdict.
        let shown = b.script("return [document.getElementById('sample-id').textContent, document.querySelectorAll('#code .tok-kw').length, document.getElementById('verdict').textContent, document.querySelectorAll('#tests tbody tr').length]").await;
        assert!(shown[0].as_str().unwrap().starts_with("Toy/0 · completion 0"), "{shown}");
        assert!(shown[1].as_u64().unwrap() >= 2, "keywords highlighted: {shown}");
        assert_eq!(shown[2], "passed");
        assert!(shown[3].as_u64().unwrap() >= 1, "per-test verdicts: {shown}");
        assert_eq!(b.script("return document.getElementById('progress').textContent").await, "0 / 10 graded");

        // Keyboard: sample 0 gets functionality 4 and quality 3; j; sample 1 gets 5 and 2.
        b.keys("43").await;
        b.wait("sample 0 saved", "return document.getElementById('progress').textContent === '1 / 10 graded'").await;
        b.keys("j").await;
        b.wait("sample 1 shown", "return document.getElementById('sample-id').textContent.includes('completion 1')").await;
        b.keys("52").await;
        b.wait("sample 1 saved", "return document.getElementById('progress').textContent === '2 / 10 graded'").await;

        // Mouse: next, then click scores 1 and 0, then type notes (autosaved).
        b.click("#next").await;
        b.wait("sample 2 shown", "return document.getElementById('sample-id').textContent.includes('completion 2')").await;
        b.click(".dim[data-dim=functionality] button[data-score='1']").await;
        b.wait("functionality saved", "return document.getElementById('progress').textContent === '3 / 10 graded'").await;
        b.click(".dim[data-dim=quality] button[data-score='0']").await;
        b.wait("quality selected", "return !!document.querySelector(\".dim[data-dim=quality] button.selected[data-score='0']\")").await;
        b.type_into("#notes", "subtracts <instead>").await;
        let start = std::time::Instant::now();
        loop {
            let mine = get(&format!("{url}/api/grades")).await;
            if mine["grades"][&hashes[2]]["notes"] == "subtracts <instead>" {
                break;
            }
            assert!(start.elapsed().as_secs() < 15, "the notes were not autosaved: {mine}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        b.click("#list li[data-index='0']").await; // blur the notes, leave the sample

        // Filters by mouse: one task, then one verdict within it, then every task again.
        b.click("#task-filter option[value='Toy/2']").await;
        b.wait("task filter", "return document.querySelectorAll('#list li').length === 3").await;
        b.click("#verdict-filter option[value='failed']").await;
        b.wait("verdict filter", "return [...document.querySelectorAll('#list li')].map(l => l.textContent).join() === 'Toy/2 #1,Toy/2 #2'").await;
        assert_eq!(b.script("return document.getElementById('verdict').textContent").await, "failed");
        b.keys("j").await;
        b.wait("the program's stdout, as text", "return document.getElementById('stdout').textContent === 'thinking <hard>\\n'").await;
        b.click("#verdict-filter option[value='']").await;
        b.click("#task-filter option[value='']").await;
        b.wait("no filter", "return document.querySelectorAll('#list li').length === 10").await;
        // Filter: ungraded only hides the three graded samples.
        b.script("const f = document.getElementById('filter'); f.value = 'ungraded'; f.dispatchEvent(new Event('change')); return true").await;
        b.wait("ungraded filter", "return document.querySelectorAll('#list li').length === 7").await;

        // Pairwise mode by keyboard: A is better; next pair by mouse, B is better by mouse.
        b.click("#mode").await;
        b.wait("pairwise shown", "return !document.getElementById('pairwise').hidden && document.querySelector('#pair-a .code').textContent.length > 0").await;
        b.keys("a").await;
        b.wait("pair 1 recorded", "return document.getElementById('pair-choice').textContent === 'recorded: A is better'").await;
        b.click("#pair-next").await;
        b.wait("pair 2 shown", "return document.getElementById('pair-position').textContent.startsWith('pair 2')").await;
        b.click("#choose-b").await;
        b.wait("pair 2 recorded", "return document.getElementById('pair-choice').textContent === 'recorded: B is better'").await;

        // Reload: the page shows what the server kept.
        b.goto(&format!("{url}/#2")).await;
        b.refresh().await;
        b.wait("the app to restart", "return document.body.dataset.ready === '1'").await;
        assert_eq!(b.script("return document.getElementById('progress').textContent").await, "3 / 10 graded");
        let on2 = b.script("return [document.getElementById('sample-id').textContent, document.querySelector('.dim[data-dim=functionality] button.selected').textContent, document.querySelector('.dim[data-dim=quality] button.selected').textContent, document.getElementById('notes').value]").await;
        assert!(on2[0].as_str().unwrap().contains("completion 2"), "{on2}");
        assert_eq!(on2[1], "1");
        assert_eq!(on2[2], "0");
        assert_eq!(on2[3], "subtracts <instead>");
        b.keys("k").await;
        b.wait("sample 1 again", "return document.getElementById('sample-id').textContent.includes('completion 1')").await;
        let on1 = b.script("return [document.querySelector('.dim[data-dim=functionality] button.selected').textContent, document.querySelector('.dim[data-dim=quality] button.selected').textContent]").await;
        assert_eq!(on1, json!(["5", "2"]));
        let graded = b.script("return document.querySelectorAll('#list li.graded').length").await;
        assert_eq!(graded, 3);
        b.keys("p").await;
        b.wait("pair 1 after reload", "return document.getElementById('pair-choice').textContent === 'recorded: A is better'").await;

        // No console error on the page; and the log is really read (a probe shows up).
        let log = b.browser_log().await;
        let severe: Vec<&Value> = log.iter().filter(|e| e["level"] == "SEVERE" || e["level"] == "WARNING").collect();
        assert!(severe.is_empty(), "console errors: {severe:?}");
        b.script("console.error('probe-from-test'); return true").await;
        let log = b.browser_log().await;
        assert!(log.iter().any(|e| e["message"].as_str().unwrap_or("").contains("probe-from-test")), "browser log not read: {log:?}");
        b.quit().await;
    });
    server.stop();

    // The grader's own file, read by the test.
    let files = grade_files(&grades);
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("carol-")
            && name.ends_with(".jsonl")
            && name.len() == "carol-2026-01-01.jsonl".len(),
        "{name}"
    );
    let events = lines_of(&files[0]);
    let mut last: BTreeMap<String, Value> = BTreeMap::new();
    let mut pairs = Vec::new();
    for e in &events {
        assert_eq!(e["grader"], "carol");
        match e["kind"].as_str().unwrap() {
            "grade" => {
                last.insert(e["sample"].as_str().unwrap().to_string(), e.clone());
            }
            "pair" => pairs.push(e.clone()),
            k => panic!("kind {k}"),
        }
    }
    assert_eq!(last.len(), 3);
    assert_eq!(
        last[&hashes[0]]["scores"],
        json!({"functionality": 4, "quality": 3})
    );
    assert_eq!(
        last[&hashes[1]]["scores"],
        json!({"functionality": 5, "quality": 2})
    );
    assert_eq!(
        last[&hashes[2]]["scores"],
        json!({"functionality": 1, "quality": 0})
    );
    assert_eq!(last[&hashes[2]]["notes"], "subtracts <instead>");
    assert_eq!(last[&hashes[2]]["task_id"], "Toy/0");
    assert_eq!(last[&hashes[2]]["completion_id"], 2);
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    assert_eq!(
        (
            pairs[0]["sample"].as_str().unwrap(),
            pairs[0]["versus_sample"].as_str().unwrap(),
            pairs[0]["better"].as_str().unwrap()
        ),
        (hashes[0].as_str(), hashes[1].as_str(), "a")
    );
    assert_eq!(
        (
            pairs[1]["sample"].as_str().unwrap(),
            pairs[1]["versus_sample"].as_str().unwrap(),
            pairs[1]["better"].as_str().unwrap()
        ),
        (hashes[0].as_str(), hashes[2].as_str(), "b")
    );
    // Stable key order in every line.
    for line in std::fs::read_to_string(&files[0]).unwrap().lines() {
        assert!(
            line.starts_with("{\"grader\":\"carol\",\"time\":\""),
            "{line}"
        );
    }
}

#[test]
fn two_graders_posting_500_grades_each_at_once_lose_and_duplicate_nothing() {
    let fx = Fixture::new();
    let (problems, results) = scored(&fx);
    let grades = fx.path("grades");
    let server = Server::start(&problems, &results, &grades, "alice");
    let url = server.url.clone();
    let rt = runtime();
    let (hashes, latest) = rt.block_on(async {
        let s = get(&format!("{url}/api/session")).await;
        let hashes: Vec<String> = s["samples"].as_array().unwrap().iter().map(|x| x["sample"].as_str().unwrap().to_string()).collect();
        let client = reqwest::Client::new();
        let send = |grader: &'static str| {
            let (client, url, hashes) = (client.clone(), url.clone(), hashes.clone());
            async move {
                futures_util::stream::iter(0..500usize)
                    .map(|i| {
                        let (client, url) = (client.clone(), url.clone());
                        let body = json!({
                            "grader": grader,
                            "sample": hashes[i % hashes.len()],
                            "scores": {"functionality": (i % 6) as i64, "quality": ((i / 6) % 6) as i64},
                            "notes": format!("{grader}-{i}"),
                        });
                        async move { post(&client, &format!("{url}/api/grade"), body).await }
                    })
                    .buffer_unordered(8)
                    .collect::<Vec<_>>()
                    .await
            }
        };
        let (a, b) = tokio::join!(send("alice"), send("bob"));
        for (status, body) in a.iter().chain(&b) {
            assert_eq!(*status, 200, "{body}");
            assert_eq!(body["ok"], true, "{body}");
        }
        let la = get(&format!("{url}/api/grades?grader=alice")).await;
        let lb = get(&format!("{url}/api/grades?grader=bob")).await;
        (hashes, [la, lb])
    });
    server.stop();
    let files = grade_files(&grades);
    assert_eq!(files.len(), 2, "{files:?}");
    let mut lasts: Vec<HashMap<String, Value>> = Vec::new();
    for (file, grader, served) in [
        (&files[0], "alice", &latest[0]),
        (&files[1], "bob", &latest[1]),
    ] {
        assert!(file
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&format!("{grader}-")));
        let events = lines_of(file);
        assert_eq!(
            events.len(),
            500,
            "{grader}: every grade acknowledged is in the file, once"
        );
        let notes: BTreeSet<String> = events
            .iter()
            .map(|e| e["notes"].as_str().unwrap().to_string())
            .collect();
        let expected: BTreeSet<String> = (0..500).map(|i| format!("{grader}-{i}")).collect();
        assert_eq!(notes, expected, "{grader}: none lost, none twice");
        let mut last: HashMap<String, Value> = HashMap::new();
        for e in &events {
            assert_eq!(e["grader"], grader);
            let i: usize = e["notes"]
                .as_str()
                .unwrap()
                .rsplit('-')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(e["sample"], hashes[i % hashes.len()].as_str());
            assert_eq!(e["scores"]["functionality"], (i % 6) as i64);
            last.insert(e["sample"].as_str().unwrap().to_string(), e.clone());
        }
        lasts.push(last.clone());
        // What the server shows as the grader's latest is the file's last line per sample.
        assert_eq!(served["grades"].as_object().unwrap().len(), hashes.len());
        for (h, e) in &last {
            assert_eq!(served["grades"][h]["notes"], e["notes"], "{grader} {h}");
        }
    }
    // Disputed (the filter's list): the two graders' last scores differ by 2 or more.
    let expected: BTreeSet<String> = hashes
        .iter()
        .filter(|h| {
            ["functionality", "quality"].iter().any(|d| {
                let (a, b) = (
                    lasts[0][*h]["scores"][d].as_i64().unwrap(),
                    lasts[1][*h]["scores"][d].as_i64().unwrap(),
                );
                (a - b).abs() >= 2
            })
        })
        .cloned()
        .collect();
    let served: BTreeSet<String> = latest[0]["disputed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_string())
        .collect();
    assert_eq!(served, expected);
}

const AGREEMENT: &str = r#"
import json, sys, math
import numpy as np
import krippendorff
from sklearn.metrics import cohen_kappa_score
q = json.load(sys.stdin)
out = []
for t in q["tables"]:
    graders, dims = t["graders"], t["dimensions"]
    # table[dim][grader][sample] = score or None
    table = dict(zip(dims, t["table"]))
    def alpha(rows):
        data = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal"))
    res = {"alpha": alpha([sum((table[d][g] for d in dims), []) for g in range(len(graders))]),
           "by_dim": {d: alpha(table[d]) for d in dims}, "kappa": []}
    for i in range(len(graders)):
        for j in range(i + 1, len(graders)):
            for d in dims:
                pairs = [(x, y) for x, y in zip(table[d][i], table[d][j]) if x is not None and y is not None]
                xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
                def k(w):
                    if not pairs:
                        return None
                    with np.errstate(all="ignore"):
                        import warnings
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            v = float(cohen_kappa_score(xs, ys, weights=w))
                    return None if math.isnan(v) else v
                res["kappa"].append({"a": graders[i], "b": graders[j], "dimension": d, "items": len(pairs),
                                     "kappa": k(None), "kappa_quadratic": k("quadratic")})
    out.append(res)
json.dump(out, sys.stdout)
"#;

struct Table {
    graders: Vec<String>,
    dims: Vec<String>,
    /// [dim][grader][sample]
    scores: Vec<Vec<Vec<Option<i64>>>>,
}

fn lcg(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

fn generated_table(seed: u64, graders: usize, samples: usize) -> Table {
    let mut x = seed;
    let dims = vec!["functionality".to_string(), "quality".to_string()];
    let truth: Vec<i64> = (0..samples).map(|_| (lcg(&mut x) * 6.0) as i64).collect();
    let bias: Vec<i64> = (0..graders).map(|g| [0, 1, -1, 0, 2][g % 5]).collect();
    let scores = dims
        .iter()
        .enumerate()
        .map(|(d, _)| {
            (0..graders)
                .map(|g| {
                    (0..samples)
                        .map(|s| {
                            if lcg(&mut x) < 0.2 {
                                return None;
                            }
                            let noise = (lcg(&mut x) * 3.0) as i64 - 1;
                            Some((truth[s] + bias[g] + noise - d as i64).clamp(0, 5))
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    Table {
        graders: (0..graders).map(|g| format!("grader{g}")).collect(),
        dims,
        scores,
    }
}

/// Krippendorff (2011)'s example reliability data (4 coders, 12 units, values 1–5).
fn krippendorff_example() -> Table {
    let n = None;
    let rows: Vec<Vec<Option<i64>>> = vec![
        vec![
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(1),
            Some(4),
            Some(1),
            Some(2),
            n,
            n,
            n,
        ],
        vec![
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(2),
            Some(4),
            Some(1),
            Some(2),
            Some(5),
            n,
            Some(3),
        ],
        vec![
            n,
            Some(3),
            Some(3),
            Some(3),
            Some(2),
            Some(3),
            Some(4),
            Some(2),
            Some(2),
            Some(5),
            Some(1),
            n,
        ],
        vec![
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(4),
            Some(4),
            Some(1),
            Some(2),
            Some(5),
            Some(1),
            n,
        ],
    ];
    Table {
        graders: vec!["A".into(), "B".into(), "C".into(), "D".into()],
        dims: vec!["functionality".into()],
        scores: vec![rows],
    }
}

/// Writes one grade file per grader; each grade is preceded by a superseded earlier one
/// (a different score, an earlier time), so "last one wins" is part of what is checked.
fn write_table(dir: &Path, t: &Table) {
    std::fs::create_dir_all(dir).unwrap();
    let samples = t.scores[0][0].len();
    for (g, grader) in t.graders.iter().enumerate() {
        let mut lines = Vec::new();
        for s in 0..samples {
            let mut scores = serde_json::Map::new();
            for (d, dim) in t.dims.iter().enumerate() {
                if let Some(v) = t.scores[d][g][s] {
                    scores.insert(dim.clone(), json!(v));
                }
            }
            if scores.is_empty() {
                continue;
            }
            let event = |time: &str, scores: &serde_json::Map<String, Value>| {
                json!({"grader": grader, "time": time, "kind": "grade", "task_id": format!("T/{}", s / 3),
                       "completion_id": s % 3, "sample": format!("h{s:04}"), "scores": scores, "notes": ""})
            };
            let stale: serde_json::Map<String, Value> = scores
                .iter()
                .map(|(k, v)| (k.clone(), json!((v.as_i64().unwrap() + 3) % 6)))
                .collect();
            lines.push(event("2026-01-01T10:00:00.000Z", &stale));
            lines.push(event("2026-01-02T10:00:00.000Z", &scores));
        }
        // The superseding lines are in a later file for odd graders: order across files.
        if g % 2 == 1 {
            let (early, late): (Vec<Value>, Vec<Value>) = lines
                .into_iter()
                .partition(|l| l["time"].as_str().unwrap().starts_with("2026-01-01"));
            write_jsonl(&dir.join(format!("{grader}-2026-01-02.jsonl")), &late);
            write_jsonl(&dir.join(format!("{grader}-2026-01-01.jsonl")), &early);
        } else {
            write_jsonl(&dir.join(format!("{grader}-2026-01-01.jsonl")), &lines);
        }
    }
}

fn close(a: &Value, b: &Value, what: &str) {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{what}: assay {x} vs reference {y}"),
        _ => assert!(
            a.is_null() && b.is_null(),
            "{what}: assay {a} vs reference {b}"
        ),
    }
}

#[test]
fn agreement_matches_krippendorff_and_scikit_learn_on_generated_and_known_tables() {
    let fx = Fixture::new();
    let tables = [
        krippendorff_example(),
        generated_table(7, 4, 40),
        generated_table(11, 3, 25),
        generated_table(3, 5, 60),
    ];
    let mut reports = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let dir = fx.path(&format!("grades{i}"));
        write_table(&dir, t);
        let out_file = fx.path(&format!("consensus{i}.jsonl"));
        let report = fx.path(&format!("report{i}"));
        let out = assay()
            .args(["grade", "consensus"])
            .arg(&dir)
            .arg("-o")
            .arg(&out_file)
            .arg("--report")
            .arg(&report)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "consensus: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: Value =
            serde_json::from_str(&std::fs::read_to_string(report.join("report.json")).unwrap())
                .unwrap();
        // Medians, means, spreads and flags, recomputed here from the table.
        let lines = read_jsonl(&out_file);
        for line in &lines {
            let s: usize = line["sample"].as_str().unwrap()[1..].parse().unwrap();
            for (d, dim) in t.dims.iter().enumerate() {
                let mut v: Vec<i64> = (0..t.graders.len())
                    .filter_map(|g| t.scores[d][g][s])
                    .collect();
                if v.is_empty() {
                    assert!(line["dimensions"].get(dim).is_none());
                    continue;
                }
                v.sort();
                let median = if v.len() % 2 == 1 {
                    v[v.len() / 2] as f64
                } else {
                    (v[v.len() / 2 - 1] + v[v.len() / 2]) as f64 / 2.0
                };
                let st = &line["dimensions"][dim];
                assert_eq!(st["median"].as_f64().unwrap(), median, "{line}");
                assert_eq!(st["count"].as_u64().unwrap() as usize, v.len());
                assert!(
                    (st["mean"].as_f64().unwrap() - v.iter().sum::<i64>() as f64 / v.len() as f64)
                        .abs()
                        < 1e-12
                );
                let spread = v[v.len() - 1] - v[0];
                assert_eq!(st["spread"].as_i64().unwrap(), spread);
                let flagged = line["disputed_dimensions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x == dim.as_str());
                assert_eq!(flagged, v.len() >= 2 && spread >= 2, "{line}");
            }
        }
        let html = std::fs::read_to_string(report.join("report.html")).unwrap();
        let md = std::fs::read_to_string(report.join("report.md")).unwrap();
        let alpha = format!(
            "{:.3}",
            serde_json::from_str::<Value>(
                &std::fs::read_to_string(report.join("report.json")).unwrap()
            )
            .unwrap()["alpha"]
                .as_f64()
                .unwrap()
        );
        assert!(
            html.contains(&alpha) && md.contains(&format!("| all | {alpha} |")),
            "the reports show alpha {alpha}"
        );
        assert!(
            !html.contains("<script") && !html.contains("http://") && !html.contains("https://"),
            "self-contained"
        );
        let flagged = lines.iter().filter(|l| l["disputed"] == true).count();
        assert_eq!(
            md.matches("| `h").count(),
            flagged,
            "every flagged sample is listed"
        );
        reports.push(r);
    }
    let query = json!({"tables": tables.iter().map(|t| json!({"graders": t.graders, "dimensions": t.dims, "table": t.scores})).collect::<Vec<_>>()});
    let reference = stats_python(AGREEMENT, &query);
    let mut checked = 0;
    for (i, (r, refr)) in reports
        .iter()
        .zip(reference.as_array().unwrap())
        .enumerate()
    {
        close(&r["alpha"], &refr["alpha"], &format!("table {i} alpha"));
        for d in &tables[i].dims {
            close(
                &r["alpha_by_dimension"][d],
                &refr["by_dim"][d],
                &format!("table {i} alpha {d}"),
            );
        }
        let ours = r["kappa"].as_array().unwrap();
        let theirs = refr["kappa"].as_array().unwrap();
        assert_eq!(ours.len(), theirs.len());
        for (o, t) in ours.iter().zip(theirs) {
            assert_eq!(
                (&o["a"], &o["b"], &o["dimension"], &o["items"]),
                (&t["a"], &t["b"], &t["dimension"], &t["items"])
            );
            close(&o["kappa"], &t["kappa"], &format!("table {i} kappa {o}"));
            close(
                &o["kappa_quadratic"],
                &t["kappa_quadratic"],
                &format!("table {i} quadratic kappa {o}"),
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked} kappas checked");
    // Krippendorff's published value for his example, ordinal: 0.815.
    assert!(
        (reports[0]["alpha"].as_f64().unwrap() - 0.815).abs() < 5e-4,
        "{}",
        reports[0]["alpha"]
    );
    // Bias: grader1 of table 1 scores one point high by construction.
    let bias = reports[1]["bias"].as_array().unwrap();
    let b1 = bias
        .iter()
        .find(|b| b["grader"] == "grader1" && b["dimension"] == "functionality")
        .unwrap();
    assert!(b1["mean_difference"].as_f64().unwrap() > 0.3, "{b1}");
}

const DATASETS: &str = r#"
import json, sys
from datasets import load_dataset
q = json.load(sys.stdin)
out = {}
for name, path in q.items():
    ds = load_dataset("json", data_files=path, split="train")
    out[name] = {"columns": ds.column_names, "rows": len(ds),
                 "types": {c: str(ds.features[c].dtype) if hasattr(ds.features[c], "dtype") else type(ds.features[c]).__name__ for c in ds.column_names},
                 "first": {c: ds[0][c] for c in ["prompt", "chosen", "rejected"] if c in ds.column_names} if len(ds) else {}}
json.dump(out, sys.stdout)
"#;

#[test]
fn preference_export_loads_in_datasets_with_dpo_columns_and_verdict_pairs_pass_over_fail() {
    let fx = Fixture::new();
    let (problems, results) = scored(&fx);
    let rows = read_jsonl(&results);
    let grades = fx.path("grades");
    // Three graders grade every sample over HTTP; passing samples score higher, mostly.
    let server = Server::start(&problems, &results, &grades, "alice");
    let url = server.url.clone();
    let rt = runtime();
    let hashes: Vec<String> = rt.block_on(async {
        let s = get(&format!("{url}/api/session")).await;
        let hashes: Vec<String> = s["samples"].as_array().unwrap().iter().map(|x| x["sample"].as_str().unwrap().to_string()).collect();
        let client = reqwest::Client::new();
        for (g, grader) in ["alice", "bob", "carol"].iter().enumerate() {
            for (i, h) in hashes.iter().enumerate() {
                let passed = rows[i]["passed"].as_bool().unwrap();
                let f = if passed { 4 + (i + g) as i64 % 2 } else { (i + g) as i64 % 3 };
                let body = json!({"grader": grader, "sample": h, "scores": {"functionality": f, "quality": ((i * 7 + g) % 6) as i64}});
                let (status, r) = post(&client, &format!("{url}/api/grade"), body).await;
                assert_eq!(status, 200, "{r}");
            }
        }
        hashes
    });
    server.stop();
    let consensus = fx.path("consensus.jsonl");
    let out = assay()
        .args(["grade", "consensus"])
        .arg(&grades)
        .arg("-o")
        .arg(&consensus)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The test's own consensus score: the sum over dimensions of the three graders' median.
    let mut expected: HashMap<String, f64> = HashMap::new();
    for (i, h) in hashes.iter().enumerate() {
        let passed = rows[i]["passed"].as_bool().unwrap();
        let mut f: Vec<i64> = (0..3)
            .map(|g| {
                if passed {
                    4 + (i + g) as i64 % 2
                } else {
                    (i + g) as i64 % 3
                }
            })
            .collect();
        let mut q: Vec<i64> = (0..3).map(|g| ((i * 7 + g) % 6) as i64).collect();
        f.sort();
        q.sort();
        expected.insert(h.clone(), (f[1] + q[1]) as f64);
    }

    let export = |extra: &[&str], output: &Path| {
        let out = assay()
            .args(["export", "preferences", "--results"])
            .arg(&results)
            .arg("--problems")
            .arg(&problems)
            .args(extra)
            .arg("-o")
            .arg(output)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "export {extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        read_jsonl(output)
    };
    let consensus_arg = consensus.to_str().unwrap();
    let human = fx.path("human.jsonl");
    let pairs = export(&["--grades", consensus_arg, "--min-votes", "2"], &human);
    assert!(!pairs.is_empty());
    // (task, code) -> (hash, passed): the results file says which sample is which.
    let answers: HashMap<(String, String), (String, bool)> = hashes
        .iter()
        .zip(&rows)
        .map(|(h, r)| {
            (
                (
                    r["task_id"].as_str().unwrap().to_string(),
                    r["completion"].as_str().unwrap().to_string(),
                ),
                (h.clone(), r["passed"].as_bool().unwrap()),
            )
        })
        .collect();
    let side = |p: &Value, which: &str| -> (String, bool, String) {
        let task = p["metadata"]["task_id"].as_str().unwrap().to_string();
        let (h, passed) = answers[&(task.clone(), p[which].as_str().unwrap().to_string())].clone();
        (h, passed, task)
    };
    let prompts: HashMap<String, String> = read_jsonl(&problems)
        .iter()
        .map(|p| {
            (
                p["task_id"].as_str().unwrap().to_string(),
                p["prompt"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for p in &pairs {
        let (ch, _, task) = &side(p, "chosen");
        let (rj, _, _) = &side(p, "rejected");
        assert_eq!(p["prompt"].as_str().unwrap(), prompts[task]);
        assert!(
            expected[ch] > expected[rj],
            "chosen {} must outscore rejected {}: {p}",
            expected[ch],
            expected[rj]
        );
        assert_eq!(p["metadata"]["chosen"]["sample"], ch.as_str());
        assert_eq!(p["metadata"]["chosen"]["votes"], 3);
        assert_eq!(
            p["metadata"]["chosen"]["score"].as_f64().unwrap(),
            expected[ch]
        );
    }
    // Every pair of one task with different scores is there, up to the cap (8).
    for task in ["Toy/0", "Toy/1", "Toy/2"] {
        let of: Vec<&String> = hashes
            .iter()
            .zip(&rows)
            .filter(|(_, r)| r["task_id"] == task)
            .map(|(h, _)| h)
            .collect();
        let mut want = 0;
        for (i, a) in of.iter().enumerate() {
            for b in &of[i + 1..] {
                if expected[*a] != expected[*b] {
                    want += 1;
                }
            }
        }
        let got = pairs
            .iter()
            .filter(|p| p["metadata"]["task_id"] == task)
            .count();
        assert_eq!(got, want.min(8), "{task}");
    }
    // Too few votes: nothing. The same command twice: the same bytes.
    assert!(export(
        &["--grades", consensus_arg, "--min-votes", "4"],
        &fx.path("none.jsonl")
    )
    .is_empty());
    export(
        &["--grades", consensus_arg, "--min-votes", "2"],
        &fx.path("again.jsonl"),
    );
    assert_eq!(
        std::fs::read(&human).unwrap(),
        std::fs::read(fx.path("again.jsonl")).unwrap()
    );

    // Execution-verified pairs: chosen passed, rejected failed (from results.jsonl).
    let verdicts = fx.path("verdicts.jsonl");
    let vpairs = export(&["--from-verdicts", "--max-per-task", "3"], &verdicts);
    assert!(vpairs.len() >= 4, "{vpairs:?}");
    for p in &vpairs {
        let (_, chosen_passed, _) = side(p, "chosen");
        let (_, rejected_passed, _) = side(p, "rejected");
        assert!(chosen_passed && !rejected_passed, "{p}");
        assert_eq!(p["metadata"]["chosen"]["status"], "passed");
        assert_ne!(p["metadata"]["rejected"]["status"], "passed");
    }
    assert!(["Toy/0", "Toy/1", "Toy/2"].iter().all(|t| vpairs
        .iter()
        .filter(|p| p["metadata"]["task_id"] == *t)
        .count()
        <= 3));

    // TRL's columns exactly (metadata beside), and OpenAI's format.
    let trl = fx.path("trl.jsonl");
    export(&["--from-verdicts", "--metadata", "sidecar"], &trl);
    let openai = export(
        &["--grades", consensus_arg, "--format", "openai"],
        &fx.path("openai.jsonl"),
    );
    for o in &openai {
        let keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "input",
                "preferred_output",
                "non_preferred_output",
                "metadata"
            ]
        );
        assert_eq!(o["input"]["messages"][0]["role"], "user");
        assert_eq!(o["preferred_output"][0]["role"], "assistant");
    }
    let loaded = stats_python(DATASETS, &json!({"trl": trl, "human": human}));
    assert_eq!(
        loaded["trl"]["columns"],
        json!(["prompt", "chosen", "rejected"])
    );
    assert_eq!(
        loaded["trl"]["types"],
        json!({"prompt": "string", "chosen": "string", "rejected": "string"})
    );
    assert_eq!(
        loaded["trl"]["rows"].as_u64().unwrap() as usize,
        read_jsonl(&trl).len()
    );
    assert_eq!(
        read_jsonl(&fx.path("trl.meta.jsonl")).len(),
        read_jsonl(&trl).len()
    );
    assert_eq!(
        loaded["human"]["columns"],
        json!(["prompt", "chosen", "rejected", "metadata"])
    );
    assert_eq!(
        loaded["human"]["rows"].as_u64().unwrap() as usize,
        pairs.len()
    );
    assert_eq!(loaded["human"]["first"]["chosen"], pairs[0]["chosen"]);
}

fn run_err(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout {} stderr {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn bad_grade_files_are_one_line_naming_file_line_and_field_and_lose_nothing() {
    let fx = Fixture::new();
    let (problems, results) = scored(&fx);
    let grades = fx.path("grades");
    let server = Server::start(&problems, &results, &grades, "dana");
    let url = server.url.clone();
    let rt = runtime();
    let hashes: Vec<String> = rt.block_on(async {
        let s = get(&format!("{url}/api/session")).await;
        let hashes: Vec<String> = s["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["sample"].as_str().unwrap().to_string())
            .collect();
        let client = reqwest::Client::new();
        for h in &hashes[..3] {
            let (status, _) = post(
                &client,
                &format!("{url}/api/grade"),
                json!({"sample": h, "scores": {"functionality": 3}}),
            )
            .await;
            assert_eq!(status, 200);
        }
        // Over HTTP: a score outside the rubric, an unknown sample, a bad grader name.
        let (status, r) = post(
            &client,
            &format!("{url}/api/grade"),
            json!({"sample": hashes[0], "scores": {"quality": 6}}),
        )
        .await;
        assert_eq!(status, 400);
        assert!(
            r["error"]
                .as_str()
                .unwrap()
                .starts_with("scores.quality: 6 is outside"),
            "{r}"
        );
        let (status, r) = post(
            &client,
            &format!("{url}/api/grade"),
            json!({"sample": "0123456789abcdef", "scores": {"quality": 1}}),
        )
        .await;
        assert_eq!(status, 400);
        assert!(
            r["error"]
                .as_str()
                .unwrap()
                .starts_with("sample: unknown sample"),
            "{r}"
        );
        let (status, _) = post(
            &client,
            &format!("{url}/api/grade"),
            json!({"grader": "../x", "sample": hashes[0], "scores": {"quality": 1}}),
        )
        .await;
        assert_eq!(status, 400);
        hashes
    });
    server.stop();
    let file = grade_files(&grades).pop().unwrap();
    assert_eq!(lines_of(&file).len(), 3, "refused grades are not written");
    let good = std::fs::read(&file).unwrap();
    let consensus = fx.path("consensus.jsonl");
    let ok = assay()
        .args(["grade", "consensus"])
        .arg(&grades)
        .arg("-o")
        .arg(&consensus)
        .output()
        .unwrap();
    assert!(ok.status.success());
    let consensus_before = std::fs::read(&consensus).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let serve = || {
        let mut c = assay();
        c.args(["grade", "serve", "--results"])
            .arg(&results)
            .arg("--problems")
            .arg(&problems)
            .arg("--grades")
            .arg(&grades)
            .args(["--grader", "dana"]);
        c
    };
    let consensus_cmd = || {
        let mut c = assay();
        c.args(["grade", "consensus"])
            .arg(&grades)
            .arg("-o")
            .arg(&consensus);
        c
    };
    let line = |completion_id: usize, sample: &str, f: i64| {
        format!("{{\"grader\":\"dana\",\"time\":\"2026-01-01T00:00:00.000Z\",\"kind\":\"grade\",\"task_id\":\"Toy/0\",\"completion_id\":{completion_id},\"sample\":\"{sample}\",\"scores\":{{\"functionality\":{f}}},\"notes\":\"\"}}\n")
    };
    let cases: [(&str, String, &str, bool); 3] = [
        (
            "a broken line",
            "{\"grader\":\"dana\",\"time\":\n".to_string(),
            ":4: json: malformed JSON",
            true,
        ),
        (
            "an unknown sample",
            line(99, &hashes[0], 3),
            ":4: completion_id: unknown sample",
            false,
        ),
        (
            "a score outside the rubric",
            line(0, &hashes[0], 7),
            ":4: scores.functionality: 7 is outside the rubric's 0..=5",
            true,
        ),
    ];
    for (what, bad, expect, consensus_too) in cases {
        let mut text = good.clone();
        text.extend_from_slice(bad.as_bytes());
        std::fs::write(&file, &text).unwrap();
        let err = run_err(&mut serve());
        assert!(err.contains(&format!("{name}{expect}")), "{what}: {err}");
        if consensus_too {
            let err = run_err(&mut consensus_cmd());
            assert!(err.contains(&format!("{name}{expect}")), "{what}: {err}");
        }
        assert_eq!(
            std::fs::read(&file).unwrap(),
            text,
            "{what}: the grade file is untouched"
        );
        assert_eq!(
            grade_files(&grades),
            vec![file.clone()],
            "{what}: no other file written"
        );
        assert_eq!(
            std::fs::read(&consensus).unwrap(),
            consensus_before,
            "{what}: the consensus file is untouched"
        );
    }
    // A rubric that the grades do not fit (quality up to 3) is refused the same way.
    std::fs::write(&file, &good).unwrap();
    let rubric = fx.path("rubric.json");
    std::fs::write(
        &rubric,
        r#"{"dimensions":[{"name":"functionality","min":0,"max":2}]}"#,
    )
    .unwrap();
    let err = run_err(consensus_cmd().arg("--rubric").arg(&rubric));
    assert!(
        err.contains(&format!(
            "{name}:1: scores.functionality: 3 is outside the rubric's 0..=2"
        )),
        "{err}"
    );
}

#[test]
fn a_regraded_run_whose_code_changed_does_not_inherit_the_old_grade() {
    let fx = Fixture::new();
    let (problems, results) = scored(&fx);
    let grades = fx.path("grades");
    let server = Server::start(&problems, &results, &grades, "erin");
    let url = server.url.clone();
    let rt = runtime();
    let old: Vec<String> = rt.block_on(async {
        let s = get(&format!("{url}/api/session")).await;
        let hashes: Vec<String> = s["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["sample"].as_str().unwrap().to_string())
            .collect();
        let client = reqwest::Client::new();
        for h in &hashes[..2] {
            assert_eq!(
                post(
                    &client,
                    &format!("{url}/api/grade"),
                    json!({"sample": h, "scores": {"functionality": 5}})
                )
                .await
                .0,
                200
            );
        }
        hashes
    });
    server.stop();
    // The same ids, sample 0's code changed.
    let mut rows = read_jsonl(&results);
    rows[0]["completion"] = json!("    return a + b  # changed\n");
    let changed = fx.path("results2.jsonl");
    write_jsonl(&changed, &rows);
    let server = Server::start(&problems, &changed, &grades, "erin");
    assert!(
        server
            .first
            .contains("1 of samples whose code changed left out"),
        "{}",
        server.first
    );
    let url = server.url.clone();
    let (new, mine) = rt.block_on(async {
        let s = get(&format!("{url}/api/session")).await;
        let hashes: Vec<String> = s["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["sample"].as_str().unwrap().to_string())
            .collect();
        (hashes, get(&format!("{url}/api/grades")).await)
    });
    server.stop();
    assert_ne!(new[0], old[0]);
    assert_eq!(new[1], old[1]);
    let graded: Vec<&String> = mine["grades"].as_object().unwrap().keys().collect();
    assert_eq!(
        graded,
        vec![&old[1]],
        "only the unchanged sample keeps its grade"
    );
}

#[test]
fn git_commit_commits_the_session_file_with_the_graders_name() {
    let fx = Fixture::new();
    let (problems, results) = scored(&fx);
    let repo = fx.path("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "--quiet"]);
    let grades = repo.join("grades");
    let env = [
        ("GIT_AUTHOR_NAME", "t"),
        ("GIT_AUTHOR_EMAIL", "t@example.invalid"),
        ("GIT_COMMITTER_NAME", "t"),
        ("GIT_COMMITTER_EMAIL", "t@example.invalid"),
    ];
    let server = Server::start_with(&problems, &results, &grades, "fay", &["--git-commit"], &env);
    let url = server.url.clone();
    runtime().block_on(async {
        let s = get(&format!("{url}/api/session")).await;
        let h = s["samples"][0]["sample"].as_str().unwrap().to_string();
        let client = reqwest::Client::new();
        assert_eq!(
            post(
                &client,
                &format!("{url}/api/grade"),
                json!({"sample": h, "scores": {"quality": 4}})
            )
            .await
            .0,
            200
        );
    });
    let rest = server.stop();
    assert!(rest.contains("committed"), "{rest}");
    let log = git(&["log", "--format=%s", "--name-only"]);
    assert!(
        log.starts_with("grades: fay's session, 1 grade events in fay-"),
        "{log}"
    );
    assert!(log.contains("grades/fay-"), "{log}");
    assert_eq!(
        git(&["status", "--porcelain", "--", "grades"]),
        "",
        "nothing left uncommitted"
    );
}

#[test]
fn a_token_guards_every_request_and_other_addresses_need_one() {
    let fx = Fixture::new();
    let (problems, results) = write_scored_stub(&fx);
    let grades = fx.path("grades");
    let server = Server::start_with(
        &problems,
        &results,
        &grades,
        "gus",
        &["--token", "s3cret"],
        &[],
    );
    let (base, query) = server
        .url
        .split_once("/?")
        .expect("the URL printed carries the token");
    assert_eq!(query, "token=s3cret");
    let base = base.to_string();
    runtime().block_on(async {
        let client = reqwest::Client::new();
        for path in ["/", "/assets/app.js", "/api/session"] {
            let r = client.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 401, "{path} without the token");
            let r = client
                .get(format!("{base}{path}?token=s3cret"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "{path} with the token");
            let r = client
                .get(format!("{base}{path}"))
                .header("x-assay-token", "s3cret")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "{path} with the header");
        }
        let r = client
            .post(format!("{base}/api/grade"))
            .json(&json!({"sample": "x", "scores": {"quality": 1}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
    });
    server.stop();
    assert!(
        grade_files(&grades).is_empty(),
        "nothing written without the token"
    );
    let err = run_err(
        assay()
            .args(["grade", "serve", "--results"])
            .arg(&results)
            .arg("--problems")
            .arg(&problems)
            .args(["--grader", "gus", "--bind", "0.0.0.0"]),
    );
    assert!(
        err.contains("--bind 0.0.0.0: serving beyond loopback needs --token"),
        "{err}"
    );
}

/// Results written by hand (no sandbox run): enough for what does not look at verdicts.
fn write_scored_stub(fx: &Fixture) -> (PathBuf, PathBuf) {
    let (problems, samples) = write_inputs(fx);
    let results = fx.path("results.jsonl");
    let rows: Vec<Value> = read_jsonl(&samples)
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            s["completion_id"] = json!(i);
            s["passed"] = json!(i % 2 == 0);
            s["status"] = json!(if i % 2 == 0 { "passed" } else { "failed" });
            s
        })
        .collect();
    write_jsonl(&results, &rows);
    (problems, results)
}
