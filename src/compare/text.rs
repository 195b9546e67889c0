//! A comparison for the terminal.

use super::{gate::GateResult, Comparison, Direction};
use std::fmt::Write;

/// Lines listed per section before "… and N more".
const LIST: usize = 25;

pub fn render(c: &Comparison, gate: Option<&GateResult>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "baseline: {}\ncurrent:  {}", c.baseline, c.current);
    if c.mismatch_allowed {
        let _ = writeln!(
            out,
            "MISMATCHED RUNS (--allow-mismatch): {}",
            c.mismatch.join("; ")
        );
    }
    for n in &c.notes {
        let _ = writeln!(out, "note: {n}");
    }
    let _ = writeln!(
        out,
        "{} paired tasks{}",
        c.paired_tasks,
        if c.same_samples {
            ", identical samples"
        } else {
            ""
        }
    );
    for m in &c.pass_at_k {
        match (m.baseline, m.current, m.delta) {
            (Some(b), Some(cur), Some(d)) => {
                let ci = match (m.ci_low, m.ci_high) {
                    (Some(lo), Some(hi)) => format!("  CI [{lo:+.4}, {hi:+.4}]"),
                    _ => String::new(),
                };
                let _ = writeln!(out, "  {:<9} {b:.4} -> {cur:.4}  ({d:+.4}){ci}", m.metric);
            }
            _ => {
                let _ = writeln!(out, "  {:<9} not computable on the paired tasks", m.metric);
            }
        }
    }
    let t = &c.test;
    let detail = match (t.pass_to_fail, t.fail_to_pass) {
        (Some(b), Some(f)) => format!(", {b} pass->fail, {f} fail->pass"),
        _ => t
            .resampling
            .map(|r| {
                format!(
                    ", {}",
                    serde_json::to_value(r).unwrap().as_str().unwrap_or("")
                )
            })
            .unwrap_or_default(),
    };
    let _ = writeln!(
        out,
        "paired test: {} over {} tasks{detail}: p = {:.4}",
        t.method, t.tasks, t.p_value
    );
    let section = |out: &mut String, title: &str, dir: Direction, flaky: bool| {
        let list: Vec<_> = c
            .flips
            .iter()
            .filter(|f| f.direction == dir && f.flaky == flaky)
            .collect();
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "{title} ({}):", list.len());
        for f in list.iter().take(LIST) {
            let test = f
                .test
                .as_deref()
                .map(|t| format!(" [{t}]"))
                .unwrap_or_default();
            let msg: String = f.message.chars().take(100).collect();
            let _ = writeln!(
                out,
                "  {} #{}{test}: {} -> {}  {msg}",
                f.task_id, f.completion_id, f.baseline, f.current
            );
        }
        if list.len() > LIST {
            let _ = writeln!(out, "  … and {} more (--format json)", list.len() - LIST);
        }
    };
    section(&mut out, "pass -> fail", Direction::PassToFail, false);
    section(&mut out, "fail -> pass", Direction::FailToPass, false);
    if !c.flaky.is_empty() {
        let _ = writeln!(out, "flaky tasks, not counted ({}):", c.flaky.len());
        for f in c.flaky.iter().take(LIST) {
            let _ = writeln!(out, "  {}: {}", f.task_id, f.reason);
        }
        if c.flaky.len() > LIST {
            let _ = writeln!(out, "  … and {} more", c.flaky.len() - LIST);
        }
    }
    let shifts: Vec<String> = c
        .status_shift
        .iter()
        .filter(|s| s.baseline != s.current)
        .map(|s| {
            format!(
                "{} {} -> {} ({:+.1} pts)",
                s.status, s.baseline, s.current, s.delta_points
            )
        })
        .collect();
    if !shifts.is_empty() {
        let _ = writeln!(out, "status mix: {}", shifts.join(", "));
    }
    let (b, cur) = (&c.timing.baseline, &c.timing.current);
    let _ = writeln!(
        out,
        "wall ms p50 {:.1} -> {:.1}, p90 {:.1} -> {:.1}",
        b.p50, cur.p50, b.p90, cur.p90
    );
    if !c.timing.slower_tasks.is_empty() {
        let _ = writeln!(out, "slower tasks ({}):", c.timing.slower_tasks.len());
        for s in c.timing.slower_tasks.iter().take(10) {
            let _ = writeln!(
                out,
                "  {}: {:.1} -> {:.1} ms ({:.1}x)",
                s.task_id, s.baseline_ms, s.current_ms, s.ratio
            );
        }
    }
    if let Some(g) = gate {
        if g.failed {
            for r in &g.reasons {
                let _ = writeln!(out, "REGRESSION: {r}");
            }
            let _ = writeln!(
                out,
                "caused by ({}): {}",
                g.culprits.len(),
                g.culprits.join(", ")
            );
        } else {
            let _ = writeln!(out, "no regression");
        }
    }
    out
}
