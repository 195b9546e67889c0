//! `assay sandbox check|gc`: the backends' housekeeping.

use crate::error::{EXIT_GATE, EXIT_OK};
use crate::sandbox::select;
use clap::{Subcommand, ValueEnum};

#[derive(Subcommand)]
pub(super) enum SandboxAction {
    /// Report which isolation layers hold: the process sandbox's (minimal root, IPC
    /// namespace, memory cgroup, seccomp, hidden processes) and Docker's (engine, images,
    /// what a container sees).
    Check {
        /// Backends to check.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "process,docker"
        )]
        sandbox: Vec<CheckedBackend>,
        /// Python interpreter of the process sandbox.
        #[arg(long, env = "ASSAY_PYTHON")]
        python: Option<String>,
    },
    /// Remove containers left by an assay that was killed (`--all`: every assay container).
    Gc {
        /// Every assay container, not only those whose harness is gone.
        #[arg(long)]
        all: bool,
    },
}

/// The backends `sandbox check` probes (wasi runs inside the harness: no layers to probe).
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(super) enum CheckedBackend {
    Process,
    Docker,
}

pub(super) fn sandbox(action: SandboxAction) -> anyhow::Result<i32> {
    use crate::sandbox::docker;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match action {
            SandboxAction::Check { sandbox, python } => {
                let mut items = Vec::new();
                for kind in sandbox {
                    match kind {
                        CheckedBackend::Process => items.extend(
                            crate::sandbox::check::process(
                                python.clone().unwrap_or_else(select::default_python),
                            )
                            .await?,
                        ),
                        CheckedBackend::Docker => items.extend(docker::check::check().await?),
                    }
                }
                for i in &items {
                    let mark = if i.ok { "ok  " } else { "FAIL" };
                    outln!("{mark} {}: {}", i.name, i.detail);
                }
                Ok(if items.iter().all(|i| i.ok) {
                    EXIT_OK
                } else {
                    EXIT_GATE
                })
            }
            SandboxAction::Gc { all } => {
                let d = docker::connect().await?;
                let swept = docker::gc::sweep(&d, all).await?;
                outln!(
                    "removed {} container(s); {} of running assay processes kept",
                    swept.removed,
                    swept.live
                );
                for f in &swept.failed {
                    eprintln!("warning: cannot remove {f}");
                }
                Ok(if swept.failed.is_empty() {
                    EXIT_OK
                } else {
                    EXIT_GATE
                })
            }
        }
    })
}
