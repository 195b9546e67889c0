//! One executable Python file per entry, in the AICoderEval paper's layout: pip-install
//! comments, imports, the solution, one function per test, and `test_main()` that runs
//! every test, prints `Test case [i/n] succeeded|failed: …` and exits 1 if any failed.

use super::{check_ids, py_str};
use crate::entry::{Entry, TestCase};
use crate::error::Error;
use std::collections::HashSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Names the generated scaffolding uses; a test function with one of them is wrapped.
const RESERVED: [&str; 2] = ["test_main", "_ASSAY_TESTS"];

/// Writes `<dir>/<id>.py` for every entry (mode 755) and returns the paths in entry order.
pub fn standalone(entries: &[Entry], dir: &Path) -> crate::Result<Vec<PathBuf>> {
    check_ids(entries, dir)?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths = Vec::with_capacity(entries.len());
    for e in entries {
        let path = dir.join(format!("{}.py", e.id));
        let write = |source| Error::Write {
            path: path.clone(),
            source,
        };
        std::fs::write(&path, standalone_source(e)).map_err(write)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(write)?;
        paths.push(path);
    }
    Ok(paths)
}

/// The standalone program of one entry.
pub fn standalone_source(e: &Entry) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/bin/env python3");
    let _ = writeln!(out, "# {}: {}", e.id, one_line(&e.description));
    let _ = writeln!(
        out,
        "# domain: {} · category: {} · difficulty: {}",
        one_line(&e.domain),
        one_line(&e.category),
        one_line(&e.difficulty)
    );
    let _ = writeln!(
        out,
        "# Exported by assay. Run: python3 {}.py (exit 0 when every test passes, 1 otherwise).",
        e.id
    );
    let _ = writeln!(out, "\n# Package installation");
    if e.requirements.is_empty() {
        let _ = writeln!(out, "# (standard library only)");
    }
    for r in &e.requirements {
        let _ = writeln!(out, "# pip install {}", one_line(r));
    }

    let (imports, body) = split_imports(&e.reference);
    if !imports.trim().is_empty() {
        let _ = writeln!(out, "\n# Imports");
        out.push_str(imports.trim_matches('\n'));
        out.push('\n');
    }
    let _ = writeln!(out, "\n\n# Main function");
    out.push_str(body.trim_matches('\n'));
    out.push('\n');

    let _ = writeln!(out, "\n\n# Test functions");
    let mut used: HashSet<&str> = RESERVED.into_iter().collect();
    let mut table = Vec::with_capacity(e.tests.len());
    for (i, t) in e.tests.iter().enumerate() {
        let (name, code) = test_function(t, i + 1, &mut used);
        out.push('\n');
        out.push_str(&code);
        out.push_str("\n\n");
        table.push(format!(
            "    ({}, {}, {name}),",
            py_str(&t.name),
            py_str(t.level.as_str())
        ));
    }
    out.push_str("\n_ASSAY_TESTS = [\n");
    for row in &table {
        out.push_str(row);
        out.push('\n');
    }
    out.push_str("]\n");
    out.push_str(TEST_MAIN);
    out
}

/// The paper's `test_main`, as a loop over the test functions so one failure does not
/// stop the rest; exits 1 when any test failed.
const TEST_MAIN: &str = r#"

def test_main():
    print("Testing started.")
    n = len(_ASSAY_TESTS)
    failures = 0
    for i, (name, level, test) in enumerate(_ASSAY_TESTS, 1):
        print(f"Testing case [{i}/{n}] started: {name} ({level})")
        try:
            test()
            print(f"Test case [{i}/{n}] succeeded")
        except KeyboardInterrupt:
            raise
        except BaseException as e:  # a test that exits or raises anything has failed
            failures += 1
            error = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
            print(f"Test case [{i}/{n}] failed: {error}")
    print(f"Testing finished: {n - failures} of {n} passed.")
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    test_main()
"#;

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits the reference's leading single-line imports (and the blank lines and comments
/// among them) from the rest, for the paper's "Imports" and "Main function" sections.
fn split_imports(reference: &str) -> (&str, &str) {
    let mut end = 0;
    let mut last_import = 0;
    for line in reference.split_inclusive('\n') {
        let t = line.trim_end();
        let import = (t.starts_with("import ") || t.starts_with("from "))
            && !t.ends_with('(')
            && !t.ends_with('\\');
        if import {
            end += line.len();
            last_import = end;
        } else if t.is_empty() || t.starts_with('#') {
            end += line.len();
        } else {
            break;
        }
    }
    reference.split_at(last_import)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// A test as a function of the file, returning (function name, source).
///
/// Test code is statements run in the namespace of the reference. Three shapes, most
/// readable first: a skill-file test (`def test_x(): …` then `test_x()`) keeps its own
/// function verbatim; other code without multi-line strings or line continuations is
/// indented into a function; anything else is executed in the module's globals from a
/// string, exactly as assay's runner does.
fn test_function<'a>(
    t: &'a TestCase,
    index: usize,
    used: &mut HashSet<&'a str>,
) -> (String, String) {
    if let Some((name, def)) = skill_test(&t.code) {
        if used.insert(name) {
            return (name.to_string(), def.to_string());
        }
    }
    let name = format!("_assay_test_{index}");
    let doc = py_str(&format!("{} ({})", t.name, t.level.as_str()));
    let code = t.code.trim_end_matches('\n');
    let indentable = !code.contains('\t')
        && !code.contains("\"\"\"")
        && !code.contains("'''")
        && !code.lines().any(|l| l.trim_end().ends_with('\\'));
    let mut out = format!("def {name}():\n    {doc}\n");
    if indentable {
        for line in code.lines() {
            if !line.trim().is_empty() {
                out.push_str("    ");
                out.push_str(line);
            }
            out.push('\n');
        }
    } else {
        let file = py_str(&format!("<test:{}>", t.name));
        let _ = writeln!(
            out,
            "    exec(compile({}, {file}, \"exec\"), globals())",
            py_str(&t.code)
        );
    }
    (name, out.trim_end().to_string())
}

/// `def NAME(…): <indented body>` followed by `NAME()`: returns NAME and the def alone.
fn skill_test(code: &str) -> Option<(&str, &str)> {
    let code = code.trim_matches('\n');
    let (def, call) = code.rsplit_once('\n')?;
    let name = def.strip_prefix("def ")?.split('(').next()?;
    if !is_identifier(name) || RESERVED.contains(&name) || call.trim_end() != format!("{name}()") {
        return None;
    }
    // Only the def at top level: every later line is indented, blank or a comment.
    let rest = def.lines().skip(1);
    let single = rest
        .clone()
        .all(|l| l.is_empty() || l.starts_with(' ') || l.starts_with('\t') || l.starts_with('#'));
    let signature_closed = def.lines().next()?.trim_end().ends_with(':');
    (single && signature_closed && rest.count() > 0).then(|| (name, def.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Level;
    use crate::export::fixtures::*;

    #[test]
    fn skill_tests_keep_their_function() {
        let t = test(
            "t",
            Level::Normal,
            "def test_a():\n    assert 1\n\n\ntest_a()\n",
        );
        let mut used = HashSet::new();
        let (name, code) = test_function(&t, 1, &mut used);
        assert_eq!(
            (name.as_str(), code.as_str()),
            ("test_a", "def test_a():\n    assert 1")
        );
        // The same name twice would shadow the first: the second is wrapped.
        let (name, _) = test_function(&t, 2, &mut used);
        assert_eq!(name, "_assay_test_2");
        let called_twice = test(
            "t",
            Level::Normal,
            "def test_b():\n    pass\ntest_b()\ntest_b()\n",
        );
        assert_eq!(
            test_function(&called_twice, 3, &mut used).0,
            "_assay_test_3"
        );
    }

    #[test]
    fn other_tests_are_indented_or_executed() {
        let mut used = HashSet::new();
        let plain = test("sums", Level::Normal, "x = 1\n\nassert x == 1\n");
        let (_, code) = test_function(&plain, 1, &mut used);
        assert_eq!(
            code,
            "def _assay_test_1():\n    \"sums (normal)\"\n    x = 1\n\n    assert x == 1"
        );
        let multi = test("m", Level::EdgeCase, "s = \"\"\"a\nb\"\"\"\nassert s\n");
        let (_, code) = test_function(&multi, 2, &mut used);
        assert!(
            code.contains("exec(compile(\"s = \\\"\\\"\\\"a\\nb"),
            "{code}"
        );
        assert!(
            code.ends_with("\"<test:m>\", \"exec\"), globals())"),
            "{code}"
        );
    }

    #[test]
    fn imports_are_split_from_the_solution() {
        let (imports, body) =
            split_imports("import math\n# c\nfrom a import (\n    b)\n\ndef f(): pass\n");
        assert_eq!(imports, "import math\n");
        assert!(body.starts_with("# c\nfrom a import ("));
        assert_eq!(split_imports("def f(): pass\n").0, "");
    }

    #[test]
    fn layout_follows_the_paper() {
        let src = standalone_source(&prefix_entry());
        let order = [
            "#!/usr/bin/env python3",
            "# Package installation\n# pip install numpy>=1.20",
            "# Main function\ndef add(",
            "# Test functions",
            "def _assay_test_1():",
            "_ASSAY_TESTS = [\n    (\"sums\", \"normal\", _assay_test_1),",
            "def test_main():",
            "if __name__ == \"__main__\":\n    test_main()",
        ];
        let mut at = 0;
        for part in order {
            let found = src[at..]
                .find(part)
                .unwrap_or_else(|| panic!("{part:?} missing after {at} in\n{src}"));
            at += found + part.len();
        }
    }
}
