//! The run's trace: one JSON line per model call (`kind: call`: prompt hash, model,
//! latency, tokens, attempts, cached or not, answered or rejected and why) and per step
//! (`kind: step`: what became of an answer), appended to `trace.jsonl` in the run
//! directory as they happen, so a killed run's trace is whole up to its last line.

use crate::{Error, Result};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Trace {
    path: Option<PathBuf>,
    file: Option<Mutex<std::fs::File>>,
}

pub const TRACE: &str = "trace.jsonl";

impl Trace {
    /// Appends to `dir/trace.jsonl` (a resumed run continues the same trace).
    pub fn open(dir: &Path) -> Result<Self> {
        let path = dir.join(TRACE);
        let werr = |source| Error::Write {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(werr)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(werr)?;
        Ok(Trace {
            path: Some(path),
            file: Some(Mutex::new(file)),
        })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Appends one event, stamped with the time. A failed write is a warning: the trace
    /// documents the run, it does not decide it.
    pub fn record(&self, mut event: Value) {
        let Some(file) = &self.file else { return };
        if let Value::Object(m) = &mut event {
            let at = humantime::format_rfc3339_millis(std::time::SystemTime::now());
            m.insert("at".into(), at.to_string().into());
        }
        let mut line = event.to_string();
        line.push('\n');
        let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = f.write_all(line.as_bytes()) {
            log::warn!("failed to write the trace: {e}");
        }
    }
}
