//! Reports of one run for CI — `assay report RUN [--baseline RUN] [--history DIR]`: a
//! self-contained HTML page (inline CSS and SVG charts, no script, no network asset), a
//! JUnit XML file (validated against the Jenkins xunit schema in `tests/schema/`), and
//! Markdown sized for a pull-request comment. All three render one `RunReport`.

mod charts;
mod html;
mod junit;
mod markdown;

pub use html::html;
pub use junit::junit;
pub use markdown::markdown;

use crate::compare::{Comparison, FlakyTask};
use crate::entry::Level;
use crate::record::history::Listed;
use crate::record::load::{Row, RunRecord};
use crate::record::summary::{DomainCount, LevelCount, Stability};
use crate::record::Meta;
use crate::sandbox::Status;
use crate::score::{passk, PassAt};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Rows of the slowest-tests table.
const SLOWEST: usize = 15;

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The run directory's or results file's name.
    pub name: String,
    pub meta: Option<Meta>,
    /// The benchmark's name (its file name), the JUnit suite's name.
    pub benchmark: String,
    pub samples: usize,
    pub pass_at_k: Vec<(PassAt, Option<f64>)>,
    pub by_status: Vec<(Status, usize)>,
    pub by_level: Vec<LevelCount>,
    pub by_domain: Vec<DomainCount>,
    pub tasks: Vec<TaskDetail>,
    pub slowest: Vec<Slow>,
    /// Flaky tasks: of the comparison, and samples unstable under `--retry-failed`.
    pub flaky: Vec<FlakyTask>,
    pub comparison: Option<Comparison>,
    /// The `--history` runs, oldest first.
    pub history: Vec<TrendPoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskDetail {
    pub task_id: String,
    /// Samples with a verdict on the code, and how many passed.
    pub n: usize,
    pub passed: usize,
    /// Samples kept out (sandbox errors) and unsupported ones.
    pub sandbox_errors: usize,
    pub unsupported: usize,
    pub wall_ms: f64,
    /// The first failing sample: its verdict and message.
    pub failure: Option<(Status, String)>,
    /// Per test, for native entries (several named tests): verdicts over the samples.
    pub tests: Vec<TestDetail>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestDetail {
    pub name: String,
    pub level: Level,
    pub runs: usize,
    pub passed: usize,
    pub failure: Option<(Status, String)>,
    pub duration_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Slow {
    pub task_id: String,
    pub completion_id: usize,
    /// The test, when per-test durations are known; else the whole execution.
    pub test: Option<String>,
    pub ms: f64,
    pub status: Status,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub name: String,
    pub started: String,
    pub pass_at_1: Option<f64>,
    pub commit: Option<String>,
}

impl RunReport {
    pub fn build(
        run: &RunRecord,
        comparison: Option<Comparison>,
        history: Vec<Listed>,
    ) -> RunReport {
        let rows = &run.rows;
        let ks: Vec<u64> = match &run.meta {
            Some(m) if !m.ks.is_empty() => m.ks.clone(),
            _ => vec![1],
        };
        let tasks = task_details(rows);
        let counts: Vec<(u64, u64)> = tasks
            .iter()
            .map(|t| (t.n as u64, t.passed as u64))
            .collect();
        let pass_at_k = ks
            .iter()
            .map(|&k| (PassAt(k), passk::mean_pass_at_k(&counts, k).ok()))
            .collect();
        let mut by_status: BTreeMap<Status, usize> = BTreeMap::new();
        for r in rows {
            *by_status.entry(r.status()).or_insert(0) += 1;
        }
        let by_level = LevelCount::tally(
            rows.iter()
                .filter(|r| r.scored())
                .flat_map(|r| r.tests.iter().map(|t| (t.level, t.status.is_pass()))),
        );
        let mut flaky: Vec<FlakyTask> = comparison
            .as_ref()
            .map(|c| c.flaky.clone())
            .unwrap_or_default();
        for r in rows {
            if let Some(s @ (Stability::Unstable | Stability::LoadSensitive)) = r.stability {
                if !flaky.iter().any(|f| f.task_id == r.task_id) {
                    flaky.push(FlakyTask {
                        task_id: r.task_id.clone(),
                        reason: format!(
                            "sample #{} {} under --retry-failed",
                            r.completion_id.unwrap_or(0),
                            s.as_str()
                        ),
                    });
                }
            }
        }
        let mut history: Vec<TrendPoint> = history
            .iter()
            .map(|l| TrendPoint {
                name: l
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                started: l.meta.started.clone(),
                pass_at_1: l.pass_at(1),
                commit: l.meta.git_commit.clone(),
            })
            .collect();
        history.reverse(); // scan lists newest first; a trend reads left to right
        let benchmark = run
            .meta
            .as_ref()
            .map(|m| {
                std::path::Path::new(&m.benchmark.path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| m.benchmark.path.clone())
            })
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| "benchmark".to_string());
        RunReport {
            name: run.name(),
            meta: run.meta.clone(),
            benchmark,
            samples: rows.len(),
            pass_at_k,
            by_status: by_status.into_iter().collect(),
            by_level,
            by_domain: run
                .summary
                .as_ref()
                .map(|s| s.by_domain.clone())
                .unwrap_or_default(),
            slowest: slowest(rows),
            tasks,
            flaky,
            comparison,
            history,
        }
    }

    pub fn pass_at_1(&self) -> Option<f64> {
        self.pass_at_k
            .iter()
            .find(|(k, _)| *k == PassAt(1))
            .and_then(|(_, v)| *v)
    }

    /// An example with every section filled, for tests and the browser check.
    pub fn example() -> RunReport {
        let row = |task: &str, id: usize, status: &str, tests: serde_json::Value, wall: f64| {
            let v = serde_json::json!({
                "task_id": task, "completion_id": id, "passed": status == "passed",
                "status": status, "message": if status == "passed" { "" } else { "AssertionError: expected 3, got <b>4</b>" },
                "tests": tests, "wall_ms": wall, "completion": format!("return {id}"),
            });
            serde_json::from_value::<Row>(v).expect("example row")
        };
        let t = |name: &str, level: &str, status: &str, ms: f64| serde_json::json!({"name": name, "level": level, "status": status, "duration_ms": ms});
        let mut rows = Vec::new();
        for i in 0..12 {
            let task = format!("nlp/task_{i}");
            let ok = if i % 4 == 3 { "failed" } else { "passed" };
            let tests = serde_json::json!([
                t("test_normal_basic", "normal", "passed", 10.0 + i as f64),
                t("test_edge_case_empty", "edge_case", ok, 4.0),
                t(
                    "test_correctness_known",
                    "correctness",
                    if i == 5 { "error" } else { "passed" },
                    120.0 * i as f64
                ),
            ]);
            let status = if ok == "passed" && i != 5 {
                "passed"
            } else if i == 5 {
                "error"
            } else {
                "failed"
            };
            rows.push(row(&task, 0, status, tests, 150.0 + 100.0 * i as f64));
        }
        rows.push(row("nlp/slow", 0, "timeout", serde_json::json!([]), 3000.0));
        let run = RunRecord {
            path: "runs/nightly-2026-12-02".into(),
            meta: None,
            summary: None,
            rows: rows.clone(),
        };
        let mut base_rows = rows;
        // Tasks 0-3 passed yesterday with other code (regressions); task 7 passed with the
        // same code (flaky).
        for (i, r) in base_rows
            .iter_mut()
            .enumerate()
            .filter(|(i, _)| *i < 4 || *i == 7)
        {
            if i < 4 {
                r.completion = Some("return yesterday".into());
            }
            r.passed = true;
            r.status = Some(Status::Passed);
            r.tests.iter_mut().for_each(|t| t.status = Status::Passed);
        }
        let base = RunRecord {
            path: "runs/nightly-2026-12-01".into(),
            meta: None,
            summary: None,
            rows: base_rows,
        };
        let comparison = crate::compare::compare(&base, &run, &Default::default()).ok();
        let mut r = RunReport::build(&run, comparison, Vec::new());
        r.by_domain = vec![
            DomainCount {
                domain: "nlp".into(),
                tasks: 8,
                samples: 8,
                passed: 6,
                pass_at_1: Some(0.75),
            },
            DomainCount {
                domain: "tabular".into(),
                tasks: 5,
                samples: 5,
                passed: 4,
                pass_at_1: Some(0.8),
            },
        ];
        r.history = (1..=6)
            .map(|d| TrendPoint {
                name: format!("nightly-2026-11-{:02}", 23 + d),
                started: format!("2026-11-{:02}T02:00:00Z", 23 + d),
                pass_at_1: Some(0.55 + 0.04 * d as f64 - if d == 4 { 0.1 } else { 0.0 }),
                commit: Some(format!("{d:07x}")),
            })
            .collect();
        r
    }
}

fn task_details(rows: &[Row]) -> Vec<TaskDetail> {
    let mut order: Vec<&str> = Vec::new();
    let mut by: HashMap<&str, Vec<&Row>> = HashMap::new();
    for r in rows {
        by.entry(r.task_id.as_str())
            .or_insert_with(|| {
                order.push(r.task_id.as_str());
                Vec::new()
            })
            .push(r);
    }
    order
        .into_iter()
        .map(|task| {
            let rs = &by[task];
            let scored: Vec<&&Row> = rs.iter().filter(|r| r.scored()).collect();
            let failure = scored
                .iter()
                .find(|r| !r.passed)
                .map(|r| (r.status(), r.why()));
            // Native entries: several named tests; HumanEval has one `check`.
            let native = rs
                .iter()
                .any(|r| r.tests.len() > 1 || r.tests.iter().any(|t| t.name != "check"));
            let mut tests: Vec<TestDetail> = Vec::new();
            if native {
                for r in &scored {
                    for t in &r.tests {
                        let i = match tests.iter().position(|x| x.name == t.name) {
                            Some(i) => i,
                            None => {
                                tests.push(TestDetail {
                                    name: t.name.clone(),
                                    level: t.level,
                                    runs: 0,
                                    passed: 0,
                                    failure: None,
                                    duration_ms: 0.0,
                                });
                                tests.len() - 1
                            }
                        };
                        let d = &mut tests[i];
                        d.runs += 1;
                        d.passed += usize::from(t.status.is_pass());
                        d.duration_ms += t.duration_ms.unwrap_or(0.0);
                        if !t.status.is_pass() && d.failure.is_none() {
                            let msg = if t.message.is_empty() {
                                r.why()
                            } else {
                                t.message.clone()
                            };
                            d.failure = Some((t.status, msg));
                        }
                    }
                }
            }
            TaskDetail {
                task_id: task.to_string(),
                n: scored.len(),
                passed: scored.iter().filter(|r| r.passed).count(),
                sandbox_errors: rs
                    .iter()
                    .filter(|r| r.status() == Status::SandboxError)
                    .count(),
                unsupported: rs
                    .iter()
                    .filter(|r| r.status() == Status::Unsupported)
                    .count(),
                wall_ms: rs.iter().filter_map(|r| r.wall_ms).sum(),
                failure,
                tests,
            }
        })
        .collect()
}

fn slowest(rows: &[Row]) -> Vec<Slow> {
    let mut all: Vec<Slow> = Vec::new();
    for r in rows {
        let timed: Vec<_> = r.tests.iter().filter(|t| t.duration_ms.is_some()).collect();
        if timed.is_empty() {
            if let Some(ms) = r.wall_ms {
                all.push(Slow {
                    task_id: r.task_id.clone(),
                    completion_id: r.completion_id.unwrap_or(0),
                    test: None,
                    ms,
                    status: r.status(),
                });
            }
        } else {
            for t in timed {
                all.push(Slow {
                    task_id: r.task_id.clone(),
                    completion_id: r.completion_id.unwrap_or(0),
                    test: Some(t.name.clone()),
                    ms: t.duration_ms.unwrap_or(0.0),
                    status: t.status,
                });
            }
        }
    }
    // Only the top few are kept: a partial sort, not a sort of every test.
    let n = SLOWEST.min(all.len());
    if n == 0 {
        return all;
    }
    all.select_nth_unstable_by(n - 1, |a, b| b.ms.total_cmp(&a.ms));
    all.truncate(n);
    all.sort_by(|a, b| b.ms.total_cmp(&a.ms).then(a.task_id.cmp(&b.task_id)));
    all
}
