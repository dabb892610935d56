//! Per-operator instruction prices, by category.
use serde::{Deserialize, Serialize};

/// Operator categories priced separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpCategory {
    /// `i32.const`, `i64.const`.
    Constant,
    /// `local.*`.
    Local,
    /// `global.*`.
    Global,
    /// Integer ALU, comparisons, conversions, `select`, `drop`.
    Arithmetic,
    /// Integer multiplication.
    Multiply,
    /// Integer division and remainder.
    Divide,
    /// Memory loads.
    Load,
    /// Memory stores.
    Store,
    /// Structured control flow and branches.
    Branch,
    /// Direct calls.
    Call,
    /// Indirect calls (table lookup and signature check).
    CallIndirect,
    /// `memory.size`.
    MemorySize,
    /// `memory.grow` (page allocation and zeroing).
    MemoryGrow,
}

impl OpCategory {
    /// Every category, in a fixed order (the order of profile counters).
    pub const ALL: [OpCategory; 13] = [
        OpCategory::Constant,
        OpCategory::Local,
        OpCategory::Global,
        OpCategory::Arithmetic,
        OpCategory::Multiply,
        OpCategory::Divide,
        OpCategory::Load,
        OpCategory::Store,
        OpCategory::Branch,
        OpCategory::Call,
        OpCategory::CallIndirect,
        OpCategory::MemorySize,
        OpCategory::MemoryGrow,
    ];

    /// Position in [`OpCategory::ALL`].
    pub fn index(self) -> usize {
        OpCategory::ALL.iter().position(|c| *c == self).expect("listed")
    }

    /// The category's name (as in the cost table).
    pub fn name(self) -> &'static str {
        match self {
            OpCategory::Constant => "constant",
            OpCategory::Local => "local",
            OpCategory::Global => "global",
            OpCategory::Arithmetic => "arithmetic",
            OpCategory::Multiply => "multiply",
            OpCategory::Divide => "divide",
            OpCategory::Load => "load",
            OpCategory::Store => "store",
            OpCategory::Branch => "branch",
            OpCategory::Call => "call",
            OpCategory::CallIndirect => "call_indirect",
            OpCategory::MemorySize => "memory_size",
            OpCategory::MemoryGrow => "memory_grow",
        }
    }
}

/// Prices per [`OpCategory`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorCosts {
    /// `i32.const`, `i64.const`.
    pub constant: u64,
    /// `local.get`/`set`/`tee`.
    pub local: u64,
    /// `global.get`/`set`.
    pub global: u64,
    /// Integer ALU, comparisons, conversions, `select`, `drop`.
    pub arithmetic: u64,
    /// Integer multiplication.
    pub multiply: u64,
    /// Integer division and remainder.
    pub divide: u64,
    /// Memory loads.
    pub load: u64,
    /// Memory stores.
    pub store: u64,
    /// `block`, `loop`, `if`, `else`, `end`, `br*`, `return`, `nop`, `unreachable`.
    pub branch: u64,
    /// `call`.
    pub call: u64,
    /// `call_indirect`.
    pub call_indirect: u64,
    /// `memory.size`.
    pub memory_size: u64,
    /// `memory.grow`.
    pub memory_grow: u64,
}

impl Default for OperatorCosts {
    fn default() -> Self {
        OperatorCosts {
            constant: 1,
            local: 1,
            global: 1,
            arithmetic: 1,
            multiply: 3,
            divide: 16,
            load: 2,
            store: 2,
            branch: 1,
            call: 10,
            call_indirect: 20,
            memory_size: 2,
            memory_grow: 4_000,
        }
    }
}

impl OperatorCosts {
    /// Price of one category.
    pub fn of(&self, c: OpCategory) -> u64 {
        match c {
            OpCategory::Constant => self.constant,
            OpCategory::Local => self.local,
            OpCategory::Global => self.global,
            OpCategory::Arithmetic => self.arithmetic,
            OpCategory::Multiply => self.multiply,
            OpCategory::Divide => self.divide,
            OpCategory::Load => self.load,
            OpCategory::Store => self.store,
            OpCategory::Branch => self.branch,
            OpCategory::Call => self.call,
            OpCategory::CallIndirect => self.call_indirect,
            OpCategory::MemorySize => self.memory_size,
            OpCategory::MemoryGrow => self.memory_grow,
        }
    }

    /// Price of one operator. Operators the gatekeeper rejects (floats, SIMD, …) never
    /// reach a compiled module; if one did it would cost a division's price.
    #[cfg(feature = "runtime")]
    pub fn cost(&self, op: &wasmparser::Operator<'_>) -> u64 {
        self.of(categorize(op).unwrap_or(OpCategory::Divide))
    }
}

/// Prices the operators of one module: the category prices, plus the locals a call zeroes
/// in its callee and the targets of a `br_table` (see [`super::resources`]). Metering and
/// the profiler both price through it, so they agree.
#[cfg(feature = "runtime")]
#[derive(Clone, Debug)]
pub struct ModulePricer {
    costs: OperatorCosts,
    local: u64,
    br_table_target: u64,
    locals: std::sync::Arc<Vec<u32>>,
    indirect_locals: u32,
}

#[cfg(feature = "runtime")]
impl ModulePricer {
    /// A pricer for a module whose functions declare `locals` (function index space,
    /// imports first) and whose table holds functions of at most `indirect_locals`.
    pub fn new(table: &super::CostTable, locals: Vec<u32>, indirect_locals: u32) -> Self {
        ModulePricer {
            costs: table.operators.clone(),
            local: table.resources.local,
            br_table_target: table.resources.br_table_target,
            locals: std::sync::Arc::new(locals),
            indirect_locals,
        }
    }

    /// Whether every operator of every module is free (a cost table pricing all of them
    /// at zero): there is then no instruction gas to meter.
    pub fn is_free(&self) -> bool {
        OpCategory::ALL.iter().all(|&c| self.costs.of(c) == 0) && self.local == 0 && self.br_table_target == 0
    }

    /// Price of one operator of this module.
    pub fn cost(&self, op: &wasmparser::Operator<'_>) -> u64 {
        use wasmparser::Operator as O;
        let extra = match op {
            O::Call { function_index } => {
                let n = self.locals.get(*function_index as usize).copied().unwrap_or(0);
                self.local.saturating_mul(u64::from(n))
            }
            O::CallIndirect { .. } => self.local.saturating_mul(u64::from(self.indirect_locals)),
            O::BrTable { targets } => self.br_table_target.saturating_mul(u64::from(targets.len()) + 1),
            _ => 0,
        };
        self.costs.cost(op).saturating_add(extra)
    }
}

/// The category of an operator, `None` for operators outside the accepted feature set.
#[cfg(feature = "runtime")]
pub fn categorize(op: &wasmparser::Operator<'_>) -> Option<OpCategory> {
    use wasmparser::Operator as O;
    Some(match op {
        O::I32Const { .. } | O::I64Const { .. } => OpCategory::Constant,
        O::LocalGet { .. } | O::LocalSet { .. } | O::LocalTee { .. } => OpCategory::Local,
        O::GlobalGet { .. } | O::GlobalSet { .. } => OpCategory::Global,
        O::I32Mul | O::I64Mul => OpCategory::Multiply,
        O::I32DivS
        | O::I32DivU
        | O::I32RemS
        | O::I32RemU
        | O::I64DivS
        | O::I64DivU
        | O::I64RemS
        | O::I64RemU => OpCategory::Divide,
        O::I32Load { .. }
        | O::I64Load { .. }
        | O::I32Load8S { .. }
        | O::I32Load8U { .. }
        | O::I32Load16S { .. }
        | O::I32Load16U { .. }
        | O::I64Load8S { .. }
        | O::I64Load8U { .. }
        | O::I64Load16S { .. }
        | O::I64Load16U { .. }
        | O::I64Load32S { .. }
        | O::I64Load32U { .. } => OpCategory::Load,
        O::I32Store { .. }
        | O::I64Store { .. }
        | O::I32Store8 { .. }
        | O::I32Store16 { .. }
        | O::I64Store8 { .. }
        | O::I64Store16 { .. }
        | O::I64Store32 { .. } => OpCategory::Store,
        O::Block { .. }
        | O::Loop { .. }
        | O::If { .. }
        | O::Else
        | O::End
        | O::Br { .. }
        | O::BrIf { .. }
        | O::BrTable { .. }
        | O::Return
        | O::Nop
        | O::Unreachable => OpCategory::Branch,
        O::Call { .. } => OpCategory::Call,
        O::CallIndirect { .. } => OpCategory::CallIndirect,
        O::MemorySize { .. } => OpCategory::MemorySize,
        O::MemoryGrow { .. } => OpCategory::MemoryGrow,
        O::Drop
        | O::Select
        | O::I32Eqz
        | O::I32Eq
        | O::I32Ne
        | O::I32LtS
        | O::I32LtU
        | O::I32GtS
        | O::I32GtU
        | O::I32LeS
        | O::I32LeU
        | O::I32GeS
        | O::I32GeU
        | O::I64Eqz
        | O::I64Eq
        | O::I64Ne
        | O::I64LtS
        | O::I64LtU
        | O::I64GtS
        | O::I64GtU
        | O::I64LeS
        | O::I64LeU
        | O::I64GeS
        | O::I64GeU
        | O::I32Clz
        | O::I32Ctz
        | O::I32Popcnt
        | O::I32Add
        | O::I32Sub
        | O::I32And
        | O::I32Or
        | O::I32Xor
        | O::I32Shl
        | O::I32ShrS
        | O::I32ShrU
        | O::I32Rotl
        | O::I32Rotr
        | O::I64Clz
        | O::I64Ctz
        | O::I64Popcnt
        | O::I64Add
        | O::I64Sub
        | O::I64And
        | O::I64Or
        | O::I64Xor
        | O::I64Shl
        | O::I64ShrS
        | O::I64ShrU
        | O::I64Rotl
        | O::I64Rotr
        | O::I32WrapI64
        | O::I64ExtendI32S
        | O::I64ExtendI32U
        | O::I32Extend8S
        | O::I32Extend16S
        | O::I64Extend8S
        | O::I64Extend16S
        | O::I64Extend32S => OpCategory::Arithmetic,
        _ => return None,
    })
}
