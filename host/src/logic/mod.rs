//! The host's logic: one implementation of every host function, shared by the wasmer
//! runtime and the native test backend (principle 2).
//!
//! [`HostLogic`] holds one transaction's context. For every table entry it has a method of
//! the same name (generated from `ee_sdk::for_each_host_fn!`) that checks the caller's
//! role, charges `base + per_byte × bytes` gas and then runs the implementation in `imp`.
//! Backends only translate arguments and memory.
mod error;
mod imp;
#[cfg(feature = "runtime")]
pub(crate) use imp::spawn_status;
mod memory;
mod runner;

pub use error::HostError;
pub use memory::GuestMemory;
pub use runner::{EeRunner, RunStats, TxError};

use crate::abi::{HostFn, HostKind, ResultKind, Role, kinds};
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

/// What a finished transaction (or synchronous call) leaves behind, applied only on
/// success.
#[derive(Debug, Default)]
pub struct TxEffects {
    /// Outputs printed, tagged with the printing EE's id.
    pub outputs: Vec<Output>,
    /// Host calls made: calls and gas per function.
    pub profile: HostProfile,
    /// Debug log lines.
    pub logs: Vec<String>,
    /// Return data set with `set_return_data`.
    pub return_data: Vec<u8>,
    /// Deposit receipts pushed with Scout's `eth2_pushNewDeposit`.
    pub deposits: Vec<Vec<u8>>,
    /// Debug-log bytes kept so far in the transaction (this frame and its callers).
    pub log_bytes: u32,
    /// What the runner measured of this frame (`record_stats`), failed or not.
    pub stats: Option<RunStats>,
}

/// What every transaction of a block shares: the beacon state, the block's output buffer
/// so far, prices, bounds and the runner (for synchronous calls).
#[derive(Clone, Copy)]
pub struct BlockContext<'a> {
    /// The beacon state (registry, roots, deposits).
    pub beacon: &'a BeaconState,
    /// Outputs of earlier transactions of the block.
    pub outputs: &'a [Output],
    /// Deposit receipts (`eth2_pushNewDeposit`) of earlier transactions of the block.
    pub deposits: &'a [Vec<u8>],
    /// Hashes of the block's transactions before this one (lookback).
    pub tx_hashes: &'a [[u8; 32]],
    /// Gas prices.
    pub costs: &'a CostTable,
    /// Resource bounds.
    pub limits: &'a Limits,
    /// Runs EEs called with `call_ee`.
    pub runner: &'a dyn EeRunner,
}

/// One transaction's (or synchronous call's) view of the host.
pub struct HostLogic<'a> {
    env: TxEnv,
    data: &'a [u8],
    beacon: &'a BeaconState,
    state: &'a mut dyn TxState,
    block_outputs: &'a [Output],
    block_output_bytes: u64,
    /// Deposits of earlier transactions: their count and bytes.
    block_deposits: usize,
    block_deposit_bytes: u64,
    tx_hashes: &'a [[u8; 32]],
    /// Outputs and deposits staged by the callers of this `call_ee` frame in the same
    /// transaction: per-transaction budgets count the whole call tree.
    inherited_outputs: usize,
    inherited_deposits: usize,
    inherited_deposit_bytes: u64,
    costs: &'a CostTable,
    limits: &'a Limits,
    runner: &'a dyn EeRunner,
    depth: u32,
    caller: Option<EeId>,
    gas_left: u64,
    staged: Vec<Output>,
    staged_bytes: u64,
    profile: HostProfile,
    logs: Vec<String>,
    log_bytes: u32,
    outputs_cache: BTreeMap<EeId, Vec<u8>>,
    return_data: Vec<u8>,
    last_return: Vec<u8>,
    deposits: Vec<Vec<u8>>,
    stats: Option<RunStats>,
}

impl<'a> HostLogic<'a> {
    /// Context for one top-level transaction with `data` as input and `gas` to spend.
    pub fn new(
        env: TxEnv,
        data: &'a [u8],
        block: BlockContext<'a>,
        state: &'a mut dyn TxState,
        gas: u64,
    ) -> Self {
        let block_output_bytes = block.outputs.iter().map(|o| o.data.len() as u64).sum();
        HostLogic {
            env,
            data,
            beacon: block.beacon,
            state,
            block_outputs: block.outputs,
            block_output_bytes,
            block_deposits: block.deposits.len(),
            block_deposit_bytes: block.deposits.iter().map(|d| d.len() as u64).sum(),
            tx_hashes: block.tx_hashes,
            inherited_outputs: 0,
            inherited_deposits: 0,
            inherited_deposit_bytes: 0,
            costs: block.costs,
            limits: block.limits,
            runner: block.runner,
            depth: 0,
            caller: None,
            gas_left: gas,
            staged: Vec::new(),
            staged_bytes: 0,
            profile: HostProfile::default(),
            logs: Vec::new(),
            log_bytes: 0,
            outputs_cache: BTreeMap::new(),
            return_data: Vec::new(),
            last_return: Vec::new(),
            deposits: Vec::new(),
            stats: None,
        }
    }

    /// This context one call level down, as a child spawned by a top-level EE is (for
    /// children run outside a block: the depth limit counts as it would inside one).
    #[cfg(feature = "runtime")]
    pub(crate) fn one_level_down(mut self) -> Self {
        self.depth += 1;
        self
    }

    /// The context of a synchronous call from this EE into `env.ee` with `data`: same
    /// state overlay, gas and block, one level deeper.
    fn child<'c>(&'c mut self, env: TxEnv, data: &'c [u8]) -> HostLogic<'c> {
        HostLogic {
            env,
            data,
            beacon: self.beacon,
            state: &mut *self.state,
            block_outputs: self.block_outputs,
            block_output_bytes: self.block_output_bytes + self.staged_bytes,
            block_deposits: self.block_deposits,
            block_deposit_bytes: self.block_deposit_bytes,
            tx_hashes: self.tx_hashes,
            inherited_outputs: self.inherited_outputs + self.staged.len(),
            inherited_deposits: self.inherited_deposits + self.deposits.len(),
            inherited_deposit_bytes: self.inherited_deposit_bytes
                + self.deposits.iter().map(|d| d.len() as u64).sum::<u64>(),
            costs: self.costs,
            limits: self.limits,
            runner: self.runner,
            depth: self.depth + 1,
            caller: Some(self.env.ee),
            gas_left: self.gas_left,
            staged: Vec::new(),
            staged_bytes: 0,
            profile: HostProfile::default(),
            logs: Vec::new(),
            log_bytes: self.log_bytes,
            outputs_cache: BTreeMap::new(),
            return_data: Vec::new(),
            last_return: Vec::new(),
            deposits: Vec::new(),
            stats: None,
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
        TxEffects {
            outputs: self.staged,
            profile: self.profile,
            logs: self.logs,
            return_data: self.return_data,
            deposits: self.deposits,
            log_bytes: self.log_bytes,
            stats: self.stats,
        }
    }

    /// Keeps what the runner measured of this frame (compilation, instantiation and run
    /// times, resource gas), whether it succeeded or not.
    pub fn record_stats(&mut self, stats: RunStats) {
        self.stats = Some(stats);
    }

    /// Charges `gas` more to a call of `f` already entered (a surcharge such as the
    /// meta-EE's share for an output).
    fn charge(&mut self, f: HostFn, gas: u64) -> Result<(), HostError> {
        if gas > self.gas_left {
            self.profile.add_gas(f, self.gas_left);
            self.gas_left = 0;
            return Err(HostError::OutOfGas);
        }
        self.gas_left -= gas;
        self.profile.add_gas(f, gas);
        Ok(())
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
    ($( $(#[doc = $doc:literal])* fn $name:ident($($p:ident: $k:ident),*) -> $r:ident $info:tt; )*) => {
        impl HostLogic<'_> {
            $(
                $(#[doc = $doc])*
                #[allow(non_snake_case, clippy::too_many_arguments)]
                pub fn $name(
                    &mut self,
                    mem: &mut dyn GuestMemory,
                    $($p: <kinds::$k as HostKind>::Host),*
                ) -> Result<<kinds::$r as HostKind>::Host, HostError> {
                    self.enter(HostFn::$name, 0 $(+ <kinds::$k as HostKind>::metered($p))*)?;
                    imp::$name(self, mem, $($p),*)
                }
            )*
        }

        /// Every result kind is a [`ResultKind`] (a compile-time check of the table).
        const _: () = {
            fn result_kind<R: ResultKind>() {}
            #[allow(dead_code)]
            fn check() {
                $(result_kind::<kinds::$r>();)*
            }
        };
    };
}

ee_sdk::for_each_host_fn!(define_invokers);
