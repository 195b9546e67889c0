//! A hash of a program that ignores what does not change its meaning much: positions,
//! comments, docstrings, and the names chosen for variables, functions and arguments.
//! Two references with the same hash are near-duplicates.

use rustpython_parser::ast::{self, fold, Fold};
use rustpython_parser::text_size::TextRange;
use std::collections::HashMap;

struct Normalizer {
    names: HashMap<String, String>,
}

impl Normalizer {
    fn canon(&mut self, name: &str) -> ast::Identifier {
        let n = self.names.len();
        ast::Identifier::new(
            self.names
                .entry(name.to_string())
                .or_insert_with(|| format!("v{n}"))
                .clone(),
        )
    }
}

fn is_docstring(s: &ast::Stmt) -> bool {
    matches!(s, ast::Stmt::Expr(e) if matches!(&*e.value, ast::Expr::Constant(c) if matches!(c.value, ast::Constant::Str(_))))
}

impl Fold<TextRange> for Normalizer {
    type TargetU = ();
    type Error = std::convert::Infallible;
    type UserContext = ();

    fn will_map_user(&mut self, _: &TextRange) {}

    fn map_user(&mut self, _: TextRange, _: ()) -> Result<(), Self::Error> {
        Ok(())
    }

    fn fold_stmt(&mut self, node: ast::Stmt) -> Result<ast::Stmt<()>, Self::Error> {
        let node = match node {
            ast::Stmt::FunctionDef(mut f) => {
                f.name = self.canon(&f.name);
                f.body.retain(|s| !is_docstring(s));
                ast::Stmt::FunctionDef(f)
            }
            ast::Stmt::ClassDef(mut c) => {
                c.name = self.canon(&c.name);
                c.body.retain(|s| !is_docstring(s));
                ast::Stmt::ClassDef(c)
            }
            other => other,
        };
        fold::fold_stmt(self, node)
    }

    fn fold_expr(&mut self, node: ast::Expr) -> Result<ast::Expr<()>, Self::Error> {
        let node = match node {
            ast::Expr::Name(mut n) => {
                n.id = self.canon(&n.id);
                ast::Expr::Name(n)
            }
            other => other,
        };
        fold::fold_expr(self, node)
    }

    fn fold_arg(&mut self, mut node: ast::Arg) -> Result<ast::Arg<()>, Self::Error> {
        node.arg = self.canon(&node.arg);
        fold::fold_arg(self, node)
    }
}

/// The normalized-AST hash of a module (hex), or `None` if it does not parse.
pub fn normalized_hash(src: &str) -> Option<String> {
    let mut body = super::parse_module(src, "<normalize>").ok()?;
    body.retain(|s| !is_docstring(s));
    let mut n = Normalizer {
        names: HashMap::new(),
    };
    let mut text = String::new();
    for stmt in body {
        let Ok(s) = n.fold_stmt(stmt);
        text.push_str(&format!("{s:?}\n"));
    }
    Some(blake3::hash(text.as_bytes()).to_hex()[..24].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renaming_and_comments_do_not_change_the_hash() {
        let a =
            "def add(a, b):\n    \"\"\"Add.\"\"\"\n    total = a + b  # sum\n    return total\n";
        let b = "def plus(x, y):\n    s = x + y\n\n    return s\n";
        assert_eq!(normalized_hash(a), normalized_hash(b));
        let c = "def add(a, b):\n    return a - b\n";
        assert_ne!(normalized_hash(a), normalized_hash(c));
    }
}
