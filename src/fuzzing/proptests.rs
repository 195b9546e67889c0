//! Property tests of the loaders: whatever bytes or JSON lines a file holds, loading it
//! never panics, and gives either records or an `Error::Input` naming a line that is in
//! the file (never a line past its end, never another kind of error for a regular file).

use super::{load_problems, load_samples, read_jsonl, Problem};
use crate::error::Error;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::path::Path;

/// Lines of the file as the reader counts them (1-based; a last line without a newline
/// counts).
fn line_count(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count().max(1)
}

/// The loader's answer is records or an input error within the file's lines.
fn check<T>(path: &Path, bytes: &[u8], got: crate::Result<T>) -> Result<(), TestCaseError> {
    match got {
        Ok(_) => Ok(()),
        Err(Error::Input { line, path: p, .. }) => {
            prop_assert_eq!(p.as_path(), path);
            // gzip decompresses to any number of lines: only plain files are bounded.
            let max = if bytes.starts_with(&[0x1f, 0x8b]) {
                usize::MAX
            } else {
                line_count(bytes)
            };
            prop_assert!(line >= 1 && line <= max, "line {} of {}", line, max);
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!("not an input error: {other}"))),
    }
}

fn problem(id: &str) -> Problem {
    Problem {
        id: id.to_string(),
        prompt: "def f():\n".into(),
        entry_point: "f".into(),
        reference: "def f():\n    return 1\n".into(),
        tests: Vec::new(),
        requirements: Vec::new(),
        limits: Default::default(),
        domain: None,
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![Just("T/0"), Just("T/1"), Just("x")].prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object with some of the fields the loaders look for, each of any type.
fn record() -> impl Strategy<Value = Value> {
    const KEYS: [&str; 10] = [
        "task_id",
        "completion",
        "solution",
        "prompt",
        "test",
        "entry_point",
        "canonical_solution",
        "id",
        "tests",
        "domain",
    ];
    proptest::collection::vec((proptest::sample::select(&KEYS[..]), json_value()), 0..8).prop_map(
        |fields| {
            let mut m = Map::new();
            for (k, v) in fields {
                m.insert(k.to_string(), v);
            }
            Value::Object(m)
        },
    )
}

/// Lines of JSON records, with now and then a line that is not JSON, a blank line, a
/// BOM in front, CRLF endings, or the last line cut.
fn jsonl_file() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(
            prop_oneof![
                8 => record().prop_map(|v| v.to_string()),
                1 => json_value().prop_map(|v| v.to_string()),
                1 => Just(String::new()),
                1 => ".{0,20}",
            ],
            0..6,
        ),
        any::<bool>(),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(|(lines, bom, crlf, cut)| {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text: Vec<u8> = lines.join(end).into_bytes();
            text.extend(end.as_bytes());
            if bom {
                text.splice(0..0, [0xEF, 0xBB, 0xBF]);
            }
            if cut > 200 && !text.is_empty() {
                let at = cut as usize % text.len();
                text.truncate(at);
            }
            text
        })
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        // Starts like gzip, so the decoder sees it.
        proptest::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| [&[0x1f, 0x8b][..], &b].concat()),
        // Mostly text with newlines, a few bytes that are not UTF-8.
        proptest::collection::vec(
            prop_oneof![8 => 0x20u8..0x7f, 2 => Just(b'\n'), 1 => 0x80u8..=0xff],
            0..256
        ),
    ]
}

fn loaders(path: &Path, bytes: &[u8]) -> Result<(), TestCaseError> {
    std::fs::write(path, bytes).unwrap();
    check(path, bytes, read_jsonl(path))?;
    check(path, bytes, load_problems(path))?;
    check(
        path,
        bytes,
        load_samples(path, &[problem("T/0"), problem("T/1")]),
    )?;
    check(path, bytes, crate::record::load::read_rows(path))?;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_give_records_or_an_input_error_within_the_file(b in bytes()) {
        let dir = tempfile::tempdir().unwrap();
        loaders(&dir.path().join("f.jsonl"), &b)?;
    }

    #[test]
    fn arbitrary_json_lines_give_records_or_an_input_error_within_the_file(b in jsonl_file()) {
        let dir = tempfile::tempdir().unwrap();
        loaders(&dir.path().join("f.jsonl"), &b)?;
    }
}

/// Fragments of skill files, shuffled: the skill parser answers each with an entry or an
/// input error, never a panic.
fn skill_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("\"\"\"Add two numbers.\"\"\"\n".to_string()),
        Just("# assay: domain = math\n".to_string()),
        Just("# assay: category = arith\n".to_string()),
        Just("# assay: difficulty = basic\n".to_string()),
        Just("# assay: placeholder N = 3\n".to_string()),
        Just("def add(a, b):\n    return a + b\n".to_string()),
        Just("def test_normal_one():\n    assert add(1, 2) == 3\n".to_string()),
        Just("def test_bogus():\n    pass\n".to_string()),
        Just("x = <N>\n".to_string()),
        Just("import os\n".to_string()),
        Just("    \n\t\r\n".to_string()),
        ".{0,30}",
    ];
    proptest::collection::vec(pieces, 0..10).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn skill_files_give_an_entry_or_an_input_error(text in skill_text()) {
        let path = Path::new("s.py");
        match crate::skills::parse_skill_text(path, "s", &text) {
            Ok(_) => {}
            Err(Error::Input { line, .. }) => {
                prop_assert!(line <= text.lines().count().max(1), "line {}", line);
            }
            Err(other) => return Err(TestCaseError::fail(format!("not an input error: {other}"))),
        }
    }
}
