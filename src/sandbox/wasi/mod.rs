//! The `wasi` backend: CPython compiled to WASI (`python.wasm`) inside `wasmtime`, in the
//! harness's own process. No daemon, no host filesystem but a private `/tmp`, no network,
//! no processes, no threads; pure-stdlib Python only.
//!
//! How it meets the contract of every backend:
//! - **One engine, one compiled module, started once.** On first use CPython is started
//!   once and its memory written back into the module (`snapshot.rs`, `preinit.rs`): a
//!   pre-initialised interpreter with the runner and common modules loaded. It is compiled
//!   once and cached on disk (`module.rs`); every execution instantiates it from an
//!   `InstancePre` with the pooling allocator (copy-on-write memory images, no
//!   recompilation, no relinking) and enters it where start-up ended.
//! - **The runner's channel is stderr.** WASI preview 1 gives a guest no file descriptor
//!   beyond stdio and preopens, so the request asks `assay_runner.py` to report on fd 2.
//!   The guest's stdout and stderr are host sinks (`io.rs`) that demultiplex stderr line
//!   by line: a line carrying the execution's nonce goes to `runner::Channel`, everything
//!   else is the program's stderr. The runner starts every record on a fresh line when its
//!   channel is fd 2, so a program's unterminated line cannot swallow a record. The nonce
//!   is as secret as on the process backend's fd 3, and the verdict comes from the same
//!   `runner::decide`.
//! - **Limits.** Memory: a `ResourceLimiter` around `StoreLimits`, which remembers that the
//!   cap was hit (`memory` even when CPython dies before reporting its `MemoryError`).
//!   Wall time: epoch interruption, one ticker thread for the whole process; the deadline
//!   callback traps a guest that computes past its deadline, and a watcher future drops a
//!   guest that sleeps in a host call (`time.sleep`). CPU time (opt-in, `--deterministic`):
//!   fuel, a budget in instructions that does not depend on the machine or the load.
//!   Output: counted by the sinks; past the cap the write fails and the guest is stopped
//!   at the next epoch tick (`output_limit`). Disk: the private `/tmp` is measured at each
//!   tick against `max_file_size_mb` in all; past it the guest is stopped as `RLIMIT_FSIZE`
//!   stops a native program that does not ignore `SIGXFSZ` (`crashed`, where the process
//!   backend's Python, which ignores `SIGXFSZ`, sees `OSError` and reports `error`).
//! - **Time limits and the slower interpreter.** `python.wasm` is an unoptimised (`-O0`)
//!   build: measured here it runs pure-Python code 6–10x slower than native `python3`. A
//!   `--timeout` keeps meaning "seconds of a native interpreter": the wasi wall limit is
//!   `timeout × SLOWDOWN` (a fixed, documented factor rather than a start-up calibration,
//!   so that verdicts do not depend on how loaded the machine was during a calibration
//!   run). Fuel budgets are `timeout × FUEL_PER_SECOND` plus a fixed start-up allowance,
//!   calibrated the same way; the wall clock then stays as a backstop at twice `SLOWDOWN`.
//!   The wall clock starts when the runner is ready, as on the process backend.
//! - **Concurrency.** `--jobs` slot threads, each with its own single-threaded tokio
//!   runtime driving one guest at a time; a runaway guest is stopped by its own deadline
//!   and never holds another slot.

mod io;
mod module;
mod preinit;
mod run;
mod snapshot;
mod wasm_edit;

use super::slots::{SlotFn, Slots};
use super::{ExecRequest, Execution, Outcome, Sandbox, Status};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// How much slower `python.wasm` computes than native CPython, at most, on the programs
/// measured (pure-Python loops ~7–10x, C-heavy builtins less). The wall limit is
/// `timeout × SLOWDOWN`.
pub const SLOWDOWN: f64 = 10.0;

/// Fuel (wasm instructions) per native second under `--deterministic`. Measured here:
/// `for i in range(10**7): pass` costs 1.01e10 fuel in python.wasm and 0.33 s in native
/// python3 (3.1e10/s); start-up is covered apart (see `STARTUP_FUEL`).
pub const FUEL_PER_SECOND: u64 = 30_000_000_000;

/// What the backend needs to start.
#[derive(Debug, Clone)]
pub struct WasiConfig {
    pub python_wasm: PathBuf,
    pub jobs: usize,
    /// Count fuel for a deterministic CPU budget (slower: every block pays for it).
    pub deterministic: bool,
}

/// Where assay keeps what it downloads and compiles: `$ASSAY_CACHE`, else
/// `$XDG_CACHE_HOME/assay`, else `~/.cache/assay` (as `scripts/lib.sh`).
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("ASSAY_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("assay");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into());
    PathBuf::from(home).join(".cache").join("assay")
}

/// Where `scripts/fetch-python-wasm` puts the module.
pub fn default_python_wasm() -> PathBuf {
    cache_root().join("python-wasm").join("python.wasm")
}

/// The package names of requirement specs (`numpy>=1.2; python_version>"3"` → `numpy`).
pub struct WasiSandbox {
    fingerprint: String,
    slots: Slots,
}

impl WasiSandbox {
    /// Loads (or compiles and caches) the module, starts the slots, runs a smoke test.
    pub async fn start(config: WasiConfig) -> crate::Result<Self> {
        if !config.python_wasm.is_file() {
            return Err(crate::Error::Environment(format!(
                "python.wasm not found at {}: run scripts/fetch-python-wasm in a checkout of assay, or pass --python-wasm",
                config.python_wasm.display()
            )));
        }
        let jobs = config.jobs.max(1);
        let cfg = config.clone();
        let engine = tokio::task::spawn_blocking(move || {
            run::Runtime::new(&cfg.python_wasm, jobs, cfg.deterministic)
        })
        .await
        .map_err(|e| crate::Error::Environment(format!("cannot start the wasi sandbox: {e}")))?
        .map_err(|e| {
            crate::Error::Environment(format!(
                "cannot load {} into wasmtime: {e:#}",
                config.python_wasm.display()
            ))
        })?;
        let engine = Arc::new(engine);
        let mut executors: Vec<SlotFn> = Vec::new();
        for _ in 0..jobs {
            let engine = Arc::clone(&engine);
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .map_err(|e| crate::Error::Environment(format!("cannot start a runtime: {e}")))?;
            executors.push(Box::new(
                move |req: &ExecRequest, cancel: &Arc<AtomicBool>| {
                    rt.block_on(engine.execute(req, cancel))
                },
            ));
        }
        let mut sb = WasiSandbox {
            fingerprint: String::new(),
            slots: Slots::start("wasi", executors)?,
        };
        let version = super::smoke_test(
            &sb,
            "the wasi sandbox cannot run python.wasm",
            "run scripts/fetch-python-wasm",
        )
        .await?;
        sb.fingerprint = format!(
            "{} python {version} module {} slowdown {SLOWDOWN}{}",
            config.python_wasm.display(),
            engine.module_hash(),
            if config.deterministic {
                format!(" fuel {FUEL_PER_SECOND}/s")
            } else {
                String::new()
            }
        );
        Ok(sb)
    }
}

#[async_trait::async_trait]
impl Sandbox for WasiSandbox {
    fn name(&self) -> &'static str {
        "wasi"
    }

    fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    async fn execute(&self, request: ExecRequest) -> Execution {
        let packages = super::profile::package_names(&request.requirements);
        if !packages.is_empty() {
            return Ok(Outcome::without_run(
                "wasi",
                &request.tests,
                Status::Unsupported,
                format!(
                    "the wasi sandbox runs pure-stdlib Python only; this entry requires {}",
                    packages.join(", ")
                ),
            ));
        }
        self.slots.execute(request).await
    }

    fn cancel_all(&self) {
        self.slots.cancel_all();
    }
}
