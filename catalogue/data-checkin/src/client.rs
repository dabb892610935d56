//! The native check-in client: signed check-ins, full trees, witnesses, and the inclusion
//! proof a verifier checks against the EE's state root alone.
use crate::{Checkin, CheckinError, CheckinTx, entry_key, execute, head_key};
use ee_sdk::client::Trees;
use ee_sdk::proof::PureSha256;
use ee_sdk::stateless::Witness;
use ee_sdk::{BlsPublicKey, EeId, Root, ShardId};

pub use ee_sdk::client::{ChainView, ClientEnv, Keypair};

/// A prepared check-in.
pub type Prepared = ee_sdk::client::Prepared<CheckinTx>;

fn env() -> ClientEnv<'static> {
    static VIEW: std::sync::OnceLock<ChainView> = std::sync::OnceLock::new();
    ClientEnv::new(VIEW.get_or_init(ChainView::default))
}

/// Check-in `seq` of `key`'s `chain` committing `data_root`, signed for `ee` on `shard`.
pub fn checkin(key: &Keypair, chain: Root, seq: u64, data_root: Root, ee: EeId, shard: ShardId) -> Checkin {
    let mut c = Checkin { key: key.public, chain, seq, data_root, signature: [0; 96] };
    c.signature = key.sign(&c.signing_message(ee, shard));
    c
}

/// Whether `proof` shows `data_root` checked in as number `seq` of `(key, chain)` in the
/// EE's tree with root `ee_root` (e.g. the EE's root on a shard, read from the chain).
pub fn verify_entry(
    ee_root: &Root,
    key: &BlsPublicKey,
    chain: &Root,
    seq: u64,
    data_root: &Root,
    proof: &Witness,
) -> bool {
    let k = entry_key(&mut env(), key, chain, seq);
    proof.leaves == [(k, *data_root)]
        && ee_sdk::proof::verify::<PureSha256>(ee_root, &proof.proof, &proof.leaves)
}

/// Full copies of the check-in EE's trees, one per shard.
#[derive(Default)]
pub struct CheckinClient {
    trees: Trees,
}

impl CheckinClient {
    /// An empty client.
    pub fn new() -> Self {
        Self::default()
    }

    /// The EE's trees as this client knows them.
    pub fn trees(&self) -> &Trees {
        &self.trees
    }

    /// The trees, to restore a persisted copy or follow the chain.
    pub fn trees_mut(&mut self) -> &mut Trees {
        &mut self.trees
    }

    /// The EE's root on `shard`.
    pub fn root(&self, shard: ShardId) -> Root {
        self.trees.root(shard)
    }

    /// The latest sequence number of `(key, chain)` on `shard` (0: none).
    pub fn seq(&self, shard: ShardId, key: &BlsPublicKey, chain: &Root) -> u64 {
        let v = self.trees.leaf(shard, &head_key(&mut env(), key, chain));
        u64::from_le_bytes(v[..8].try_into().expect("8 bytes"))
    }

    /// The inclusion proof of check-in `seq` of `(key, chain)` on `shard` (its entry leaf
    /// and the compiled proof), for [`verify_entry`].
    pub fn prove_entry(&self, shard: ShardId, key: &BlsPublicKey, chain: &Root, seq: u64) -> Witness {
        self.trees.prove(shard, [entry_key(&mut env(), key, chain, seq)])
    }

    /// The witness of `(key, chain)`'s head and entry `seq` (for check-ins built by hand).
    pub fn witness(&self, shard: ShardId, key: &BlsPublicKey, chain: &Root, seq: u64) -> Witness {
        self.trees.prove(shard, [head_key(&mut env(), key, chain), entry_key(&mut env(), key, chain, seq)])
    }

    /// Builds the transaction of `c` with its witness.
    pub fn prepare(&mut self, c: Checkin, view: &ChainView) -> Result<Prepared, CheckinError> {
        self.trees.prepare(
            view,
            |leaves, env| execute(&c, leaves, env),
            |witness| CheckinTx { checkin: c.clone(), witness },
            |tx, leaves, env| execute(&tx.checkin, leaves, env),
            CheckinError::WitnessInvalid,
        )
    }

    /// Applies a prepared check-in the chain accepted.
    pub fn commit(&mut self, prepared: &Prepared) {
        self.trees.commit(prepared);
    }
}
