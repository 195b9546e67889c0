//! The run report as one self-contained HTML page (template `run.html.j2`, autoescaped).

use super::{charts, RunReport};
use crate::compare::Direction;
use serde::Serialize;

const TEMPLATE_NAME: &str = "run.html.j2";
const TEMPLATE: &str = include_str!("run.html.j2");
/// Rows of the flips and failing-tasks tables before the rest is counted.
const ROWS: usize = 200;

#[derive(Serialize)]
struct Page {
    title: String,
    facts: Vec<String>,
    cards: Vec<(String, String)>,
    mismatch: Vec<String>,
    charts: Vec<(String, String)>,
    deltas: Vec<Vec<String>>,
    test: Option<String>,
    flips: Vec<Vec<String>>,
    flips_more: usize,
    flaky: Vec<(String, String)>,
    slowest: Vec<Vec<String>>,
    failing: Vec<Vec<String>>,
    failing_more: usize,
    shifts: Vec<Vec<String>>,
    generated_by: String,
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.2}%", 100.0 * v))
}

fn page(r: &RunReport) -> Page {
    let mut facts = Vec::new();
    if let Some(m) = &r.meta {
        facts.push(format!("{} run on the {} sandbox", m.kind, m.backend.name));
        facts.push(format!("started {}", m.started));
        facts.push(format!("{:.1} s", m.elapsed_secs));
        facts.push(format!(
            "--jobs {}, --timeout {} s",
            m.jobs, m.limits.timeout_secs
        ));
        if let Some(c) = &m.git_commit {
            facts.push(format!(
                "assay {} ({})",
                m.assay_version,
                &c[..c.len().min(10)]
            ));
        }
    }
    let scored: usize = r.tasks.iter().map(|t| t.n).sum();
    let passed: usize = r.tasks.iter().map(|t| t.passed).sum();
    let mut cards = vec![
        (pct(r.pass_at_1()), "pass@1".to_string()),
        (r.samples.to_string(), "samples".to_string()),
        (r.tasks.len().to_string(), "tasks".to_string()),
        (format!("{passed}/{scored}"), "samples passed".to_string()),
    ];
    let (mut deltas, mut test, mut flips, mut flips_more, mut mismatch, mut shifts) =
        (Vec::new(), None, Vec::new(), 0, Vec::new(), Vec::new());
    if let Some(c) = &r.comparison {
        if c.mismatch_allowed {
            mismatch = c.mismatch.clone();
        }
        for m in &c.pass_at_k {
            deltas.push(vec![
                m.metric.to_string(),
                pct(m.baseline),
                pct(m.current),
                m.delta
                    .map_or("–".into(), |d| format!("{:+.2} pts", 100.0 * d)),
                match (m.ci_low, m.ci_high) {
                    (Some(lo), Some(hi)) => format!("[{:+.2}, {:+.2}] pts", 100.0 * lo, 100.0 * hi),
                    _ => "–".into(),
                },
            ]);
        }
        test = Some(format!(
            "{} over {} tasks: p = {:.4}",
            c.test.method.replace('_', " "),
            c.test.tasks,
            c.test.p_value
        ));
        cards.push((
            c.regressed_tasks.len().to_string(),
            "regressed tasks".into(),
        ));
        let real: Vec<_> = c.flips.iter().filter(|f| !f.flaky).collect();
        flips_more = real.len().saturating_sub(ROWS);
        for f in real.into_iter().take(ROWS) {
            flips.push(vec![
                f.task_id.clone(),
                f.completion_id.to_string(),
                match f.direction {
                    Direction::PassToFail => "pass → fail".into(),
                    Direction::FailToPass => "fail → pass".into(),
                },
                f.test.clone().unwrap_or_else(|| "–".into()),
                format!("{} → {}", f.baseline, f.current),
                f.message.clone(),
            ]);
        }
        for s in c.status_shift.iter().filter(|s| s.baseline != s.current) {
            shifts.push(vec![
                s.status.clone(),
                s.baseline.to_string(),
                s.current.to_string(),
                format!("{:+.1} pts", s.delta_points),
            ]);
        }
    }
    let failing_all: Vec<_> = r.tasks.iter().filter(|t| t.passed < t.n).collect();
    let failing_more = failing_all.len().saturating_sub(ROWS);
    let failing = failing_all
        .into_iter()
        .take(ROWS)
        .map(|t| {
            let (status, msg) = t
                .failure
                .clone()
                .map_or(("–".to_string(), String::new()), |(s, m)| {
                    (s.to_string(), m)
                });
            vec![
                t.task_id.clone(),
                format!("{}/{}", t.passed, t.n),
                status,
                msg,
            ]
        })
        .collect();
    Page {
        title: format!("assay run report: {}", r.name),
        facts,
        cards,
        mismatch,
        charts: vec![
            (
                charts::pass_at_k(r),
                "pass@k of this run (unbiased estimator).".into(),
            ),
            (
                charts::levels(r),
                "Share of tests passed at each level.".into(),
            ),
            (
                charts::domains(r),
                "pass@1 per domain of the entries.".into(),
            ),
            (charts::statuses(r), "Samples per verdict.".into()),
            (
                charts::trend(r),
                "pass@1 of the --history runs, oldest to newest.".into(),
            ),
        ],
        deltas,
        test,
        flips,
        flips_more,
        flaky: r
            .flaky
            .iter()
            .map(|f| (f.task_id.clone(), f.reason.clone()))
            .collect(),
        slowest: r
            .slowest
            .iter()
            .map(|s| {
                vec![
                    s.task_id.clone(),
                    s.completion_id.to_string(),
                    s.test.clone().unwrap_or_else(|| "(whole execution)".into()),
                    format!("{:.1}", s.ms),
                    s.status.to_string(),
                ]
            })
            .collect(),
        failing,
        failing_more,
        shifts,
        generated_by: format!("assay {}", env!("CARGO_PKG_VERSION")),
    }
}

pub fn html(r: &RunReport) -> String {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // The template is part of the binary: a failure here is a bug caught by the tests.
    env.add_template(TEMPLATE_NAME, TEMPLATE)
        .and_then(|()| env.get_template(TEMPLATE_NAME))
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(page(r)))))
        .expect("embedded run report template renders")
}
