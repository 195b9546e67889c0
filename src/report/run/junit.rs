//! The run as JUnit XML (written with quick-xml), in the shape the Jenkins xunit schema
//! (`tests/schema/junit-10.xsd`) and GitLab's parser take: one `<testsuite>` for the
//! benchmark, one `<testcase>` per task — and, for native entries with per-test verdicts,
//! one more per test (`classname` = the task). A task fails when any scored sample did
//! not pass (`<failure type="VERDICT" message="…">`); harness faults are `<error>`;
//! a task the backend cannot run is `<skipped>`. Times are seconds of wall time.

use super::{RunReport, TaskDetail};
use crate::sandbox::Status;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// Characters XML 1.0 cannot carry at all (control characters in a program's message);
/// they are replaced, not escaped.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn secs(ms: f64) -> String {
    format!("{:.3}", ms.max(0.0) / 1000.0)
}

enum Verdict {
    Pass,
    Failure {
        kind: String,
        message: String,
        text: String,
    },
    Error {
        message: String,
    },
    Skipped {
        message: String,
    },
}

fn task_verdict(t: &TaskDetail) -> Verdict {
    if t.n == 0 {
        return if t.sandbox_errors > 0 {
            Verdict::Error {
                message: format!(
                    "{} sample(s) ended in sandbox errors (the harness, not the code)",
                    t.sandbox_errors
                ),
            }
        } else {
            Verdict::Skipped {
                message: format!("{} sample(s) unsupported by the backend", t.unsupported),
            }
        };
    }
    if t.passed == t.n {
        return Verdict::Pass;
    }
    let (status, msg) = t.failure.clone().unwrap_or((Status::Failed, String::new()));
    Verdict::Failure {
        kind: status.to_string(),
        message: format!(
            "{}/{} samples passed; first failure: {status}: {msg}",
            t.passed, t.n
        ),
        text: msg,
    }
}

pub fn junit(r: &RunReport) -> String {
    let mut cases: Vec<(String, String, f64, Verdict)> = Vec::new();
    for t in &r.tasks {
        cases.push((
            t.task_id.clone(),
            r.benchmark.clone(),
            t.wall_ms,
            task_verdict(t),
        ));
        for test in &t.tests {
            let v = if test.passed == test.runs {
                Verdict::Pass
            } else {
                let (status, msg) = test
                    .failure
                    .clone()
                    .unwrap_or((Status::Failed, String::new()));
                Verdict::Failure {
                    kind: status.to_string(),
                    message: format!(
                        "{} ({}): {}/{} runs passed; {status}: {msg}",
                        test.name,
                        test.level.as_str(),
                        test.passed,
                        test.runs
                    ),
                    text: msg,
                }
            };
            cases.push((
                format!("{}::{}", t.task_id, test.name),
                t.task_id.clone(),
                test.duration_ms,
                v,
            ));
        }
    }
    let failures = cases
        .iter()
        .filter(|c| matches!(c.3, Verdict::Failure { .. }))
        .count();
    let errors = cases
        .iter()
        .filter(|c| matches!(c.3, Verdict::Error { .. }))
        .count();
    let skipped = cases
        .iter()
        .filter(|c| matches!(c.3, Verdict::Skipped { .. }))
        .count();
    let total_ms: f64 = r.tasks.iter().map(|t| t.wall_ms).sum();

    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let io = "writing XML to memory cannot fail";
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect(io);
    let (tests, fails, errs) = (
        cases.len().to_string(),
        failures.to_string(),
        errors.to_string(),
    );
    let time = secs(total_ms);
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", "assay"));
    suites.push_attribute(("tests", tests.as_str()));
    suites.push_attribute(("failures", fails.as_str()));
    suites.push_attribute(("errors", errs.as_str()));
    suites.push_attribute(("time", time.as_str()));
    w.write_event(Event::Start(suites)).expect(io);
    let mut suite = BytesStart::new("testsuite");
    let name = clean(&r.benchmark);
    suite.push_attribute(("name", name.as_str()));
    suite.push_attribute(("tests", tests.as_str()));
    suite.push_attribute(("failures", fails.as_str()));
    suite.push_attribute(("errors", errs.as_str()));
    let skipped = skipped.to_string();
    suite.push_attribute(("skipped", skipped.as_str()));
    suite.push_attribute(("time", time.as_str()));
    if let Some(m) = &r.meta {
        suite.push_attribute(("timestamp", m.started.as_str()));
        suite.push_attribute(("hostname", m.host.hostname.as_str()));
    }
    w.write_event(Event::Start(suite)).expect(io);
    if let Some(m) = &r.meta {
        w.write_event(Event::Start(BytesStart::new("properties")))
            .expect(io);
        let timeout = m.limits.timeout_secs.to_string();
        let jobs = m.jobs.to_string();
        let props = [
            ("assay_version", m.assay_version.as_str()),
            ("git_commit", m.git_commit.as_deref().unwrap_or("")),
            ("backend", m.backend.name.as_str()),
            ("backend_fingerprint", m.backend.fingerprint.as_str()),
            ("timeout_secs", timeout.as_str()),
            ("jobs", jobs.as_str()),
            ("benchmark_hash", m.benchmark.hash.as_str()),
        ];
        for (k, v) in props {
            let v = clean(v);
            let mut p = BytesStart::new("property");
            p.push_attribute(("name", k));
            p.push_attribute(("value", v.as_str()));
            w.write_event(Event::Empty(p)).expect(io);
        }
        w.write_event(Event::End(BytesEnd::new("properties")))
            .expect(io);
    }
    for (name, class, ms, v) in &cases {
        let (name, class, time) = (clean(name), clean(class), secs(*ms));
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("name", name.as_str()));
        case.push_attribute(("classname", class.as_str()));
        case.push_attribute(("time", time.as_str()));
        let child = match v {
            Verdict::Pass => None,
            Verdict::Failure {
                kind,
                message,
                text,
            } => Some(("failure", Some(kind.as_str()), message, Some(text))),
            Verdict::Error { message } => Some(("error", Some("sandbox_error"), message, None)),
            Verdict::Skipped { message } => Some(("skipped", None, message, None)),
        };
        match child {
            None => w.write_event(Event::Empty(case)).expect(io),
            Some((tag, kind, message, text)) => {
                w.write_event(Event::Start(case)).expect(io);
                let message = clean(message);
                let mut el = BytesStart::new(tag);
                if let Some(k) = kind {
                    el.push_attribute(("type", k));
                }
                el.push_attribute(("message", message.as_str()));
                match text.filter(|t| !t.is_empty()) {
                    Some(t) => {
                        w.write_event(Event::Start(el)).expect(io);
                        w.write_event(Event::Text(BytesText::new(&clean(t))))
                            .expect(io);
                        w.write_event(Event::End(BytesEnd::new(tag))).expect(io);
                    }
                    None => w.write_event(Event::Empty(el)).expect(io),
                }
                w.write_event(Event::End(BytesEnd::new("testcase")))
                    .expect(io);
            }
        }
    }
    w.write_event(Event::End(BytesEnd::new("testsuite")))
        .expect(io);
    w.write_event(Event::End(BytesEnd::new("testsuites")))
        .expect(io);
    let mut out = String::from_utf8(w.into_inner()).expect("XML written from strings is UTF-8");
    out.push('\n');
    out
}
