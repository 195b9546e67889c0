//! Stages 2 and 3, no sandbox needed: the reference and every test must parse, and no
//! denied import or call may appear in them.

use super::{Candidate, Stage};
use crate::python::{parse_module, policy};

/// Rejects candidates whose reference or tests do not parse.
pub fn syntax(c: &mut Candidate) {
    let Some(entry) = &c.entry else { return };
    let mut problem = parse_module(&entry.reference, "reference")
        .err()
        .map(|e| format!("reference {e}"));
    for t in &entry.tests {
        if problem.is_some() {
            break;
        }
        problem = parse_module(&t.code, &t.name)
            .err()
            .map(|e| format!("test {} {e}", t.name));
    }
    if let Some(reason) = problem {
        c.reject(Stage::Syntax, reason);
    }
}

/// Rejects candidates that use a denied module or call anywhere.
pub fn policy(c: &mut Candidate, deny: &[String]) {
    let Some(entry) = &c.entry else { return };
    let sources = std::iter::once(("reference".to_string(), &entry.reference)).chain(
        entry
            .tests
            .iter()
            .map(|t| (format!("test {}", t.name), &t.code)),
    );
    for (what, src) in sources {
        if let Ok(found) = policy::check(src, deny) {
            if let Some(v) = found.first() {
                c.reject(
                    Stage::Policy,
                    format!("{what} line {}: {}", v.line, v.message),
                );
                return;
            }
        }
    }
}
