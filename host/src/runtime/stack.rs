//! Deterministic call-stack limit, as a wasmer middleware.
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
use std::fmt;
use std::sync::{Arc, Mutex};
use wasmer::sys::{FunctionMiddleware, MiddlewareError, MiddlewareReaderState, ModuleMiddleware};
use wasmer::wasmparser::{BlockType, Operator};
use wasmer::{ExportIndex, GlobalInit, GlobalType, LocalFunctionIndex, Mutability, Type};
use wasmer_types::{GlobalIndex, ModuleInfo};

/// Export name of the flag set when the budget is exceeded.
pub const EXHAUSTED_EXPORT: &str = "ee_stack_exhausted";

/// The middleware for one module (wasmer middlewares are per module).
pub struct StackLimit {
    weights: Arc<Vec<u32>>,
    indirect_weight: u32,
    budget: u32,
    globals: Mutex<Option<(GlobalIndex, GlobalIndex)>>,
}

impl fmt::Debug for StackLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StackLimit").field("budget", &self.budget).finish()
    }
}

impl StackLimit {
    /// A limit of `budget` units given the charge around a call of each function (index
    /// space, imports first; 0 leaves the call uninstrumented) and the charge for
    /// `call_indirect`.
    pub fn new(weights: Vec<u32>, indirect_weight: u32, budget: u32) -> Self {
        StackLimit { weights: Arc::new(weights), indirect_weight, budget, globals: Mutex::new(None) }
    }
}

impl ModuleMiddleware for StackLimit {
    fn generate_function_middleware<'a>(
        &self,
        _: LocalFunctionIndex,
    ) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        let (depth, exhausted) = self.globals.lock().expect("lock").expect("module info transformed first");
        Box::new(FunctionStackLimit {
            weights: self.weights.clone(),
            indirect_weight: self.indirect_weight,
            budget: self.budget,
            depth,
            exhausted,
        })
    }

    fn transform_module_info(&self, info: &mut ModuleInfo) -> Result<(), MiddlewareError> {
        let mut globals = self.globals.lock().expect("lock");
        if globals.is_some() {
            return Err(MiddlewareError::new("StackLimit", "middleware reused for a second module"));
        }
        let depth = info.globals.push(GlobalType::new(Type::I32, Mutability::Var));
        info.global_initializers.push(GlobalInit::I32Const(0));
        let exhausted = info.globals.push(GlobalType::new(Type::I32, Mutability::Var));
        info.global_initializers.push(GlobalInit::I32Const(0));
        info.exports.insert(EXHAUSTED_EXPORT.to_string(), ExportIndex::Global(exhausted));
        *globals = Some((depth, exhausted));
        Ok(())
    }
}

#[derive(Debug)]
struct FunctionStackLimit {
    weights: Arc<Vec<u32>>,
    indirect_weight: u32,
    budget: u32,
    depth: GlobalIndex,
    exhausted: GlobalIndex,
}

impl<'a> FunctionMiddleware<'a> for FunctionStackLimit {
    fn feed(
        &mut self,
        op: Operator<'a>,
        state: &mut MiddlewareReaderState<'a>,
    ) -> Result<(), MiddlewareError> {
        let weight = match op {
            Operator::Call { function_index } => {
                Some(self.weights.get(function_index as usize).copied().unwrap_or(self.indirect_weight))
            }
            Operator::CallIndirect { .. } => Some(self.indirect_weight),
            _ => None,
        };
        let Some(weight) = weight.filter(|&w| w > 0) else {
            state.push_operator(op);
            return Ok(());
        };
        let depth = self.depth.as_u32();
        let w = weight as i32;
        state.extend(&[
            Operator::GlobalGet { global_index: depth },
            Operator::I32Const { value: w },
            Operator::I32Add,
            Operator::GlobalSet { global_index: depth },
            Operator::GlobalGet { global_index: depth },
            Operator::I32Const { value: self.budget as i32 },
            Operator::I32GtU,
            Operator::If { blockty: BlockType::Empty },
            Operator::I32Const { value: 1 },
            Operator::GlobalSet { global_index: self.exhausted.as_u32() },
            Operator::Unreachable,
            Operator::End,
        ]);
        state.push_operator(op);
        state.extend(&[
            Operator::GlobalGet { global_index: depth },
            Operator::I32Const { value: w },
            Operator::I32Sub,
            Operator::GlobalSet { global_index: depth },
        ]);
        Ok(())
    }
}
