//! Stage 1: inputs → candidates. Entry JSONL files, skill files and directories of skill
//! files; each candidate is schema-checked and ids must be unique. Bad records become
//! rejections (curation keeps going), only unreadable inputs stop it.

use super::{Candidate, Stage};
use crate::entry::{foreign_problem, native_entry, read_jsonl_lenient};
use crate::skills::{parse_skill, skill_files};
use crate::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

fn from_skill(path: &Path) -> Candidate {
    let origin = path.display().to_string();
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match parse_skill(path) {
        Ok(entry) => Candidate::new(origin, entry),
        Err(e) => {
            let stage = match &e {
                Error::Input { field, .. } if field == "syntax" => Stage::Syntax,
                _ => Stage::Schema,
            };
            Candidate::rejected(origin, id, String::new(), stage, e.to_string())
        }
    }
}

/// Reads every input, in order.
pub fn load(inputs: &[impl AsRef<Path>]) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for input in inputs {
        let path = input.as_ref();
        if path.is_dir() {
            out.extend(skill_files(path)?.iter().map(|p| from_skill(p)));
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(from_skill(path));
        } else {
            let records = read_jsonl_lenient(path)?;
            if records.is_empty() {
                return Err(Error::input(
                    path,
                    1,
                    "id",
                    "no entries: the file is empty (or only blank lines)",
                ));
            }
            for rec in records {
                out.push(match rec {
                    Err(e) => {
                        let line = match &e {
                            Error::Input { line, .. } => *line,
                            _ => 0,
                        };
                        Candidate::rejected(
                            format!("{}:{line}", path.display()),
                            String::new(),
                            String::new(),
                            Stage::Schema,
                            e.to_string(),
                        )
                    }
                    Ok(rec) => {
                        let origin = format!("{}:{}", path.display(), rec.line);
                        let text = |k: &str| {
                            rec.value
                                .get(k)
                                .and_then(|v| v.as_str())
                                .unwrap_or_default()
                                .to_string()
                        };
                        let foreign = if rec.value.contains_key("id") {
                            None
                        } else {
                            foreign_problem(path, &rec)
                        };
                        match foreign {
                            Some(Ok(problem)) => Candidate::foreign(origin, problem, rec.value),
                            Some(Err(e)) => Candidate::rejected(
                                origin,
                                text("task_id"),
                                String::new(),
                                Stage::Schema,
                                e.to_string(),
                            ),
                            None => match native_entry(path, &rec) {
                                Ok(entry) => Candidate::new(origin, entry),
                                Err(e) => Candidate::rejected(
                                    origin,
                                    text("id"),
                                    text("domain"),
                                    Stage::Schema,
                                    e.to_string(),
                                ),
                            },
                        }
                    }
                });
            }
        }
    }
    // Unique ids: the first keeps its id, later ones are rejected.
    let mut first: HashMap<String, String> = HashMap::new();
    for c in out.iter_mut().filter(|c| c.entry.is_some()) {
        if let Some(origin) = first.get(&c.id) {
            let reason = format!("duplicate id {:?} (first at {origin})", c.id);
            c.reject(Stage::Schema, reason);
        } else {
            first.insert(c.id.clone(), c.origin.clone());
        }
    }
    Ok(out)
}
