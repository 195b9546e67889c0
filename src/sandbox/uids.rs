//! Sandbox uids: each execution context of every harness on the machine (a process
//! backend slot, a Docker container) runs programs as a uid no other one uses. The kernel
//! counts RLIMIT_NPROC and signals by uid across namespaces and containers (no user
//! namespace is in between), so a shared uid would let a fork bomb starve a neighbour's
//! forks or its cleanup kill a neighbour's processes.

use std::os::fd::AsRawFd;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

/// The uids leased, for the life of a slot or a container, by `flock` on a lock file per
/// uid: concurrent harnesses never share one, and a dead harness's leases end with it.
pub const SANDBOX_UIDS: std::ops::Range<u32> = 61000..62000;

/// A sandbox uid held until dropped.
#[derive(Debug)]
pub struct UidLease {
    pub uid: u32,
    _lock: std::fs::File,
}

/// Where the lock files live: one machine-wide place (not `$TMPDIR`, which differs
/// between harnesses), world-writable like the lock directory it sits in, so harnesses
/// of any user and any temp dir contend for the same uids.
fn lease_dir() -> PathBuf {
    ["/run/lock", "/var/lock"]
        .iter()
        .map(PathBuf::from)
        .find(|d| d.is_dir())
        .unwrap_or_else(std::env::temp_dir)
        .join("assay-uids")
}

/// Opens (creating) a lock file; a file another user created is opened read-only, which
/// is all `flock` needs.
fn open_lock(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o666)
        .open(path)
        .or_else(|_| std::fs::File::open(path))
}

/// The first free uid of [`SANDBOX_UIDS`].
pub fn lease_uid() -> crate::Result<UidLease> {
    let dir = lease_dir();
    let env = |e: std::io::Error| {
        crate::Error::Environment(format!(
            "cannot lock a sandbox uid in {}: {e}",
            dir.display()
        ))
    };
    if !dir.is_dir() {
        std::fs::create_dir_all(&dir).map_err(env)?;
        // Sticky and world-writable, as /run/lock itself.
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777));
    }
    for uid in SANDBOX_UIDS {
        let file = open_lock(&dir.join(uid.to_string())).map_err(env)?;
        // SAFETY: flock on an fd we own.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(UidLease { uid, _lock: file });
        }
    }
    Err(crate::Error::Environment(format!(
        "all sandbox uids {SANDBOX_UIDS:?} are in use"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_are_exclusive_until_dropped() {
        let a = lease_uid().unwrap();
        let b = lease_uid().unwrap();
        assert_ne!(a.uid, b.uid);
        assert!(SANDBOX_UIDS.contains(&a.uid) && SANDBOX_UIDS.contains(&b.uid));
        drop(a);
        // Locks belong to open files: even within one process a held uid is not leased
        // again.
        let c = lease_uid().unwrap();
        assert_ne!(c.uid, b.uid);
    }

    #[test]
    fn the_lease_directory_does_not_follow_tmpdir() {
        let dir = lease_dir();
        assert!(
            dir.starts_with("/run/lock") || dir.starts_with("/var/lock"),
            "{} is not machine-wide",
            dir.display()
        );
    }
}
