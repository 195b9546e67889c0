//! The samples a grader sees: each results line with its problem, the program it ran, its
//! verdicts and the sample's content hash, the key every grade is stored under.

use crate::entry::Problem;
use crate::record::load::{read_rows, RowTest};
use crate::sandbox::Status;
use crate::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// One results line ready to grade or to pair.
#[derive(Debug, Clone)]
pub(crate) struct GradedSample {
    pub task_id: String,
    pub completion_id: usize,
    /// `sample_hash` of the task and the code.
    pub hash: String,
    /// What ran: the prompt and the completion, or the whole solution.
    pub program: String,
    /// What the model wrote: the completion or the solution.
    pub answer: String,
    /// The task as the model saw it (the problem's prompt).
    pub prompt: String,
    pub status: Status,
    pub message: String,
    pub tests: Vec<RowTest>,
    pub stdout: String,
    pub stderr: String,
}

impl GradedSample {
    pub(crate) fn passed(&self) -> bool {
        self.status == Status::Passed
    }
}

/// The content hash of a sample: task id, the kind of code (completion or solution) and
/// the code itself, blake3, the first 16 hex digits. Different code, different hash.
pub(crate) fn sample_hash(task_id: &str, kind: &str, code: &str) -> String {
    let mut h = blake3::Hasher::new();
    for part in [task_id, kind, code] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().to_hex()[..16].to_string()
}

/// Every line of a results file with its problem (read by the results reader `compare`
/// and `report` use; the problems by the problems loader). A line without code or whose
/// task is not in the problems is an error naming it.
pub(crate) fn load_samples(results: &Path, problems: &[Problem]) -> Result<Vec<GradedSample>> {
    let by_id: HashMap<&str, &Problem> = problems.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in read_rows(results)? {
        let Some(problem) = by_id.get(row.task_id.as_str()) else {
            return Err(Error::input(
                results,
                row.line,
                "task_id",
                format!("{:?} is not a task of the problems file", row.task_id),
            ));
        };
        let (kind, answer, program) =
            match (&row.solution, &row.completion) {
                (Some(s), _) => ("solution", s.clone(), s.clone()),
                (None, Some(c)) => ("completion", c.clone(), format!("{}{}", problem.prompt, c)),
                (None, None) => return Err(Error::input(
                    results,
                    row.line,
                    "completion",
                    "missing field (a results line to grade needs its `completion` or `solution`)",
                )),
            };
        let completion_id = row.completion_id.unwrap_or(0);
        if !seen.insert((row.task_id.clone(), completion_id)) {
            return Err(Error::input(
                results,
                row.line,
                "completion_id",
                format!("{} appears twice for task {:?}", completion_id, row.task_id),
            ));
        }
        out.push(GradedSample {
            hash: sample_hash(&row.task_id, kind, &answer),
            status: row.status(),
            message: row.why(),
            completion_id,
            program,
            answer,
            prompt: problem.prompt.clone(),
            tests: row.tests.clone(),
            stdout: row.stdout.clone().unwrap_or_default(),
            stderr: row.stderr.clone().unwrap_or_default(),
            task_id: row.task_id,
        });
    }
    Ok(out)
}
