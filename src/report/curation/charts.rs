//! The five charts of `report.html`, drawn with plotters' SVG backend into strings.
//!
//! plotters' SVG backend writes text as `<text>` elements and, without its `ttf` feature,
//! only estimates label widths, so no system font is read at render time: the browser
//! lays the text out. Every chart returns one `<svg>` element, even when it has no data
//! or drawing fails (then the SVG says so), so the page always has its five charts.

use crate::curate::report::{CurationReport, DomainCount};
use plotters::coord::ranged1d::{IntoSegmentedCoord, SegmentValue};
use plotters::coord::types::RangedSlice;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(crate) type Drawn = Result<(), Box<dyn std::error::Error>>;

pub(crate) const WIDTH: u32 = 560;
pub(crate) const HEIGHT: u32 = 320;
pub(crate) const FONT: &str = "sans-serif";
/// plotters writes `font-size` as the given size / 1.24: these are about 19, 13 and 13 px.
pub(crate) const CAPTION: u32 = 24;
pub(crate) const LABEL: u32 = 16;
const NOTE: u32 = 16;

pub(crate) const BLUE: RGBColor = RGBColor(0x4c, 0x78, 0xa8);
pub(crate) const GREEN: RGBColor = RGBColor(0x54, 0xa2, 0x4b);
pub(crate) const GREY: RGBColor = RGBColor(0xa0, 0xa9, 0xb8);
pub(crate) const RED: RGBColor = RGBColor(0xe4, 0x57, 0x56);
pub(crate) const PURPLE: RGBColor = RGBColor(0x7a, 0x5c, 0xa8);
pub(crate) const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);

pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Draws one chart into an SVG string; a drawing error becomes a small SVG that names it.
pub(crate) fn svg<T>(
    title: &str,
    size: (u32, u32),
    data: &T,
    draw: for<'b> fn(&Area<'b>, &'b T) -> Drawn,
) -> String {
    let mut buf = String::new();
    match render(&mut buf, size, data, draw) {
        Ok(()) => buf,
        Err(e) => message_svg(title, &format!("chart could not be drawn: {e}"), size),
    }
}

/// plotters' chart borrows the buffer and the data for one lifetime `'b`.
fn render<'b, T>(
    buf: &'b mut String,
    size: (u32, u32),
    data: &'b T,
    draw: fn(&Area<'b>, &'b T) -> Drawn,
) -> Drawn {
    let root = SVGBackend::with_string(buf, size).into_drawing_area();
    root.fill(&WHITE)?;
    draw(&root, data)?;
    root.present()?;
    Ok(())
}

/// A chart with nothing to plot still shows a box with a message, not an empty hole.
pub(crate) fn message_svg(title: &str, message: &str, size: (u32, u32)) -> String {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        let _ = root.fill(&WHITE);
        let style = TextStyle::from((FONT, 20).into_font())
            .color(&INK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let (w, h) = (size.0 as i32, size.1 as i32);
        let _ = root.draw(&Text::new(
            title.to_string(),
            (w / 2, h / 2 - 14),
            style.clone(),
        ));
        let _ = root.draw(&Text::new(message.to_string(), (w / 2, h / 2 + 14), style));
        let _ = root.present();
    }
    buf
}

pub(crate) fn caption_font() -> FontDesc<'static> {
    (FONT, CAPTION).into_font()
}

pub(crate) fn label_style(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&INK)
}

/// A value axis that leaves headroom for the labels drawn past the bars' ends.
fn axis_max(max: f64) -> f64 {
    if max <= 0.0 {
        1.0
    } else {
        max * 1.18
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".to_string()
    } else {
        format!("{:.0}%", 100.0 * part as f64 / whole as f64)
    }
}

fn category(v: &SegmentValue<&String>) -> String {
    match v {
        SegmentValue::CenterOf(s) | SegmentValue::Exact(s) => (*s).clone(),
        SegmentValue::Last => String::new(),
    }
}

/// One series of bars over named categories, with a note drawn at each bar's end.
pub(crate) struct Bars {
    pub(crate) title: &'static str,
    pub(crate) labels: Vec<String>,
    pub(crate) values: Vec<f64>,
    pub(crate) notes: Vec<String>,
    pub(crate) colour: RGBColor,
    /// Bars grow to the right, categories top to bottom (the funnel).
    pub(crate) horizontal: bool,
    /// Values are percentages: a fixed 0–100 axis labelled with `%`.
    pub(crate) percent: bool,
    /// Pixels left empty on each side of a bar.
    pub(crate) margin: u32,
    pub(crate) x_desc: Option<&'static str>,
    pub(crate) label_area: u32,
}

impl Bars {
    pub(crate) fn new(title: &'static str, colour: RGBColor) -> Self {
        Bars {
            title,
            labels: Vec::new(),
            values: Vec::new(),
            notes: Vec::new(),
            colour,
            horizontal: false,
            percent: false,
            margin: 14,
            x_desc: None,
            label_area: 40,
        }
    }

    pub(crate) fn push(&mut self, label: &str, value: f64, note: String) {
        self.labels.push(label.to_string());
        self.values.push(value);
        self.notes.push(note);
    }

    pub(crate) fn svg(&self, empty: &str) -> String {
        if self.labels.is_empty() {
            return message_svg(self.title, empty, (WIDTH, HEIGHT));
        }
        let draw = if self.horizontal {
            draw_horizontal
        } else {
            draw_vertical
        };
        svg(self.title, (WIDTH, HEIGHT), self, draw)
    }

    fn value_max(&self) -> f64 {
        if self.percent {
            115.0
        } else {
            axis_max(self.values.iter().copied().fold(0.0, f64::max))
        }
    }
}

/// Labels of a count axis: integers only (plotters may pick fractional ticks).
fn count_label(v: &f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

/// How many ticks a count axis asks for: one per integer up to a handful.
fn count_ticks(max: f64) -> usize {
    (max as usize + 1).clamp(2, 6)
}

fn draw_vertical<'b>(root: &Area<'b>, b: &'b Bars) -> Drawn {
    let cats: RangedSlice<String> = b.labels[..].into();
    let mut chart = ChartBuilder::on(root)
        .caption(b.title, caption_font())
        .margin(12)
        .x_label_area_size(if b.x_desc.is_some() { 48 } else { 32 })
        .y_label_area_size(b.label_area)
        .build_cartesian_2d(cats.into_segmented(), 0f64..b.value_max())?;
    let percent = b.percent;
    let y_format = move |v: &f64| match (percent, *v <= 100.0) {
        (true, true) => format!("{v:.0}%"),
        (true, false) => String::new(),
        (false, _) => count_label(v),
    };
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .max_light_lines(1)
        .x_labels(b.labels.len())
        .x_label_style(label_style(LABEL))
        .y_label_style(label_style(LABEL))
        .y_label_formatter(&y_format)
        .x_label_formatter(&category)
        .y_labels(if percent {
            7
        } else {
            count_ticks(b.value_max())
        });
    if let Some(desc) = b.x_desc {
        mesh.x_desc(desc).axis_desc_style(label_style(LABEL));
    }
    mesh.draw()?;
    // Bars in pixels, in input order (plotters' Histogram iterates a HashMap: the output
    // would change from run to run).
    let (xs, _) = chart.plotting_area().get_pixel_range();
    let half = ((xs.end - xs.start) / b.labels.len().max(1) as i32 / 2 - b.margin as i32).max(2);
    let base = chart
        .backend_coord(&(SegmentValue::CenterOf(&b.labels[0]), 0.0))
        .1;
    for ((l, v), note) in b.labels.iter().zip(&b.values).zip(&b.notes) {
        let (x, y) = chart.backend_coord(&(SegmentValue::CenterOf(l), *v));
        root.draw(&Rectangle::new(
            [(x - half, y), (x + half, base)],
            b.colour.filled(),
        ))?;
        let style = label_style(NOTE).pos(Pos::new(HPos::Center, VPos::Bottom));
        root.draw(&Text::new(note.clone(), (x, y - 3), style))?;
    }
    Ok(())
}

fn draw_horizontal<'b>(root: &Area<'b>, b: &'b Bars) -> Drawn {
    let cats: RangedSlice<String> = b.labels[..].into();
    let mut chart = ChartBuilder::on(root)
        .caption(b.title, caption_font())
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(b.label_area)
        .build_cartesian_2d(0f64..b.value_max(), cats.into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .max_light_lines(1)
        .y_labels(b.labels.len())
        .x_labels(count_ticks(b.value_max()))
        .y_label_style(label_style(LABEL))
        .x_label_style(label_style(LABEL))
        .x_label_formatter(&count_label)
        .y_label_formatter(&category)
        .draw()?;
    let (_, ys) = chart.plotting_area().get_pixel_range();
    let half = ((ys.end - ys.start) / b.labels.len().max(1) as i32 / 2 - b.margin as i32).max(2);
    let base = chart
        .backend_coord(&(0.0, SegmentValue::CenterOf(&b.labels[0])))
        .0;
    for ((l, v), note) in b.labels.iter().zip(&b.values).zip(&b.notes) {
        let (x, y) = chart.backend_coord(&(*v, SegmentValue::CenterOf(l)));
        root.draw(&Rectangle::new(
            [(base, y - half), (x, y + half)],
            b.colour.filled(),
        ))?;
        let style = label_style(NOTE).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(note.clone(), (x + 6, y), style))?;
    }
    Ok(())
}

/// The funnel: one horizontal bar per stage, top to bottom, with count and % of input.
pub(crate) fn funnel(r: &CurationReport) -> String {
    let mut bars = Bars::new("Curation funnel", BLUE);
    bars.horizontal = true;
    bars.margin = 6;
    bars.label_area = 130;
    let input = r.funnel.first().map(|s| s.count).unwrap_or(0);
    // plotters puts the first category at the bottom: reverse so the funnel reads downwards.
    for s in r.funnel.iter().rev() {
        bars.push(
            &s.label,
            s.count as f64,
            format!("{} ({})", s.count, percent(s.count, input)),
        );
    }
    bars.svg("no funnel recorded")
}

/// Per-level pass rates of the reference tests, as percentages.
pub(crate) fn levels(r: &CurationReport) -> String {
    let mut bars = Bars::new("Reference pass rate per test level", PURPLE);
    bars.percent = true;
    bars.margin = 24;
    bars.label_area = 48;
    for l in &r.levels {
        let (rate, note) = if l.tests == 0 {
            (0.0, "no tests".to_string())
        } else {
            let rate = 100.0 * l.passed as f64 / l.tests as f64;
            (rate, format!("{rate:.1}% ({}/{})", l.passed, l.tests))
        };
        bars.push(&l.level, rate, note);
    }
    bars.svg("no tests were executed")
}

/// How many entries each stage rejected.
pub(crate) fn rejections(r: &CurationReport) -> String {
    let mut bars = Bars::new("Rejections by stage", RED);
    bars.horizontal = true;
    bars.margin = 6;
    bars.label_area = 110;
    for x in r.rejections.iter().rev() {
        bars.push(x.stage.as_str(), x.count as f64, x.count.to_string());
    }
    bars.svg("nothing was rejected")
}

/// Histogram of the references' wall times.
pub(crate) fn timings(r: &CurationReport) -> String {
    let mut bars = Bars::new("Reference wall time (ms)", BLUE);
    bars.margin = 8;
    bars.x_desc = Some("milliseconds, 1-2-5 bins");
    for (label, count) in timing_bins(&r.timings_ms) {
        let note = if count > 0 {
            count.to_string()
        } else {
            String::new()
        };
        bars.push(&label, count as f64, note);
    }
    bars.svg("no reference was executed")
}

/// The ten bins of a share in [0, 1]: `0–10%` … `90–100%` (1.0 goes in the last).
pub(crate) fn share_bins(values: &[f64]) -> Vec<(String, usize)> {
    let mut counts = [0usize; 10];
    for &v in values.iter().filter(|v| v.is_finite()) {
        counts[((v.clamp(0.0, 1.0) * 10.0) as usize).min(9)] += 1;
    }
    counts
        .iter()
        .enumerate()
        .map(|(i, &c)| (format!("{}–{}%", i * 10, i * 10 + 10), c))
        .collect()
}

/// A histogram of one strength figure over the measured entries.
fn share_histogram(
    r: &CurationReport,
    title: &'static str,
    colour: RGBColor,
    figure: fn(&crate::strength::Strength) -> Option<f64>,
) -> String {
    let values: Vec<f64> = r
        .entries
        .iter()
        .filter_map(|e| e.strength.as_ref())
        .filter_map(figure)
        .collect();
    let mut bars = Bars::new(title, colour);
    bars.margin = 6;
    bars.x_desc = Some("share of the reference, entries per 10% bin");
    if !values.is_empty() {
        for (label, count) in share_bins(&values) {
            let note = if count > 0 {
                count.to_string()
            } else {
                String::new()
            };
            bars.push(&label, count as f64, note);
        }
    }
    bars.svg("no entry was measured")
}

/// Line coverage of the references by their tests, over the entries measured.
pub(crate) fn line_coverage(r: &CurationReport) -> String {
    share_histogram(r, "Line coverage (entries)", BLUE, |s| s.line_coverage)
}

/// Branch coverage, likewise.
pub(crate) fn branch_coverage(r: &CurationReport) -> String {
    share_histogram(r, "Branch coverage (entries)", PURPLE, |s| {
        s.branch_coverage
    })
}

/// Mutation score (mutants killed by the tests), likewise.
pub(crate) fn mutation_score(r: &CurationReport) -> String {
    share_histogram(r, "Mutation score (entries)", GREEN, |s| s.mutation_score)
}

/// Domains: input and kept entries side by side per domain, as horizontal bars so long
/// domain names stay readable; the chart grows with the number of domains.
pub(crate) fn domains(r: &CurationReport) -> String {
    let title = "Entries per domain";
    if r.domains.is_empty() {
        return message_svg(title, "no domains recorded", (WIDTH, HEIGHT));
    }
    // plotters puts the first category at the bottom: reverse so the table order reads down.
    let rows: Vec<&DomainCount> = r.domains.iter().rev().collect();
    let data = (
        rows.iter().map(|d| d.domain.clone()).collect::<Vec<_>>(),
        rows,
    );
    let height = HEIGHT.max(100 + 40 * r.domains.len() as u32);
    svg(title, (WIDTH, height), &data, draw_domains)
}

type DomainRows<'a> = (Vec<String>, Vec<&'a DomainCount>);

fn draw_domains<'b, 'r>(root: &Area<'b>, data: &'b DomainRows<'r>) -> Drawn {
    let (labels, domains) = (&data.0, &data.1);
    let max = domains
        .iter()
        .map(|d| d.input.max(d.kept))
        .max()
        .unwrap_or(0) as f64;
    let cats: RangedSlice<String> = labels[..].into();
    let mut chart = ChartBuilder::on(root)
        .caption("Entries per domain", caption_font())
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(150)
        .build_cartesian_2d(0f64..axis_max(max), cats.into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .max_light_lines(1)
        .y_labels(labels.len())
        .x_labels(count_ticks(axis_max(max)))
        .y_label_style(label_style(LABEL))
        .x_label_style(label_style(LABEL))
        .x_label_formatter(&count_label)
        .y_label_formatter(&category)
        .draw()?;
    // Two bars per domain, above and below its centre line, in pixels and in input order.
    let (_, ys) = chart.plotting_area().get_pixel_range();
    let bar = ((ys.end - ys.start) / labels.len().max(1) as i32 * 2 / 5).clamp(3, 16);
    let base = chart
        .backend_coord(&(0.0, SegmentValue::CenterOf(&labels[0])))
        .0;
    type Pick = fn(&DomainCount) -> usize;
    let series: [(&str, RGBColor, i32, Pick); 2] = [
        ("input", GREY, -bar, |d| d.input),
        ("kept", GREEN, 0, |d| d.kept),
    ];
    for (l, d) in labels.iter().zip(domains) {
        for (_, colour, offset, pick) in series {
            let value = pick(d);
            let (x, y) = chart.backend_coord(&(value as f64, SegmentValue::CenterOf(l)));
            let (top, bottom) = (y + offset, y + offset + bar);
            root.draw(&Rectangle::new([(base, top), (x, bottom)], colour.filled()))?;
            let style = label_style(LABEL).pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(
                value.to_string(),
                (x + 4, (top + bottom) / 2),
                style,
            ))?;
        }
    }
    // The legend sits on the caption's line, right of it, where no bar can reach.
    let mut x = WIDTH as i32 - 140;
    for (name, colour, _, _) in series {
        root.draw(&Rectangle::new([(x, 18), (x + 12, 30)], colour.filled()))?;
        let style = label_style(LABEL).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(name.to_string(), (x + 17, 24), style))?;
        x += 65;
    }
    Ok(())
}

/// Bin edges in ms on a 1-2-5 scale: readable labels and roughly logarithmic widths,
/// so 10 ms and 2 s references both land in informative bins.
fn edges() -> Vec<f64> {
    let mut out = vec![0.0];
    let mut decade = 1.0;
    while decade <= 1e7 {
        for m in [1.0, 2.0, 5.0] {
            out.push(m * decade);
        }
        decade *= 10.0;
    }
    out
}

fn ms_label(v: f64) -> String {
    if v >= 1000.0 {
        format!("{}s", v / 1000.0)
    } else {
        format!("{v}")
    }
}

/// The histogram bins `[lo, hi)` from the first to the last occupied one, with counts.
pub(crate) fn timing_bins(timings: &[f64]) -> Vec<(String, usize)> {
    let edges = edges();
    let mut counts = vec![0usize; edges.len()];
    for &t in timings.iter().filter(|t| t.is_finite() && **t >= 0.0) {
        // The last bin is open-ended.
        let i = edges.iter().rposition(|&e| t >= e).unwrap_or(0);
        counts[i] += 1;
    }
    let first = counts.iter().position(|&c| c > 0);
    let last = counts.iter().rposition(|&c| c > 0);
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    (first..=last)
        .map(|i| {
            let label = match edges.get(i + 1) {
                Some(hi) => format!("{}–{}", ms_label(edges[i]), ms_label(*hi)),
                None => format!("≥{}", ms_label(edges[i])),
            };
            (label, counts[i])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_bins_span_the_occupied_range() {
        let bins = timing_bins(&[12.0, 15.5, 40.0, 120.0, 33.0, 18.0]);
        let labels: Vec<_> = bins.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["10–20", "20–50", "50–100", "100–200"]);
        let counts: Vec<_> = bins.iter().map(|(_, c)| *c).collect();
        assert_eq!(counts, [3, 2, 0, 1]);
        assert!(timing_bins(&[]).is_empty());
        assert_eq!(timing_bins(&[0.3])[0].0, "0–1");
        assert_eq!(timing_bins(&[2500.0])[0].0, "2s–5s");
    }

    #[test]
    fn every_chart_is_one_svg_even_without_data() {
        let mut r = CurationReport::example();
        for chart in [funnel, domains, levels, rejections, timings] {
            assert_eq!(chart(&r).matches("<svg").count(), 1);
        }
        r.funnel.clear();
        r.domains.clear();
        r.levels.clear();
        r.rejections.clear();
        r.timings_ms.clear();
        for chart in [funnel, domains, levels, rejections, timings] {
            let s = chart(&r);
            assert_eq!(s.matches("<svg").count(), 1);
            assert_eq!(s.matches("<text").count(), 2, "title and message only: {s}");
        }
    }
}
