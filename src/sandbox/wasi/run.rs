//! One execution: a fresh instance of `python.wasm` from the shared `InstancePre`, its
//! limits, its stdio, and the verdict from `runner::decide`.

use super::io::{OutputLimit, Sink, Stdio};
use super::preinit::{self, Entry, ARGV};
use super::{module, FUEL_PER_SECOND, SLOWDOWN};
use crate::sandbox::environment::ENVIRONMENT;
use crate::sandbox::runner;
use crate::sandbox::supervise::{Exit, KillReason, Observed, Termination};
use crate::sandbox::{ExecRequest, Execution, Outcome};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasmtime::{
    Engine, InstancePre, Linker, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, Trap,
    UpdateDeadline,
};
use wasmtime_wasi::cli::StdoutStream;
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// The epoch period: how late past its deadline a computing guest can be stopped.
const TICK: Duration = Duration::from_millis(10);
/// How often a guest blocked in a host call (a sleep) is checked against its deadline.
const WATCH: Duration = Duration::from_millis(20);
/// Fuel for start-up and the runner's, under `--deterministic`: CPython's start-up costs
/// ~5e8 on the plain module, far less from the snapshot; the allowance covers both.
const STARTUP_FUEL: u64 = 2_000_000_000;

/// A stop the supervisor decided, raised as a trap from the epoch callback.
#[derive(Debug, Clone, Copy)]
struct Stopped(KillReason);

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stopped by the supervisor: {:?}", self.0)
    }
}

impl std::error::Error for Stopped {}

/// Store limits that remember whether the memory cap refused a growth.
struct Limiter {
    inner: StoreLimits,
    limit: usize,
    hit: bool,
    peak: usize,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let ok = self.inner.memory_growing(current, desired, maximum)?;
        if ok {
            self.peak = self.peak.max(desired);
        } else if desired > self.limit {
            self.hit = true;
        }
        Ok(ok)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }
}

/// The private `/tmp` held under `max_file_size_mb` in all, measured at every epoch tick.
#[derive(Clone)]
struct DiskQuota {
    dir: PathBuf,
    limit: u64,
}

impl DiskQuota {
    fn exceeded(&self) -> bool {
        dir_usage(&self.dir) > self.limit
    }
}

/// Apparent size of everything under `dir` (a directory with too many entries counts as full).
fn dir_usage(dir: &Path) -> u64 {
    let mut total = 0u64;
    let mut seen = 0usize;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            seen += 1;
            if seen > 100_000 {
                return u64::MAX;
            }
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                total = total.saturating_add(meta.len());
            }
        }
    }
    total
}

/// A store's data.
pub(super) struct Guest {
    wasi: WasiP1Ctx,
    limiter: Limiter,
}

impl Guest {
    /// A guest whose linear memory may grow to `memory_limit` bytes (`None`: no cap).
    pub fn new(wasi: WasiP1Ctx, memory_limit: Option<usize>) -> Self {
        let mut limits = StoreLimitsBuilder::new().instances(1);
        if let Some(limit) = memory_limit {
            limits = limits.memory_size(limit);
        }
        Guest {
            wasi,
            limiter: Limiter {
                inner: limits.build(),
                limit: memory_limit.unwrap_or(usize::MAX),
                hit: false,
                peak: 0,
            },
        }
    }

    pub fn limiter(&mut self) -> &mut dyn ResourceLimiter {
        &mut self.limiter
    }
}

/// The engine, the linked module and what every execution shares.
pub(super) struct Runtime {
    engine: Engine,
    pre: InstancePre<Guest>,
    entry: Entry,
    module_hash: String,
    deterministic: bool,
}

impl Runtime {
    pub fn new(wasm_path: &Path, slots: usize, deterministic: bool) -> wasmtime::Result<Self> {
        let wasm = std::fs::read(wasm_path)?;
        let engine = module::engine(slots, deterministic)?;
        let mut linker: Linker<Guest> = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |g: &mut Guest| &mut g.wasi)?;
        let cache = super::cache_root().join("wasi-cache");
        let (module, entry) = preinit::prepare(&engine, &linker, &wasm, &cache)?;
        start_ticker(&engine);
        let pre = linker.instantiate_pre(&module)?;
        Ok(Runtime {
            engine,
            pre,
            entry,
            module_hash: module::module_hash(&wasm),
            deterministic,
        })
    }

    pub fn module_hash(&self) -> &str {
        &self.module_hash
    }

    /// Runs one request to its verdict. Faults of the harness are `sandbox_error`s.
    pub async fn execute(&self, req: &ExecRequest, cancel: &Arc<AtomicBool>) -> Execution {
        let fault = |m: String| Ok(Outcome::sandbox_error("wasi", &req.tests, m));
        let tmp = match crate::sandbox::scratch::scratch_root().and_then(|root| {
            tempfile::Builder::new()
                .prefix("assay-wasi-")
                .tempdir_in(root)
        }) {
            Ok(t) => t,
            Err(e) => return fault(format!("cannot create temp dir: {e}")),
        };
        let nonce = runner::new_nonce();
        // Under --deterministic fuel is the CPU limit; the wall clock stays as a backstop
        // for guests that sleep, at twice the budget so that it never decides first.
        let factor = if self.deterministic { 2.0 } else { 1.0 };
        let wall = Duration::from_secs_f64(req.limits.timeout_secs * SLOWDOWN * factor);
        let stdio = Arc::new(Mutex::new(Stdio::new(
            &nonce,
            req.tests.len(),
            req.limits.max_output_bytes,
            wall,
        )));
        let stdout = Sink {
            stdio: Arc::clone(&stdio),
            stderr: false,
        };
        let stderr = Sink {
            stdio: Arc::clone(&stdio),
            stderr: true,
        };
        let stdin = payload(req, &nonce, self.entry);
        let wasi = match context(stdin, stdout, stderr, tmp.path()) {
            Ok(w) => w,
            Err(e) => return fault(format!("cannot preopen the temp dir: {e:#}")),
        };
        let limit =
            usize::try_from(req.limits.memory_mb.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
        let fuel_budget = (req.limits.timeout_secs * FUEL_PER_SECOND as f64) as u64;
        let mut store = Store::new(&self.engine, Guest::new(wasi, Some(limit)));
        store.limiter(|g| g.limiter());

        let disk = DiskQuota {
            dir: tmp.path().to_path_buf(),
            limit: req.limits.max_file_size_mb.saturating_mul(1 << 20),
        };
        // The supervisor's rules, checked at every epoch tick and by the watch below;
        // the private /tmp's size is the one quota only this backend can measure.
        let stop_now = {
            let (cancel, stdio) = (Arc::clone(cancel), Arc::clone(&stdio));
            move || {
                let mut stdio = stdio.lock().expect("stdio lock");
                let output = stdio.output_bytes();
                if let Some(reason) = stdio.watch.due(output, cancel.load(Ordering::Relaxed)) {
                    return Some(reason);
                }
                if stdio.watch.killed().is_none() && disk.exceeded() {
                    stdio.watch.kill(KillReason::FileSize);
                }
                stdio.watch.killed()
            }
        };
        {
            let stop_now = stop_now.clone();
            store.epoch_deadline_callback(move |_| {
                if let Some(reason) = stop_now() {
                    return Err(Stopped(reason).into());
                }
                Ok(UpdateDeadline::Continue(1))
            });
        }
        store.set_epoch_deadline(1);
        if self.deterministic {
            // Fuel set from inside an epoch callback is not seen by running code, and a
            // host call at `ready` is not ours to hook: the budget covers start-up too,
            // which costs the same fuel on every run.
            let _ = store.set_fuel(fuel_budget.saturating_add(STARTUP_FUEL));
        }

        let run = async {
            let instance = self.pre.instantiate_async(&mut store).await?;
            let export = self.entry.export();
            match self.entry {
                Entry::Start => {
                    let start = instance.get_typed_func::<(), ()>(&mut store, export)?;
                    start.call_async(&mut store, ()).await.map(|()| 0)
                }
                Entry::RunMain => {
                    let main = instance.get_typed_func::<(), i32>(&mut store, export)?;
                    main.call_async(&mut store, ()).await
                }
            }
        };
        let watch = async {
            loop {
                tokio::time::sleep(WATCH).await;
                if stop_now().is_some() {
                    return;
                }
            }
        };
        let result = tokio::select! {
            r = run => Some(r),
            () = watch => None,
        };
        let (hit, peak) = (store.data().limiter.hit, store.data().limiter.peak);
        drop(store);
        let mut failure = None;
        let termination = match result {
            // Stopped by the watch while blocked in a host call: the reason is recorded.
            None => None,
            // The entry returned instead of the runner's os._exit: `_start` ran off the end
            // of `main` (0), or PyRun_SimpleStringFlags reports an uncaught exception (-1),
            // which `python -c` would have made exit status 1.
            Some(Ok(0)) => Some(Termination::Exited(0)),
            Some(Ok(_)) => Some(Termination::Exited(1)),
            Some(Err(e)) => match classify(&e) {
                GuestEnd::Ended(t) => Some(t),
                GuestEnd::Stopped(reason) => {
                    stdio.lock().expect("stdio lock").watch.kill(reason);
                    None
                }
                GuestEnd::Failed(message) => {
                    failure = Some(message);
                    None
                }
            },
        };
        let mut stdio = stdio.lock().expect("stdio lock");
        stdio.finish();
        let killed = stdio.watch.killed();
        let mut obs = Observed::new(&nonce, 0);
        obs.exit = match termination {
            // One guest runs on one thread from start to end: its CPU time is its wall
            // time. A guest that died after a refused growth died of the memory limit.
            Some(termination) => Some(Exit {
                termination,
                cpu: stdio.watch.elapsed(),
                peak_memory_kb: (peak / 1024) as u64,
                memory_killed: hit,
            }),
            // The interpreter's own memory is over the limit: instantiation was refused.
            None if failure.is_some() && hit => Some(Exit {
                memory_killed: true,
                ..Exit::killed()
            }),
            None => {
                obs.fault = failure.map(|e| format!("wasmtime failed: {e}"));
                None
            }
        };
        obs.killed = killed;
        obs.wall = stdio.watch.elapsed();
        obs.channel = std::mem::replace(&mut stdio.channel, runner::Channel::new("", 0));
        obs.stdout = std::mem::take(&mut stdio.stdout);
        obs.stderr = std::mem::take(&mut stdio.stderr);
        drop(stdio);
        obs.into_outcome("wasi", req)
    }
}

/// A guest's WASI context: `stdin` to read, the bootstrap's argv, the fixed environment,
/// and `tmp` preopened as `/tmp`, its only directory.
pub(super) fn context(
    stdin: Vec<u8>,
    stdout: impl StdoutStream + 'static,
    stderr: impl StdoutStream + 'static,
    tmp: &Path,
) -> wasmtime::Result<WasiP1Ctx> {
    let mut builder = WasiCtxBuilder::new();
    builder
        .stdin(MemoryInputPipe::new(stdin))
        .stdout(stdout)
        .stderr(stderr)
        .args(&ARGV)
        .envs(ENVIRONMENT);
    builder.preopened_dir(tmp, "/tmp", FsPerms::ReadWrite)?;
    Ok(builder.build_p1())
}

/// What the bootstrap reads on stdin (the runner's source first unless the snapshot
/// holds it), asking the runner to report on stderr (fd 2).
pub(super) fn payload(req: &ExecRequest, nonce: &str, entry: Entry) -> Vec<u8> {
    let mut request = runner::request_value(req, nonce);
    request["channel_fd"] = 2.into();
    // As on the process backend, the program starts in its private /tmp.
    request["cwd"] = "/tmp".into();
    let mut out = Vec::new();
    if entry == Entry::Start {
        out = serde_json::to_vec(crate::sandbox::bootstrap::RUNNER.1).expect("source serializes");
        out.push(b'\n');
    }
    out.extend_from_slice(&serde_json::to_vec(&request).expect("request serializes"));
    out
}

/// How a guest's error ended the execution.
enum GuestEnd {
    /// As a native interpreter would have ended.
    Ended(Termination),
    /// The supervisor (or a host-side limit) stopped it.
    Stopped(KillReason),
    /// An error that is nobody's verdict (wasmtime's, the harness's).
    Failed(String),
}

fn classify(e: &wasmtime::Error) -> GuestEnd {
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        return GuestEnd::Ended(Termination::Exited(exit.0));
    }
    if e.downcast_ref::<OutputLimit>().is_some() {
        return GuestEnd::Stopped(KillReason::OutputCap);
    }
    if let Some(Stopped(reason)) = e.downcast_ref::<Stopped>() {
        return GuestEnd::Stopped(*reason);
    }
    match e.downcast_ref::<Trap>() {
        // Out of fuel (--deterministic) is the CPU limit: what SIGXCPU is natively.
        Some(Trap::OutOfFuel) => GuestEnd::Ended(Termination::Signaled(libc::SIGXCPU)),
        Some(Trap::Interrupt) => GuestEnd::Stopped(KillReason::WallTimeout),
        // CPython's abort() is `unreachable` in wasm: what SIGABRT is natively.
        Some(Trap::UnreachableCodeReached) => GuestEnd::Ended(Termination::Signaled(libc::SIGABRT)),
        // Stack overflow, out-of-bounds access, and the rest: what SIGSEGV is natively.
        Some(_) => GuestEnd::Ended(Termination::Signaled(libc::SIGSEGV)),
        None => GuestEnd::Failed(format!("{e:#}")),
    }
}

/// One thread per engine advances the epoch; it ends when the engine is dropped.
fn start_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("wasi-epoch".into())
        .spawn(move || loop {
            std::thread::sleep(TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => return,
            }
        })
        .expect("spawn the epoch thread");
}
