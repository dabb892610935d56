//! # meta-ee
//!
//! The netting meta-execution environment of seed 001 ("An even simpler meta-execution
//! environment for ETH") as worked through in seed 000. It runs as the last transaction of
//! every shard block with a [`MetaTransaction`] `{ ee_ids, proof_order, multiproof }`,
//! reads the outputs every listed EE printed earlier in the block, and applies the accepted
//! ones to the balance matrices (DESIGN §2), and prints a [`NettingReport`](ee_sdk::NettingReport)
//! (every output's status) per EE as its own output:
//!
//! * same EE, other shard `s → t`: `M_e[s][s] -= x; M_e[s][t] += x`;
//! * other EE, same shard: `M_e[s][s] -= x; M_f[s][s] += x`;
//! * other EE and other shard: `M_e[s][s] -= x; M_f[s][t] += x` — the value leaves `e` on
//!   `s` and becomes spendable by `f` on `t` (column `t` of `f` grows).
//!
//! Balance checks are seed 001's "version B", netted per EE per block (see [`netting`]).
//! The algorithm is in [`netting`] over the [`Ledger`](netting::Ledger) trait; [`HostLedger`]
//! binds it to the host ABI.
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod netting;

use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use ee_sdk::{EeId, MetaTransaction, ShardId, env};

/// [`netting::Ledger`] over the host's balance storage.
pub struct HostLedger;

impl netting::Ledger for HostLedger {
    fn shard(&self) -> ShardId {
        env::shard_id()
    }
    fn shard_count(&self) -> u32 {
        env::shard_count()
    }
    fn ee_exists(&mut self, ee: EeId) -> bool {
        env::ee_exists(ee)
    }
    fn cell(&mut self, row: ShardId, column: ShardId, ee: EeId) -> i64 {
        env::balance(row, column, ee)
    }
    fn add(&mut self, column: ShardId, ee: EeId, delta: i64) {
        env::balance_add(column, ee, delta)
    }
    fn known_min(&mut self, ee: EeId) -> u64 {
        env::known_min(ee)
    }
    fn set_known_min(&mut self, ee: EeId, value: u64) {
        env::set_known_min(ee, value)
    }
    fn record_netted(&mut self, target_shard: ShardId, target_ee: EeId, root: &ee_sdk::Root, amount: u64) {
        env::netted_add(target_shard, target_ee, root, amount)
    }
}

/// The meta-EE's entry: decode the transaction, load the witness, net, print reports.
pub fn run() -> Result<(), &'static str> {
    let tx: MetaTransaction = env::decode_block_data("malformed meta-EE transaction");
    if !tx.multiproof.is_empty() {
        env::load_multiproof(&tx.multiproof);
    }
    let me = env::ee_id();
    let mut seen = BTreeSet::new();
    let mut outputs = Vec::with_capacity(tx.ee_ids.len());
    for &ee in &tx.ee_ids {
        if ee != me && seen.insert(ee) {
            outputs.push((ee, env::outputs_of(ee)));
        }
    }
    let batches: Vec<(EeId, Vec<&[u8]>)> = outputs.iter().map(|(ee, o)| (*ee, o.iter().collect())).collect();
    for report in netting::net(&mut HostLedger, &batches, &tx.proof_order) {
        env::emit(&report);
    }
    Ok(())
}

ee_sdk::entry!(run);
