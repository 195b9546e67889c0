//! One skill file → one entry, through the Python parser: the module docstring, the
//! `# assay:` header (comment tokens), placeholders, the entry point, the tests.

use crate::entry::{schema, Entry, Level, LimitOverrides, TestCase};
use crate::python::{self, comments, line_of, parse_module};
use crate::{Error, Result};
use rustpython_parser::ast::{self, Ranged};
use std::collections::BTreeMap;
use std::path::Path;

struct Header {
    fields: BTreeMap<String, (usize, String)>,
    placeholders: Vec<(String, String)>,
    /// Byte ranges of the header lines, removed from the reference.
    lines: Vec<(usize, usize)>,
}

fn header(path: &Path, src: &str) -> Result<Header> {
    let bad = |line, field: &str, m: String| Error::input(path, line, field, m);
    let toks = comments(src).map_err(|e| bad(e.line, "syntax", e.message))?;
    let mut h = Header {
        fields: BTreeMap::new(),
        placeholders: Vec::new(),
        lines: Vec::new(),
    };
    for c in toks {
        let Some(rest) = c.text.trim().strip_prefix("assay:") else {
            continue;
        };
        let Some((key, value)) = rest.split_once('=') else {
            return Err(bad(
                c.line,
                "header",
                format!("expected `# assay: key = value`, found {:?}", c.text.trim()),
            ));
        };
        let (key, value) = (key.trim().to_string(), value.trim().to_string());
        if let Some(name) = key.strip_prefix("placeholder ") {
            h.placeholders.push((name.trim().to_string(), value));
        } else if h.fields.insert(key.clone(), (c.line, value)).is_some() {
            return Err(bad(c.line, &key, "given twice".into()));
        }
        // The whole line goes, newline included (header lines stand alone).
        let start = src[..c.start].rfind('\n').map_or(0, |i| i + 1);
        let end = src[c.end..].find('\n').map_or(src.len(), |i| c.end + i + 1);
        h.lines.push((start, end));
    }
    Ok(h)
}

/// Byte range of a top-level statement, from the start of its first line (decorators
/// included) to the end of its last line.
fn extent(src: &str, stmt: &ast::Stmt) -> (usize, usize) {
    let mut start = usize::from(stmt.start());
    if let ast::Stmt::FunctionDef(f) = stmt {
        if let Some(d) = f.decorator_list.first() {
            start = start.min(usize::from(d.start()));
        }
    }
    let start = src[..start].rfind('\n').map_or(0, |i| i + 1);
    let end = usize::from(stmt.end());
    let end = src[end..].find('\n').map_or(src.len(), |i| end + i + 1);
    (start, end)
}

fn docstring(body: &[ast::Stmt]) -> Option<String> {
    match body.first()? {
        ast::Stmt::Expr(e) => match &*e.value {
            ast::Expr::Constant(c) => match &c.value {
                ast::Constant::Str(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

fn level_of(name: &str) -> Option<Level> {
    [
        ("test_normal_", Level::Normal),
        ("test_edge_case_", Level::EdgeCase),
        ("test_correctness_", Level::Correctness),
    ]
    .iter()
    .find(|(p, _)| name.starts_with(p) && name.len() > p.len())
    .map(|(_, l)| *l)
}

/// Removes byte ranges from a text and tidies blank lines.
fn without(src: &str, mut cuts: Vec<(usize, usize)>) -> String {
    cuts.sort();
    let mut out = String::new();
    let mut at = 0;
    for (s, e) in cuts {
        if s > at {
            out.push_str(&src[at..s]);
        }
        at = at.max(e);
    }
    out.push_str(&src[at.min(src.len())..]);
    tidy(&out)
}

/// At most two blank lines in a row, none at the start, one newline at the end.
fn tidy(text: &str) -> String {
    let mut out = String::new();
    let mut blanks = 0;
    for line in text.lines() {
        if line.trim().is_empty() {
            blanks += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(&"\n".repeat(blanks.min(2)));
        }
        blanks = 0;
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn split_list(v: &str, sep: char) -> Vec<String> {
    v.split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Parses one skill file into an entry, schema-checked.
pub fn parse_skill(path: &Path) -> Result<Entry> {
    let rerr = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(rerr)?;
    if meta.is_dir() {
        return Err(rerr(std::io::Error::from_raw_os_error(libc::EISDIR)));
    }
    // The cap of every JSONL line holds for a whole skill file too: a runaway file is
    // refused before it is read, not parsed for minutes.
    let cap = crate::entry::MAX_LINE_BYTES;
    if meta.len() > cap as u64 {
        return Err(Error::input(
            path,
            0,
            "size",
            format!("larger than {} MiB: not a skill file", cap >> 20),
        ));
    }
    let bytes = std::fs::read(path).map_err(rerr)?;
    // A BOM is what Windows editors write; Python's own reader skips it too.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let raw = std::str::from_utf8(bytes).map_err(|e| {
        let upto = &bytes[..e.valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        Error::input(
            path,
            line,
            "encoding",
            "not valid UTF-8; save the file as UTF-8",
        )
    })?;
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_skill_text(path, &id, raw)
}

/// Parses a skill file's text (read from `path`, or a model's answer named by it) into
/// the entry `id`, schema-checked; errors name `path`.
pub fn parse_skill_text(path: &Path, id: &str, raw: &str) -> Result<Entry> {
    let id = id.to_string();
    let raw = raw.to_string();
    let bad = |line: usize, field: &str, m: String| Error::input(path, line, field, m);

    // Placeholders first: `<name>` may not even parse before it is replaced.
    let mut h = header(path, &raw)?;
    let mut src = raw.clone();
    for (name, value) in &h.placeholders {
        src = src.replace(&format!("<{name}>"), value);
    }
    if let Some((line, name)) = python::placeholders_left(&src).into_iter().next() {
        return Err(bad(
            line,
            "placeholder",
            format!("<{name}> has no `# assay: placeholder {name} = VALUE`"),
        ));
    }
    if !h.placeholders.is_empty() {
        h = header(path, &src)?; // header ranges in the substituted text
    }
    let body = parse_module(&src, &path.display().to_string())
        .map_err(|e| bad(e.line, "syntax", e.message))?;
    let doc = docstring(&body).ok_or_else(|| {
        bad(
            1,
            "docstring",
            "a skill file starts with a module docstring".into(),
        )
    })?;
    let field = |key: &str| h.fields.get(key).map(|(_, v)| v.clone());
    let required = |key: &str| {
        field(key).ok_or_else(|| bad(1, key, format!("missing `# assay: {key} = …` header")))
    };

    let mut cuts: Vec<(usize, usize)> = h.lines.clone();
    cuts.push(extent(&src, &body[0]));
    let mut tests = Vec::new();
    let mut imports = Vec::new();
    let mut functions: Vec<&ast::StmtFunctionDef> = Vec::new();
    for stmt in &body[1..] {
        match stmt {
            ast::Stmt::FunctionDef(f) if f.name.starts_with("test_") => {
                let level = level_of(&f.name).ok_or_else(|| {
                    bad(
                        line_of(&src, usize::from(f.start())),
                        "tests",
                        format!("{}: a test's name starts with test_normal_, test_edge_case_ or test_correctness_", f.name),
                    )
                })?;
                let (s, e) = extent(&src, stmt);
                cuts.push((s, e));
                tests.push(TestCase {
                    name: f.name.to_string(),
                    level,
                    code: format!("{}\n{}()\n", tidy(&src[s..e]).trim_end(), f.name),
                });
            }
            ast::Stmt::FunctionDef(f) => functions.push(f),
            ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_) => {
                let (s, e) = extent(&src, stmt);
                imports.push(src[s..e].trim_end().to_string());
            }
            _ => {}
        }
    }
    if tests.is_empty() {
        return Err(bad(
            1,
            "tests",
            "no test_normal_*, test_edge_case_* or test_correctness_* function".into(),
        ));
    }
    let entry_point = match field("entry_point") {
        Some(name) => functions
            .iter()
            .find(|f| f.name.as_str() == name)
            .copied()
            .ok_or_else(|| {
                bad(
                    h.fields["entry_point"].0,
                    "entry_point",
                    format!("no top-level function {name}"),
                )
            })?,
        None => *functions
            .first()
            .ok_or_else(|| bad(1, "entry_point", "no function to be the entry point".into()))?,
    };

    // The prompt: the task, the imports, the signature and docstring of the entry point.
    let (sig_start, _) = extent(&src, &ast::Stmt::FunctionDef(entry_point.clone()));
    let sig_end = match (docstring(&entry_point.body), entry_point.body.first()) {
        (Some(_), Some(d)) => extent(&src, d).1,
        (None, Some(first)) => extent(&src, first).0,
        (_, None) => usize::from(entry_point.end()),
    };
    let task = doc.trim();
    // The docstring as written (quotes, escapes and all), not re-quoted from its value.
    let (doc_start, doc_end) = extent(&src, &body[0]);
    let mut prompt = format!("{}\n", src[doc_start..doc_end].trim_end());
    if !imports.is_empty() {
        prompt.push_str(&imports.join("\n"));
        prompt.push_str("\n\n\n");
    }
    prompt.push_str(src[sig_start..sig_end].trim_end_matches('\n'));
    prompt.push('\n');

    let reference = without(&src, cuts);
    let description = task.lines().next().unwrap_or_default().trim().to_string();
    let limits = match field("timeout") {
        None => None,
        Some(t) => Some(LimitOverrides {
            timeout_secs: Some(t.parse().map_err(|_| {
                bad(
                    h.fields["timeout"].0,
                    "timeout",
                    format!("not a number: {t:?}"),
                )
            })?),
            ..Default::default()
        }),
    };
    let entry = Entry {
        id,
        domain: required("domain")?,
        category: required("category")?,
        difficulty: required("difficulty")?,
        description,
        prompt,
        entry_point: entry_point.name.to_string(),
        reference,
        requirements: field("requirements")
            .map(|v| split_list(&v, ','))
            .unwrap_or_default(),
        tests,
        key_concepts: field("key_concepts")
            .map(|v| split_list(&v, ';'))
            .unwrap_or_default(),
        common_mistakes: field("common_mistakes")
            .map(|v| split_list(&v, ';'))
            .unwrap_or_default(),
        tags: field("tags")
            .map(|v| split_list(&v, ','))
            .unwrap_or_default(),
        placeholders: h
            .placeholders
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
        source: Some(format!(
            "skill:{}",
            path.file_name()
                .map(|f| f.to_string_lossy())
                .unwrap_or_default()
        )),
        limits,
    };
    let known = [
        "domain",
        "category",
        "difficulty",
        "requirements",
        "key_concepts",
        "common_mistakes",
        "tags",
        "entry_point",
        "timeout",
    ];
    if let Some((key, (line, _))) = h.fields.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        return Err(bad(
            *line,
            key,
            format!("unknown header key (known: {})", known.join(", ")),
        ));
    }
    schema::check_entry(
        path,
        1,
        &serde_json::to_value(&entry).expect("entry serializes"),
    )?;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKILL: &str = r#""""Clip a number into a range.

Return `lo` when x < lo, `hi` when x > hi, else x.
"""
# assay: domain = math
# assay: category = arithmetic
# assay: difficulty = basic
# assay: tags = clip, range
# assay: key_concepts = comparison; bounds
# assay: placeholder default_hi = 10

import math

LIMIT = <default_hi>


def clip(x: float, lo: float = 0, hi: float = LIMIT) -> float:
    """Clip x into [lo, hi]."""
    return max(lo, min(hi, x))


def test_normal_inside():
    assert clip(5) == 5


def test_edge_case_bounds():
    assert clip(-1) == 0
    assert clip(11) == 10


def test_correctness_nan_free():
    assert not math.isnan(clip(3.5))
"#;

    fn parse(text: &str) -> Result<Entry> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("clip_value.py");
        std::fs::write(&p, text).unwrap();
        parse_skill(&p)
    }

    #[test]
    fn compiles_a_skill_file() {
        let e = parse(SKILL).unwrap();
        assert_eq!(e.id, "clip_value");
        assert_eq!(e.description, "Clip a number into a range.");
        assert_eq!(e.entry_point, "clip");
        assert_eq!(e.tags, ["clip", "range"]);
        assert_eq!(e.key_concepts, ["comparison", "bounds"]);
        assert_eq!(e.placeholders["default_hi"], "10");
        assert!(e.reference.contains("LIMIT = 10\n"), "{}", e.reference);
        assert!(!e.reference.contains("test_"), "{}", e.reference);
        assert!(!e.reference.contains("# assay:"));
        assert!(e.prompt.ends_with("def clip(x: float, lo: float = 0, hi: float = LIMIT) -> float:\n    \"\"\"Clip x into [lo, hi].\"\"\"\n"), "{}", e.prompt);
        assert!(e.prompt.contains("import math\n"));
        let levels: Vec<_> = e.tests.iter().map(|t| t.level).collect();
        assert_eq!(levels, [Level::Normal, Level::EdgeCase, Level::Correctness]);
        assert!(e.tests[1].code.ends_with("\ntest_edge_case_bounds()\n"));
        // The reference really is a program: it parses.
        parse_module(&e.reference, "ref").unwrap();
    }

    #[test]
    fn the_prompt_keeps_the_docstring_as_written() {
        let e = parse(&SKILL.replace(
            "Clip a number into a range.\n",
            "Clip a number into a range.\n\nMatches \\w+ and \\d.\n",
        ))
        .unwrap();
        assert!(
            e.prompt.starts_with("\"\"\"Clip a number into a range."),
            "{}",
            e.prompt
        );
        assert!(e.prompt.contains("\\w+"), "{}", e.prompt);
        parse_module(&e.prompt, "prompt").unwrap();
    }

    #[test]
    fn names_the_line_and_field_of_mistakes() {
        let e = parse(&SKILL.replace("# assay: placeholder default_hi = 10\n", ""))
            .unwrap_err()
            .to_string();
        assert!(e.contains(":13: placeholder: <default_hi>"), "{e}");
        let e = parse(&SKILL.replace("def test_normal_inside", "def test_inside"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(":22: tests: test_inside"), "{e}");
        let e = parse(&SKILL.replace("# assay: domain = math\n", ""))
            .unwrap_err()
            .to_string();
        assert!(e.contains(":1: domain: missing"), "{e}");
        let e = parse(&SKILL.replace("difficulty = basic", "difficulty = hard"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("difficulty"), "{e}");
        let e = parse(&SKILL.replace("return max(lo", "return max(lo,,"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(": syntax:"), "{e}");
    }
}
