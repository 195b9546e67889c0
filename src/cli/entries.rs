//! The commands on entry files: `skills build|add` and `export standalone|humaneval`.

use crate::error::EXIT_OK;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(super) enum SkillsAction {
    /// Compile every skill file of a directory into entry JSONL (sorted, schema-checked).
    Build {
        dir: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Add one skill file's entry to an entries file (`--update` replaces an existing id).
    Add {
        file: PathBuf,
        #[arg(long)]
        to: PathBuf,
        #[arg(long)]
        update: bool,
    },
}

#[derive(Subcommand)]
pub(super) enum ExportAction {
    /// One executable `<id>.py` per entry, in the AICoderEval paper's layout.
    Standalone {
        entries: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// HumanEval-format JSONL, for other harnesses.
    Humaneval {
        entries: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
    },
}

impl SkillsAction {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        match self {
            SkillsAction::Build { dir, .. } => vec![("<DIR>", dir.clone())],
            SkillsAction::Add { file, to, .. } => {
                vec![("<FILE>", file.clone()), ("--to", to.clone())]
            }
        }
    }
}

impl ExportAction {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        match self {
            ExportAction::Standalone { entries, .. } | ExportAction::Humaneval { entries, .. } => {
                vec![("<ENTRIES>", entries.clone())]
            }
        }
    }
}

pub(super) fn skills(action: SkillsAction) -> anyhow::Result<i32> {
    match action {
        SkillsAction::Build { dir, output } => {
            let entries = crate::skills::build_dir(&dir)?;
            crate::skills::write_entries(&output, &entries)?;
            outln!("{} entries -> {}", entries.len(), output.display());
        }
        SkillsAction::Add { file, to, update } => {
            let replaced = crate::skills::add(&file, &to, update)?;
            let verb = if replaced { "replaced" } else { "added" };
            outln!("{verb} {} in {}", file.display(), to.display());
        }
    }
    Ok(EXIT_OK)
}

pub(super) fn export(action: ExportAction) -> anyhow::Result<i32> {
    match action {
        ExportAction::Standalone { entries, output } => {
            let files =
                crate::export::standalone(&crate::skills::read_entries(&entries)?, &output)?;
            outln!("{} files -> {}", files.len(), output.display());
        }
        ExportAction::Humaneval { entries, output } => {
            let entries = crate::skills::read_entries(&entries)?;
            crate::export::humaneval(&entries, &output)?;
            outln!("{} problems -> {}", entries.len(), output.display());
        }
    }
    Ok(EXIT_OK)
}
