//! Transactions: their hash, and the data of the example transfer EE.
use ee_sdk::{EeId, ShardId, ShardTransaction, Transfer};
use parity_scale_codec::Encode;

/// A transaction's hash: sha256 of SCALE `(shard, transaction)` ([`ShardTransaction::hash`],
/// the same the host's `lookback_hash` gives).
pub fn tx_hash(shard: ShardId, tx: &ShardTransaction) -> [u8; 32] {
    tx.hash(shard)
}

/// The transfer EE's data for `transfers` of `(amount, target shard, target EE)`
/// (`None`: the sending EE itself).
pub fn transfer_data(transfers: &[(u64, u32, Option<u32>)]) -> Vec<u8> {
    transfers
        .iter()
        .map(|&(amount, shard, ee)| Transfer { amount, shard: ShardId(shard), ee: ee.map(EeId) })
        .collect::<Vec<_>>()
        .encode()
}
