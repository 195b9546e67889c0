//! The run reports of `assay report`: the JUnit XML validates against the Jenkins xunit
//! schema kept in `tests/schema/junit-10.xsd` (checked by libxml2's `xmllint --schema`,
//! not by our own code), and the HTML page renders in headless Chromium with its five
//! charts and nothing on the console.

mod common;

use assay::report::run::{html, junit, markdown, RunReport};
use common::chromium::{chromium, console_lines, decode, run_chromium};
use common::xmllint;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2400;

#[test]
fn junit_validates_against_the_jenkins_schema() {
    let dir = tempfile::tempdir().unwrap();
    let r = RunReport::example();
    let xml = junit(&r);
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, &xml).unwrap();
    xmllint(&path).unwrap();
    // One testcase per task, and one per test of the native entries (3 named tests).
    let tasks = r.tasks.len();
    let tests: usize = r.tasks.iter().map(|t| t.tests.len()).sum();
    assert_eq!(tests, 12 * 3, "per-test cases of the example");
    assert_eq!(xml.matches("<testcase ").count(), tasks + tests, "{xml}");
    let failing = r.tasks.iter().filter(|t| t.passed < t.n).count()
        + r.tasks
            .iter()
            .flat_map(|t| &t.tests)
            .filter(|t| t.passed < t.runs)
            .count();
    assert_eq!(xml.matches("<failure ").count(), failing);
    assert!(xml.contains(&format!("failures=\"{failing}\"")), "{xml}");
    assert!(xml.contains("<failure type=\"timeout\""), "{xml}");
    assert!(xml.contains("name=\"nlp/task_5::test_correctness_known\" classname=\"nlp/task_5\""));
    assert!(xml.contains("&lt;b&gt;4&lt;/b&gt;"), "message escaped");

    // The negative control: the schema does reject a broken file.
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, xml.replace("<testsuite name=", "<testsuite nome=")).unwrap();
    assert!(
        xmllint(&bad).is_err(),
        "xmllint accepted a testsuite without a name"
    );
}

#[test]
fn junit_survives_control_characters_and_markup_in_messages() {
    let mut r = RunReport::example();
    for t in r.tasks.iter_mut() {
        if let Some((_, m)) = t.failure.as_mut() {
            *m = "\u{0}\u{1b}[31mred]]> <x> & \"q\" \u{7}".into();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, junit(&r)).unwrap();
    xmllint(&path).unwrap();
}

#[test]
fn markdown_fits_a_pull_request_comment() {
    let mut r = RunReport::example();
    // Thousands of failing tasks: far past GitHub's limit.
    let t = r.tasks[3].clone();
    for i in 0..5000 {
        let mut t = t.clone();
        t.task_id = format!("bulk/{i}");
        r.tasks.push(t);
    }
    let md = markdown(&r);
    assert!(md.chars().count() <= 65_536, "{}", md.chars().count());
    assert!(md.contains("truncated"), "says it was cut");
    assert!(md.contains("| nlp/task_3 |"), "the head is kept");
}

#[test]
fn html_renders_its_charts_in_chromium() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("run.html");
    let r = RunReport::example();
    let text = html(&r);
    std::fs::write(&page, &text).unwrap();
    assert!(!text.contains("<script"), "no script");
    assert!(
        !text.contains("src=\"http") && !text.contains("href=\"http"),
        "no network asset"
    );

    let out = run_chromium(
        &bin,
        &dir.path().join("profile-dom"),
        &page,
        &["--dump-dom".into()],
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert_eq!(dom.matches("<svg").count(), 5, "svg elements in the DOM");
    for text in [
        "pass@k",
        "Tests passed per level",
        "pass@1 per domain",
        "Samples per verdict",
        "pass@1 over the history",
        "Flips (",
        "Flaky tasks (",
        "Slowest tests",
        "nlp/task_3",
        "test_correctness_known",
        "&lt;b&gt;4&lt;/b&gt;",
    ] {
        assert!(dom.contains(text), "{text:?} not in the DOM");
    }
    assert_eq!(
        console_lines(&out.stderr),
        Vec::<String>::new(),
        "console while building the DOM"
    );

    let shot = dir.path().join("run.png");
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
    let s = decode(&shot);
    assert_eq!((s.width, s.height), (WIDTH, HEIGHT));
    assert!(
        s.colours.len() > 50,
        "only {} colours: a blank page?",
        s.colours.len()
    );
    for (chart, rgb) in [
        ("pass@k and trend", [0x4c, 0x78, 0xa8]),
        ("levels", [0x7a, 0x5c, 0xa8]),
        ("domains", [0x54, 0xa2, 0x4b]),
        ("statuses", [0xe4, 0x57, 0x56]),
    ] {
        let n = s.colours.get(&rgb).copied().unwrap_or(0);
        assert!(n > 500, "{chart}: only {n} pixels of {rgb:02x?}");
    }
    if let Some(keep) = std::env::var_os("ASSAY_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
