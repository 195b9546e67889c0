//! Skill files → entries: `assay skills build DIR -o FILE` and `assay skills add FILE`.
//! The format is documented in `skills/README.md`.

mod parse;

pub use parse::{parse_skill, parse_skill_text};

use crate::entry::{read_jsonl, Entry};
use crate::{Error, Result};
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
    if files.is_empty() {
        return Err(Error::input(
            dir,
            0,
            "skill files",
            "no *.py skill files in this directory",
        ));
    }
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
    crate::entry::write_jsonl(path, entries)
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
