//! One execution: a fresh instance of `python.wasm` from the shared `InstancePre`, its
//! limits, its stdio, and the verdict from `runner::decide`.

use super::io::{OutputLimit, Stdio};
use super::{module, FUEL_PER_SECOND, SLOWDOWN};
use crate::sandbox::process::ENVIRONMENT;
use crate::sandbox::runner::{self, Ending};
use crate::sandbox::{ExecRequest, Outcome};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasmtime::{
    Caller, Engine, Extern, InstancePre, Linker, ResourceLimiter, Store, StoreLimits,
    StoreLimitsBuilder, Trap, TypedFunc, UpdateDeadline,
};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// The epoch period: how late past its deadline a computing guest can be stopped.
const TICK: Duration = Duration::from_millis(10);
/// How often a guest blocked in a host call (a sleep) is checked against its deadline.
const WATCH: Duration = Duration::from_millis(20);
/// How long the interpreter may take to start before the wall clock runs.
const STARTUP_ALLOWANCE: Duration = Duration::from_secs(10);
/// The most bytes one `fd_write` on stdio copies out of the guest (a short write beyond).
const WRITE_CHUNK: usize = 1 << 20;

const ERRNO_SUCCESS: i32 = 0;
const ERRNO_FAULT: i32 = 21;
const ERRNO_FBIG: i32 = 22;

/// The interpreter's argv, as the process backend's (`-s -B`, no `-I`: it would imply `-E`
/// and drop `PYTHONHASHSEED`).
const ARGV: [&str; 5] = ["python", "-s", "-B", "-c", runner::BOOTSTRAP];

/// Why the supervisor stopped a guest.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    Wall,
    Cancelled,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stop::Wall => "wall-clock deadline",
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

/// Bytes written to files, held under a cap for the whole private `/tmp`.
struct DiskQuota {
    dir: PathBuf,
    limit: u64,
    /// An upper bound of what `/tmp` holds: its size when last measured plus every
    /// byte written since. Measured again only when the bound reaches the limit.
    bound: u64,
}

impl DiskQuota {
    fn admit(&mut self, len: u64) -> bool {
        if self.bound.saturating_add(len) > self.limit {
            self.bound = dir_usage(&self.dir);
        }
        if self.bound.saturating_add(len) > self.limit {
            return false;
        }
        self.bound += len;
        true
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

type FdWrite = TypedFunc<(i32, i32, i32, i32), i32>;
type FdPwrite = TypedFunc<(i32, i32, i32, i64, i32), i32>;

/// A store's data.
pub(super) struct Guest {
    wasi: WasiP1Ctx,
    limiter: Limiter,
    stdio: Arc<Mutex<Stdio>>,
    disk: DiskQuota,
    /// WASI's own `fd_write`/`fd_pwrite`, which the shadowing ones call for files.
    fd_write: Option<FdWrite>,
    fd_pwrite: Option<FdPwrite>,
    /// Fuel to give the guest when the runner is ready (`--deterministic`).
    fuel_at_ready: Option<u64>,
}

/// The engine, the linked module and what every execution shares.
pub(super) struct Runtime {
    engine: Engine,
    base: Linker<Guest>,
    pre: InstancePre<Guest>,
    module_hash: String,
    deterministic: bool,
}

impl Runtime {
    pub fn new(wasm_path: &Path, slots: usize, deterministic: bool) -> wasmtime::Result<Self> {
        let wasm = std::fs::read(wasm_path)?;
        let engine = module::engine(slots, deterministic)?;
        let module = module::load(&engine, &wasm, &super::cache_root().join("wasi-cache"))?;
        start_ticker(&engine);
        let mut base: Linker<Guest> = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut base, |g: &mut Guest| &mut g.wasi)?;
        let mut linker = base.clone();
        linker.allow_shadowing(true);
        linker.func_wrap_async(
            "wasi_snapshot_preview1",
            "fd_write",
            |caller: Caller<'_, Guest>, (fd, iovs, len, nwritten): (i32, i32, i32, i32)| {
                Box::new(fd_write(caller, fd, iovs, len, nwritten, None))
            },
        )?;
        linker.func_wrap_async(
            "wasi_snapshot_preview1",
            "fd_pwrite",
            |caller: Caller<'_, Guest>,
             (fd, iovs, len, offset, nwritten): (i32, i32, i32, i64, i32)| {
                Box::new(fd_write(caller, fd, iovs, len, nwritten, Some(offset)))
            },
        )?;
        let pre = linker.instantiate_pre(&module)?;
        Ok(Runtime {
            engine,
            base,
            pre,
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
        let mut builder = WasiCtxBuilder::new();
        builder
            .stdin(MemoryInputPipe::new(payload(req, &nonce)))
            .args(&ARGV)
            .envs(ENVIRONMENT);
        if let Err(e) = builder.preopened_dir(tmp.path(), "/tmp", FsPerms::ReadWrite) {
            return fault(format!("cannot preopen the temp dir: {e:#}"));
        }
        let limit =
            usize::try_from(req.limits.memory_mb.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
        let fuel_budget = (req.limits.timeout_secs * FUEL_PER_SECOND as f64) as u64;
        let guest = Guest {
            wasi: builder.build_p1(),
            limiter: Limiter {
                inner: StoreLimitsBuilder::new()
                    .memory_size(limit)
                    .instances(1)
                    .build(),
                limit,
                hit: false,
                peak: 0,
            },
            stdio: Arc::clone(&stdio),
            disk: DiskQuota {
                dir: tmp.path().to_path_buf(),
                limit: req.limits.max_file_size_mb.saturating_mul(1 << 20),
                bound: 0,
            },
            fd_write: None,
            fd_pwrite: None,
            fuel_at_ready: self.deterministic.then_some(fuel_budget),
        };
        let mut store = Store::new(&self.engine, guest);
        store.limiter(|g| &mut g.limiter);

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
        let stop_now = {
            let (cancel, expired) = (Arc::clone(cancel), expired.clone());
            move || {
                if cancel.load(Ordering::Relaxed) {
                    Some(Stop::Cancelled)
                } else if expired() {
                    Some(Stop::Wall)
                } else {
                    None
                }
            }
        };
        {
            let stop_now = stop_now.clone();
            store.epoch_deadline_callback(move |_| match stop_now() {
                Some(stop) => Err(stop.into()),
                None => Ok(UpdateDeadline::Continue(1)),
            });
        }
        store.set_epoch_deadline(1);
        if self.deterministic {
            // Start-up is bounded by the wall clock; the budget starts at `ready`.
            let _ = store.set_fuel(u64::MAX / 4);
        }
        if let Err(e) = self.link_originals(&mut store) {
            return fault(format!("cannot link WASI: {e:#}"));
        }

        let run = async {
            let instance = self.pre.instantiate_async(&mut store).await?;
            let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
            start.call_async(&mut store, ()).await
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
            stop = watch => Err(Ok(match stop {
                Stop::Wall => Ending::WallTimeout,
                Stop::Cancelled => return fault("cancelled".into()),
            })),
        };
        let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut ending = match result {
            Ok(()) => Ending::Exited(0),
            Err(Ok(ending)) => ending,
            Err(Err(Some(Stop::Cancelled))) => return fault("cancelled".into()),
            Err(Err(Some(Stop::Wall))) => Ending::WallTimeout,
            Err(Err(None)) => {
                return fault("wasmtime failed (see the harness log)".into());
            }
        };
        let (hit, peak) = (store.data().limiter.hit, store.data().limiter.peak);
        if hit && matches!(ending, Ending::Exited(_) | Ending::Signaled(_)) {
            ending = Ending::OutOfMemory;
        }
        drop(store);
        let mut stdio = stdio.lock().expect("stdio lock");
        stdio.finish();
        let d = runner::decide(req, &stdio.channel, &ending);
        Outcome {
            status: d.status,
            message: d.message,
            exception_text: d.exception_text,
            timeout: d.timeout,
            tests: d.tests,
            wall_ms,
            // One guest runs on one thread from start to end: its CPU time is its wall time.
            cpu_ms: wall_ms,
            peak_memory_kb: (peak / 1024) as u64,
            stdout: std::mem::take(&mut stdio.stdout).finish(),
            stderr: std::mem::take(&mut stdio.stderr).finish(),
            backend: "wasi".into(),
        }
    }

    /// WASI's own write functions, bound to this store, for the shadowing ones to call.
    fn link_originals(&self, store: &mut Store<Guest>) -> wasmtime::Result<()> {
        let get = |store: &mut Store<Guest>, name: &str| {
            self.base
                .get(&mut *store, "wasi_snapshot_preview1", name)?
                .into_func()
                .ok_or_else(|| wasmtime::format_err!("{name} is not a function"))
        };
        let w = get(store, "fd_write")?.typed(&*store)?;
        let pw = get(store, "fd_pwrite")?.typed(&*store)?;
        store.data_mut().fd_write = Some(w);
        store.data_mut().fd_pwrite = Some(pw);
        Ok(())
    }
}

/// What the runner reads on stdin, asking it to report on stderr (fd 2).
fn payload(req: &ExecRequest, nonce: &str) -> Vec<u8> {
    let mut request = runner::request_value(req, nonce);
    request["channel_fd"] = 2.into();
    let mut out = serde_json::to_vec(runner::RUNNER_SOURCE).expect("source serializes");
    out.push(b'\n');
    out.extend_from_slice(&serde_json::to_vec(&request).expect("request serializes"));
    out
}

/// How a guest's error ends the execution: `Ok(ending)`, a supervisor stop, or `None`
/// for a fault of wasmtime or of the harness.
fn classify(e: &wasmtime::Error) -> Result<Ending, Option<Stop>> {
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        return Ok(Ending::Exited(exit.0));
    }
    if e.downcast_ref::<OutputLimit>().is_some() {
        return Ok(Ending::OutputLimit);
    }
    if let Some(stop) = e.downcast_ref::<Stop>() {
        return Err(Some(*stop));
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Ok(Ending::CpuTimeout),
        Some(Trap::Interrupt) => Ok(Ending::WallTimeout),
        // CPython's abort() is `unreachable` in wasm: what SIGABRT is natively.
        Some(Trap::UnreachableCodeReached) => Ok(Ending::Signaled(libc::SIGABRT)),
        // Stack overflow, out-of-bounds access, and the rest: what SIGSEGV is natively.
        Some(_) => Ok(Ending::Signaled(libc::SIGSEGV)),
        None => {
            eprintln!("warning: wasi sandbox: {e:#}");
            Err(None)
        }
    }
}

/// The shadowing `fd_write` (and, with an offset, `fd_pwrite`): stdio goes to the
/// supervisor's capture (never a WASI stream), file writes are counted against the disk
/// quota and handed to WASI.
async fn fd_write(
    mut caller: Caller<'_, Guest>,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
    offset: Option<i64>,
) -> wasmtime::Result<i32> {
    let Some(memory) = caller.get_export("memory").and_then(Extern::into_memory) else {
        return Ok(ERRNO_FAULT);
    };
    let Some(slices) = iovecs(memory.data(&caller), iovs, iovs_len) else {
        return Ok(ERRNO_FAULT);
    };
    if offset.is_none() && (fd == 1 || fd == 2) {
        let mut data = Vec::new();
        for (ptr, len) in slices {
            let take = len.min(WRITE_CHUNK - data.len());
            data.extend_from_slice(&memory.data(&caller)[ptr..ptr + take]);
            if data.len() == WRITE_CHUNK {
                break;
            }
        }
        let guest = caller.data_mut();
        let ready = {
            let mut stdio = guest.stdio.lock().expect("stdio lock");
            if fd == 1 {
                stdio.write_stdout(&data)?;
            } else {
                stdio.write_stderr(&data)?;
            }
            stdio.ready_at.is_some()
        };
        if ready {
            if let Some(fuel) = guest.fuel_at_ready.take() {
                caller.set_fuel(fuel)?;
            }
        }
        let n = u32::try_from(data.len()).unwrap_or(u32::MAX).to_le_bytes();
        return Ok(
            match memory.write(&mut caller, nwritten as u32 as usize, &n) {
                Ok(()) => ERRNO_SUCCESS,
                Err(_) => ERRNO_FAULT,
            },
        );
    }
    let total: u64 = slices.iter().map(|&(_, len)| len as u64).sum();
    if !caller.data_mut().disk.admit(total) {
        return Ok(ERRNO_FBIG);
    }
    match offset {
        None => {
            let f = caller.data().fd_write.clone().expect("linked before start");
            f.call_async(&mut caller, (fd, iovs, iovs_len, nwritten))
                .await
        }
        Some(off) => {
            let f = caller
                .data()
                .fd_pwrite
                .clone()
                .expect("linked before start");
            f.call_async(&mut caller, (fd, iovs, iovs_len, off, nwritten))
                .await
        }
    }
}

/// The (offset, length) of each iovec, bounds-checked against guest memory.
fn iovecs(mem: &[u8], iovs: i32, iovs_len: i32) -> Option<Vec<(usize, usize)>> {
    let base = iovs as u32 as usize;
    let n = iovs_len as u32 as usize;
    let table = mem.get(base..base.checked_add(n.checked_mul(8)?)?)?;
    table
        .chunks_exact(8)
        .map(|c| {
            let ptr = u32::from_le_bytes(c[..4].try_into().ok()?) as usize;
            let len = u32::from_le_bytes(c[4..].try_into().ok()?) as usize;
            mem.get(ptr..ptr.checked_add(len)?)?;
            Some((ptr, len))
        })
        .collect()
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
