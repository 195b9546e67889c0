//! JSON Schema validation of native entries against `tasks/schema/entry.schema.json`.

use crate::error::{Error, Result};
use std::path::Path;
use std::sync::OnceLock;

/// The schema, compiled into the binary so `validate` works from any directory.
pub const ENTRY_SCHEMA: &str = include_str!("../../tasks/schema/entry.schema.json");

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schema: serde_json::Value = serde_json::from_str(ENTRY_SCHEMA).expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("schema compiles")
    })
}

/// Checks one entry; the first violation becomes an error naming file, line and field.
pub fn check_entry(path: &Path, line: usize, value: &serde_json::Value) -> Result<()> {
    let v = validator();
    if let Some(err) = v.iter_errors(value).next() {
        let pointer = err.instance_path.to_string();
        let field = if pointer.is_empty() {
            // A missing required property is reported at the object itself: name it.
            missing_property(&err.to_string()).unwrap_or_else(|| "entry".to_string())
        } else {
            pointer.trim_start_matches('/').replace('/', ".")
        };
        return Err(Error::input(path, line, &field, err.to_string()));
    }
    Ok(())
}

fn missing_property(message: &str) -> Option<String> {
    // jsonschema phrases it as: "\"name\" is a required property"
    let rest = message.strip_prefix('"')?;
    let end = rest.find('"')?;
    message
        .contains("is a required property")
        .then(|| rest[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good() -> serde_json::Value {
        json!({"id": "add_two", "domain": "math", "category": "arith", "difficulty": "basic",
               "description": "Adds.", "prompt": "def add(a, b):\n", "entry_point": "add",
               "reference": "def add(a, b):\n    return a + b\n",
               "tests": [{"name": "t1", "level": "normal", "code": "assert add(1, 2) == 3"}]})
    }

    #[test]
    fn accepts_a_good_entry() {
        check_entry(Path::new("x.jsonl"), 1, &good()).unwrap();
    }

    #[test]
    fn names_missing_and_bad_fields() {
        let mut e = good();
        e.as_object_mut().unwrap().remove("entry_point");
        let msg = check_entry(Path::new("x.jsonl"), 4, &e)
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("x.jsonl:4: entry_point:"), "{msg}");

        let mut e = good();
        e["tests"][0]["level"] = json!("hard");
        let msg = check_entry(Path::new("x.jsonl"), 2, &e)
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("x.jsonl:2: tests.0.level:"), "{msg}");
    }
}
