//! The native fee-market client: signed bids and withdrawals, full copies of the EE's
//! trees, and transactions with their witnesses.
//!
//! [`FeeClient::prepare`] runs the EE's own state transition ([`crate::logic`]) on the
//! client's full tree through a [`Recorder`](ee_sdk::stateless::Recorder), and the
//! transaction carries the proof of the leaves it touched; [`FeeClient::commit`] applies
//! the writes once the chain accepted it. The [`ChainView`] supplies what the host would —
//! for a collection, the hashes of the block's transactions before it.
use crate::error::FeeError;
use crate::logic::{account_key, execute};
use crate::types::{Account, Bid, FeeTx, Op};
use ee_sdk::client::Trees;
use ee_sdk::stateless::Witness;
use ee_sdk::{BlsPublicKey, EeId, Root, ShardId};

pub use ee_sdk::client::{ChainView, ClientEnv, Keypair};

/// A bid for `txs` paying `fee`, signed by `relayer` for `market` on `shard`.
pub fn bid(relayer: &Keypair, txs: Vec<Root>, fee: u64, nonce: u64, market: EeId, shard: ShardId) -> Bid {
    let mut bid = Bid { relayer: relayer.public, txs, fee, nonce, signature: [0; 96] };
    bid.signature = relayer.sign(&bid.signing_message(market, shard));
    bid
}

/// A withdrawal of `amount` to `(target shard, target EE)`, signed by `account`.
pub fn withdraw(
    account: &Keypair,
    target: (ShardId, EeId),
    amount: u64,
    nonce: u64,
    market: EeId,
    shard: ShardId,
) -> Op {
    let mut op = Op::Withdraw {
        account: account.public,
        target_shard: target.0,
        target_ee: target.1,
        amount,
        nonce,
        signature: [0; 96],
    };
    let sig = account.sign(&op.signing_message(market, shard).expect("withdrawals are signed"));
    if let Op::Withdraw { signature, .. } = &mut op {
        *signature = sig;
    }
    op
}

/// A prepared fee-market transaction.
pub type Prepared = ee_sdk::client::Prepared<FeeTx>;

/// Full copies of the fee market's trees, one per shard.
#[derive(Default)]
pub struct FeeClient {
    trees: Trees,
}

/// The tree key of `key`'s account, computed natively.
fn key_of(key: &BlsPublicKey) -> Root {
    account_key(&mut ClientEnv::new(&ChainView::default()), key)
}

impl FeeClient {
    /// An empty client (every shard's tree empty, as at genesis).
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

    /// The EE's root on `shard` as the client knows it.
    pub fn root(&self, shard: ShardId) -> Root {
        self.trees.root(shard)
    }

    /// An account.
    pub fn account(&self, shard: ShardId, key: &BlsPublicKey) -> Account {
        Account::from_value(&self.trees.leaf(shard, &key_of(key)))
    }

    /// The witness of `keys`' accounts on `shard`, for transactions built by hand (a
    /// producer's own tooling, or tests of refusals the client will not prepare).
    pub fn witness(&self, shard: ShardId, keys: impl IntoIterator<Item = BlsPublicKey>) -> Witness {
        self.trees.prove(shard, keys.into_iter().map(|k| key_of(&k)))
    }

    /// Runs `op` on the client's copy of `view.shard`'s tree and builds the transaction
    /// with its witness. Nothing changes until [`FeeClient::commit`].
    pub fn prepare(&mut self, op: Op, view: &ChainView) -> Result<Prepared, FeeError> {
        self.trees.prepare(
            view,
            |leaves, env| execute(&op, leaves, env),
            |witness| FeeTx { op: op.clone(), witness },
            |tx, leaves, env| execute(&tx.op, leaves, env),
            FeeError::WitnessInvalid,
        )
    }

    /// Applies a prepared transaction the chain accepted.
    pub fn commit(&mut self, prepared: &Prepared) {
        self.trees.commit(prepared);
    }
}
