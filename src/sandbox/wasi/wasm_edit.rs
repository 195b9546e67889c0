//! Reading a module's layout and writing it back with some sections replaced or
//! extended: what the snapshot needs of wasm, and no more (sections it does not touch are
//! copied byte for byte).

use std::ops::Range;
use wasm_encoder::{ExportKind, ExportSection, Module, RawSection, ValType};
use wasmparser::{ExternalKind, Parser, Payload, TypeRef};

/// Why a module could not be read, or cannot be snapshotted.
#[derive(Debug, thiserror::Error)]
pub(super) enum WasmError {
    #[error("unreadable module: {0}")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// The module is valid but not one the snapshot handles: run without one.
    #[error("{0}")]
    Unsupported(String),
    #[error("the snapshot does not validate: {0}")]
    Invalid(wasmparser::BinaryReaderError),
}

pub(super) type Result<T> = std::result::Result<T, WasmError>;

/// What the rewriting needs to know of a module, read in one pass.
pub(super) struct Layout {
    /// (section id, range of the section's contents) in order, custom sections left out.
    pub sections: Vec<(u8, Range<usize>)>,
    pub imported_funcs: u32,
    pub imported_globals: u32,
    pub exports: Vec<(String, ExportKind, u32)>,
    pub globals: Vec<(wasmparser::GlobalType, Vec<u8>)>,
    pub memory: Option<wasmparser::MemoryType>,
    pub memory_imported: bool,
    pub passive_data: bool,
    /// Per type index: is it `(i32, i32) -> i32`?
    pub binary_i32: Vec<bool>,
    /// Type index of each defined function.
    pub func_types: Vec<u32>,
    /// Range of each defined function's body.
    pub bodies: Vec<Range<usize>>,
}

pub(super) fn layout(wasm: &[u8]) -> Result<Layout> {
    let mut l = Layout {
        sections: Vec::new(),
        imported_funcs: 0,
        imported_globals: 0,
        exports: Vec::new(),
        globals: Vec::new(),
        memory: None,
        memory_imported: false,
        passive_data: false,
        binary_i32: Vec::new(),
        bodies: Vec::new(),
        func_types: Vec::new(),
    };
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        match &payload {
            Payload::ImportSection(reader) => {
                for imports in reader.clone() {
                    for import in imports? {
                        let (_, import) = import?;
                        match import.ty {
                            TypeRef::Func(_) | TypeRef::FuncExact(_) => l.imported_funcs += 1,
                            TypeRef::Global(_) => l.imported_globals += 1,
                            TypeRef::Memory(_) => l.memory_imported = true,
                            _ => {}
                        }
                    }
                }
            }
            Payload::TypeSection(reader) => {
                for ty in reader.clone().into_iter_err_on_gc_types() {
                    let ty = ty?;
                    use wasmparser::ValType::I32;
                    l.binary_i32
                        .push(ty.params() == [I32, I32] && ty.results() == [I32]);
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader.clone() {
                    l.func_types.push(ty?);
                }
            }
            Payload::MemorySection(reader) => {
                let memories = reader
                    .clone()
                    .into_iter()
                    .collect::<std::result::Result<Vec<_>, _>>();
                let memories = memories?;
                if memories.len() != 1 {
                    return Err(WasmError::Unsupported(format!(
                        "{} memories, not one",
                        memories.len()
                    )));
                }
                l.memory = Some(memories[0]);
            }
            Payload::GlobalSection(reader) => {
                for global in reader.clone() {
                    let global = global?;
                    let mut expr = global.init_expr.get_binary_reader();
                    let bytes = expr.read_bytes(expr.bytes_remaining())?;
                    l.globals.push((global.ty, bytes.to_vec()));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader.clone() {
                    let export = export?;
                    let kind = match export.kind {
                        ExternalKind::Func => ExportKind::Func,
                        ExternalKind::Table => ExportKind::Table,
                        ExternalKind::Memory => ExportKind::Memory,
                        ExternalKind::Global => ExportKind::Global,
                        ExternalKind::Tag => ExportKind::Tag,
                        ExternalKind::FuncExact => {
                            return Err(WasmError::Unsupported("an exact-type export".into()))
                        }
                    };
                    l.exports
                        .push((export.name.to_string(), kind, export.index));
                }
            }
            Payload::DataCountSection { .. } => l.passive_data = true,
            Payload::DataSection(reader) => {
                for data in reader.clone() {
                    if matches!(data?.kind, wasmparser::DataKind::Passive) {
                        l.passive_data = true;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => l.bodies.push(body.range()),
            Payload::CustomSection(_) => continue,
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            if id != 0 {
                l.sections.push((id, range));
            }
        }
    }
    Ok(l)
}

/// Writes the module's sections in order: each one `replace` writes itself, or a copy.
pub(super) fn assemble(
    wasm: &[u8],
    l: &Layout,
    mut replace: impl FnMut(u8, &mut Module) -> bool,
) -> Vec<u8> {
    let mut module = Module::new();
    for (id, range) in &l.sections {
        if !replace(*id, &mut module) {
            module.section(&RawSection {
                id: *id,
                data: &wasm[range.clone()],
            });
        }
    }
    module.finish()
}

pub(super) fn export_section(exports: &[(String, ExportKind, u32)]) -> ExportSection {
    let mut section = ExportSection::new();
    for (name, kind, index) in exports {
        section.export(name, *kind, *index);
    }
    section
}

pub(super) fn value_type(t: wasmparser::ValType) -> Option<ValType> {
    Some(match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        _ => return None,
    })
}

/// The items of an encoded section (a vector): its count and their bytes.
pub(super) fn section_items(section: &impl wasm_encoder::Encode) -> (u32, Vec<u8>) {
    let mut bytes = Vec::new();
    section.encode(&mut bytes); // size, count, items
    let mut r = wasmparser::BinaryReader::new(&bytes, 0);
    let _size = r.read_var_u32().expect("encoded size");
    let count = r.read_var_u32().expect("encoded count");
    (count, bytes[r.original_position()..].to_vec())
}

/// Writes section `id` of `wasm` with `items` appended (indices of what it had stay).
pub(super) fn append<'m>(
    module: &'m mut Module,
    wasm: &[u8],
    l: &Layout,
    id: u8,
    (added, items): &(u32, Vec<u8>),
) -> &'m mut Module {
    let (_, range) = l
        .sections
        .iter()
        .find(|(i, _)| *i == id)
        .expect("a section of the module");
    let contents = &wasm[range.clone()];
    let mut r = wasmparser::BinaryReader::new(contents, 0);
    let count = r.read_var_u32().expect("a validated module");
    let mut data = Vec::new();
    wasm_encoder::Encode::encode(&(count + added), &mut data);
    data.extend_from_slice(&contents[r.original_position()..]);
    data.extend_from_slice(items);
    module.section(&RawSection { id, data: &data })
}
