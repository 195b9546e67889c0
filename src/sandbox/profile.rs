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

/// Import names people write that differ from the project name.
const ALIASES: &[(&str, &str)] = &[("sklearn", "scikit-learn"), ("dateutil", "python-dateutil")];

/// PEP 503 normalized project name of a requirement spec (`NumPy>=1.2` → `numpy`).
pub fn project_name(spec: &str) -> String {
    let name = spec
        .trim()
        .split(|c: char| "<>=!~;[ @(".contains(c))
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace(['_', '.'], "-");
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map(|(_, real)| real.to_string())
        .unwrap_or(name)
}

impl Profile {
    /// The project names this profile installs.
    pub fn packages(&self) -> Vec<String> {
        self.requirements
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default().trim())
            .filter(|l| !l.is_empty())
            .map(project_name)
            .collect()
    }

    /// Content hash of the pins: an environment is rebuilt when they change.
    pub fn hash(&self) -> String {
        blake3::hash(self.requirements.as_bytes()).to_hex()[..12].to_string()
    }
}

/// The profile for an entry's requirements, or the first package no profile provides.
pub fn select(requirements: &[String]) -> Result<&'static Profile, String> {
    let wanted: Vec<String> = requirements
        .iter()
        .map(|r| project_name(r))
        .filter(|n| !n.is_empty())
        .collect();
    PROFILES
        .iter()
        .find(|p| {
            let have = p.packages();
            wanted.iter().all(|w| have.contains(w))
        })
        .ok_or_else(|| {
            let all: Vec<String> = PROFILES.iter().flat_map(|p| p.packages()).collect();
            wanted
                .iter()
                .find(|w| !all.contains(w))
                .cloned()
                .unwrap_or_else(|| wanted.join(", "))
        })
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

    #[test]
    fn picks_the_smallest_profile_that_provides_everything() {
        assert_eq!(select(&[]).unwrap().name, "python");
        assert_eq!(
            select(&["numpy".into(), "sklearn".into()]).unwrap().name,
            "ml"
        );
        assert_eq!(select(&["Scikit_Learn>=1.0".into()]).unwrap().name, "ml");
        assert_eq!(
            select(&["numpy".into(), "torch==2.0".into()]).unwrap_err(),
            "torch"
        );
    }
}
