//! Choosing and starting a backend by name: the one place that knows them all.

use super::docker::{DockerConfig, DockerSandbox};
use super::process::{ProcessConfig, ProcessSandbox};
use super::wasi::{WasiConfig, WasiSandbox};
use super::Sandbox;
use std::sync::Arc;

/// The backends (the CLI's `--sandbox` names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Host Python under namespaces and rlimits.
    Process,
    /// CPython compiled to WASI inside wasmtime.
    Wasi,
    /// Hardened containers on the local Docker engine.
    Docker,
}

/// What any backend may need to start.
#[derive(Debug, Clone, Default)]
pub struct BackendOptions {
    /// Parallel executions the backend must support.
    pub jobs: usize,
    /// Interpreter for the process backend.
    pub python: Option<String>,
    /// `python.wasm` for the wasi backend (default: where scripts/fetch-python-wasm puts it).
    pub python_wasm: Option<std::path::PathBuf>,
    /// A CPU budget in fuel instead of time alone (wasi): same verdicts on any machine.
    pub deterministic: bool,
    /// Docker: one fresh container per execution instead of the warm pool.
    pub docker_cold: bool,
}

pub fn default_python() -> String {
    // A system interpreter: one under a private home (pyenv in /root) is unreadable to
    // the unprivileged sandbox uid.
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3".into()
    } else {
        "python3".into()
    }
}

/// Starts a backend; an unusable environment is an `Error::Environment` naming the fix.
pub async fn start(kind: BackendKind, opts: &BackendOptions) -> crate::Result<Arc<dyn Sandbox>> {
    Ok(match kind {
        BackendKind::Process => Arc::new(
            ProcessSandbox::start(ProcessConfig {
                python: opts.python.clone().unwrap_or_else(default_python),
                jobs: opts.jobs,
            })
            .await?,
        ),
        BackendKind::Wasi => Arc::new(
            WasiSandbox::start(WasiConfig {
                python_wasm: opts
                    .python_wasm
                    .clone()
                    .unwrap_or_else(super::wasi::default_python_wasm),
                jobs: opts.jobs,
                deterministic: opts.deterministic,
            })
            .await?,
        ),
        BackendKind::Docker => Arc::new(
            DockerSandbox::start(DockerConfig {
                jobs: opts.jobs,
                cold: opts.docker_cold,
            })
            .await?,
        ),
    })
}
