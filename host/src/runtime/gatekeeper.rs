//! Load-time checks: what a module must and must not contain before it is compiled.
//!
//! * valid WebAssembly 1.0 (MVP + mutable globals) plus sign-extension; every later
//!   proposal (SIMD, bulk memory, reference types, threads, …) is refused;
//! * no floating-point types or operators (their NaN bits differ between hosts);
//! * imports: functions only, each in the ABI table, allowed for the EE's role, with the
//!   table's signature;
//! * exports `main: [] -> []` and `memory`; no start function; at most one memory, not
//!   larger than the page limit.
//!
//! Libraries (Scout's `beacon_state.libraries`) are checked the same way except that they
//! may import nothing, need no exports, and their exports resolve the EE's imports from the
//! module named after the library (signatures are checked when linking).
//!
//! It also measures every function's frame weight for the stack limit and the
//! figures `ee check`/`ee inspect` print. All problems are collected, not just the first.
use crate::abi::{HostFn, Role, WasmType};
use crate::gas::operators::categorize;
use crate::limits::Limits;
use std::fmt;
use wasmparser::{
    ExternalKind, FuncValidatorAllocations, Operator, Parser, Payload, TypeRef, ValType, Validator,
    WasmFeatures,
};

use crate::limits::{MAX_CODE_BYTES, structure};

/// Fixed stack cost of one call frame, in frame units (see `runtime::stack`).
pub const FRAME_BASE: u32 = 16;

/// One reason a module is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// Larger than [`MAX_CODE_BYTES`].
    #[error("module is {bytes} bytes, limit {max}")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// Not WebAssembly, truncated, or invalid.
    #[error("invalid wasm: {0}")]
    Invalid(String),
    /// A floating-point type or operator.
    #[error("floating point is not allowed: {0}")]
    Float(String),
    /// An operator from a proposal the host does not accept.
    #[error("operator `{op}` in function {function} is not allowed (only WebAssembly 1.0 integer code)")]
    Operator {
        /// Function index.
        function: u32,
        /// The operator.
        op: String,
    },
    /// An import not in the ABI table.
    #[error("unknown import {module}.{name} (not in the host ABI; see `ee abi`)")]
    UnknownImport {
        /// Module.
        module: String,
        /// Name.
        name: String,
    },
    /// An import the EE's role may not use.
    #[error("import {function} is not available to {role} EEs")]
    ForbiddenImport {
        /// The function.
        function: HostFn,
        /// The role.
        role: Role,
    },
    /// An import with the wrong signature.
    #[error("import {function} has signature {found}, the ABI says {expected}")]
    ImportSignature {
        /// The function.
        function: HostFn,
        /// What the ABI declares.
        expected: String,
        /// What the module declares.
        found: String,
    },
    /// An import of a memory, table, global or tag.
    #[error("import {module}.{name} is a {kind}; only functions may be imported")]
    NonFunctionImport {
        /// Module.
        module: String,
        /// Name.
        name: String,
        /// Its kind.
        kind: &'static str,
    },
    /// A required export is missing.
    #[error("missing export `{0}`")]
    MissingExport(&'static str),
    /// An export named like the host's instrumentation (`wasmer_metering_*`, `ee_stack_*`,
    /// `ee_gas_*`), which the host adds to every module it compiles.
    #[error("export `{0}` uses a name the host reserves for its instrumentation")]
    ReservedExport(String),
    /// `main` has the wrong type.
    #[error("export `main` must be a function [] -> [], found {0}")]
    MainSignature(String),
    /// A start function.
    #[error("start function not allowed (code must not run before the host sets up the call)")]
    StartFunction,
    /// More than one memory.
    #[error("at most one memory is allowed")]
    MultipleMemories,
    /// A library that imports something (libraries are instantiated with no imports).
    #[error("library imports {module}.{name}; libraries may not import anything")]
    LibraryImport {
        /// Module.
        module: String,
        /// Name.
        name: String,
    },
    /// A structural bound of `limits::structure` exceeded (what would make compiling or
    /// instantiating the module slow or large without costing gas).
    #[error("{what}: {found}, limit {max}")]
    Structure {
        /// What was counted.
        what: String,
        /// How many.
        found: u64,
        /// The limit.
        max: u64,
    },
    /// Initial memory larger than the limit.
    #[error("initial memory of {pages} pages exceeds the limit of {max}")]
    MemoryTooLarge {
        /// Requested pages.
        pages: u64,
        /// The limit.
        max: u32,
    },
}

/// A refused module: every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub Vec<Problem>);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msgs: Vec<_> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&msgs.join("; "))
    }
}

impl std::error::Error for LoadError {}

/// An import as the module declares it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Import {
    /// Module.
    pub module: String,
    /// Name.
    pub name: String,
    /// The ABI entry, if it is one.
    pub function: Option<HostFn>,
}

/// What the gatekeeper learned about a module.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ModuleFacts {
    /// Size in bytes.
    pub size: usize,
    /// Imports.
    pub imports: Vec<Import>,
    /// Exported names.
    pub exports: Vec<String>,
    /// Initial and maximum memory pages.
    pub memory: Option<(u64, Option<u64>)>,
    /// Number of functions defined in the module.
    pub functions: u32,
    /// Frame weight of every function in the function index space (imports first).
    #[serde(skip)]
    pub frame_weights: Vec<u32>,
    /// What the stack limiter charges around each call (`runtime::callgraph`); its
    /// `max_indirect_weight` and `entry_margin` appear among the facts.
    #[serde(flatten)]
    pub stack_plan: super::callgraph::StackPlan,
    /// Locals each function declares (parameters excluded), in the function index space
    /// (imports first, with none): a call is charged for its callee's.
    #[serde(skip)]
    pub local_counts: Vec<u32>,
    /// Most locals of a function reachable through `call_indirect`.
    pub max_indirect_locals: u32,
    /// What instantiating the module is charged for (`gas::resources`).
    pub instance: crate::gas::InstanceFigures,
    /// The module's figures for the bounds of `limits::structure`.
    pub structure: StructureFacts,
}

/// What `limits::structure` bounds, as found in a module.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StructureFacts {
    /// Most locals (parameters included) of one function.
    pub max_locals: u64,
    /// Locals of all functions.
    pub total_locals: u64,
    /// Largest function body (bytes).
    pub max_body_bytes: u64,
    /// Deepest `block`/`loop`/`if` nesting.
    pub max_nesting: u64,
    /// Most targets of one `br_table`.
    pub max_br_table: u64,
    /// Largest table (initial or maximum elements).
    pub table_elements: u64,
    /// Elements of all element segments.
    pub segment_elements: u64,
    /// Data segments.
    pub data_segments: u64,
    /// Globals.
    pub globals: u64,
    /// Types.
    pub types: u64,
}

/// Records `found` against `max` (a problem once, the first time it is exceeded).
fn bound(problems: &mut Vec<Problem>, what: impl Into<String>, found: u64, max: u64) {
    if found > max {
        let what = what.into();
        if !problems.iter().any(|p| matches!(p, Problem::Structure { what: w, .. } if *w == what)) {
            problems.push(Problem::Structure { what, found, max });
        }
    }
}

/// The features accepted: WebAssembly 1.0 plus sign-extension. Floats stay enabled in
/// the validator so that the float scan can name the offending operator.
pub fn accepted_features() -> WasmFeatures {
    WasmFeatures::WASM1 | WasmFeatures::SIGN_EXTENSION
}

fn type_name(t: &ValType) -> &'static str {
    match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::V128 => "v128",
        ValType::Ref(_) => "ref",
    }
}

fn is_float(t: &ValType) -> bool {
    matches!(t, ValType::F32 | ValType::F64)
}

fn signature_text(params: &[ValType], results: &[ValType]) -> String {
    let p: Vec<_> = params.iter().map(type_name).collect();
    let r: Vec<_> = results.iter().map(type_name).collect();
    let r = if r.is_empty() { "()".to_string() } else { r.join(", ") };
    format!("({}) -> {}", p.join(", "), r)
}

fn val_type(t: WasmType) -> ValType {
    match t {
        WasmType::I32 => ValType::I32,
        WasmType::I64 => ValType::I64,
    }
}

/// What is being checked.
#[derive(Clone, Copy, Debug)]
pub enum ModuleKind<'a> {
    /// An EE of this role, which may also import from these library modules.
    Ee(Role, &'a [String]),
    /// A library.
    Library,
}

/// Checks `code` for an EE of `role` under `limits`.
pub fn check(code: &[u8], role: Role, limits: &Limits) -> Result<ModuleFacts, LoadError> {
    check_kind(code, ModuleKind::Ee(role, &[]), limits)
}

/// Checks `code` as `kind` under `limits`.
pub fn check_kind(code: &[u8], kind: ModuleKind<'_>, limits: &Limits) -> Result<ModuleFacts, LoadError> {
    let mut problems = Vec::new();
    let mut facts = ModuleFacts { size: code.len(), ..Default::default() };
    if code.len() > MAX_CODE_BYTES {
        return Err(LoadError(vec![Problem::TooLarge { bytes: code.len(), max: MAX_CODE_BYTES }]));
    }
    if code.len() < 8 || code[..4] != *b"\0asm" {
        return Err(LoadError(vec![Problem::Invalid("not a WebAssembly module (no \\0asm header)".into())]));
    }
    if let Err(e) = scan(code, kind, limits, &mut facts, &mut problems) {
        problems.push(Problem::Invalid(e.to_string()));
    }
    let main = facts.exports.iter().any(|e| e == "main");
    let is_ee = matches!(kind, ModuleKind::Ee(..));
    if is_ee && !main && !problems.iter().any(|p| matches!(p, Problem::Invalid(_))) {
        problems.push(Problem::MissingExport("main"));
    }
    if problems.is_empty() { Ok(facts) } else { Err(LoadError(problems)) }
}

/// Function types and per-function data gathered while parsing.
#[derive(Default)]
struct Scan {
    /// (params, results) per type index.
    types: Vec<(Vec<ValType>, Vec<ValType>)>,
    /// Type index of every function in the index space.
    func_types: Vec<u32>,
    imported_funcs: u32,
    /// Functions placed in tables by element segments.
    in_table: Vec<u32>,
    main_index: Option<u32>,
    memory_exported: bool,
    /// Exported functions.
    entries: Vec<u32>,
    /// Functions each defined function calls directly.
    callees: Vec<Vec<u32>>,
}

fn scan(
    code: &[u8],
    kind: ModuleKind<'_>,
    limits: &Limits,
    facts: &mut ModuleFacts,
    problems: &mut Vec<Problem>,
) -> Result<(), wasmparser::BinaryReaderError> {
    let mut validator = Validator::new_with_features(accepted_features());
    let mut s = Scan::default();
    let mut allocs = FuncValidatorAllocations::default();
    let mut memories = 0u32;
    let mut float_reported = false;
    let mut float = |problems: &mut Vec<Problem>, what: String| {
        if !float_reported {
            problems.push(Problem::Float(what));
            float_reported = true;
        }
    };
    for payload in Parser::new(0).parse_all(code) {
        let payload = payload?;
        let valid = validator.payload(&payload)?;
        match &payload {
            Payload::TypeSection(reader) => {
                for group in reader.clone() {
                    for ty in group?.into_types() {
                        let f = ty.unwrap_func();
                        let (p, r) = (f.params().to_vec(), f.results().to_vec());
                        if p.iter().chain(&r).any(is_float) {
                            float(problems, format!("function type {}", signature_text(&p, &r)));
                        }
                        s.types.push((p, r));
                    }
                }
                facts.structure.types = s.types.len() as u64;
                bound(problems, "function types", facts.structure.types, structure::MAX_TYPES);
            }
            Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    let import = import?;
                    match kind {
                        ModuleKind::Ee(role, libraries) => {
                            check_import(&import, role, libraries, &s, problems, facts)
                        }
                        ModuleKind::Library => problems.push(Problem::LibraryImport {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                        }),
                    }
                    match import.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            s.func_types.push(t);
                            s.imported_funcs += 1;
                        }
                        TypeRef::Memory(_) => memories += 1,
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                bound(problems, "functions", u64::from(reader.count()), structure::MAX_FUNCTIONS);
                for t in reader.clone() {
                    s.func_types.push(t?);
                }
            }
            Payload::TableSection(reader) => {
                for t in reader.clone() {
                    let ty = t?.ty;
                    let n = ty.initial.max(ty.maximum.unwrap_or(0));
                    facts.structure.table_elements = facts.structure.table_elements.max(n);
                }
                bound(
                    problems,
                    "table elements",
                    facts.structure.table_elements,
                    structure::MAX_TABLE_ELEMENTS,
                );
            }
            Payload::DataSection(reader) => {
                facts.structure.data_segments = u64::from(reader.count());
                bound(problems, "data segments", facts.structure.data_segments, structure::MAX_DATA_SEGMENTS);
                if facts.structure.data_segments <= structure::MAX_DATA_SEGMENTS {
                    for d in reader.clone() {
                        facts.instance.data_bytes += d?.data.len() as u64;
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for m in reader.clone() {
                    let m = m?;
                    memories += 1;
                    facts.memory = Some((m.initial, m.maximum));
                    facts.instance.memory_pages = m.initial;
                    let max = match kind {
                        ModuleKind::Ee(role, _) => limits.memory_pages_for(role),
                        ModuleKind::Library => limits.memory_pages,
                    };
                    if m.initial > u64::from(max) {
                        problems.push(Problem::MemoryTooLarge { pages: m.initial, max });
                    }
                }
            }
            Payload::GlobalSection(reader) => {
                facts.structure.globals = u64::from(reader.count());
                bound(problems, "globals", facts.structure.globals, structure::MAX_GLOBALS);
                for g in reader.clone() {
                    if is_float(&g?.ty.content_type) {
                        float(problems, "a global of float type".into());
                    }
                }
            }
            Payload::ExportSection(reader) => {
                bound(problems, "exports", u64::from(reader.count()), structure::MAX_EXPORTS);
                for e in reader.clone() {
                    let e = e?;
                    facts.exports.push(e.name.to_string());
                    if super::instrument::is_instrumentation_export(e.name) {
                        problems.push(Problem::ReservedExport(e.name.to_string()));
                    }
                    match (e.name, e.kind) {
                        ("main", ExternalKind::Func) => s.main_index = Some(e.index),
                        ("main", _) => problems.push(Problem::MainSignature("a non-function export".into())),
                        ("memory", ExternalKind::Memory) => s.memory_exported = true,
                        _ => {}
                    }
                    if e.kind == ExternalKind::Func {
                        s.entries.push(e.index);
                    }
                }
            }
            Payload::StartSection { .. } => problems.push(Problem::StartFunction),
            Payload::ElementSection(reader) => {
                for el in reader.clone() {
                    match el?.items {
                        wasmparser::ElementItems::Functions(funcs) => {
                            facts.structure.segment_elements += u64::from(funcs.count());
                            bound(
                                problems,
                                "elements in element segments",
                                facts.structure.segment_elements,
                                structure::MAX_TABLE_ELEMENTS,
                            );
                            if facts.structure.segment_elements > structure::MAX_TABLE_ELEMENTS {
                                break;
                            }
                            for f in funcs {
                                s.in_table.push(f?);
                            }
                        }
                        wasmparser::ElementItems::Expressions(_, exprs) => {
                            facts.structure.segment_elements += u64::from(exprs.count());
                            bound(
                                problems,
                                "elements in element segments",
                                facts.structure.segment_elements,
                                structure::MAX_TABLE_ELEMENTS,
                            );
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let index = s.imported_funcs + facts.functions;
                facts.functions += 1;
                let func = match valid {
                    wasmparser::ValidPayload::Func(func, _) => func,
                    _ => unreachable!("a code entry always yields a function to validate"),
                };
                let body_bytes = body.range().end - body.range().start;
                facts.structure.max_body_bytes = facts.structure.max_body_bytes.max(body_bytes);
                bound(problems, "bytes of one function body", body_bytes, structure::MAX_FUNCTION_BODY_BYTES);
                let mut v = func.into_validator(std::mem::take(&mut allocs));
                let mut locals = body.get_locals_reader()?;
                let mut local_count = 0u32;
                for _ in 0..locals.get_count() {
                    let offset = locals.original_position();
                    let (count, ty) = locals.read()?;
                    v.define_locals(offset, count, ty)?;
                    local_count = local_count.saturating_add(count);
                    if is_float(&ty) {
                        float(problems, format!("a local of type {} in function {index}", type_name(&ty)));
                    }
                }
                let params = s
                    .func_types
                    .get(index as usize)
                    .and_then(|t| s.types.get(*t as usize))
                    .map_or(0, |(p, _)| p.len() as u64);
                let all_locals = params + u64::from(local_count);
                facts.local_counts.push(local_count);
                facts.structure.max_locals = facts.structure.max_locals.max(all_locals);
                facts.structure.total_locals += all_locals;
                bound(problems, "locals of one function", all_locals, structure::MAX_LOCALS_PER_FUNCTION);
                bound(
                    problems,
                    "locals of all functions",
                    facts.structure.total_locals,
                    structure::MAX_TOTAL_LOCALS,
                );
                if problems.iter().any(|p| matches!(p, Problem::Structure { .. })) {
                    // Refused already: validating the rest would only cost time.
                    allocs = v.into_allocations();
                    continue;
                }
                let mut ops = body.get_operators_reader()?;
                let mut max_height = 0u32;
                let mut bad_op_reported = false;
                let mut depth = 0u64;
                let mut callees = Vec::new();
                while !ops.eof() {
                    let offset = ops.original_position();
                    let op = ops.read()?;
                    v.op(offset, &op)?;
                    match &op {
                        Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                            depth += 1;
                            if depth > facts.structure.max_nesting {
                                facts.structure.max_nesting = depth;
                                bound(problems, "nesting of blocks", depth, structure::MAX_NESTING_DEPTH);
                            }
                        }
                        Operator::End => depth = depth.saturating_sub(1),
                        Operator::Call { function_index } => callees.push(*function_index),
                        Operator::BrTable { targets } => {
                            // Its labels, the default included.
                            let n = u64::from(targets.len()) + 1;
                            facts.structure.max_br_table = facts.structure.max_br_table.max(n);
                            bound(problems, "targets of one br_table", n, structure::MAX_BR_TABLE_TARGETS);
                        }
                        _ => {}
                    }
                    if depth > structure::MAX_NESTING_DEPTH {
                        break;
                    }
                    max_height = max_height.max(v.operand_stack_height());
                    if categorize(&op).is_none() && !bad_op_reported {
                        let name = format!("{op:?}");
                        let name = name.split([' ', '{']).next().unwrap_or("?").to_string();
                        if is_float_op(&op) {
                            float(problems, format!("operator `{name}` in function {index}"));
                        } else {
                            problems.push(Problem::Operator { function: index, op: name });
                        }
                        bad_op_reported = true;
                    }
                }
                if depth > structure::MAX_NESTING_DEPTH {
                    allocs = v.into_allocations();
                    continue;
                }
                ops.finish()?;
                let weight = FRAME_BASE
                    .saturating_add(params as u32)
                    .saturating_add(local_count)
                    .saturating_add(max_height);
                facts.frame_weights.push(weight);
                callees.sort_unstable();
                callees.dedup();
                s.callees.resize_with(facts.functions as usize - 1, Vec::new);
                s.callees.push(callees);
                allocs = v.into_allocations();
            }
            _ => {}
        }
    }
    if memories > 1 {
        problems.push(Problem::MultipleMemories);
    }
    if !s.memory_exported && matches!(kind, ModuleKind::Ee(..)) {
        problems.push(Problem::MissingExport("memory"));
    }
    if let Some(main) = s.main_index {
        let ty = s.func_types.get(main as usize).and_then(|t| s.types.get(*t as usize));
        match ty {
            Some((p, r)) if p.is_empty() && r.is_empty() => {}
            Some((p, r)) => problems.push(Problem::MainSignature(signature_text(p, r))),
            None => problems.push(Problem::MainSignature("an unknown type".into())),
        }
    }
    // Imported (host) functions get the base weight; defined functions their own.
    let mut weights = vec![FRAME_BASE; s.imported_funcs as usize];
    weights.extend(facts.frame_weights.iter().copied());
    let plan =
        super::callgraph::plan(&weights, s.imported_funcs, &s.callees, &s.in_table, &s.entries, FRAME_BASE);
    bound(
        problems,
        "stack units of the deepest call chain without recursion",
        u64::from(plan.entry_margin),
        u64::from(limits.stack_units),
    );
    facts.stack_plan = plan;
    facts.frame_weights = weights;
    let mut locals = vec![0u32; s.imported_funcs as usize];
    locals.extend(facts.local_counts.iter().copied());
    facts.max_indirect_locals =
        s.in_table.iter().filter_map(|&f| locals.get(f as usize).copied()).max().unwrap_or(0);
    facts.instance.main_locals =
        s.main_index.and_then(|m| locals.get(m as usize)).map_or(0, |&n| u64::from(n));
    facts.local_counts = locals;
    facts.instance.table_elements = facts.structure.table_elements + facts.structure.segment_elements;
    facts.instance.globals = facts.structure.globals;
    facts.instance.exports = facts.exports.len() as u64;
    facts.instance.data_segments = facts.structure.data_segments;
    Ok(())
}

fn check_import(
    import: &wasmparser::Import<'_>,
    role: Role,
    libraries: &[String],
    s: &Scan,
    problems: &mut Vec<Problem>,
    facts: &mut ModuleFacts,
) {
    let (module, name) = (import.module.to_string(), import.name.to_string());
    let type_index = match import.ty {
        TypeRef::Func(t) | TypeRef::FuncExact(t) => t,
        other => {
            let kind = match other {
                TypeRef::Memory(_) => "memory",
                TypeRef::Table(_) => "table",
                TypeRef::Global(_) => "global",
                _ => "tag",
            };
            problems.push(Problem::NonFunctionImport { module, name, kind });
            return;
        }
    };
    if libraries.contains(&module) {
        facts.imports.push(Import { module, name, function: None });
        return;
    }
    let function = HostFn::lookup(&module, &name);
    facts.imports.push(Import { module: module.clone(), name: name.clone(), function });
    let Some(function) = function else {
        problems.push(Problem::UnknownImport { module, name });
        return;
    };
    if !function.allowed(role) {
        problems.push(Problem::ForbiddenImport { function, role });
    }
    let expected_params: Vec<ValType> = function.wasm_params().map(val_type).collect();
    let expected_results: Vec<ValType> = function.wasm_result().map(val_type).into_iter().collect();
    if let Some((p, r)) = s.types.get(type_index as usize)
        && (p != &expected_params || r != &expected_results)
    {
        problems.push(Problem::ImportSignature {
            function,
            expected: signature_text(&expected_params, &expected_results),
            found: signature_text(p, r),
        });
    }
}

fn is_float_op(op: &Operator<'_>) -> bool {
    let name = format!("{op:?}");
    name.starts_with("F32") || name.starts_with("F64") || name.contains("F32") || name.contains("F64")
}
