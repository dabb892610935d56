//! The native token client: signing, full copies of the EE's trees, transactions with
//! their witnesses, and receipt proofs for claims.
use crate::error::TokenError;
use crate::logic::{allowance_key, balance_key, execute, nonce_key, receipts, supply_key};
use crate::types::{Op, TokenId, TokenReceipt, TokenTx};
use ee_sdk::client::Trees;
use ee_sdk::proof::PureSha256;
use ee_sdk::stateless::Account;
use ee_sdk::{BlsPublicKey, EeId, Root, ShardId};

pub use ee_sdk::client::{ChainView, ClientEnv, Keypair};

/// A prepared token transaction.
pub type Prepared = ee_sdk::client::Prepared<TokenTx>;

fn env() -> ClientEnv<'static> {
    static VIEW: std::sync::OnceLock<ChainView> = std::sync::OnceLock::new();
    ClientEnv::new(VIEW.get_or_init(ChainView::default))
}

/// `op` signed by `key` for the token EE `ee` on `shard` (unsigned operations unchanged).
pub fn sign(op: Op, key: &Keypair, ee: EeId, shard: ShardId) -> Op {
    match op.signed_by(ee, shard) {
        Some((_, msg)) => op.with_signature(key.sign(&msg)),
        None => op,
    }
}

/// The receipts a cross-shard transfer commits to, their root, and a claim of each (the
/// operation a receiver sends on the target shard).
pub fn claims(source_shard: ShardId, op: &Op) -> Option<(Root, Vec<Op>)> {
    let Op::CrossShard { token, from, to, nonce, .. } = op else { return None };
    let rs: Vec<TokenReceipt> = receipts(token, from, to, *nonce);
    let root = ee_sdk::receipts::data_root::<PureSha256, _>(&mut env(), &rs)?;
    let mut out = Vec::with_capacity(rs.len());
    for (i, receipt) in rs.iter().enumerate() {
        let proof = ee_sdk::receipts::prove::<PureSha256, _>(&mut env(), &rs, i as u32)?;
        out.push(Op::Claim {
            source_shard,
            data_root: root,
            index: i as u32,
            receipt: receipt.clone(),
            proof,
        });
    }
    Some((root, out))
}

/// Full copies of the token EE's trees, one per shard.
#[derive(Default)]
pub struct TokenClient {
    trees: Trees,
}

impl TokenClient {
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

    /// `holder`'s balance of `token` on `shard`.
    pub fn balance(&self, shard: ShardId, token: &TokenId, holder: &BlsPublicKey) -> u64 {
        Account::from_value(&self.trees.leaf(shard, &balance_key(&mut env(), token, holder))).balance
    }

    /// The next nonce `key` signs with on `shard` (its signed uses so far).
    pub fn nonce(&self, shard: ShardId, key: &BlsPublicKey) -> u64 {
        Account::from_value(&self.trees.leaf(shard, &nonce_key(&mut env(), key))).nonce
    }

    /// What `spender` may still move of `owner`'s `token` on `shard`.
    pub fn allowance(
        &self,
        shard: ShardId,
        token: &TokenId,
        owner: &BlsPublicKey,
        spender: &BlsPublicKey,
    ) -> u64 {
        Account::from_value(&self.trees.leaf(shard, &allowance_key(&mut env(), token, owner, spender)))
            .balance
    }

    /// Units of `token` minted on `shard`.
    pub fn minted(&self, shard: ShardId, token: &TokenId) -> u64 {
        Account::from_value(&self.trees.leaf(shard, &supply_key(&mut env(), token))).balance
    }

    /// The witness of `leaves` on `shard` (for transactions built by hand).
    pub fn witness(&self, shard: ShardId, leaves: Vec<Root>) -> ee_sdk::stateless::Witness {
        self.trees.prove(shard, leaves)
    }

    /// Builds the transaction of `op` with its witness.
    pub fn prepare(&mut self, op: Op, view: &ChainView) -> Result<Prepared, TokenError> {
        self.trees.prepare(
            view,
            |leaves, env| execute::<PureSha256>(&op, leaves, env),
            |witness| TokenTx { op: op.clone(), witness },
            |tx, leaves, env| execute::<PureSha256>(&tx.op, leaves, env),
            TokenError::WitnessInvalid,
        )
    }

    /// Applies a prepared transaction the chain accepted.
    pub fn commit(&mut self, prepared: &Prepared) {
        self.trees.commit(prepared);
    }
}
