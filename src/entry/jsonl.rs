//! Line-numbered JSONL reading, plain or gzip (detected by magic bytes, not by name).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// One parsed line of a JSONL file.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line number in the (decompressed) file.
    pub line: usize,
    pub value: serde_json::Map<String, serde_json::Value>,
}

/// The longest line a record may be: far above any real entry or sample (HumanEval's
/// longest is a few KB), low enough that a runaway line is refused before it fills memory.
pub(crate) const MAX_LINE_BYTES: usize = 64 << 20;

/// One line of a text input, without its ending (`\n` or `\r\n`).
pub(crate) struct Line {
    /// 1-based line number in the (decompressed) file.
    pub number: usize,
    pub text: String,
    /// Whether a newline ended it (a last line without one may be a cut-off file).
    pub terminated: bool,
}

/// Opens a text input, plain or gzip (by its magic bytes), and reads it line by line:
/// a UTF-8 byte-order mark on line 1 is skipped (as Python's `utf-8-sig` does), CRLF is
/// read as LF, a line that is not UTF-8 or longer than `MAX_LINE_BYTES` is an error
/// naming it, and a file that is not gzip but starts like one says so.
pub(crate) fn read_lines(path: &Path, mut each: impl FnMut(Line) -> Result<()>) -> Result<()> {
    use std::io::BufRead;
    let rerr = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(rerr)?;
    if file.metadata().map_err(rerr)?.is_dir() {
        return Err(rerr(std::io::Error::from_raw_os_error(libc::EISDIR)));
    }
    let mut plain = std::io::BufReader::new(file);
    let gzip = plain.fill_buf().map_err(rerr)?.starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn BufRead> = if gzip {
        Box::new(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
            plain,
        )))
    } else {
        Box::new(plain)
    };
    let mut buf = Vec::new();
    for number in 1.. {
        buf.clear();
        let n = std::io::Read::take(&mut reader, MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| match gzip {
                true => Error::input(
                    path,
                    number,
                    "gzip",
                    format!("not a valid gzip file ({e}); the file starts with gzip's magic bytes"),
                ),
                false => rerr(e),
            })?;
        if n == 0 {
            break;
        }
        let terminated = buf.last() == Some(&b'\n');
        if terminated {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        if buf.len() > MAX_LINE_BYTES {
            return Err(Error::input(
                path,
                number,
                "line",
                format!(
                    "longer than {} MiB: not a record (is this the right file?)",
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        let bytes = match (number, buf.strip_prefix(b"\xEF\xBB\xBF")) {
            (1, Some(rest)) => rest,
            _ => &buf[..],
        };
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t.to_string(),
            Err(e) => {
                return Err(Error::input(
                    path,
                    number,
                    "encoding",
                    format!(
                        "not valid UTF-8 (byte {} of the line); save the file as UTF-8",
                        e.valid_up_to() + 1
                    ),
                ))
            }
        };
        each(Line {
            number,
            text,
            terminated,
        })?;
    }
    Ok(())
}

/// Reads every non-blank line as a JSON object; the first bad line is an error naming it.
pub fn read_jsonl(path: &Path) -> Result<Vec<Record>> {
    read_jsonl_lenient(path)?.into_iter().collect()
}

/// Reads every non-blank line, keeping going past bad ones: each line is a record or the
/// error naming it. An unreadable file (missing, not gzip, not UTF-8, a runaway line) is
/// an error of the whole.
pub fn read_jsonl_lenient(path: &Path) -> Result<Vec<Result<Record>>> {
    let mut out = Vec::new();
    read_lines(path, |line| {
        let trimmed = line.text.trim();
        if !trimmed.is_empty() {
            out.push(parse_object(path, &line, trimmed));
        }
        Ok(())
    })?;
    Ok(out)
}

/// One line as a JSON object, or the error naming the line.
fn parse_object(path: &Path, line: &Line, text: &str) -> Result<Record> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(e) if e.is_eof() && !line.terminated => Err(Error::input(
            path,
            line.number,
            "json",
            format!("truncated: the last line ends in the middle of a record ({e})"),
        )),
        Err(e) => Err(Error::input(
            path,
            line.number,
            "json",
            format!("malformed JSON: {e}"),
        )),
        Ok(serde_json::Value::Object(map)) => Ok(Record {
            line: line.number,
            value: map,
        }),
        Ok(other) => Err(Error::input(
            path,
            line.number,
            "json",
            format!("expected a JSON object, found {}", kind(&other)),
        )),
    }
}

/// A temporary file in `dir` to rename over a result or report: created 0666 less the
/// umask (0644 usually), like every file assay writes with `fs::write`, not tempfile's
/// private 0600, so the renamed file has the mode any other output of the run has.
fn temp_beside(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
}

/// A JSONL file written row by row as the rows arrive (a long run's results), to
/// `<path>.partial`, renamed into place by `finish`: readers never see half a file, and
/// one dropped unfinished (an error, Ctrl-C) is removed. The partial file is created at
/// the first row (so a sink made before a run takes its directory's lock touches nothing
/// until the run is under way). The first error is kept and returned by `finish`, so a
/// listener, which cannot fail, can write through it.
pub(crate) struct JsonlSink {
    path: PathBuf,
    partial: PathBuf,
    out: Option<std::io::BufWriter<std::fs::File>>,
    error: Option<std::io::Error>,
    /// The partial file is ours to remove (we created it) until it is renamed.
    owned: bool,
}

impl JsonlSink {
    pub(crate) fn new(path: &Path) -> Self {
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(".partial");
        JsonlSink {
            path: path.to_path_buf(),
            partial: path.with_file_name(name),
            out: None,
            error: None,
            owned: false,
        }
    }

    fn open(&mut self) -> std::io::Result<&mut std::io::BufWriter<std::fs::File>> {
        use std::os::unix::fs::OpenOptionsExt;
        if self.out.is_none() {
            if let Some(dir) = self.partial.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o666)
                .open(&self.partial)?;
            self.owned = true;
            self.out = Some(std::io::BufWriter::new(file));
        }
        Ok(self.out.as_mut().expect("opened"))
    }

    /// Appends one row (after an error, nothing more is written).
    pub(crate) fn push(&mut self, row: &impl serde::Serialize) {
        use std::io::Write;
        if self.error.is_some() {
            return;
        }
        let written = self.open().and_then(|out| {
            serde_json::to_writer(&mut *out, row)?;
            out.write_all(b"\n")
        });
        if let Err(e) = written {
            self.error = Some(e);
        }
    }

    /// Flushes, forces to disk and renames the file into place (or removes it).
    pub(crate) fn finish(mut self) -> Result<()> {
        let done = self.complete();
        self.owned &= done.is_err();
        done
    }

    fn complete(&mut self) -> Result<()> {
        let partial = self.partial.clone();
        let werr = |source| Error::Write {
            path: partial.clone(),
            source,
        };
        if let Some(e) = self.error.take() {
            return Err(werr(e));
        }
        self.open().map_err(werr)?;
        let out = self.out.take().expect("opened");
        let file = out.into_inner().map_err(|e| werr(e.into_error()))?;
        file.sync_data().map_err(werr)?;
        std::fs::rename(&self.partial, &self.path).map_err(|source| Error::Write {
            path: self.path.clone(),
            source,
        })
    }
}

impl Drop for JsonlSink {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Writes a file atomically: `fill` writes a temp file beside `path`, which is then
/// renamed into place, so readers never see half a file and a failure leaves the old
/// file intact. Every error names `path`.
pub(crate) fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let werr = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(werr)?;
    let mut tmp = temp_beside(dir).map_err(werr)?;
    fill(tmp.as_file_mut()).map_err(werr)?;
    tmp.persist(path).map_err(|e| werr(e.error))?;
    Ok(())
}

/// Writes pretty JSON atomically (temp file beside `path`, then rename).
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let mut text = serde_json::to_vec_pretty(value).expect("record serializes");
    text.push(b'\n');
    write_atomic(path, |f| std::io::Write::write_all(f, &text))
}

/// Writes one JSON line per row to a temp file beside `path`, then renames it into
/// place: readers never see half a file, and a failure leaves the old file intact.
pub fn write_jsonl<T: serde::Serialize>(
    path: &Path,
    rows: impl IntoIterator<Item = T>,
) -> Result<()> {
    use std::io::Write;
    write_atomic(path, |f| {
        let mut w = std::io::BufWriter::new(f);
        for row in rows {
            serde_json::to_writer(&mut w, &row)?;
            w.write_all(b"\n")?;
        }
        w.flush()
    })
}

pub(crate) fn kind(v: &serde_json::Value) -> &'static str {
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
