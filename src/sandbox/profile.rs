//! Profiles: named, pinned package sets (`sandbox-images/<name>/requirements.txt`),
//! shared by the process backend's virtual environments and the Docker images. An
//! entry's `requirements` pick the first profile that provides every package named
//! (by project name; version specifiers in entries are not checked against the pins).

/// A profile and its pinned requirement file.
#[derive(Debug)]
pub struct Profile {
    pub name: &'static str,
    /// The requirement file's text, compiled in.
    pub requirements: &'static str,
    /// Modules a warm runner imports once, so executions do not pay for them (the
    /// scientific stack takes seconds to import).
    pub preload: &'static [&'static str],
}

/// In order of preference: the smallest profile that satisfies an entry wins.
pub const PROFILES: &[Profile] = &[
    Profile {
        name: "python",
        requirements: include_str!("../../sandbox-images/python/requirements.txt"),
        preload: &[],
    },
    Profile {
        name: "ml",
        requirements: include_str!("../../sandbox-images/ml/requirements.txt"),
        preload: &[
            "numpy",
            "pandas",
            "scipy",
            "scipy.linalg",
            "scipy.optimize",
            "scipy.signal",
            "scipy.stats",
            "sklearn",
            "sklearn.cluster",
            "sklearn.datasets",
            "sklearn.decomposition",
            "sklearn.ensemble",
            "sklearn.linear_model",
            "sklearn.metrics",
            "sklearn.mixture",
            "sklearn.model_selection",
            "sklearn.naive_bayes",
            "sklearn.neighbors",
            "sklearn.pipeline",
            "sklearn.preprocessing",
            "sklearn.svm",
            "sklearn.tree",
        ],
    },
];

use std::collections::BTreeMap;

/// PEP 503 normalization, plus the import names people write for a project name.
pub fn normalize(name: &str) -> String {
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

impl Profile {
    /// The project names this profile installs.
    pub fn packages(&self) -> Vec<String> {
        pins(self.requirements).into_keys().collect()
    }

    /// Content hash of the pins: an environment is rebuilt when they change.
    pub fn hash(&self) -> String {
        blake3::hash(self.requirements.as_bytes()).to_hex()[..12].to_string()
    }
}

/// The first (smallest) profile whose pins satisfy every requirement (name and version
/// clauses), or a message naming the requirement no profile satisfies.
pub fn select(requirements: &[String]) -> Result<&'static Profile, String> {
    let mut specs = Vec::new();
    for spec in requirements.iter().filter(|r| !r.trim().is_empty()) {
        specs.push(parse_spec(spec).ok_or_else(|| format!("cannot read requirement {spec:?}"))?);
    }
    let fits = |p: &Profile| {
        let pins = pins(p.requirements);
        specs.iter().all(|(name, clauses)| {
            pins.get(name)
                .is_some_and(|v| clauses.iter().all(|(op, want)| satisfies(v, op, want)))
        })
    };
    if let Some(p) = PROFILES.iter().find(|p| fits(p)) {
        return Ok(p);
    }
    // Name the first requirement that no profile satisfies, and why.
    let largest = PROFILES.last().expect("profiles");
    let pins = pins(largest.requirements);
    for (spec, (name, clauses)) in requirements
        .iter()
        .filter(|r| !r.trim().is_empty())
        .zip(&specs)
    {
        match pins.get(name) {
            None => {
                let all: Vec<String> = PROFILES
                    .iter()
                    .map(|p| format!("{} = {}", p.name, describe(p)))
                    .collect();
                return Err(format!(
                    "requirement {spec:?}: no profile provides {name} (profiles: {})",
                    all.join("; ")
                ));
            }
            Some(v) => {
                if let Some((op, want)) = clauses.iter().find(|(op, w)| !satisfies(v, op, w)) {
                    return Err(format!(
                        "requirement {spec:?}: the {} profile pins {name} {v}, not {op}{want}",
                        largest.name
                    ));
                }
            }
        }
    }
    Err(format!("no single profile satisfies {requirements:?}"))
}

fn describe(p: &Profile) -> String {
    let pk = p.packages();
    if pk.is_empty() {
        "stdlib".into()
    } else {
        pk.join(", ")
    }
}

/// Every profile's hash, for journal keys: changed pins must not reuse old outcomes.
pub fn fingerprint() -> String {
    PROFILES
        .iter()
        .map(|p| format!("{}={}", p.name, p.hash()))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(r: &[&str]) -> Result<&'static str, String> {
        select(&r.iter().map(|s| s.to_string()).collect::<Vec<_>>()).map(|p| p.name)
    }

    #[test]
    fn picks_the_smallest_profile_that_provides_everything() {
        assert_eq!(sel(&[]).unwrap(), "python");
        assert_eq!(sel(&["  "]).unwrap(), "python");
        assert_eq!(sel(&["numpy", "sklearn"]).unwrap(), "ml");
        assert_eq!(sel(&["Scikit_Learn>=1.0"]).unwrap(), "ml");
        assert_eq!(
            sel(&["numpy==2.*", "pandas~=2.3", "scipy>=1.10,<2"]).unwrap(),
            "ml"
        );
    }

    #[test]
    fn unknown_or_unsatisfied_packages_are_named() {
        let e = sel(&["numpy", "torch==2.0"]).unwrap_err();
        assert!(e.contains("no profile provides torch"), "{e}");
        let e = sel(&["numpy<2"]).unwrap_err();
        assert!(e.contains("pins numpy 2.2.6, not <2"), "{e}");
    }
}
