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

mod map;
pub mod netting;

use alloc::vec::Vec;
use ee_sdk::codec::{Compact, Decode};
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
    fn record_message(&mut self, target_shard: ShardId, target_ee: EeId, source: EeId, root: &ee_sdk::Root) {
        env::message_add(target_shard, target_ee, source, root)
    }
    fn slot(&self) -> u64 {
        env::slot()
    }
    fn reserve(&mut self, ee: EeId) -> u64 {
        env::reserve(ee)
    }
    fn set_reserve(&mut self, ee: EeId, value: u64) {
        env::set_reserve(ee, value)
    }
    fn recent(&mut self, row: ShardId, column: ShardId, ee: EeId) -> u64 {
        env::recent(row, column, ee)
    }
    fn add_recent(&mut self, column: ShardId, ee: EeId, amount: u64) {
        env::add_recent(column, ee, amount)
    }
}

/// Leaves of a SCALE `Vec<ShardProof>`, walked without decoding it (the host has verified
/// it already): per proof a `u32` shard, the leaves (two compact words each: a `u32` mask
/// and one byte per set bit), the proof bytes.
fn count_leaves(mut bytes: &[u8]) -> Option<usize> {
    fn compact(bytes: &mut &[u8]) -> Option<usize> {
        Compact::<u32>::decode(bytes).ok().map(|c| c.0 as usize)
    }
    fn skip(bytes: &mut &[u8], n: usize) -> Option<()> {
        *bytes = bytes.get(n..)?;
        Some(())
    }
    fn word(bytes: &mut &[u8]) -> Option<()> {
        let mask = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
        skip(bytes, 4 + mask.count_ones() as usize)
    }
    let mut leaves = 0usize;
    for _ in 0..compact(&mut bytes)? {
        skip(&mut bytes, 4)?;
        let n = compact(&mut bytes)?;
        for _ in 0..n {
            word(&mut bytes)?;
            word(&mut bytes)?;
        }
        leaves = leaves.checked_add(n)?;
        let proof = compact(&mut bytes)?;
        skip(&mut bytes, proof)?;
    }
    bytes.is_empty().then_some(leaves)
}

/// The meta-EE's entry: decode the transaction, load the witness, net by the chain's
/// rules, print reports. Under a fixed read order (adiasg's rule) a multiproof must prove
/// exactly the foreign keys the netting read: what a producer has seen, it must process.
/// (An empty multiproof proves nothing: a stateless host traps on the first foreign read.)
pub fn run() -> Result<(), &'static str> {
    let tx: MetaTransaction = env::decode_block_data("malformed meta-EE transaction");
    let rules = env::netting_rules();
    let mut proven = 0usize;
    if !tx.multiproof.is_empty() {
        env::load_multiproof(&tx.multiproof);
        if rules.fixed_order.is_some() {
            proven = count_leaves(&tx.multiproof).ok_or("malformed multiproof")?;
        }
    }
    let me = env::ee_id();
    let mut seen = map::VecMap::new();
    let mut outputs = Vec::with_capacity(tx.ee_ids.len());
    for &ee in &tx.ee_ids {
        if ee != me && seen.insert_key(ee) {
            outputs.push((ee, env::outputs_of(ee)));
        }
    }
    let batches: Vec<(EeId, Vec<&[u8]>)> = outputs.iter().map(|(ee, o)| (*ee, o.iter().collect())).collect();
    let netted = netting::net(&mut HostLedger, &batches, &tx.proof_order, rules).map_err(|e| e.message())?;
    // A stateful producer's dry run carries no multiproof (it reads full state); a
    // stateless validator cannot read an unproven cell at all.
    if rules.fixed_order.is_some() && !tx.multiproof.is_empty() && proven != netted.foreign_reads {
        return Err("the multiproof proves cells the fixed read order did not reach");
    }
    for report in netted.reports {
        env::emit(&report);
    }
    Ok(())
}

ee_sdk::entry!(run);

#[cfg(test)]
mod tests {
    use super::count_leaves;
    use ee_sdk::ShardProof;
    use ee_sdk::codec::Encode;

    #[test]
    fn leaves_are_counted_without_decoding_and_garbage_is_refused() {
        let proofs = vec![
            ShardProof { shard: ee_sdk::ShardId(1), leaves: vec![([1; 32], [2; 32]); 3], proof: vec![9; 70] },
            ShardProof { shard: ee_sdk::ShardId(4), leaves: vec![([3; 32], [0; 32])], proof: vec![] },
        ];
        let bytes = proofs.encode();
        assert_eq!(count_leaves(&bytes), Some(4));
        assert_eq!(count_leaves(&bytes[..bytes.len() - 1]), None, "truncated");
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(count_leaves(&longer), None, "trailing bytes");
        assert_eq!(count_leaves(&Vec::<ShardProof>::new().encode()), Some(0));
    }
}
