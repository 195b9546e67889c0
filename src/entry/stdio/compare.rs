//! LiveCodeBench's comparison of a program's stdout with the expected output
//! (`lcb_runner/evaluation/testing_util.py`, `grade_stdio`), done by the harness outside
//! the sandbox:
//! - both texts are stripped, split on `"\n"` and each line stripped (Python's `str.strip`
//!   whitespace, which includes `\x1c`–`\x1f`): trailing spaces, `\r` and blank lines at
//!   the ends do not count, blank lines inside do;
//! - the line counts must be equal ("mismatched output length");
//! - a line equal as text passes; otherwise both lines are split on whitespace and every
//!   token read as a Python `Decimal`: if both read and the lists are equal (`1.0 == 1`,
//!   `-0 == 0`, `1e2 == 100`; never a NaN) the line passes. There is no tolerance: the
//!   values must be equal, as `Decimal`s compare.
//!
//! `Decimal`'s reading is CPython 3.11's: underscores anywhere are dropped, `inf`,
//! `infinity`, `nan`, `snan` (any case, with a payload for the NaNs). Not reproduced:
//! non-ASCII decimal digits (which `Decimal` accepts) read as text, and comparing with a
//! signalling NaN, which raises in LiveCodeBench's grader, is a wrong answer here.

use std::cmp::Ordering;

/// Python's `str.isspace` for the characters `strip` and `split` remove.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// `[line.strip() for line in text.strip().split("\n")]`.
fn stripped_lines(text: &str) -> Vec<&str> {
    py_strip(text).split('\n').map(py_strip).collect()
}

/// Why an output is a wrong answer, or `None` when it is right.
pub(crate) fn wrong_answer(output: &str, expected: &str) -> Option<String> {
    let got = stripped_lines(output);
    let want = stripped_lines(expected);
    if got.len() != want.len() {
        return Some(format!(
            "wrong answer: mismatched output length ({} lines, expected {})",
            got.len(),
            want.len()
        ));
    }
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if g == w || decimals_equal(g, w) {
            continue;
        }
        return Some(format!(
            "wrong answer at line {i}: {} != {}",
            truncate(g),
            truncate(w)
        ));
    }
    None
}

/// A call-based case: the JSON of what the function returned (a tuple already a list)
/// against the expected JSON, equal as Python's `==` finds the decoded values (`1 == 1.0`,
/// `True == 1`).
pub(crate) fn wrong_return(returned: &str, expected: &str) -> Option<String> {
    let got: serde_json::Value = match serde_json::from_str(returned) {
        Ok(v) => v,
        Err(_) => return Some(format!("wrong answer: returned {}", truncate(returned))),
    };
    let want: serde_json::Value = match serde_json::from_str(expected) {
        Ok(v) => v,
        Err(e) => return Some(format!("the expected output is not JSON: {e}")),
    };
    (!py_eq(&got, &want)).then(|| {
        format!(
            "wrong answer: returned {} != {}",
            truncate(returned),
            truncate(expected)
        )
    })
}

fn py_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    let number = |v: &V| -> Option<(Option<i128>, f64)> {
        match v {
            V::Bool(x) => Some((Some(i128::from(*x)), f64::from(u8::from(*x)))),
            V::Number(n) => {
                let int = n
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| n.as_u64().map(i128::from));
                Some((int, n.as_f64()?))
            }
            _ => None,
        }
    };
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::String(x), V::String(y)) => x == y,
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        _ => match (number(a), number(b)) {
            (Some((Some(i), _)), Some((Some(j), _))) => i == j,
            (Some((_, x)), Some((_, y))) => x == y,
            _ => false,
        },
    }
}

fn truncate(s: &str) -> String {
    const MAX: usize = 300;
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let head: String = s.chars().take(MAX / 2).collect();
    let tail: String = {
        let v: Vec<char> = s.chars().rev().take(MAX / 2).collect();
        v.into_iter().rev().collect()
    };
    format!("{head}...{tail}")
}

fn decimals_equal(a: &str, b: &str) -> bool {
    let read = |line: &str| -> Option<Vec<Dec>> {
        line.split(is_py_space)
            .filter(|t| !t.is_empty())
            .map(Dec::parse)
            .collect()
    };
    match (read(a), read(b)) {
        (Some(x), Some(y)) => x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| p.equals(q)),
        _ => false,
    }
}

/// A `Decimal` as far as equality needs it.
#[derive(Debug, Clone, PartialEq)]
enum Dec {
    NaN,
    Inf {
        negative: bool,
    },
    /// `digits` × 10^`exp`, digits without leading or trailing zeros (empty: zero).
    Finite {
        negative: bool,
        digits: String,
        exp: i128,
    },
}

impl Dec {
    fn parse(token: &str) -> Option<Dec> {
        let s: String = token.chars().filter(|&c| c != '_').collect();
        let (negative, body) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, &s[..]),
        };
        let lower = body.to_ascii_lowercase();
        if lower == "inf" || lower == "infinity" {
            return Some(Dec::Inf { negative });
        }
        for nan in ["snan", "nan"] {
            if let Some(payload) = lower.strip_prefix(nan) {
                return payload
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                    .then_some(Dec::NaN);
            }
        }
        let (mantissa, exponent) = match lower.find('e') {
            Some(at) => (&lower[..at], Some(&lower[at + 1..])),
            None => (&lower[..], None),
        };
        let (int, frac) = match mantissa.find('.') {
            Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
            None => (mantissa, ""),
        };
        let digit_run = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digit_run(int) || !digit_run(frac) {
            return None;
        }
        let mut exp: i128 = match exponent {
            None => 0,
            Some(e) => {
                let (neg, digits) = match e.as_bytes().first()? {
                    b'-' => (true, &e[1..]),
                    b'+' => (false, &e[1..]),
                    _ => (false, e),
                };
                if digits.is_empty() || !digit_run(digits) {
                    return None;
                }
                let v = digits.bytes().fold(0i128, |acc, b| {
                    acc.saturating_mul(10).saturating_add(i128::from(b - b'0'))
                });
                if neg {
                    -v
                } else {
                    v
                }
            }
        };
        exp = exp.saturating_sub(frac.len() as i128);
        let all = format!("{int}{frac}");
        let trimmed = all.trim_start_matches('0');
        let significant = trimmed.trim_end_matches('0');
        exp = exp.saturating_add((trimmed.len() - significant.len()) as i128);
        Some(Dec::Finite {
            negative,
            digits: significant.to_string(),
            exp,
        })
    }

    fn equals(&self, other: &Dec) -> bool {
        match (self, other) {
            (Dec::NaN, _) | (_, Dec::NaN) => false,
            (Dec::Inf { negative: a }, Dec::Inf { negative: b }) => a == b,
            (
                Dec::Finite {
                    negative: na,
                    digits: da,
                    exp: ea,
                },
                Dec::Finite {
                    negative: nb,
                    digits: db,
                    exp: eb,
                },
            ) => {
                if da.is_empty() || db.is_empty() {
                    return da.is_empty() && db.is_empty();
                }
                na == nb && da == db && ea.cmp(eb) == Ordering::Equal
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn right(out: &str, want: &str) -> bool {
        wrong_answer(out, want).is_none()
    }

    #[test]
    fn lines_are_stripped_and_blank_ends_do_not_count() {
        assert!(right("1 2 \n3\n\n\n", "1 2\n3"));
        assert!(right("  a\r\nb\t\n", "a\nb"));
        assert!(right("\x1cx\x1f", "x"));
        assert!(!right("a\n\nb", "a\nb"), "a blank line inside counts");
        assert!(!right("a b", "a  b"), "inner spaces count on a text line");
        assert!(right("", "\n"));
    }

    #[test]
    fn numbers_compare_as_decimals_without_tolerance() {
        assert!(right("1.0 2", "1 2.00"));
        assert!(right("-0", "0.000"));
        assert!(right("1e2", "100"));
        assert!(right("1_000", "1000"));
        assert!(right("+.5", "0.5"));
        assert!(right("Infinity", "inf"));
        assert!(right("1.  2", "1 2"), "tokens split on any whitespace");
        assert!(!right("0.3333333", "0.33333333"));
        assert!(
            !right("nan", "NaN"),
            "as Decimals NaN is never equal (equal text would pass)"
        );
        assert!(!right("1 2", "1 2 3"));
        assert!(
            right("1e", "1e"),
            "equal text passes before any number is read"
        );
        assert!(
            !right("x 1", "x 1.0"),
            "a token that is not a number fails the line"
        );
        assert!(!right("-inf", "inf"));
    }

    #[test]
    fn returns_compare_as_python_values() {
        assert!(wrong_return("[1, 2]", "[1.0, 2]").is_none());
        assert!(wrong_return("true", "1").is_none());
        assert!(wrong_return("{\"a\": [1]}", "{\"a\": [1.0]}").is_none());
        assert!(wrong_return("\"1\"", "1").is_some());
        assert!(wrong_return("[1]", "[1, 2]").is_some());
        assert!(wrong_return("NaN", "1").is_some());
    }

    #[test]
    fn decimal_reading_follows_cpython() {
        for ok in [
            "1.", ".5", "1e+5", "1E-3", "NaN123", "snan", "in_f", "1._5", "_1",
        ] {
            assert!(Dec::parse(ok).is_some(), "{ok}");
        }
        for bad in [".", "e5", "1e", "0x10", "+-1", "1e5.0", "_", "nan0x"] {
            assert!(Dec::parse(bad).is_none(), "{bad}");
        }
    }
}
