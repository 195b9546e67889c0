//! EvalPlus 0.3.1's comparison (`evalplus/eval/__init__.py`, `unsafe_execute`), on the
//! host: per input, `out == exp` first; the special oracles of particular tasks; then,
//! when not equal and `atol` is not 0 (it becomes 1e-6, for the rest of the section, at
//! the first expected value that `is_floats`), `type(out) == type(exp)`, equal lengths
//! and `np.allclose(out, exp, rtol=1e-07, atol=atol)`.

use super::{input_name, CallRecord, CallResult, CallStatus, Calls, Check, Dataset};
use crate::entry::Level;
use crate::python::value::{allclose, as_set, is_floats, py_eq, Val};
use crate::sandbox::runner::Decision;
use crate::sandbox::{Status, TestVerdict, TimeoutKind};
use serde_json::Value;

/// MBPP+ tasks whose outputs are compared as sets (`MBPP_OUTPUT_SET_EQ_TASKS`).
const MBPP_SET_EQ: &[&str] = &[
    "similar_elements",
    "find_char_long",
    "common_in_nested_lists",
    "extract_singly",
    "larg_nnum",
    "intersection_array",
    "find_dissimilar",
    "Diff",
];

/// MBPP+ tasks where only "not None" is checked (`MBPP_OUTPUT_NOT_NONE_TASKS`).
pub(crate) const MBPP_NOT_NONE: &[&str] = &["check_str", "text_match_three", "text_starta_endb"];

/// Completes the decision of an execution with the `calls` instrument.
pub(crate) fn decide(calls: &Calls, records: &[Option<CallRecord>], done: bool, d: &mut Decision) {
    let n = calls.limits.len();
    let Some(check) = &calls.check else {
        // A reference run: its values, for the expected outputs.
        if done {
            d.calls = (0..n)
                .map(|i| match records.get(i).cloned().flatten() {
                    Some(r) if r.status == CallStatus::Passed => CallResult {
                        value: r.value,
                        secs: r.secs.unwrap_or(0.0),
                        error: None,
                    },
                    Some(r) => CallResult {
                        value: None,
                        secs: r.secs.unwrap_or(0.0),
                        error: Some(describe(&r)),
                    },
                    None => CallResult {
                        value: None,
                        secs: 0.0,
                        error: Some("no result reported".into()),
                    },
                })
                .collect();
        }
        return;
    };
    let program_failed = done && d.status != Status::Passed;
    let mut inputs: Option<Vec<Value>> = None;
    let mut atol = check.atol;
    let mut tests = Vec::with_capacity(n);
    let mut first_missing = true;
    for i in 0..n {
        if i == calls.base {
            atol = check.atol; // each section is its own `unsafe_execute`
        }
        let level = if i < calls.base {
            Level::Normal
        } else {
            Level::EdgeCase
        };
        let verdict = |status: Status, message: String, ms: Option<f64>| TestVerdict {
            name: input_name(i, calls.base),
            level,
            status,
            message,
            duration_ms: ms,
        };
        let record = if program_failed {
            None
        } else {
            records.get(i).cloned().flatten()
        };
        let Some(rec) = record else {
            let v = if !done && first_missing && !program_failed {
                first_missing = false;
                verdict(d.status, d.message.clone(), None)
            } else if done && !program_failed {
                verdict(
                    Status::Crashed,
                    "no result reported for this input".into(),
                    None,
                )
            } else {
                verdict(Status::NotRun, String::new(), None)
            };
            tests.push(v);
            continue;
        };
        let ms = rec.secs.map(|s| s * 1000.0);
        let v = match rec.status {
            CallStatus::Passed => {
                let out = rec.value.as_ref().map(Val::decode).unwrap_or(Val::None);
                let exp = check
                    .expected
                    .get(i)
                    .map(Val::decode)
                    .unwrap_or(Val::Other("missing".into()));
                let text = calls.inputs.0.as_str();
                let parsed = &mut inputs;
                let input = move || -> Option<Value> {
                    parsed
                        .get_or_insert_with(|| serde_json::from_str(text).unwrap_or_default())
                        .get(i)
                        .cloned()
                };
                match compare(check, &calls.entry_point, &out, &exp, &mut atol, input) {
                    Ok(()) => verdict(Status::Passed, String::new(), ms),
                    Err(why) => verdict(Status::Failed, why, ms),
                }
            }
            CallStatus::Timeout => verdict(
                Status::Timeout,
                format!("time limit of {:.3} s for this input", calls.limits[i]),
                None,
            ),
            CallStatus::Memory => verdict(Status::Memory, describe(&rec), ms),
            _ => verdict(Status::Error, describe(&rec), ms),
        };
        tests.push(v);
    }
    // A section with no inputs passes when the program ran (as EvalPlus's does).
    let empty = |name: &str, level: Level| TestVerdict {
        name: name.into(),
        level,
        status: match done && !program_failed {
            true => Status::Passed,
            false => Status::NotRun,
        },
        message: String::new(),
        duration_ms: None,
    };
    if calls.base == 0 {
        tests.insert(0, empty("base", Level::Normal));
    }
    if check.plus && calls.base == n {
        tests.push(empty("plus", Level::EdgeCase));
    }
    if done && !program_failed {
        match tests.iter().find(|t| t.status != Status::Passed) {
            None => {
                d.status = Status::Passed;
                d.message.clear();
            }
            Some(t) => {
                d.status = t.status;
                d.message = format!("{}: {}", t.name, t.message);
                d.exception_text = Some(t.message.clone());
                d.timeout = (t.status == Status::Timeout).then_some(TimeoutKind::Wall);
            }
        }
    }
    d.tests = tests;
}

fn describe(r: &CallRecord) -> String {
    match (&r.exc, r.text.as_deref()) {
        (Some(e), Some(t)) if !t.is_empty() => format!("{e}: {t}"),
        (Some(e), _) => e.clone(),
        (None, Some(t)) => t.to_string(),
        (None, None) => format!("{:?}", r.status),
    }
}

/// One input's comparison, as `unsafe_execute` makes it; `atol` carries over to later
/// inputs of the section as EvalPlus's local variable does.
pub(crate) fn compare(
    check: &Check,
    entry_point: &str,
    out: &Val,
    exp: &Val,
    atol: &mut f64,
    input: impl FnOnce() -> Option<Value>,
) -> Result<(), String> {
    let differ = || format!("expected {}, got {}", exp.repr(), out.repr());
    let mut exact = py_eq(out, exp);
    match check.dataset {
        Dataset::Mbpp => match entry_point {
            "are_equivalent" => exact = true,
            "sum_div" => exact = exact || py_eq(out, &Val::Int("0".into())),
            "surface_Area" if !exact => {
                let args = input().and_then(|v| numbers(&v)).unwrap_or_default();
                let reference = match args.as_slice() {
                    [b, h] => surface_area(*b, *h),
                    _ => return Err("the special oracle of surface_Area raised".into()),
                };
                let Some(o) = number(out) else {
                    return Err(format!("{} is not a number", out.repr()));
                };
                exact = (o - reference).abs() <= *atol;
            }
            "digit_distance_nums" if !exact => {
                let reference = input().and_then(|v| digit_distance(&v));
                match reference {
                    Some(r) => exact = py_eq(out, &Val::Int(r.to_string())),
                    None => return Err("the special oracle of digit_distance_nums raised".into()),
                }
            }
            e if MBPP_SET_EQ.contains(&e) => {
                let (Some(a), Some(b)) = (as_set(out), as_set(exp)) else {
                    return Err(format!("set({}) raised", out.repr()));
                };
                exact = py_eq(&Val::Set(a), &Val::Set(b));
            }
            e if MBPP_NOT_NONE.contains(&e) => {
                exact = match out.base() {
                    Val::Bool(_) => py_eq(out, exp),
                    o => py_eq(exp, &Val::Bool(*o != Val::None)),
                };
            }
            _ => {}
        },
        Dataset::HumanEval if entry_point == "find_zero" => {
            let xs = input()
                .and_then(|v| v.as_array().and_then(|a| a.first().cloned()))
                .and_then(|xs| numbers(&xs));
            let (Some(xs), Some(x)) = (xs, number(out)) else {
                return Err(format!("poly(xs, {}) raised", out.repr()));
            };
            let p: f64 = xs
                .iter()
                .enumerate()
                .fold(0.0, |acc, (i, c)| acc + c * x.powf(i as f64));
            return if p.abs() <= *atol {
                Ok(())
            } else {
                Err(format!(
                    "|poly(xs, {})| = {} > atol {}",
                    out.repr(),
                    p.abs(),
                    atol
                ))
            };
        }
        Dataset::HumanEval => {}
    }
    if *atol == 0.0 && is_floats(exp) {
        *atol = 1e-6;
    }
    if !exact && *atol != 0.0 {
        if out.type_name() != exp.type_name() {
            return Err(format!(
                "expected a {}, got a {} ({})",
                exp.type_name(),
                out.type_name(),
                out.repr()
            ));
        }
        if let (Val::List(a) | Val::Tuple(a), Val::List(b) | Val::Tuple(b)) =
            (out.base(), exp.base())
        {
            if a.len() != b.len() {
                return Err(format!("expected {} items, got {}", b.len(), a.len()));
            }
        }
        if allclose(out, exp, 1e-7, *atol) {
            Ok(())
        } else {
            Err(format!("{} (atol {})", differ(), atol))
        }
    } else if exact {
        Ok(())
    } else {
        Err(differ())
    }
}

fn number(v: &Val) -> Option<f64> {
    match v.base() {
        Val::Bool(b) => Some(f64::from(u8::from(*b))),
        Val::Int(i) => i.parse().ok(),
        Val::Float(f) => Some(*f),
        _ => None,
    }
}

fn numbers(v: &Value) -> Option<Vec<f64>> {
    v.as_array()?
        .iter()
        .map(|x| match x {
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Number(n) => n.as_f64(),
            _ => None,
        })
        .collect()
}

/// EvalPlus's `_surface_Area` (Mbpp/581): Python's `round` (half to even) of the area.
fn surface_area(base_edge: f64, height: f64) -> f64 {
    let slant = ((base_edge / 2.0).powi(2) + height.powi(2)).sqrt();
    let total = base_edge.powi(2) + 4.0 * (base_edge * slant) / 2.0;
    total.round_ties_even()
}

/// EvalPlus's `_digit_distance_nums` (Mbpp/558); None where it raises (a `-` or `.`).
fn digit_distance(args: &Value) -> Option<u64> {
    let a = args.as_array()?;
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
            _ => None,
        }
    };
    let (x, y) = (text(a.first()?)?, text(a.get(1)?)?);
    let width = x.len().max(y.len());
    let pad = |s: &str| format!("{s:0>width$}");
    let (x, y) = (pad(&x), pad(&y));
    let mut total = 0;
    for (p, q) in x.chars().zip(y.chars()) {
        total += u64::from(p.to_digit(10)?.abs_diff(q.to_digit(10)?));
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(dataset: Dataset, atol: f64) -> Check {
        Check {
            dataset,
            task_id: "T/0".into(),
            atol,
            expected: Vec::new(),
            plus: true,
        }
    }

    fn cmp(c: &Check, ep: &str, out: Value, exp: Value, atol: &mut f64, inp: Value) -> bool {
        compare(c, ep, &Val::decode(&out), &Val::decode(&exp), atol, || {
            Some(inp)
        })
        .is_ok()
    }

    #[test]
    fn atol_becomes_1e6_for_floats_and_stays() {
        let c = check(Dataset::HumanEval, 0.0);
        let mut atol = 0.0;
        let f = |s: &str| json!({"float": s});
        // Exact ints: atol stays 0.
        assert!(!cmp(
            &c,
            "f",
            json!({"int": "1"}),
            json!({"int": "2"}),
            &mut atol,
            json!([])
        ));
        assert_eq!(atol, 0.0);
        assert!(cmp(&c, "f", f("1.0000001"), f("1.0"), &mut atol, json!([])));
        assert_eq!(atol, 1e-6);
        // Now an int expectation is compared with the tolerance too, and the type.
        assert!(!cmp(
            &c,
            "f",
            f("2.0000001"),
            json!({"int": "2"}),
            &mut atol,
            json!([])
        ));
        assert!(cmp(
            &c,
            "f",
            f("2.0"),
            json!({"int": "2"}),
            &mut atol,
            json!([])
        ));
        assert!(!cmp(
            &c,
            "f",
            json!([f("1.0")]),
            json!({"tuple": [f("1.0")]}),
            &mut atol,
            json!([])
        ));
    }

    fn decided(status: Status, records: Vec<Option<CallRecord>>, done: bool) -> Decision {
        let calls = Calls {
            entry_point: "f".into(),
            inputs: crate::evalplus::Shared(std::sync::Arc::new("[[1],[2],[3]]".into())),
            limits: vec![1.0; 3],
            convert: None,
            base: 2,
            check: Some(crate::evalplus::Shared(std::sync::Arc::new(Check {
                expected: vec![
                    json!({"int": "1"}),
                    json!({"int": "2"}),
                    json!({"int": "3"}),
                ],
                ..check(Dataset::HumanEval, 0.0)
            }))),
        };
        let mut d = Decision {
            status,
            message: "wall-clock time limit".into(),
            exception_text: None,
            timeout: None,
            tests: Vec::new(),
            coverage: None,
            probes: Vec::new(),
            calls: Vec::new(),
        };
        decide(&calls, &records, done, &mut d);
        d
    }

    fn rec(status: CallStatus, value: Option<Value>) -> Option<CallRecord> {
        Some(CallRecord {
            status,
            value,
            secs: Some(0.001),
            exc: None,
            text: None,
        })
    }

    #[test]
    fn per_input_verdicts_and_the_sample_status() {
        let ok = |v: &str| rec(CallStatus::Passed, Some(json!({"int": v})));
        let d = decided(Status::Passed, vec![ok("1"), ok("2"), ok("3")], true);
        assert_eq!(d.status, Status::Passed);
        let names: Vec<_> = d.tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["base/0", "base/1", "plus/0"]);
        // A wrong value and a per-input timeout: the first one decides the status.
        let d = decided(
            Status::Passed,
            vec![ok("1"), rec(CallStatus::Timeout, None), ok("4")],
            true,
        );
        assert_eq!(d.status, Status::Timeout);
        assert_eq!(d.tests[2].status, Status::Failed);
        assert_eq!(d.tests[2].message, "expected 3, got 4");
        // Killed during the second input: it gets the kill, the rest did not run.
        let d = decided(Status::Timeout, vec![ok("1")], false);
        let s: Vec<_> = d.tests.iter().map(|t| t.status).collect();
        assert_eq!(s, [Status::Passed, Status::Timeout, Status::NotRun]);
        // The program failed before any call: nothing ran, the program's status stays.
        let d = decided(Status::Error, Vec::new(), true);
        assert_eq!(d.status, Status::Error);
        assert!(d.tests.iter().all(|t| t.status == Status::NotRun));
    }

    #[test]
    fn special_oracles() {
        let c = check(Dataset::HumanEval, 1e-6);
        let mut atol = 1e-6;
        let xs = json!([[-6, 11, -6, 1]]);
        assert!(cmp(
            &c,
            "find_zero",
            json!({"float": "1.0000000001"}),
            json!({"float": "3.0"}),
            &mut atol,
            xs.clone()
        ));
        assert!(!cmp(
            &c,
            "find_zero",
            json!({"float": "1.5"}),
            json!({"float": "1.0"}),
            &mut atol,
            xs
        ));
        let m = check(Dataset::Mbpp, 0.0);
        let mut atol = 0.0;
        let s = |v: Vec<i64>| {
            json!(v
                .into_iter()
                .map(|i| json!({"int": i.to_string()}))
                .collect::<Vec<_>>())
        };
        assert!(cmp(
            &m,
            "similar_elements",
            s(vec![2, 1, 2]),
            json!({"tuple": s(vec![1, 2])}),
            &mut atol,
            json!([])
        ));
        assert!(!cmp(
            &m,
            "similar_elements",
            s(vec![1]),
            s(vec![1, 2]),
            &mut atol,
            json!([])
        ));
        assert!(cmp(
            &m,
            "check_str",
            json!({"other": "Match"}),
            json!(true),
            &mut atol,
            json!([])
        ));
        assert!(!cmp(
            &m,
            "check_str",
            json!(null),
            json!(true),
            &mut atol,
            json!([])
        ));
        assert!(cmp(
            &m,
            "digit_distance_nums",
            json!({"int": "7"}),
            json!({"int": "5"}),
            &mut atol,
            json!([123, 256])
        ));
        assert!(!cmp(
            &m,
            "digit_distance_nums",
            json!({"int": "6"}),
            json!({"int": "5"}),
            &mut atol,
            json!([-123, 256])
        ));
        assert_eq!(surface_area(3.0, 4.0), 35.0);
    }
}
