//! How an EE's code runs: implemented by the wasmer runtime and by the native backend.
use super::{HostError, HostLogic};
use crate::state::EeEntry;
use serde::Serialize;

/// Runs one EE transaction against a [`HostLogic`]. On return, `logic.gas_left()` must
/// reflect all gas spent (instructions and host calls). Takes `&self` because a running EE
/// may call another synchronously (`call_ee`), re-entering the same runner.
pub trait EeRunner {
    /// Runs `entry`'s `main` once.
    fn run(&self, entry: &EeEntry, logic: &mut HostLogic<'_>) -> Result<RunStats, TxError>;

    /// Runs wasm `code` as a child instance (role `Child`, `spawn`). A runner that runs
    /// no wasm refuses every child.
    fn spawn(&self, code: &[u8], logic: &mut HostLogic<'_>) -> Result<RunStats, TxError> {
        let _ = (code, logic);
        Err(TxError::Load("this runner runs no wasm children".into()))
    }
}

impl<R: EeRunner + ?Sized> EeRunner for Box<R> {
    fn run(&self, entry: &EeEntry, logic: &mut HostLogic<'_>) -> Result<RunStats, TxError> {
        (**self).run(entry, logic)
    }
    fn spawn(&self, code: &[u8], logic: &mut HostLogic<'_>) -> Result<RunStats, TxError> {
        (**self).spawn(code, logic)
    }
}

impl<R: EeRunner + ?Sized> EeRunner for &R {
    fn run(&self, entry: &EeEntry, logic: &mut HostLogic<'_>) -> Result<RunStats, TxError> {
        (**self).run(entry, logic)
    }
    fn spawn(&self, code: &[u8], logic: &mut HostLogic<'_>) -> Result<RunStats, TxError> {
        (**self).spawn(code, logic)
    }
}

/// Timings of one run, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunStats {
    /// Compilation (0 when the module came from the cache).
    pub compile_us: u64,
    /// Instantiation and linking.
    pub instantiate_us: u64,
    /// Running `main`.
    pub execute_us: u64,
    /// Whether the compiled module came from the cache.
    pub cached: bool,
    /// Instruction gas per operator category (`gas::OpCategory::ALL` order); filled only by
    /// a profiling runtime (`Runtime::profiling`).
    pub category_gas: [u64; 13],
    /// Gas for instantiation and linear-memory pages (`gas::resources`), part of the
    /// instruction gas; 0 on the native backend.
    pub resource_gas: u64,
}

/// Why a transaction failed. A failed transaction leaves no outputs and no state change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TxError {
    /// The transaction names an EE that is not registered.
    #[error("EE {0} is not registered")]
    UnknownEe(u32),
    /// Gas ran out.
    #[error("out of gas")]
    OutOfGas,
    /// A host call failed (including `abort`).
    #[error("{0}")]
    Host(HostError),
    /// The wasm code trapped (unreachable, out-of-bounds memory, division by zero, …).
    #[error("trap: {0}")]
    Trap(String),
    /// The call-stack budget (`Limits::stack_units`) was exceeded.
    #[error("call stack limit exceeded")]
    StackExhausted,
    /// The module was refused at load time (see `ee check`).
    #[error("module rejected: {0}")]
    Load(String),
    /// Instantiation failed (e.g. memory larger than the limit).
    #[error("instantiation failed: {0}")]
    Instantiate(String),
    /// Native backend: the EE panicked.
    #[error("EE panicked: {0}")]
    Panic(String),
    /// Native backend: no entry function registered for this EE.
    #[error("no native entry for EE {0}")]
    NoNativeEntry(u32),
}

impl From<HostError> for TxError {
    fn from(e: HostError) -> Self {
        match e {
            HostError::OutOfGas => TxError::OutOfGas,
            other => TxError::Host(other),
        }
    }
}
