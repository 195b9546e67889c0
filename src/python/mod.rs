//! Python source through a real parser (rustpython-parser): syntax checks, comment
//! tokens, the import/call policy walk and normalized-AST hashes for dedupe; and Python
//! values as the runner reports them, with Python's and numpy's comparisons (`value`).

mod normalize;
pub mod policy;
pub(crate) mod value;

pub use normalize::normalized_hash;

use rustpython_parser::ast;
use rustpython_parser::lexer::lex;
use rustpython_parser::{Mode, Tok};

/// The half of rustpython's `Fold` that every read-only walk of ours (a fold of a tree
/// into itself, to look at it) writes the same way: source ranges kept as they are.
macro_rules! read_only_fold {
    () => {
        type TargetU = rustpython_parser::text_size::TextRange;
        type Error = std::convert::Infallible;
        type UserContext = ();

        fn will_map_user(&mut self, _: &rustpython_parser::text_size::TextRange) {}

        fn map_user(
            &mut self,
            user: rustpython_parser::text_size::TextRange,
            _: (),
        ) -> Result<rustpython_parser::text_size::TextRange, Self::Error> {
            Ok(user)
        }
    };
}
pub(crate) use read_only_fold;

/// A syntax error with a 1-based line.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// 1-based line of a byte offset. The end of a file that ends with a newline (where the
/// parser puts "unexpected EOF") is its last line, not one past it.
pub fn line_of(src: &str, offset: usize) -> usize {
    let line = src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    line.min(src.lines().count().max(1))
}

/// Parses a module; `name` appears in nothing but messages.
pub fn parse_module(src: &str, name: &str) -> Result<Vec<ast::Stmt>, SyntaxError> {
    match rustpython_parser::parse(src, Mode::Module, name) {
        Ok(ast::Mod::Module(m)) => Ok(m.body),
        Ok(_) => Err(SyntaxError {
            line: 1,
            message: "not a module".into(),
        }),
        Err(e) => Err(SyntaxError {
            line: line_of(src, usize::from(e.offset)),
            message: e.error.to_string(),
        }),
    }
}

/// A `#` comment with its byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub line: usize,
    pub start: usize,
    pub end: usize,
    /// The text after `#`, untrimmed.
    pub text: String,
}

/// Every comment of the source, found by the lexer (so `#` inside strings is not one).
pub fn comments(src: &str) -> Result<Vec<Comment>, SyntaxError> {
    let mut out = Vec::new();
    for tok in lex(src, Mode::Module) {
        let (tok, range) = tok.map_err(|e| SyntaxError {
            line: line_of(src, usize::from(e.location)),
            message: e.error.to_string(),
        })?;
        if let Tok::Comment(text) = tok {
            let start = usize::from(range.start());
            out.push(Comment {
                line: line_of(src, start),
                start,
                end: usize::from(range.end()),
                text: text.trim_start_matches('#').to_string(),
            });
        }
    }
    Ok(out)
}

/// `<name>` written as three adjacent tokens: a placeholder left in the code.
pub fn placeholders_left(src: &str) -> Vec<(usize, String)> {
    let toks: Vec<(Tok, usize, usize)> = lex(src, Mode::Module)
        .filter_map(Result::ok)
        .map(|(t, r)| (t, usize::from(r.start()), usize::from(r.end())))
        .collect();
    toks.windows(3)
        .filter_map(|w| match (&w[0], &w[1], &w[2]) {
            ((Tok::Less, _, a), (Tok::Name { name }, b, c), (Tok::Greater, d, _))
                if a == b && c == d =>
            {
                Some((line_of(src, *b), name.to_string()))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_line_of_a_syntax_error() {
        let e = parse_module("x = 1\ndef f(:\n    pass\n", "t").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn comments_ignore_hashes_in_strings() {
        let c = comments("s = '# not'\n# yes: 1\nx = 2  # trailing\n").unwrap();
        let texts: Vec<_> = c
            .iter()
            .map(|c| (c.line, c.text.trim().to_string()))
            .collect();
        assert_eq!(
            texts,
            [(2, "yes: 1".to_string()), (3, "trailing".to_string())]
        );
    }

    #[test]
    fn finds_placeholders_not_comparisons() {
        assert_eq!(
            placeholders_left("n = <count>\n"),
            [(1, "count".to_string())]
        );
        assert!(placeholders_left("ok = a < b > c\n").is_empty());
    }
}
