//! The host's logic: one implementation of every host function, shared by the wasmer
//! runtime and the native test backend (principle 2).
//!
//! [`HostLogic`] holds one transaction's context. For every table entry it has a method of
//! the same name (generated from `ee_sdk::for_each_host_fn!`) that checks the caller's
//! role, charges `base + per_byte × bytes` gas and then runs the implementation in `imp`.
//! Backends only translate arguments and memory.
mod error;
mod imp;
mod memory;

pub use error::HostError;
pub use memory::GuestMemory;

use crate::abi::{HostFn, Role};
use crate::gas::{CostTable, HostProfile};
use crate::limits::Limits;
use crate::state::{BeaconState, StateError, StateKey, Value};
use ee_sdk::{EeId, Output, ShardId};
use std::collections::BTreeMap;

/// Identity of the running transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxEnv {
    /// The block's shard.
    pub shard: ShardId,
    /// Number of shards.
    pub shard_count: u32,
    /// The block's slot.
    pub slot: u64,
    /// The running EE.
    pub ee: EeId,
    /// Its role.
    pub role: Role,
}

/// State as one transaction sees it (implemented by the block executor's overlay).
pub trait TxState {
    /// Reads a key of the current shard (including this block's earlier writes).
    fn get_own(&mut self, key: &StateKey) -> Result<Value, StateError>;
    /// Writes a key of the current shard (kept only if the transaction succeeds).
    fn set_own(&mut self, key: StateKey, value: Value) -> Result<(), StateError>;
    /// Reads a key of another shard as of its latest crosslink.
    fn get_foreign(&mut self, shard: ShardId, key: &StateKey) -> Result<Value, StateError>;
    /// Loads a multiproof of foreign keys (a stateless source verifies it).
    fn load_multiproof(&mut self, bytes: &[u8]) -> Result<(), StateError>;
}

/// What a finished transaction leaves behind (applied only on success).
#[derive(Debug, Default)]
pub struct TxEffects {
    /// Outputs printed, tagged with the EE's id.
    pub outputs: Vec<Output>,
    /// Host calls made: calls and gas per function.
    pub profile: HostProfile,
    /// Debug log lines.
    pub logs: Vec<String>,
}

/// One transaction's view of the host.
pub struct HostLogic<'a> {
    env: TxEnv,
    data: &'a [u8],
    beacon: &'a BeaconState,
    state: &'a mut dyn TxState,
    block_outputs: &'a [Output],
    block_output_bytes: u64,
    costs: &'a CostTable,
    limits: &'a Limits,
    gas_left: u64,
    staged: Vec<Output>,
    staged_bytes: u64,
    profile: HostProfile,
    logs: Vec<String>,
    log_bytes: u32,
    outputs_cache: BTreeMap<EeId, Vec<u8>>,
}

impl<'a> HostLogic<'a> {
    /// Context for one transaction with `data` as input and `gas` to spend.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        env: TxEnv,
        data: &'a [u8],
        beacon: &'a BeaconState,
        state: &'a mut dyn TxState,
        block_outputs: &'a [Output],
        costs: &'a CostTable,
        limits: &'a Limits,
        gas: u64,
    ) -> Self {
        let block_output_bytes = block_outputs.iter().map(|o| o.data.len() as u64).sum();
        HostLogic {
            env,
            data,
            beacon,
            state,
            block_outputs,
            block_output_bytes,
            costs,
            limits,
            gas_left: gas,
            staged: Vec::new(),
            staged_bytes: 0,
            profile: HostProfile::default(),
            logs: Vec::new(),
            log_bytes: 0,
            outputs_cache: BTreeMap::new(),
        }
    }

    /// The transaction's identity.
    pub fn env(&self) -> &TxEnv {
        &self.env
    }

    /// Gas left.
    pub fn gas_left(&self) -> u64 {
        self.gas_left
    }

    /// Sets the gas left (the wasm backend syncs it with the metering global around every
    /// host call).
    pub fn set_gas_left(&mut self, gas: u64) {
        self.gas_left = gas;
    }

    /// Ends the transaction and hands over its effects.
    pub fn finish(self) -> TxEffects {
        TxEffects { outputs: self.staged, profile: self.profile, logs: self.logs }
    }

    /// Role check and gas for one call of `f` moving `bytes` metered bytes.
    fn enter(&mut self, f: HostFn, bytes: u64) -> Result<(), HostError> {
        if !f.allowed(self.env.role) {
            return Err(HostError::NotAllowed { function: f, role: self.env.role });
        }
        let cost = self.costs.host_call(f, bytes);
        if cost > self.gas_left {
            self.profile.record(f, self.gas_left);
            self.gas_left = 0;
            return Err(HostError::OutOfGas);
        }
        self.gas_left -= cost;
        self.profile.record(f, cost);
        Ok(())
    }
}

macro_rules! define_invokers {
    ($(
        $(#[doc = $doc:literal])*
        module $module:literal fn $name:ident ( $($p:ident : $k:ident),* ) $(-> $r:ident)? ;
        roles($($role:ident),*) gas($base:literal, $per:literal)
        aliases[$(($am:literal, $an:literal)),*] ;
    )*) => {
        impl HostLogic<'_> {
            $(
                $(#[doc = $doc])*
                #[allow(non_snake_case)]
                pub fn $name(
                    &mut self,
                    mem: &mut dyn GuestMemory,
                    $($p: $crate::host_ty!($k)),*
                ) -> Result<$crate::host_ret!($($r)?), HostError> {
                    self.enter(HostFn::$name, 0 $(+ $crate::metered_bytes!($k, $p))*)?;
                    imp::$name(self, mem, $($p),*)
                }
            )*
        }
    };
}

ee_sdk::for_each_host_fn!(define_invokers);
