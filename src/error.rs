//! Typed errors of the library and the exit codes they map to.

use std::path::PathBuf;

/// Exit code: everything ran and every requested gate held.
pub const EXIT_OK: i32 = 0;
/// Exit code: evaluation finished but a requested gate failed.
pub const EXIT_GATE: i32 = 1;
/// Exit code: bad input or unusable environment.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code: interrupted by the user (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One bad record in an input file: file, 1-based line, field.
    #[error("{}:{line}: {field}: {message}", path.display())]
    Input {
        path: PathBuf,
        line: usize,
        field: String,
        message: String,
    },
    #[error("failed to read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("failed to write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The environment cannot run what was asked (missing python, image, engine).
    #[error("{0}")]
    Environment(String),
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    pub fn input(
        path: &std::path::Path,
        line: usize,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Interrupted => EXIT_INTERRUPTED,
            _ => EXIT_BAD_INPUT,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
