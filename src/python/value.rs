//! Python values as the runner reports them (typed JSON, `assay_runner.py`'s `_typed`),
//! and the comparisons EvalPlus makes of them: `==`, `type(a) == type(b)`, `is_floats`,
//! and `np.allclose` (with numpy's broadcasting).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    None,
    Bool(bool),
    /// Decimal digits with an optional `-`, as Python's `str(int)`.
    Int(String),
    Float(f64),
    Complex(f64, f64),
    Str(String),
    List(Vec<Val>),
    Tuple(Vec<Val>),
    Set(Vec<Val>),
    FrozenSet(Vec<Val>),
    Dict(Vec<(Val, Val)>),
    /// A subclass of a builtin (numpy's float64, an IntEnum...): its type name, its value.
    Sub(String, Box<Val>),
    /// A value of any other type: its type name (compares unequal to everything).
    Other(String),
}

fn float(s: &str) -> f64 {
    match s {
        "nan" => f64::NAN,
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        _ => s.parse().unwrap_or(f64::NAN),
    }
}

impl Val {
    pub(crate) fn decode(v: &Value) -> Val {
        match v {
            Value::Null => Val::None,
            Value::Bool(b) => Val::Bool(*b),
            Value::String(s) => Val::Str(s.clone()),
            Value::Array(a) => Val::List(a.iter().map(Val::decode).collect()),
            // Plain JSON numbers (inputs read on the host): ints stay ints.
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Val::Int(i.to_string()),
                (_, Some(u)) => Val::Int(u.to_string()),
                _ => Val::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::Object(m) => {
                let items = |k: &str| -> Vec<Val> {
                    m.get(k)
                        .and_then(Value::as_array)
                        .map(|a| a.iter().map(Val::decode).collect())
                        .unwrap_or_default()
                };
                let inner = if let Some(Value::String(s)) = m.get("int") {
                    Val::Int(s.clone())
                } else if let Some(Value::String(s)) = m.get("float") {
                    Val::Float(float(s))
                } else if m.contains_key("tuple") {
                    Val::Tuple(items("tuple"))
                } else if m.contains_key("set") {
                    Val::Set(items("set"))
                } else if m.contains_key("frozenset") {
                    Val::FrozenSet(items("frozenset"))
                } else if let Some(Value::Array(pairs)) = m.get("dict") {
                    Val::Dict(
                        pairs
                            .iter()
                            .map(|p| match p.as_array().map(Vec::as_slice) {
                                Some([k, v]) => (Val::decode(k), Val::decode(v)),
                                _ => (Val::Other("?".into()), Val::Other("?".into())),
                            })
                            .collect(),
                    )
                } else if let Some(Value::Array(c)) = m.get("complex") {
                    let part = |i: usize| c.get(i).and_then(Value::as_str).map_or(f64::NAN, float);
                    Val::Complex(part(0), part(1))
                } else if let Some(v) = m.get("value") {
                    Val::decode(v)
                } else {
                    let name = m.get("other").and_then(Value::as_str).unwrap_or("object");
                    return Val::Other(name.to_string());
                };
                match m.get("type").and_then(Value::as_str) {
                    Some(t) => Val::Sub(t.to_string(), Box::new(inner)),
                    None => inner,
                }
            }
        }
    }

    /// A plain JSON value as Python's `json.loads` gives it (objects are dicts with str
    /// keys; no runner tags), e.g. an expected output.
    pub(crate) fn from_json(v: &Value) -> Val {
        match v {
            Value::Array(a) => Val::List(a.iter().map(Val::from_json).collect()),
            Value::Object(m) => Val::Dict(
                m.iter()
                    .map(|(k, v)| (Val::Str(k.clone()), Val::from_json(v)))
                    .collect(),
            ),
            scalar => Val::decode(scalar),
        }
    }

    /// The value without its subclass wrapper (what `==` and numpy see).
    pub(crate) fn base(&self) -> &Val {
        match self {
            Val::Sub(_, v) => v.base(),
            v => v,
        }
    }

    /// `type(x).__name__`.
    pub(crate) fn type_name(&self) -> &str {
        match self {
            Val::None => "NoneType",
            Val::Bool(_) => "bool",
            Val::Int(_) => "int",
            Val::Float(_) => "float",
            Val::Complex(..) => "complex",
            Val::Str(_) => "str",
            Val::List(_) => "list",
            Val::Tuple(_) => "tuple",
            Val::Set(_) => "set",
            Val::FrozenSet(_) => "frozenset",
            Val::Dict(_) => "dict",
            Val::Sub(t, _) | Val::Other(t) => t,
        }
    }

    /// `isinstance(x, float)`.
    pub(crate) fn is_float(&self) -> bool {
        matches!(self.base(), Val::Float(_))
    }

    /// A short Python-like repr, for messages.
    pub(crate) fn repr(&self) -> String {
        let mut s = String::new();
        self.write_repr(&mut s);
        if s.len() > 200 {
            let mut end = 200;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
            s.push('…');
        }
        s
    }

    fn write_repr(&self, out: &mut String) {
        if out.len() > 400 {
            return;
        }
        let seq = |out: &mut String, items: &[Val], open: &str, close: &str| {
            out.push_str(open);
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                v.write_repr(out);
            }
            if open == "(" && items.len() == 1 {
                out.push(',');
            }
            out.push_str(close);
        };
        match self {
            Val::None => out.push_str("None"),
            Val::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
            Val::Int(i) => out.push_str(i),
            Val::Float(f) => out.push_str(&py_float(*f)),
            Val::Complex(r, i) => out.push_str(&format!("({}+{}j)", py_float(*r), py_float(*i))),
            Val::Str(s) => out.push_str(&format!("{s:?}")),
            Val::List(v) => seq(out, v, "[", "]"),
            Val::Tuple(v) => seq(out, v, "(", ")"),
            Val::Set(v) | Val::FrozenSet(v) => seq(out, v, "{", "}"),
            Val::Dict(kv) => {
                out.push('{');
                for (i, (k, v)) in kv.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out);
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
            Val::Sub(_, v) => v.write_repr(out),
            Val::Other(t) => out.push_str(&format!("<{t}>")),
        }
    }
}

fn py_float(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.into()
    } else if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

/// A number as Python's numeric tower sees it, for cross-type `==`.
enum Num<'a> {
    Int(std::borrow::Cow<'a, str>),
    Float(f64),
    Complex(f64, f64),
}

fn num(v: &Val) -> Option<Num<'_>> {
    match v {
        Val::Bool(b) => Some(Num::Int(if *b { "1" } else { "0" }.into())),
        Val::Int(i) => Some(Num::Int(i.as_str().into())),
        Val::Float(f) => Some(Num::Float(*f)),
        Val::Complex(r, i) => Some(Num::Complex(*r, *i)),
        _ => None,
    }
}

/// `int == float` as Python decides it: exactly.
fn int_eq_float(i: &str, f: f64) -> bool {
    if !f.is_finite() || f.fract() != 0.0 {
        return false;
    }
    let exact = format!("{f:.0}");
    let norm = |s: &str| -> String {
        let s = s.trim_start_matches('+');
        if s == "-0" {
            "0".into()
        } else {
            s.into()
        }
    };
    norm(&exact) == norm(i)
}

fn num_eq(a: &Num, b: &Num) -> bool {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x == y,
        (Num::Int(x), Num::Float(f)) | (Num::Float(f), Num::Int(x)) => int_eq_float(x, *f),
        (Num::Float(x), Num::Float(y)) => x == y,
        (Num::Complex(r, i), Num::Complex(r2, i2)) => r == r2 && i == i2,
        (Num::Complex(r, i), Num::Int(x)) | (Num::Int(x), Num::Complex(r, i)) => {
            *i == 0.0 && int_eq_float(x, *r)
        }
        (Num::Complex(r, i), Num::Float(f)) | (Num::Float(f), Num::Complex(r, i)) => {
            *i == 0.0 && r == f
        }
    }
}

/// Python's `a == b` for the builtin values the runner reports.
pub(crate) fn py_eq(a: &Val, b: &Val) -> bool {
    let (a, b) = (a.base(), b.base());
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return num_eq(&x, &y);
    }
    match (a, b) {
        (Val::None, Val::None) => true,
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::List(x), Val::List(y)) | (Val::Tuple(x), Val::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (Val::Set(x) | Val::FrozenSet(x), Val::Set(y) | Val::FrozenSet(y)) => {
            x.len() == y.len() && x.iter().all(|p| y.iter().any(|q| py_eq(p, q)))
        }
        (Val::Dict(x), Val::Dict(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .find(|(k2, _)| py_eq(k, k2))
                        .is_some_and(|(_, v2)| py_eq(v, v2))
                })
        }
        _ => false,
    }
}

/// EvalPlus's `is_floats(x)`: a float, or a non-empty list/tuple of floats.
pub(crate) fn is_floats(x: &Val) -> bool {
    match x.base() {
        Val::Float(_) => true,
        Val::List(v) | Val::Tuple(v) => !v.is_empty() && v.iter().all(Val::is_float),
        _ => false,
    }
}

/// `set(x)` of a value, or None when Python would raise (not iterable, unhashable items).
pub(crate) fn as_set(x: &Val) -> Option<Vec<Val>> {
    let items: Vec<Val> = match x.base() {
        Val::List(v) | Val::Tuple(v) | Val::Set(v) | Val::FrozenSet(v) => v.clone(),
        Val::Str(s) => s.chars().map(|c| Val::Str(c.to_string())).collect(),
        Val::Dict(kv) => kv.iter().map(|(k, _)| k.clone()).collect(),
        _ => return None,
    };
    if !items.iter().all(hashable) {
        return None;
    }
    let mut out: Vec<Val> = Vec::new();
    for v in items {
        if !out.iter().any(|o| py_eq(o, &v)) {
            out.push(v);
        }
    }
    Some(out)
}

fn hashable(v: &Val) -> bool {
    match v.base() {
        Val::List(_) | Val::Set(_) | Val::Dict(_) | Val::Other(_) => false,
        Val::Tuple(items) => items.iter().all(hashable),
        _ => true,
    }
}

/// A value as numpy's `asanyarray` makes it, when numeric: shape and elements.
fn array(v: &Val) -> Result<(Vec<usize>, Vec<f64>), ()> {
    match v.base() {
        Val::Bool(b) => Ok((vec![], vec![f64::from(u8::from(*b))])),
        Val::Int(i) => Ok((vec![], vec![i.parse::<f64>().map_err(|_| ())?])),
        Val::Float(f) => Ok((vec![], vec![*f])),
        Val::List(items) | Val::Tuple(items) => {
            let mut shape: Option<Vec<usize>> = None;
            let mut data = Vec::new();
            for item in items {
                let (s, d) = array(item)?;
                match &shape {
                    None => shape = Some(s),
                    // numpy >= 1.24 refuses ragged nested sequences (ValueError).
                    Some(prev) if *prev != s => return Err(()),
                    Some(_) => {}
                }
                data.extend(d);
            }
            let mut full = vec![items.len()];
            full.extend(shape.unwrap_or_default());
            Ok((full, data))
        }
        // Strings, None, dicts, sets, complex and other objects: numpy's isclose raises.
        _ => Err(()),
    }
}

/// `np.allclose(a, b, rtol=rtol, atol=atol)`; an error (numpy raises) is `false`.
pub(crate) fn allclose(a: &Val, b: &Val, rtol: f64, atol: f64) -> bool {
    let (Ok((sa, da)), Ok((sb, db))) = (array(a), array(b)) else {
        return false;
    };
    // Broadcasting: shapes aligned on the right, each dimension equal or 1.
    let n = sa.len().max(sb.len());
    let pad = |s: &[usize]| -> Vec<usize> {
        let mut p = vec![1; n - s.len()];
        p.extend_from_slice(s);
        p
    };
    let (pa, pb) = (pad(&sa), pad(&sb));
    let mut shape = Vec::with_capacity(n);
    for (&x, &y) in pa.iter().zip(&pb) {
        if x == y || y == 1 {
            shape.push(x);
        } else if x == 1 {
            shape.push(y);
        } else {
            return false;
        }
    }
    let total: usize = shape.iter().product();
    let strides = |p: &[usize]| -> Vec<usize> {
        let mut st = vec![0; n];
        let mut acc = 1;
        for d in (0..n).rev() {
            st[d] = if p[d] == 1 { 0 } else { acc };
            acc *= p[d];
        }
        st
    };
    let (ta, tb) = (strides(&pa), strides(&pb));
    let mut index = vec![0usize; n];
    for _ in 0..total {
        let ia: usize = index.iter().zip(&ta).map(|(i, s)| i * s).sum();
        let ib: usize = index.iter().zip(&tb).map(|(i, s)| i * s).sum();
        if !isclose(da[ia], db[ib], rtol, atol) {
            return false;
        }
        for d in (0..n).rev() {
            index[d] += 1;
            if index[d] < shape[d] {
                break;
            }
            index[d] = 0;
        }
    }
    true
}

/// numpy's `isclose` for one pair (equal_nan=False).
fn isclose(x: f64, y: f64, rtol: f64, atol: f64) -> bool {
    if x.is_finite() && y.is_finite() {
        (x - y).abs() <= atol + rtol * y.abs()
    } else {
        x == y
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(j: Value) -> Val {
        Val::decode(&j)
    }

    #[test]
    fn equality_is_pythons() {
        assert!(py_eq(&v(json!({"int": "2"})), &v(json!({"float": "2.0"}))));
        assert!(py_eq(&v(json!(true)), &v(json!({"int": "1"}))));
        assert!(!py_eq(
            &v(json!({"float": "nan"})),
            &v(json!({"float": "nan"}))
        ));
        assert!(!py_eq(
            &v(json!([{"int": "1"}])),
            &v(json!({"tuple": [{"int": "1"}]}))
        ));
        assert!(py_eq(
            &v(json!({"set": [{"int": "1"}, {"int": "2"}]})),
            &v(json!({"frozenset": [{"int": "2"}, {"float": "1.0"}]}))
        ));
        assert!(py_eq(
            &v(json!({"dict": [["a", {"int": "1"}]]})),
            &v(json!({"dict": [["a", {"float": "1.0"}]]}))
        ));
        let big = "123456789012345678901234567890";
        assert!(py_eq(&v(json!({"int": big})), &v(json!({"int": big}))));
        assert!(!py_eq(
            &v(json!({"int": big})),
            &v(json!({"float": "1.2345678901234568e29"}))
        ));
        assert!(py_eq(
            &v(json!({"float": "1.5", "type": "float64"})),
            &v(json!({"float": "1.5"}))
        ));
        assert!(!py_eq(
            &v(json!({"other": "ndarray"})),
            &v(json!({"other": "ndarray"}))
        ));
    }

    #[test]
    fn allclose_broadcasts_and_refuses_non_numbers() {
        let f = |x: f64| json!({"float": format!("{x:?}")});
        assert!(allclose(&v(f(1.0)), &v(f(1.0 + 1e-7)), 1e-7, 1e-6));
        assert!(!allclose(&v(f(1.0)), &v(f(1.001)), 1e-7, 1e-6));
        assert!(allclose(
            &v(json!([[f(1.0)], [f(1.0)]])),
            &v(json!([f(1.0), f(1.0)])),
            1e-7,
            1e-6
        ));
        assert!(!allclose(
            &v(json!([[f(1.0)], [f(2.0)]])),
            &v(json!([f(1.0), f(2.0)])),
            1e-7,
            1e-6
        ));
        assert!(!allclose(
            &v(json!([f(1.0), [f(1.0)]])),
            &v(json!([f(1.0), f(1.0)])),
            1e-7,
            1e-6
        ));
        assert!(!allclose(&v(json!("a")), &v(json!("a")), 1e-7, 1e-6));
        assert!(!allclose(&v(f(f64::NAN)), &v(f(f64::NAN)), 1e-7, 1e-6));
        assert!(allclose(
            &v(json!({"float": "inf"})),
            &v(json!({"float": "inf"})),
            1e-7,
            1e-6
        ));
        assert!(allclose(&v(json!([])), &v(json!([])), 1e-7, 1e-6));
        assert!(is_floats(&v(json!([f(1.0), f(2.0)]))));
        assert!(!is_floats(&v(json!([f(1.0), {"int": "2"}]))));
        assert!(!is_floats(&v(json!([]))));
    }
}
