//! Deterministic call-stack limit, written into the module by [`super::instrument`].
//!
//! The native stack a wasm call consumes differs between compilers and machines, so the
//! host does not rely on it. Call sites are instrumented instead: before the call a
//! module-global counter is raised by the callee's charge and checked against the budget;
//! after the call returns it is lowered again. Frame weights (`FRAME_BASE + params +
//! locals + max operand-stack height`) are measured by the gatekeeper, and
//! `runtime::callgraph` turns them into charges: only calls of functions that can recurse,
//! of table functions (`call_indirect` is charged the largest of them) and of imports are
//! instrumented, each charged its callee's frame plus the deepest chain of uninstrumented
//! helpers below it; the deepest such chain from an export is kept out of the budget.
//! Exceeding the budget sets the exported `ee_stack_exhausted` flag and traps, so the
//! runtime reports `TxError::StackExhausted` identically on every engine.
//! The engine's real stack is sized well above what the budget allows (see
//! `runtime::tunables`).
use wasmparser::{BlockType, Operator};

/// Export name of the flag set when the budget is exceeded.
pub const EXHAUSTED_EXPORT: &str = "ee_stack_exhausted";

/// The operators written before and after a call charged `weight` units against
/// `budget`: the counter global `depth` is raised and checked (over budget sets the global
/// `exhausted` and traps), and lowered when the call returns.
pub(crate) fn around_call(
    weight: u32,
    budget: u32,
    depth: u32,
    exhausted: u32,
) -> ([Operator<'static>; 12], [Operator<'static>; 4]) {
    let w = weight as i32;
    (
        [
            Operator::GlobalGet { global_index: depth },
            Operator::I32Const { value: w },
            Operator::I32Add,
            Operator::GlobalSet { global_index: depth },
            Operator::GlobalGet { global_index: depth },
            Operator::I32Const { value: budget as i32 },
            Operator::I32GtU,
            Operator::If { blockty: BlockType::Empty },
            Operator::I32Const { value: 1 },
            Operator::GlobalSet { global_index: exhausted },
            Operator::Unreachable,
            Operator::End,
        ],
        [
            Operator::GlobalGet { global_index: depth },
            Operator::I32Const { value: w },
            Operator::I32Sub,
            Operator::GlobalSet { global_index: depth },
        ],
    )
}
