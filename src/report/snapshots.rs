//! Snapshot tests (insta) of what people read: the score summary, the curation text and
//! Markdown, the run report's Markdown and the comparison, each from a fixed example. A
//! change of wording or layout shows as a reviewed diff of `snapshots/*.snap`.

use super::curation;
use super::run::{markdown, RunReport};
use crate::curate::report::CurationReport;
use crate::sandbox::Status;
use crate::score::{PassAt, Summary, TaskCount};
use std::collections::BTreeMap;

fn summary() -> Summary {
    let task = |id: &str, n, passed, excluded| TaskCount {
        task_id: id.into(),
        n,
        passed,
        excluded,
    };
    Summary {
        pass_at_k: BTreeMap::from([(PassAt(1), Some(0.625)), (PassAt(10), None)]),
        not_computable: BTreeMap::from([(
            PassAt(10),
            "2 of 2 tasks have fewer than 10 samples (fewest: 4)".to_string(),
        )]),
        samples: 9,
        tasks: vec![task("HumanEval/0", 4, 4, 0), task("HumanEval/1", 4, 1, 1)],
        by_status: BTreeMap::from([
            (Status::Passed, 5),
            (Status::Failed, 2),
            (Status::Timeout, 1),
            (Status::SandboxError, 1),
        ]),
        excluded: 1,
        unattempted_tasks: 1,
        backend: "process".into(),
        results: "samples.jsonl_results.jsonl".into(),
        elapsed_secs: 1.5,
        run_dir: "runs/x".into(),
        stability: Default::default(),
        split: None,
    }
}

#[test]
fn score_text() {
    insta::assert_snapshot!(super::score_text(&summary()));
}

#[test]
fn curation_text() {
    insta::assert_snapshot!(curation::text(&CurationReport::example()));
}

#[test]
fn curation_markdown() {
    insta::assert_snapshot!(curation::markdown(&CurationReport::example()));
}

#[test]
fn run_report_markdown() {
    insta::assert_snapshot!(markdown(&RunReport::example()));
}

#[test]
fn comparison_text() {
    let report = RunReport::example();
    let comparison = report.comparison.as_ref().expect("the example compares");
    insta::assert_snapshot!(crate::compare::text::render(comparison, None));
}
