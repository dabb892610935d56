//! The one pass that turns a checked module into the module the engine compiles: the
//! stack limit, instruction gas held in a local, and (when profiling) the profiler's
//! counters, written into the wasm itself before compilation.
//!
//! **Why a rewrite and not wasmer middlewares.** A middleware can insert operators but not
//! declare locals, so wasmer's `Metering` keeps the remaining gas in a global: a load and a
//! store at every basic block, and in a loop a dependency through memory from one
//! iteration's store to the next one's load. Here every function gets one more `i64`
//! local holding the remaining gas, which the compiler keeps in a register:
//!
//! * on entry the local is loaded from the exported global
//!   (`wasmer_metering_remaining_points`, the name `wasmer_middlewares`' accessors read);
//! * at each accounting point (the operators `wasmer_middlewares::metering::is_accounting`
//!   names: block ends, branches, calls, `return`, loop headers, `if`/`else`) the basic
//!   block's cost is subtracted from the local — the same points and costs as wasmer's
//!   `Metering`, so a transaction that succeeds is charged exactly what it was;
//! * the local is *checked* (negative: set `wasmer_metering_points_exhausted` and trap)
//!   wherever execution could go on without bound or anything else could read it: before
//!   every call, `return`, `unreachable`, branch out of the function or back to a loop's
//!   start, and the function's final `end`. Between two checks execution only moves
//!   forward through one function body, so each instruction runs at most once: running
//!   out of gas is caught a bounded amount of straight-line work after it happened, and
//!   the transaction fails out of gas, all its gas used, as with a check at every block
//!   (or, if that stretch traps implicitly, as a trap, all its gas used too); whatever
//!   that work wrote to memory is discarded with the failed transaction;
//! * the local is written back to the global (*flushed*) after those checks where anything
//!   else may read it: before every call (host functions charge the same counter, callees
//!   load it) and reloaded after it, before `return`, before a branch out of the function,
//!   before the function's final `end` and before `unreachable`.
//!
//! A trap the module did not raise itself (an out-of-bounds access, a division by zero, a
//! bad indirect call) leaves the global where the last flush left it; the runtime charges
//! such a trap the transaction's whole remaining gas (`Runtime::run_instance`), as the
//! EVM charges an exceptional halt. Explicit traps (`unreachable`, which is what a Rust
//! panic compiles to, out of gas, the stack limit) check and flush first and cost exactly
//! what ran.
//!
//! The stack limit ([`super::stack`]) is written in the same pass ahead of the metering,
//! and its instructions are priced like the module's own, as they were when it was the
//! first middleware of wasmer's chain. Profiler counters are not priced: a profiled run
//! charges exactly the gas of an ordinary one. Under a cost table that prices every
//! operator at zero ([`ModulePricer::is_free`]) no gas local or metering code is written
//! at all (the bench's "unmetered" rows).
use super::stack;
use crate::gas::operators::categorize;
use crate::gas::{ModulePricer, OpCategory};
use wasm_encoder::reencode::{Error as ReencodeError, Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, ExportKind, ExportSection, Function, GlobalSection, GlobalType, Instruction,
    Module, SectionId, ValType,
};
use wasmer_middlewares::metering::is_accounting;
use wasmparser::{Operator, Parser, Payload};

/// Export name of the remaining-gas global (read by `wasmer_middlewares`' accessors).
pub const REMAINING_EXPORT: &str = "wasmer_metering_remaining_points";
/// Export name of the flag set when the gas ran out.
pub const GAS_EXHAUSTED_EXPORT: &str = "wasmer_metering_points_exhausted";

/// Prefixes of every export name the pass adds (the gas globals, the stack flag, the
/// profiler's counters): a module's own exports may not use them.
const RESERVED_EXPORT_PREFIXES: [&str; 3] = ["wasmer_metering_", "ee_stack_", "ee_gas_"];

/// Whether `name` is, or could be, an export the pass adds.
pub fn is_instrumentation_export(name: &str) -> bool {
    RESERVED_EXPORT_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// The most gas an instance is given: the counter is a signed `i64` that unchecked
/// subtractions may take below zero.
pub const MAX_GAS: u64 = 1 << 62;

/// What to write into a module.
pub struct Plan<'a> {
    /// Prices of the module's operators.
    pub pricer: &'a ModulePricer,
    /// Stack charge around a call of each function (index space; 0 leaves it alone).
    pub call_weights: &'a [u32],
    /// Stack charge around `call_indirect`.
    pub indirect_weight: u32,
    /// Stack units the module may use.
    pub stack_budget: u32,
    /// Whether to add the profiler's counters ([`super::profile`]).
    pub profile: bool,
}

/// Why a module could not be rewritten (the gatekeeper has accepted it, so this means a
/// construct the pass does not handle; the module is refused, never run unmetered).
#[derive(Debug, thiserror::Error)]
#[error("instrumentation failed: {0}")]
pub struct InstrumentError(String);

impl<E: std::fmt::Display> From<ReencodeError<E>> for InstrumentError {
    fn from(e: ReencodeError<E>) -> Self {
        InstrumentError(e.to_string())
    }
}

impl From<wasmparser::BinaryReaderError> for InstrumentError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        InstrumentError(e.to_string())
    }
}

/// `code` with the stack limit, gas metering and (per `plan`) profiler counters.
pub fn instrument(code: &[u8], plan: &Plan<'_>) -> Result<Vec<u8>, InstrumentError> {
    let mut pass = Pass::new(code, plan)?;
    let mut module = Module::new();
    pass.parse_core_module(&mut module, Parser::new(0), code)?;
    if let Some(e) = pass.failure.take() {
        return Err(e);
    }
    Ok(module.finish())
}

/// The globals the pass adds, by index.
#[derive(Clone, Copy)]
struct Globals {
    remaining: u32,
    exhausted: u32,
    depth: u32,
    stack_exhausted: u32,
    /// First of [`OpCategory::ALL`]'s counters, then one per defined function.
    profile: u32,
}

struct Pass<'p> {
    plan: &'p Plan<'p>,
    /// Parameter count of each function (index space, imports first).
    params: Vec<u32>,
    imported_functions: u32,
    defined_functions: u32,
    globals: Globals,
    /// Index (space) of the next function body.
    next_body: u32,
    globals_written: bool,
    exports_written: bool,
    failure: Option<InstrumentError>,
}

impl<'p> Pass<'p> {
    /// Reads what the rewrite needs to know before the code: parameter counts and the
    /// number of globals (the new ones come after them).
    fn new(code: &[u8], plan: &'p Plan<'p>) -> Result<Self, InstrumentError> {
        let mut type_params = Vec::new();
        let mut params = Vec::new();
        let mut imported_functions = 0;
        let mut globals = 0u32;
        for payload in Parser::new(0).parse_all(code) {
            match payload? {
                Payload::TypeSection(r) => {
                    for ty in r.into_iter_err_on_gc_types() {
                        type_params.push(ty?.params().len() as u32);
                    }
                }
                Payload::ImportSection(r) => {
                    for import in r.into_imports() {
                        match import?.ty {
                            wasmparser::TypeRef::Func(t) => {
                                params.push(type_params.get(t as usize).copied().unwrap_or(0));
                                imported_functions += 1;
                            }
                            wasmparser::TypeRef::Global(_) => globals += 1,
                            _ => {}
                        }
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r {
                        params.push(type_params.get(t? as usize).copied().unwrap_or(0));
                    }
                }
                Payload::GlobalSection(r) => globals += r.count(),
                _ => {}
            }
        }
        let defined_functions = params.len() as u32 - imported_functions;
        Ok(Pass {
            plan,
            params,
            imported_functions,
            defined_functions,
            globals: Globals {
                remaining: globals,
                exhausted: globals + 1,
                depth: globals + 2,
                stack_exhausted: globals + 3,
                profile: globals + 4,
            },
            next_body: imported_functions,
            globals_written: false,
            exports_written: false,
            failure: None,
        })
    }

    fn add_globals(&mut self, section: &mut GlobalSection) {
        let var = |val_type| GlobalType { val_type, mutable: true, shared: false };
        section.global(var(ValType::I64), &ConstExpr::i64_const(0));
        section.global(var(ValType::I32), &ConstExpr::i32_const(0));
        section.global(var(ValType::I32), &ConstExpr::i32_const(0));
        section.global(var(ValType::I32), &ConstExpr::i32_const(0));
        if self.plan.profile {
            for _ in 0..OpCategory::ALL.len() as u32 + self.defined_functions {
                section.global(var(ValType::I64), &ConstExpr::i64_const(0));
            }
        }
        self.globals_written = true;
    }

    fn add_exports(&mut self, section: &mut ExportSection) {
        let g = self.globals;
        section.export(REMAINING_EXPORT, ExportKind::Global, g.remaining);
        section.export(GAS_EXHAUSTED_EXPORT, ExportKind::Global, g.exhausted);
        section.export(stack::EXHAUSTED_EXPORT, ExportKind::Global, g.stack_exhausted);
        if self.plan.profile {
            for (i, c) in OpCategory::ALL.iter().enumerate() {
                section.export(&super::profile::export_name(*c), ExportKind::Global, g.profile + i as u32);
            }
            let first = g.profile + OpCategory::ALL.len() as u32;
            for f in 0..self.defined_functions {
                let name =
                    format!("{}{}", super::profile::FUNCTION_EXPORT_PREFIX, self.imported_functions + f);
                section.export(&name, ExportKind::Global, first + f);
            }
        }
        self.exports_written = true;
    }

    /// Rewrites one function body (see the module documentation).
    fn body(
        &mut self,
        code: &mut CodeSection,
        body: wasmparser::FunctionBody<'_>,
    ) -> Result<(), InstrumentError> {
        let index = self.next_body;
        self.next_body += 1;
        // The gas local comes right after the parameters, the module's own locals after it
        // (their indices shifted by one): singlepass keeps a function's first four locals
        // in registers.
        let metered = !self.plan.pricer.is_free();
        let mut locals = if metered { vec![(1, ValType::I64)] } else { Vec::new() };
        let mut declared = 0u32;
        for pair in body.get_locals_reader()? {
            let (count, ty) = pair?;
            declared = declared.saturating_add(count);
            locals.push((count, RoundtripReencoder.val_type(ty)?));
        }
        let params = self.params.get(index as usize).copied().unwrap_or(0);
        if params.checked_add(declared).is_none_or(|n| n == u32::MAX) {
            return Err(InstrumentError("too many locals".into()));
        }
        let mut writer = BodyWriter {
            f: Function::new(locals),
            g: self.globals,
            gas: params,
            metered,
            frames: Vec::new(),
            cost: 0,
            categories: [0; OpCategory::ALL.len()],
            counter: self.plan.profile.then(|| {
                self.globals.profile + OpCategory::ALL.len() as u32 + (index - self.imported_functions)
            }),
            pricer: self.plan.pricer,
        };
        if metered {
            writer.reload();
        }
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            let weight = match op {
                Operator::Call { function_index } => self
                    .plan
                    .call_weights
                    .get(function_index as usize)
                    .copied()
                    .unwrap_or(self.plan.indirect_weight),
                Operator::CallIndirect { .. } => self.plan.indirect_weight,
                _ => 0,
            };
            if weight == 0 {
                writer.feed(op)?;
                continue;
            }
            let (before, after) = stack::around_call(
                weight,
                self.plan.stack_budget,
                self.globals.depth,
                self.globals.stack_exhausted,
            );
            for o in before {
                writer.feed(o)?;
            }
            writer.feed(op)?;
            for o in after {
                writer.feed(o)?;
            }
        }
        code.function(&writer.f);
        Ok(())
    }
}

/// Section order of the module format (not the numeric ids).
fn rank(id: Option<SectionId>) -> u8 {
    use SectionId as S;
    match id {
        Some(S::Type) => 1,
        Some(S::Import) => 2,
        Some(S::Function) => 3,
        Some(S::Table) => 4,
        Some(S::Memory) => 5,
        Some(S::Tag) => 6,
        Some(S::Global) => 7,
        Some(S::Export) => 8,
        Some(S::Start) => 9,
        Some(S::Element) => 10,
        Some(S::DataCount) => 11,
        Some(S::Code) => 12,
        Some(S::Data) => 13,
        _ => u8::MAX,
    }
}

impl Reencode for Pass<'_> {
    type Error = std::convert::Infallible;

    /// Custom sections are copied as they are, never parsed (a malformed name section is
    /// not the instrumentation's business; local names are off by one after the gas local).
    fn parse_custom_section(
        &mut self,
        module: &mut Module,
        section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), ReencodeError<Self::Error>> {
        module.section(&wasm_encoder::CustomSection {
            name: section.name().into(),
            data: section.data().into(),
        });
        Ok(())
    }

    fn parse_global_section(
        &mut self,
        globals: &mut GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), ReencodeError<Self::Error>> {
        wasm_encoder::reencode::utils::parse_global_section(self, globals, section)?;
        self.add_globals(globals);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), ReencodeError<Self::Error>> {
        wasm_encoder::reencode::utils::parse_export_section(self, exports, section)?;
        self.add_exports(exports);
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), ReencodeError<Self::Error>> {
        // A module without globals or exports gets the sections where they belong.
        if !self.globals_written && rank(before) > rank(Some(SectionId::Global)) {
            let mut section = GlobalSection::new();
            self.add_globals(&mut section);
            module.section(&section);
        }
        if !self.exports_written && rank(before) > rank(Some(SectionId::Export)) {
            let mut section = ExportSection::new();
            self.add_exports(&mut section);
            module.section(&section);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), ReencodeError<Self::Error>> {
        if self.failure.is_none()
            && let Err(e) = self.body(code, func)
        {
            self.failure = Some(e);
        }
        Ok(())
    }
}

/// Writes one function body, metering as it goes.
struct BodyWriter<'a> {
    f: Function,
    g: Globals,
    /// The gas local (the first after the parameters).
    gas: u32,
    /// Whether there is one (see [`ModulePricer::is_free`]).
    metered: bool,
    /// Open control frames inside the function's own: whether each is a `loop`.
    frames: Vec<bool>,
    /// Cost of the basic block so far.
    cost: u64,
    /// The same, per category (profiling only).
    categories: [u64; OpCategory::ALL.len()],
    /// This function's profile counter (profiling only).
    counter: Option<u32>,
    pricer: &'a ModulePricer,
}

/// Costs above this are checked where they are charged, so that the unchecked
/// subtractions between two checks cannot wrap the signed counter: they are at most one
/// per accounting point of one function body (under 2^20 in a body the gatekeeper's
/// 256 KiB bound admits), each at most 2^40, below a counter of at most [`MAX_GAS`].
const UNCHECKED_COST: u64 = 1 << 40;

impl BodyWriter<'_> {
    fn raw(&mut self, i: &Instruction<'_>) {
        self.f.instruction(i);
    }

    fn flush(&mut self) {
        self.raw(&Instruction::LocalGet(self.gas));
        self.raw(&Instruction::GlobalSet(self.g.remaining));
    }

    fn reload(&mut self) {
        self.raw(&Instruction::GlobalGet(self.g.remaining));
        self.raw(&Instruction::LocalSet(self.gas));
    }

    /// Traps as out of gas if the value on the stack is negative.
    fn trap_if_negative(&mut self) {
        self.raw(&Instruction::I64Const(0));
        self.raw(&Instruction::I64LtS);
        self.raw(&Instruction::If(wasm_encoder::BlockType::Empty));
        self.raw(&Instruction::I32Const(1));
        self.raw(&Instruction::GlobalSet(self.g.exhausted));
        self.raw(&Instruction::Unreachable);
        self.raw(&Instruction::End);
    }

    /// Charges the basic block ending here; with `check` (or a large cost), traps if the
    /// gas is then exhausted.
    fn charge(&mut self, check: bool) {
        let cost = std::mem::take(&mut self.cost);
        self.raw(&Instruction::LocalGet(self.gas));
        // A larger cost is out of gas anyway; capped, it cannot wrap the counter (which
        // unchecked subtractions may have taken below zero).
        self.raw(&Instruction::I64Const(cost.min(MAX_GAS + 1) as i64));
        self.raw(&Instruction::I64Sub);
        if check || cost > UNCHECKED_COST {
            self.raw(&Instruction::LocalTee(self.gas));
            self.trap_if_negative();
        } else {
            self.raw(&Instruction::LocalSet(self.gas));
        }
        if let Some(counter) = self.counter {
            self.add(counter, cost as i64);
            for i in 0..self.categories.len() {
                let c = std::mem::take(&mut self.categories[i]);
                if c > 0 {
                    self.add(self.g.profile + i as u32, c as i64);
                }
            }
        }
    }

    fn add(&mut self, global: u32, value: i64) {
        self.raw(&Instruction::GlobalGet(global));
        self.raw(&Instruction::I64Const(value));
        self.raw(&Instruction::I64Add);
        self.raw(&Instruction::GlobalSet(global));
    }

    /// Where a branch of relative depth `d` goes: (out of the function, back to a loop).
    fn target(&self, d: u32) -> (bool, bool) {
        let open = self.frames.len();
        match (d as usize).cmp(&open) {
            std::cmp::Ordering::Less => (false, self.frames[open - 1 - d as usize]),
            std::cmp::Ordering::Equal => (true, false),
            std::cmp::Ordering::Greater => (false, false),
        }
    }

    /// Prices `op`, charges at accounting points, writes `op` with the checks and flushes
    /// it needs.
    fn feed(&mut self, op: Operator<'_>) -> Result<(), InstrumentError> {
        let cost = self.pricer.cost(&op);
        self.cost = self.cost.saturating_add(cost);
        if self.counter.is_some() {
            let c = categorize(&op).unwrap_or(OpCategory::Divide);
            self.categories[c.index()] = self.categories[c.index()].saturating_add(cost);
        }
        if !self.metered {
            self.raw(&RoundtripReencoder.instruction(op)?);
            return Ok(());
        }
        // (check, flush, reload): the counter is checked before anything else reads it
        // (calls, the caller after an exit) and before every way back to a loop's start,
        // so between two checks each instruction runs at most once.
        let (check, flush, reload) = match &op {
            Operator::Call { .. } | Operator::CallIndirect { .. } => (true, true, true),
            Operator::Return | Operator::Unreachable => (true, true, false),
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                let (exits, back) = self.target(*relative_depth);
                (exits || back, exits, false)
            }
            Operator::BrTable { targets } => {
                let (mut exits, mut back) = self.target(targets.default());
                for t in targets.targets() {
                    let (e, b) = self.target(t?);
                    exits |= e;
                    back |= b;
                }
                (exits || back, exits, false)
            }
            Operator::End => (self.frames.is_empty(), self.frames.is_empty(), false),
            _ => (false, false, false),
        };
        // A check point is always checked, even with nothing to charge: what was
        // subtracted before it may have been reached by a forward branch past the last
        // check in the text.
        if is_accounting(&op) && self.cost > 0 {
            self.charge(check);
        } else if check {
            self.raw(&Instruction::LocalGet(self.gas));
            self.trap_if_negative();
        }
        match &op {
            Operator::Block { .. } | Operator::If { .. } => self.frames.push(false),
            Operator::Loop { .. } => self.frames.push(true),
            Operator::End => {
                self.frames.pop();
            }
            _ => {}
        }
        if flush {
            self.flush();
        }
        let shift = |i: u32| if i >= self.gas { i + 1 } else { i };
        let op = match op {
            Operator::LocalGet { local_index } => Operator::LocalGet { local_index: shift(local_index) },
            Operator::LocalSet { local_index } => Operator::LocalSet { local_index: shift(local_index) },
            Operator::LocalTee { local_index } => Operator::LocalTee { local_index: shift(local_index) },
            op => op,
        };
        let instruction = RoundtripReencoder.instruction(op)?;
        self.raw(&instruction);
        if reload {
            self.reload();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gas::CostTable;

    fn exports(code: &[u8]) -> Vec<String> {
        let mut names = Vec::new();
        for payload in Parser::new(0).parse_all(code) {
            if let Payload::ExportSection(r) = payload.unwrap() {
                names.extend(r.into_iter().map(|e| e.unwrap().name.to_string()));
            }
        }
        names
    }

    #[test]
    fn a_module_without_globals_or_exports_gets_both_sections_in_place() {
        let pricer = ModulePricer::new(&CostTable::default(), Vec::new(), 0);
        for profile in [false, true] {
            let plan =
                Plan { pricer: &pricer, call_weights: &[], indirect_weight: 0, stack_budget: 100, profile };
            for src in ["(module (func (nop)))", "(module (memory 1) (func) (data (i32.const 0) \"x\"))"] {
                let out = instrument(&wat::parse_str(src).unwrap(), &plan).unwrap();
                wasmparser::validate(&out).unwrap_or_else(|e| panic!("{src}: {e}"));
                let names = exports(&out);
                for name in [REMAINING_EXPORT, GAS_EXHAUSTED_EXPORT, stack::EXHAUSTED_EXPORT] {
                    assert!(names.iter().any(|n| n == name), "{src}: {names:?}");
                }
                assert_eq!(
                    names.iter().any(|n| n.starts_with(super::super::profile::FUNCTION_EXPORT_PREFIX)),
                    profile
                );
                // Neither module exports anything itself: every export is the pass's, and
                // the gatekeeper's reservation covers it.
                assert!(names.iter().all(|n| is_instrumentation_export(n)), "{names:?}");
            }
        }
    }
}
