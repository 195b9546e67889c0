//! Host scratch space: `$TMPDIR/assay/<pid>/`, so a harness killed with `kill -9`
//! leaves nothing that the next start does not remove.

use std::path::PathBuf;

fn base() -> PathBuf {
    std::env::temp_dir().join("assay")
}

/// This process's scratch directory (created on first use).
pub fn scratch_root() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let base = base();
    std::fs::create_dir_all(&base)?;
    let mine = base.join(std::process::id().to_string());
    if !mine.exists() {
        std::fs::create_dir(&mine)?;
        // Sandbox uids must be able to reach their own private directory inside.
        std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755))?;
        std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(mine)
}

/// Removes the scratch directories of harness processes that no longer run.
pub fn cleanup_stale() {
    let Ok(entries) = std::fs::read_dir(base()) else {
        return;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let alive = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok();
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Removes this process's scratch directory (at a normal exit).
pub fn cleanup_own() {
    let _ = std::fs::remove_dir_all(base().join(std::process::id().to_string()));
}
