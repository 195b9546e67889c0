//! EvalPlus's datasets (HumanEval+ and MBPP+), judged as EvalPlus 0.3.1 judges them:
//! differential testing of a sample against the canonical solution on every input.
//!
//! ```text
//!  problems.jsonl ─ load.rs (a record with base_input/plus_input; the inputs kept as raw JSON text)
//!     │
//!  expected.rs: the canonical solution through the runner's `calls` instrument, once per
//!     problem, cached by content under $ASSAY_CACHE/evalplus/ (values + time per input)
//!     │
//!  request(): each sample's ExecRequest: `calls` with per-input limits
//!     max(min_time_limit, factor × reference time); the expected values stay on the host
//!     │
//!  runner (sandbox): calls the entry point on a deep copy of each input, reports the
//!     returned value as typed JSON ─> judge.rs (host): EvalPlus's comparison per input
//!     (value.rs: Python `==`, is_floats, np.allclose), the special oracles
//!     │
//!  report.rs: base/plus status per sample; EvalPlus's eval_results.json
//! ```
//!
//! The comparison happens outside the sandbox, against values that never enter it: a
//! program that patches the interpreter (`__eq__`, `builtins`, the runner) changes only
//! the values it reports, never what they are compared with.

pub(crate) mod expected;
pub(crate) mod judge;
pub(crate) mod load;
pub(crate) mod report;

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// EvalPlus 0.3.1's `DEFAULT_MIN_TIME_LIMIT` (evalplus/config.py).
pub const DEFAULT_MIN_TIME_LIMIT: f64 = 1.0;
/// EvalPlus 0.3.1's `DEFAULT_GT_TIME_LIMIT_FACTOR` (evalplus/config.py).
pub const DEFAULT_GT_TIME_LIMIT_FACTOR: f64 = 4.0;
/// EvalPlus's `EVALPLUS_TIMEOUT_PER_TASK` default: a cap on the sum of one section's limits.
pub const TIMEOUT_PER_TASK: f64 = 60.0;
/// Call records past this index are ignored (no problem has this many inputs).
pub(crate) const MAX_CALLS: usize = 1 << 20;

/// `score`'s EvalPlus options (flags of the same names as EvalPlus's).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub min_time_limit: f64,
    pub gt_time_limit_factor: f64,
    /// Only the base inputs (EvalPlus's `--base-only`).
    pub base_only: bool,
    /// Where to write EvalPlus's `eval_results.json` as well.
    pub results: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_time_limit: DEFAULT_MIN_TIME_LIMIT,
            gt_time_limit_factor: DEFAULT_GT_TIME_LIMIT_FACTOR,
            base_only: false,
            results: None,
        }
    }
}

/// Which EvalPlus dataset a problem belongs to (its special oracles and deserialisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    HumanEval,
    Mbpp,
}

/// One HumanEval+ / MBPP+ problem's data beyond what every `Problem` has.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub dataset: Dataset,
    /// `base_input` and `plus_input` as they are in the file (raw JSON text), so the
    /// runner's `json.loads` reads them exactly as EvalPlus does.
    pub base_input: Vec<String>,
    pub plus_input: Vec<String>,
    pub atol: f64,
    pub contract: String,
    /// Where the record is, for messages about its canonical solution.
    pub path: std::path::PathBuf,
    pub line: usize,
}

impl Spec {
    /// `mbpp:N` for MBPP+ tasks (the runner's copy of `mbpp_deserialize_inputs`).
    pub(crate) fn convert(&self, task_id: &str) -> Option<String> {
        match self.dataset {
            Dataset::Mbpp => task_id
                .rsplit('/')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .map(|n| format!("mbpp:{n}")),
            Dataset::HumanEval => None,
        }
    }
}

/// A shared, immutable part of a request (the inputs, the expected outputs): one copy for
/// every sample of a task, serialized as its content.
#[derive(Debug, Clone, PartialEq)]
pub struct Shared<T>(pub Arc<T>);

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(|t| Shared(Arc::new(t)))
    }
}

/// The runner's `calls` instrument: what the sandbox gets (entry point, inputs, limits)
/// and, in `check`, what stays on the host (the expected values and how to compare).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calls {
    pub entry_point: String,
    /// JSON text of the list of argument lists: the base inputs, then the plus inputs.
    pub inputs: Shared<String>,
    /// Seconds per call (0: none).
    pub limits: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convert: Option<String>,
    /// How many of the inputs are base inputs (the rest are plus inputs).
    pub base: usize,
    /// Absent in a reference run (whose values are the outcome's `calls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Shared<Check>>,
}

// Limits are finite numbers (never NaN), so equality is an equivalence.
impl Eq for Calls {}

impl Calls {
    /// What the runner is sent: never the expected values.
    pub(crate) fn request_value(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "entry_point": self.entry_point,
            "inputs": self.inputs.0.as_str(),
            "limits": self.limits,
        });
        if let Some(c) = &self.convert {
            v["convert"] = c.clone().into();
        }
        v
    }
}

/// The host's half of a sample's `calls`: EvalPlus's comparison data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub dataset: Dataset,
    pub task_id: String,
    pub atol: f64,
    /// One typed value per input (the canonical solution's; for MBPP's not-None tasks,
    /// whether it was not None).
    pub expected: Vec<serde_json::Value>,
    /// Whether the plus section is part of the run (not `--base-only`): a plus section
    /// with no inputs then gets one verdict, `plus`, as EvalPlus passes an empty section
    /// when the program runs.
    #[serde(default)]
    pub plus: bool,
}

/// A field that is there is `Some`, even when it is `null` (a function that returned
/// None); only an absent one is `None`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// A call as the runner reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct CallRecord {
    pub status: CallStatus,
    #[serde(default, deserialize_with = "present")]
    pub value: Option<serde_json::Value>,
    #[serde(default)]
    pub secs: Option<f64>,
    #[serde(default)]
    pub exc: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    Passed,
    Timeout,
    Failed,
    Error,
    Memory,
    Crashed,
}

/// A reference run's call: the value (typed JSON) and seconds, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallResult {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub value: Option<serde_json::Value>,
    #[serde(default)]
    pub secs: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The prepared EvalPlus side of a run: per task, the calls every sample's request gets.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    by_task: std::collections::HashMap<String, Calls>,
}

impl Prepared {
    /// The sample's request when its problem is an EvalPlus problem.
    pub(crate) fn request(
        &self,
        problem: &crate::entry::Problem,
        program: String,
        limits: &crate::sandbox::Limits,
    ) -> Option<crate::sandbox::ExecRequest> {
        let calls = self.by_task.get(&problem.id)?.clone();
        let mut limits = limits.clone();
        // EvalPlus's process timeout per section: min(60, sum of limits) + 1, + 1 more
        // for its data collection; assay runs both sections in one execution.
        let (base, plus) = calls.limits.split_at(calls.base);
        let section = |l: &[f64]| {
            if l.is_empty() {
                0.0
            } else {
                TIMEOUT_PER_TASK.min(l.iter().sum()) + 2.0
            }
        };
        let wall = section(base) + section(plus);
        limits.timeout_secs = limits.timeout_secs.max(wall);
        limits.cpu_secs = limits.cpu_secs.max(limits.timeout_secs.ceil() as u64 + 1);
        Some(crate::sandbox::ExecRequest {
            program,
            tests: Vec::new(),
            limits,
            requirements: problem.requirements.clone(),
            instrument: crate::sandbox::Instrument {
                calls: Some(calls),
                ..Default::default()
            },
        })
    }
}

/// Test names of the per-input verdicts: `base/3`, `plus/0`.
pub(crate) fn input_name(index: usize, base: usize) -> String {
    if index < base {
        format!("base/{index}")
    } else {
        format!("plus/{}", index - base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_values_never_reach_the_sandbox() {
        let calls = Calls {
            entry_point: "f".into(),
            inputs: Shared(Arc::new("[[1],[2]]".into())),
            limits: vec![1.0, 1.0],
            convert: Some("mbpp:2".into()),
            base: 1,
            check: Some(Shared(Arc::new(Check {
                dataset: Dataset::Mbpp,
                task_id: "Mbpp/2".into(),
                atol: 0.0,
                expected: vec![serde_json::json!({"int": "424242"}), serde_json::json!(7)],
                plus: true,
            }))),
        };
        let mut req = crate::fuzzing::request(0);
        req.instrument.calls = Some(calls.clone());
        let sent = crate::sandbox::runner::request_value(&req, "n").to_string();
        assert!(sent.contains("\"inputs\":\"[[1],[2]]\""), "{sent}");
        assert!(
            !sent.contains("424242") && !sent.contains("expected"),
            "{sent}"
        );
        // The host's copy (journal key, resume) does hold them.
        assert!(serde_json::to_string(&req).unwrap().contains("424242"));
        let back: Calls = serde_json::from_str(&serde_json::to_string(&calls).unwrap()).unwrap();
        assert_eq!(back, calls);
        // A returned None is a value, in the runner's record and back from the journal.
        let r: CallRecord = serde_json::from_str(r#"{"status":"passed","value":null}"#).unwrap();
        assert_eq!(r.value, Some(serde_json::Value::Null));
        let c = CallResult {
            value: Some(serde_json::Value::Null),
            secs: 0.0,
            error: None,
        };
        let back: CallResult = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }
}
