//! The bridge process: `python3 -u assay_wandb.py` from the wandb venv, fed one JSON record
//! per line on stdin, answering each with one JSON line on stdout. Its stderr (the SDK's
//! own messages) is kept, the tail for a failure's message and all of it for
//! `wandb-bridge.log`. A reply that does not come in time, or a bridge that is gone, is an
//! error; `Drop` kills the process so it never outlives assay's use of it.

use super::TrackError;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bridge script, embedded so the binary needs no file beside it.
const SCRIPT: &str = include_str!("assay_wandb.py");
/// What is kept of the bridge's stderr (a wandb run prints a few lines; a traceback more).
const STDERR_CAP: usize = 1 << 20;

pub(crate) struct Bridge {
    child: Child,
    stdin: Option<ChildStdin>,
    replies: Receiver<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Holds the script's file while the bridge runs.
    _script: tempfile::TempPath,
}

impl Bridge {
    /// Starts the bridge under `python` (nothing is sent yet).
    pub(crate) fn spawn(python: &Path) -> Result<Bridge, TrackError> {
        let script = write_script().map_err(|e| TrackError::Start {
            python: python.to_path_buf(),
            reason: format!("cannot write the bridge script: {e}"),
        })?;
        let mut child = Command::new(python)
            .arg("-u")
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| TrackError::Start {
                python: python.to_path_buf(),
                reason: e.to_string(),
            })?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut err_pipe = child.stderr.take().expect("stderr is piped");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut kept) = sink.lock() {
                    let room = STDERR_CAP.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        });
        Ok(Bridge {
            stdin: child.stdin.take(),
            child,
            replies,
            stderr,
            _script: script,
        })
    }

    /// Sends one record and waits up to `timeout` for its reply: the reply's fields when
    /// `ok`, else the SDK's error.
    pub(crate) fn call(&mut self, record: &Value, timeout: Duration) -> Result<Value, TrackError> {
        let kind = record["type"].as_str().unwrap_or("?").to_string();
        let line = format!("{record}\n");
        let sent = match self.stdin.as_mut() {
            Some(stdin) => stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.flush()),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        };
        if sent.is_err() {
            return Err(self.died(&kind));
        }
        let reply = match self.replies.recv_timeout(timeout) {
            Ok(reply) => reply,
            Err(RecvTimeoutError::Disconnected) => return Err(self.died(&kind)),
            Err(RecvTimeoutError::Timeout) => {
                self.kill();
                return Err(TrackError::Timeout {
                    record: kind,
                    secs: timeout.as_secs(),
                });
            }
        };
        let reply: Value = serde_json::from_str(&reply).map_err(|_| TrackError::Protocol {
            record: kind.clone(),
            reply: reply.chars().take(200).collect(),
        })?;
        if reply["ok"] == Value::Bool(true) {
            Ok(reply)
        } else {
            Err(TrackError::Sdk {
                record: kind,
                error: reply["error"]
                    .as_str()
                    .unwrap_or("no error message")
                    .to_string(),
            })
        }
    }

    /// The bridge is gone (or stopped reading): how it ended and its last words.
    fn died(&mut self, record: &str) -> TrackError {
        // Its stdout closed: the exit follows at once, or it is killed.
        let status = (0..50)
            .find_map(|_| match self.child.try_wait() {
                Ok(Some(status)) => Some(status.to_string()),
                Ok(None) => {
                    std::thread::sleep(Duration::from_millis(20));
                    None
                }
                Err(e) => Some(e.to_string()),
            })
            .unwrap_or_else(|| {
                self.kill();
                "closed its output and was killed".into()
            });
        std::thread::sleep(Duration::from_millis(20)); // the stderr reader's last read
        TrackError::Died {
            record: record.to_string(),
            status,
            last_words: self.last_stderr_line(),
        }
    }

    fn last_stderr_line(&self) -> Option<String> {
        let kept = self.stderr.lock().ok()?;
        let text = String::from_utf8_lossy(&kept);
        text.lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| l.chars().take(300).collect())
    }

    /// What the bridge printed on stderr so far (the SDK's messages, tracebacks).
    pub(crate) fn stderr(&self) -> Vec<u8> {
        self.stderr.lock().map(|k| k.clone()).unwrap_or_default()
    }

    /// Closes its stdin and waits a little for it to exit, then kills it.
    pub(crate) fn close(&mut self, grace: Duration) {
        self.stdin = None;
        let deadline = std::time::Instant::now() + grace;
        while std::time::Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            self.kill();
        }
    }
}

fn write_script() -> std::io::Result<tempfile::TempPath> {
    let mut f = tempfile::Builder::new()
        .prefix("assay_wandb")
        .suffix(".py")
        .tempfile()?;
    f.write_all(SCRIPT.as_bytes())?;
    f.flush()?;
    Ok(f.into_temp_path())
}
