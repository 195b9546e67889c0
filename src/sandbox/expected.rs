//! Input/output tests (APPS, CodeContests, LiveCodeBench): the runner feeds each test's
//! input to the program and reports what came out; the harness compares it here, outside
//! the sandbox, with expected outputs that never enter it. The rules are LiveCodeBench's
//! (`lcb_runner/evaluation/testing_util.py`): `grade_stdio` for programs that read stdin,
//! `grade_call_based` for a function (`fn_name`).

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
            let expected: serde_json::Value = if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && literal.parse::<i64>().is_err()
            {
                serde_json::json!({ "int": literal })
            } else {
                serde_json::from_str(expected)
                    .map_err(|e| format!("the expected output is not JSON ({e})"))?
            };
            let value = &plain(value);
            // LiveCodeBench: "don't penalize model if it produces tuples instead of lists".
            let value = match value.get("tuple") {
                Some(items) if value.as_object().is_some_and(|o| o.len() == 1) => items.clone(),
                _ => value.clone(),
            };
            if py_eq(&value, &expected) {
                Ok(())
            } else {
                Err(format!(
                    "Wrong Answer: got {}, expected {}",
                    truncate(&describe(&value)),
                    truncate(&expected.to_string())
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

/// A typed value (`assay_runner.py` `_typed`) without the tags that name a subclass or a
/// numpy scalar's type (`{"int": "3", "type": "int64"}`, `{"value": "a", "type": "S"}`):
/// Python's `==` compares those as their base type does.
fn plain(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as V;
    match v {
        V::Array(items) => V::Array(items.iter().map(plain).collect()),
        V::Object(o) => {
            let mut o = o.clone();
            o.remove("type");
            if o.len() == 1 {
                if let Some(inner) = o.get("value") {
                    return plain(inner);
                }
            }
            for inner in o.values_mut() {
                *inner = plain(inner);
            }
            V::Object(o)
        }
        other => other.clone(),
    }
}

/// Python's `==` between a returned value (typed, from the runner) and a `json.loads`ed
/// expected value: numbers by value across int, float and bool; lists only equal lists
/// (a nested tuple is not a list); dicts by keys and values; sets never equal JSON.
fn py_eq(got: &serde_json::Value, want: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    if let Some(g) = number(got) {
        return number(want).is_some_and(|w| g.eq_num(&w));
    }
    match (got, want) {
        (V::Null, V::Null) => true,
        (V::String(a), V::String(b)) => a == b,
        (V::Array(a), V::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| py_eq(x, y))
        }
        (V::Object(o), V::Object(w)) => match o.get("dict").and_then(|d| d.as_array()) {
            Some(pairs) if o.len() == 1 => {
                pairs.len() == w.len()
                    && pairs
                        .iter()
                        .all(|pair| match pair.as_array().map(|p| p.as_slice()) {
                            Some([V::String(k), v]) => w.get(k).is_some_and(|e| py_eq(v, e)),
                            _ => false,
                        })
            }
            _ => false,
        },
        _ => false,
    }
}

/// A number on either side: a JSON number or bool, or the runner's `{"int": "…"}` /
/// `{"float": "…"}`.
#[derive(Debug)]
enum Num {
    Int(i128),
    Float(f64),
    /// An integer too large for i128, as its decimal digits.
    Big(String),
}

impl Num {
    fn eq_num(&self, other: &Num) -> bool {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a == b,
            (Num::Big(a), Num::Big(b)) => a == b,
            (Num::Int(i), Num::Big(s)) | (Num::Big(s), Num::Int(i)) => i.to_string() == *s,
            (Num::Float(a), Num::Float(b)) => a == b,
            (Num::Int(i), Num::Float(f)) | (Num::Float(f), Num::Int(i)) => {
                f.fract() == 0.0 && f.is_finite() && (*i as f64) == *f && (*f as i128) == *i
            }
            (Num::Big(s), Num::Float(f)) | (Num::Float(f), Num::Big(s)) => {
                f.is_finite() && f.fract() == 0.0 && format!("{f:.0}") == *s
            }
        }
    }
}

fn number(v: &serde_json::Value) -> Option<Num> {
    use serde_json::Value as V;
    match v {
        V::Bool(b) => Some(Num::Int(*b as i128)),
        V::Number(n) => Some(match n.as_i64() {
            Some(i) => Num::Int(i.into()),
            None => match n.as_u64() {
                Some(u) => Num::Int(u.into()),
                None => Num::Float(n.as_f64()?),
            },
        }),
        V::Object(o) if o.len() == 1 => {
            if let Some(V::String(s)) = o.get("int") {
                return Some(
                    s.parse::<i128>()
                        .map(Num::Int)
                        .unwrap_or(Num::Big(s.clone())),
                );
            }
            if let Some(V::String(s)) = o.get("float") {
                return Some(Num::Float(match s.as_str() {
                    "inf" => f64::INFINITY,
                    "-inf" => f64::NEG_INFINITY,
                    other => other.parse().unwrap_or(f64::NAN),
                }));
            }
            None
        }
        _ => None,
    }
}

/// A typed value back in Python's notation, for messages.
fn describe(v: &serde_json::Value) -> String {
    use serde_json::Value as V;
    let list = |items: &[V]| items.iter().map(describe).collect::<Vec<_>>().join(", ");
    match v {
        V::Null => "None".into(),
        V::Bool(b) => if *b { "True" } else { "False" }.into(),
        V::String(s) => format!("{s:?}"),
        V::Number(n) => n.to_string(),
        V::Array(a) => format!("[{}]", list(a)),
        V::Object(o) => {
            if let Some(V::String(s)) = o.get("int").or_else(|| o.get("float")) {
                return s.clone();
            }
            if let Some(V::Array(a)) = o.get("tuple") {
                return format!("({})", list(a));
            }
            if let Some(V::Array(a)) = o.get("set") {
                return format!("{{{}}}", list(a));
            }
            if let Some(V::String(r)) = o.get("repr") {
                return r.clone();
            }
            if let Some(V::Array(pairs)) = o.get("dict") {
                let items: Vec<String> = pairs
                    .iter()
                    .filter_map(|p| p.as_array())
                    .filter(|p| p.len() == 2)
                    .map(|p| format!("{}: {}", describe(&p[0]), describe(&p[1])))
                    .collect();
                return format!("{{{}}}", items.join(", "));
            }
            v.to_string()
        }
    }
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
        let eq = |a: &str, b: &str| py_eq(&v(a), &v(b));
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
        let call = IoMode::Call {
            fn_name: "f".into(),
        };
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
        assert!(judge(
            &IoMode::Call {
                fn_name: "f".into()
            },
            &big,
            "123456789012345678901234567890123456789012"
        )
        .is_ok());
        assert!(judge(
            &IoMode::Call {
                fn_name: "f".into()
            },
            &big,
            "123456789012345678901234567890123456789013"
        )
        .is_err());
        let small = Produced::Value {
            value: v(r#"{"int":"170141183460469231731687303715884105727"}"#),
        };
        assert!(judge(
            &IoMode::Call {
                fn_name: "f".into()
            },
            &small,
            "170141183460469231731687303715884105727"
        )
        .is_ok());
        let tuple = Produced::Value {
            value: v(r#"{"tuple":[{"int":"1"},{"int":"2"}]}"#),
        };
        let call = IoMode::Call {
            fn_name: "f".into(),
        };
        assert!(judge(&call, &tuple, "[1, 2]").is_ok());
        assert!(judge(&call, &tuple, "[2, 1]")
            .unwrap_err()
            .starts_with("Wrong Answer: got [1, 2], expected [2,1]"));
    }
}
