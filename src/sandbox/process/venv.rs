//! Virtual environments for profiles, created on first use with pip (cached, reused,
//! rebuilt when the profile's pins change). They live where the unprivileged sandbox
//! uid can read them: `/var/cache/assay/venvs` as root, `~/.cache/assay/venvs` otherwise
//! (`ASSAY_VENV_DIR` overrides).

use crate::sandbox::profile::Profile;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn venv_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("ASSAY_VENV_DIR") {
        return PathBuf::from(dir);
    }
    if nix::unistd::geteuid().is_root() {
        PathBuf::from("/var/cache/assay/venvs")
    } else {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(|| PathBuf::from("/tmp"));
        cache.join("assay").join("venvs")
    }
}

/// Why a profile's environment could not be made.
#[derive(Debug, thiserror::Error)]
pub enum VenvError {
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what}: {source}")]
    Spawn {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("{what} failed ({status}): {tail}")]
    Failed {
        what: &'static str,
        status: std::process::ExitStatus,
        tail: String,
    },
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> VenvError {
    let path = path.to_path_buf();
    move |source| VenvError::Io { what, path, source }
}

/// The interpreter for `profile`: `base` itself when it installs nothing, otherwise the
/// python of its environment, created now if needed. `Err` says what failed.
pub fn python_for(profile: &Profile, base: &str) -> Result<String, VenvError> {
    if profile.packages().is_empty() {
        return Ok(base.to_string());
    }
    let root = venv_root();
    let dir = root.join(format!("{}-{}", profile.name, profile.hash()));
    let python = dir.join("bin").join("python3");
    let done = dir.join(".complete");
    if done.exists() {
        return Ok(python.display().to_string());
    }
    std::fs::create_dir_all(&root).map_err(io("create", &root))?;
    // One creator at a time, across threads and harness processes.
    let lock_path = root.join(format!("{}-{}.lock", profile.name, profile.hash()));
    let lock = std::fs::File::create(&lock_path).map_err(io("lock", &lock_path))?;
    // SAFETY: flock on an fd we own; blocks until the other creator is done.
    unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) };
    if done.exists() {
        return Ok(python.display().to_string());
    }
    log::info!(
        "creating the `{}` environment in {} (first use only: pip installs the pins of sandbox-images/{}/requirements.txt, built into assay)…",
        profile.name,
        dir.display(),
        profile.name
    );
    let _ = std::fs::remove_dir_all(&dir);
    run(
        Command::new(base).args(["-m", "venv"]).arg(&dir),
        "python -m venv (is python3-venv installed?)",
    )?;
    let reqs = root.join(format!("{}-{}.txt", profile.name, profile.hash()));
    std::fs::write(&reqs, profile.requirements).map_err(io("write", &reqs))?;
    run(
        Command::new(dir.join("bin").join("pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--only-binary=:all:",
                "-r",
            ])
            .arg(&reqs),
        "pip install",
    )?;
    std::fs::write(&done, profile.hash()).map_err(io("write", &done))?;
    log::info!("created the `{}` environment", profile.name);
    Ok(python.display().to_string())
}

fn run(cmd: &mut Command, what: &'static str) -> Result<(), VenvError> {
    let out = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|source| VenvError::Spawn { what, source })?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = err.lines().rev().take(3).collect();
    Err(VenvError::Failed {
        what,
        status: out.status,
        tail: tail.into_iter().rev().collect::<Vec<_>>().join(" | "),
    })
}
