//! The calls of the entry point in an entry's tests whose arguments are all literals
//! (found on the AST). A name bound exactly once in the test to a literal (`docs = [...]`)
//! counts as that literal, so `f("q", docs)` is found too.

use super::values::{literal, Value};
use rustpython_parser::ast::{self, fold, Fold};
use rustpython_parser::text_size::TextRange;
use std::collections::HashMap;

/// One call: positional arguments, then keyword arguments, all literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    pub args: Vec<Value>,
    pub keywords: Vec<(String, Value)>,
}

impl Call {
    /// `f(a, b, k=c)`.
    pub(crate) fn render(&self, function: &str) -> String {
        let mut parts: Vec<String> = self.args.iter().map(Value::render).collect();
        parts.extend(
            self.keywords
                .iter()
                .map(|(k, v)| format!("{k}={}", v.render())),
        );
        format!("{function}({})", parts.join(", "))
    }

    /// Argument slots: `Some(i)` positional, `None`-indexed keywords after them.
    pub(crate) fn arity(&self) -> usize {
        self.args.len() + self.keywords.len()
    }

    pub(crate) fn arg(&self, slot: usize) -> &Value {
        if slot < self.args.len() {
            &self.args[slot]
        } else {
            &self.keywords[slot - self.args.len()].1
        }
    }

    pub(crate) fn with_arg(&self, slot: usize, v: Value) -> Call {
        let mut c = self.clone();
        if slot < c.args.len() {
            c.args[slot] = v;
        } else {
            let n = c.args.len();
            c.keywords[slot - n].1 = v;
        }
        c
    }
}

/// Every literal call of `function` in the test sources, in order, without repeats.
pub(crate) fn find(tests: &[&str], function: &str) -> Vec<Call> {
    let mut out: Vec<Call> = Vec::new();
    for src in tests {
        let Ok(body) = crate::python::parse_module(src, "<test>") else {
            continue;
        };
        let mut binds = Bindings {
            src,
            once: HashMap::new(),
        };
        for stmt in body.clone() {
            let _ = binds.fold_stmt(stmt);
        }
        let bound: HashMap<String, Value> = binds
            .once
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .collect();
        let mut finder = Finder {
            src,
            function,
            bound: &bound,
            found: Vec::new(),
        };
        for stmt in body {
            let _ = finder.fold_stmt(stmt);
        }
        for c in finder.found {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// Names assigned exactly once, to a literal (`None` once assigned twice or to anything
/// else, or used as a loop target).
struct Bindings<'a> {
    src: &'a str,
    once: HashMap<String, Option<Value>>,
}

impl Bindings<'_> {
    fn bind(&mut self, name: &str, v: Option<Value>) {
        self.once
            .entry(name.to_string())
            .and_modify(|old| *old = None)
            .or_insert(v);
    }

    fn spoil(&mut self, target: &ast::Expr) {
        match target {
            ast::Expr::Name(n) => self.bind(n.id.as_str(), None),
            ast::Expr::Tuple(t) => t.elts.iter().for_each(|e| self.spoil(e)),
            ast::Expr::List(t) => t.elts.iter().for_each(|e| self.spoil(e)),
            _ => {}
        }
    }
}

impl Fold<TextRange> for Bindings<'_> {
    crate::python::read_only_fold!();

    fn fold_stmt(&mut self, node: ast::Stmt) -> Result<ast::Stmt, Self::Error> {
        match &node {
            ast::Stmt::Assign(a) => {
                if let [ast::Expr::Name(n)] = a.targets.as_slice() {
                    let v = literal(&a.value, self.src);
                    self.bind(n.id.as_str(), v);
                } else {
                    a.targets.iter().for_each(|t| self.spoil(t));
                }
            }
            ast::Stmt::AugAssign(a) => self.spoil(&a.target),
            ast::Stmt::AnnAssign(a) => self.spoil(&a.target),
            ast::Stmt::For(f) => self.spoil(&f.target),
            ast::Stmt::With(w) => w
                .items
                .iter()
                .filter_map(|i| i.optional_vars.as_deref())
                .for_each(|t| self.spoil(t)),
            _ => {}
        }
        fold::fold_stmt(self, node)
    }

    fn fold_expr(&mut self, node: ast::Expr) -> Result<ast::Expr, Self::Error> {
        match &node {
            ast::Expr::NamedExpr(n) => self.spoil(&n.target),
            // A method call on a bound name may change it (`docs.append(...)`).
            ast::Expr::Call(c) => {
                if let ast::Expr::Attribute(a) = &*c.func {
                    if let ast::Expr::Name(n) = &*a.value {
                        if self.once.contains_key(n.id.as_str()) {
                            self.bind(n.id.as_str(), None);
                        }
                    }
                }
            }
            ast::Expr::ListComp(_) | ast::Expr::GeneratorExp(_) => {}
            _ => {}
        }
        fold::fold_expr(self, node)
    }
}

struct Finder<'a> {
    src: &'a str,
    function: &'a str,
    bound: &'a HashMap<String, Value>,
    found: Vec<Call>,
}

impl Finder<'_> {
    fn value(&self, e: &ast::Expr) -> Option<Value> {
        if let ast::Expr::Name(n) = e {
            return self.bound.get(n.id.as_str()).cloned();
        }
        literal(e, self.src)
    }

    fn call(&self, c: &ast::ExprCall) -> Option<Call> {
        let ast::Expr::Name(n) = &*c.func else {
            return None;
        };
        if n.id.as_str() != self.function {
            return None;
        }
        let args = c
            .args
            .iter()
            .map(|a| match a {
                ast::Expr::Starred(_) => None,
                _ => self.value(a),
            })
            .collect::<Option<Vec<_>>>()?;
        let keywords = c
            .keywords
            .iter()
            .map(|k| Some((k.arg.as_ref()?.to_string(), self.value(&k.value)?)))
            .collect::<Option<Vec<_>>>()?;
        Some(Call { args, keywords })
    }
}

impl Fold<TextRange> for Finder<'_> {
    crate::python::read_only_fold!();

    fn fold_expr(&mut self, node: ast::Expr) -> Result<ast::Expr, Self::Error> {
        if let ast::Expr::Call(c) = &node {
            if let Some(call) = self.call(c) {
                if call.arity() > 0 {
                    self.found.push(call);
                }
            }
        }
        fold::fold_expr(self, node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_literal_calls_and_names_bound_once() {
        let t1 = "def test_a():\n    docs = ['a b', 'c']\n    assert f('q', docs) == [1]\n    assert f('q', docs, k1=2.0)\n    assert g(1)\n\ntest_a()\n";
        let t2 = "def test_b():\n    xs = [1]\n    xs = [2]\n    for d in range(3):\n        f(d, [])\n    f('x', xs)\n    f(-1, [None])\n    f('q', ['a b', 'c'])\n";
        let calls = find(&[t1, t2], "f");
        let rendered: Vec<String> = calls.iter().map(|c| c.render("f")).collect();
        assert_eq!(
            rendered,
            [
                "f(\"q\", [\"a b\", \"c\"])",
                "f(\"q\", [\"a b\", \"c\"], k1=2.0)",
                "f((-1), [None])",
            ]
        );
    }
}
