//! Typed errors of the library and the exit codes they map to.

use std::path::PathBuf;

/// Exit code: everything ran and every requested gate held.
pub const EXIT_OK: i32 = 0;
/// Exit code: evaluation finished but a requested gate failed.
pub const EXIT_GATE: i32 = 1;
/// Exit code: bad input or unusable environment.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code: the run finished, but some samples have no verdict because the sandbox
/// failed on them after every retry (their pass@k leaves them out).
pub const EXIT_INCOMPLETE: i32 = 3;
/// Exit code: a bug in assay (a panic, a failed internal task): sysexits' EX_SOFTWARE.
pub const EXIT_INTERNAL: i32 = 70;
/// Exit code: interrupted by the user (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

/// What an internal error tells the user besides its cause.
pub const REPORT_BUG: &str =
    "this is a bug in assay, not in your input: please report it with the command line and this message";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One bad record in an input file: file, 1-based line (0: the file or directory as
    /// a whole, and then no line is shown), field.
    #[error("{}: {field}: {message}", at(path, *line))]
    Input {
        path: PathBuf,
        line: usize,
        field: String,
        message: String,
    },
    #[error("failed to read {}: {}", path.display(), cause(source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file or directory named on the command line that cannot be opened: names the
    /// flag (or positional argument) it was given to, and the cause once.
    #[error("{arg} {}: {}", path.display(), cause(source))]
    Arg {
        arg: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("failed to write {}: {}", path.display(), cause(source))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A flag or combination of flags that cannot work; names the flag.
    #[error("{0}")]
    Usage(String),
    /// The environment cannot run what was asked (missing python, image, engine).
    #[error("{0}")]
    Environment(String),
    /// A bug: an invariant broke, a task panicked.
    #[error("internal error: {0} ({REPORT_BUG})")]
    Internal(String),
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
            Error::Internal(_) => EXIT_INTERNAL,
            Error::Input { .. }
            | Error::Read { .. }
            | Error::Arg { .. }
            | Error::Write { .. }
            | Error::Usage(_)
            | Error::Environment(_) => EXIT_BAD_INPUT,
        }
    }
}

fn at(path: &std::path::Path, line: usize) -> String {
    match line {
        0 => path.display().to_string(),
        n => format!("{}:{n}", path.display()),
    }
}

/// An I/O error's cause as a person reads it: the OS's sentence without the
/// "(os error 2)" std appends (the number says nothing the sentence does not).
pub(crate) fn cause(e: &std::io::Error) -> String {
    let text = e.to_string();
    match (e.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) => text[..at].to_string(),
        _ => text,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_error_has_its_exit_code() {
        assert_eq!(Error::Usage("--k".into()).exit_code(), EXIT_BAD_INPUT);
        assert_eq!(
            Error::Environment("no engine".into()).exit_code(),
            EXIT_BAD_INPUT
        );
        assert_eq!(
            Error::input(std::path::Path::new("f"), 1, "x", "y").exit_code(),
            EXIT_BAD_INPUT
        );
        assert_eq!(Error::Interrupted.exit_code(), EXIT_INTERRUPTED);
        let bug = Error::Internal("task panicked".into());
        assert_eq!(bug.exit_code(), EXIT_INTERNAL);
        assert!(bug.to_string().contains("bug in assay"), "{bug}");
    }
}
