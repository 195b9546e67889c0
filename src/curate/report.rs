//! What a curation run found, as data: the funnel, distributions, per-entry decisions.
//! Renderers (`crate::report::curation`) turn it into JSON, Markdown and HTML.

use crate::sandbox::Status;
use serde::{Deserialize, Serialize};

/// Where an entry's way through curation ended: kept, or the stage that rejected it.
/// Declared in pipeline order, which is the order reports list rejections in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// `generate entries` could not turn the model's answer into an entry.
    Generation,
    /// Not a valid entry record (fields, types, duplicate id).
    Schema,
    /// The reference or the tests do not parse.
    Syntax,
    /// Imports a denied module.
    Policy,
    /// The backend cannot run it.
    Unsupported,
    /// The harness failed even after retries.
    SandboxError,
    /// Some test of the reference fails.
    Execution,
    /// Verdicts differ between repeats.
    Flaky,
    /// A near-duplicate of an entry kept before it.
    Duplicate,
    /// Its tests are too weak: coverage or mutation score under the threshold.
    Weak,
    /// Not rejected.
    Kept,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Generation => "generation",
            Stage::Schema => "schema",
            Stage::Syntax => "syntax",
            Stage::Policy => "policy",
            Stage::Unsupported => "unsupported",
            Stage::SandboxError => "sandbox_error",
            Stage::Execution => "execution",
            Stage::Flaky => "flaky",
            Stage::Duplicate => "duplicate",
            Stage::Weak => "weak",
            Stage::Kept => "kept",
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A step of the funnel: how many entries were still in at that point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Sources given to `generate entries`.
    Sources,
    /// Answers the model gave.
    Answers,
    /// Answers that parsed into entries.
    Generated,
    Input,
    Parsed,
    PolicyClean,
    SomePassing,
    AllPassing,
    Deduplicated,
    /// Strong enough for `--min-coverage` and `--min-mutation-score`.
    Strong,
}

impl Step {
    /// For people: "≥1 test passing".
    pub fn label(self) -> &'static str {
        match self {
            Step::Sources => "sources",
            Step::Answers => "model answers",
            Step::Generated => "answers parsed",
            Step::Input => "input",
            Step::Parsed => "parsed",
            Step::PolicyClean => "policy-clean",
            Step::SomePassing => "≥1 test passing",
            Step::AllPassing => "all tests passing",
            Step::Deduplicated => "after dedupe",
            Step::Strong => "strong tests",
        }
    }
}

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
    /// Test strength over the entries measured (per entry in `entries[].strength`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<StrengthSummary>,
}

/// The strength stage as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrengthSummary {
    /// Entries measured (those left after dedupe).
    pub entries: usize,
    pub min_coverage: Option<f64>,
    pub min_mutation_score: Option<f64>,
    pub max_mutants: usize,
    /// Mutants run and counted, and killed, over every entry.
    pub mutants: usize,
    pub killed: usize,
    /// Mean of the entries' figures (those measured).
    pub mean_line_coverage: Option<f64>,
    pub mean_branch_coverage: Option<f64>,
    pub mean_mutation_score: Option<f64>,
    /// Seconds the coverage and mutant runs took.
    pub elapsed_secs: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    /// Stable key: `input`, `parsed`, `policy_clean`, `some_passing`, `all_passing`, `deduplicated`
    /// (after `sources`, `answers`, `generated` when the inputs were generated).
    pub stage: Step,
    /// For people: "≥1 test passing".
    pub label: String,
    pub count: usize,
}

impl FunnelStep {
    pub fn new(stage: Step, count: usize) -> Self {
        FunnelStep {
            stage,
            label: stage.label().to_string(),
            count,
        }
    }
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
    /// The stage that rejected.
    pub stage: Stage,
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
    pub stage: Stage,
    /// Why (empty when kept).
    pub reason: String,
    /// Per-test verdicts of the reference (empty when it never ran).
    pub tests: Vec<TestRecord>,
    /// Median reference wall time over the repeats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wall_ms: Option<f64>,
    /// Coverage and mutation score of the reference by its tests (`--strength`,
    /// `--min-coverage`, `--min-mutation-score`), for the entries that reached that stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<crate::strength::Strength>,
    /// Static quality of the reference and tests (docstrings, type hints, naming, long
    /// lines, tests per function): reported; gating only with `--min-quality`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<crate::generate::quality::Quality>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRecord {
    pub name: String,
    pub level: String,
    /// Verdict per repeat, e.g. `["passed", "passed", "failed"]`.
    pub statuses: Vec<Status>,
}

impl CurationReport {
    /// A small but complete report, for renderer tests and snapshots.
    pub fn example() -> Self {
        let funnel = [
            (Step::Input, 9),
            (Step::Parsed, 7),
            (Step::PolicyClean, 6),
            (Step::SomePassing, 5),
            (Step::AllPassing, 4),
            (Step::Deduplicated, 3),
        ]
        .into_iter()
        .map(|(stage, count)| FunnelStep::new(stage, count))
        .collect();
        let test = |name: &str, level: &str, s: &[Status]| TestRecord {
            name: name.into(),
            level: level.into(),
            statuses: s.to_vec(),
        };
        CurationReport {
            generated_by: "assay 0.1.0".into(),
            backend: "process".into(),
            repeats: 3,
            elapsed_secs: 4.2,
            funnel,
            generation: Vec::new(),
            strength: None,
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
                    stage: Stage::Schema,
                    count: 1,
                },
                ReasonCount {
                    stage: Stage::Syntax,
                    count: 1,
                },
                ReasonCount {
                    stage: Stage::Policy,
                    count: 1,
                },
                ReasonCount {
                    stage: Stage::Execution,
                    count: 2,
                },
                ReasonCount {
                    stage: Stage::Duplicate,
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
                    stage: Stage::Kept,
                    reason: String::new(),
                    tests: vec![test("test_normal_two_docs", "normal", &[Status::Passed; 3])],
                    wall_ms: Some(15.5),
                    strength: None,
                    quality: None,
                },
                EntryRecord {
                    id: "flaky_timer".into(),
                    domain: "audio".into(),
                    origin: "mixed.jsonl:4".into(),
                    kept: false,
                    stage: Stage::Flaky,
                    reason:
                        "verdicts differ between repeats: test_normal_timing passed, failed, passed"
                            .into(),
                    tests: vec![test(
                        "test_normal_timing",
                        "normal",
                        &[Status::Passed, Status::Failed, Status::Passed],
                    )],
                    wall_ms: Some(40.0),
                    strength: None,
                    quality: None,
                },
                EntryRecord {
                    id: "shell_out".into(),
                    domain: "tabular".into(),
                    origin: "mixed.jsonl:2".into(),
                    kept: false,
                    stage: Stage::Policy,
                    reason: "reference line 1: imports denied module subprocess".into(),
                    tests: vec![],
                    wall_ms: None,
                    strength: None,
                    quality: None,
                },
            ],
        }
    }
}
