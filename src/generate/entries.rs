//! `assay generate entries`: source records (what a task should be about) → a model's
//! skill-file-shaped answers → entries, parsed by the same Rust Python parser and skill
//! parser as hand-written skill files, each with a `source` naming the model, the prompt
//! hash and the time; every answer that does not make it is a reject with its stage and
//! reason.

use super::llm::{self, ChatRequest, Client, Message, Sampling};
use super::summary::{self, GenerationReject, GenerationSummary};
use super::trace::Trace;
use crate::entry::{read_jsonl, write_jsonl, Entry, Record};
use crate::run::Cancel;
use crate::{Error, Result};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// One source record: what the model is asked to write a task about.
#[derive(Debug, Clone)]
pub struct Source {
    pub origin: String,
    pub id: String,
    pub domain: String,
    pub description: String,
    pub category: Option<String>,
    pub difficulty: Option<String>,
    pub library: Option<String>,
    pub api: Option<String>,
    pub example: Option<String>,
}

const FIELDS: [&str; 9] = [
    "id",
    "domain",
    "description",
    "category",
    "difficulty",
    "library",
    "api",
    "model",
    "example",
];

fn source(path: &Path, rec: &Record) -> Result<Source> {
    let bad = |field: &str, m: String| Error::input(path, rec.line, field, m);
    if let Some(k) = rec.value.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(bad(
            k,
            format!("unknown field (known: {})", FIELDS.join(", ")),
        ));
    }
    let text = |field: &str| -> Result<Option<String>> {
        match rec.value.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(bad(field, "expected a string".into())),
        }
    };
    let required = |field: &str| text(field)?.ok_or_else(|| bad(field, "missing or empty".into()));
    let difficulty = text("difficulty")?;
    if let Some(d) = &difficulty {
        if !["basic", "intermediate", "advanced"].contains(&d.as_str()) {
            return Err(bad(
                "difficulty",
                format!("{d:?} is not basic, intermediate or advanced"),
            ));
        }
    }
    let description = required("description")?;
    let id = match text("id")? {
        Some(id) => {
            if slug(&id) != id {
                return Err(bad(
                    "id",
                    format!("{id:?} is not snake_case ([a-z][a-z0-9_]*)"),
                ));
            }
            id
        }
        None => slug(&description),
    };
    Ok(Source {
        origin: format!("{}:{}", path.display(), rec.line),
        id,
        domain: required("domain")?,
        description,
        category: text("category")?,
        difficulty,
        library: text("library")?,
        api: text("api")?.or(text("model")?),
        example: text("example")?,
    })
}

/// snake_case of the first words of a text, starting with a letter, at most 48 chars.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.len() + word.len() > 48 {
            break;
        }
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "task_");
    }
    out
}

/// Reads the sources file; a bad record is bad input naming its line and field.
pub fn load_sources(path: &Path) -> Result<Vec<Source>> {
    let sources = read_jsonl(path)?
        .iter()
        .map(|rec| source(path, rec))
        .collect::<Result<Vec<_>>>()?;
    if sources.is_empty() {
        return Err(Error::input(
            path,
            1,
            "domain",
            "no sources: the file is empty",
        ));
    }
    Ok(sources)
}

const SYSTEM: &str = r#"You write benchmark tasks for evaluating code generation, as one Python "skill file":

1. A module docstring: first line one sentence stating the task; then the exact specification (inputs, output, edge cases, errors raised).
2. Header comment lines `# assay: key = value`: domain, category (snake_case), difficulty (basic | intermediate | advanced), requirements (comma-separated pip names, only numpy, pandas, scipy, scikit-learn; omit the line for the standard library), key_concepts (`;`-separated), common_mistakes (`;`-separated), tags (comma-separated).
3. The imports.
4. The function to implement, with type hints and a docstring, fully implemented: this is the reference solution.
5. Test functions without arguments using plain `assert`: test_normal_* (typical inputs), test_edge_case_* (empty, boundary, invalid inputs), test_correctness_* (checked against an independent computation). At least one of each.

Everything must run offline and deterministically (seeded randomness, no files, no network)."#;

/// The structured-output schema: the whole file as one string.
fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {"skill_file": {"type": "string", "description": "the complete Python skill file"}},
        "required": ["skill_file"],
        "additionalProperties": false
    })
}

pub fn messages(s: &Source) -> Vec<Message> {
    let mut user = format!(
        "Write a skill file for this task.\n\nDomain: {}\nDescription: {}\n",
        s.domain, s.description
    );
    for (label, value) in [
        ("Category", &s.category),
        ("Difficulty", &s.difficulty),
        ("Library", &s.library),
        ("API or model", &s.api),
    ] {
        if let Some(v) = value {
            user.push_str(&format!("{label}: {v}\n"));
        }
    }
    if let Some(ex) = &s.example {
        user.push_str(&format!(
            "\nExample code to build on:\n```python\n{ex}\n```\n"
        ));
    }
    user.push_str(
        "\nAnswer with JSON {\"skill_file\": \"...\"}, or with the file in one ```python block.",
    );
    vec![
        Message {
            role: "system",
            content: SYSTEM.to_string(),
        },
        Message {
            role: "user",
            content: user,
        },
    ]
}

/// The header keys a model forgets most, filled from the source when absent.
fn with_defaults(code: &str, s: &Source) -> String {
    let has = |key: &str| {
        code.lines().any(|l| {
            l.trim_start()
                .strip_prefix('#')
                .and_then(|r| r.trim_start().strip_prefix("assay:"))
                .and_then(|r| r.split_once('='))
                .is_some_and(|(k, _)| k.trim() == key)
        })
    };
    let mut out = code.trim_end().to_string();
    out.push('\n');
    let mut add = |key: &str, value: &str| {
        if !has(key) {
            out.push_str(&format!("# assay: {key} = {value}\n"));
        }
    };
    add("domain", &s.domain);
    add("category", s.category.as_deref().unwrap_or("generated"));
    add(
        "difficulty",
        s.difficulty.as_deref().unwrap_or("intermediate"),
    );
    if let Some(lib) = &s.library {
        if crate::sandbox::profile::select(std::slice::from_ref(lib)).is_ok() {
            add("requirements", lib);
        }
    }
    out
}

pub struct EntriesOptions {
    pub sources: PathBuf,
    pub output: PathBuf,
    pub rejects: PathBuf,
    pub candidates: u32,
    pub sampling: Sampling,
    /// Ask for `response_format: json_schema` (servers without it are asked again plainly).
    pub structured: bool,
}

enum Step {
    Entry(Box<Entry>),
    Reject(GenerationReject, Option<String>),
}

async fn one(
    client: &Client,
    trace: &Trace,
    s: &Source,
    candidate: u32,
    id: String,
    opts: &EntriesOptions,
) -> Result<(Step, bool)> {
    let req = ChatRequest {
        messages: messages(s),
        sampling: opts.sampling.clone(),
        schema: opts.structured.then(|| ("skill_file", schema())),
        candidate,
        label: s.origin.clone(),
    };
    let reply = client.chat(&req).await?;
    let reject = |stage: &str, reason: String| GenerationReject {
        origin: s.origin.clone(),
        id: id.clone(),
        domain: s.domain.clone(),
        candidate,
        stage: stage.into(),
        reason,
        prompt_hash: reply.prompt_hash.clone(),
    };
    let step = match &reply.answer {
        Err(why) => {
            // The server never answered (gave up, HTTP error) or its answer was no use.
            let stage = if why.starts_with("gave up") || why.starts_with("HTTP ") {
                "request"
            } else {
                "answer"
            };
            Step::Reject(reject(stage, why.clone()), None)
        }
        Ok(text) => match llm::extract_code(text, "skill_file") {
            None => Step::Reject(
                reject(
                    "extract",
                    format!(
                        "no Python code in the answer: {:?}",
                        super::llm::excerpt(text, 80)
                    ),
                ),
                Some(text.clone()),
            ),
            Some(code) => {
                let label = PathBuf::from(format!("{}#{candidate}", s.origin));
                match crate::skills::parse_skill_text(&label, &id, &with_defaults(&code, s)) {
                    Ok(mut entry) => {
                        let at = humantime::format_rfc3339_seconds(std::time::SystemTime::now());
                        entry.source = Some(format!(
                            "generated: model={}; prompt={}; at={at}; from={}; candidate={candidate}",
                            client.model(),
                            reply.prompt_hash,
                            s.origin
                        ));
                        Step::Entry(Box::new(entry))
                    }
                    Err(e) => Step::Reject(reject("parse", e.to_string()), Some(text.clone())),
                }
            }
        },
    };
    let (result, stage, reason) = match &step {
        Step::Entry(_) => ("parsed", None, None),
        Step::Reject(r, _) => ("rejected", Some(r.stage.clone()), Some(r.reason.clone())),
    };
    trace.record(json!({"kind": "step", "step": "entry", "label": s.origin, "candidate": candidate,
        "id": id, "prompt_hash": reply.prompt_hash, "result": result, "stage": stage, "reason": reason}));
    Ok((step, reply.answer.is_ok()))
}

/// Asks for `candidates` answers per source, writes the entries (in source order), the
/// rejects and the generation summary beside the output.
pub async fn generate(
    client: &Client,
    trace: &Trace,
    opts: &EntriesOptions,
    concurrency: usize,
    mut cancel: Cancel,
    progress: &dyn Fn(usize, usize),
) -> Result<GenerationSummary> {
    let started = std::time::Instant::now();
    let sources = load_sources(&opts.sources)?;
    let mut work = Vec::new();
    for s in &sources {
        for k in 0..opts.candidates.max(1) {
            let id = if opts.candidates > 1 {
                format!("{}_{k}", s.id)
            } else {
                s.id.clone()
            };
            work.push((s, k, id));
        }
    }
    let total = work.len();
    progress(0, total);
    let all = futures_util::stream::iter(work.into_iter().enumerate())
        .map(|(i, (s, k, id))| async move { (i, one(client, trace, s, k, id, opts).await) })
        .buffer_unordered(concurrency.max(1) * 2)
        .enumerate()
        .map(|(n, done)| {
            progress(n + 1, total);
            done
        })
        .collect::<Vec<_>>();
    let mut done = tokio::select! {
        done = all => done,
        reason = cancel.fired() => {
            log::warn!("{reason}: stopping; the answers received are in the cache");
            return Err(Error::Interrupted);
        }
    };
    done.sort_by_key(|(i, _)| *i);
    let mut entries = Vec::new();
    let mut rejects = Vec::new();
    let mut reject_rows = Vec::new();
    let mut answers = 0;
    for (_, r) in done {
        let (step, answered) = r?;
        answers += usize::from(answered);
        match step {
            Step::Entry(e) => entries.push(*e),
            Step::Reject(r, text) => {
                let mut row = serde_json::to_value(&r).expect("serializes");
                if let Some(t) = text {
                    row["answer"] = t.chars().take(8192).collect::<String>().into();
                }
                reject_rows.push(row);
                rejects.push(r);
            }
        }
    }
    // Two sources that slug to the same id: the later one is a reject, as curate would.
    let mut seen = std::collections::HashMap::new();
    let mut unique = Vec::new();
    for e in entries {
        if let Some(first) = seen.get(&e.id) {
            let r = GenerationReject {
                origin: e.source.clone().unwrap_or_default(),
                id: e.id.clone(),
                domain: e.domain.clone(),
                candidate: 0,
                stage: "parse".into(),
                reason: format!("duplicate id {:?} (first from {first})", e.id),
                prompt_hash: String::new(),
            };
            reject_rows.push(serde_json::to_value(&r).expect("serializes"));
            rejects.push(r);
        } else {
            seen.insert(e.id.clone(), e.source.clone().unwrap_or_default());
            unique.push(e);
        }
    }
    write_jsonl(&opts.output, &unique)?;
    write_jsonl(&opts.rejects, &reject_rows)?;
    let summary = GenerationSummary {
        generated_by: format!("assay {}", env!("CARGO_PKG_VERSION")),
        model: client.model().to_string(),
        base_url: client.base_url().to_string(),
        sources: sources.len(),
        candidates: opts.candidates.max(1),
        answers,
        parsed: unique.len(),
        rejects,
        totals: client.totals(),
        elapsed_secs: started.elapsed().as_secs_f64(),
        trace: trace
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    };
    summary::write(&opts.output, &summary)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src() -> Source {
        Source {
            origin: "s.jsonl:1".into(),
            id: "x".into(),
            domain: "nlp".into(),
            description: "d".into(),
            category: None,
            difficulty: None,
            library: Some("numpy".into()),
            api: None,
            example: None,
        }
    }

    #[test]
    fn slugs_are_valid_ids() {
        assert_eq!(slug("Count words in a text!"), "count_words_in_a_text");
        assert_eq!(slug("3D rotation"), "task_3d_rotation");
    }

    #[test]
    fn missing_header_keys_come_from_the_source_and_given_ones_stay() {
        let code = "\"\"\"T.\"\"\"\n# assay: difficulty = basic\ndef f():\n    pass\n";
        let out = with_defaults(code, &src());
        assert!(out.contains("# assay: domain = nlp\n"));
        assert!(out.contains("# assay: requirements = numpy\n"));
        assert!(!out.contains("difficulty = intermediate"));
    }
}
