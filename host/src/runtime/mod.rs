//! The wasmer runtime: load-time checks, metered compilation with a module cache, and
//! running an EE's `main` against the host logic.
//!
//! * [`gatekeeper`]: what a module may contain (see `ee check`).
//! * [`inspect`]: section sizes and largest functions (see `ee inspect`).
//! * [`profile`]: instruction gas per operator category (see `ee gas`).
//! * [`instrument`]: the rewrite compiled in place of the module: stack limit, gas
//!   metering held in a local, profiler counters.
//! * [`stack`]: the deterministic call-stack budget.
//! * [`tunables`]: memory-page cap and native stack size.
//! * [`disk_cache`]: compiled modules on disk across processes.
//! * `imports`: the linker generated from the ABI table.
//! * `memory`: bounds-checked [`GuestMemory`](crate::logic::GuestMemory) over a view.
//!
//! Instruction gas is written into the module by [`instrument`] with the cost table's
//! per-operator prices, at the accounting points of `wasmer-middlewares`' `Metering`;
//! host-call gas is charged by the host logic against the same counter (the gas local is
//! written to the exported global before every call and read back after it), so an EE
//! that never calls a host function is metered exactly like one that does.
pub mod callgraph;
pub mod disk_cache;
pub mod gatekeeper;
mod imports;
pub mod inspect;
pub mod instrument;
mod memory;
pub mod pool;
pub mod profile;
pub mod stack;
pub mod tunables;

pub use gatekeeper::{LoadError, ModuleFacts, ModuleKind, Problem};

use crate::abi::Role;
use crate::gas::CostTable;
use crate::limits::Limits;
use crate::logic::{EeRunner, RunStats, TxError};
use crate::logic::{HostError, HostLogic};
use crate::state::EeEntry;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use wasmer::sys::{EngineBuilder, NativeEngineExt};
use wasmer::{Engine, FunctionEnv, Global, Instance, Memory, Module, Store, Value};
use wasmer_middlewares::metering::{MeteringPoints, get_remaining_points, set_remaining_points};

/// Which wasmer compiler compiles EEs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// One pass, linear-time compilation: safe against compile-time bombs, slower code.
    Singlepass,
    /// Optimising compiler: ~7× faster code on hash-heavy EEs, slower to compile.
    #[cfg(feature = "cranelift")]
    Cranelift,
}

impl EngineKind {
    /// Every engine this build supports.
    pub fn all() -> &'static [EngineKind] {
        &[
            EngineKind::Singlepass,
            #[cfg(feature = "cranelift")]
            EngineKind::Cranelift,
        ]
    }

    /// The engine's name.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Singlepass => "singlepass",
            #[cfg(feature = "cranelift")]
            EngineKind::Cranelift => "cranelift",
        }
    }

    /// Parses an engine name.
    pub fn parse(name: &str) -> Option<EngineKind> {
        EngineKind::all().iter().copied().find(|e| e.name() == name)
    }
}

impl Default for EngineKind {
    /// Cranelift when built in: with compiled modules cached by code hash, blocks pay
    /// compilation once per EE and then run several times faster (see README, "Engines").
    fn default() -> Self {
        #[cfg(feature = "cranelift")]
        return EngineKind::Cranelift;
        #[cfg(not(feature = "cranelift"))]
        return EngineKind::Singlepass;
    }
}

/// A checked, compiled module ready to instantiate.
pub struct LoadedModule {
    engine: Engine,
    module: Module,
    /// `needed[f.index()]`: whether the module imports host function `f`.
    needed: Vec<bool>,
    /// What the gatekeeper found.
    pub facts: ModuleFacts,
    /// Compilation time in microseconds (loading time when it came from the disk cache).
    pub compile_us: u64,
    /// Whether it was loaded from the disk cache rather than compiled.
    pub from_disk: bool,
    /// sha256 of the code.
    pub code_hash: [u8; 32],
}

/// Per-instance data the host functions see.
#[derive(Default)]
pub(crate) struct WasmEnv {
    logic: usize,
    memory: Option<Memory>,
    remaining: Option<Global>,
    exhausted: Option<Global>,
    /// Linear-memory pages paid for so far (initial pages at instantiation, grown ones
    /// at host calls and when `main` returns).
    pages_paid: u64,
    /// Gas per page ([`crate::gas::ResourceCosts::memory_page`]).
    page_gas: u64,
    /// Gas charged for grown pages at host calls.
    page_gas_charged: u64,
}

impl WasmEnv {
    /// The host logic of the running call.
    ///
    /// # Safety
    /// Only valid while `Runtime::run` has installed a pointer (during `main`).
    unsafe fn logic<'l>(&self) -> Option<&'l mut HostLogic<'l>> {
        if self.logic == 0 {
            None
        } else {
            // SAFETY: see the function's contract.
            Some(unsafe { &mut *(self.logic as *mut HostLogic<'l>) })
        }
    }
}

type CacheKey = [u8; 32];

/// Compiles and runs EEs with one engine, cost table and set of limits; caches compiled
/// modules by (code hash, engine, cost-table hash, compile-relevant limits, kind).
pub struct Runtime {
    engine: EngineKind,
    costs: Arc<CostTable>,
    limits: Limits,
    cost_hash: [u8; 32],
    cache: Mutex<HashMap<CacheKey, Arc<LoadedModule>>>,
    libraries: Vec<(String, Arc<[u8]>)>,
    library_names: Vec<String>,
    profile: bool,
    /// Profiling runtimes: instruction gas per function index, per code hash, summed over
    /// every run.
    function_gas: Mutex<HashMap<[u8; 32], std::collections::BTreeMap<u32, u64>>>,
    disk: Option<Arc<disk_cache::DiskCache>>,
}

impl Runtime {
    /// A runtime with `engine`, `costs` and `limits`.
    pub fn new(engine: EngineKind, costs: Arc<CostTable>, limits: Limits) -> Self {
        let cost_hash = costs.hash();
        Runtime {
            engine,
            costs,
            limits,
            cost_hash,
            cache: Mutex::new(HashMap::new()),
            libraries: Vec::new(),
            library_names: Vec::new(),
            profile: false,
            function_gas: Mutex::new(HashMap::new()),
            disk: None,
        }
    }

    /// Also keeps compiled modules in `cache` on disk (and loads them from it): a second
    /// process running the same EEs compiles nothing.
    pub fn with_disk_cache(mut self, cache: Arc<disk_cache::DiskCache>) -> Self {
        self.disk = Some(cache);
        self
    }

    /// The disk cache, if any.
    pub fn disk_cache(&self) -> Option<&disk_cache::DiskCache> {
        self.disk.as_deref()
    }

    /// A runtime that also counts instruction gas per operator category (`RunStats::
    /// category_gas`). Its own counters cost gas, so take gas totals from an ordinary
    /// runtime and give this one a larger limit.
    pub fn profiling(mut self) -> Self {
        self.profile = true;
        self
    }

    /// A profiling runtime's instruction gas per function of `code` (function index, as in
    /// the name section: imports first), summed over every run of it so far; empty for
    /// other runtimes. Like the categories, the split of the real gas, not a total.
    pub fn function_gas(&self, code: &[u8]) -> std::collections::BTreeMap<u32, u64> {
        let hash: [u8; 32] = Sha256::digest(code).into();
        self.function_gas.lock().expect("profile lock").get(&hash).cloned().unwrap_or_default()
    }

    /// Links these libraries (name, wasm) into every EE it runs: an EE importing from
    /// module `name` gets the library's exports (Scout's `beacon_state.libraries`). Every
    /// library is checked and compiled up front.
    pub fn with_libraries(mut self, libraries: Vec<(String, Arc<[u8]>)>) -> Result<Self, LoadError> {
        for (_, code) in &libraries {
            self.load_kind(code, ModuleKind::Library)?;
        }
        self.library_names = libraries.iter().map(|(n, _)| n.clone()).collect();
        self.libraries = libraries;
        Ok(self)
    }

    /// The engine in use.
    pub fn engine(&self) -> EngineKind {
        self.engine
    }

    /// The cost table in use.
    pub fn costs(&self) -> &Arc<CostTable> {
        &self.costs
    }

    /// The limits in use.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn cache_key(&self, code: &[u8], kind: ModuleKind<'_>) -> CacheKey {
        let mut h = Sha256::new();
        h.update(Sha256::digest(code));
        h.update(self.engine.name());
        h.update(self.cost_hash);
        h.update(self.limits.memory_pages.to_le_bytes());
        h.update(self.limits.meta_memory_pages.to_le_bytes());
        h.update(self.limits.stack_units.to_le_bytes());
        h.update([u8::from(self.profile)]);
        match kind {
            ModuleKind::Ee(role, libraries) => {
                h.update([role as u8]);
                for l in libraries {
                    h.update(l.as_bytes());
                    h.update([0]);
                }
            }
            ModuleKind::Library => h.update([0xff]),
        }
        h.finalize().into()
    }

    /// Number of compiled modules held.
    pub fn cached_modules(&self) -> usize {
        self.cache.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Checks and compiles `code` for `role`, or returns the cached module. The bool says
    /// whether it came from the cache.
    pub fn load(&self, code: &[u8], role: Role) -> Result<(Arc<LoadedModule>, bool), LoadError> {
        self.load_kind(code, ModuleKind::Ee(role, &self.library_names))
    }

    /// Checks and compiles `code` for `role` without caching the result (for code that may
    /// never run: a deployment being validated or estimated).
    pub fn validate(&self, code: &[u8], role: Role) -> Result<(), LoadError> {
        self.compile(code, ModuleKind::Ee(role, &self.library_names)).map(|_| ())
    }

    fn load_kind(&self, code: &[u8], kind: ModuleKind<'_>) -> Result<(Arc<LoadedModule>, bool), LoadError> {
        let key = self.cache_key(code, kind);
        if let Some(m) = self.cache.lock().expect("cache lock").get(&key) {
            return Ok((m.clone(), true));
        }
        let loaded = Arc::new(self.compile_with(code, kind, self.disk.as_deref().map(|d| (d, key)))?);
        self.cache.lock().expect("cache lock").insert(key, loaded.clone());
        Ok((loaded, false))
    }

    fn compile(&self, code: &[u8], kind: ModuleKind<'_>) -> Result<LoadedModule, LoadError> {
        self.compile_with(code, kind, None)
    }

    /// Checks `code` and compiles it, or loads it from the disk cache entry `disk` (and
    /// stores it there after compiling). The gatekeeper runs either way: its facts drive
    /// the linker and the stack budget, and a module is never loaded unchecked.
    fn compile_with(
        &self,
        code: &[u8],
        kind: ModuleKind<'_>,
        disk: Option<(&disk_cache::DiskCache, CacheKey)>,
    ) -> Result<LoadedModule, LoadError> {
        let facts = gatekeeper::check_kind(code, kind, &self.limits)?;
        let started = Instant::now();
        let mut engine: Engine = match self.engine {
            EngineKind::Singlepass => EngineBuilder::new(wasmer::sys::Singlepass::default()).engine().into(),
            #[cfg(feature = "cranelift")]
            EngineKind::Cranelift => EngineBuilder::new(wasmer::sys::Cranelift::default()).engine().into(),
        };
        let pages = match kind {
            ModuleKind::Ee(role, _) => self.limits.memory_pages_for(role),
            ModuleKind::Library => self.limits.memory_pages,
        };
        engine.set_tunables(tunables::LimitingTunables::new(pages));
        // SAFETY: `DiskCache::get` returns only entries whose HMAC under the cache's
        // secret verifies: bytes this host serialized from a module it compiled with the
        // same key (code, engine, costs, limits, role) and versions.
        let from_disk = disk
            .and_then(|(cache, key)| cache.get(&key))
            .and_then(|bytes| unsafe { Module::deserialize(&engine, bytes) }.ok());
        let from_disk_ok = from_disk.is_some();
        let module = match from_disk {
            Some(m) => m,
            None => {
                let pricer = crate::gas::ModulePricer::new(
                    &self.costs,
                    facts.local_counts.clone(),
                    facts.max_indirect_locals,
                );
                let plan = instrument::Plan {
                    pricer: &pricer,
                    call_weights: &facts.stack_plan.call_weights,
                    indirect_weight: facts.stack_plan.indirect_weight,
                    stack_budget: self.limits.stack_units.saturating_sub(facts.stack_plan.entry_margin),
                    profile: self.profile,
                };
                let instrumented = instrument::instrument(code, &plan)
                    .map_err(|e| LoadError(vec![Problem::Invalid(e.to_string())]))?;
                let m = Module::new(&engine, &instrumented)
                    .map_err(|e| LoadError(vec![Problem::Invalid(format!("compilation failed: {e}"))]))?;
                if let Some((cache, key)) = disk {
                    match m.serialize() {
                        Ok(bytes) => cache.put(&key, &bytes),
                        Err(e) => tracing::warn!(error = %e, "module cache: could not serialize a module"),
                    }
                }
                m
            }
        };
        let mut needed = vec![false; crate::abi::HostFn::ALL.len()];
        for f in facts.imports.iter().filter_map(|i| i.function) {
            needed[f.index()] = true;
        }
        Ok(LoadedModule {
            engine,
            module,
            needed,
            facts,
            compile_us: started.elapsed().as_micros() as u64,
            from_disk: from_disk_ok,
            code_hash: Sha256::digest(code).into(),
        })
    }

    fn execute(&self, entry: &EeEntry, logic: &mut HostLogic<'_>) -> Result<RunStats, TxError> {
        let (loaded, cached) =
            self.load(&entry.code, entry.role).map_err(|e| TxError::Load(e.to_string()))?;
        self.execute_loaded(&loaded, cached, entry.role, logic)
    }

    /// Runs a child instance: `code` checked for role `Child` (linking no libraries) and
    /// cached by code hash like any EE.
    fn execute_child(&self, code: &[u8], logic: &mut HostLogic<'_>) -> Result<RunStats, TxError> {
        let (loaded, cached) = self
            .load_kind(code, ModuleKind::Ee(Role::Child, &[]))
            .map_err(|e| TxError::Load(e.to_string()))?;
        self.execute_loaded(&loaded, cached, Role::Child, logic)
    }

    /// Runs an instance and returns its statistics — also, through the logic
    /// (`HostLogic::record_stats`), when it fails, so a failed transaction reports its
    /// time and gas split too.
    fn execute_loaded(
        &self,
        loaded: &LoadedModule,
        cached: bool,
        role: Role,
        logic: &mut HostLogic<'_>,
    ) -> Result<RunStats, TxError> {
        let mut stats =
            RunStats { compile_us: if cached { 0 } else { loaded.compile_us }, cached, ..Default::default() };
        // The instrumented code counts gas in a signed local: an instance is given at most
        // `instrument::MAX_GAS` (2^62, far more than any block holds) and the rest is
        // handed back after it.
        let held_back = logic.gas_left().saturating_sub(instrument::MAX_GAS);
        logic.set_gas_left(logic.gas_left() - held_back);
        let result = self.run_instance(loaded, role, logic, &mut stats);
        logic.set_gas_left(logic.gas_left().saturating_add(held_back));
        logic.record_stats(stats);
        result.map(|()| stats)
    }

    fn run_instance(
        &self,
        loaded: &LoadedModule,
        role: Role,
        logic: &mut HostLogic<'_>,
        stats: &mut RunStats,
    ) -> Result<(), TxError> {
        let started = Instant::now();
        let mut store = Store::new(loaded.engine.clone());
        let env = FunctionEnv::new(&mut store, WasmEnv::default());
        let mut imports = imports::linker(&mut store, &env, role, &loaded.needed);
        let budget = logic.gas_left();
        let libraries = if role == Role::Child {
            Vec::new()
        } else {
            self.link_libraries(&mut store, &mut imports, budget)?
        };
        // Instantiation is paid for before it happens: a transaction that cannot pay
        // creates nothing.
        let instance_gas = self.costs.resources.instantiation(&loaded.facts.instance);
        if instance_gas > logic.gas_left() {
            logic.set_gas_left(0);
            return Err(TxError::OutOfGas);
        }
        logic.set_gas_left(logic.gas_left() - instance_gas);
        stats.resource_gas = instance_gas;
        let instance = Instance::new(&mut store, &loaded.module, &imports)
            .map_err(|e| TxError::Instantiate(e.to_string()))?;
        let exports = &instance.exports;
        let memory = exports.get_memory("memory").map_err(|e| TxError::Instantiate(e.to_string()))?.clone();
        let remaining = exports
            .get_global(instrument::REMAINING_EXPORT)
            .map_err(|e| TxError::Instantiate(e.to_string()))?
            .clone();
        let exhausted = exports
            .get_global(instrument::GAS_EXHAUSTED_EXPORT)
            .map_err(|e| TxError::Instantiate(e.to_string()))?
            .clone();
        let main = exports
            .get_typed_function::<(), ()>(&store, "main")
            .map_err(|e| TxError::Instantiate(e.to_string()))?;
        set_remaining_points(&mut store, &instance, logic.gas_left());
        {
            let data = env.as_mut(&mut store);
            data.memory = Some(memory);
            data.remaining = Some(remaining);
            data.exhausted = Some(exhausted);
            data.pages_paid = loaded.facts.instance.memory_pages;
            data.page_gas = self.costs.resources.memory_page;
        }
        stats.instantiate_us = started.elapsed().as_micros() as u64;

        let started = Instant::now();
        env.as_mut(&mut store).logic = logic as *mut HostLogic<'_> as usize;
        let result = main.call(&mut store);
        env.as_mut(&mut store).logic = 0;
        stats.execute_us = started.elapsed().as_micros() as u64;

        let points = get_remaining_points(&mut store, &instance);
        let mut left = match points {
            MeteringPoints::Remaining(n) => n,
            MeteringPoints::Exhausted => 0,
        };
        // Pages grown since the last host call are paid for now.
        let (page_gas, paid, charged, memory) = {
            let d = env.as_ref(&store);
            (d.page_gas, d.pages_paid, d.page_gas_charged, d.memory.clone())
        };
        let pages = memory.map_or(paid, |m| u64::from(m.view(&store).size().0));
        let grown_gas = page_gas.saturating_mul(pages.saturating_sub(paid));
        stats.resource_gas = stats.resource_gas.saturating_add(charged).saturating_add(grown_gas);
        let pages_exhausted = grown_gas > left;
        left = left.saturating_sub(grown_gas);
        // Libraries meter their own instructions against the same budget.
        let mut library_exhausted = false;
        for lib in &libraries {
            let used = match get_remaining_points(&mut store, lib) {
                MeteringPoints::Remaining(n) => budget.saturating_sub(n),
                MeteringPoints::Exhausted => {
                    library_exhausted = true;
                    budget
                }
            };
            library_exhausted |= used > left;
            left = left.saturating_sub(used);
        }
        logic.set_gas_left(left);
        if library_exhausted || pages_exhausted {
            logic.set_gas_left(0);
            return Err(TxError::OutOfGas);
        }
        if self.profile {
            for c in crate::gas::OpCategory::ALL {
                if let Ok(g) = exports.get_global(&profile::export_name(c))
                    && let Value::I64(v) = g.get(&mut store)
                {
                    stats.category_gas[c.index()] = v as u64;
                }
            }
            let mut profile = self.function_gas.lock().expect("profile lock");
            let functions = profile.entry(loaded.code_hash).or_default();
            for (name, export) in exports.iter() {
                let Some(index) = name.strip_prefix(profile::FUNCTION_EXPORT_PREFIX) else { continue };
                if let (Ok(index), wasmer::Extern::Global(g)) = (index.parse::<u32>(), export)
                    && let Value::I64(v) = g.get(&mut store)
                    && v != 0
                {
                    *functions.entry(index).or_default() += v as u64;
                }
            }
        }
        let Err(err) = result else { return Ok(()) };
        if let Some(host) = err.downcast_ref::<HostError>() {
            return Err(host.clone().into());
        }
        if points == MeteringPoints::Exhausted {
            return Err(TxError::OutOfGas);
        }
        let stack_flag =
            exports.get_global(stack::EXHAUSTED_EXPORT).map(|g| g.get(&mut store)).unwrap_or(Value::I32(0));
        if stack_flag == Value::I32(1) {
            return Err(TxError::StackExhausted);
        }
        let trap = err.clone().to_trap();
        if trap != Some(wasmer_types::TrapCode::UnreachableCodeReached) {
            // A trap the module did not raise itself left the gas counter where its last
            // flush did (see `instrument`): it costs all the gas that was left.
            logic.set_gas_left(0);
        }
        match trap {
            Some(wasmer_types::TrapCode::StackOverflow) => Err(TxError::StackExhausted),
            Some(code) => Err(TxError::Trap(code.to_string())),
            None => Err(TxError::Trap(err.message())),
        }
    }
}

impl Runtime {
    /// Instantiates every library in `store` with `budget` gas and adds its exports to
    /// `imports` under its name.
    fn link_libraries(
        &self,
        store: &mut Store,
        imports: &mut wasmer::Imports,
        budget: u64,
    ) -> Result<Vec<Instance>, TxError> {
        let mut instances = Vec::with_capacity(self.libraries.len());
        for (name, code) in &self.libraries {
            let (lib, _) =
                self.load_kind(code, ModuleKind::Library).map_err(|e| TxError::Load(e.to_string()))?;
            let instance = Instance::new(store, &lib.module, &wasmer::Imports::new())
                .map_err(|e| TxError::Instantiate(format!("library {name}: {e}")))?;
            set_remaining_points(store, &instance, budget);
            for (export, ext) in instance.exports.iter() {
                if !instrument::is_instrumentation_export(export) {
                    imports.define(name, export, ext.clone());
                }
            }
            instances.push(instance);
        }
        Ok(instances)
    }
}

impl Runtime {
    /// Runs `code` as a child instance on `input` with `gas`, outside any block: what a
    /// client replaying or previewing an EE that spawns children needs (an
    /// [`ee_sdk::client::ChildRunner`] over this runtime). A child's imports read only its
    /// input and set its return data; it touches no state. Returns the return data, or the
    /// status the parent would see — the same gatekeeper, metering, module cache and depth
    /// (one level below a top-level EE) as a spawn inside a block.
    pub fn run_child(&self, code: &[u8], input: &[u8], gas: u64) -> Result<Vec<u8>, ee_sdk::SpawnStatus> {
        use crate::logic::{BlockContext, TxEnv, TxState};
        use crate::state::{BeaconState, StateError, StateKey, Value};
        use ee_sdk::{EeId, ShardId};
        /// The state of a child: none.
        struct NoState;
        impl TxState for NoState {
            fn get_own(&mut self, _: &StateKey) -> Result<Value, StateError> {
                Err(StateError::Witness("a child has no state".into()))
            }
            fn set_own(&mut self, _: StateKey, _: Value) -> Result<(), StateError> {
                Err(StateError::Witness("a child has no state".into()))
            }
            fn get_foreign(&mut self, _: ShardId, _: &StateKey) -> Result<Value, StateError> {
                Err(StateError::Witness("a child has no state".into()))
            }
            fn load_multiproof(&mut self, _: &[u8]) -> Result<(), StateError> {
                Err(StateError::Witness("a child has no state".into()))
            }
        }
        let beacon = BeaconState::default();
        let env = TxEnv { shard: ShardId(0), shard_count: 1, slot: 0, ee: EeId(0), role: Role::Child };
        let block = BlockContext {
            beacon: &beacon,
            outputs: &[],
            deposits: &[],
            tx_hashes: &[],
            costs: &self.costs,
            limits: &self.limits,
            runner: self,
        };
        let mut state = NoState;
        let mut logic = HostLogic::new(env, input, block, &mut state, gas).one_level_down();
        let result = self.execute_child(code, &mut logic);
        let effects = logic.finish();
        match result {
            Ok(_) => Ok(effects.return_data),
            Err(e) => Err(crate::logic::spawn_status(&e)),
        }
    }
}

impl EeRunner for Runtime {
    fn run(&self, entry: &EeEntry, logic: &mut HostLogic<'_>) -> Result<RunStats, TxError> {
        self.execute(entry, logic)
    }

    fn spawn(&self, code: &[u8], logic: &mut HostLogic<'_>) -> Result<RunStats, TxError> {
        self.execute_child(code, logic)
    }
}
