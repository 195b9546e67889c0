//! What a guest writes on its stdout and stderr: stdout captured with a cap, stderr split into the
//! runner's records (lines carrying the nonce) and the program's own stderr.

use crate::sandbox::capture::CapturedBuf;
use crate::sandbox::runner::Channel;
use crate::sandbox::supervise::Watch;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// Longest stderr line held back while waiting for its end. A runner record is far
/// shorter (its texts are capped at 2000 characters); a longer line is program output.
const LINE_CAP: usize = 256 << 10;

/// The guest's stdio as the supervisor sees it.
#[derive(Debug)]
pub(super) struct Stdio {
    nonce: String,
    pub channel: Channel,
    pub stdout: CapturedBuf,
    pub stderr: CapturedBuf,
    /// The unfinished last line of stderr.
    line: Vec<u8>,
    /// The supervisor's clock and kill rules, fed by the records as they arrive.
    pub watch: Watch,
    max_output: u64,
    /// The program wrote past `max_output`: the supervisor stops it at its next check.
    pub over: bool,
}

/// The program wrote more than `max_output_bytes`.
#[derive(Debug)]
pub(super) struct OutputLimit;

impl std::fmt::Display for OutputLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("output limit exceeded")
    }
}

impl std::error::Error for OutputLimit {}

impl Stdio {
    /// `wall` is the guest's wall-clock limit, counted from the runner's `ready`.
    pub fn new(nonce: &str, tests: usize, max_output: u64, wall: Duration) -> Self {
        Stdio {
            nonce: nonce.to_string(),
            channel: Channel::new(nonce, tests),
            stdout: CapturedBuf::default(),
            stderr: CapturedBuf::default(),
            line: Vec::new(),
            watch: Watch::start(wall, max_output),
            max_output,
            over: false,
        }
    }

    /// Program bytes so far (records excluded; a held-back line counts already).
    pub fn output_bytes(&self) -> u64 {
        self.stdout.total() + self.stderr.total() + self.line.len() as u64
    }

    pub fn write_stdout(&mut self, data: &[u8]) -> Result<(), OutputLimit> {
        self.stdout.push(data);
        self.check()
    }

    pub fn write_stderr(&mut self, mut data: &[u8]) -> Result<(), OutputLimit> {
        // The runner starts each record with a newline, in case the program left a line
        // unfinished; when it did not, that newline is not the program's output.
        if self.line.is_empty() && data.first() == Some(&b'\n') && self.is_record(&data[1..]) {
            data = &data[1..];
        }
        while let Some(pos) = data.iter().position(|&b| b == b'\n') {
            let (head, rest) = data.split_at(pos + 1);
            data = rest;
            if self.line.is_empty() {
                self.accept_line(head);
            } else {
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(head);
                self.accept_line(&line);
            }
        }
        self.line.extend_from_slice(data);
        if self.line.len() > LINE_CAP {
            let line = std::mem::take(&mut self.line);
            self.stderr.push(&line);
        }
        self.check()
    }

    /// Whether the first line of `data` carries the nonce.
    fn is_record(&self, data: &[u8]) -> bool {
        let end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
        let nonce = self.nonce.as_bytes();
        data[..end].windows(nonce.len()).any(|w| w == nonce)
    }

    fn accept_line(&mut self, line: &[u8]) {
        if self.is_record(line) {
            self.channel.feed(line);
            self.watch.observe(&self.channel);
        } else {
            self.stderr.push(line);
        }
    }

    fn check(&mut self) -> Result<(), OutputLimit> {
        if self.output_bytes() > self.max_output {
            self.over = true;
            Err(OutputLimit)
        } else {
            Ok(())
        }
    }

    /// Moves an unterminated last line into the captured stderr.
    pub fn finish(&mut self) {
        let line = std::mem::take(&mut self.line);
        self.stderr.push(&line);
    }
}

/// A guest's stdout or stderr: WASI writes into the shared `Stdio`. Past the output cap
/// the write fails (the guest sees `EIO`) and the supervisor stops the guest.
#[derive(Clone)]
pub(super) struct Sink {
    pub stdio: Arc<Mutex<Stdio>>,
    pub stderr: bool,
}

impl IsTerminal for Sink {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Sink {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for Sink {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let mut stdio = self.stdio.lock().expect("stdio lock");
        let written = if self.stderr {
            stdio.write_stderr(buf)
        } else {
            stdio.write_stdout(buf)
        };
        Poll::Ready(match written {
            Ok(()) => Ok(buf.len()),
            Err(e) => Err(std::io::Error::other(e)),
        })
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(nonce: &str, ev: &str) -> String {
        format!("\n{{\"ev\": \"{ev}\", \"nonce\": \"{nonce}\"}}\n")
    }

    #[test]
    fn records_are_taken_out_of_stderr() {
        let mut s = Stdio::new("abc123", 0, 1 << 20, Duration::from_secs(1));
        s.write_stderr(rec("abc123", "ready").as_bytes()).unwrap();
        s.write_stderr(b"partial program line, no newline").unwrap();
        s.write_stderr(rec("abc123", "program").as_bytes()).unwrap();
        s.write_stderr(b"tail").unwrap();
        s.finish();
        assert!(s.channel.ready);
        assert!(s.watch.is_ready());
        assert_eq!(s.channel.forged, 0);
        let err = String::from_utf8_lossy(s.stderr.head()).into_owned();
        assert_eq!(err, "partial program line, no newline\ntail");
    }

    #[test]
    fn records_split_across_writes_are_reassembled() {
        let mut s = Stdio::new("n0nce", 0, 1 << 20, Duration::from_secs(1));
        let r = rec("n0nce", "ready");
        let (a, b) = r.as_bytes().split_at(r.len() - 3);
        s.write_stderr(a).unwrap();
        assert!(!s.channel.ready);
        s.write_stderr(b).unwrap();
        assert!(s.channel.ready);
        assert_eq!(s.stderr.total(), 0);
    }

    #[test]
    fn output_past_the_cap_is_refused() {
        let mut s = Stdio::new("n", 0, 10, Duration::from_secs(1));
        assert!(s.write_stdout(b"0123456789").is_ok());
        assert!(s.write_stderr(b"x").is_err());
    }

    #[test]
    fn a_flood_without_newlines_stays_bounded() {
        let mut s = Stdio::new("n", 0, u64::MAX, Duration::from_secs(1));
        for _ in 0..64 {
            s.write_stderr(&[b'x'; 64 << 10]).unwrap();
        }
        assert!(s.line.len() <= LINE_CAP);
        assert_eq!(s.output_bytes(), 64 * (64 << 10));
    }
}
