//! What a curation run found, as data: the funnel, distributions, per-entry decisions.
//! Renderers (`crate::report::curation`) turn it into JSON, Markdown and HTML.

use serde::{Deserialize, Serialize};

/// The whole curation report (`report.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurationReport {
    /// `assay <version>`.
    pub generated_by: String,
    /// Sandbox backend the references ran on.
    pub backend: String,
    /// How many times each reference ran (flake check).
    pub repeats: u32,
    pub elapsed_secs: f64,
    /// input → parsed → policy-clean → ≥1 test passing → all passing → after dedupe.
    pub funnel: Vec<FunnelStep>,
    /// Per domain: entries in the input and entries kept.
    pub domains: Vec<DomainCount>,
    /// Per test level, over every test of every executed reference.
    pub levels: Vec<LevelRate>,
    /// Rejections grouped by stage and kind of reason.
    pub rejections: Vec<ReasonCount>,
    /// Reference wall time per executed entry (median over repeats), for the histogram.
    pub timings_ms: Vec<f64>,
    pub entries: Vec<EntryRecord>,
    /// The `generate entries` runs that wrote the inputs (their `.generation.json`),
    /// when there were any: their counts open the funnel, their rejects are entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub generation: Vec<crate::generate::GenerationSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    /// Stable key: `input`, `parsed`, `policy_clean`, `some_passing`, `all_passing`, `deduplicated`.
    pub stage: String,
    /// For people: "≥1 test passing".
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainCount {
    pub domain: String,
    pub input: usize,
    pub kept: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelRate {
    /// `normal`, `edge_case` or `correctness`.
    pub level: String,
    pub tests: usize,
    pub passed: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonCount {
    /// The stage that rejected: `schema`, `syntax`, `policy`, `execution`, `flaky`, `duplicate`.
    pub stage: String,
    pub count: usize,
}

/// One input entry and what curation decided about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRecord {
    pub id: String,
    pub domain: String,
    /// Where it came from: `file:line` or a skill file path.
    pub origin: String,
    pub kept: bool,
    /// `kept`, or the stage that rejected it.
    pub stage: String,
    /// Why (empty when kept).
    pub reason: String,
    /// Per-test verdicts of the reference (empty when it never ran).
    pub tests: Vec<TestRecord>,
    /// Median reference wall time over the repeats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wall_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRecord {
    pub name: String,
    pub level: String,
    /// Verdict per repeat, e.g. `["passed", "passed", "failed"]`.
    pub statuses: Vec<String>,
}

impl CurationReport {
    /// A small but complete report, for renderer tests and snapshots.
    pub fn example() -> Self {
        let funnel = [
            ("input", "input", 9),
            ("parsed", "parsed", 7),
            ("policy_clean", "policy-clean", 6),
            ("some_passing", "≥1 test passing", 5),
            ("all_passing", "all tests passing", 4),
            ("deduplicated", "after dedupe", 3),
        ]
        .iter()
        .map(|(s, l, c)| FunnelStep {
            stage: s.to_string(),
            label: l.to_string(),
            count: *c,
        })
        .collect();
        let test = |name: &str, level: &str, s: &[&str]| TestRecord {
            name: name.into(),
            level: level.into(),
            statuses: s.iter().map(|x| x.to_string()).collect(),
        };
        CurationReport {
            generated_by: "assay 0.1.0".into(),
            backend: "process".into(),
            repeats: 3,
            elapsed_secs: 4.2,
            funnel,
            generation: Vec::new(),
            domains: vec![
                DomainCount {
                    domain: "nlp".into(),
                    input: 4,
                    kept: 2,
                },
                DomainCount {
                    domain: "audio".into(),
                    input: 3,
                    kept: 1,
                },
                DomainCount {
                    domain: "tabular".into(),
                    input: 2,
                    kept: 0,
                },
            ],
            levels: vec![
                LevelRate {
                    level: "normal".into(),
                    tests: 12,
                    passed: 11,
                },
                LevelRate {
                    level: "edge_case".into(),
                    tests: 9,
                    passed: 7,
                },
                LevelRate {
                    level: "correctness".into(),
                    tests: 8,
                    passed: 8,
                },
            ],
            rejections: vec![
                ReasonCount {
                    stage: "schema".into(),
                    count: 1,
                },
                ReasonCount {
                    stage: "syntax".into(),
                    count: 1,
                },
                ReasonCount {
                    stage: "policy".into(),
                    count: 1,
                },
                ReasonCount {
                    stage: "execution".into(),
                    count: 2,
                },
                ReasonCount {
                    stage: "duplicate".into(),
                    count: 1,
                },
            ],
            timings_ms: vec![12.0, 15.5, 40.0, 120.0, 33.0, 18.0],
            entries: vec![
                EntryRecord {
                    id: "tfidf_weights".into(),
                    domain: "nlp".into(),
                    origin: "skills/tfidf_weights.py".into(),
                    kept: true,
                    stage: "kept".into(),
                    reason: String::new(),
                    tests: vec![test("test_normal_two_docs", "normal", &["passed"; 3])],
                    wall_ms: Some(15.5),
                },
                EntryRecord {
                    id: "flaky_timer".into(),
                    domain: "audio".into(),
                    origin: "mixed.jsonl:4".into(),
                    kept: false,
                    stage: "flaky".into(),
                    reason:
                        "verdicts differ between repeats: test_normal_timing passed, failed, passed"
                            .into(),
                    tests: vec![test(
                        "test_normal_timing",
                        "normal",
                        &["passed", "failed", "passed"],
                    )],
                    wall_ms: Some(40.0),
                },
                EntryRecord {
                    id: "shell_out".into(),
                    domain: "tabular".into(),
                    origin: "mixed.jsonl:2".into(),
                    kept: false,
                    stage: "policy".into(),
                    reason: "reference line 1: imports denied module subprocess".into(),
                    tests: vec![],
                    wall_ms: None,
                },
            ],
        }
    }
}
