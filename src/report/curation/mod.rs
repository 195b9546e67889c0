//! Renderers of a curation report: `report.md` for reading in a terminal or a pull request,
//! and a self-contained `report.html` (inline CSS and SVG charts, no script, no network).

pub(crate) mod charts;

use crate::curate::report::{CurationReport, EntryRecord, Stage};
use serde::Serialize;
use std::fmt::Write;

/// The HTML page's template; autoescaping is on because its name ends in `.html.j2`.
const TEMPLATE_NAME: &str = "report.html.j2";
const TEMPLATE: &str = include_str!("report.html.j2");

fn input_count(r: &CurationReport) -> usize {
    r.funnel.first().map(|s| s.count).unwrap_or(r.entries.len())
}

fn kept_count(r: &CurationReport) -> usize {
    r.funnel
        .last()
        .map(|s| s.count)
        .unwrap_or_else(|| r.entries.iter().filter(|e| e.kept).count())
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".to_string()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

fn wall(ms: Option<f64>) -> String {
    ms.map(|v| format!("{v:.1}"))
        .unwrap_or_else(|| "–".to_string())
}

/// One line of text for a Markdown table cell: HTML-significant characters become
/// entities (Markdown renders raw HTML, and entry text is untrusted), pipes are escaped
/// and line breaks folded so a cell cannot break its table, and `*`, `` ` ``, `[`, `]`
/// cannot start emphasis, code or links. (`_` is left alone: snake_case ids stay readable,
/// and CommonMark does not emphasize inside words.)
pub(crate) fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '`' => out.push_str("\\`"),
            '*' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        "–".to_string()
    } else {
        out
    }
}

/// Verdicts of one entry's tests in one short cell: `3/3 passed` or `2/3 passed`.
fn tests_summary(e: &EntryRecord) -> String {
    if e.tests.is_empty() {
        return "not run".to_string();
    }
    let passed = e
        .tests
        .iter()
        .filter(|t| !t.statuses.is_empty() && t.statuses.iter().all(|s| s.is_pass()))
        .count();
    format!("{passed}/{} passed", e.tests.len())
}

/// The first reason recorded for a stage, to show what its rejections look like.
fn example_reason(r: &CurationReport, stage: Stage) -> &str {
    r.entries
        .iter()
        .find(|e| !e.kept && e.stage == stage && !e.reason.is_empty())
        .map(|e| e.reason.as_str())
        .unwrap_or("")
}

fn timing_stats(timings: &[f64]) -> Option<(f64, f64, f64)> {
    let mut t: Vec<f64> = timings.iter().copied().filter(|v| v.is_finite()).collect();
    if t.is_empty() {
        return None;
    }
    t.sort_by(f64::total_cmp);
    let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
    Some((at(0.5), at(0.9), t[t.len() - 1]))
}

/// A Markdown table; a column name ending in `:` is right-aligned (the `:` is not shown).
fn md_table(out: &mut String, columns: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let names: Vec<&str> = columns.iter().map(|c| c.trim_end_matches(':')).collect();
    let align: Vec<&str> = columns
        .iter()
        .map(|c| if c.ends_with(':') { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |", names.join(" | "));
    let _ = writeln!(out, "|{}|", align.join("|"));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
}

/// `report.md`: run facts, the funnel, distributions and every entry's decision.
pub fn markdown(r: &CurationReport) -> String {
    let input = input_count(r);
    let mut out = String::new();
    let _ = writeln!(out, "# Curation report\n");
    let _ = writeln!(
        out,
        "{} of {} entries kept ({}), by {} on the `{}` sandbox, each reference run {} time(s), in {:.1} s.\n",
        kept_count(r),
        input,
        percent(kept_count(r), input),
        md_cell(&r.generated_by),
        md_cell(&r.backend),
        r.repeats,
        r.elapsed_secs
    );

    let _ = writeln!(out, "## Funnel\n");
    md_table(
        &mut out,
        &["stage", "entries:", "% of input:"],
        r.funnel.iter().map(|s| {
            vec![
                md_cell(&s.label),
                s.count.to_string(),
                percent(s.count, input),
            ]
        }),
    );

    if let Some(page) = strength_page(r) {
        let _ = writeln!(out, "\n## Test strength\n\n{}.\n", md_cell(&page.facts));
        md_table(
            &mut out,
            &[
                "id",
                "line coverage:",
                "branch coverage:",
                "mutation score:",
                "killed:",
                "stage",
            ],
            page.rows.iter().map(|row| {
                let mut cells = vec![md_cell(&row.name)];
                cells.extend(row.cells.iter().map(|c| md_cell(c)));
                cells
            }),
        );
    }

    let _ = writeln!(out, "\n## Domains\n");
    md_table(
        &mut out,
        &["domain", "input:", "kept:", "% kept:"],
        r.domains.iter().map(|d| {
            vec![
                md_cell(&d.domain),
                d.input.to_string(),
                d.kept.to_string(),
                percent(d.kept, d.input),
            ]
        }),
    );

    let _ = writeln!(out, "\n## Reference pass rate per test level\n");
    md_table(
        &mut out,
        &["level", "tests:", "passed:", "pass rate:"],
        r.levels.iter().map(|l| {
            vec![
                md_cell(&l.level),
                l.tests.to_string(),
                l.passed.to_string(),
                percent(l.passed, l.tests),
            ]
        }),
    );

    let _ = writeln!(out, "\n## Rejections by stage\n");
    md_table(
        &mut out,
        &["stage", "entries:", "% of input:", "example reason"],
        r.rejections.iter().map(|x| {
            vec![
                md_cell(x.stage.as_str()),
                x.count.to_string(),
                percent(x.count, input),
                md_cell(example_reason(r, x.stage)),
            ]
        }),
    );

    let _ = writeln!(out, "\n## Reference wall time\n");
    match timing_stats(&r.timings_ms) {
        Some((median, p90, max)) => {
            let _ = writeln!(
                out,
                "{} references: median {median:.1} ms, p90 {p90:.1} ms, max {max:.1} ms.\n",
                r.timings_ms.len()
            );
            let bins = charts::timing_bins(&r.timings_ms);
            md_table(
                &mut out,
                &["wall time (ms)", "references:"],
                bins.into_iter()
                    .map(|(label, count)| vec![label.to_string(), count.to_string()]),
            );
        }
        None => {
            let _ = writeln!(out, "No reference was executed.");
        }
    }

    let rejected: Vec<_> = r.entries.iter().filter(|e| !e.kept).collect();
    let _ = writeln!(out, "\n## Rejected entries ({})\n", rejected.len());
    if !rejected.is_empty() {
        md_table(
            &mut out,
            &["id", "domain", "origin", "stage", "reason"],
            rejected.iter().map(|e| {
                vec![
                    md_cell(&e.id),
                    md_cell(&e.domain),
                    md_cell(&e.origin),
                    md_cell(e.stage.as_str()),
                    md_cell(&e.reason),
                ]
            }),
        );
    }

    let kept: Vec<_> = r.entries.iter().filter(|e| e.kept).collect();
    let _ = writeln!(out, "\n## Kept entries ({})\n", kept.len());
    if !kept.is_empty() {
        md_table(
            &mut out,
            &["id", "domain", "origin", "tests", "wall ms:"],
            kept.iter().map(|e| {
                vec![
                    md_cell(&e.id),
                    md_cell(&e.domain),
                    md_cell(&e.origin),
                    tests_summary(e),
                    wall(e.wall_ms),
                ]
            }),
        );
    }
    out
}

/// What the HTML template sees: numbers already formatted, text still raw (the template
/// escapes it), charts as trusted SVG made here.
#[derive(Serialize)]
struct Page<'a> {
    r: &'a CurationReport,
    input: usize,
    kept: usize,
    kept_pct: String,
    elapsed: String,
    funnel: Vec<Row>,
    domains: Vec<Row>,
    levels: Vec<Row>,
    rejections: Vec<Row>,
    timing: Option<String>,
    rejected: Vec<EntryRow<'a>>,
    kept_entries: Vec<EntryRow<'a>>,
    charts: Charts,
    /// The strength stage, when it ran: a line of totals and one row per entry measured.
    strength: Option<StrengthPage>,
}

#[derive(Serialize)]
struct StrengthPage {
    facts: String,
    rows: Vec<Row>,
    charts: Vec<String>,
}

#[derive(Serialize)]
struct Row {
    name: String,
    cells: Vec<String>,
}

#[derive(Serialize)]
struct EntryRow<'a> {
    e: &'a EntryRecord,
    tests: String,
    wall: String,
    /// The static quality score, `—` when not scored.
    quality: String,
    failing: Vec<String>,
}

#[derive(Serialize)]
struct Charts {
    funnel: String,
    domains: String,
    levels: String,
    rejections: String,
    timings: String,
}

fn entry_row(e: &EntryRecord) -> EntryRow<'_> {
    let failing = e
        .tests
        .iter()
        .filter(|t| t.statuses.iter().any(|s| !s.is_pass()))
        .map(|t| {
            let statuses: Vec<&str> = t.statuses.iter().map(|s| s.as_str()).collect();
            format!("{} ({}): {}", t.name, t.level, statuses.join(", "))
        })
        .collect();
    EntryRow {
        e,
        tests: tests_summary(e),
        wall: wall(e.wall_ms),
        quality: e
            .quality
            .as_ref()
            .map_or("—".into(), |q| format!("{:.2}", q.score)),
        failing,
    }
}

fn page(r: &CurationReport) -> Page<'_> {
    let input = input_count(r);
    let kept = kept_count(r);
    Page {
        r,
        input,
        kept,
        kept_pct: percent(kept, input),
        elapsed: format!("{:.1} s", r.elapsed_secs),
        funnel: r
            .funnel
            .iter()
            .map(|s| Row {
                name: s.label.clone(),
                cells: vec![s.count.to_string(), percent(s.count, input)],
            })
            .collect(),
        domains: r
            .domains
            .iter()
            .map(|d| Row {
                name: d.domain.clone(),
                cells: vec![
                    d.input.to_string(),
                    d.kept.to_string(),
                    percent(d.kept, d.input),
                ],
            })
            .collect(),
        levels: r
            .levels
            .iter()
            .map(|l| Row {
                name: l.level.clone(),
                cells: vec![
                    l.tests.to_string(),
                    l.passed.to_string(),
                    percent(l.passed, l.tests),
                ],
            })
            .collect(),
        rejections: r
            .rejections
            .iter()
            .map(|x| Row {
                name: x.stage.to_string(),
                cells: vec![
                    x.count.to_string(),
                    percent(x.count, input),
                    example_reason(r, x.stage).to_string(),
                ],
            })
            .collect(),
        timing: timing_stats(&r.timings_ms).map(|(median, p90, max)| {
            format!(
                "{} references: median {median:.1} ms, p90 {p90:.1} ms, max {max:.1} ms",
                r.timings_ms.len()
            )
        }),
        rejected: r
            .entries
            .iter()
            .filter(|e| !e.kept)
            .map(entry_row)
            .collect(),
        kept_entries: r.entries.iter().filter(|e| e.kept).map(entry_row).collect(),
        strength: strength_page(r),
        charts: Charts {
            funnel: charts::funnel(r),
            domains: charts::domains(r),
            levels: charts::levels(r),
            rejections: charts::rejections(r),
            timings: charts::timings(r),
        },
    }
}

fn share(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", 100.0 * v))
}

fn strength_page(r: &CurationReport) -> Option<StrengthPage> {
    let s = r.strength.as_ref()?;
    let mut facts = format!(
        "{} entries measured in {:.1} s: {} of {} mutants killed (at most {} per entry); mean line coverage {}, branch coverage {}, mutation score {}",
        s.entries,
        s.elapsed_secs,
        s.killed,
        s.mutants,
        s.max_mutants,
        share(s.mean_line_coverage),
        share(s.mean_branch_coverage),
        share(s.mean_mutation_score)
    );
    for (flag, v) in [
        ("--min-coverage", s.min_coverage),
        ("--min-mutation-score", s.min_mutation_score),
    ] {
        if let Some(v) = v {
            facts.push_str(&format!("; {flag} {v}"));
        }
    }
    let rows = r
        .entries
        .iter()
        .filter_map(|e| Some((e, e.strength.as_ref()?)))
        .map(|(e, st)| Row {
            name: e.id.clone(),
            cells: vec![
                share(st.line_coverage),
                share(st.branch_coverage),
                share(st.mutation_score),
                format!("{}/{}", st.killed, st.mutants),
                if e.kept {
                    "kept".into()
                } else {
                    e.stage.to_string()
                },
            ],
        })
        .collect();
    Some(StrengthPage {
        facts,
        rows,
        charts: vec![
            charts::line_coverage(r),
            charts::branch_coverage(r),
            charts::mutation_score(r),
        ],
    })
}

/// `report.html`: one file with inline CSS and five inline SVG charts (eight with the
/// strength stage), readable offline.
pub fn html(r: &CurationReport) -> String {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // The template is part of the binary: a failure here is a bug caught by the tests.
    env.add_template(TEMPLATE_NAME, TEMPLATE)
        .expect("embedded report template parses");
    env.get_template(TEMPLATE_NAME)
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(page(r)))))
        .expect("embedded report template renders")
}

/// Writes `report.md` and `report.html` beside the `report.json` curation wrote.
pub fn write(dir: &std::path::Path, r: &CurationReport) -> crate::Result<()> {
    for (name, text) in [("report.md", markdown(r)), ("report.html", html(r))] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| crate::Error::Write { path, source })?;
    }
    Ok(())
}

/// The funnel as text, for the terminal.
pub fn text(r: &CurationReport) -> String {
    let input = r.funnel.first().map_or(0, |f| f.count).max(1);
    let inputs = r
        .funnel
        .iter()
        .find(|f| f.stage == crate::curate::report::Step::Input)
        .or(r.funnel.first());
    let mut out = format!(
        "curated {} inputs on the {} sandbox ({} repeats) in {:.1} s\n",
        inputs.map_or(0, |f| f.count),
        r.backend,
        r.repeats,
        r.elapsed_secs
    );
    for f in &r.funnel {
        out.push_str(&format!(
            "  {:<18} {:>6}  {:>5.1}%\n",
            f.label,
            f.count,
            100.0 * f.count as f64 / input as f64
        ));
    }
    if !r.rejections.is_empty() {
        let parts: Vec<String> = r
            .rejections
            .iter()
            .map(|x| format!("{} {}", x.stage, x.count))
            .collect();
        out.push_str(&format!("rejected by stage: {}\n", parts.join(", ")));
    }
    if let Some(page) = strength_page(r) {
        out.push_str(&format!("test strength: {}\n", page.facts));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curate::report::TestRecord;

    const HOSTILE: &str = "<script>alert(1)</script>";

    fn hostile() -> CurationReport {
        let mut r = CurationReport::example();
        r.entries.push(EntryRecord {
            id: HOSTILE.into(),
            domain: "nlp\" onload=\"x".into(),
            origin: "a&b.jsonl:1 | pipe".into(),
            kept: false,
            stage: Stage::Execution,
            reason: format!("failed: {HOSTILE} & 'quotes' \"too\"\nsecond line"),
            tests: vec![TestRecord {
                name: HOSTILE.into(),
                level: "normal".into(),
                statuses: vec![crate::sandbox::Status::Failed],
            }],
            wall_ms: Some(3.0),
            strength: None,
            quality: None,
        });
        r.entries.push(EntryRecord {
            id: format!("kept{HOSTILE}"),
            domain: "nlp".into(),
            origin: HOSTILE.into(),
            kept: true,
            stage: Stage::Kept,
            reason: String::new(),
            tests: vec![],
            wall_ms: None,
            strength: None,
            quality: None,
        });
        r
    }

    #[test]
    fn markdown_has_every_funnel_count_and_percentage() {
        let r = CurationReport::example();
        let md = markdown(&r);
        for s in &r.funnel {
            let row = format!("| {} | {} | {} |", s.label, s.count, percent(s.count, 9));
            assert!(md.contains(&row), "missing {row:?} in\n{md}");
        }
        assert!(md.contains("| ≥1 test passing | 5 | 55.6% |"), "{md}");
        assert!(md.contains("3 of 9 entries kept (33.3%)"), "{md}");
        assert!(md.contains("| edge_case | 9 | 7 | 77.8% |"), "{md}");
        assert!(md.contains("| flaky_timer | audio | mixed.jsonl:4 | flaky | verdicts differ"));
        assert!(
            md.contains("| tfidf_weights | nlp | skills/tfidf_weights.py | 1/1 passed | 15.5 |")
        );
        assert!(md.contains("| 10–20 | 3 |"), "{md}");
    }

    #[test]
    fn html_has_every_funnel_count_and_five_charts() {
        let r = CurationReport::example();
        let page = html(&r);
        for s in &r.funnel {
            let cell = format!("<td class=\"num\">{}</td>", s.count);
            assert!(page.contains(&cell), "missing {cell:?}");
        }
        assert_eq!(page.matches("<svg").count(), 5);
        assert!(page.starts_with("<!DOCTYPE html>"));
        // Nothing is fetched: no script, stylesheet or URL (the SVG namespace is a name only).
        let fetchable = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for banned in [
            "<script", "http://", "https://", "<link", "@import", "url(", "<img",
        ] {
            assert!(!fetchable.contains(banned), "page contains {banned}");
        }
    }

    #[test]
    fn hostile_text_is_escaped() {
        let r = hostile();
        let md = markdown(&r);
        assert!(!md.contains("<script"), "{md}");
        assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        // A newline or pipe in a reason cannot break the table row.
        assert!(md.contains("\"too\" second line |"), "{md}");
        assert!(md.contains("a&amp;b.jsonl:1 \\| pipe"));

        let page = html(&r);
        assert!(!page.contains("<script"), "raw script in html");
        assert!(!page.contains("onload=\""), "attribute injection in html");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
        assert!(!page.contains("a&b"));
        assert_eq!(page.matches("<svg").count(), 5);
    }

    #[test]
    fn output_is_deterministic() {
        let r = hostile();
        assert_eq!(html(&r), html(&r.clone()));
        assert_eq!(markdown(&r), markdown(&r.clone()));
    }

    #[test]
    fn empty_report_renders() {
        let mut r = CurationReport::example();
        r.funnel.clear();
        r.domains.clear();
        r.levels.clear();
        r.rejections.clear();
        r.timings_ms.clear();
        r.entries.clear();
        let page = html(&r);
        assert_eq!(page.matches("<svg").count(), 5);
        assert!(markdown(&r).contains("No reference was executed."));
    }
}
