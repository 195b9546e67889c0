//! Literal Python values read from the AST, rendered back as source, and mutated by type
//! (EvalPlus's type-aware input mutation): numbers at boundaries and with the other sign,
//! empty / long / unicode strings, empty / singleton / duplicated / sorted / reversed
//! lists, elements of nested containers, dict keys dropped and added.

use rustpython_parser::ast::{self, Ranged};

/// A literal argument.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    None,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Set(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    /// A literal given to a constructor, `np.array([[1, 2], [3, 4]], dtype=float)`: the
    /// source before and after the literal are kept as written.
    Wrapped {
        before: String,
        inner: Box<Value>,
        after: String,
    },
}

/// How a mutation changed the input, which decides the new test's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    Boundary,
    Sign,
    Empty,
    Singleton,
    Unicode,
    Long,
    Duplicated,
    Sorted,
    Reversed,
    Element,
    DictKey,
    /// A wrapped literal given bare (`np.array([1, 2])` -> `[1, 2]`): array-likes.
    Unwrapped,
}

impl Kind {
    /// Boundaries, signs, empty, singleton and unicode inputs are edge cases; the rest
    /// exercise the computation (correctness).
    pub(crate) fn level(self) -> crate::entry::Level {
        use crate::entry::Level;
        match self {
            Kind::Boundary | Kind::Sign | Kind::Empty | Kind::Singleton | Kind::Unicode => {
                Level::EdgeCase
            }
            _ => Level::Correctness,
        }
    }
}

/// Longest list or string a mutation builds (the oracle must stay fast).
const LONG_ITEMS: usize = 40;
const LONG_CHARS: usize = 160;

/// The value of a literal expression (`-1`, `[1, (2, 'a')]`, `{'k': None}`, a wrapped
/// literal), or `None` when it is not one.
pub(crate) fn literal(e: &ast::Expr, src: &str) -> Option<Value> {
    Some(match e {
        ast::Expr::Constant(c) => match &c.value {
            ast::Constant::None => Value::None,
            ast::Constant::Bool(b) => Value::Bool(*b),
            ast::Constant::Int(n) => Value::Int(n.to_string().parse().ok()?),
            ast::Constant::Float(f) => Value::Float(*f),
            ast::Constant::Str(s) => Value::Str(s.clone()),
            _ => return None,
        },
        ast::Expr::UnaryOp(u) if u.op == ast::UnaryOp::USub => match literal(&u.operand, src)? {
            Value::Int(n) => Value::Int(-n),
            Value::Float(f) => Value::Float(-f),
            _ => return None,
        },
        ast::Expr::List(l) => Value::List(all(&l.elts, src)?),
        ast::Expr::Tuple(t) => Value::Tuple(all(&t.elts, src)?),
        ast::Expr::Set(s) => Value::Set(all(&s.elts, src)?),
        ast::Expr::Dict(d) => {
            let mut items = Vec::new();
            for (k, v) in d.keys.iter().zip(&d.values) {
                items.push((literal(k.as_ref()?, src)?, literal(v, src)?));
            }
            Value::Dict(items)
        }
        ast::Expr::Call(c)
            if c.args.is_empty()
                && c.keywords.is_empty()
                && matches!(&*c.func, ast::Expr::Name(n) if n.id.as_str() == "set") =>
        {
            Value::Set(Vec::new())
        }
        ast::Expr::Call(c) if c.args.len() == 1 && dotted(&c.func) => {
            let inner = literal(&c.args[0], src)?;
            if !matches!(inner, Value::List(_) | Value::Tuple(_) | Value::Dict(_)) {
                return None;
            }
            // Keywords stay as written: literals or names (`dtype=float`).
            for k in &c.keywords {
                k.arg.as_ref()?;
                if literal(&k.value, src).is_none() && !dotted(&k.value) {
                    return None;
                }
            }
            let (s, a0, a1, e) = (
                usize::from(c.range().start()),
                usize::from(c.args[0].range().start()),
                usize::from(c.args[0].range().end()),
                usize::from(c.range().end()),
            );
            Value::Wrapped {
                before: src[s..a0].to_string(),
                inner: Box::new(inner),
                after: src[a1..e].to_string(),
            }
        }
        _ => return None,
    })
}

fn dotted(e: &ast::Expr) -> bool {
    match e {
        ast::Expr::Name(_) => true,
        ast::Expr::Attribute(a) => dotted(&a.value),
        _ => false,
    }
}

fn all(elts: &[ast::Expr], src: &str) -> Option<Vec<Value>> {
    elts.iter().map(|e| literal(e, src)).collect()
}

impl Value {
    /// Python source for the value.
    pub(crate) fn render(&self) -> String {
        match self {
            Value::None => "None".into(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Int(n) if *n < 0 => format!("({n})"),
            Value::Int(n) => n.to_string(),
            Value::Float(f) if f.is_nan() => "float('nan')".into(),
            Value::Float(f) if f.is_infinite() => if *f > 0.0 {
                "float('inf')"
            } else {
                "float('-inf')"
            }
            .into(),
            Value::Float(f) => {
                let s = format!("{f:?}");
                if *f < 0.0 {
                    format!("({s})")
                } else {
                    s
                }
            }
            // A JSON string is a Python string literal (same escapes, `\uXXXX` included).
            Value::Str(s) => serde_json::to_string(s).expect("a string serializes"),
            Value::List(v) => format!("[{}]", join(v)),
            Value::Tuple(v) if v.len() == 1 => format!("({},)", v[0].render()),
            Value::Tuple(v) => format!("({})", join(v)),
            Value::Set(v) if v.is_empty() => "set()".into(),
            Value::Set(v) => format!("{{{}}}", join(v)),
            Value::Dict(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.render(), v.render()))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            Value::Wrapped {
                before,
                inner,
                after,
            } => format!("{before}{}{after}", inner.render()),
        }
    }

    fn sortable(items: &[Value]) -> bool {
        items
            .iter()
            .all(|v| matches!(v, Value::Int(_) | Value::Float(_)))
            || items.iter().all(|v| matches!(v, Value::Str(_)))
    }

    fn sort_key(&self) -> (f64, &str) {
        match self {
            Value::Int(n) => (*n as f64, ""),
            Value::Float(f) => (*f, ""),
            Value::Str(s) => (0.0, s.as_str()),
            _ => (0.0, ""),
        }
    }
}

fn join(v: &[Value]) -> String {
    v.iter().map(Value::render).collect::<Vec<_>>().join(", ")
}

/// The mutations of one value, each with its kind; `depth` bounds the recursion into
/// containers. None of them equals the value itself.
pub(crate) fn mutations(v: &Value, depth: usize) -> Vec<(Kind, Value)> {
    let mut out: Vec<(Kind, Value)> = Vec::new();
    match v {
        Value::None => {}
        Value::Bool(b) => out.push((Kind::Boundary, Value::Bool(!b))),
        Value::Int(n) => {
            for m in [0, 1, -1] {
                out.push((Kind::Boundary, Value::Int(m)));
            }
            out.push((Kind::Sign, Value::Int(-n)));
            out.push((Kind::Element, Value::Int(n + 1)));
            out.push((Kind::Element, Value::Int(n - 1)));
            out.push((
                Kind::Long,
                Value::Int(n.saturating_mul(10).saturating_add(7)),
            ));
        }
        Value::Float(f) => {
            out.push((Kind::Boundary, Value::Float(0.0)));
            out.push((Kind::Sign, Value::Float(-f)));
            out.push((Kind::Element, Value::Float(f + 0.5)));
            out.push((Kind::Element, Value::Float(f * 2.0)));
            out.push((Kind::Boundary, Value::Float(1e-9)));
        }
        Value::Str(s) => {
            out.push((Kind::Empty, Value::Str(String::new())));
            if let Some(c) = s.chars().next().filter(|_| s.chars().count() > 1) {
                out.push((Kind::Singleton, Value::Str(c.to_string())));
            }
            out.push((Kind::Unicode, Value::Str(format!("{s} Ünïcødé ✓ 日本"))));
            out.push((Kind::Duplicated, Value::Str(format!("{s} {s}"))));
            if !s.is_empty() {
                let mut long = s.clone();
                while long.chars().count() < LONG_CHARS {
                    long.push(' ');
                    long.push_str(s);
                }
                out.push((Kind::Long, Value::Str(long)));
            }
            out.push((Kind::Reversed, Value::Str(s.chars().rev().collect())));
            out.push((Kind::Element, Value::Str(s.to_uppercase())));
        }
        Value::List(items) => sequence(&mut out, items, Value::List, depth, true),
        Value::Tuple(items) => {
            // Tuples are usually records of fixed arity: keep the length.
            elements(&mut out, items, Value::Tuple, depth);
            let rev: Vec<Value> = items.iter().rev().cloned().collect();
            out.push((Kind::Reversed, Value::Tuple(rev)));
        }
        Value::Set(items) => {
            out.push((Kind::Empty, Value::Set(Vec::new())));
            elements(&mut out, items, Value::Set, depth);
        }
        Value::Dict(items) => {
            out.push((Kind::Empty, Value::Dict(Vec::new())));
            if items.len() > 1 {
                out.push((Kind::DictKey, Value::Dict(items[1..].to_vec())));
            }
            if let Some((k, v)) = items.first() {
                let new_key = match k {
                    Value::Int(_) => {
                        let max = items
                            .iter()
                            .filter_map(|(k, _)| match k {
                                Value::Int(n) => Some(*n),
                                _ => None,
                            })
                            .max()
                            .unwrap_or(0);
                        Some(Value::Int(max + 1))
                    }
                    Value::Str(s) => Some(Value::Str(format!("{s}_extra"))),
                    _ => None,
                };
                if let Some(nk) = new_key.filter(|nk| !items.iter().any(|(k, _)| k == nk)) {
                    let mut more = items.clone();
                    more.push((nk, v.clone()));
                    out.push((Kind::DictKey, Value::Dict(more)));
                }
                if depth > 0 {
                    for (kind, m) in mutations(v, depth - 1) {
                        let mut changed = items.clone();
                        changed[0].1 = m;
                        out.push((kind.max(Kind::Element), Value::Dict(changed)));
                    }
                }
            }
        }
        Value::Wrapped {
            before,
            inner,
            after,
        } => {
            out.push((Kind::Unwrapped, (**inner).clone()));
            for (kind, m) in mutations(inner, depth) {
                out.push((
                    kind,
                    Value::Wrapped {
                        before: before.clone(),
                        inner: Box::new(m),
                        after: after.clone(),
                    },
                ));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|(_, m)| m != v && seen.insert(m.render()));
    out
}

fn sequence(
    out: &mut Vec<(Kind, Value)>,
    items: &[Value],
    make: fn(Vec<Value>) -> Value,
    depth: usize,
    reorder: bool,
) {
    out.push((Kind::Empty, make(Vec::new())));
    if let Some(first) = items.first() {
        out.push((Kind::Singleton, make(vec![first.clone()])));
        let mut twice = items.to_vec();
        twice.extend_from_slice(items);
        out.push((Kind::Duplicated, make(twice)));
        let mut long = Vec::new();
        while long.len() < LONG_ITEMS {
            long.extend_from_slice(items);
        }
        long.truncate(LONG_ITEMS.max(items.len()));
        out.push((Kind::Long, make(long)));
    }
    if reorder && items.len() > 1 {
        if Value::sortable(items) {
            let mut sorted = items.to_vec();
            sorted.sort_by(|a, b| {
                let (x, y) = (a.sort_key(), b.sort_key());
                x.0.total_cmp(&y.0).then(x.1.cmp(y.1))
            });
            out.push((Kind::Sorted, make(sorted)));
        }
        out.push((Kind::Reversed, make(items.iter().rev().cloned().collect())));
    }
    elements(out, items, make, depth);
}

/// Mutations of the first and the last element (recursing into nested containers).
fn elements(
    out: &mut Vec<(Kind, Value)>,
    items: &[Value],
    make: fn(Vec<Value>) -> Value,
    depth: usize,
) {
    if depth == 0 || items.is_empty() {
        return;
    }
    let mut at = vec![0];
    if items.len() > 1 {
        at.push(items.len() - 1);
    }
    for i in at {
        for (kind, m) in mutations(&items[i], depth - 1) {
            let mut changed = items.to_vec();
            changed[i] = m;
            // A change inside a container is a correctness input unless it empties a
            // nested part (an edge).
            let kind = if kind == Kind::Empty || kind == Kind::Boundary {
                kind
            } else {
                Kind::Element
            };
            out.push((kind, make(changed)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Value {
        let body = crate::python::parse_module(src, "t").unwrap();
        let ast::Stmt::Expr(e) = &body[0] else {
            panic!()
        };
        literal(&e.value, src).unwrap_or_else(|| panic!("not a literal: {src}"))
    }

    #[test]
    fn literals_round_trip_through_render() {
        for src in [
            "[1, -2, 3.5, 'a\\nb', None, True]",
            "(1,)",
            "{'k': [1, 2], 3: (4, 5)}",
            "np.array([[1, 2], [3, 4]], dtype=float)",
            "set()",
        ] {
            let v = parse(src);
            assert_eq!(parse(&v.render()), v, "{src} -> {}", v.render());
        }
        let wrapped = mutations(&parse("np.array([1, 2])"), 1);
        assert!(wrapped.contains(&(Kind::Unwrapped, parse("[1, 2]"))));
        assert_eq!(parse("-1").render(), "(-1)");
        assert_eq!(parse("[1.0, -0.5]").render(), "[1.0, (-0.5)]");
    }

    #[test]
    fn mutations_are_type_aware() {
        let rendered = |src: &str| -> Vec<(Kind, String)> {
            mutations(&parse(src), 2)
                .into_iter()
                .map(|(k, v)| (k, v.render()))
                .collect()
        };
        let ints = rendered("5");
        assert!(ints.contains(&(Kind::Boundary, "0".into())));
        assert!(ints.contains(&(Kind::Sign, "(-5)".into())));
        let list = rendered("[3, 1, 2]");
        for want in [
            (Kind::Empty, "[]"),
            (Kind::Singleton, "[3]"),
            (Kind::Duplicated, "[3, 1, 2, 3, 1, 2]"),
            (Kind::Sorted, "[1, 2, 3]"),
            (Kind::Reversed, "[2, 1, 3]"),
            (Kind::Boundary, "[0, 1, 2]"),
        ] {
            assert!(
                list.contains(&(want.0, want.1.into())),
                "{want:?} in {list:?}"
            );
        }
        let s = rendered("'ab'");
        assert!(s.contains(&(Kind::Empty, "\"\"".into())));
        assert!(s
            .iter()
            .any(|(k, v)| *k == Kind::Unicode && v.contains('Ü')));
        let d = rendered("{'a': 1, 'b': 2}");
        assert!(d.contains(&(Kind::DictKey, "{\"b\": 2}".into())));
        assert!(d.contains(&(Kind::DictKey, "{\"a\": 1, \"b\": 2, \"a_extra\": 1}".into())));
        // A tuple keeps its arity; nothing equals the original.
        assert!(rendered("(1, 2)")
            .iter()
            .all(|(_, v)| v.matches(',').count() == 1));
        assert!(!list.iter().any(|(_, v)| v == "[3, 1, 2]"));
    }
}
