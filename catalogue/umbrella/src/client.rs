//! The native umbrella client: signed operations, full copies of the EE's trees and
//! transactions with their witnesses.
//!
//! [`UmbrellaClient::prepare`] runs the EE's state transition ([`crate::logic`]) on the
//! client's full tree through a [`Recorder`](ee_sdk::stateless::Recorder). A call runs its
//! contract through the [`ChainView`]'s `children` (the contract's logic run natively, as
//! a wallet or a test supplies it) to learn what it reads and writes.
use crate::error::UmbrellaError;
use crate::logic::{account_key, balance_key, contract_id, execute, storage_key};
use crate::types::{Account, ContractId, Op, UmbrellaTx};
use ee_sdk::client::Trees;
use ee_sdk::stateless::Witness;
use ee_sdk::{BlsPublicKey, EeId, Root, ShardId};

pub use ee_sdk::client::{ChainView, ClientEnv, Keypair};

/// `op` signed by `key` for the umbrella `ee` on `shard` (unsigned operations unchanged).
pub fn sign(op: Op, key: &Keypair, ee: EeId, shard: ShardId) -> Op {
    match op.signing_message(ee, shard) {
        Some(msg) => op.with_signature(key.sign(&msg)),
        None => op,
    }
}

/// A prepared umbrella transaction (its return data: a deployment's contract id, a
/// call's contract output).
pub type Prepared = ee_sdk::client::Prepared<UmbrellaTx>;

/// Full copies of the umbrella's trees, one per shard.
#[derive(Default)]
pub struct UmbrellaClient {
    trees: Trees,
}

fn env() -> ClientEnv<'static> {
    static VIEW: std::sync::OnceLock<ChainView> = std::sync::OnceLock::new();
    ClientEnv::new(VIEW.get_or_init(ChainView::default))
}

impl UmbrellaClient {
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
        Account::from_value(&self.trees.leaf(shard, &account_key(&mut env(), key)))
    }

    /// A contract's balance.
    pub fn contract_balance(&self, shard: ShardId, contract: &ContractId) -> u64 {
        Account::from_value(&self.trees.leaf(shard, &balance_key(&mut env(), contract))).balance
    }

    /// A contract's storage slot.
    pub fn storage(&self, shard: ShardId, contract: &ContractId, slot: &Root) -> Root {
        self.trees.leaf(shard, &storage_key(&mut env(), contract, slot))
    }

    /// The id of the contract `deployer` deploys with `nonce`.
    pub fn contract_id(deployer: &BlsPublicKey, nonce: u64) -> ContractId {
        contract_id(&mut env(), deployer, nonce)
    }

    /// The witness of `accounts` on `shard` plus the leaves `extra` (for transactions
    /// built by hand, e.g. to test refusals the client will not prepare).
    pub fn witness(&self, shard: ShardId, accounts: &[BlsPublicKey], extra: &[Root]) -> Witness {
        let keys = accounts.iter().map(|k| account_key(&mut env(), k)).chain(extra.iter().copied());
        self.trees.prove(shard, keys.collect::<Vec<_>>())
    }

    /// Runs `op` (with `code` for deployments and calls) on the client's copy of
    /// `view.shard`'s tree and builds the transaction with its witness.
    pub fn prepare(&mut self, op: Op, code: Vec<u8>, view: &ChainView) -> Result<Prepared, UmbrellaError> {
        self.trees.prepare(
            view,
            |leaves, env| execute(&op, &code, leaves, env),
            |witness| UmbrellaTx { op: op.clone(), code: code.clone(), witness },
            |tx, leaves, env| execute(&tx.op, &tx.code, leaves, env),
            UmbrellaError::WitnessInvalid,
        )
    }

    /// Applies a prepared transaction the chain accepted.
    pub fn commit(&mut self, prepared: &Prepared) {
        self.trees.commit(prepared);
    }
}
