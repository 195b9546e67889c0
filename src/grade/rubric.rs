//! The rubric: the dimensions a grader scores, each an integer range with a sentence per
//! score, and whether free notes are taken. A JSON file (`--rubric`), or the default:
//! functionality 0–5 and code quality 0–5.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const DEFAULT: &str = include_str!("default-rubric.json");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rubric {
    pub dimensions: Vec<Dimension>,
    #[serde(default = "yes")]
    pub notes: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Dimension {
    /// The key in grade files: lowercase letters, digits, `_`.
    pub name: String,
    /// What the page shows.
    #[serde(default)]
    pub label: String,
    pub min: i64,
    pub max: i64,
    /// What each score means, keyed by the score ("0" … "5").
    #[serde(default)]
    pub scores: BTreeMap<String, String>,
}

impl Rubric {
    pub(crate) fn default_rubric() -> Rubric {
        let r: Rubric = serde_json::from_str(DEFAULT).expect("embedded rubric parses");
        r.checked(Path::new("default rubric"))
            .expect("embedded rubric is valid")
    }

    /// The rubric of `--rubric FILE`, or the default.
    pub(crate) fn load(path: Option<&Path>) -> Result<Rubric> {
        let Some(path) = path else {
            return Ok(Rubric::default_rubric());
        };
        let r: Rubric = crate::record::load::read_json(path).map_err(|e| match e {
            Error::Input {
                path,
                line,
                message,
                ..
            } => {
                let field = backticked(&message).unwrap_or("json").to_string();
                Error::Input {
                    path,
                    line,
                    field,
                    message,
                }
            }
            other => other,
        })?;
        r.checked(path)
    }

    fn checked(mut self, path: &Path) -> Result<Rubric> {
        let bad = |field: String, message: String| Error::input(path, 0, &field, message);
        if self.dimensions.is_empty() {
            return Err(bad(
                "dimensions".into(),
                "a rubric needs at least one dimension".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, d) in self.dimensions.iter_mut().enumerate() {
            let field = format!("dimensions[{i}]");
            let ok = !d.name.is_empty()
                && d.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                return Err(bad(
                    format!("{field}.name"),
                    format!("{:?}: a name is lowercase letters, digits and _", d.name),
                ));
            }
            if !seen.insert(d.name.clone()) {
                return Err(bad(
                    format!("{field}.name"),
                    format!("duplicate dimension {:?}", d.name),
                ));
            }
            if d.min < 0 || d.max <= d.min || d.max - d.min > 9 {
                return Err(bad(
                    format!("{field}.max"),
                    format!(
                        "scores {}..={} : a dimension's scores are 0 or more, at least two and at most ten (one digit key each)",
                        d.min, d.max
                    ),
                ));
            }
            for key in d.scores.keys() {
                match key.parse::<i64>() {
                    Ok(s) if (d.min..=d.max).contains(&s) => {}
                    _ => {
                        return Err(bad(
                            format!("{field}.scores"),
                            format!("{key:?} is not a score of {}..={}", d.min, d.max),
                        ))
                    }
                }
            }
            if d.label.is_empty() {
                d.label = d.name.clone();
            }
        }
        Ok(self)
    }

    pub(crate) fn dimension(&self, name: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.name == name)
    }

    /// Checks a grade's scores: every key a dimension, every value in its range, at least
    /// one score. The error is the field (`scores.quality`) and why.
    pub(crate) fn check(&self, scores: &BTreeMap<String, i64>) -> Result<(), (String, String)> {
        if scores.is_empty() {
            return Err(("scores".into(), "a grade needs at least one score".into()));
        }
        for (name, &v) in scores {
            let Some(d) = self.dimension(name) else {
                let known: Vec<&str> = self.dimensions.iter().map(|d| d.name.as_str()).collect();
                return Err((
                    format!("scores.{name}"),
                    format!(
                        "not a dimension of the rubric (it has {})",
                        known.join(", ")
                    ),
                ));
            };
            if !(d.min..=d.max).contains(&v) {
                return Err((
                    format!("scores.{name}"),
                    format!("{v} is outside the rubric's {}..={}", d.min, d.max),
                ));
            }
        }
        Ok(())
    }
}

/// The first `name` quoted in backticks in a serde message ("missing field `x`").
pub(crate) fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rubric_has_two_dimensions_of_six_scores() {
        let r = Rubric::default_rubric();
        assert_eq!(r.dimensions.len(), 2);
        assert!(r.dimensions.iter().all(|d| d.scores.len() == 6));
        let mut s = BTreeMap::new();
        s.insert("quality".to_string(), 6);
        assert_eq!(r.check(&s).unwrap_err().0, "scores.quality");
        s.insert("quality".to_string(), 5);
        assert!(r.check(&s).is_ok());
        s.insert("speed".to_string(), 1);
        assert_eq!(r.check(&s).unwrap_err().0, "scores.speed");
    }

    #[test]
    fn a_bad_rubric_names_its_field() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        std::fs::write(&p, r#"{"dimensions":[{"name":"A b","min":0,"max":3}]}"#).unwrap();
        let e = Rubric::load(Some(&p)).unwrap_err().to_string();
        assert!(e.contains("dimensions[0].name"), "{e}");
        std::fs::write(&p, r#"{"dimensions":[{"name":"a","min":0,"max":30}]}"#).unwrap();
        let e = Rubric::load(Some(&p)).unwrap_err().to_string();
        assert!(e.contains("dimensions[0].max"), "{e}");
        std::fs::write(&p, r#"{"dimensions":[{"name":"a","min":0}]}"#).unwrap();
        let e = Rubric::load(Some(&p)).unwrap_err().to_string();
        assert!(e.contains(": max:"), "{e}");
    }
}
