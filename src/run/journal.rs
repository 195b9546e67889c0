//! The journal: one JSON line per finished execution, keyed by what determines it.
//! Re-running the same command reads it back and skips what is done; a torn last line
//! (the harness killed mid-write) is ignored.

use super::Instance;
use crate::sandbox::{ExecRequest, Outcome, Status};
use crate::{Error, Result};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Hash of everything that decides an outcome: backend and its environment, code,
/// tests, limits, and which execution of them this is.
pub fn job_key(fingerprint: &str, req: &ExecRequest, instance: &Instance) -> String {
    let mut h = blake3::Hasher::new();
    h.update(fingerprint.as_bytes());
    h.update(b"\0");
    hash_instance(&mut h, instance);
    h.update(&serde_json::to_vec(req).expect("request serializes"));
    h.finalize().to_hex()[..32].to_string()
}

fn hash_instance(h: &mut blake3::Hasher, instance: &Instance) {
    match instance {
        // Repeat 0 hashes as before repeats existed: older journals stay valid.
        Instance::Repeat(0) => {}
        Instance::Repeat(n) => {
            h.update(format!("repeat {n}\0").as_bytes());
        }
        Instance::Sample {
            task_id,
            completion_id,
        } => {
            let task = serde_json::to_string(task_id).expect("a string serializes");
            h.update(format!("sample {task} {completion_id}\0").as_bytes());
        }
        Instance::Retry { of, attempt } => {
            h.update(format!("retry {attempt}\0").as_bytes());
            hash_instance(h, of);
        }
    }
}

pub struct Journal {
    path: Option<PathBuf>,
    file: Option<std::fs::File>,
    entries: HashMap<String, Outcome>,
    _lock: Option<std::fs::File>,
    /// When the file was last forced to disk.
    synced: std::time::Instant,
}

/// How much a power cut may lose: appends are forced to disk at most this often (and at
/// the end); a killed harness loses nothing that was written.
const SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(serde::Serialize, serde::Deserialize)]
struct Line {
    key: String,
    outcome: Outcome,
}

impl Journal {
    /// A journal that remembers nothing (for the orchestrator's unit tests).
    #[cfg(test)]
    pub fn disabled() -> Self {
        Journal {
            path: None,
            file: None,
            entries: HashMap::new(),
            _lock: None,
            synced: std::time::Instant::now(),
        }
    }

    /// Opens (or creates) `dir/journal.jsonl`, locking the directory against a second
    /// harness writing the same journal.
    pub fn open(dir: &Path) -> Result<Self> {
        let werr = |source| Error::Write {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(werr)?;
        let lock_path = dir.join("lock");
        let lock = std::fs::File::create(&lock_path).map_err(|source| Error::Write {
            path: lock_path.clone(),
            source,
        })?;
        use std::os::fd::AsRawFd;
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(Error::Environment(format!(
                "run directory {} is in use by another assay process",
                dir.display()
            )));
        }
        let path = dir.join("journal.jsonl");
        let mut entries = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            for line in text.lines() {
                if let Ok(l) = serde_json::from_str::<Line>(line) {
                    entries.insert(l.key, l.outcome);
                }
            }
            if !text.is_empty() && !text.ends_with('\n') {
                // Complete the torn line so the next append starts clean.
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .map_err(|source| Error::Write {
                        path: path.clone(),
                        source,
                    })?;
                f.write_all(b"\n").map_err(|source| Error::Write {
                    path: path.clone(),
                    source,
                })?;
            }
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        Ok(Journal {
            path: Some(path),
            file: Some(file),
            entries,
            _lock: Some(lock),
            synced: std::time::Instant::now(),
        })
    }

    pub fn get(&self, key: &str) -> Option<&Outcome> {
        self.entries.get(key)
    }

    /// Records a finished execution; harness faults are not recorded, so a re-run retries them.
    pub fn append(&mut self, key: &str, outcome: &Outcome) -> Result<()> {
        if outcome.status == Status::SandboxError {
            return Ok(());
        }
        if let (Some(f), Some(path)) = (self.file.as_mut(), self.path.as_ref()) {
            let mut line = serde_json::to_vec(&Line {
                key: key.to_string(),
                outcome: outcome.clone(),
            })
            .expect("outcome serializes");
            line.push(b'\n');
            // One write call per line: a kill between lines never leaves half of one behind
            // except for a torn tail, which `open` repairs.
            f.write_all(&line).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
            if self.synced.elapsed() >= SYNC_EVERY {
                f.sync_data().map_err(|source| Error::Write {
                    path: path.clone(),
                    source,
                })?;
                self.synced = std::time::Instant::now();
            }
        }
        // Not kept in `entries`: those are what the journal held when opened, for planning;
        // a second copy of every outcome of a long run would only grow the harness.
        Ok(())
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            let _ = f.sync_data();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_is_keyed_by_its_identity_and_a_repeat_by_its_number() {
        let req = ExecRequest {
            program: "print(1)".into(),
            tests: Vec::new(),
            limits: Default::default(),
            requirements: Vec::new(),
            instrument: Default::default(),
        };
        let key = |i: Instance| job_key("process x", &req, &i);
        let sample = |task: &str, id| Instance::Sample {
            task_id: task.into(),
            completion_id: id,
        };
        let keys = [
            key(Instance::Repeat(0)),
            key(Instance::Repeat(1)),
            key(sample("T/0", 0)),
            key(sample("T/0", 1)),
            key(sample("T/1", 0)),
        ];
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "{keys:?}");
        assert_eq!(key(sample("T/0", 1)), keys[3], "stable");
        assert_eq!(key(Instance::Repeat(0)), keys[0]);
    }
}
