//! The consensus report: `report.json` (the agreement figures), `report.md` and a
//! self-contained `report.html` in the curation report's style (inline CSS, no script,
//! no network asset): graders, alpha overall and per dimension, kappa per pair, each
//! grader's bias, the items flagged for re-grading.

use super::consensus::{Agreement, Line};
use crate::report::curation::md_cell;
use serde::Serialize;
use std::path::Path;

const TEMPLATE: &str = include_str!("consensus.html.j2");

fn fmt(x: Option<f64>) -> String {
    x.map_or("n/a".to_string(), |v| format!("{v:.3}"))
}

#[derive(Serialize)]
struct Disputed {
    task_id: String,
    completion_id: usize,
    sample: String,
    dimensions: String,
    scores: String,
}

fn disputed(lines: &[Line]) -> Vec<Disputed> {
    lines
        .iter()
        .filter_map(|l| match l {
            Line::Grade(s) if s.disputed => Some(Disputed {
                task_id: s.task_id.clone(),
                completion_id: s.completion_id,
                sample: s.sample.clone(),
                dimensions: s.disputed_dimensions.join(", "),
                scores: s
                    .disputed_dimensions
                    .iter()
                    .map(|d| {
                        let st = &s.dimensions[d];
                        let each: Vec<String> =
                            st.scores.iter().map(|(g, v)| format!("{g} {v}")).collect();
                        format!("{d}: {} (spread {})", each.join(", "), st.spread)
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            }),
            Line::Pair(p) if p.disputed => Some(Disputed {
                task_id: p.task_id.clone(),
                completion_id: p.a.completion_id,
                sample: format!("{} vs {}", p.a.sample, p.b.sample),
                dimensions: "pair".into(),
                scores: format!("a {} · b {} · tie {}", p.a_wins, p.b_wins, p.ties),
            }),
            _ => None,
        })
        .collect()
}

pub(crate) fn markdown(a: &Agreement, lines: &[Line]) -> String {
    let mut out = String::new();
    out.push_str("# Grading consensus\n\n");
    out.push_str(&format!(
        "{} graders ({}) · {} samples graded · {} grades · {} pairs · {} flagged for re-grading (spread ≥ {})\n\n",
        a.graders.len(),
        a.graders.join(", "),
        a.samples,
        a.grades,
        a.pairs,
        a.disputed + a.disputed_pairs,
        a.threshold
    ));
    out.push_str("## Krippendorff's alpha (ordinal)\n\n| dimension | alpha |\n|---|---:|\n");
    out.push_str(&format!("| all | {} |\n", fmt(a.alpha)));
    for (d, v) in &a.alpha_by_dimension {
        out.push_str(&format!("| {} | {} |\n", md_cell(d), fmt(*v)));
    }
    out.push_str("\n## Cohen's kappa per pair of graders\n\n| graders | dimension | items | kappa | quadratic |\n|---|---|---:|---:|---:|\n");
    for k in &a.kappa {
        out.push_str(&format!(
            "| {} · {} | {} | {} | {} | {} |\n",
            md_cell(&k.a),
            md_cell(&k.b),
            md_cell(&k.dimension),
            k.items,
            fmt(k.kappa),
            fmt(k.kappa_quadratic)
        ));
    }
    out.push_str("\n## Bias against the consensus\n\nMean of the grader's score minus the consensus median, on samples with two or more graders.\n\n| grader | dimension | grades | items | mean difference |\n|---|---|---:|---:|---:|\n");
    for b in &a.bias {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            md_cell(&b.grader),
            md_cell(&b.dimension),
            b.grades,
            b.items,
            b.mean_difference
                .map_or("n/a".into(), |v| format!("{v:+.3}"))
        ));
    }
    let flagged = disputed(lines);
    out.push_str("\n## Flagged for re-grading\n\n");
    if flagged.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str(
            "| task | completion | sample | dimensions | scores |\n|---|---:|---|---|---|\n",
        );
        for f in &flagged {
            out.push_str(&format!(
                "| {} | {} | `{}` | {} | {} |\n",
                md_cell(&f.task_id),
                f.completion_id,
                f.sample,
                md_cell(&f.dimensions),
                md_cell(&f.scores)
            ));
        }
    }
    out
}

pub(crate) fn html(a: &Agreement, lines: &[Line]) -> String {
    #[derive(Serialize)]
    struct Page<'a> {
        a: &'a Agreement,
        alpha: String,
        alpha_by_dimension: Vec<(String, String)>,
        kappa: Vec<[String; 6]>,
        bias: Vec<[String; 5]>,
        disputed: Vec<Disputed>,
    }
    let page = Page {
        a,
        alpha: fmt(a.alpha),
        alpha_by_dimension: a
            .alpha_by_dimension
            .iter()
            .map(|(d, v)| (d.clone(), fmt(*v)))
            .collect(),
        kappa: a
            .kappa
            .iter()
            .map(|k| {
                [
                    k.a.clone(),
                    k.b.clone(),
                    k.dimension.clone(),
                    k.items.to_string(),
                    fmt(k.kappa),
                    fmt(k.kappa_quadratic),
                ]
            })
            .collect(),
        bias: a
            .bias
            .iter()
            .map(|b| {
                [
                    b.grader.clone(),
                    b.dimension.clone(),
                    b.grades.to_string(),
                    b.items.to_string(),
                    b.mean_difference
                        .map_or("n/a".into(), |v| format!("{v:+.3}")),
                ]
            })
            .collect(),
        disputed: disputed(lines),
    };
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("consensus.html", TEMPLATE)
        .expect("embedded consensus template parses");
    env.get_template("consensus.html")
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(&page))))
        .expect("embedded consensus template renders")
}

/// `report.json`, `report.md`, `report.html` in `dir`.
pub(crate) fn write(dir: &Path, a: &Agreement, lines: &[Line]) -> crate::Result<()> {
    crate::entry::write_json(&dir.join("report.json"), a)?;
    for (name, text) in [
        ("report.md", markdown(a, lines)),
        ("report.html", html(a, lines)),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| crate::Error::Write { path, source })?;
    }
    Ok(())
}
