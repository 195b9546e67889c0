//! The curation pipeline against the scripted sandbox: the judge's verdicts on a steady,
//! a wrong and a deterministically flaky reference, the funnel they make, and a resumed
//! curation that runs nothing again.

use super::report::{Stage, Step};
use super::*;
use crate::run::scripted::Scripted;
use crate::run::Event;
use serde_json::json;

struct Quiet;

impl Listener for Quiet {
    fn on_event(&mut self, _: &Event<'_>) {}
}

fn entry(id: &str, reference: &str, topic: &str) -> serde_json::Value {
    let test =
        |name: &str, level: &str| json!({"name": name, "level": level, "code": "assert True"});
    json!({"id": id, "domain": "math", "category": "arith", "difficulty": "basic",
           "description": format!("Compute the {topic} of two numbers."),
           "prompt": format!("def f(a, b):\n    \"\"\"The {topic} of a and b.\"\"\"\n"),
           "entry_point": "f", "reference": reference,
           "tests": [test("t_normal", "normal"), test("t_edge", "edge_case"),
                     test("t_corr", "correctness")]})
}

fn options(dir: &std::path::Path) -> CurateOptions {
    let input = dir.join("entries.jsonl");
    let rows = [
        entry("steady", "pass", "sum"),
        entry("wrong", "fail", "product"),
        entry("coin", "alternate", "greatest common divisor"),
    ];
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&input, text).unwrap();
    CurateOptions {
        inputs: vec![input],
        output: dir.join("curated.jsonl"),
        report_dir: dir.join("report"),
        repeats: 4,
        deny: vec![],
        limits: Limits::default(),
        jobs: 1,
        run_dir: dir.join("run"),
        similarity: 0.85,
        strength: None,
        min_quality: None,
    }
}

async fn curate_with(sb: &Arc<Scripted>, opts: &CurateOptions) -> CurationReport {
    let sandbox: Arc<dyn Sandbox> = Arc::clone(sb) as Arc<dyn Sandbox>;
    curate(sandbox, opts, &mut Quiet, Cancel::never())
        .await
        .unwrap()
}

fn stages(r: &CurationReport) -> Vec<(String, Stage)> {
    r.entries.iter().map(|e| (e.id.clone(), e.stage)).collect()
}

#[tokio::test]
async fn the_judge_keeps_the_steady_and_rejects_the_wrong_and_the_flaky() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path());
    let sb = Arc::new(Scripted::default());
    let report = curate_with(&sb, &opts).await;

    // Every reference ran once per repeat.
    assert_eq!(sb.runs_of("pass"), 4);
    assert_eq!(sb.runs_of("alternate"), 4);
    let mut got = stages(&report);
    got.sort();
    assert_eq!(
        got,
        [
            ("coin".to_string(), Stage::Flaky),
            ("steady".to_string(), Stage::Kept),
            ("wrong".to_string(), Stage::Execution),
        ]
    );
    let coin = report.entries.iter().find(|e| e.id == "coin").unwrap();
    assert!(
        coin.reason.starts_with("verdicts differ between repeats"),
        "{}",
        coin.reason
    );
    // Per test, the statuses of the four repeats, in repeat order.
    use crate::sandbox::Status::{Failed, Passed};
    assert!(coin
        .tests
        .iter()
        .all(|t| t.statuses == [Passed, Failed, Passed, Failed]));

    let funnel: Vec<(Step, usize)> = report.funnel.iter().map(|s| (s.stage, s.count)).collect();
    assert_eq!(
        funnel,
        [
            (Step::Input, 3),
            (Step::Parsed, 3),
            (Step::PolicyClean, 3),
            // The flaky reference passed its first repeat.
            (Step::SomePassing, 2),
            (Step::AllPassing, 1),
            (Step::Deduplicated, 1),
        ]
    );
    let kept: Vec<serde_json::Value> = std::fs::read_to_string(&opts.output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["id"], "steady");
}

#[tokio::test]
async fn a_resumed_curation_runs_nothing_again_and_judges_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path());
    let first = curate_with(&Arc::new(Scripted::default()), &opts).await;
    let again = Arc::new(Scripted::default());
    let second = curate_with(&again, &opts).await;
    assert_eq!(again.total_runs(), 0, "the journal holds every repeat");
    assert_eq!(stages(&first), stages(&second));
    assert_eq!(first.funnel, second.funnel);
}
