//! Line-numbered JSONL reading, plain or gzip (detected by magic bytes, not by name).

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// One parsed line of a JSONL file.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line number in the (decompressed) file.
    pub line: usize,
    pub value: serde_json::Map<String, serde_json::Value>,
}

fn read_text(path: &Path) -> Result<String> {
    let raw = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })?;
        out
    } else {
        raw
    };
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        Error::input(path, line, "encoding", "not valid UTF-8")
    })
}

/// Reads every non-blank line as a JSON object; the first bad line is an error naming it.
pub fn read_jsonl(path: &Path) -> Result<Vec<Record>> {
    read_jsonl_lenient(path)?.into_iter().collect()
}

/// Reads every non-blank line, keeping going past bad ones: each line is a record or the
/// error naming it. Only an unreadable file is an error of the whole.
pub fn read_jsonl_lenient(path: &Path) -> Result<Vec<Result<Record>>> {
    let text = read_text(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        out.push(match serde_json::from_str::<serde_json::Value>(trimmed) {
            Err(e) => Err(Error::input(
                path,
                i + 1,
                "json",
                format!("malformed JSON: {e}"),
            )),
            Ok(serde_json::Value::Object(map)) => Ok(Record {
                line: i + 1,
                value: map,
            }),
            Ok(other) => Err(Error::input(
                path,
                i + 1,
                "json",
                format!("expected a JSON object, found {}", kind(&other)),
            )),
        });
    }
    Ok(out)
}

/// Writes pretty JSON atomically (temp file beside `path`, then rename).
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let werr = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(werr)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
    let mut text = serde_json::to_vec_pretty(value).expect("record serializes");
    text.push(b'\n');
    std::io::Write::write_all(&mut tmp, &text).map_err(werr)?;
    tmp.persist(path).map_err(|e| werr(e.error))?;
    Ok(())
}

/// Writes one JSON line per row to a temp file beside `path`, then renames it into
/// place: readers never see half a file, and a failure leaves the old file intact.
pub fn write_jsonl<T: serde::Serialize>(
    path: &Path,
    rows: impl IntoIterator<Item = T>,
) -> Result<()> {
    use std::io::Write;
    let werr = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(werr)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        for row in rows {
            serde_json::to_writer(&mut w, &row).map_err(|e| werr(e.into()))?;
            w.write_all(b"\n").map_err(werr)?;
        }
        w.flush().map_err(werr)?;
    }
    tmp.persist(path).map_err(|e| werr(e.error))?;
    Ok(())
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A required string field of a record, or an error naming it.
pub(crate) fn string_field<'a>(path: &Path, rec: &'a Record, field: &str) -> Result<&'a str> {
    match rec.value.get(field) {
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(other) => Err(Error::input(
            path,
            rec.line,
            field,
            format!("expected a string, found {}", kind(other)),
        )),
        None => Err(Error::input(path, rec.line, field, "missing field")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_gzip_and_plain_alike() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.jsonl");
        std::fs::write(&plain, "{\"a\":1}\n\n{\"a\":2}\n").unwrap();
        let gz = dir.path().join("a.jsonl.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"{\"a\":1}\n\n{\"a\":2}\n").unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        for p in [&plain, &gz] {
            let recs = read_jsonl(p).unwrap();
            assert_eq!(recs.len(), 2);
            assert_eq!(recs[1].line, 3);
        }
    }

    #[test]
    fn names_the_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.jsonl");
        std::fs::write(&p, "{\"a\":1}\n{\"a\":\n").unwrap();
        let err = read_jsonl(&p).unwrap_err().to_string();
        assert!(err.contains("bad.jsonl:2: json: malformed JSON"), "{err}");
        std::fs::write(&p, "[1]\n").unwrap();
        let err = read_jsonl(&p).unwrap_err().to_string();
        assert!(
            err.contains(":1: json: expected a JSON object, found an array"),
            "{err}"
        );
    }
}
