//! Instruction gas per operator category, for `ee gas` (a profiler's view).
//!
//! A profiling compilation inserts this middleware between the stack limiter and the
//! metering: it sees exactly the operator stream the metering prices and, at the same
//! accounting points, adds each basic block's cost per category to one exported `i64`
//! global per category (`ee_gas_<category>`). The metering after it also counts the
//! profiler's own instructions, so a profiled run's *total* is not the real gas — `ee gas`
//! takes totals from an ordinary run and only the split from this one (they agree exactly:
//! a test checks that the categories sum to the ordinary run's instruction gas).
use crate::gas::operators::categorize;
use crate::gas::{ModulePricer, OpCategory};
use std::fmt;
use std::sync::{Arc, Mutex};
use wasmer::sys::{FunctionMiddleware, MiddlewareError, MiddlewareReaderState, ModuleMiddleware};
use wasmer::wasmparser::Operator;
use wasmer::{ExportIndex, GlobalInit, GlobalType, LocalFunctionIndex, Mutability, Type};
use wasmer_middlewares::metering::is_accounting;
use wasmer_types::{GlobalIndex, ModuleInfo};

/// Export name of the counter of `category`.
pub fn export_name(category: OpCategory) -> String {
    format!("ee_gas_{}", category.name())
}

/// The per-module profiler.
pub struct Profiler {
    pricer: Arc<ModulePricer>,
    globals: Mutex<Option<Vec<GlobalIndex>>>,
}

impl fmt::Debug for Profiler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Profiler")
    }
}

impl Profiler {
    /// A profiler pricing operators as the module's metering does.
    pub fn new(pricer: ModulePricer) -> Self {
        Profiler { pricer: Arc::new(pricer), globals: Mutex::new(None) }
    }
}

impl ModuleMiddleware for Profiler {
    fn generate_function_middleware<'a>(
        &self,
        _: LocalFunctionIndex,
    ) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        let globals = self.globals.lock().expect("lock").clone().expect("module info transformed first");
        Box::new(FunctionProfiler { pricer: self.pricer.clone(), globals, block: [0; 13] })
    }

    fn transform_module_info(&self, info: &mut ModuleInfo) -> Result<(), MiddlewareError> {
        let mut globals = self.globals.lock().expect("lock");
        if globals.is_some() {
            return Err(MiddlewareError::new("Profiler", "middleware reused for a second module"));
        }
        let mut indices = Vec::with_capacity(OpCategory::ALL.len());
        for c in OpCategory::ALL {
            let g = info.globals.push(GlobalType::new(Type::I64, Mutability::Var));
            info.global_initializers.push(GlobalInit::I64Const(0));
            info.exports.insert(export_name(c), ExportIndex::Global(g));
            indices.push(g);
        }
        *globals = Some(indices);
        Ok(())
    }
}

#[derive(Debug)]
struct FunctionProfiler {
    pricer: Arc<ModulePricer>,
    globals: Vec<GlobalIndex>,
    block: [u64; 13],
}

impl<'a> FunctionMiddleware<'a> for FunctionProfiler {
    fn feed(
        &mut self,
        op: Operator<'a>,
        state: &mut MiddlewareReaderState<'a>,
    ) -> Result<(), MiddlewareError> {
        let c = categorize(&op).unwrap_or(OpCategory::Divide);
        self.block[c.index()] += self.pricer.cost(&op);
        if is_accounting(&op) {
            for (i, cost) in self.block.iter_mut().enumerate() {
                if *cost > 0 {
                    let g = self.globals[i].as_u32();
                    state.extend(&[
                        Operator::GlobalGet { global_index: g },
                        Operator::I64Const { value: *cost as i64 },
                        Operator::I64Add,
                        Operator::GlobalSet { global_index: g },
                    ]);
                    *cost = 0;
                }
            }
        }
        state.push_operator(op);
        Ok(())
    }
}
