//! `report.html` in a real browser: Debian's headless Chromium loads the page rendered from
//! `CurationReport::example()`, takes a screenshot, and reports its console and its DOM.
//! The page must draw its five charts (their bar colours are in the screenshot), and log
//! nothing: it has no script and fetches nothing, so any console line is a fault.
//!
//! Needs the `chromium` package (`scripts/setup` installs it). Without it the test fails,
//! unless `ASSAY_SKIP_CHROMIUM=1` says to skip it on purpose.

mod common;

use assay::curate::report::CurationReport;
use common::chromium::{chromium, console_lines, decode, run_chromium};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2000;

#[test]
fn console_errors_are_detected() {
    // The negative control: the same capture sees a page that does log errors.
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><p>x</p><script>console.error('marker'); missing();</script></body></html>",
    )
    .unwrap();
    let out = run_chromium(
        &bin,
        &dir.path().join("profile"),
        &page,
        &["--dump-dom".into()],
    );
    let lines = console_lines(&out.stderr);
    assert!(lines.iter().any(|l| l.contains("marker")), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("Uncaught ReferenceError")),
        "{lines:?}"
    );
}

#[test]
fn report_renders_its_charts_in_chromium() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let html = assay::report::curation::html(&CurationReport::example());
    std::fs::write(&page, &html).unwrap();

    // The DOM as the browser built it: five SVG charts with their bars and labels.
    let out = run_chromium(
        &bin,
        &dir.path().join("profile-dom"),
        &page,
        &["--dump-dom".into()],
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert_eq!(dom.matches("<svg").count(), 5, "svg elements in the DOM");
    assert!(dom.matches("<rect").count() >= 20, "bars in the DOM");
    for text in [
        "Curation funnel",
        "≥1 test passing",
        "Entries per domain",
        "edge_case",
        "Rejections by stage",
        "Reference wall time",
    ] {
        assert!(dom.contains(text), "{text:?} not in the DOM");
    }
    assert_eq!(
        console_lines(&out.stderr),
        Vec::<String>::new(),
        "console while building the DOM"
    );

    // The pixels.
    let shot = dir.path().join("report.png");
    let out = run_chromium(
        &bin,
        &dir.path().join("profile-shot"),
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            format!("--window-size={WIDTH},{HEIGHT}"),
        ],
    );
    assert_eq!(
        console_lines(&out.stderr),
        Vec::<String>::new(),
        "console while rendering"
    );
    let bytes = std::fs::metadata(&shot).expect("screenshot written").len();
    assert!(bytes > 20_000, "screenshot is only {bytes} bytes");
    let s = decode(&shot);
    assert_eq!((s.width, s.height), (WIDTH, HEIGHT));
    assert!(
        s.colours.len() > 50,
        "only {} colours: a blank page?",
        s.colours.len()
    );
    // Every chart's bar colour covers a real area (the colours of charts.rs).
    for (chart, rgb) in [
        ("funnel and timings", [0x4c, 0x78, 0xa8]),
        ("domains, kept", [0x54, 0xa2, 0x4b]),
        ("domains, input", [0xa0, 0xa9, 0xb8]),
        ("levels", [0x7a, 0x5c, 0xa8]),
        ("rejections", [0xe4, 0x57, 0x56]),
    ] {
        let n = s.colours.get(&rgb).copied().unwrap_or(0);
        assert!(n > 500, "{chart}: only {n} pixels of {rgb:02x?}");
    }
    if let Some(keep) = std::env::var_os("ASSAY_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
