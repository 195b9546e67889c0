//! A pre-initialised `python.wasm`: CPython started once, its memory and globals written
//! back into the module, so that every execution begins where start-up ended (what Wizer
//! does; Wizer itself needs an init export, and this module exports only `_start`).
//!
//! 1. [`instrument`] exports every mutable global (the shadow-stack pointer).
//! 2. The harness runs `_start` once (`preinit.rs`). The bootstrap (`python -c BOOTSTRAP`)
//!    starts Python, loads the runner and the preloaded modules, and leaves by
//!    `os._exit(PREINIT_EXIT)`: a trap that unwinds the wasm stack and leaves linear
//!    memory as it was, with the interpreter initialised and running the command.
//! 3. [`rewrite`] turns that memory and those globals into the module's data segments and
//!    global initialisers, and adds the entry [`RUN_MAIN`]: a new function calling
//!    `PyRun_SimpleStringFlags(command, NULL)` with the `-c` command that libc left in
//!    memory. wasmtime maps the data as a copy-on-write image: instantiating the snapshot
//!    costs page mappings, not CPython's start-up.
//! 4. Each execution calls [`RUN_MAIN`]: the bootstrap runs again in `__main__` (as a C
//!    extension running a string would), finds the runner loaded, and serves the request
//!    on the execution's own stdin.
//!
//! `PyRun_SimpleStringFlags` has no export and no name (the module went through
//! `wasm-opt`: `main` down to `pymain_run_command` are inlined into `_start`, and the
//! DWARF addresses are zeroed). [`entry_call`] finds it among the functions on the stack
//! at the exit, from the trap's backtrace: the one of type `(i32, i32) -> i32` whose first
//! call is `PyImport_AddModule("__main__")`. A snapshot is used only after a trial run.
//! Nothing of an execution survives into the next: each one starts from the snapshot.
//! Where the module lacks what this needs, the backend runs `_start` on every execution.

use super::wasm_edit::{
    append, assemble, export_section, layout, section_items, value_type, Layout, Result, WasmError,
};
use std::ops::Range;
use wasm_encoder::{
    ConstExpr, DataSection, ExportKind, GlobalSection, GlobalType, MemorySection, MemoryType,
    Module, SectionId, ValType,
};

/// The export through which an execution enters the pre-initialised interpreter.
pub(super) const RUN_MAIN: &str = "assay_run_main";
/// Exports of the mutable globals, read once the bootstrap has stopped.
const GLOBAL_EXPORT: &str = "assay_global_";
/// The exit status by which the bootstrap says "initialised, take the snapshot".
pub(super) const PREINIT_EXIT: i32 = 117;
/// Zero runs shorter than this stay inside a data segment rather than splitting it.
const SEGMENT_GAP: usize = 4096;

/// A global's value when the snapshot was taken.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum GlobalValue {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
}

/// Linear memory and mutable globals at the end of start-up.
pub(super) struct Snapshot {
    pub memory: Vec<u8>,
    /// (global index, value) for each mutable global.
    pub globals: Vec<(u32, GlobalValue)>,
}

/// The instrumented module and the globals it exports.
pub(super) struct Instrumented {
    pub wasm: Vec<u8>,
    /// (export name, global index) of each mutable global.
    pub globals: Vec<(String, u32)>,
}

/// What [`RUN_MAIN`] calls: `func(command, NULL)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct EntryCall {
    pub func: u32,
    pub command: u32,
}

/// `PyRun_SimpleStringFlags` among `frames` (the functions on the stack at the snapshot
/// exit, outermost first) and the address of the `-c` command, the last of `args`, in the
/// argv buffer libc built at start. `None` when the stack or the memory is not as expected.
pub(super) fn entry_call(
    wasm: &[u8],
    frames: &[u32],
    memory: &[u8],
    args: &[&str],
) -> Option<EntryCall> {
    let l = layout(wasm).ok()?;
    let func = frames
        .iter()
        .copied()
        .find(|&f| runs_in_main(wasm, &l, memory, f))?;
    let (last, init) = args.split_last()?;
    let buf = find_argv(memory, args)?;
    let command = buf + init.iter().map(|a| a.len() + 1).sum::<usize>();
    debug_assert!(memory[command..].starts_with(last.as_bytes()));
    Some(EntryCall {
        func,
        command: u32::try_from(command).ok()?,
    })
}

/// Is `func` of type `(i32, i32) -> i32`, its first call `f("__main__")` (the
/// `PyImport_AddModule("__main__")` that `PyRun_SimpleStringFlags` begins with)?
fn runs_in_main(wasm: &[u8], l: &Layout, memory: &[u8], func: u32) -> bool {
    let Some(i) = func.checked_sub(l.imported_funcs).map(|i| i as usize) else {
        return false;
    };
    let binary = l
        .func_types
        .get(i)
        .and_then(|&t| l.binary_i32.get(t as usize));
    let (Some(true), Some(body)) = (binary.copied(), l.bodies.get(i)) else {
        return false;
    };
    let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(&wasm[body.clone()], 0));
    let Ok(mut ops) = body.get_operators_reader() else {
        return false;
    };
    let mut last_const = None;
    while let Ok(op) = ops.read() {
        match op {
            wasmparser::Operator::I32Const { value } => last_const = Some(value as u32 as usize),
            wasmparser::Operator::Call { .. } => {
                return last_const
                    .and_then(|at| memory.get(at..at + 9))
                    .is_some_and(|s| s == b"__main__\0");
            }
            wasmparser::Operator::End if ops.eof() => return false,
            _ => {}
        }
    }
    false
}

/// The address of the buffer in which libc laid out `args` for `char *argv[]`: the
/// strings one after the other (`args_get`), and an array of their addresses ending in
/// NULL. Both must be found exactly once.
fn find_argv(memory: &[u8], args: &[&str]) -> Option<usize> {
    let mut strings = Vec::new();
    for a in args {
        strings.extend_from_slice(a.as_bytes());
        strings.push(0);
    }
    let buf = unique(memory, &strings)?;
    let mut array = Vec::new();
    let mut at = buf;
    for a in args {
        array.extend_from_slice(&u32::try_from(at).ok()?.to_le_bytes());
        at += a.len() + 1;
    }
    array.extend_from_slice(&[0; 4]);
    unique(memory, &array)?;
    Some(buf)
}

/// The offset of the one occurrence of `needle` in `hay`.
fn unique(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let mut found = hay
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle);
    let (first, _) = found.next()?;
    found.next().is_none().then_some(first)
}

/// The module with each mutable global exported as `assay_global_N`;
/// `WasmError::Unsupported` when the module cannot be snapshotted.
pub(super) fn instrument(wasm: &[u8]) -> Result<Instrumented> {
    let l = layout(wasm)?;
    if l.memory_imported || l.memory.is_none() {
        return Err(WasmError::Unsupported(
            "the module does not define its one memory".into(),
        ));
    }
    if l.passive_data {
        return Err(WasmError::Unsupported(
            "the module has passive data segments".into(),
        ));
    }
    if l.imported_globals > 0 {
        return Err(WasmError::Unsupported("the module imports globals".into()));
    }
    let mut globals = Vec::new();
    for (i, (ty, _)) in l.globals.iter().enumerate() {
        if ty.mutable {
            if value_type(ty.content_type).is_none() {
                return Err(WasmError::Unsupported(format!(
                    "global {i} is not a number"
                )));
            }
            globals.push((format!("{GLOBAL_EXPORT}{i}"), i as u32));
        }
    }
    let mut exports = l.exports.clone();
    for (name, index) in &globals {
        exports.push((name.clone(), ExportKind::Global, *index));
    }
    let wasm = assemble(wasm, &l, |id, module| {
        id == SectionId::Export as u8 && {
            module.section(&export_section(&exports));
            true
        }
    });
    Ok(Instrumented { wasm, globals })
}

/// The instrumented module rewritten to start as `snap`: memory as data segments (zero runs
/// of a page or more left out), the memory's minimum size grown to the snapshot's, each
/// mutable global initialised to its value, and a new function exported as [`RUN_MAIN`]
/// that makes `call` and returns its result.
pub(super) fn rewrite(instrumented: &[u8], snap: &Snapshot, call: EntryCall) -> Result<Vec<u8>> {
    let l = layout(instrumented)?;
    // The entry: a new type `[] -> [i32]`, a new function of that type, its body.
    let entry_type = l.binary_i32.len() as u32;
    let entry_func = l.imported_funcs + l.func_types.len() as u32;
    let mut exports = l.exports.clone();
    exports.push((RUN_MAIN.to_string(), ExportKind::Func, entry_func));
    let exports = export_section(&exports);
    let new_type = {
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], [ValType::I32]);
        section_items(&types)
    };
    let new_func = {
        let mut funcs = wasm_encoder::FunctionSection::new();
        funcs.function(entry_type);
        section_items(&funcs)
    };
    let new_body = {
        let mut f = wasm_encoder::Function::new([]);
        f.instructions()
            .i32_const(call.command as i32)
            .i32_const(0)
            .call(call.func)
            .end();
        let mut code = wasm_encoder::CodeSection::new();
        code.function(&f);
        section_items(&code)
    };
    let memory = l
        .memory
        .ok_or_else(|| WasmError::Unsupported("no memory".into()))?;
    let pages = (snap.memory.len() as u64).div_ceil(1 << 16);
    let memories = {
        let mut s = MemorySection::new();
        s.memory(MemoryType {
            minimum: pages.max(memory.initial),
            maximum: memory.maximum,
            memory64: memory.memory64,
            shared: memory.shared,
            page_size_log2: memory.page_size_log2,
        });
        s
    };
    let globals = {
        let mut s = GlobalSection::new();
        for (i, (ty, init)) in l.globals.iter().enumerate() {
            let val_type = value_type(ty.content_type)
                .ok_or_else(|| WasmError::Unsupported("a global that is not a number".into()))?;
            let global_type = GlobalType {
                val_type,
                mutable: ty.mutable,
                shared: ty.shared,
            };
            let value = snap.globals.iter().find(|(g, _)| *g == i as u32);
            let init = match value {
                Some((_, GlobalValue::I32(v))) => ConstExpr::i32_const(*v),
                Some((_, GlobalValue::I64(v))) => ConstExpr::i64_const(*v),
                Some((_, GlobalValue::F32(v))) => ConstExpr::f32_const(f32::from_bits(*v).into()),
                Some((_, GlobalValue::F64(v))) => ConstExpr::f64_const(f64::from_bits(*v).into()),
                None => ConstExpr::raw(init[..init.len() - 1].iter().copied()),
            };
            s.global(global_type, &init);
        }
        s
    };
    let data = {
        let mut s = DataSection::new();
        for run in nonzero_runs(&snap.memory, SEGMENT_GAP) {
            let offset = ConstExpr::i32_const(run.start as i32);
            s.active(0, &offset, snap.memory[run].iter().copied());
        }
        s
    };
    let mut data_written = false;
    let mut out = assemble(instrumented, &l, |id, module| {
        match id {
            x if x == SectionId::Memory as u8 => module.section(&memories),
            x if x == SectionId::Global as u8 => module.section(&globals),
            x if x == SectionId::Export as u8 => module.section(&exports),
            x if x == SectionId::Type as u8 => append(module, instrumented, &l, id, &new_type),
            x if x == SectionId::Function as u8 => append(module, instrumented, &l, id, &new_func),
            x if x == SectionId::Code as u8 => append(module, instrumented, &l, id, &new_body),
            x if x == SectionId::Data as u8 => {
                data_written = true;
                module.section(&data)
            }
            _ => return false,
        };
        true
    });
    if !data_written {
        // The module had no data section: one goes last (no known section follows it here).
        let mut module = Module::new();
        module.section(&data);
        out.extend_from_slice(&module.finish()[8..]);
    }
    wasmparser::validate(&out).map_err(WasmError::Invalid)?;
    Ok(out)
}

/// Ranges of `memory` holding non-zero bytes, runs of zeros shorter than `gap` included.
fn nonzero_runs(memory: &[u8], gap: usize) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < memory.len() {
        if memory[i] == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < memory.len() && memory[i] != 0 {
            i += 1;
        }
        match runs.last_mut() {
            Some(last) if start - last.end < gap => last.end = i,
            _ => runs.push(start..i),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, DataSection, ExportSection, Function, FunctionSection, GlobalSection,
        MemorySection, TypeSection,
    };

    /// A module shaped like python.wasm where it matters: `_start` (function 2) calls
    /// `run(command, flags)` (function 1), whose first call is `g("__main__")`; libc's
    /// argv for `py -c cmd` lies at 200 (strings) and 300 (pointers). `run` returns the
    /// first byte of its command plus global 0.
    fn module() -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([ValType::I32], [ValType::I32]);
        types
            .ty()
            .function([ValType::I32, ValType::I32], [ValType::I32]);
        types.ty().function([], []);
        let mut funcs = FunctionSection::new();
        funcs.function(0).function(1).function(2);
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        let mut globals = GlobalSection::new();
        let global = GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        };
        globals.global(global, &ConstExpr::i32_const(7));
        let mut exports = ExportSection::new();
        exports.export("_start", ExportKind::Func, 2);
        exports.export("memory", ExportKind::Memory, 0);
        let mut code = CodeSection::new();
        let mut g = Function::new([]);
        g.instructions().local_get(0).end();
        let mut run = Function::new([]);
        run.instructions()
            .i32_const(100)
            .call(0)
            .drop()
            .local_get(0)
            .i32_load8_u(wasm_encoder::MemArg {
                offset: 0,
                align: 0,
                memory_index: 0,
            })
            .global_get(0)
            .i32_add()
            .end();
        let mut start = Function::new([]);
        start
            .instructions()
            .i32_const(0)
            .i32_const(0)
            .call(1)
            .drop()
            .end();
        code.function(&g).function(&run).function(&start);
        let mut data = DataSection::new();
        let at = |v: i32| ConstExpr::i32_const(v);
        data.active(0, &at(100), b"__main__\0".iter().copied());
        data.active(0, &at(200), b"py\0-c\0cmd\0".iter().copied());
        let argv: Vec<u8> = [200u32, 203, 206, 0]
            .iter()
            .flat_map(|p| p.to_le_bytes())
            .collect();
        data.active(0, &at(300), argv);
        let mut m = Module::new();
        m.section(&types)
            .section(&funcs)
            .section(&memories)
            .section(&globals)
            .section(&exports)
            .section(&code)
            .section(&data);
        m.finish()
    }

    fn memory_of(wasm: &[u8]) -> Vec<u8> {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, wasm).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        memory.data(&store).to_vec()
    }

    #[test]
    fn the_snapshot_starts_where_the_run_stopped_and_enters_through_the_frame_found() {
        let wasm = module();
        let instrumented = instrument(&wasm).unwrap();
        assert_eq!(instrumented.globals, [("assay_global_0".to_string(), 0)]);
        let mut memory = memory_of(&instrumented.wasm);
        let args = ["py", "-c", "cmd"];
        // Backtrace of the exit, outermost first: `_start`, then `run`.
        let call = entry_call(&instrumented.wasm, &[2, 1], &memory, &args).unwrap();
        assert_eq!(
            call,
            EntryCall {
                func: 1,
                command: 206
            }
        );
        // `g` is not of the entry's type; a stack without `run` has no entry.
        assert_eq!(
            entry_call(&instrumented.wasm, &[2, 0], &memory, &args),
            None
        );
        // What the run left: a changed byte far out, the stack pointer moved.
        memory.resize(3 << 16, 0);
        memory[(2 << 16) + 5] = 42;
        let snap = Snapshot {
            memory,
            globals: vec![(0, GlobalValue::I32(5))],
        };
        let rewritten = rewrite(&instrumented.wasm, &snap, call).unwrap();
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, &rewritten).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        let entry = instance
            .get_typed_func::<(), i32>(&mut store, RUN_MAIN)
            .unwrap();
        assert_eq!(entry.call(&mut store, ()).unwrap(), i32::from(b'c') + 5);
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        assert_eq!(memory.data(&store).len(), 3 << 16);
        assert_eq!(memory.data(&store)[(2 << 16) + 5], 42);
        assert_eq!(&memory.data(&store)[100..109], b"__main__\0");
    }

    #[test]
    fn argv_must_be_found_once() {
        let mut memory = vec![0u8; 1024];
        memory[200..210].copy_from_slice(b"py\0-c\0cmd\0");
        assert_eq!(find_argv(&memory, &["py", "-c", "cmd"]), None); // no pointer array
        for (i, p) in [200u32, 203, 206, 0].iter().enumerate() {
            memory[300 + 4 * i..304 + 4 * i].copy_from_slice(&p.to_le_bytes());
        }
        assert_eq!(find_argv(&memory, &["py", "-c", "cmd"]), Some(200));
        memory[600..610].copy_from_slice(b"py\0-c\0cmd\0");
        assert_eq!(find_argv(&memory, &["py", "-c", "cmd"]), None); // ambiguous
    }

    #[test]
    fn zero_runs_shorter_than_the_gap_stay_in_one_segment() {
        let mut m = vec![0u8; 100];
        m[10] = 1;
        m[12] = 2;
        m[50..53].copy_from_slice(&[3, 4, 5]);
        m[99] = 6;
        assert_eq!(nonzero_runs(&m, 4), vec![10..13, 50..53, 99..100]);
        assert_eq!(nonzero_runs(&m, 40), vec![10..53, 99..100]);
        assert!(nonzero_runs(&[0; 16], 4).is_empty());
    }
}
