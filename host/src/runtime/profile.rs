//! Instruction gas per operator category and per function, for `ee gas` (a profiler's
//! view).
//!
//! A profiling compilation inserts this middleware between the stack limiter and the
//! metering: it sees exactly the operator stream the metering prices and, at the same
//! accounting points, adds each basic block's cost per category to one exported `i64`
//! global per category (`ee_gas_<category>`), and its whole cost to one exported global
//! per function of the module (`ee_gas_fn_<function index>`, the index the name section
//! and `ee inspect` use: imports first). The metering after it also counts the
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

/// Prefix of the export names of the per-function counters.
pub const FUNCTION_EXPORT_PREFIX: &str = "ee_gas_fn_";

/// The counters of one module: per category, and per local function.
struct Counters {
    categories: Vec<GlobalIndex>,
    functions: Vec<GlobalIndex>,
}

/// The per-module profiler.
pub struct Profiler {
    pricer: Arc<ModulePricer>,
    globals: Mutex<Option<Counters>>,
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
        index: LocalFunctionIndex,
    ) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        // Only this function's counter is taken (not a copy of every function's: that
        // was quadratic in the module's functions).
        let guard = self.globals.lock().expect("lock");
        let counters = guard.as_ref().expect("module info transformed first");
        Box::new(FunctionProfiler {
            pricer: self.pricer.clone(),
            globals: counters.categories.clone(),
            function: counters.functions.get(index.as_u32() as usize).map(|g| g.as_u32()),
            block: [0; 13],
        })
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
        let imported = info.num_imported_functions;
        let mut functions = Vec::with_capacity(info.functions.len() - imported);
        for local in 0..info.functions.len() - imported {
            let g = info.globals.push(GlobalType::new(Type::I64, Mutability::Var));
            info.global_initializers.push(GlobalInit::I64Const(0));
            info.exports
                .insert(format!("{FUNCTION_EXPORT_PREFIX}{}", imported + local), ExportIndex::Global(g));
            functions.push(g);
        }
        *globals = Some(Counters { categories: indices, functions });
        Ok(())
    }
}

#[derive(Debug)]
struct FunctionProfiler {
    pricer: Arc<ModulePricer>,
    globals: Vec<GlobalIndex>,
    /// This function's counter.
    function: Option<u32>,
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
            let total: u64 = self.block.iter().sum();
            if let (Some(g), true) = (self.function, total > 0) {
                state.extend(&[
                    Operator::GlobalGet { global_index: g },
                    Operator::I64Const { value: total as i64 },
                    Operator::I64Add,
                    Operator::GlobalSet { global_index: g },
                ]);
            }
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
