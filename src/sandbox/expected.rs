//! Input/output tests (APPS, CodeContests, LiveCodeBench): the runner feeds each test's
//! input to the program and reports what came out; the harness compares it here, outside
//! the sandbox, with expected outputs that never enter it. The rules are LiveCodeBench's
//! (`lcb_runner/evaluation/testing_util.py`): `grade_stdio` for programs that read stdin,
//! `grade_call_based` for a function (`fn_name`).

use crate::python::value::{py_eq, Val};
use serde::{Deserialize, Serialize};

/// How the program is driven.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum IoMode {
    /// The program reads stdin and writes stdout, once per test.
    Stdin,
    /// `fn_name` is called with each test's arguments (a `Solution` method when the
    /// program defines `class Solution`).
    Call { fn_name: String },
}

/// One test: its input as the dataset gives it, and the expected output (harness-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoCase {
    pub input: String,
    pub expected: String,
}

/// The input/output tests of one execution (one per `TestCase`, in order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoTests {
    #[serde(flatten)]
    pub mode: IoMode,
    pub cases: Vec<IoCase>,
    /// Each test's own time limit.
    pub per_test_ms: u64,
}

impl IoTests {
    /// These tests under a run's limits: `limits.timeout_secs` becomes each test's own limit,
    /// and the execution as a whole gets LiveCodeBench's `(timeout + 1) × tests + 5` s.
    pub fn fit(&self, limits: &mut super::Limits) -> IoTests {
        let per_test = limits.timeout_secs;
        let whole = (per_test + 1.0) * self.cases.len() as f64 + 5.0;
        limits.timeout_secs = whole;
        limits.cpu_secs = whole.ceil() as u64 + 1;
        IoTests {
            per_test_ms: (per_test * 1000.0).round() as u64,
            ..self.clone()
        }
    }

    /// What the runner is sent: the mode, the inputs and the limit, never the outputs.
    pub fn request_value(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "inputs": self.cases.iter().map(|c| c.input.as_str()).collect::<Vec<_>>(),
            "limit": self.per_test_ms as f64 / 1000.0,
        });
        match &self.mode {
            IoMode::Stdin => v["mode"] = "stdin".into(),
            IoMode::Call { fn_name } => {
                v["mode"] = "call".into();
                v["fn_name"] = fn_name.as_str().into();
            }
        }
        v
    }
}

/// What the runner reported a test produced.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Produced {
    /// Stdin mode: the captured stdout (`cut` when it was longer than the runner keeps).
    Text {
        text: String,
        #[serde(default)]
        cut: bool,
    },
    /// Call mode: the return value, typed (see `assay_runner.py` `_typed`).
    Value { value: serde_json::Value },
}

/// Compares what a test produced with what was expected: `Err` says why it is wrong.
pub fn judge(mode: &IoMode, produced: &Produced, expected: &str) -> Result<(), String> {
    match (mode, produced) {
        (IoMode::Stdin, Produced::Text { text, cut }) => {
            if *cut {
                return Err("more output than the runner keeps for one test".into());
            }
            compare_stdout(text, expected)
        }
        (IoMode::Call { .. }, Produced::Value { value }) => {
            // An integer past i64 stays exact (serde_json would make it a float), as
            // `json.loads` keeps it; inside a list it is compared as a float.
            let literal = expected.trim();
            let digits = literal.strip_prefix('-').unwrap_or(literal);
            let (want, shown) = if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && literal.parse::<i64>().is_err()
            {
                (Val::Int(literal.to_string()), literal.to_string())
            } else {
                let json: serde_json::Value = serde_json::from_str(expected)
                    .map_err(|e| format!("the expected output is not JSON ({e})"))?;
                (Val::from_json(&json), json.to_string())
            };
            let got = Val::decode(value);
            // LiveCodeBench: "don't penalize model if it produces tuples instead of lists".
            let got = match got.base() {
                Val::Tuple(items) => Val::List(items.clone()),
                _ => got,
            };
            if py_eq(&got, &want) {
                Ok(())
            } else {
                Err(format!(
                    "Wrong Answer: got {}, expected {}",
                    truncate(&got.repr()),
                    truncate(&shown)
                ))
            }
        }
        _ => Err("the runner reported the wrong kind of output".into()),
    }
}

/// `grade_stdio`: both sides stripped, split on `\n`, each line stripped; the same number
/// of lines; each pair equal as text or, failing that, as whitespace-separated decimals
/// (`Decimal` equality: `1.0` equals `1`, `0.30` equals `.3`, no tolerance).
pub fn compare_stdout(produced: &str, expected: &str) -> Result<(), String> {
    let got = stripped_lines(produced);
    let want = stripped_lines(expected);
    if got.len() != want.len() {
        return Err(format!(
            "Wrong answer: mismatched output length ({} lines, expected {})",
            got.len(),
            want.len()
        ));
    }
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if g == w {
            continue;
        }
        let same = match (decimals(g), decimals(w)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        };
        if !same {
            return Err(format!(
                "Wrong answer at line {i}: {} != {}",
                truncate(g),
                truncate(w)
            ));
        }
    }
    Ok(())
}

/// Python's `str.strip` whitespace: ASCII whitespace, the separators 0x1c-0x1f and
/// Unicode's White_Space characters.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn stripped_lines(s: &str) -> Vec<&str> {
    s.trim_matches(py_space)
        .split('\n')
        .map(|l| l.trim_matches(py_space))
        .collect()
}

/// `[Decimal(e) for e in line.split()]`, or None when an element is not a decimal.
fn decimals(line: &str) -> Option<Vec<Decimal>> {
    line.split(py_space)
        .filter(|e| !e.is_empty())
        .map(Decimal::parse)
        .collect()
}

/// A number as Python's `Decimal` constructor reads it, reduced so that `==` is numeric
/// equality: sign, digits without leading or trailing zeros, and the exponent of the last
/// digit. Infinities and NaN compare as `Decimal` does (NaN never equal).
#[derive(Debug, Clone)]
enum Decimal {
    Finite {
        negative: bool,
        digits: String,
        exponent: i64,
    },
    Infinite {
        negative: bool,
    },
    NaN,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        // Decimal() accepts '_' between digits and surrounding whitespace (split removed it).
        let s = text.to_ascii_lowercase();
        let (negative, body) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, &s[..]),
        };
        match body {
            "inf" | "infinity" => return Some(Decimal::Infinite { negative }),
            "nan" => return Some(Decimal::NaN),
            "snan" => return Some(Decimal::NaN),
            _ => {}
        }
        if let Some(payload) = body
            .strip_prefix("nan")
            .or_else(|| body.strip_prefix("snan"))
        {
            return payload
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then_some(Decimal::NaN);
        }
        let (mantissa, exp) = match body.split_once('e') {
            Some((m, e)) => (m, parse_exponent(e)?),
            None => (body, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if (int.is_empty() && frac.is_empty())
            || !underscored_digits(int)
            || !underscored_digits(frac)
        {
            return None;
        }
        let frac: String = frac.chars().filter(|c| *c != '_').collect();
        let mut digits: String = int.chars().filter(|c| *c != '_').collect();
        digits.push_str(&frac);
        let mut exponent = exp.checked_sub(frac.len() as i64)?;
        let digits = digits.trim_start_matches('0');
        let trimmed = digits.trim_end_matches('0');
        exponent = exponent.checked_add((digits.len() - trimmed.len()) as i64)?;
        if trimmed.is_empty() {
            // Every zero is equal to every other, whatever its sign or exponent.
            return Some(Decimal::Finite {
                negative: false,
                digits: String::new(),
                exponent: 0,
            });
        }
        Some(Decimal::Finite {
            negative,
            digits: trimmed.to_string(),
            exponent,
        })
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Decimal::Finite {
                    negative: n1,
                    digits: d1,
                    exponent: e1,
                },
                Decimal::Finite {
                    negative: n2,
                    digits: d2,
                    exponent: e2,
                },
            ) => n1 == n2 && d1 == d2 && e1 == e2,
            (Decimal::Infinite { negative: a }, Decimal::Infinite { negative: b }) => a == b,
            _ => false, // NaN equals nothing, itself included
        }
    }
}

/// Digits with single underscores between them (Python's numeric literal rule), or empty.
fn underscored_digits(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    let b = s.as_bytes();
    b.iter().all(|c| c.is_ascii_digit() || *c == b'_')
        && b[0] != b'_'
        && b[b.len() - 1] != b'_'
        && !s.contains("__")
}

fn parse_exponent(e: &str) -> Option<i64> {
    let (neg, digits) = match e.as_bytes().first()? {
        b'-' => (true, &e[1..]),
        b'+' => (false, &e[1..]),
        _ => (false, e),
    };
    if digits.is_empty() || !underscored_digits(digits) {
        return None;
    }
    let v: i64 = digits.replace('_', "").parse().ok()?;
    Some(if neg { -v } else { v })
}

/// LiveCodeBench's `truncatefn`: at most 300 characters, the middle cut out.
fn truncate(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 300 {
        return s.to_string();
    }
    let head: String = chars[..150].iter().collect();
    let tail: String = chars[chars.len() - 150..].iter().collect();
    format!("{head}...(truncated) ...{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdout_lines_are_stripped_and_compared_as_decimals() {
        assert!(compare_stdout("1 2\n3\n", "1 2\n3").is_ok());
        assert!(compare_stdout("  1 2   \n\n", "1 2").is_ok());
        assert!(compare_stdout("1.0\n", "1").is_ok());
        assert!(compare_stdout("0.30 1e2", ".3 100").is_ok());
        assert!(compare_stdout("1  2", "1 2").is_ok()); // split() on runs of spaces
        assert!(compare_stdout("0.3333333", "0.33333333").is_err()); // no tolerance
        assert!(compare_stdout("1\n\n2", "1\n2").is_err()); // an inner blank line counts
        assert!(compare_stdout("YES", "yes").is_err());
        assert!(compare_stdout("-0", "0").is_ok());
        assert!(compare_stdout("nan", "nan").is_ok()); // equal as text first
        assert!(compare_stdout("nan", "NaN").is_err()); // NaN equals no Decimal
        assert!(compare_stdout("inf", "Infinity").is_ok());
        assert!(compare_stdout("1_000", "1000").is_ok());
        assert!(compare_stdout("1__0", "10").is_err());
        assert!(compare_stdout("", "").is_ok());
        assert!(compare_stdout("\n", "").is_ok());
    }

    #[test]
    fn decimals_parse_as_python_does() {
        let d = |s| Decimal::parse(s);
        assert_eq!(d("12.500"), d("12.5"));
        assert_eq!(d("1.2E+1"), d("12"));
        assert!(
            d("1e").is_none() && d(".").is_none() && d("1.2.3").is_none() && d("0x10").is_none()
        );
        assert!(d("5.").is_some() && d(".5").is_some());
        assert_ne!(d("5"), d("-5"));
    }

    #[test]
    fn values_compare_as_python_equality() {
        let v = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        let call = IoMode::Call {
            fn_name: "f".into(),
        };
        let eq = |a: &str, b: &str| judge(&call, &Produced::Value { value: v(a) }, b).is_ok();
        assert!(eq(r#"{"int":"3"}"#, "3"));
        assert!(eq(r#"{"float":"3.0"}"#, "3"));
        assert!(eq("true", "1"));
        assert!(eq(r#"[{"int":"1"},{"float":"2.5"}]"#, "[1, 2.5]"));
        assert!(!eq(r#"[{"tuple":[{"int":"1"}]}]"#, "[[1]]")); // a nested tuple is no list
        assert!(!eq(r#"{"set":[{"int":"1"}]}"#, "[1]"));
        assert!(eq(r#"{"dict":[["a",{"int":"1"}]]}"#, r#"{"a": 1}"#));
        assert!(!eq(
            r#"{"dict":[[{"int":"1"},{"int":"1"}]]}"#,
            r#"{"1": 1}"#
        ));
        assert!(!eq(r#""1""#, "1"));
        let tagged = |s: &str| Produced::Value { value: v(s) };
        assert!(judge(
            &call,
            &tagged(r#"[{"int":"3","type":"int64"},{"value":"a","type":"S"}]"#),
            r#"[3, "a"]"#
        )
        .is_ok());
        assert!(judge(&call, &tagged(r#"{"other":"ndarray"}"#), "[0, 1]").is_err());
        let big = Produced::Value {
            value: v(r#"{"int":"123456789012345678901234567890123456789012"}"#),
        };
        assert!(judge(&call, &big, "123456789012345678901234567890123456789012").is_ok());
        assert!(judge(&call, &big, "123456789012345678901234567890123456789013").is_err());
        let small = Produced::Value {
            value: v(r#"{"int":"170141183460469231731687303715884105727"}"#),
        };
        assert!(judge(&call, &small, "170141183460469231731687303715884105727").is_ok());
        let tuple = Produced::Value {
            value: v(r#"{"tuple":[{"int":"1"},{"int":"2"}]}"#),
        };
        assert!(judge(&call, &tuple, "[1, 2]").is_ok());
        assert!(judge(&call, &tuple, "[2, 1]")
            .unwrap_err()
            .starts_with("Wrong Answer: got [1, 2], expected [2,1]"));
    }
}
