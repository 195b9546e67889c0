//! Skill files → entries: `assay skills build DIR -o FILE` and `assay skills add FILE`.
//! The format is documented in `skills/README.md`.

mod parse;

pub use parse::parse_skill;

use crate::entry::{read_jsonl, Entry};
use crate::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The skill files of a directory (`*.py`, not recursive), sorted by name.
pub fn skill_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rerr = |source| Error::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(rerr)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    Ok(files)
}

/// Compiles every skill file of `dir`, sorted by id; the first bad file is the error.
pub fn build_dir(dir: &Path) -> Result<Vec<Entry>> {
    let mut entries = skill_files(dir)?
        .iter()
        .map(|p| parse_skill(p))
        .collect::<Result<Vec<_>>>()?;
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(w) = entries.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(Error::input(
            dir,
            0,
            "id",
            format!("duplicate id {:?}", w[0].id),
        ));
    }
    Ok(entries)
}

/// Writes entries as JSONL atomically (temp file + rename).
pub fn write_entries(path: &Path, entries: &[Entry]) -> Result<()> {
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
        for e in entries {
            serde_json::to_writer(&mut w, e).map_err(|e| werr(e.into()))?;
            w.write_all(b"\n").map_err(werr)?;
        }
        w.flush().map_err(werr)?;
    }
    tmp.persist(path).map_err(|e| werr(e.error))?;
    Ok(())
}

/// Reads native entries (schema-checked).
pub fn read_entries(path: &Path) -> Result<Vec<Entry>> {
    read_jsonl(path)?
        .iter()
        .map(|rec| crate::entry::native_entry(path, rec))
        .collect()
}

/// Adds (or with `update`, replaces) the entry of one skill file in an entries file.
/// Returns whether an existing entry was replaced.
pub fn add(skill: &Path, entries_path: &Path, update: bool) -> Result<bool> {
    let entry = parse_skill(skill)?;
    let mut entries = if entries_path.exists() {
        read_entries(entries_path)?
    } else {
        Vec::new()
    };
    let existing = entries.iter().position(|e| e.id == entry.id);
    let replaced = match (existing, update) {
        (Some(_), false) => {
            return Err(Error::input(
                skill,
                1,
                "id",
                format!(
                    "{:?} is already in {} (use --update to replace it)",
                    entry.id,
                    entries_path.display()
                ),
            ))
        }
        (Some(i), true) => {
            entries[i] = entry;
            true
        }
        (None, _) => {
            entries.push(entry);
            false
        }
    };
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    write_entries(entries_path, &entries)?;
    Ok(replaced)
}
