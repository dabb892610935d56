//! What a new devnet starts with.
use crate::types::Validator;
use ee_host::genesis::{GenesisEe, GenesisSpec};
use ee_sdk::EeId;
use std::sync::Arc;

/// The genesis VHEE's id (seed 000's EE of standardized accounts).
pub const VHEE_EE: EeId = EeId(0);
/// The genesis transfer EE's id (funded on every shard). Deployments take 2, 3, ….
pub const TRANSFER_EE: EeId = EeId(1);

/// The genesis of a new devnet: the meta-EE (at [`ee_sdk::META_EE`]), the VHEE (EE 0), the
/// transfer EE (EE 1, funded on every shard's diagonal) and the validators.
pub struct Genesis {
    /// The meta-EE's code.
    pub meta_ee: Arc<[u8]>,
    /// The VHEE's code (EE 0).
    pub vhee: Arc<[u8]>,
    /// The VHEE's own balance per shard (Gwei), beyond what its accounts hold: the float its
    /// transactions' fees are paid from (the VHEE does not charge its accounts).
    pub vhee_float: i64,
    /// The transfer EE's code (EE 1), funded with `transfer_balance` on every shard.
    pub transfer_ee: Arc<[u8]>,
    /// Its balance per shard (Gwei).
    pub transfer_balance: i64,
    /// Validator accounts (index = position).
    pub validators: Vec<Validator>,
}

impl Genesis {
    /// The VHEE's default float: 10 ETH per shard.
    pub const VHEE_FLOAT: i64 = 10_000_000_000;

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
        let diagonal = |v: i64| -> Vec<Vec<i64>> {
            let n = shards as usize;
            (0..n).map(|r| (0..n).map(|c| if r == c { v } else { 0 }).collect()).collect()
        };
        GenesisSpec::new(shards)
            .meta(self.meta_ee.clone())
            .ee(GenesisEe::new(VHEE_EE, "VHEE", self.vhee.clone()).with_matrix(diagonal(self.vhee_float)))
            .ee(GenesisEe::new(TRANSFER_EE, "transfer-EE", self.transfer_ee.clone())
                .with_matrix(diagonal(self.transfer_balance)))
    }
}
