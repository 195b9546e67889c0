//! Which image an entry needs: its `requirements` against each profile's pinned packages.

use std::collections::BTreeMap;

/// A sandbox image profile (`sandbox-images/<name>/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// The standard library only.
    Python,
    /// numpy, pandas, scikit-learn, scipy and their dependencies.
    Ml,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Python, Profile::Ml];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Python => "python",
            Profile::Ml => "ml",
        }
    }

    /// The image `scripts/build-images` tags for this profile.
    pub fn image(self) -> String {
        format!("assay-sandbox-{}:latest", self.name())
    }
}

const ML_REQUIREMENTS: &str = include_str!("../../../sandbox-images/ml/requirements.txt");

/// PEP 503 normalization, plus the import names people write for a project name.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.push(c.to_ascii_lowercase());
    }
    match out.as_str() {
        "sklearn" => "scikit-learn".into(),
        "dateutil" => "python-dateutil".into(),
        _ => out,
    }
}

/// `name==version` lines of a requirements file, by normalized name.
fn pins(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter_map(|l| l.split_once("=="))
        .map(|(n, v)| (normalize(n), v.trim().to_string()))
        .collect()
}

/// A requirement spec split into its normalized name and its version clauses.
fn parse_spec(spec: &str) -> Option<(String, Vec<(String, String)>)> {
    let spec = spec.split(';').next().unwrap_or("").trim(); // environment markers
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = normalize(&spec[..end]);
    if name.is_empty() {
        return None;
    }
    let mut rest = spec[end..].trim();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map(|(_, r)| r.trim()).unwrap_or("");
    }
    let rest = rest.trim_start_matches('(').trim_end_matches(')');
    let mut clauses = Vec::new();
    for clause in rest.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let op_len = clause
            .find(|c: char| !matches!(c, '=' | '<' | '>' | '!' | '~'))
            .unwrap_or(clause.len());
        clauses.push((
            clause[..op_len].to_string(),
            clause[op_len..].trim().to_string(),
        ));
    }
    Some((name, clauses))
}

fn numbers(v: &str) -> Vec<u64> {
    v.split('.')
        .map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        })
        .collect()
}

fn cmp_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (numbers(a), numbers(b));
    let n = a.len().max(b.len());
    a.resize(n, 0);
    b.resize(n, 0);
    a.cmp(&b)
}

/// Whether `version` meets one clause (`>=1.2`, `==2.*`, `~=1.4`, …).
fn satisfies(version: &str, op: &str, want: &str) -> bool {
    use std::cmp::Ordering::*;
    if let Some(prefix) = want.strip_suffix(".*") {
        let hit = numbers(version).starts_with(&numbers(prefix));
        return match op {
            "==" => hit,
            "!=" => !hit,
            _ => false,
        };
    }
    let ord = cmp_versions(version, want);
    match op {
        "==" | "===" => ord == Equal,
        "!=" => ord != Equal,
        ">=" => ord != Less,
        "<=" => ord != Greater,
        ">" => ord == Greater,
        "<" => ord == Less,
        "~=" => {
            let w = numbers(want);
            let keep = w.len().saturating_sub(1).max(1);
            ord != Less && numbers(version).starts_with(&w[..keep])
        }
        _ => false,
    }
}

/// The profile whose image satisfies every requirement, or a message naming the one
/// no profile satisfies.
pub fn select(requirements: &[String]) -> Result<Profile, String> {
    let specs: Vec<&String> = requirements
        .iter()
        .filter(|r| !r.trim().is_empty())
        .collect();
    if specs.is_empty() {
        return Ok(Profile::Python);
    }
    let ml = pins(ML_REQUIREMENTS);
    for spec in specs {
        let Some((name, clauses)) = parse_spec(spec) else {
            return Err(format!("cannot read requirement {spec:?}"));
        };
        let Some(version) = ml.get(&name) else {
            return Err(format!(
                "requirement {spec:?}: no docker image profile provides {name} \
                 (profiles: python = stdlib, ml = {})",
                ml.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        };
        if let Some((op, want)) = clauses.iter().find(|(op, w)| !satisfies(version, op, w)) {
            return Err(format!(
                "requirement {spec:?}: the ml profile pins {name} {version}, not {op}{want}"
            ));
        }
    }
    Ok(Profile::Ml)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(r: &[&str]) -> Result<Profile, String> {
        select(&r.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn no_requirements_is_the_stdlib_profile() {
        assert_eq!(sel(&[]), Ok(Profile::Python));
    }

    #[test]
    fn scientific_packages_pick_ml_by_normalized_name() {
        assert_eq!(
            sel(&[
                "numpy>=1.20",
                "Scikit_Learn",
                "sklearn",
                "pandas[performance]; python_version>'3'"
            ]),
            Ok(Profile::Ml)
        );
        assert_eq!(sel(&["scipy==1.16.*", "numpy~=2.2"]), Ok(Profile::Ml));
    }

    #[test]
    fn unknown_or_unsatisfied_packages_are_named() {
        let e = sel(&["numpy", "torch>=2"]).unwrap_err();
        assert!(e.contains("torch"), "{e}");
        let e = sel(&["numpy>=3"]).unwrap_err();
        assert!(e.contains("numpy 2.2.6"), "{e}");
    }
}
