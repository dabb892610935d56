//! JSON scenarios: shards, EEs (wasm paths and initial balance matrices) and blocks.
//!
//! ```json
//! {
//!   "name": "seed 000",
//!   "shards": 2,
//!   "ees": [
//!     { "id": 0, "name": "EE0", "wasm": "transfer_ee.wasm", "matrix": [[3, 0], [0, 0]] },
//!     { "id": 2, "name": "meta", "role": "meta", "wasm": "meta_ee.wasm" }
//!   ],
//!   "blocks": [
//!     { "shard": 0, "transactions": [ { "ee": 0, "transfers": [ { "amount": 1, "shard": 1 } ] } ] }
//!   ]
//! }
//! ```
//!
//! Wasm paths are relative to the scenario file. A transaction gives its data either as
//! `"data": "0x…"` (hex) or as `"transfers"` (SCALE-encoded `Vec<Transfer>` for the example
//! transfer EE). Blocks without `"slot"` each get a slot of their own; blocks that share a
//! `"slot"` value (listed consecutively) run in one slot against the same slot-start state.
//! The meta-EE's transaction is appended to every block by the block producer.
//! `"deposits"` lists beacon deposit receipts at genesis (hex SCALE `DepositReceipt`s), for
//! EEs that take deposits (the VHEE, the catalogue's).
mod run;

pub use run::{EeRootReport, RunReport, chain_for, matrices, run_scenario};

use crate::abi::Role;
use crate::genesis::{GenesisEe, GenesisError, GenesisSpec};
use crate::limits::Limits;
use crate::state::{KeyLayout, World};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{EeId, ShardId, ShardTransaction, Transfer};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The blocks of one slot: `(shard, user transactions)` each.
pub type SlotBlocks = Vec<(ShardId, Vec<ShardTransaction>)>;

/// A scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Number of shards.
    pub shards: u32,
    /// Key layout of the shard trees.
    #[serde(default)]
    pub layout: KeyLayout,
    /// Registered EEs (exactly one with role `meta`).
    pub ees: Vec<EeSpec>,
    /// Blocks, in order.
    pub blocks: Vec<BlockSpec>,
    /// Overrides of the default limits.
    #[serde(default)]
    pub limits: Option<Limits>,
    /// Beacon deposit receipts at genesis, each SCALE `DepositReceipt` as hex.
    #[serde(default)]
    pub deposits: Vec<String>,
}

/// One EE of a scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EeSpec {
    /// Its id.
    pub id: u32,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// `ee` (default) or `meta`.
    #[serde(default = "default_role")]
    pub role: Role,
    /// Path of its wasm code, relative to the scenario file.
    #[serde(default)]
    pub wasm: Option<PathBuf>,
    /// Initial balance matrix `m[row][column]` (default all zero).
    #[serde(default)]
    pub matrix: Option<Vec<Vec<i64>>>,
}

fn default_role() -> Role {
    Role::Ee
}

/// One block of a scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockSpec {
    /// Its shard.
    pub shard: u32,
    /// Slot grouping label (see the module docs).
    #[serde(default)]
    pub slot: Option<u64>,
    /// User transactions (the meta-EE's is appended).
    pub transactions: Vec<TxSpec>,
}

/// One transaction of a scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxSpec {
    /// The EE.
    pub ee: u32,
    /// Raw data as hex (`0x` optional).
    #[serde(default)]
    pub data: Option<String>,
    /// Transfers for the example transfer EE.
    #[serde(default)]
    pub transfers: Option<Vec<TransferSpec>>,
}

/// A transfer for the example transfer EE.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferSpec {
    /// Amount in Gwei.
    pub amount: u64,
    /// Target shard.
    pub shard: u32,
    /// Target EE (default: the sender).
    #[serde(default)]
    pub ee: Option<u32>,
}

/// Errors loading a scenario.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A file could not be read (missing, not a regular file, too large).
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// The JSON is malformed or has unknown fields.
    #[error("scenario is not valid: {0}")]
    Json(serde_json::Error),
    /// The scenario is inconsistent.
    #[error("scenario is not valid: {0}")]
    Invalid(String),
    /// Setting up the world failed.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
}

impl Scenario {
    /// Parses a scenario from JSON text.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        Ok(serde_json::from_str(text)?)
    }

    /// Reads a scenario file; wasm paths become relative to its directory.
    pub fn from_path(path: &Path) -> Result<Self, ScenarioError> {
        let text = crate::files::read_text_bounded(path, crate::files::MAX_INPUT_BYTES)?;
        let mut s = Self::from_json(&text)?;
        let base = path.parent().unwrap_or(Path::new("."));
        for ee in &mut s.ees {
            if let Some(w) = &ee.wasm {
                ee.wasm = Some(base.join(w));
            }
        }
        Ok(s)
    }

    /// The display name of EE `id`.
    pub fn ee_name(&self, id: u32) -> String {
        self.ees.iter().find(|e| e.id == id).and_then(|e| e.name.clone()).unwrap_or_else(|| format!("EE{id}"))
    }

    /// The genesis this scenario describes, with the code `code(spec)` returns for each
    /// EE (the meta-EE keeps the id the file gives it).
    pub fn genesis(
        &self,
        mut code: impl FnMut(&EeSpec) -> Result<Arc<[u8]>, ScenarioError>,
    ) -> Result<GenesisSpec, ScenarioError> {
        if self.ees.iter().filter(|e| e.role == Role::Meta).count() != 1 {
            return Err(ScenarioError::Invalid("exactly one EE must have role \"meta\"".into()));
        }
        let mut genesis = GenesisSpec::new(self.shards).layout(self.layout);
        for spec in &self.ees {
            let mut ee = GenesisEe::new(EeId(spec.id), self.ee_name(spec.id), code(spec)?);
            ee.role = spec.role;
            ee.matrix = spec.matrix.clone();
            genesis = genesis.ee(ee);
        }
        let mut deposits = Vec::with_capacity(self.deposits.len());
        for (i, hex_receipt) in self.deposits.iter().enumerate() {
            let bytes = hex::decode(hex_receipt.trim_start_matches("0x"))
                .map_err(|e| ScenarioError::Invalid(format!("deposit {i}: bad hex: {e}")))?;
            let receipt = ee_sdk::DepositReceipt::decode_all(&mut &bytes[..]).map_err(|e| {
                ScenarioError::Invalid(format!("deposit {i}: not a SCALE DepositReceipt: {e}"))
            })?;
            deposits.push(receipt);
        }
        Ok(genesis.deposits(deposits))
    }

    /// Builds the world of [`Scenario::genesis`].
    pub fn build_world(
        &self,
        code: impl FnMut(&EeSpec) -> Result<Arc<[u8]>, ScenarioError>,
    ) -> Result<World, ScenarioError> {
        Ok(self.genesis(code)?.build()?)
    }

    /// Reads the wasm file of `spec`.
    pub fn read_wasm(spec: &EeSpec) -> Result<Arc<[u8]>, ScenarioError> {
        let path = spec
            .wasm
            .as_ref()
            .ok_or_else(|| ScenarioError::Invalid(format!("EE {} has no \"wasm\" path", spec.id)))?;
        let bytes = crate::files::read_bounded(path, crate::files::MAX_INPUT_BYTES)?;
        Ok(bytes.into())
    }

    /// The blocks grouped into slots: `(shard, transactions)` per block.
    pub fn slots(&self) -> Result<Vec<SlotBlocks>, ScenarioError> {
        let mut slots: Vec<SlotBlocks> = Vec::new();
        let mut last: Option<u64> = None;
        for (i, b) in self.blocks.iter().enumerate() {
            if b.shard >= self.shards {
                return Err(ScenarioError::Invalid(format!("block {i}: shard {} does not exist", b.shard)));
            }
            let txs = b
                .transactions
                .iter()
                .enumerate()
                .map(|(j, t)| {
                    t.to_transaction().map_err(|e| ScenarioError::Invalid(format!("block {i} tx {j}: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let same_slot = matches!((b.slot, last), (Some(s), Some(l)) if s == l);
            if let (Some(s), Some(l)) = (b.slot, last)
                && s < l
            {
                return Err(ScenarioError::Invalid(format!("block {i}: slot {s} comes after slot {l}")));
            }
            if same_slot {
                slots.last_mut().expect("a previous slot").push((ShardId(b.shard), txs));
            } else {
                slots.push(vec![(ShardId(b.shard), txs)]);
            }
            last = b.slot;
        }
        Ok(slots)
    }
}

impl TxSpec {
    /// The transaction this spec describes.
    pub fn to_transaction(&self) -> Result<ShardTransaction, String> {
        let data = match (&self.data, &self.transfers) {
            (Some(_), Some(_)) => return Err("give either \"data\" or \"transfers\", not both".into()),
            (Some(hex_data), None) => {
                hex::decode(hex_data.trim_start_matches("0x")).map_err(|e| format!("bad hex data: {e}"))?
            }
            (None, Some(ts)) => ts
                .iter()
                .map(|t| Transfer { amount: t.amount, shard: ShardId(t.shard), ee: t.ee.map(EeId) })
                .collect::<Vec<_>>()
                .encode(),
            (None, None) => Vec::new(),
        };
        Ok(ShardTransaction { ee_id: EeId(self.ee), data })
    }
}

// The message shows the cause; it is not also the `source()`, so `{:#}` prints it once.
impl From<serde_json::Error> for ScenarioError {
    fn from(e: serde_json::Error) -> Self {
        ScenarioError::Json(e)
    }
}
