//! Formatting of generated Python with a real formatter: `ruff format`, from the cached
//! venv `scripts/fetch-ruff-venv` installs (exact pin), or `ASSAY_RUFF`. Formatting reads
//! and writes text only (ruff parses, it never runs the code), so it runs on the host.

use crate::{Error, Result};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The ruff binary: `ASSAY_RUFF`, else `$ASSAY_CACHE/ruff-venv/bin/ruff` (default cache
/// `~/.cache/assay`); an error naming the setup script when neither is there.
pub fn ruff() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("ASSAY_RUFF").map(PathBuf::from) {
        return Ok(p);
    }
    let cache = std::env::var_os("ASSAY_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/assay")))
        .unwrap_or_else(|| PathBuf::from(".cache/assay"));
    let p = cache.join("ruff-venv/bin/ruff");
    if p.is_file() {
        Ok(p)
    } else {
        Err(Error::Environment(format!(
            "--format needs ruff: {} not found (scripts/fetch-ruff-venv installs it; or set ASSAY_RUFF)",
            p.display()
        )))
    }
}

/// `code` as `ruff format -` writes it (line length 100, the project's long-line limit).
pub fn format(ruff: &std::path::Path, code: &str) -> Result<String> {
    let mut child = Command::new(ruff)
        .args([
            "format",
            "--quiet",
            "--line-length",
            "100",
            "--stdin-filename",
            "test.py",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Environment(format!("cannot run {}: {e}", ruff.display())))?;
    let mut stdin = child.stdin.take().expect("piped");
    let text = code.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| Error::Environment(format!("{}: {e}", ruff.display())))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(Error::Internal(format!(
            "ruff format refused generated code: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| Error::Internal("ruff format wrote bytes that are not UTF-8".into()))
}
