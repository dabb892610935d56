//! The report of an executed block: one type, derived from the host's block result, that
//! `ee run` prints, the devnet stores and serves (`ee_getBlock`) and `ee status` prints.
//! Serde for JSON, SCALE for storage.
use parity_scale_codec::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// One host function's use in a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct HostCallReport {
    /// Function name.
    pub function: String,
    /// Calls.
    pub calls: u64,
    /// Gas charged.
    pub gas: u64,
}

/// One transaction's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct TxReport {
    /// Position in the block.
    pub index: u32,
    /// EE id.
    pub ee: u32,
    /// EE name.
    pub name: String,
    /// The transaction's hash (hex), where the chain indexes transactions (the devnet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Whether it succeeded.
    pub ok: bool,
    /// Why it failed (it then left nothing behind).
    pub error: Option<String>,
    /// Gas used (instructions and host calls).
    pub gas: u64,
    /// Of which host calls.
    pub host_gas: u64,
    /// Fee paid (Gwei), from the EE's balance on the shard into the shard's fee pool.
    #[serde(default)]
    pub fee: u64,
    /// Outputs printed (0 if it failed).
    pub outputs: u32,
    /// Compile time (µs, 0 if the module was cached).
    pub compile_us: u64,
    /// Instantiate time (µs).
    pub instantiate_us: u64,
    /// Execute time (µs).
    pub execute_us: u64,
    /// Host calls per function.
    pub host_calls: Vec<HostCallReport>,
    /// Debug log lines.
    pub logs: Vec<String>,
}

/// What the meta-EE did with one output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Applied to the matrices.
    Accepted,
    /// Skipped, nothing applied.
    Rejected,
}

/// The meta-EE's decision on one output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct ReceiptReport {
    /// EE that printed the output.
    pub source_ee: u32,
    /// Index among that EE's outputs in the block.
    pub index: u32,
    /// `(target shard, target EE, amount)`, if the output decoded as a netting output.
    pub target: Option<(u32, u32, u64)>,
    /// Accepted or rejected.
    pub status: Decision,
    /// Why it was rejected (`None` if accepted).
    pub rejected: Option<String>,
}

/// One block's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct BlockReport {
    /// Slot.
    pub slot: u64,
    /// Shard.
    pub shard: u32,
    /// sha256 of the SCALE block (hex), where the chain keeps blocks (the devnet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Shard root before (hex).
    pub pre_root: String,
    /// Shard root after (hex).
    pub post_root: String,
    /// Total gas of the block.
    pub gas: u64,
    /// Fees the block's transactions paid into the shard's fee pool (Gwei).
    #[serde(default)]
    pub fees: u64,
    /// Bytes of the block's own witness.
    pub witness_bytes: u64,
    /// Every transaction (the meta-EE's last).
    pub transactions: Vec<TxReport>,
    /// The meta-EE's decision on every output it read.
    pub netting: Vec<ReceiptReport>,
    /// User transactions the producer left for a later block (they did not fit its gas or
    /// output budget).
    #[serde(default)]
    pub deferred: u32,
    /// User transactions the producer dropped (their block could not be netted even with
    /// them alone).
    #[serde(default)]
    pub dropped: u32,
}

/// One EE's balance matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixReport {
    /// The EE.
    pub ee: u32,
    /// Its name.
    pub name: String,
    /// `rows[row][column]`.
    pub rows: Vec<Vec<i64>>,
}
