//! What the devnet stores and what its RPC exchanges.
use crate::crypto::SecretKey;
use ee_sdk::codec::{Decode, Encode};
use ee_sdk::{BlsPublicKey, BlsSignature, Root, ShardBlock};
use serde::{Deserialize, Serialize};

/// Seed 004's beacon operation deploying an EE: `{sender, slot, code, pubkey, signature}`.
/// `sender` is a validator index whose key is `pubkey`; it locks the devnet's EE deposit.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct NewExecutionScript {
    /// The depositing validator.
    pub sender: u64,
    /// The slot the deployer signed for (any slot; replays are refused by hash).
    pub slot: u64,
    /// The wasm code.
    pub code: Vec<u8>,
    /// The sender's key.
    pub pubkey: BlsPublicKey,
    /// `pubkey`'s signature of [`NewExecutionScript::signing_message`].
    pub signature: BlsSignature,
}

impl NewExecutionScript {
    /// What the sender signs: a domain tag and every field but the signature.
    pub fn signing_message(&self) -> Vec<u8> {
        (b"ee-new-execution-script", self.sender, self.slot, &self.code, &self.pubkey[..]).encode()
    }

    /// A deployment of `code` by validator `sender` whose key is `key`, signed.
    pub fn signed(sender: u64, slot: u64, code: Vec<u8>, key: &SecretKey) -> Self {
        let mut s = NewExecutionScript { sender, slot, code, pubkey: key.public(), signature: [0; 96] };
        s.signature = key.sign(&s.signing_message());
        s
    }
}

/// A key file (`ee keygen`): JSON `{"secret", "public", "validator"}`, hex-encoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    /// The 32-byte secret scalar.
    pub secret: String,
    /// The 48-byte compressed public key.
    pub public: String,
    /// The devnet validator index this key belongs to, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<u64>,
}

/// Why a key file is unusable.
#[derive(Debug, thiserror::Error)]
#[error("key file: {0}")]
pub struct KeyFileError(pub String);

impl KeyFile {
    /// The file for `key`.
    pub fn new(key: &SecretKey, validator: Option<u64>) -> Self {
        KeyFile { secret: hex::encode(key.to_bytes()), public: hex::encode(key.public()), validator }
    }

    /// Its secret key, checked against `public`.
    pub fn key(&self) -> Result<SecretKey, KeyFileError> {
        let bytes = hex::decode(self.secret.trim_start_matches("0x"))
            .map_err(|e| KeyFileError(format!("secret: {e}")))?;
        let key = SecretKey::from_bytes(&bytes)
            .ok_or_else(|| KeyFileError("secret is not a BLS12-381 scalar".into()))?;
        if hex::encode(key.public()) != self.public.trim_start_matches("0x") {
            return Err(KeyFileError("public key does not match the secret".into()));
        }
        Ok(key)
    }
}

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
}

/// A transaction's result as stored.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTx {
    /// Hash (hex-encoded in JSON).
    #[serde(with = "hex::serde")]
    pub hash: Root,
    /// EE.
    pub ee: u32,
    /// Error, if it failed.
    pub error: Option<String>,
    /// Gas used.
    pub gas: u64,
    /// Outputs printed.
    pub outputs: u32,
}

/// A netting decision as stored.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReceipt {
    /// Source EE.
    pub source_ee: u32,
    /// Output index.
    pub index: u32,
    /// Target shard, EE and amount (if the output decoded).
    pub target: Option<(u32, u32, u64)>,
    /// `None` if accepted, else the reason.
    pub rejected: Option<String>,
}

/// A committed block as stored.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct StoredBlock {
    /// The block (transactions, the meta-EE's included, and witness).
    pub block: ShardBlock,
    /// sha256 of the SCALE block.
    pub hash: Root,
    /// Shard root before.
    pub pre_root: Root,
    /// Shard root after.
    pub post_root: Root,
    /// Every transaction's result.
    pub txs: Vec<StoredTx>,
    /// The meta-EE's decisions.
    pub receipts: Vec<StoredReceipt>,
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

/// `ee_head`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadInfo {
    /// Slots committed.
    pub slot: u64,
    /// Shard count.
    pub shards: u32,
    /// Crosslinked shard roots (hex).
    pub shard_roots: Vec<String>,
    /// Registered EEs.
    pub ees: u32,
    /// Pending transactions per shard.
    pub pending: Vec<usize>,
    /// User transactions committed so far.
    pub committed_txs: u64,
    /// Slot length.
    pub slot_ms: u64,
}

/// `ee_sendTransaction` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxRequest {
    /// Target shard.
    pub shard: u32,
    /// EE.
    pub ee: u32,
    /// Data, hex (`0x` optional).
    pub data: String,
}

/// `ee_sendTransaction` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxAccepted {
    /// The transaction's hash (hex).
    pub hash: String,
    /// Its shard.
    pub shard: u32,
    /// Position in that shard's mempool.
    pub position: usize,
}

/// Where a committed transaction is (`ee_getTransaction`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxLocation {
    /// Slot.
    pub slot: u64,
    /// Shard.
    pub shard: u32,
    /// Index in the block.
    pub index: u32,
    /// Its result.
    pub result: StoredTx,
}

/// `ee_getBlock`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockInfo {
    /// Slot.
    pub slot: u64,
    /// Shard.
    pub shard: u32,
    /// Block hash (hex).
    pub hash: String,
    /// Roots (hex).
    pub pre_root: String,
    /// Roots (hex).
    pub post_root: String,
    /// Transactions (the meta-EE's last).
    pub transactions: Vec<StoredTx>,
    /// Netting decisions.
    pub receipts: Vec<StoredReceipt>,
    /// Bytes of the block witness.
    pub witness_bytes: usize,
}

/// `ee_getEe`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EeInfo {
    /// Id.
    pub id: u32,
    /// Name.
    pub name: String,
    /// `ee` or `meta`.
    pub role: String,
    /// sha256 of the code (hex).
    pub code_hash: String,
    /// Code size.
    pub code_bytes: usize,
    /// Locked deposit (Gwei).
    pub deposit: u64,
    /// Deploying validator, if deployed after genesis.
    pub deployer: Option<u64>,
}

/// `ee_deploy` / `ee_estimateDeploy` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployResult {
    /// The EE's id (would-be id for an estimate).
    pub ee: u32,
    /// sha256 of the code (hex).
    pub code_hash: String,
    /// Code size.
    pub code_bytes: usize,
    /// Deposit locked.
    pub deposit: u64,
    /// Deployment gas (`DEPLOY_GAS_BASE + DEPLOY_GAS_PER_BYTE × code bytes`).
    pub gas: u64,
    /// Whether it was applied (false for an estimate).
    pub applied: bool,
}

/// `ee_getWitness` result: what a pending transaction needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessInfo {
    /// Whether the transaction would succeed now.
    pub ok: bool,
    /// Why not.
    pub error: Option<String>,
    /// Its gas now.
    pub gas: u64,
    /// SCALE `BlockWitness` (hex) a block with just this transaction carries.
    pub witness: String,
    /// Its size.
    pub witness_bytes: usize,
    /// Bytes of the meta-EE's multiproof for that block.
    pub multiproof_bytes: usize,
    /// The shard's committed root the witness proves against (hex).
    pub pre_root: String,
    /// The root after that block (hex).
    pub post_root: String,
}
