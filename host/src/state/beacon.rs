//! The beacon state: the EE registry and the latest crosslinked shard roots.
use crate::abi::Role;
use ee_sdk::{DepositReceipt, EeId, NettingRules, Root};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A registered execution environment.
#[derive(Clone, Debug)]
pub struct EeEntry {
    /// Its id.
    pub id: EeId,
    /// Human-readable name (not consensus).
    pub name: String,
    /// Which host functions it may import.
    pub role: Role,
    /// Its wasm code (empty for EEs run by the native backend).
    pub code: Arc<[u8]>,
    /// sha256 of `code`.
    pub code_hash: Root,
    /// Deposit locked by its deployer (seed 004), in Gwei.
    pub deposit: u64,
}

impl EeEntry {
    /// An entry for `code`, hashing it.
    pub fn new(id: EeId, name: impl Into<String>, role: Role, code: Arc<[u8]>) -> Self {
        let code_hash = Sha256::digest(&code).into();
        EeEntry { id, name: name.into(), role, code, code_hash, deposit: 0 }
    }
}

/// What every shard can see: registered EEs and each shard's latest crosslinked root.
#[derive(Clone, Debug, Default)]
pub struct BeaconState {
    /// Current slot.
    pub slot: u64,
    /// Registered EEs.
    pub ees: BTreeMap<EeId, EeEntry>,
    /// Latest crosslinked state root of every shard.
    pub shard_roots: Vec<Root>,
    /// Validator deposit receipts, claimable once each on their target shard.
    pub deposits: Vec<DepositReceipt>,
    /// The netting rules every shard's meta-EE applies (a chain parameter).
    pub netting: NettingRules,
}

impl BeaconState {
    /// Number of shards.
    pub fn shard_count(&self) -> u32 {
        self.shard_roots.len() as u32
    }

    /// The meta-EE, if one is registered.
    pub fn meta_ee(&self) -> Option<&EeEntry> {
        self.ees.values().find(|e| e.role == Role::Meta)
    }
}
