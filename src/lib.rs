//! assay: sandboxed execution of generated Python code, turned into verdicts people can trust.
//!
//! The binary is a thin shell over these modules: `entry` loads problems and samples,
//! `sandbox` executes one program under hard limits, `run` schedules many executions
//! with a journal, `score` turns outcomes into pass@k, `report` renders summaries.
//! Modules are crate-private unless a test reads them as a library, so the compiler
//! finds what nothing uses.

pub mod cli;
pub mod compare;
pub mod curate;
pub mod entry;
pub mod error;
pub(crate) mod evalplus;
pub mod export;
#[cfg(any(test, fuzzing))]
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod generate;
pub(crate) mod grade;
pub(crate) mod python;
pub(crate) mod record;
pub mod report;
pub(crate) mod run;
pub(crate) mod sandbox;
pub(crate) mod score;
pub(crate) mod shard;
pub(crate) mod skills;
pub(crate) mod strength;
pub(crate) mod term;
pub(crate) mod track;

pub use error::{Error, Result};
