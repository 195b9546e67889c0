//! Reading a Chat Completions response: the answer's text or why there is none
//! (malformed body, server error, refusal, content filter, empty answer), the usage;
//! and getting code out of an answer (structured JSON, fenced blocks, or bare code).

use super::Usage;
use serde_json::Value;

pub(super) struct Parsed {
    pub content: Result<String, String>,
    pub usage: Usage,
    pub finish_reason: Option<String>,
}

/// The first characters of a text, on one line, for reasons.
pub(crate) fn excerpt(text: &str, n: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > n {
        format!("{}…", flat.chars().take(n).collect::<String>())
    } else {
        flat
    }
}

/// The `error.message` of an error body, or the body's start.
pub(super) fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .or_else(|| v.get("error"))
                .or_else(|| v.get("message"))
                .and_then(|m| m.as_str().map(str::to_string))
        })
        .unwrap_or_else(|| excerpt(body, 120))
}

pub(super) fn parse_body(body: &str) -> Parsed {
    let fail = |why: String| Parsed {
        content: Err(why),
        usage: Usage::default(),
        finish_reason: None,
    };
    let v: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            return fail(format!(
                "malformed response: not JSON ({e}): {:?}",
                excerpt(body, 60)
            ))
        }
    };
    let usage = Usage {
        prompt_tokens: v
            .pointer("/usage/prompt_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        completion_tokens: v
            .pointer("/usage/completion_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(0),
    };
    let with = |content, finish_reason| Parsed {
        content,
        usage,
        finish_reason,
    };
    if v.get("error").is_some_and(|e| !e.is_null()) {
        return with(Err(format!("server error: {}", error_message(body))), None);
    }
    let Some(choice) = v.pointer("/choices/0") else {
        return with(Err("malformed response: no choices".into()), None);
    };
    let finish = choice
        .get("finish_reason")
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(message) = choice.get("message").filter(|m| m.is_object()) else {
        return with(
            Err("malformed response: choice without a message".into()),
            finish,
        );
    };
    if let Some(r) = message.get("refusal").and_then(Value::as_str) {
        if !r.trim().is_empty() {
            return with(Err(format!("refusal: {}", excerpt(r, 120))), finish);
        }
    }
    if finish.as_deref() == Some("content_filter") {
        return with(Err("refusal: stopped by the content filter".into()), finish);
    }
    match message.get("content") {
        Some(Value::String(s)) if !s.trim().is_empty() => with(Ok(s.clone()), finish),
        Some(Value::String(_)) | Some(Value::Null) | None => {
            with(Err("empty answer".into()), finish)
        }
        Some(_) => with(
            Err("malformed response: message content is not a string".into()),
            finish,
        ),
    }
}

/// The bodies of the markdown code fences of a text, with their info strings.
pub(crate) fn fenced_blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, String)> = None; // (info, fence length, body)
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let ticks = trimmed.chars().take_while(|&c| c == '`').count();
        match &mut open {
            None if ticks >= 3 => {
                open = Some((trimmed[ticks..].trim().to_lowercase(), ticks, String::new()));
            }
            None => {}
            Some((_, n, _)) if ticks >= *n && trimmed.trim() == "`".repeat(ticks) => {
                let (info, _, body) = open.take().expect("open");
                out.push((info, body));
            }
            Some((_, _, body)) => body.push_str(line),
        }
    }
    // An answer cut by max_tokens leaves its last fence open: keep what came.
    if let Some((info, _, body)) = open {
        out.push((info, body));
    }
    out
}

/// The Python code of an answer: the `field` of a JSON answer (structured output), else
/// the first fenced block tagged python (else the longest fenced block), else the whole
/// answer when it parses as Python. `None` when there is no code.
pub(crate) fn extract_code(answer: &str, field: &str) -> Option<String> {
    let trimmed = answer.trim();
    if trimmed.starts_with('{') {
        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(trimmed) {
            if let Some(code) = m.get(field).and_then(Value::as_str) {
                // Some models fence the code even inside the JSON string.
                return extract_code(code, field).or(Some(code.to_string()));
            }
        }
    }
    let blocks = fenced_blocks(answer);
    let python = blocks.iter().find(|(info, _)| {
        matches!(
            info.split_whitespace().next(),
            Some("python" | "py" | "python3")
        )
    });
    if let Some((_, body)) = python.or_else(|| blocks.iter().max_by_key(|(_, b)| b.len())) {
        return Some(body.clone()).filter(|b| !b.trim().is_empty());
    }
    crate::python::parse_module(answer, "answer")
        .ok()
        .filter(|body| !body.is_empty())
        .map(|_| answer.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_empty_and_malformed_are_reasons() {
        let refusal = r#"{"choices":[{"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}"#;
        assert!(parse_body(refusal)
            .content
            .unwrap_err()
            .starts_with("refusal"));
        let empty = r#"{"choices":[{"message":{"role":"assistant","content":"  "},"finish_reason":"stop"}]}"#;
        assert_eq!(parse_body(empty).content.unwrap_err(), "empty answer");
        assert!(parse_body("<html>502 Bad Gateway</html>")
            .content
            .unwrap_err()
            .starts_with("malformed response: not JSON"));
        let ok = r#"{"choices":[{"message":{"content":"x = 1"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3}}"#;
        let p = parse_body(ok);
        assert_eq!(p.content.unwrap(), "x = 1");
        assert_eq!(p.usage.completion_tokens, 3);
    }

    #[test]
    fn code_comes_from_json_fences_or_bare_python() {
        assert_eq!(
            extract_code(r#"{"code": "def f():\n    return 1\n"}"#, "code").unwrap(),
            "def f():\n    return 1\n"
        );
        let chatty =
            "Sure! Here it is:\n\n```python\ndef f():\n    return 1\n```\n\nHope it helps.";
        assert_eq!(
            extract_code(chatty, "code").unwrap(),
            "def f():\n    return 1\n"
        );
        let two = "```text\nnot this\n```\n```py\nx = 2\n```";
        assert_eq!(extract_code(two, "code").unwrap(), "x = 2\n");
        assert_eq!(
            extract_code("def g(): pass\n", "code").unwrap(),
            "def g(): pass\n"
        );
        assert!(extract_code("I'm sorry, I cannot do that.", "code").is_none());
        let cut = "```python\ndef f():\n    return [1,";
        assert!(extract_code(cut, "code").unwrap().starts_with("def f()"));
    }
}
