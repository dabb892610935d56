//! The wire types of the devnet's JSON-RPC methods (see [`crate::api`]).
use crate::report::TxReport;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes as a hex string in JSON (`0x` prefix accepted, not written).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hex(pub Vec<u8>);

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text.trim_start_matches("0x"))
            .map(Hex)
            .map_err(|e| serde::de::Error::custom(format!("not hex: {e}")))
    }
}

/// `ee_getNetwork`: a node's place in a multi-node network. A lone devnet has no network
/// id, produces every shard and counts nothing here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInfo {
    /// The network's id (the genesis file's hash prefix), `None` for a lone devnet.
    pub network: Option<String>,
    /// Shards whose blocks this node produces.
    pub owned: Vec<u32>,
    /// Connected peers.
    pub peers: u64,
    /// Slots committed since the process started (live or caught up).
    pub slots: u64,
    /// Of those, slots taken from a peer.
    pub caught_up: u64,
    /// Foreign blocks that failed validation.
    pub rejected: u64,
    /// Shard-slots committed without a block.
    pub absent: u64,
    /// User transactions committed since the process started.
    pub txs: u64,
    /// Bytes of this node's own blocks gossiped.
    pub own_block_bytes: u64,
    /// Gossip payload bytes this node published (blocks and forwarded transactions).
    pub gossip_out: u64,
    /// Gossip payload bytes this node received.
    pub gossip_in: u64,
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
    /// Fees collected in every shard's fee pool so far (Gwei).
    #[serde(default)]
    pub fees: u64,
    /// Fee per 1,000 gas (Gwei).
    #[serde(default)]
    pub gas_price: u64,
}

/// `ee_sendTransaction` / `ee_getWitness` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxRequest {
    /// Target shard.
    pub shard: u32,
    /// EE.
    pub ee: u32,
    /// Data, hex (`0x` optional).
    pub data: String,
}

impl TxRequest {
    /// A request for `data` to EE `ee` on `shard`.
    pub fn new(shard: u32, ee: u32, data: &[u8]) -> Self {
        TxRequest { shard, ee, data: hex::encode(data) }
    }
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
    pub result: TxReport,
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
    /// The first slot whose blocks may use it (0 at genesis).
    #[serde(default)]
    pub registered_at: u64,
}

/// `ee_deposit` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositAccepted {
    /// The receipt's index in the beacon state (what the EE's claim names). On a network
    /// node, the index it is expected to get (deposits other nodes accepted for the same
    /// slot may come first: `ee_listDeposits` has the final one).
    pub index: u64,
    /// The slot from which blocks see it.
    pub slot: u64,
    /// On a node of a multi-node network: the slot at whose start every node adds it
    /// (`slot` is the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_slot: Option<u64>,
}

/// A beacon deposit receipt (`ee_listDeposits`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositInfo {
    /// Its index.
    pub index: u64,
    /// The slot from which blocks see it.
    pub slot: u64,
    /// SCALE `DepositReceipt`.
    pub receipt: Hex,
}

/// `ee_getProof`: leaves of an EE's tree on a shard and their proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofInfo {
    /// The EE's committed root on the shard (hex).
    pub root: String,
    /// `(key, value)` (hex) of every asked key, in the tree's path order; zero is absent.
    pub leaves: Vec<(String, String)>,
    /// Their compiled multiproof against `root`.
    pub proof: Hex,
}

/// `ee_getRoots`: an EE's state roots after the last committed slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EeRoots {
    /// Slots committed (the head's `slot`): the roots are those after slot `slot - 1`.
    pub slot: u64,
    /// The EE's root on each shard (hex; zero where it has no state).
    pub roots: Vec<String>,
}

/// `ee_getConfig`: what a validator needs besides the blocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainConfig {
    /// Shard count.
    pub shards: u32,
    /// Key layout of the shard trees (`column-major`).
    pub layout: String,
    /// Every shard's state root at genesis (hex).
    pub genesis_roots: Vec<String>,
    /// The host's `Limits` (JSON; gas limits, prices, bounds).
    pub limits: serde_json::Value,
    /// The host's cost table (JSON, as `ee costs` prints it).
    pub costs: serde_json::Value,
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
    /// Deployment gas (reported; the devnet charges only the deposit).
    pub gas: u64,
    /// Whether it was applied (false for an estimate, and on a network node, where it is
    /// registered at `activation_slot`).
    pub applied: bool,
    /// On a node of a multi-node network: the slot at whose start every node registers it
    /// as EE `ee` (unless another deployment took that id first; `ee_getEe` then shows
    /// another code hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_slot: Option<u64>,
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

/// `ee_getValidator`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorInfo {
    /// Index.
    pub index: u64,
    /// BLS public key (hex).
    pub pubkey: String,
    /// Unlocked balance (Gwei).
    pub balance: u64,
}
