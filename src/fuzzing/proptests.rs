//! Property tests of the checks in `fuzzing`, on generated input shaped like the real
//! thing: JSONL files of records with the loaders' fields (of any type, now and then cut,
//! with a BOM or CRLF), skill file fragments, runner transcripts with and without the
//! nonce.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::path::Path;

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
    const KEYS: [&str; 24] = [
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
        // BigCodeBench
        "complete_prompt",
        "code_prompt",
        "instruct_prompt",
        "libs",
        // LiveCodeBench, APPS, CodeContests
        "question_id",
        "question_content",
        "public_test_cases",
        "metadata",
        "problem_id",
        "question",
        "input_output",
        "name",
        "description",
        "public_tests",
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
    crate::fuzzing::loaders(path, bytes).map_err(TestCaseError::fail)
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
        super::skill_file(&text).map_err(TestCaseError::fail)?;
    }
}

/// Runner records (with the nonce, a wrong one, or none), cut at any byte.
fn transcript() -> impl Strategy<Value = Vec<u8>> {
    let body = prop_oneof![
        Just(r#""ev":"ready""#.to_string()),
        Just(r#""ev":"done""#.to_string()),
        (0usize..5).prop_map(|i| format!(r#""ev":"start","i":{i}"#)),
        (0usize..5, proptest::sample::select(&STATUSES[..]))
            .prop_map(|(i, s)| format!(r#""ev":"end","i":{i},"status":"{s}","exc":"E","line":3"#)),
        proptest::sample::select(&STATUSES[..])
            .prop_map(|s| format!(r#""ev":"program","status":"{s}""#)),
        Just(r#""ev":"bogus""#.to_string()),
    ];
    let nonce = prop_oneof![6 => Just(format!(r#","nonce":"{}""#, super::NONCE)), 1 => Just(String::new()), 1 => Just(r#","nonce":"01""#.to_string())];
    let line = prop_oneof![
        8 => (body, nonce).prop_map(|(b, n)| format!("{{{b}{n}}}\n")),
        1 => ".{0,20}\n",
    ];
    (
        any::<u8>(),
        any::<u8>(),
        proptest::collection::vec(line, 0..10),
        any::<u16>(),
    )
        .prop_map(|(tests, how, lines, cut)| {
            let mut data = vec![tests, how];
            let text = lines.concat().into_bytes();
            let keep = match cut {
                0..=49151 => text.len(),
                c => usize::from(c) % (text.len() + 1),
            };
            data.extend(&text[..keep]);
            data
        })
}

const STATUSES: [&str; 6] = ["passed", "failed", "error", "memory", "crashed", "weird"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_runner_channel_passes_only_on_done_and_reads_do_not_matter(data in transcript()) {
        super::runner_channel(&data).map_err(TestCaseError::fail)?;
    }
}
