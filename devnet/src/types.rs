//! What the devnet stores (SCALE in redb). The wire types are `ee-client`'s.
use ee_client::report::BlockReport;
use ee_sdk::codec::{Decode, Encode};
use ee_sdk::{BlsPublicKey, Root, ShardBlock};

/// A validator account on the devnet's beacon state.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validator {
    /// Its key.
    pub pubkey: BlsPublicKey,
    /// Unlocked balance (Gwei).
    pub balance: u64,
}

/// A registered EE as stored.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct StoredEe {
    /// Its id.
    pub id: u32,
    /// Name.
    pub name: String,
    /// 0 = ordinary, 1 = meta.
    pub role: u8,
    /// Code.
    pub code: Vec<u8>,
    /// Deposit locked (Gwei).
    pub deposit: u64,
    /// Deploying validator (`u64::MAX` for genesis EEs).
    pub deployer: u64,
    /// The first slot whose blocks may use it (0 for genesis EEs).
    pub registered_at: u64,
}

/// A committed block as stored.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct StoredBlock {
    /// The block (transactions, the meta-EE's included, and witness).
    pub block: ShardBlock,
    /// Its report (the one `ee_getBlock` serves and `ee status` prints).
    pub report: BlockReport,
    /// Hashes of its user transactions, in order (the transaction index).
    pub tx_hashes: Vec<Root>,
}

/// The committed head.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// Slots committed (the next slot number).
    pub slot: u64,
    /// Crosslinked shard roots.
    pub shard_roots: Vec<Root>,
    /// User transactions committed so far.
    pub committed_txs: u64,
}
