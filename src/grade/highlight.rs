//! Python syntax highlighting on the server, from rustpython's lexer tokens: each token
//! that has a class becomes a `<span class="tok-…">`, everything HTML-escaped. Code the
//! lexer cannot read past some point (a syntax error) is shown plain from there on.

use rustpython_parser::lexer::lex;
use rustpython_parser::{Mode, Tok};

/// `&`, `<`, `>`, `"` and `'` escaped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const BUILTINS: &[&str] = &[
    "abs",
    "all",
    "any",
    "bool",
    "dict",
    "enumerate",
    "filter",
    "float",
    "int",
    "isinstance",
    "len",
    "list",
    "map",
    "max",
    "min",
    "print",
    "range",
    "reversed",
    "set",
    "sorted",
    "str",
    "sum",
    "tuple",
    "zip",
    "self",
    "super",
    "type",
    "ValueError",
    "TypeError",
    "KeyError",
    "IndexError",
    "Exception",
];

fn class(tok: &Tok, text: &str) -> Option<&'static str> {
    match tok {
        Tok::Comment(_) => Some("com"),
        Tok::String { .. } => Some("str"),
        Tok::Int { .. } | Tok::Float { .. } | Tok::Complex { .. } => Some("num"),
        Tok::Name { name } if BUILTINS.contains(&name.as_str()) => Some("bi"),
        Tok::Name { .. } => None,
        // Every other token spelled with letters is a keyword (def, return, True, None…).
        _ if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphabetic()) => Some("kw"),
        _ => None,
    }
}

/// The code as HTML (no wrapping element): escaped text with token spans.
pub(crate) fn python(code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    let mut at = 0;
    let mut prev_def = false;
    for tok in lex(code, Mode::Module) {
        let Ok((tok, range)) = tok else { break };
        let (start, end) = (usize::from(range.start()), usize::from(range.end()));
        if start < at
            || end > code.len()
            || !code.is_char_boundary(start)
            || !code.is_char_boundary(end)
        {
            continue;
        }
        let text = &code[start..end];
        let mut cls = class(&tok, text);
        if prev_def && matches!(tok, Tok::Name { .. }) {
            cls = Some("fn");
        }
        prev_def = matches!(tok, Tok::Def | Tok::Class);
        let Some(cls) = cls else { continue };
        out.push_str(&escape(&code[at..start]));
        out.push_str("<span class=\"tok-");
        out.push_str(cls);
        out.push_str("\">");
        out.push_str(&escape(text));
        out.push_str("</span>");
        at = end;
    }
    out.push_str(&escape(&code[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_become_spans_and_text_is_escaped() {
        let html = python("def f(x):\n    # a <b>\n    return x < 1 and \"<i>\"\n");
        assert!(
            html.starts_with(
                "<span class=\"tok-kw\">def</span> <span class=\"tok-fn\">f</span>(x):"
            ),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"tok-com\"># a &lt;b&gt;</span>"),
            "{html}"
        );
        assert!(html.contains("x &lt; <span class=\"tok-num\">1</span> <span class=\"tok-kw\">and</span> <span class=\"tok-str\">&quot;&lt;i&gt;&quot;</span>"), "{html}");
    }

    /// Tags removed and entities decoded, the HTML is the code again.
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn the_text_of_the_html_is_the_code() {
        for code in [
            "import os\n\n@dec\nclass A(B):\n    '''doc <&>'''\n    def f(self, x=1.5e3, *a, **k):\n        return [i ** 2 for i in range(x) if i > 0]  # ok\n",
            "s = f\"{x!r:>10}\" + b'\\x00' + r'\\d'\nwhile True: break\n",
            "def broken(:\n    return 'é' & <>\n",
            "",
        ] {
            assert_eq!(text_of(&python(code)), code);
        }
    }

    #[test]
    fn code_the_lexer_refuses_is_kept_whole_and_escaped() {
        let code = "x = '<unterminated\n";
        let html = python(code);
        assert!(html.contains("&lt;unterminated"), "{html}");
        assert!(!html.contains('<') || html.contains("<span"), "{html}");
    }
}
