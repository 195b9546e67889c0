//! The commands on entry files: `skills build|add` and `export standalone|humaneval`.

use crate::error::EXIT_OK;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(super) enum SkillsAction {
    /// Compile every skill file of a directory into entry JSONL (sorted, schema-checked).
    Build {
        /// Directory of skill files (`*.py`, not recursive).
        dir: PathBuf,
        /// Entries JSONL to write (replaced atomically).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Add one skill file's entry to an entries file (`--update` replaces an existing id).
    Add {
        /// The skill file (`*.py`).
        file: PathBuf,
        /// Entries JSONL to add it to (created when missing).
        #[arg(long)]
        to: PathBuf,
        /// Replace an entry of the same id instead of refusing.
        #[arg(long)]
        update: bool,
    },
}

#[derive(Subcommand)]
pub(super) enum ExportAction {
    /// One executable `<id>.py` per entry, in the AICoderEval paper's layout.
    Standalone {
        /// Entries JSONL (`.jsonl` or `.jsonl.gz`).
        entries: PathBuf,
        /// Directory for the `<id>.py` files.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Preference pairs (chosen, rejected) for DPO/RLHF: from consensus grades, or from
    /// verdicts (a passing and a failing sample of a task); TRL or OpenAI format.
    Preferences(super::grade::PreferencesArgs),
    /// HumanEval-format JSONL, for other harnesses.
    Humaneval {
        /// Entries JSONL (`.jsonl` or `.jsonl.gz`).
        entries: PathBuf,
        /// HumanEval-format JSONL to write.
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
            ExportAction::Preferences(a) => a.files(),
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
        ExportAction::Preferences(a) => return super::grade::preferences(a),
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
