//! The wasmer linker, generated from the ABI table: one typed host function per entry,
//! registered under its module, name and aliases — only for roles allowed to import it.
use super::WasmEnv;
use super::memory::WasmMemory;
use crate::abi::{HostFn, HostKind, MODULE, ResultKind, Role, kinds};
use crate::logic::{GuestMemory, HostError, HostLogic};
use wasmer::{FunctionEnv, FunctionEnvMut, Imports, Store, Value};

/// Runs one host call: syncs gas from the metering global into the logic, runs `f` with
/// the instance's memory, writes gas back (flagging exhaustion).
fn host_call<R>(
    fenv: &mut FunctionEnvMut<WasmEnv>,
    f: impl FnOnce(&mut HostLogic<'_>, &mut dyn GuestMemory) -> Result<R, HostError>,
) -> Result<R, HostError> {
    let (env, mut store) = fenv.data_and_store_mut();
    let (Some(memory), Some(remaining), Some(exhausted)) =
        (env.memory.clone(), env.remaining.clone(), env.exhausted.clone())
    else {
        return Err(HostError::Aborted("host call before the instance was set up".into()));
    };
    // SAFETY: `Runtime::run` points `logic` at a live `HostLogic` for exactly the duration
    // of the `main` call during which host functions can run, and touches it only after.
    let Some(logic) = (unsafe { env.logic() }) else {
        return Err(HostError::Aborted("host call outside a transaction".into()));
    };
    let mut left = match remaining.get(&mut store) {
        Value::I64(v) => v as u64,
        _ => 0,
    };
    // Pages grown since the last host call are paid for first.
    let pages = u64::from(memory.view(&store).size().0);
    if pages > env.pages_paid {
        let gas = env.page_gas.saturating_mul(pages - env.pages_paid);
        env.pages_paid = pages;
        env.page_gas_charged = env.page_gas_charged.saturating_add(gas);
        if gas > left {
            logic.set_gas_left(0);
            let _ = remaining.set(&mut store, Value::I64(0));
            let _ = exhausted.set(&mut store, Value::I32(1));
            return Err(HostError::OutOfGas);
        }
        left -= gas;
    }
    logic.set_gas_left(left);
    let result = {
        let view = memory.view(&store);
        let mut mem = WasmMemory::new(&view);
        f(logic, &mut mem)
    };
    let _ = remaining.set(&mut store, Value::I64(logic.gas_left() as i64));
    if matches!(result, Err(HostError::OutOfGas)) {
        let _ = exhausted.set(&mut store, Value::I32(1));
    }
    result
}

macro_rules! define_linker {
    ($( $(#[doc = $doc:literal])* fn $name:ident($($p:ident: $k:ident),*) -> $r:ident $info:tt; )*) => {
        /// The host functions `needed[f.index()]` (those the module imports and its role
        /// may use), bound to `env`, under their names and aliases.
        pub(super) fn linker(store: &mut Store, env: &FunctionEnv<WasmEnv>, role: Role, needed: &[bool]) -> Imports {
            let mut imports = Imports::new();
            $(
                if HostFn::$name.allowed(role) && needed.get(HostFn::$name.index()).copied().unwrap_or(false) {
                    #[allow(non_snake_case)]
                    fn $name(
                        mut fenv: FunctionEnvMut<WasmEnv>,
                        $($p: <kinds::$k as HostKind>::Wasm),*
                    ) -> Result<<kinds::$r as HostKind>::Wasm, HostError> {
                        host_call(&mut fenv, |logic, mem| logic.$name(mem, $(<kinds::$k as HostKind>::from_wasm($p)),*))
                            .map(<kinds::$r as ResultKind>::to_wasm)
                    }
                    let f = wasmer::Function::new_typed_with_env(store, env, $name);
                    imports.define(MODULE, stringify!($name), f.clone());
                    for &(module, name) in HostFn::$name.aliases() {
                        imports.define(module, name, f.clone());
                    }
                }
            )*
            imports
        }
    };
}

ee_sdk::for_each_host_fn!(define_linker);
