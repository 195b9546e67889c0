//! One execution: a fresh instance of `python.wasm` from the shared `InstancePre`, its
//! limits, its stdio, and the verdict from `runner::decide`.

use super::io::{OutputLimit, Sink, Stdio};
use super::preinit::{self, Entry, ARGV};
use super::{module, FUEL_PER_SECOND, SLOWDOWN};
use crate::sandbox::process::ENVIRONMENT;
use crate::sandbox::runner::{self, Ending};
use crate::sandbox::{ExecRequest, Outcome};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
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
/// How long the interpreter may take to start before the wall clock runs.
const STARTUP_ALLOWANCE: Duration = Duration::from_secs(10);
/// Fuel for start-up and the runner's, under `--deterministic`: CPython's start-up costs
/// ~5e8 on the plain module, far less from the snapshot; the allowance covers both.
const STARTUP_FUEL: u64 = 2_000_000_000;

/// Why the supervisor stopped a guest.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    Wall,
    Output,
    Disk,
    Cancelled,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stop::Wall => "wall-clock deadline",
            Stop::Output => "output limit",
            Stop::Disk => "file size limit",
            Stop::Cancelled => "cancelled",
        })
    }
}

impl std::error::Error for Stop {}

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
    pub async fn execute(&self, req: &ExecRequest, cancel: &Arc<AtomicBool>) -> Outcome {
        let started = Instant::now();
        let fault = |m: String| Outcome::sandbox_error("wasi", &req.tests, m);
        let tmp = match crate::run::scratch_root().and_then(|root| {
            tempfile::Builder::new()
                .prefix("assay-wasi-")
                .tempdir_in(root)
        }) {
            Ok(t) => t,
            Err(e) => return fault(format!("cannot create temp dir: {e}")),
        };
        let nonce = runner::new_nonce();
        let stdio = Arc::new(Mutex::new(Stdio::new(
            &nonce,
            req.tests.len(),
            req.limits.max_output_bytes,
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

        // Under --deterministic fuel is the CPU limit; the wall clock stays as a backstop
        // for guests that sleep, at twice the budget so that it never decides first.
        let factor = if self.deterministic { 2.0 } else { 1.0 };
        let wall = Duration::from_secs_f64(req.limits.timeout_secs * SLOWDOWN * factor);
        let expired = {
            let stdio = Arc::clone(&stdio);
            move || match stdio.lock().expect("stdio lock").ready_at {
                Some(t) => t.elapsed() >= wall,
                None => started.elapsed() >= STARTUP_ALLOWANCE + wall,
            }
        };
        let disk = DiskQuota {
            dir: tmp.path().to_path_buf(),
            limit: req.limits.max_file_size_mb.saturating_mul(1 << 20),
        };
        let stop_now = {
            let (cancel, stdio) = (Arc::clone(cancel), Arc::clone(&stdio));
            move || {
                if cancel.load(Ordering::Relaxed) {
                    Some(Stop::Cancelled)
                } else if stdio.lock().expect("stdio lock").over {
                    Some(Stop::Output)
                } else if expired() {
                    Some(Stop::Wall)
                } else if disk.exceeded() {
                    Some(Stop::Disk)
                } else {
                    None
                }
            }
        };
        {
            let stop_now = stop_now.clone();
            store.epoch_deadline_callback(move |_| {
                if let Some(stop) = stop_now() {
                    return Err(stop.into());
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
                if let Some(stop) = stop_now() {
                    return stop;
                }
            }
        };
        let result = tokio::select! {
            r = run => r.map_err(|e| classify(&e)),
            stop = watch => Err(Err(Ok(stop))),
        };
        let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut ending = match result {
            // The entry returned instead of the runner's os._exit: `_start` ran off the end
            // of `main` (0), or PyRun_SimpleStringFlags reports an uncaught exception (-1),
            // which `python -c` would have made exit status 1.
            Ok(0) => Ending::Exited(0),
            Ok(_) => Ending::Exited(1),
            Err(Ok(ending)) => ending,
            Err(Err(Ok(Stop::Cancelled))) => return fault("cancelled".into()),
            Err(Err(Ok(Stop::Wall))) => Ending::WallTimeout,
            Err(Err(Ok(Stop::Output))) => Ending::OutputLimit,
            // What RLIMIT_FSIZE does to a program that does not ignore SIGXFSZ.
            Err(Err(Ok(Stop::Disk))) => Ending::Signaled(libc::SIGXFSZ),
            // The interpreter's own memory is over the limit: instantiation was refused.
            Err(Err(Err(_))) if store.data().limiter.hit => Ending::OutOfMemory,
            Err(Err(Err(e))) => return fault(format!("wasmtime failed: {e}")),
        };
        let (hit, peak) = (store.data().limiter.hit, store.data().limiter.peak);
        drop(store);
        let mut stdio = stdio.lock().expect("stdio lock");
        // A guest that died of a refused write or growth died of the limit, even when it
        // ended (an uncaught OSError, MemoryError) before the supervisor's next check.
        if matches!(ending, Ending::Exited(_) | Ending::Signaled(_)) {
            if stdio.over {
                ending = Ending::OutputLimit;
            } else if hit {
                ending = Ending::OutOfMemory;
            }
        }
        stdio.finish();
        let d = runner::decide(req, &stdio.channel, &ending);
        let wall = std::time::Duration::from_secs_f64(wall_ms / 1000.0);
        // One guest runs on one thread from start to end: its CPU time is its wall time.
        Outcome::decided(
            "wasi",
            d,
            wall,
            wall,
            (peak / 1024) as u64,
            std::mem::take(&mut stdio.stdout).finish(),
            std::mem::take(&mut stdio.stderr).finish(),
        )
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
        out = serde_json::to_vec(runner::RUNNER_SOURCE).expect("source serializes");
        out.push(b'\n');
    }
    out.extend_from_slice(&serde_json::to_vec(&request).expect("request serializes"));
    out
}

/// How a guest's error ends the execution: `Ok(ending)`, a supervisor stop, or the text
/// of an error that is nobody's verdict (wasmtime's, the harness's).
fn classify(e: &wasmtime::Error) -> Result<Ending, Result<Stop, String>> {
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        return Ok(Ending::Exited(exit.0));
    }
    if e.downcast_ref::<OutputLimit>().is_some() {
        return Ok(Ending::OutputLimit);
    }
    if let Some(stop) = e.downcast_ref::<Stop>() {
        return Err(Ok(*stop));
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Ok(Ending::CpuTimeout),
        Some(Trap::Interrupt) => Ok(Ending::WallTimeout),
        // CPython's abort() is `unreachable` in wasm: what SIGABRT is natively.
        Some(Trap::UnreachableCodeReached) => Ok(Ending::Signaled(libc::SIGABRT)),
        // Stack overflow, out-of-bounds access, and the rest: what SIGSEGV is natively.
        Some(_) => Ok(Ending::Signaled(libc::SIGSEGV)),
        None => Err(Err(format!("{e:#}"))),
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
