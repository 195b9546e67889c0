//! Command-line parsing and dispatch; every stage it calls lives in a library module.
//! One file per command family; `args` holds the flags they share. Each command turns its
//! flags into a library request (`TryFrom`, a bad value an `Error::Usage` naming the flag).

use crate::error::{Error, EXIT_BAD_INPUT, EXIT_OK};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// `print!` to stdout, except that a closed stdout (`assay score … | head -1`) is not an
/// error: the command stops writing there and ends with the status it would have had
/// (as ripgrep does), instead of panicking on EPIPE.
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::write_stdout(format_args!($($t)*)) };
}

/// `println!` through `out!`.
macro_rules! outln {
    () => { out!("\n") };
    ($($t:tt)*) => { out!("{}\n", format_args!($($t)*)) };
}

mod args;
mod curate;
mod entries;
mod generate;
mod grade;
mod records;
mod sandbox;
mod score;

#[derive(Parser)]
#[command(
    name = "assay",
    version,
    about = "Sandboxed execution and pass@k scoring of generated Python code"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every sample against its problem's tests and report pass@k (human-eval compatible).
    Score(score::ScoreArgs),
    /// Check a problems/entries file: JSON, fields, JSON Schema for native entries.
    Validate {
        /// JSONL (or .jsonl.gz) of assay entries or HumanEval problems.
        file: PathBuf,
    },
    /// Curate entries: schema, syntax, import policy, reference runs with a flake check,
    /// dedupe; writes the entries whose reference passes every test, the rejects, a report.
    Curate(curate::CurateArgs),
    /// Skill files: compile a directory into entries, or add one file to an entries file.
    Skills {
        #[command(subcommand)]
        action: entries::SkillsAction,
    },
    /// Export entries for other harnesses, or preference pairs (DPO, RLHF) of scored and
    /// graded samples.
    Export {
        #[command(subcommand)]
        action: entries::ExportAction,
    },
    /// Combine the runs of `score --shard I/N` (every shard once, all of the same
    /// benchmark, samples, limits and backend) into one run: results in the samples file's
    /// order and the summary an unsharded run gives.
    Merge(score::MergeArgs),
    /// Docker sandbox housekeeping: `check` the engine, images and isolation; `gc` leftovers.
    Sandbox {
        #[command(subcommand)]
        action: sandbox::SandboxAction,
    },
    /// Run records: `list` the run directories under some directories, newest first.
    Runs {
        #[command(subcommand)]
        action: records::RunsAction,
    },
    /// What changed between two runs (run directories or results files), whether it is
    /// significant, and (`--fail-on-regression`) a gate naming the tasks that caused it.
    Compare(records::CompareArgs),
    /// Reports of a run for CI: self-contained HTML, JUnit XML, Markdown for a PR comment.
    Report(records::ReportArgs),
    /// A model in the loop (any OpenAI Chat Completions server): `entries` from source
    /// records, `samples` to score with pass@k.
    Generate {
        #[command(subcommand)]
        action: generate::GenerateAction,
    },
    /// Human grading: `serve` a local grading app over a results file, merge graders'
    /// files into `consensus` grades with agreement statistics.
    Grade {
        #[command(subcommand)]
        action: grade::GradeAction,
    },
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are clap's to print (to stdout, exit 0).
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp
                    | clap::error::ErrorKind::DisplayVersion
                    | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) =>
        {
            e.exit()
        }
        // A bad flag or value: clap's first paragraph names the flag and says why (a
        // missing argument's name is on the lines after the first); the rest only points
        // at --help. One line, exit 2, like every other bad input.
        Err(e) => {
            let text = e.to_string();
            let first: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            eprintln!("{}", first.join(" "));
            return EXIT_BAD_INPUT;
        }
    };
    crate::term::install_logger();
    crate::sandbox::scratch::cleanup_stale();
    let code = guarded(|| run(cli));
    crate::sandbox::scratch::cleanup_own();
    code
}

/// Set once stdout is gone: nothing more is written to it.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// What `out!` calls: writes and flushes, and after a failed write stays quiet (a broken
/// pipe silently; another failure, a full disk say, with one warning on stderr).
pub(crate) fn write_stdout(args: std::fmt::Arguments) {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!(
                "warning: cannot write to stdout: {}",
                crate::error::cause(&e)
            );
        }
    }
}

/// Runs a command and turns its end into an exit code: a typed error its own code, a
/// panic (a bug) one line asking for a report and `EXIT_INTERNAL`, never a backtrace
/// dressed as bad input.
fn guarded(command: impl FnOnce() -> anyhow::Result<i32>) -> i32 {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!(
            "error: internal error: {what}{at} ({})",
            crate::error::REPORT_BUG
        );
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(command));
    std::panic::set_hook(hook);
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => match e.downcast_ref::<Error>() {
            // A typed error's message already carries its cause (`{e:#}` would repeat it).
            Some(err) => {
                eprintln!("error: {err}");
                err.exit_code()
            }
            None => {
                eprintln!("error: {e:#}");
                EXIT_BAD_INPUT
            }
        },
        Err(_) => crate::error::EXIT_INTERNAL,
    }
}

impl Command {
    /// The files and directories given to this command, each with the flag (or the
    /// positional argument) that named it: an input that cannot be opened is reported
    /// as `--samples x.jsonl: No such file or directory`.
    fn files(&self) -> Vec<(&'static str, PathBuf)> {
        match self {
            Command::Validate { file } => vec![("<FILE>", file.clone())],
            Command::Score(a) => a.files(),
            Command::Merge(a) => a.files(),
            Command::Curate(a) => a.files(),
            Command::Skills { action } => action.files(),
            Command::Export { action } => action.files(),
            Command::Runs { action } => action.files(),
            Command::Compare(a) => a.files(),
            Command::Report(a) => a.files(),
            Command::Sandbox { .. } => Vec::new(),
            Command::Generate { action } => action.files(),
            Command::Grade { action } => action.files(),
        }
    }
}

/// A read or write error on a path given on the command line names the flag that gave it.
fn name_arg(e: anyhow::Error, files: &[(&'static str, PathBuf)]) -> anyhow::Error {
    // A context around it (its outermost message is not the error's own) says more than
    // the flag would: keep it whole.
    let bare = e
        .downcast_ref::<Error>()
        .is_some_and(|inner| inner.to_string() == e.to_string());
    if !bare {
        return e;
    }
    match e.downcast::<Error>() {
        Ok(e @ (Error::Read { .. } | Error::Write { .. })) => {
            // Outputs are only written, inputs only read; the run dir and `--to` both.
            const WRITTEN: &[&str] = &["--output", "--report", "--html", "--junit", "--markdown"];
            const BOTH: &[&str] = &["--run-dir", "--to"];
            let (writing, path) = match &e {
                Error::Write { path, .. } => (true, path),
                Error::Read { path, .. } => (false, path),
                _ => unreachable!("matched above"),
            };
            let arg = files.iter().find(|(arg, p)| {
                p == path && (BOTH.contains(arg) || WRITTEN.contains(arg) == writing)
            });
            match (arg, e) {
                (Some((arg, _)), Error::Read { path, source } | Error::Write { path, source }) => {
                    Error::Arg {
                        arg: arg.to_string(),
                        path,
                        source,
                    }
                    .into()
                }
                (_, e) => e.into(),
            }
        }
        Ok(other) => other.into(),
        Err(e) => e,
    }
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let files = cli.command.files();
    dispatch(cli).map_err(|e| name_arg(e, &files))
}

fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Validate { file } => {
            let problems = crate::entry::load_problems(&file)?;
            outln!("{}: {} entries valid", file.display(), problems.len());
            Ok(EXIT_OK)
        }
        Command::Score(args) => score::score(args),
        Command::Merge(args) => score::merge(args),
        Command::Curate(args) => curate::curate(args),
        Command::Skills { action } => entries::skills(action),
        Command::Export { action } => entries::export(action),
        Command::Sandbox { action } => sandbox::sandbox(action),
        Command::Runs { action } => records::runs(action),
        Command::Compare(args) => records::compare(args),
        Command::Report(args) => records::report(args),
        Command::Generate { action } => generate::generate(action),
        Command::Grade { action } => grade::grade(action),
    }
}

#[cfg(test)]
mod tests {
    use super::guarded;

    /// Every argument of every subcommand says what it is for in `--help`.
    #[test]
    fn every_argument_has_a_help_line() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() {
                    missing.push(format!("{path} {} (the command)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(
            &<super::Cli as clap::CommandFactory>::command(),
            "assay",
            &mut missing,
        );
        assert!(
            missing.is_empty(),
            "arguments without a help line:\n{}",
            missing.join("\n")
        );
    }
    use crate::error::{Error, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK};

    #[test]
    fn a_panic_is_an_internal_error_not_bad_input() {
        assert_eq!(guarded(|| Ok(EXIT_OK)), EXIT_OK);
        assert_eq!(
            guarded(|| Err(Error::Usage("--k".into()).into())),
            EXIT_BAD_INPUT
        );
        assert_eq!(guarded(|| panic!("an invariant broke")), EXIT_INTERNAL);
        // The hook is restored: the process's own panics print as before.
        assert!(std::panic::catch_unwind(|| panic!("after")).is_err());
    }
}
