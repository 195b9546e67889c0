//! Static quality of an entry, scored in Rust on the AST (rustpython-parser): docstrings
//! and type hints of the reference's functions, PEP 8 naming, long lines, tests per
//! function. Reported per entry by `curate` (`report.json`), gating only with
//! `--min-quality`.
//!
//! The score is the mean of five shares in [0, 1]: functions with a docstring; functions
//! whose parameters (but `self`/`cls`) and return are all annotated; names that follow
//! PEP 8 (`snake_case` functions, parameters and assigned names, `CapWords` classes,
//! `UPPER_CASE` allowed for module-level constants); lines of at most 100 characters;
//! and tests per function against three (capped at 1).

use crate::entry::Entry;
use rustpython_parser::ast;
use serde::{Deserialize, Serialize};

/// Longest line that does not count as long.
pub const MAX_LINE: usize = 100;
/// Tests per function that score full marks.
const TESTS_PER_FUNCTION: f64 = 3.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Mean of the five shares.
    pub score: f64,
    pub functions: usize,
    pub documented: usize,
    pub annotated: usize,
    pub names: usize,
    /// Names against PEP 8, as `kind name` (`function parseInput`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bad_names: Vec<String>,
    pub lines: usize,
    pub long_lines: usize,
    pub tests: usize,
}

fn snake(name: &str) -> bool {
    let n = name.trim_start_matches('_');
    n.is_empty()
        || n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn upper(name: &str) -> bool {
    let n = name.trim_start_matches('_');
    n.chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn cap_words(name: &str) -> bool {
    let n = name.trim_start_matches('_');
    n.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !n.contains('_')
}

struct Walk {
    functions: usize,
    documented: usize,
    annotated: usize,
    names: usize,
    bad: Vec<String>,
}

impl Walk {
    fn name(&mut self, kind: &str, name: &str, ok: bool) {
        self.names += 1;
        if !ok && !self.bad.iter().any(|b| b == &format!("{kind} {name}")) {
            self.bad.push(format!("{kind} {name}"));
        }
    }

    fn targets(&mut self, t: &ast::Expr, module: bool) {
        match t {
            ast::Expr::Name(n) => {
                let id = n.id.as_str();
                let ok = snake(id) || (module && upper(id));
                self.name("variable", id, ok);
            }
            ast::Expr::Tuple(t) => t.elts.iter().for_each(|e| self.targets(e, module)),
            ast::Expr::List(t) => t.elts.iter().for_each(|e| self.targets(e, module)),
            _ => {}
        }
    }

    fn function(&mut self, name: &str, args: &ast::Arguments, returns: bool, body: &[ast::Stmt]) {
        self.functions += 1;
        self.name("function", name, snake(name));
        let documented = matches!(body.first(), Some(ast::Stmt::Expr(e))
            if matches!(&*e.value, ast::Expr::Constant(c) if matches!(c.value, ast::Constant::Str(_))));
        self.documented += usize::from(documented);
        let mut all = returns;
        let params = args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
            .map(|a| &a.def)
            .chain(args.vararg.as_deref())
            .chain(args.kwarg.as_deref());
        for p in params {
            let id = p.arg.as_str();
            if id == "self" || id == "cls" {
                continue;
            }
            self.name("parameter", id, snake(id));
            all &= p.annotation.is_some();
        }
        self.annotated += usize::from(all);
        self.block(body, false);
    }

    fn block(&mut self, body: &[ast::Stmt], module: bool) {
        for s in body {
            match s {
                ast::Stmt::FunctionDef(f) => {
                    self.function(f.name.as_str(), &f.args, f.returns.is_some(), &f.body)
                }
                ast::Stmt::AsyncFunctionDef(f) => {
                    self.function(f.name.as_str(), &f.args, f.returns.is_some(), &f.body)
                }
                ast::Stmt::ClassDef(c) => {
                    self.name("class", c.name.as_str(), cap_words(c.name.as_str()));
                    self.block(&c.body, false);
                }
                ast::Stmt::Assign(a) => a.targets.iter().for_each(|t| self.targets(t, module)),
                ast::Stmt::AnnAssign(a) => self.targets(&a.target, module),
                ast::Stmt::For(f) => {
                    self.targets(&f.target, false);
                    self.block(&f.body, module);
                    self.block(&f.orelse, module);
                }
                ast::Stmt::If(i) => {
                    self.block(&i.body, module);
                    self.block(&i.orelse, module);
                }
                ast::Stmt::While(w) => self.block(&w.body, module),
                ast::Stmt::With(w) => self.block(&w.body, module),
                ast::Stmt::Try(t) => {
                    self.block(&t.body, module);
                    self.block(&t.orelse, module);
                    self.block(&t.finalbody, module);
                }
                _ => {}
            }
        }
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// The static quality of an entry's reference and tests; `None` when it does not parse.
pub fn score(e: &Entry) -> Option<Quality> {
    let body = crate::python::parse_module(&e.reference, "<reference>").ok()?;
    let mut w = Walk {
        functions: 0,
        documented: 0,
        annotated: 0,
        names: 0,
        bad: Vec::new(),
    };
    w.block(&body, true);
    let lines = e.reference.lines().count();
    let long_lines = e
        .reference
        .lines()
        .filter(|l| l.chars().count() > MAX_LINE)
        .count();
    let tests = e.tests.len();
    let per_function = tests as f64 / w.functions.max(1) as f64;
    let parts = [
        share(w.documented, w.functions),
        share(w.annotated, w.functions),
        share(w.names - w.bad.len(), w.names),
        share(lines - long_lines, lines),
        (per_function / TESTS_PER_FUNCTION).min(1.0),
    ];
    Some(Quality {
        score: parts.iter().sum::<f64>() / parts.len() as f64,
        functions: w.functions,
        documented: w.documented,
        annotated: w.annotated,
        names: w.names,
        bad_names: w.bad,
        lines,
        long_lines,
        tests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(reference: &str, tests: usize) -> Entry {
        let mut e: Entry = serde_json::from_value(serde_json::json!({
            "id": "x", "domain": "d", "category": "c", "difficulty": "basic",
            "description": "", "prompt": "", "entry_point": "f", "reference": reference,
            "tests": []
        }))
        .unwrap();
        for i in 0..tests {
            e.tests.push(crate::entry::TestCase {
                name: format!("test_normal_{i}"),
                level: crate::entry::Level::Normal,
                code: String::new(),
            });
        }
        e
    }

    #[test]
    fn a_clean_function_scores_full_marks_and_each_fault_costs() {
        let good = "LIMIT = 3\n\ndef f(x: int) -> int:\n    \"\"\"Doc.\"\"\"\n    y = x + LIMIT\n    return y\n";
        let q = score(&entry(good, 3)).unwrap();
        assert_eq!(q.score, 1.0, "{q:?}");
        let bad = format!(
            "def parseInput(x, Y: int):\n    Total = x\n    return Total  # {}\n\nclass my_thing:\n    pass\n",
            "x".repeat(120)
        );
        let q = score(&entry(&bad, 0)).unwrap();
        assert_eq!((q.functions, q.documented, q.annotated), (1, 0, 0));
        assert_eq!(
            q.bad_names,
            [
                "function parseInput",
                "parameter Y",
                "variable Total",
                "class my_thing"
            ]
        );
        assert_eq!(q.long_lines, 1);
        assert!(q.score < 0.5, "{q:?}");
    }
}
