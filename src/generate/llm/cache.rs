//! The on-disk response cache: the body of every HTTP 200 answer, content-addressed by
//! (base URL, request body — model, messages, sampling, response format —, candidate
//! index). A rerun of the same command sends nothing. The API key is no part of the key
//! and is never stored.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bumped when the stored format or the key's recipe changes.
const VERSION: &str = "assay-llm-cache-1";

pub(super) fn key(base_url: &str, body: &Value, candidate: u32) -> String {
    let mut h = blake3::Hasher::new();
    h.update(VERSION.as_bytes());
    h.update(b"\0");
    h.update(base_url.trim_end_matches('/').as_bytes());
    h.update(b"\0");
    h.update(&serde_json::to_vec(body).expect("a body serializes"));
    h.update(format!("\0candidate {candidate}").as_bytes());
    h.finalize().to_hex().to_string()
}

fn path(dir: &Path, key: &str) -> PathBuf {
    dir.join(&key[..2]).join(format!("{key}.json"))
}

pub(super) fn get(dir: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path(dir, key)).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v.get("body").and_then(Value::as_str).map(str::to_string)
}

/// Stores atomically (a temp file renamed into place), so a killed run leaves either the
/// whole entry or none.
pub(super) fn put(dir: &Path, key: &str, body: &str) -> std::io::Result<()> {
    let target = path(dir, key);
    let parent = target.parent().expect("a cache path has a parent");
    std::fs::create_dir_all(parent)?;
    let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
    let record = serde_json::json!({"version": VERSION, "body": body});
    tmp.write_all(record.to_string().as_bytes())?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
