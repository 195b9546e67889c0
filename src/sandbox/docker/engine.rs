//! The connection to the local Docker engine, the images per profile, and who we are
//! (the labels that let a later `assay` tell its own leftovers from live containers).

use crate::sandbox::profile::Profile;
use crate::Error;
use bollard::Docker;
use std::collections::HashMap;

/// Every container of assay carries this label (the filter of `gc` and the tests).
pub const LABEL: &str = "assay";
pub const LABEL_RUN: &str = "assay.run";
pub const LABEL_PID: &str = "assay.pid";
/// The harness process's start time (clock ticks since boot): a recycled pid is not us.
pub const LABEL_START: &str = "assay.pid-start";
pub const LABEL_PROFILE: &str = "assay.profile";

/// Connects and agrees on an API version the engine speaks (20.10 stops at 1.41, older
/// than bollard's default).
pub async fn connect() -> crate::Result<Docker> {
    let host =
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let down = |e: &dyn std::fmt::Display| {
        Error::Environment(format!(
            "cannot reach the Docker engine at {host}: {e} (is dockerd running? \
             --sandbox process needs no engine)"
        ))
    };
    let docker = Docker::connect_with_local_defaults().map_err(|e| down(&e))?;
    let docker = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        docker.negotiate_version(),
    )
    .await
    .map_err(|_| down(&"no answer within 10 s"))?
    .map_err(|e| down(&e))?;
    Ok(docker)
}

/// An image that exists, with what identifies it.
#[derive(Debug, Clone)]
pub struct Image {
    pub tag: String,
    /// `sha256:…` of the image.
    pub id: String,
    /// The recipe hash label `scripts/build-images` set, when present.
    pub recipe: Option<String>,
}

/// Looks up a profile's image; a missing one is an environment error naming the fix.
pub async fn image(docker: &Docker, profile: &'static Profile) -> crate::Result<Image> {
    let tag = profile.image();
    match docker.inspect_image(&tag).await {
        Ok(info) => Ok(Image {
            recipe: info
                .config
                .as_ref()
                .and_then(|c| c.labels.as_ref())
                .and_then(|l| l.get("assay.recipe").cloned()),
            id: info.id.unwrap_or_default(),
            tag,
        }),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Err(Error::Environment(format!(
            "docker image {tag} is missing: run scripts/build-images in a checkout of assay \
             (builds every profile without a registry, about two minutes the first time)"
        ))),
        Err(e) => Err(Error::Environment(format!(
            "cannot inspect docker image {tag}: {e}"
        ))),
    }
}

/// This harness process: pid and start time, as written into labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Harness {
    pub pid: u32,
    pub start: u64,
}

/// Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat).
pub fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

impl Harness {
    pub fn me() -> Harness {
        let pid = std::process::id();
        Harness {
            pid,
            start: process_start(pid).unwrap_or(0),
        }
    }

    /// Whether the harness that labelled a container still runs.
    pub fn alive_from_labels(labels: &HashMap<String, String>) -> bool {
        let Some(pid) = labels.get(LABEL_PID).and_then(|p| p.parse::<u32>().ok()) else {
            return false;
        };
        match (process_start(pid), labels.get(LABEL_START)) {
            (None, _) => false,
            (Some(now), Some(then)) => then.parse::<u64>().ok() == Some(now),
            (Some(_), None) => true,
        }
    }
}

/// The labels of a container of this harness.
pub fn labels(harness: &Harness, run: &str, profile: &'static Profile) -> HashMap<String, String> {
    HashMap::from([
        (LABEL.to_string(), "1".to_string()),
        (LABEL_RUN.to_string(), run.to_string()),
        (LABEL_PID.to_string(), harness.pid.to_string()),
        (LABEL_START.to_string(), harness.start.to_string()),
        (LABEL_PROFILE.to_string(), profile.name.to_string()),
    ])
}

/// A fresh id for one backend instance (the `assay.run` label and container names).
pub fn new_run_id() -> String {
    let nonce = crate::sandbox::runner::new_nonce();
    format!("{}-{}", std::process::id(), &nonce[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_labels_say_alive_and_a_dead_pid_does_not() {
        let me = Harness::me();
        assert!(me.start > 0);
        let l = labels(&me, "r", crate::sandbox::profile::stdlib());
        assert!(Harness::alive_from_labels(&l));
        let mut recycled = l.clone();
        recycled.insert(LABEL_START.into(), (me.start + 1).to_string());
        assert!(!Harness::alive_from_labels(&recycled));
        let mut dead = l;
        dead.insert(LABEL_PID.into(), "999999999".into());
        assert!(!Harness::alive_from_labels(&dead));
    }
}
