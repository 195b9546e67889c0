//! The module every execution instantiates: the pre-initialised interpreter
//! (`snapshot.rs`) when `python.wasm` allows one, else `python.wasm` itself.
//!
//! Both are compiled once and cached (`module.rs`). The snapshot's cache key covers all
//! that shaped it: the module's bytes, the runner's source, the bootstrap, the argv, the
//! environment and the preloaded modules; the engine's hash covers wasmtime's version.

use super::module;
use super::run::{context, payload, Guest};
use super::snapshot::{self, GlobalValue, Snapshot, PREINIT_EXIT, RUN_MAIN};
use super::wasm_edit::WasmError;
use crate::entry::{Level, TestCase};
use crate::sandbox::bootstrap::RUNNER;
use crate::sandbox::environment::ENVIRONMENT;
use crate::sandbox::{ExecRequest, Limits};
use std::path::Path;
use wasmtime::{Engine, Instance, Linker, Module, Store, UpdateDeadline, Val, WasmBacktrace};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::I32Exit;

/// How an execution enters the module.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Entry {
    /// The snapshot: `PyRun_SimpleStringFlags` runs the bootstrap again; stdin holds the
    /// request.
    RunMain,
    /// `python.wasm` as shipped: `_start` starts CPython; stdin holds the runner's source,
    /// then the request.
    Start,
}

impl Entry {
    pub fn export(self) -> &'static str {
        match self {
            Entry::RunMain => RUN_MAIN,
            Entry::Start => "_start",
        }
    }
}

/// The `-c` command. Run by `_start`, it loads the runner from the first line of stdin,
/// then either stops for the snapshot (`snapshot NAMES…`: import NAMES, exit 117) or
/// serves the request that follows. Run again in a snapshot (by `PyRun_SimpleStringFlags`,
/// which leaves `sys.path` alone), it finds the runner loaded and serves the request on
/// stdin.
pub(super) const BOOTSTRAP: &str = "import sys
r=sys.modules.get('assay_runner')
if r is None:
 s,_,d=sys.stdin.buffer.read().partition(b'\\n')
 r=type(sys)('assay_runner');sys.modules['assay_runner']=r
 import json;exec(compile(json.loads(s),'assay_runner','exec'),r.__dict__)
 if d.startswith(b'snapshot'):r.preload(d.split()[1:]);import os;os._exit(117)
else:d=sys.stdin.buffer.read()
r.serve(d)";

/// The interpreter's argv, as the process backend's (`-B`; `-S` as site only adds exit()
/// and quit(), which the runner supplies; no `-I`: it would imply `-E` and drop
/// `PYTHONHASHSEED`).
pub(super) const ARGV: [&str; 5] = ["python", "-S", "-B", "-c", BOOTSTRAP];

/// `ASSAY_WASI_SNAPSHOT=0` runs `_start` on every execution (to compare, or to rule the
/// snapshot out when something looks wrong).
pub const NO_SNAPSHOT_VAR: &str = "ASSAY_WASI_SNAPSHOT";

/// The module and how to enter it. A module that cannot be snapshotted is used as it is,
/// with a warning saying why (each execution then pays CPython's start-up).
pub(super) fn prepare(
    engine: &Engine,
    linker: &Linker<Guest>,
    wasm: &[u8],
    cache_dir: &Path,
) -> wasmtime::Result<(Module, Entry)> {
    let hash = module::module_hash(wasm);
    let plain = || {
        module::load(engine, &hash, cache_dir, || {
            Module::from_binary(engine, wasm)
        })
    };
    if std::env::var_os(NO_SNAPSHOT_VAR).is_some_and(|v| v == "0") {
        return Ok((plain()?, Entry::Start));
    }
    let key = snapshot_key(wasm);
    let mut fresh = false;
    let built = module::load(engine, &key, cache_dir, || {
        fresh = true;
        build(engine, linker, wasm)
    });
    let why = match built {
        Ok(module) => {
            if fresh {
                module::prune(engine, SNAPSHOT, &key, cache_dir);
            }
            return Ok((module, Entry::RunMain));
        }
        Err(e) => match e.downcast_ref::<NoSnapshot>() {
            Some(NoSnapshot(why)) => why.clone(),
            None => return Err(e.context("pre-initialising python.wasm")),
        },
    };
    log::warn!("python.wasm cannot be pre-initialised ({why}): every execution starts CPython");
    Ok((plain()?, Entry::Start))
}

/// The family name of snapshot cache keys.
const SNAPSHOT: &str = "snapshot";

/// The module lacks what a snapshot needs (not a failure: the fallback runs `_start`).
#[derive(Debug)]
struct NoSnapshot(String);

impl std::fmt::Display for NoSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NoSnapshot {}

fn snapshot_key(wasm: &[u8]) -> String {
    let mut h = blake3::Hasher::new();
    for part in [
        wasm,
        RUNNER.1.as_bytes(),
        crate::sandbox::profile::STANDARD_PRELOAD
            .join(" ")
            .as_bytes(),
        ARGV.join("\0").as_bytes(),
    ] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part);
    }
    for (k, v) in ENVIRONMENT {
        h.update(format!("{k}={v}\0").as_bytes());
    }
    format!("{SNAPSHOT}-{}", &h.finalize().to_hex()[..16])
}

/// Instruments the module, runs it to the snapshot exit, rewrites it from what it left in
/// memory, compiles the result and gives it a trial run.
fn build(engine: &Engine, linker: &Linker<Guest>, wasm: &[u8]) -> wasmtime::Result<Module> {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        log::info!("pre-initialising python.wasm for the wasi sandbox (once, about 10 s)");
    }
    let instrumented = match snapshot::instrument(wasm) {
        Ok(i) => i,
        Err(WasmError::Unsupported(why)) => return Err(NoSnapshot(why).into()),
        Err(e) => return Err(wasmtime::Error::msg(e)),
    };
    let module = Module::from_binary(engine, &instrumented.wasm)?;
    let mut stdin = serde_json::to_vec(RUNNER.1)?;
    stdin.extend_from_slice(b"\nsnapshot ");
    stdin.extend_from_slice(
        crate::sandbox::profile::STANDARD_PRELOAD
            .join(" ")
            .as_bytes(),
    );
    let mut run = Finished::run(linker, &module, Entry::Start, stdin)?;
    if run.exit_status() != Some(PREINIT_EXIT) {
        wasmtime::bail!(
            "the bootstrap did not stop for the snapshot: {}",
            run.describe()
        );
    }
    let frames: Vec<u32> = match run
        .ended
        .as_ref()
        .err()
        .and_then(|e| e.downcast_ref::<WasmBacktrace>())
    {
        Some(trace) => trace
            .frames()
            .iter()
            .rev()
            .map(|f| f.func_index())
            .collect(),
        None => return Err(NoSnapshot("no backtrace at the snapshot exit".into()).into()),
    };
    let snap = run.snapshot(&instrumented.globals)?;
    let call = snapshot::entry_call(&instrumented.wasm, &frames, &snap.memory, &ARGV).ok_or_else(
        || NoSnapshot("no PyRun_SimpleStringFlags frame at the snapshot exit".into()),
    )?;
    let wasm = snapshot::rewrite(&instrumented.wasm, &snap, call).map_err(wasmtime::Error::msg)?;
    let module = Module::from_binary(engine, &wasm)?;
    trial(linker, &module)
        .map_err(|e| NoSnapshot(format!("the snapshot failed its trial: {e:#}")))?;
    Ok(module)
}

/// One request through the snapshot, checked as an execution would be: exit 0 after the
/// runner's `done`, with what the program printed.
fn trial(linker: &Linker<Guest>, module: &Module) -> wasmtime::Result<()> {
    let request = ExecRequest {
        program: "import re\nx = len(re.findall('a', 'banana'))\nprint(x)\n".into(),
        tests: vec![TestCase {
            name: "t".into(),
            level: Level::Normal,
            code: "assert x == 3".into(),
        }],
        limits: Limits::with_timeout(20.0),
        requirements: vec![],
        instrument: Default::default(),
    };
    let run = Finished::run(
        linker,
        module,
        Entry::RunMain,
        payload(&request, "trial", Entry::RunMain),
    )?;
    let stderr = String::from_utf8_lossy(&run.stderr.contents()).into_owned();
    let stdout = run.stdout.contents();
    if run.exit_status() != Some(0) || !stderr.contains("\"ev\":\"done\"") || &stdout[..] != b"3\n"
    {
        wasmtime::bail!("{}", run.describe());
    }
    Ok(())
}

/// A guest run to its end with its stdout and stderr in memory, no limits, and the same
/// argv, environment and `/tmp` as an execution: libc and CPython keep what they learn
/// of them in memory, which the snapshot carries to every execution.
struct Finished {
    store: Store<Guest>,
    instance: Option<Instance>,
    /// What the entry returned (`main`'s status), or how it ended.
    ended: wasmtime::Result<i32>,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
}

impl Finished {
    fn run(
        linker: &Linker<Guest>,
        module: &Module,
        entry: Entry,
        stdin: Vec<u8>,
    ) -> wasmtime::Result<Self> {
        let tmp = tempfile::Builder::new()
            .prefix("assay-wasi-preinit-")
            .tempdir_in(crate::sandbox::scratch::scratch_root()?)?;
        let (stdout, stderr) = (
            MemoryOutputPipe::new(1 << 20),
            MemoryOutputPipe::new(1 << 20),
        );
        let wasi = context(stdin, stdout.clone(), stderr.clone(), tmp.path())?;
        let mut store = Store::new(module.engine(), Guest::new(wasi, None));
        store.limiter(|g| g.limiter());
        store.epoch_deadline_callback(|_| Ok(UpdateDeadline::Continue(1)));
        let _ = store.set_fuel(u64::MAX);
        let runtime = tokio::runtime::Builder::new_current_thread().build()?;
        let (instance, ended) = runtime.block_on(async {
            let instance = match linker.instantiate_async(&mut store, module).await {
                Ok(i) => i,
                Err(e) => return (None, Err(e)),
            };
            let ended = match entry {
                Entry::Start => match instance.get_typed_func::<(), ()>(&mut store, entry.export())
                {
                    Ok(f) => f.call_async(&mut store, ()).await.map(|()| 0),
                    Err(e) => Err(e),
                },
                Entry::RunMain => {
                    match instance.get_typed_func::<(), i32>(&mut store, entry.export()) {
                        Ok(f) => f.call_async(&mut store, ()).await,
                        Err(e) => Err(e),
                    }
                }
            };
            (Some(instance), ended)
        });
        Ok(Finished {
            store,
            instance,
            ended,
            stdout,
            stderr,
        })
    }

    fn exit_status(&self) -> Option<i32> {
        let e = self.ended.as_ref().err()?;
        e.downcast_ref::<I32Exit>().map(|e| e.0)
    }

    fn describe(&self) -> String {
        format!(
            "{}; stdout: {:?}; stderr: {:?}",
            match &self.ended {
                Ok(code) => format!("it returned {code}"),
                Err(e) => format!("{e:#}"),
            },
            String::from_utf8_lossy(&self.stdout.contents()),
            String::from_utf8_lossy(&self.stderr.contents()),
        )
    }

    /// Linear memory and the exported mutable globals, as the guest left them.
    fn snapshot(&mut self, globals: &[(String, u32)]) -> wasmtime::Result<Snapshot> {
        let instance = self
            .instance
            .ok_or_else(|| wasmtime::Error::msg("no instance"))?;
        let store = &mut self.store;
        let memory = instance
            .get_memory(&mut *store, "memory")
            .ok_or_else(|| wasmtime::Error::msg("python.wasm exports no memory"))?
            .data(&*store)
            .to_vec();
        let mut values = Vec::new();
        for (name, index) in globals {
            let global = instance
                .get_global(&mut *store, name)
                .ok_or_else(|| wasmtime::Error::msg(format!("no global export {name}")))?;
            let value = match global.get(&mut *store) {
                Val::I32(v) => GlobalValue::I32(v),
                Val::I64(v) => GlobalValue::I64(v),
                Val::F32(v) => GlobalValue::F32(v),
                Val::F64(v) => GlobalValue::F64(v),
                other => wasmtime::bail!("global {name} holds {other:?}"),
            };
            values.push((*index, value));
        }
        Ok(Snapshot {
            memory,
            globals: values,
        })
    }
}
