//! The run report as Markdown for a pull-request comment: the headline numbers, the
//! change against the baseline, regressions, flaky tasks, slowest tests. GitHub refuses
//! comments over 65,536 characters: a longer report is cut at a line and says so.

use super::RunReport;
use crate::compare::Direction;
use crate::report::curation::md_cell;
use std::fmt::Write;

/// GitHub's limit on a comment body, in characters.
pub const LIMIT: usize = 65_536;

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.2}%", 100.0 * v))
}

pub fn markdown(r: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## assay: {}\n", md_cell(&r.name));
    if let Some(m) = &r.meta {
        let _ = writeln!(
            out,
            "{} run on the `{}` sandbox, {} samples of {} tasks, started {}, {:.1} s.\n",
            m.kind,
            m.backend.name,
            r.samples,
            r.tasks.len(),
            m.started,
            m.elapsed_secs
        );
    } else {
        let _ = writeln!(out, "{} samples of {} tasks.\n", r.samples, r.tasks.len());
    }
    if let Some(c) = &r.comparison {
        if c.mismatch_allowed {
            let _ = writeln!(
                out,
                "> **Mismatched runs** (`--allow-mismatch`): {}\n",
                md_cell(&c.mismatch.join("; "))
            );
        }
        let _ = writeln!(
            out,
            "| metric | baseline | current | delta | 95% CI |\n|---|---:|---:|---:|---:|"
        );
        for m in &c.pass_at_k {
            let ci = match (m.ci_low, m.ci_high) {
                (Some(lo), Some(hi)) => format!("[{:+.2}, {:+.2}] pts", 100.0 * lo, 100.0 * hi),
                _ => "–".into(),
            };
            let delta = m
                .delta
                .map_or("–".into(), |d| format!("{:+.2} pts", 100.0 * d));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {delta} | {ci} |",
                m.metric,
                pct(m.baseline),
                pct(m.current)
            );
        }
        let _ = writeln!(
            out,
            "\nPaired test: {} over {} tasks, p = {:.4}.\n",
            c.test.method.replace('_', " "),
            c.test.tasks,
            c.test.p_value
        );
        if !c.regressed_tasks.is_empty() {
            let _ = writeln!(out, "### Regressed tasks ({})\n", c.regressed_tasks.len());
            let _ = writeln!(
                out,
                "| task | sample | test | verdict | message |\n|---|---:|---|---|---|"
            );
            for f in c
                .flips
                .iter()
                .filter(|f| f.direction == Direction::PassToFail && !f.flaky)
            {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} → {} | {} |",
                    md_cell(&f.task_id),
                    f.completion_id,
                    md_cell(f.test.as_deref().unwrap_or("–")),
                    f.baseline,
                    f.current,
                    md_cell(&f.message.chars().take(200).collect::<String>())
                );
            }
            out.push('\n');
        }
        if !c.improved_tasks.is_empty() {
            let list: Vec<String> = c.improved_tasks.iter().map(|t| md_cell(t)).collect();
            let _ = writeln!(out, "**Fixed** ({}): {}\n", list.len(), list.join(", "));
        }
    } else {
        let _ = writeln!(out, "| metric | value |\n|---|---:|");
        for (k, v) in &r.pass_at_k {
            let _ = writeln!(out, "| {k} | {} |", pct(*v));
        }
        out.push('\n');
    }
    let mix: Vec<String> = r
        .by_status
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    let _ = writeln!(out, "Verdicts: {}.\n", mix.join(", "));
    if !r.flaky.is_empty() {
        let _ = writeln!(
            out,
            "### Flaky tasks ({}), not counted as regressions\n",
            r.flaky.len()
        );
        for f in &r.flaky {
            let _ = writeln!(out, "- `{}`: {}", md_cell(&f.task_id), md_cell(&f.reason));
        }
        out.push('\n');
    }
    if !r.slowest.is_empty() {
        let _ = writeln!(
            out,
            "### Slowest tests\n\n| task | test | ms | verdict |\n|---|---|---:|---|"
        );
        for s in &r.slowest {
            let _ = writeln!(
                out,
                "| {} | {} | {:.1} | {} |",
                md_cell(&s.task_id),
                md_cell(s.test.as_deref().unwrap_or("(whole execution)")),
                s.ms,
                s.status
            );
        }
        out.push('\n');
    }
    let failing: Vec<_> = r.tasks.iter().filter(|t| t.passed < t.n).collect();
    if !failing.is_empty() {
        let _ = writeln!(
            out,
            "### Failing tasks ({})\n\n| task | passed | first failure |\n|---|---:|---|",
            failing.len()
        );
        for t in failing {
            let why = t
                .failure
                .as_ref()
                .map(|(s, m)| format!("{s}: {}", m.chars().take(160).collect::<String>()))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {}/{} | {} |",
                md_cell(&t.task_id),
                t.passed,
                t.n,
                md_cell(&why)
            );
        }
    }
    truncate(out)
}

/// Cuts `text` at a line boundary so that it and a closing note fit in `LIMIT` characters.
pub fn truncate(text: String) -> String {
    let total = text.chars().count();
    if total <= LIMIT {
        return text;
    }
    let note = format!(
        "\n\n**… truncated**: this report has {total} characters, more than GitHub's {LIMIT}-character limit for a comment; the full report is in the HTML and JUnit files.\n"
    );
    let budget = LIMIT - note.chars().count();
    let cut = text
        .char_indices()
        .nth(budget)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    let head = head.rfind('\n').map_or(head, |i| &head[..i]);
    format!("{head}{note}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_report_is_cut_at_a_line_and_says_so() {
        let line = "| x | y |\n";
        let long = line.repeat(10_000);
        let cut = truncate(long.clone());
        assert!(cut.chars().count() <= LIMIT, "{}", cut.chars().count());
        assert!(cut.contains("truncated"));
        assert!(cut.contains(&format!("{} characters", long.chars().count())));
        let body = cut.split("\n\n**… truncated**").next().unwrap();
        assert!(body.lines().all(|l| l == "| x | y |"), "cut mid-line");
        assert_eq!(truncate("short\n".into()), "short\n");
        // Multi-byte characters count as one each.
        let wide = "é".repeat(LIMIT + 10);
        assert!(truncate(wide).chars().count() <= LIMIT);
    }

    #[test]
    fn the_example_fits_and_names_regressions() {
        let md = markdown(&RunReport::example());
        assert!(md.contains("Regressed tasks"), "{md}");
        assert!(md.contains("nlp/task_3"), "{md}");
        assert!(md.contains("&lt;b&gt;4&lt;/b&gt;"), "escaped: {md}");
    }
}
