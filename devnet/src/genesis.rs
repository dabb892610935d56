//! What a new devnet starts with.
use crate::types::Validator;
use ee_host::genesis::{GenesisEe, GenesisSpec};
use ee_sdk::EeId;
use std::sync::Arc;

/// The genesis transfer EE's id (funded on every shard). EE 0 is left free; deployments
/// take 2, 3, ….
pub const TRANSFER_EE: EeId = EeId(1);

/// The genesis of a new devnet: the meta-EE (at [`ee_sdk::META_EE`]), the transfer EE (funded on every shard's
/// diagonal) and the validators.
pub struct Genesis {
    /// The meta-EE's code.
    pub meta_ee: Arc<[u8]>,
    /// The transfer EE's code (EE 1), funded with `transfer_balance` on every shard.
    pub transfer_ee: Arc<[u8]>,
    /// Its balance per shard (Gwei).
    pub transfer_balance: i64,
    /// Validator accounts (index = position).
    pub validators: Vec<Validator>,
}

impl Genesis {
    /// The devnet's well-known validators: 0 is `ee_client::keys::dev_key(0)` with 10,000
    /// ETH, 1 is `dev_key(1)` with 1 ETH (too little to deploy).
    pub fn dev_validators() -> Vec<Validator> {
        [(0u64, 10_000u64), (1, 1)]
            .into_iter()
            .map(|(i, eth)| Validator {
                pubkey: ee_client::keys::dev_key(i).public(),
                balance: eth * 1_000_000_000,
            })
            .collect()
    }

    /// The chain's genesis for `shards` shards.
    pub fn spec(&self, shards: u32) -> GenesisSpec {
        let n = shards as usize;
        let matrix: Vec<Vec<i64>> = (0..n)
            .map(|r| (0..n).map(|c| if r == c { self.transfer_balance } else { 0 }).collect())
            .collect();
        GenesisSpec::new(shards).meta(self.meta_ee.clone()).ee(GenesisEe::new(
            TRANSFER_EE,
            "transfer-EE",
            self.transfer_ee.clone(),
        )
        .with_matrix(matrix))
    }
}
