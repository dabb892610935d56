//! Transactions: their hash, and the data of the example transfer EE.
use ee_sdk::{EeId, ShardId, ShardTransaction, Transfer};
use parity_scale_codec::Encode;
use sha2::{Digest, Sha256};

/// A transaction's hash: sha256 of SCALE `(shard, transaction)`.
pub fn tx_hash(shard: ShardId, tx: &ShardTransaction) -> [u8; 32] {
    Sha256::digest((shard, tx).encode()).into()
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
