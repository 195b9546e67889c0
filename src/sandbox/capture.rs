//! Capture with caps: keep the first bytes of a stream, count the rest, never grow past the cap.

use serde::{Deserialize, Serialize};

/// How much of a stream is kept in results (the rest is counted, not stored).
pub const KEEP_BYTES: usize = 4096;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Captured {
    /// The first `KEEP_BYTES` bytes, lossily decoded.
    pub text: String,
    /// Total bytes the stream produced (or at least, when the execution was stopped).
    pub bytes: u64,
    pub truncated: bool,
}

/// Accumulates a stream without holding more than `KEEP_BYTES` of it.
#[derive(Debug, Default)]
pub struct CapturedBuf {
    head: Vec<u8>,
    total: u64,
}

impl CapturedBuf {
    pub fn push(&mut self, data: &[u8]) {
        let room = KEEP_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&data[..room.min(data.len())]);
        self.total += data.len() as u64;
    }

    /// The bytes kept so far.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn finish(self) -> Captured {
        Captured {
            text: String::from_utf8_lossy(&self.head).into_owned(),
            bytes: self.total,
            truncated: self.total > self.head.len() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_head_and_counts_the_rest() {
        let mut b = CapturedBuf::default();
        for _ in 0..100 {
            b.push(&[b'x'; 1000]);
        }
        let c = b.finish();
        assert_eq!(c.text.len(), KEEP_BYTES);
        assert_eq!(c.bytes, 100_000);
        assert!(c.truncated);
    }
}
