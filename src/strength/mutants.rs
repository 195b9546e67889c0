//! Mutants of a reference: small, syntactically valid changes a good test suite notices.
//!
//! Found on the AST (rustpython-parser) and applied as text edits at node and token
//! ranges, so a mutant is the reference's own text with one change: a comparison or
//! arithmetic operator swapped (`<` → `<=`, `+` → `-`, `+=` → `-=` …), an integer constant
//! off by one, a condition negated (`if c` → `if not (c)`), the branches of an
//! `if`/`else` or a conditional expression swapped, a simple statement dropped (replaced
//! by `pass`), a return value changed (`return x` → `return None`, `True` ↔ `False`).
//! Only code inside functions is mutated (not module-level set-up); every mutant is
//! re-parsed, and one that does not parse is dropped.

use rustpython_parser::ast::{self, fold, Fold, Ranged};
use rustpython_parser::lexer::lex;
use rustpython_parser::text_size::TextRange;
use rustpython_parser::{Mode, Tok};
use serde::Serialize;

/// What kind of change a mutant makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Operator {
    Comparison,
    Arithmetic,
    Constant,
    Negation,
    SwapBranches,
    DropStatement,
    ReturnValue,
}

impl Operator {
    pub(crate) const ALL: [Operator; 7] = [
        Operator::Comparison,
        Operator::Arithmetic,
        Operator::Constant,
        Operator::Negation,
        Operator::SwapBranches,
        Operator::DropStatement,
        Operator::ReturnValue,
    ];
}

/// One text edit: the bytes `start..end` of the reference become `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// A mutant: the reference with one change, and where and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Mutant {
    pub operator: Operator,
    /// 1-based line of the change.
    pub line: usize,
    /// `<` -> `<=`, for people.
    pub description: String,
    #[serde(skip)]
    pub program: String,
}

/// Every mutant of `src` (in source order), or none when it does not parse.
pub(crate) fn all(src: &str) -> Vec<Mutant> {
    let Ok(body) = crate::python::parse_module(src, "<reference>") else {
        return Vec::new();
    };
    let tokens: Vec<(Tok, usize, usize)> = lex(src, Mode::Module)
        .filter_map(Result::ok)
        .map(|(t, r)| (t, usize::from(r.start()), usize::from(r.end())))
        .collect();
    let mut finder = Finder {
        src,
        tokens: &tokens,
        depth: 0,
        sites: Vec::new(),
    };
    for stmt in body {
        let _ = finder.fold_stmt(stmt);
    }
    let mut sites = finder.sites;
    sites.sort_by_key(|(_, edits, _)| edits.first().map_or(0, |e| e.start));
    let mut seen = std::collections::HashSet::new();
    sites
        .into_iter()
        .filter_map(|(operator, edits, description)| {
            let program = apply(src, &edits);
            if program == src || !seen.insert(program.clone()) {
                return None;
            }
            crate::python::parse_module(&program, "<mutant>").ok()?;
            Some(Mutant {
                operator,
                line: crate::python::line_of(src, edits[0].start),
                description,
                program,
            })
        })
        .collect()
}

/// At most `max` mutants, spread over the operators: round robin over the kinds, each
/// kind's mutants in source order, so a long function does not spend the budget on one
/// kind of change. Deterministic: the same reference gives the same mutants.
pub(crate) fn select(mutants: Vec<Mutant>, max: usize) -> Vec<Mutant> {
    if mutants.len() <= max {
        return mutants;
    }
    let mut by_kind: Vec<std::collections::VecDeque<Mutant>> = Operator::ALL
        .iter()
        .map(|k| {
            mutants
                .iter()
                .filter(|m| m.operator == *k)
                .cloned()
                .collect()
        })
        .collect();
    let mut out = Vec::with_capacity(max);
    while out.len() < max && by_kind.iter().any(|q| !q.is_empty()) {
        for q in by_kind.iter_mut() {
            if out.len() == max {
                break;
            }
            if let Some(m) = q.pop_front() {
                out.push(m);
            }
        }
    }
    out.sort_by_key(|m| m.line);
    out
}

fn apply(src: &str, edits: &[Edit]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.start));
    let mut out = src.to_string();
    for e in edits {
        out.replace_range(e.start..e.end, &e.text);
    }
    out
}

type Site = (Operator, Vec<Edit>, String);

struct Finder<'a> {
    src: &'a str,
    tokens: &'a [(Tok, usize, usize)],
    /// Function nesting: only code at depth > 0 is mutated.
    depth: usize,
    sites: Vec<Site>,
}

fn start(r: TextRange) -> usize {
    usize::from(r.start())
}

fn end(r: TextRange) -> usize {
    usize::from(r.end())
}

impl Finder<'_> {
    fn text(&self, r: TextRange) -> &str {
        &self.src[start(r)..end(r)]
    }

    fn site(&mut self, op: Operator, edits: Vec<Edit>, description: String) {
        self.sites.push((op, edits, description));
    }

    /// The operator tokens strictly between two byte offsets (parentheses skipped).
    fn op_tokens(&self, from: usize, to: usize) -> Vec<&(Tok, usize, usize)> {
        self.tokens
            .iter()
            .filter(|(t, s, e)| {
                *s >= from && *e <= to && !matches!(t, Tok::Lpar | Tok::Rpar | Tok::Comment(_))
            })
            .filter(|(t, _, _)| !matches!(t, Tok::NonLogicalNewline | Tok::Newline))
            .collect()
    }

    fn replace_between(&mut self, op: Operator, from: usize, to: usize, was: &str, now: &str) {
        let toks = self.op_tokens(from, to);
        let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
            return;
        };
        let (s, e) = (first.1, last.2);
        if self.src[s..e].split_whitespace().collect::<String>() != was.replace(' ', "") {
            return; // not the token we expected (a comment, a continuation): leave it
        }
        self.site(
            op,
            vec![Edit {
                start: s,
                end: e,
                text: now.to_string(),
            }],
            format!("`{was}` -> `{now}`"),
        );
    }

    fn negate(&mut self, test: &ast::Expr) {
        let r = test.range();
        let text = self.text(r).to_string();
        self.site(
            Operator::Negation,
            vec![Edit {
                start: start(r),
                end: end(r),
                text: format!("not ({text})"),
            }],
            format!("`{}` -> `not (…)`", short(&text)),
        );
    }

    /// Where a block's text starts: the beginning of its first statement's line.
    fn line_start(&self, at: usize) -> usize {
        self.src[..at].rfind('\n').map_or(0, |p| p + 1)
    }

    fn swap_blocks(&mut self, s: &ast::StmtIf) {
        let (Some(b0), Some(b1), Some(e0), Some(e1)) = (
            s.body.first(),
            s.body.last(),
            s.orelse.first(),
            s.orelse.last(),
        ) else {
            return;
        };
        let if_line = crate::python::line_of(self.src, start(s.range));
        let body_line = crate::python::line_of(self.src, start(b0.range()));
        let else_start = self.line_start(start(e0.range()));
        // An `elif`, or a body on the `if` line: not two blocks to swap.
        if body_line == if_line || self.src[else_start..].trim_start().starts_with("elif") {
            return;
        }
        let (bs, be) = (self.line_start(start(b0.range())), end(b1.range()));
        let (es, ee) = (else_start, end(e1.range()));
        let col = |from: usize, at: usize| at - from;
        if col(bs, start(b0.range())) != col(es, start(e0.range())) || be > es {
            return;
        }
        let body = self.src[bs..be].to_string();
        let orelse = self.src[es..ee].to_string();
        self.site(
            Operator::SwapBranches,
            vec![
                Edit {
                    start: bs,
                    end: be,
                    text: orelse,
                },
                Edit {
                    start: es,
                    end: ee,
                    text: body,
                },
            ],
            format!("if/else at line {if_line}: branches swapped"),
        );
    }

    fn drop_statement(&mut self, stmt: &ast::Stmt) {
        let droppable = match stmt {
            ast::Stmt::Expr(e) => !matches!(
                &*e.value,
                ast::Expr::Constant(ast::ExprConstant {
                    value: ast::Constant::Str(_) | ast::Constant::Ellipsis,
                    ..
                })
            ),
            ast::Stmt::Assign(_)
            | ast::Stmt::AugAssign(_)
            | ast::Stmt::Raise(_)
            | ast::Stmt::Continue(_)
            | ast::Stmt::Break(_)
            | ast::Stmt::Delete(_) => true,
            ast::Stmt::AnnAssign(a) => a.value.is_some(),
            _ => false,
        };
        if droppable {
            let r = stmt.range();
            let text = self.text(r).to_string();
            self.site(
                Operator::DropStatement,
                vec![Edit {
                    start: start(r),
                    end: end(r),
                    text: "pass".into(),
                }],
                format!("`{}` dropped", short(&text)),
            );
        }
    }

    fn return_value(&mut self, value: &ast::Expr) {
        let now = match value {
            ast::Expr::Constant(c) => match c.value {
                ast::Constant::None => return,
                ast::Constant::Bool(b) => if b { "False" } else { "True" }.to_string(),
                _ => "None".into(),
            },
            _ => "None".into(),
        };
        let r = value.range();
        let was = self.text(r).to_string();
        self.site(
            Operator::ReturnValue,
            vec![Edit {
                start: start(r),
                end: end(r),
                text: now.clone(),
            }],
            format!("`return {}` -> `return {now}`", short(&was)),
        );
    }
}

/// A one-line, at most 40-character rendering of code, for descriptions.
fn short(code: &str) -> String {
    let one: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 40 {
        format!("{}…", one.chars().take(39).collect::<String>())
    } else {
        one
    }
}

fn cmp_swap(op: ast::CmpOp) -> (&'static str, &'static str) {
    use ast::CmpOp::*;
    match op {
        Eq => ("==", "!="),
        NotEq => ("!=", "=="),
        Lt => ("<", "<="),
        LtE => ("<=", "<"),
        Gt => (">", ">="),
        GtE => (">=", ">"),
        Is => ("is", "is not"),
        IsNot => ("is not", "is"),
        In => ("in", "not in"),
        NotIn => ("not in", "in"),
    }
}

fn arith_swap(op: ast::Operator) -> Option<(&'static str, &'static str)> {
    use ast::Operator::*;
    Some(match op {
        Add => ("+", "-"),
        Sub => ("-", "+"),
        Mult => ("*", "/"),
        Div => ("/", "*"),
        FloorDiv => ("//", "/"),
        Mod => ("%", "//"),
        Pow => ("**", "*"),
        _ => return None,
    })
}

impl Fold<TextRange> for Finder<'_> {
    crate::python::read_only_fold!();

    fn fold_stmt(&mut self, node: ast::Stmt) -> Result<ast::Stmt, Self::Error> {
        let function = matches!(
            node,
            ast::Stmt::FunctionDef(_) | ast::Stmt::AsyncFunctionDef(_)
        );
        if self.depth > 0 {
            self.drop_statement(&node);
            match &node {
                ast::Stmt::If(s) => {
                    self.negate(&s.test);
                    self.swap_blocks(s);
                }
                ast::Stmt::While(s) => self.negate(&s.test),
                ast::Stmt::Return(ast::StmtReturn {
                    value: Some(value), ..
                }) => self.return_value(value),
                ast::Stmt::AugAssign(a) => {
                    if let Some((was, now)) = arith_swap(a.op) {
                        let (was, now) = (format!("{was}="), format!("{now}="));
                        self.replace_between(
                            Operator::Arithmetic,
                            end(a.target.range()),
                            start(a.value.range()),
                            &was,
                            &now,
                        );
                    }
                }
                _ => {}
            }
        }
        if function {
            // Decorators, defaults and annotations are not the function's behaviour.
            self.depth += 1;
            let body: Vec<ast::Stmt> = match &node {
                ast::Stmt::FunctionDef(f) => f.body.clone(),
                ast::Stmt::AsyncFunctionDef(f) => f.body.clone(),
                _ => unreachable!("matched above"),
            };
            for stmt in body {
                self.fold_stmt(stmt)?;
            }
            self.depth -= 1;
            return Ok(node);
        }
        fold::fold_stmt(self, node)
    }

    fn fold_expr(&mut self, node: ast::Expr) -> Result<ast::Expr, Self::Error> {
        if self.depth > 0 {
            match &node {
                ast::Expr::Compare(c) => {
                    let mut left_end = end(c.left.range());
                    for (op, right) in c.ops.iter().zip(&c.comparators) {
                        let (was, now) = cmp_swap(*op);
                        self.replace_between(
                            Operator::Comparison,
                            left_end,
                            start(right.range()),
                            was,
                            now,
                        );
                        left_end = end(right.range());
                    }
                }
                ast::Expr::BinOp(b) => {
                    if let Some((was, now)) = arith_swap(b.op) {
                        self.replace_between(
                            Operator::Arithmetic,
                            end(b.left.range()),
                            start(b.right.range()),
                            was,
                            now,
                        );
                    }
                }
                ast::Expr::Constant(ast::ExprConstant {
                    value: ast::Constant::Int(n),
                    range,
                    ..
                }) => {
                    if let Ok(v) = n.to_string().parse::<i128>() {
                        let was = self.text(*range).to_string();
                        for now in [v + 1, v - 1] {
                            let text = if now < 0 {
                                format!("({now})")
                            } else {
                                now.to_string()
                            };
                            self.site(
                                Operator::Constant,
                                vec![Edit {
                                    start: start(*range),
                                    end: end(*range),
                                    text: text.clone(),
                                }],
                                format!("`{was}` -> `{text}`"),
                            );
                        }
                    }
                }
                ast::Expr::IfExp(e) => {
                    self.negate(&e.test);
                    let (b, o) = (e.body.range(), e.orelse.range());
                    let (bt, ot) = (self.text(b).to_string(), self.text(o).to_string());
                    self.site(
                        Operator::SwapBranches,
                        vec![
                            Edit {
                                start: start(b),
                                end: end(b),
                                text: ot,
                            },
                            Edit {
                                start: start(o),
                                end: end(o),
                                text: bt,
                            },
                        ],
                        "conditional expression: branches swapped".into(),
                    );
                }
                _ => {}
            }
        }
        fold::fold_expr(self, node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "LIMIT = 3\n\ndef f(x, y):\n    \"\"\"Doc.\"\"\"\n    if x < y:\n        z = x + 1\n    else:\n        z = y\n    return z\n";

    fn programs(src: &str) -> Vec<(Operator, String)> {
        all(src)
            .into_iter()
            .map(|m| (m.operator, m.program))
            .collect()
    }

    #[test]
    fn each_operator_makes_the_expected_edit() {
        let ms = programs(SRC);
        let has = |op: Operator, needle: &str| {
            ms.iter()
                .any(|(o, p)| *o == op && p.contains(needle) && p != SRC)
        };
        assert!(has(Operator::Comparison, "if x <= y:"));
        assert!(has(Operator::Arithmetic, "z = x - 1"));
        assert!(has(Operator::Constant, "z = x + 2"));
        assert!(has(Operator::Constant, "z = x + 0"));
        assert!(has(Operator::Negation, "if not (x < y):"));
        assert!(has(
            Operator::SwapBranches,
            "if x < y:\n        z = y\n    else:\n        z = x + 1\n"
        ));
        assert!(has(Operator::DropStatement, "        pass\n    else"));
        assert!(has(Operator::ReturnValue, "return None"));
        // Module-level code and the docstring are left alone.
        assert!(ms.iter().all(|(_, p)| p.starts_with("LIMIT = 3\n")));
        assert!(ms.iter().all(|(_, p)| p.contains("\"\"\"Doc.\"\"\"")));
        // Every mutant parses.
        for (_, p) in &ms {
            crate::python::parse_module(p, "t").unwrap();
        }
    }

    #[test]
    fn elif_chains_are_not_swapped_and_negatives_are_parenthesized() {
        let src = "def g(n):\n    if n > 0:\n        return 1\n    elif n < 0:\n        return -1\n    return 0\n";
        let ms = programs(src);
        assert!(!ms.iter().any(|(o, _)| *o == Operator::SwapBranches));
        // `-1` is minus the constant 1: it becomes `-2` and `-0`; 0 - 1 is parenthesized.
        assert!(ms
            .iter()
            .any(|(_, p)| p.contains("return -2\n    return 0")));
        assert!(ms.iter().any(|(_, p)| p.ends_with("return (-1)\n")));
        assert!(ms.iter().any(|(_, p)| p.contains("elif n <= 0")));
    }

    #[test]
    fn selection_spreads_over_operators_and_is_stable() {
        let all = all(SRC);
        let picked = select(all.clone(), 4);
        assert_eq!(picked.len(), 4);
        let kinds: std::collections::HashSet<_> = picked.iter().map(|m| m.operator).collect();
        assert_eq!(kinds.len(), 4);
        assert_eq!(picked, select(all, 4));
    }
}
