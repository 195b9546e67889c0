//! assay: sandboxed execution of generated Python code, turned into verdicts people can trust.
//!
//! The binary is a thin shell over these modules: `entry` loads problems and samples,
//! `sandbox` executes one program under hard limits, `run` schedules many executions
//! with a journal, `score` turns outcomes into pass@k, `report` renders summaries.

pub mod cli;
pub mod compare;
pub mod curate;
pub mod entry;
pub mod error;
pub mod export;
pub mod generate;
pub mod python;
pub mod record;
pub mod report;
pub mod run;
pub mod sandbox;
pub mod score;
pub mod shard;
pub mod skills;
mod term;

pub use error::{Error, Result};
