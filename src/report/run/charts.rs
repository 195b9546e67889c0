//! The charts of a run report, drawn with plotters' SVG backend into strings (the bar
//! charts reuse the curation report's `Bars`; the trend is a line chart of its own).

use super::RunReport;
use crate::report::curation::charts::{
    caption_font, label_style, message_svg, svg, Area, Bars, Drawn, BLUE, GREEN, HEIGHT, LABEL,
    PURPLE, RED, WIDTH,
};
use plotters::prelude::*;

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

pub(crate) fn pass_at_k(r: &RunReport) -> String {
    let mut bars = Bars::new("pass@k", BLUE);
    bars.percent = true;
    bars.label_area = 48;
    // Bars as wide as a few ks would make them, even for pass@1 alone.
    bars.margin = match r.pass_at_k.len() {
        0 | 1 => 190,
        2 => 90,
        _ => 30,
    };
    for (k, v) in &r.pass_at_k {
        match v {
            Some(v) => bars.push(&k.to_string(), 100.0 * v, pct(*v)),
            None => bars.push(&k.to_string(), 0.0, "not computable".into()),
        }
    }
    bars.svg("no pass@k computed")
}

pub(crate) fn levels(r: &RunReport) -> String {
    let mut bars = Bars::new("Tests passed per level", PURPLE);
    bars.percent = true;
    bars.margin = 24;
    bars.label_area = 48;
    for l in &r.by_level {
        let rate = if l.tests == 0 {
            0.0
        } else {
            l.passed as f64 / l.tests as f64
        };
        bars.push(
            &l.level,
            100.0 * rate,
            format!("{} ({}/{})", pct(rate), l.passed, l.tests),
        );
    }
    bars.svg("no per-test verdicts")
}

pub(crate) fn domains(r: &RunReport) -> String {
    let mut bars = Bars::new("pass@1 per domain", GREEN);
    bars.percent = true;
    bars.margin = 10;
    bars.label_area = 48;
    for d in &r.by_domain {
        let v = d.pass_at_1.unwrap_or(0.0);
        bars.push(&d.domain, 100.0 * v, pct(v));
    }
    bars.svg("the problems have no domains")
}

pub(crate) fn statuses(r: &RunReport) -> String {
    let mut bars = Bars::new("Samples per verdict", RED);
    bars.horizontal = true;
    bars.margin = 6;
    bars.label_area = 120;
    for (s, n) in r.by_status.iter().rev() {
        bars.push(s.as_str(), *n as f64, n.to_string());
    }
    bars.svg("no samples")
}

/// pass@1 over the `--history` runs, oldest to newest.
pub(crate) fn trend(r: &RunReport) -> String {
    let title = "pass@1 over the history";
    let points: Vec<(usize, f64)> = r
        .history
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.pass_at_1.map(|v| (i, 100.0 * v)))
        .collect();
    if points.is_empty() {
        return message_svg(title, "no --history runs with a pass@1", (WIDTH, HEIGHT));
    }
    let data = (
        points,
        r.history
            .iter()
            .map(|p| p.started.chars().take(10).collect())
            .collect(),
    );
    svg(title, (WIDTH, HEIGHT), &data, draw_trend)
}

type Trend = (Vec<(usize, f64)>, Vec<String>);

fn draw_trend<'b>(root: &Area<'b>, data: &'b Trend) -> Drawn {
    let (points, labels) = data;
    let n = labels.len().max(2);
    let mut chart = ChartBuilder::on(root)
        .caption("pass@1 over the history", caption_font())
        .margin(16)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..105f64)?;
    let label_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 {
            labels.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .max_light_lines(1)
        .x_labels(n.min(8) + 1)
        .x_label_formatter(&label_of)
        .y_labels(6)
        .y_label_formatter(&|v: &f64| format!("{v:.0}%"))
        .x_label_style(label_style(LABEL))
        .y_label_style(label_style(LABEL))
        .draw()?;
    let line: Vec<(f64, f64)> = points.iter().map(|&(i, v)| (i as f64, v)).collect();
    chart.draw_series(LineSeries::new(line.clone(), BLUE.stroke_width(3)))?;
    chart.draw_series(line.iter().map(|&p| Circle::new(p, 6, BLUE.filled())))?;
    Ok(())
}
