//! The import policy: denied modules and calls, found by walking the AST (with import
//! aliases resolved), each reported with its line.

use rustpython_parser::ast::{self, fold, Fold};
use rustpython_parser::text_size::TextRange;
use std::collections::HashMap;

/// What curation refuses by default: process, network, native-code and destructive
/// file-system access. A denied module also denies everything under it.
pub const DEFAULT_DENY: &[&str] = &[
    "subprocess",
    "socket",
    "ctypes",
    "multiprocessing",
    "pty",
    "requests",
    "urllib.request",
    "http.client",
    "ftplib",
    "smtplib",
    "telnetlib",
    "os.system",
    "os.popen",
    "os.fork",
    "os.kill",
    "os.killpg",
    "os.execv",
    "os.execve",
    "os.execvp",
    "os.spawnv",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "os.removedirs",
    "shutil.rmtree",
    "shutil.move",
];

/// One policy violation.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub line: usize,
    pub message: String,
}

struct Walker<'a> {
    src: &'a str,
    deny: &'a [String],
    /// local name -> dotted name it stands for
    aliases: HashMap<String, String>,
    found: Vec<Violation>,
}

impl Walker<'_> {
    fn denied(&self, dotted: &str) -> Option<&str> {
        self.deny
            .iter()
            .find(|d| dotted == d.as_str() || dotted.starts_with(&format!("{d}.")))
            .map(String::as_str)
    }

    fn report(&mut self, range: TextRange, what: String) {
        let line = super::line_of(self.src, usize::from(range.start()));
        if !self
            .found
            .iter()
            .any(|v| v.line == line && v.message == what)
        {
            self.found.push(Violation {
                line,
                message: what,
            });
        }
    }

    /// `a.b.c` for a chain of attributes on a name, with the name's alias resolved.
    fn dotted(&self, e: &ast::Expr) -> Option<String> {
        match e {
            ast::Expr::Name(n) => Some(
                self.aliases
                    .get(n.id.as_str())
                    .cloned()
                    .unwrap_or_else(|| n.id.to_string()),
            ),
            ast::Expr::Attribute(a) => Some(format!("{}.{}", self.dotted(&a.value)?, a.attr)),
            _ => None,
        }
    }
}

impl Fold<TextRange> for Walker<'_> {
    crate::python::read_only_fold!();

    fn fold_stmt(&mut self, node: ast::Stmt) -> Result<ast::Stmt, Self::Error> {
        match &node {
            ast::Stmt::Import(i) => {
                for alias in &i.names {
                    let module = alias.name.to_string();
                    if let Some(d) = self.denied(&module) {
                        self.report(i.range, format!("imports denied module {module} ({d})"));
                    }
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    // `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`.
                    let target = if alias.asname.is_some() {
                        module.clone()
                    } else {
                        local.clone()
                    };
                    self.aliases.insert(
                        local.split('.').next().unwrap_or_default().to_string(),
                        target,
                    );
                }
            }
            ast::Stmt::ImportFrom(f) => {
                let module = f.module.as_ref().map(|m| m.to_string()).unwrap_or_default();
                if let Some(d) = self.denied(&module) {
                    self.report(f.range, format!("imports denied module {module} ({d})"));
                }
                for alias in &f.names {
                    let dotted = format!("{module}.{}", alias.name);
                    if let Some(d) = self.denied(&dotted) {
                        self.report(f.range, format!("imports denied name {dotted} ({d})"));
                    }
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    self.aliases.insert(local, dotted);
                }
            }
            _ => {}
        }
        fold::fold_stmt(self, node)
    }

    fn fold_expr(&mut self, node: ast::Expr) -> Result<ast::Expr, Self::Error> {
        if let ast::Expr::Attribute(a) = &node {
            if let Some(dotted) = self.dotted(&node) {
                if let Some(d) = self.denied(&dotted) {
                    self.report(a.range, format!("uses denied {dotted} ({d})"));
                }
            }
        }
        if let ast::Expr::Call(c) = &node {
            // `__import__("subprocess")` and `importlib.import_module("socket")`
            let callee = self.dotted(&c.func).unwrap_or_default();
            if callee == "__import__" || callee == "importlib.import_module" {
                if let Some(ast::Expr::Constant(k)) = c.args.first() {
                    if let ast::Constant::Str(m) = &k.value {
                        if let Some(d) = self.denied(m) {
                            self.report(
                                c.range,
                                format!("imports denied module {m} dynamically ({d})"),
                            );
                        }
                    }
                }
            }
        }
        fold::fold_expr(self, node)
    }
}

/// Violations of `deny` in `src` (which must parse), in source order.
pub fn check(src: &str, deny: &[String]) -> Result<Vec<Violation>, super::SyntaxError> {
    let body = super::parse_module(src, "<policy>")?;
    let mut w = Walker {
        src,
        deny,
        aliases: HashMap::new(),
        found: Vec::new(),
    };
    for stmt in body {
        let Ok(_) = w.fold_stmt(stmt);
    }
    w.found.sort_by_key(|v| v.line);
    Ok(w.found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deny() -> Vec<String> {
        DEFAULT_DENY.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_imports_aliases_and_calls_with_lines() {
        let src = "import os\nimport subprocess as sp\nfrom shutil import rmtree as rm\n\ndef f():\n    os.system('ls')\n    os.path.join('a')\n    return __import__('socket')\n";
        let v = check(src, &deny()).unwrap();
        let lines: Vec<_> = v.iter().map(|v| v.line).collect();
        assert_eq!(lines, [2, 3, 6, 8], "{v:?}");
        assert!(v[0].message.contains("subprocess"));
        assert!(v[2].message.contains("os.system"));
    }

    #[test]
    fn clean_code_passes() {
        let src = "import os.path\nimport numpy as np\n\ndef f(p):\n    return os.path.basename(p), np.zeros(2)\n";
        assert!(check(src, &deny()).unwrap().is_empty());
    }
}
