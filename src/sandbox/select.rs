//! Choosing and starting a backend by name: the one place that knows them all.

use super::process::{ProcessConfig, ProcessSandbox};
use super::Sandbox;
use std::sync::Arc;

/// The backends `--sandbox` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendKind {
    /// Host Python under namespaces and rlimits (needs only python3).
    Process,
}

/// What any backend may need to start.
#[derive(Debug, Clone)]
pub struct BackendOptions {
    /// Parallel executions the backend must support.
    pub jobs: usize,
    /// Interpreter for the process backend.
    pub python: Option<String>,
}

fn default_python() -> String {
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
    })
}
