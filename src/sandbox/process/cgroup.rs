//! Memory accounting by the kernel: one memory cgroup per slot, which every execution of
//! the slot joins before its program starts.
//!
//! RLIMIT_AS counts only what is mapped: memfds written with `write`, SysV and POSIX
//! shared memory and tmpfs pages escape it. A memory cgroup counts all of them (and page
//! cache), so `--memory` holds whatever the program does; an OOM kill inside the cgroup
//! is the `memory` verdict, and `peak_memory_kb` is the cgroup's peak. RLIMIT_AS stays as
//! the first line (a `MemoryError` the program can see).
//!
//! Layout: `<the harness's own cgroup>/assay-<pid>/slot-<uid>`, cgroup v1 (the `memory`
//! hierarchy) or v2 (when the harness's cgroup delegates the memory controller). A
//! harness killed with `kill -9` leaves its `assay-<pid>` behind; the next start removes
//! every one whose process is gone. Where no memory cgroup can be made, the backend
//! warns and keeps RLIMIT_AS only.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};

/// What the kernel charges besides the program's own pages (page tables, pipe buffers,
/// pages copied on write from a warm runner's preloaded modules).
const SLACK_MB: u64 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// This harness's directory of slot cgroups.
#[derive(Debug)]
pub struct MemoryCgroups {
    dir: PathBuf,
    version: Version,
}

/// One slot's cgroup, with the files read around each execution kept open.
#[derive(Debug)]
pub struct SlotCgroup {
    dir: PathBuf,
    version: Version,
    procs: File,
    /// `cgroup.procs` again, for reading.
    members: File,
    limit: File,
    peak: File,
    usage: File,
    /// Usage when the execution started: a warm runner's own pages and cache.
    baseline: u64,
    oom_kills_before: u64,
}

/// What the cgroup saw of one execution.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub peak_kb: u64,
    pub oom_killed: bool,
}

/// The harness's own cgroup in the memory hierarchy (v1) or the unified one (v2).
fn own_cgroup() -> Option<(PathBuf, Version)> {
    let text = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let v1 = text.lines().find_map(|l| {
        let mut parts = l.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        controllers
            .split(',')
            .any(|c| c == "memory")
            .then(|| path.to_string())
    });
    if let Some(path) = v1 {
        let root = Path::new("/sys/fs/cgroup/memory");
        return Some((root.join(path.trim_start_matches('/')), Version::V1));
    }
    let path = text.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    let delegated = std::fs::read_to_string(dir.join("cgroup.subtree_control")).ok()?;
    delegated
        .split_whitespace()
        .any(|c| c == "memory")
        .then_some((dir, Version::V2))
}

/// Removes a cgroup directory and its children (cgroup files are not removed, only
/// directories: `rmdir` empties a cgroup of its control files).
fn remove_tree(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                remove_tree(&e.path());
            }
        }
    }
    // A cgroup whose last process is still being reaped refuses rmdir for a moment.
    for _ in 0..50 {
        match std::fs::remove_dir(dir) {
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            _ => return,
        }
    }
}

fn pid_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid, 0) == 0 || *libc::__errno_location() == libc::EPERM }
}

/// Why the memory cgroups cannot be used (the sandbox then warns and keeps RLIMIT_AS).
#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    #[error(
        "no memory cgroup controller available to this process (cgroup v1 `memory` \
         hierarchy, or v2 with memory delegated)"
    )]
    Unavailable,
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        what: String,
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io_error(what: impl Into<String>, path: &Path) -> impl FnOnce(std::io::Error) -> CgroupError {
    let (what, path) = (what.into(), path.to_path_buf());
    move |source| CgroupError::Io { what, path, source }
}

impl MemoryCgroups {
    /// Creates this harness's directory, after removing those of dead harnesses.
    pub fn create() -> Result<MemoryCgroups, CgroupError> {
        let (own, version) = own_cgroup().ok_or(CgroupError::Unavailable)?;
        if let Ok(entries) = std::fs::read_dir(&own) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(pid) = name.strip_prefix("assay-").and_then(|p| p.parse().ok()) {
                    if !pid_alive(pid) {
                        remove_tree(&e.path());
                    }
                }
            }
        }
        let dir = own.join(format!("assay-{}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_error("create", &dir)(e)),
        }
        if version == Version::V2 {
            std::fs::write(dir.join("cgroup.subtree_control"), "+memory")
                .map_err(io_error("delegate memory in", &dir))?;
        }
        Ok(MemoryCgroups { dir, version })
    }

    /// The cgroup of the slot whose executions run as `uid`.
    pub fn slot(&self, uid: u32) -> Result<SlotCgroup, CgroupError> {
        let dir = self.dir.join(format!("slot-{uid}"));
        match std::fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_error("create", &dir)(e)),
        }
        let (limit, peak, usage) = match self.version {
            Version::V1 => (
                "memory.limit_in_bytes",
                "memory.max_usage_in_bytes",
                "memory.usage_in_bytes",
            ),
            Version::V2 => ("memory.max", "memory.peak", "memory.current"),
        };
        let open = |name: &str, read: bool| {
            OpenOptions::new()
                .read(read)
                .write(true)
                .open(dir.join(name))
                .map_err(io_error(format!("open {name} in"), &dir))
        };
        let mut slot = SlotCgroup {
            procs: open("cgroup.procs", false)?,
            members: File::open(dir.join("cgroup.procs"))
                .map_err(io_error("open cgroup.procs in", &dir))?,
            limit: open(limit, false)?,
            peak: open(peak, true)?,
            usage: File::open(dir.join(usage)).map_err(io_error("open usage in", &dir))?,
            dir,
            version: self.version,
            baseline: 0,
            oom_kills_before: 0,
        };
        slot.oom_kills_before = slot.oom_kills();
        Ok(slot)
    }
}

impl Drop for MemoryCgroups {
    fn drop(&mut self) {
        remove_tree(&self.dir);
    }
}

impl SlotCgroup {
    /// The fd a sandboxed process writes `0` to, to join the cgroup before its program
    /// starts (it is root then; the fd is closed before the program runs). A warm runner
    /// joins once at its start, and its children are born inside.
    pub fn procs_fd(&self) -> RawFd {
        self.procs.as_raw_fd()
    }

    /// The processes in the cgroup now (host pids).
    pub fn pids(&mut self) -> std::io::Result<std::collections::BTreeSet<u32>> {
        let mut text = String::new();
        self.members.rewind()?;
        self.members.read_to_string(&mut text)?;
        Ok(text
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect())
    }

    fn read_bytes(file: &mut File) -> u64 {
        let mut text = String::new();
        let _ = file.rewind();
        let _ = file.read_to_string(&mut text);
        text.trim().parse().unwrap_or(0)
    }

    /// Before an execution: its limit on top of what the cgroup already holds (a warm
    /// runner's preloaded modules, page cache), and the peak and OOM count it starts from.
    pub fn prepare(&mut self, memory_mb: u64) -> std::io::Result<()> {
        self.baseline = Self::read_bytes(&mut self.usage);
        let bytes = self.baseline + ((memory_mb + SLACK_MB) << 20);
        self.limit.write_all(bytes.to_string().as_bytes())?;
        // v1: writing 0 resets the peak to the current usage; v2 (6.12+): writing to an
        // open memory.peak resets what that fd reports.
        let reset: &[u8] = match self.version {
            Version::V1 => b"0",
            Version::V2 => b"reset",
        };
        let _ = self.peak.write_all(reset);
        self.oom_kills_before = self.oom_kills();
        Ok(())
    }

    /// After an execution (its processes gone): the peak it added over the baseline and
    /// whether the kernel OOM-killed anything in it.
    pub fn finish(&mut self) -> Usage {
        let peak = Self::read_bytes(&mut self.peak);
        Usage {
            peak_kb: peak.saturating_sub(self.baseline) / 1024,
            oom_killed: self.oom_kills() > self.oom_kills_before,
        }
    }

    fn oom_kills(&self) -> u64 {
        let file = match self.version {
            Version::V1 => "memory.oom_control",
            Version::V2 => "memory.events",
        };
        std::fs::read_to_string(self.dir.join(file))
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("oom_kill ")?.trim().parse().ok())
            })
            .unwrap_or(0)
    }
}

impl Drop for SlotCgroup {
    fn drop(&mut self) {
        remove_tree(&self.dir);
    }
}
