//! Grade files: `<grades>/<grader>-<date>.jsonl`, one line per grade event, appended and
//! never rewritten; the last event for a grader and a sample (or a pair) wins. Keys are
//! written in one fixed order (the struct's), so a diff of two versions reads line by line.
//!
//! Writing: one `Appender` per file, used under a lock (the server's mutex), and each
//! event is one `write` of a whole line under `flock` (so two processes appending to the
//! same file never interleave), then `fdatasync`: an acknowledged grade is on disk.

use super::rubric::{backticked, Rubric};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    /// Scores on the rubric for one sample.
    Grade,
    /// Which of two samples of one task is better.
    Pair,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Better {
    A,
    B,
    Tie,
}

/// One line of a grade file. For a pair, `completion_id`/`sample` are sample A and
/// `versus_*` sample B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GradeEvent {
    pub grader: String,
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    pub kind: Kind,
    pub task_id: String,
    pub completion_id: usize,
    pub sample: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versus_completion_id: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versus_sample: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scores: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub better: Option<Better>,
    #[serde(default)]
    pub notes: String,
}

/// What "last one wins" is keyed by: a grader and a sample, or a grader and a pair (the
/// two hashes in order).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Key {
    Grade {
        grader: String,
        sample: String,
    },
    Pair {
        grader: String,
        a: String,
        b: String,
    },
}

impl GradeEvent {
    pub(crate) fn key(&self) -> Key {
        match self.kind {
            Kind::Grade => Key::Grade {
                grader: self.grader.clone(),
                sample: self.sample.clone(),
            },
            Kind::Pair => {
                let other = self.versus_sample.clone().unwrap_or_default();
                let (a, b) = if self.sample <= other {
                    (self.sample.clone(), other)
                } else {
                    (other, self.sample.clone())
                };
                Key::Pair {
                    grader: self.grader.clone(),
                    a,
                    b,
                }
            }
        }
    }

    /// Checks what a line must hold beyond its types: the grader's name, the time, the
    /// fields of its kind, the scores against the rubric. The error is (field, why).
    pub(crate) fn check(&self, rubric: &Rubric) -> Result<(), (String, String)> {
        check_grader(&self.grader).map_err(|m| ("grader".to_string(), m))?;
        if humantime::parse_rfc3339_weak(&self.time).is_err() {
            return Err((
                "time".into(),
                format!("{:?} is not an RFC 3339 time", self.time),
            ));
        }
        if self.sample.is_empty() {
            return Err(("sample".into(), "empty sample hash".into()));
        }
        match self.kind {
            Kind::Grade => {
                if self.better.is_some() || self.versus_sample.is_some() {
                    return Err((
                        "kind".into(),
                        "a grade has no `better` or `versus_sample` (that is a pair)".into(),
                    ));
                }
                rubric.check(&self.scores)
            }
            Kind::Pair => {
                if self.versus_sample.is_none() || self.versus_completion_id.is_none() {
                    return Err((
                        "versus_sample".into(),
                        "a pair needs `versus_sample` and `versus_completion_id`".into(),
                    ));
                }
                if self.versus_sample.as_deref() == Some(self.sample.as_str()) {
                    return Err((
                        "versus_sample".into(),
                        "a sample is paired with itself".into(),
                    ));
                }
                if self.better.is_none() {
                    return Err(("better".into(), "missing field (a, b or tie)".into()));
                }
                if !self.scores.is_empty() {
                    return Err(("scores".into(), "a pair has no scores".into()));
                }
                Ok(())
            }
        }
    }
}

/// A grader's name is used in a file name: letters, digits, `.`, `_`, `-`, not starting
/// with `.`, at most 64 bytes.
pub(crate) fn check_grader(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?}: a grader's name is 1–64 letters, digits, '.', '_' or '-', not starting with '.'"
        ))
    }
}

/// An event read back, with its line (for messages).
#[derive(Debug, Clone)]
pub(crate) struct Read {
    pub event: GradeEvent,
    pub line: usize,
}

/// Every event of a grade file, checked against the rubric; the first bad line is an
/// error naming file, line and field.
pub(crate) fn read_file(path: &Path, rubric: &Rubric) -> Result<Vec<Read>> {
    let mut out = Vec::new();
    crate::entry::read_lines(path, |line| {
        let text = line.text.trim();
        if text.is_empty() {
            return Ok(());
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            let why = if e.is_eof() && !line.terminated {
                format!("truncated: the last line ends in the middle of a record ({e})")
            } else {
                format!("malformed JSON: {e}")
            };
            Error::input(path, line.number, "json", why)
        })?;
        if !value.is_object() {
            return Err(Error::input(
                path,
                line.number,
                "json",
                format!(
                    "expected a JSON object, found {}",
                    crate::entry::jsonl_kind(&value)
                ),
            ));
        }
        let event: GradeEvent = serde_json::from_value(value).map_err(|e| {
            let msg = e.to_string();
            let field = backticked(&msg).unwrap_or("json").to_string();
            Error::input(path, line.number, &field, msg)
        })?;
        event
            .check(rubric)
            .map_err(|(field, why)| Error::input(path, line.number, &field, why))?;
        out.push(Read {
            event,
            line: line.number,
        });
        Ok(())
    })?;
    Ok(out)
}

/// The grade files named: files as given, directories' `*.jsonl` (sorted by name).
pub(crate) fn grade_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|source| Error::Read {
                    path: p.clone(),
                    source,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "jsonl") && f.is_file())
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The events of many files, the last per key kept (by time, then by position: a later
/// file, a later line). Returned in key order.
pub(crate) fn latest(reads: Vec<Read>) -> Vec<Read> {
    let mut best: HashMap<Key, (usize, Read)> = HashMap::new();
    for (pos, r) in reads.into_iter().enumerate() {
        let key = r.event.key();
        let newer = match best.get(&key) {
            None => true,
            Some((_, old)) => time_of(&r.event) >= time_of(&old.event),
        };
        if newer {
            best.insert(key, (pos, r));
        }
    }
    let mut kept: Vec<(Key, Read)> = best.into_iter().map(|(k, (_, r))| (k, r)).collect();
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    kept.into_iter().map(|(_, r)| r).collect()
}

fn time_of(e: &GradeEvent) -> std::time::SystemTime {
    humantime::parse_rfc3339_weak(&e.time).unwrap_or(std::time::UNIX_EPOCH)
}

/// Now, as grade files write it.
pub(crate) fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

/// The session file of a grader: `<dir>/<grader>-<YYYY-MM-DD>.jsonl` (today, UTC).
pub(crate) fn session_file(dir: &Path, grader: &str) -> PathBuf {
    let today = &now()[..10];
    dir.join(format!("{grader}-{today}.jsonl"))
}

/// Appends events to one grade file.
pub(crate) struct Appender {
    path: PathBuf,
    file: std::fs::File,
    /// Events this appender wrote.
    pub written: usize,
}

impl Appender {
    pub(crate) fn open(path: &Path) -> Result<Appender> {
        use std::os::unix::fs::OpenOptionsExt;
        let werr = |source| Error::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(werr)?;
        }
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o666)
            .open(path)
            .map_err(werr)?;
        Ok(Appender {
            path: path.to_path_buf(),
            file,
            written: 0,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// One event as one line: one `write` under `flock`, then `fdatasync`.
    pub(crate) fn append(&mut self, event: &GradeEvent) -> Result<()> {
        use std::os::fd::AsRawFd;
        let werr = |source| Error::Write {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_vec(event).expect("a grade event serializes");
        line.push(b'\n');
        let fd = self.file.as_raw_fd();
        // SAFETY: flock on a file descriptor we own.
        if unsafe { libc::flock(fd, libc::LOCK_EX) } != 0 {
            return Err(werr(std::io::Error::last_os_error()));
        }
        let result = (|| {
            // SAFETY: writes from a live buffer to our fd.
            let n = unsafe { libc::write(fd, line.as_ptr().cast(), line.len()) };
            if n < 0 {
                return Err(std::io::Error::last_os_error());
            }
            if n as usize != line.len() {
                return Err(std::io::Error::other(format!(
                    "short write: {n} of {} bytes",
                    line.len()
                )));
            }
            self.file.sync_data()
        })();
        // SAFETY: as above.
        unsafe { libc::flock(fd, libc::LOCK_UN) };
        result.map_err(werr)?;
        self.written += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(grader: &str, time: &str, sample: &str, f: i64) -> GradeEvent {
        GradeEvent {
            grader: grader.into(),
            time: time.into(),
            kind: Kind::Grade,
            task_id: "T/0".into(),
            completion_id: 0,
            sample: sample.into(),
            versus_completion_id: None,
            versus_sample: None,
            scores: [("functionality".to_string(), f)].into_iter().collect(),
            better: None,
            notes: String::new(),
        }
    }

    #[test]
    fn appended_lines_read_back_and_the_last_wins() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g/alice-2026-01-01.jsonl");
        let mut a = Appender::open(&p).unwrap();
        a.append(&grade("alice", "2026-01-01T00:00:00.000Z", "h1", 2))
            .unwrap();
        a.append(&grade("alice", "2026-01-01T00:00:01.000Z", "h1", 4))
            .unwrap();
        a.append(&grade("alice", "2026-01-01T00:00:01.000Z", "h2", 1))
            .unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with(r#"{"grader":"alice","time":"2026-01-01T00:00:00.000Z","kind":"grade","task_id":"T/0","completion_id":0,"sample":"h1","scores":{"functionality":2},"notes":""}"#), "{text}");
        let reads = read_file(&p, &Rubric::default_rubric()).unwrap();
        assert_eq!(reads.len(), 3);
        let last = latest(reads);
        assert_eq!(last.len(), 2);
        assert_eq!(last[0].event.scores["functionality"], 4);
    }

    #[test]
    fn a_bad_line_names_file_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bob.jsonl");
        let good = serde_json::to_string(&grade("bob", "2026-01-01T00:00:00Z", "h1", 2)).unwrap();
        let bad = serde_json::to_string(&grade("bob", "2026-01-01T00:00:00Z", "h1", 9)).unwrap();
        std::fs::write(&p, format!("{good}\n{bad}\n")).unwrap();
        let e = read_file(&p, &Rubric::default_rubric())
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("bob.jsonl:2: scores.functionality: 9 is outside the rubric's 0..=5"),
            "{e}"
        );
        std::fs::write(&p, format!("{good}\n{{\"grader\": \n")).unwrap();
        let e = read_file(&p, &Rubric::default_rubric())
            .unwrap_err()
            .to_string();
        assert!(e.contains("bob.jsonl:2: json: malformed JSON"), "{e}");
        std::fs::write(&p, good.replace("\"sample\"", "\"sampel\"")).unwrap();
        let e = read_file(&p, &Rubric::default_rubric())
            .unwrap_err()
            .to_string();
        assert!(e.contains("bob.jsonl:1: sampel:"), "{e}");
    }
}
