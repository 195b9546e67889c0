//! Which image an entry needs: its `requirements` against each profile's pinned packages.

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

/// The profile whose image satisfies every requirement (shared selection:
/// `crate::sandbox::profile::select`), or a message naming the one no profile satisfies.
pub fn select(requirements: &[String]) -> Result<Profile, String> {
    let chosen = crate::sandbox::profile::select(requirements)?;
    Profile::ALL
        .into_iter()
        .find(|p| p.name() == chosen.name)
        .ok_or_else(|| format!("no docker image for the {} profile", chosen.name))
}
