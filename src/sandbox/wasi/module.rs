//! The engine and the compiled modules: cranelift compiles `python.wasm` in about 4 s, so
//! the result is serialized once into the cache and memory-mapped by later runs.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, Module, PoolingAllocationConfig};

/// Largest linear memory a guest may be given (wasm32's whole address space).
const MAX_MEMORY: usize = 4 << 30;
/// Largest memory image always mapped copy-on-write.
const MAX_IMAGE: u64 = 256 << 20;
/// Wasm stack a guest may use; CPython's recursion limit is reached well before it.
const WASM_STACK: usize = 8 << 20;

/// The engine every execution shares.
pub(super) fn engine(slots: usize, deterministic: bool) -> wasmtime::Result<Engine> {
    let slots = u32::try_from(slots + 1).unwrap_or(u32::MAX);
    let mut pool = PoolingAllocationConfig::default();
    pool.total_core_instances(slots)
        .total_memories(slots)
        .total_tables(slots)
        .total_stacks(slots)
        .max_memory_size(MAX_MEMORY)
        .table_elements(1 << 16)
        .max_core_instance_size(1 << 20)
        // CPython touches its first megabytes on every start: keeping them resident
        // (zeroed by memset) is cheaper than unmapping and faulting them in again.
        .linear_memory_keep_resident(16 << 20)
        .table_keep_resident(1 << 20);
    let mut config = Config::new();
    config
        .epoch_interruption(true)
        .consume_fuel(deterministic)
        .max_wasm_stack(WASM_STACK)
        .async_stack_size(WASM_STACK + (1 << 20))
        // The pre-initialised interpreter's memory (tens of MB) is mapped copy-on-write
        // whatever its sparseness; without this, each instance would copy it.
        .memory_guaranteed_dense_image_size(MAX_IMAGE)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&config)
}

/// A short hex digest of the module's bytes.
pub(super) fn module_hash(wasm: &[u8]) -> String {
    blake3::hash(wasm).to_hex()[..16].to_string()
}

/// The compiled module `key` names: from the cache when this engine (wasmtime version and
/// configuration) already compiled it, otherwise `build()`'s module, stored.
pub(super) fn load(
    engine: &Engine,
    key: &str,
    cache_dir: &Path,
    build: impl FnOnce() -> wasmtime::Result<Module>,
) -> wasmtime::Result<Module> {
    let path = cache_path(engine, key, cache_dir);
    if path.is_file() {
        // SAFETY: the file is a `Module::serialize` output that this harness wrote into
        // its own cache directory under a name binding it to these module bytes and this
        // engine's compatibility hash; wasmtime still checks the header and version.
        match unsafe { Module::deserialize_file(engine, &path) } {
            Ok(module) => return Ok(module),
            Err(_) => {
                let _ = std::fs::remove_file(&path); // stale or torn: compile again
            }
        }
    }
    let module = build()?;
    if let Ok(bytes) = module.serialize() {
        // Written aside and renamed: a concurrent harness never maps a half-written file.
        let stored = std::fs::create_dir_all(cache_dir).and_then(|_| {
            let tmp = tempfile::NamedTempFile::new_in(cache_dir)?;
            std::fs::write(tmp.path(), &bytes)?;
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        });
        if let Err(e) = stored {
            log::warn!(
                "cannot cache the compiled python.wasm in {}: {e}",
                cache_dir.display()
            );
        } else if let Ok(m) = unsafe { Module::deserialize_file(engine, &path) } {
            // SAFETY: as above, the file was just written by us. Mapped from the file, the
            // module's memory image is shared copy-on-write instead of copied per instance.
            return Ok(m);
        }
    }
    Ok(module)
}

/// Removes the cached modules of this engine whose key starts with `family` but is not
/// `keep`: snapshots of an earlier runner or environment, 30 MB each, that this build no
/// longer asks for. A harness still mapping one keeps its mapping.
pub(super) fn prune(engine: &Engine, family: &str, keep: &str, cache_dir: &Path) {
    let kept = cache_path(engine, keep, cache_dir);
    let Some(suffix) = kept
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.rsplit_once('-'))
    else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(cache_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let ours = name.starts_with(&format!("python-{family}")) && name.ends_with(suffix.1);
        if ours && entry.path() != kept {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn cache_path(engine: &Engine, key: &str, cache_dir: &Path) -> PathBuf {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    cache_dir.join(format!("python-{key}-{:016x}.cwasm", h.finish()))
}
