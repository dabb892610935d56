//! SCALE decoding for JavaScript: blocks (`ee_getRawBlock`), witnesses, netting outputs,
//! the meta-EE's netting reports, deposit receipts and transfer-EE data, as plain objects.
//! Trailing bytes are refused, as the host refuses them.
use crate::convert::to_js;
use crate::error::{Kind, fail};
use ee_sdk::codec::DecodeAll;
use ee_sdk::{
    BlockWitness, DepositData, DepositReceipt, MetaTransaction, NettingOutput, NettingReport, NettingStatus,
    ShardBlock, ShardProof, Transfer,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

fn decode<T: DecodeAll>(bytes: &[u8], what: &str) -> Result<T, JsValue> {
    T::decode_all(&mut &bytes[..]).map_err(|e| fail(Kind::Decode, format!("not a SCALE {what}: {e}")))
}

/// A transaction of a block.
#[derive(Serialize)]
pub struct TxJs {
    /// The EE it runs.
    pub ee: u32,
    /// Its data, hex.
    pub data: String,
    /// Its hash (what `ee_sendTransaction` answered), hex.
    pub hash: String,
}

/// A multiproof of one shard's leaves.
#[derive(Serialize)]
pub struct ProofJs {
    /// Whose tree.
    pub shard: u32,
    /// `[key, value]` hex pairs.
    pub leaves: Vec<(String, String)>,
    /// Proof bytes.
    pub proof_bytes: usize,
}

impl From<&ShardProof> for ProofJs {
    fn from(p: &ShardProof) -> Self {
        ProofJs {
            shard: p.shard.0,
            leaves: p.leaves.iter().map(|(k, v)| (hex::encode(k), hex::encode(v))).collect(),
            proof_bytes: p.proof.len(),
        }
    }
}

/// A block witness.
#[derive(Serialize)]
pub struct WitnessJs {
    /// The block's own shard's keys against its pre-state root.
    pub own: Option<ProofJs>,
    /// Other shards' keys, against the beacon state's roots.
    pub foreign: Vec<ProofJs>,
    /// Its SCALE size.
    pub bytes: usize,
}

fn witness_js(bytes: &[u8]) -> Result<WitnessJs, JsValue> {
    if bytes.is_empty() {
        return Ok(WitnessJs { own: None, foreign: Vec::new(), bytes: 0 });
    }
    let w: BlockWitness = decode(bytes, "BlockWitness")?;
    Ok(WitnessJs {
        own: w.own.as_ref().map(ProofJs::from),
        foreign: w.foreign.iter().map(ProofJs::from).collect(),
        bytes: bytes.len(),
    })
}

/// A shard block.
#[derive(Serialize)]
pub struct BlockJs {
    /// Its shard.
    pub shard: u32,
    /// Its slot (bigint).
    pub slot: u64,
    /// Its transactions, the meta-EE's last.
    pub transactions: Vec<TxJs>,
    /// Its witness.
    pub witness: WitnessJs,
}

/// A SCALE `ShardBlock` (from `ee_getRawBlock`): `{shard, slot, transactions: [{ee, data,
/// hash}], witness: {own, foreign, bytes}}`.
#[wasm_bindgen(js_name = decodeBlock)]
pub fn decode_block(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let b: ShardBlock = decode(bytes, "ShardBlock")?;
    let transactions = b
        .transactions
        .iter()
        .map(|t| TxJs {
            ee: t.ee_id.0,
            data: hex::encode(&t.data),
            hash: hex::encode(ee_client::tx_hash(b.shard, t)),
        })
        .collect();
    to_js(&BlockJs { shard: b.shard.0, slot: b.slot, transactions, witness: witness_js(&b.witness)? })
}

/// A SCALE `BlockWitness`.
#[wasm_bindgen(js_name = decodeWitness)]
pub fn decode_witness(bytes: &[u8]) -> Result<JsValue, JsValue> {
    to_js(&witness_js(bytes)?)
}

/// A netting output.
#[derive(Serialize)]
pub struct NettingOutputJs {
    /// Shard the funds are for.
    pub target_shard: u32,
    /// EE the funds are for.
    pub target_ee: u32,
    /// Gwei (bigint).
    pub amount: u64,
    /// Root of the receipts it pays for, hex.
    pub data_root: String,
}

impl From<&NettingOutput> for NettingOutputJs {
    fn from(o: &NettingOutput) -> Self {
        NettingOutputJs {
            target_shard: o.target_shard.0,
            target_ee: o.target_ee.0,
            amount: o.amount,
            data_root: hex::encode(o.data_root),
        }
    }
}

/// A SCALE `NettingOutput` (what an EE prints to move ETH).
#[wasm_bindgen(js_name = decodeNettingOutput)]
pub fn decode_netting_output(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let o: NettingOutput = decode(bytes, "NettingOutput")?;
    to_js(&NettingOutputJs::from(&o))
}

/// The meta-EE's report on one EE's outputs.
#[derive(Serialize)]
pub struct NettingReportJs {
    /// Whose outputs.
    pub source_ee: u32,
    /// Index of the first.
    pub first_index: u32,
    /// `"accepted"` or `"rejected: <reason>"`, one per output.
    pub statuses: Vec<String>,
}

/// A SCALE `NettingReport` (the meta-EE's accept/reject decisions, printed as its output).
#[wasm_bindgen(js_name = decodeNettingReport)]
pub fn decode_netting_report(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let r: NettingReport = decode(bytes, "NettingReport")?;
    let statuses = r
        .statuses
        .iter()
        .map(|s| match s {
            NettingStatus::Accepted => "accepted".to_string(),
            NettingStatus::Rejected(why) => format!("rejected: {why:?}"),
        })
        .collect();
    to_js(&NettingReportJs { source_ee: r.source_ee.0, first_index: r.first_index, statuses })
}

/// A deposit receipt.
#[derive(Serialize)]
pub struct DepositJs {
    /// The validator.
    pub validator_index: u64,
    /// The shard.
    pub target: u32,
    /// The EE credited.
    pub ee: u32,
    /// The portion inside it.
    pub portion: u32,
    /// Gwei (bigint).
    pub amount: u64,
    /// The validator's key, hex.
    pub pubkey: String,
    /// Whether the signature verifies.
    pub signature_ok: bool,
}

/// A SCALE `DepositReceipt` (from `ee_listDeposits`), its signature checked.
#[wasm_bindgen(js_name = decodeDepositReceipt)]
pub fn decode_deposit_receipt(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let r: DepositReceipt = decode(bytes, "DepositReceipt")?;
    let d: DepositData = decode(&r.data, "DepositData")?;
    to_js(&DepositJs {
        validator_index: r.validator_index,
        target: r.target.0,
        ee: d.ee.0,
        portion: d.portion.0,
        amount: d.amount,
        pubkey: hex::encode(r.pubkey),
        signature_ok: ee_sdk::bls::verify(&r.pubkey, &r.signing_message(), &r.signature),
    })
}

/// A transfer of the example transfer EE.
#[derive(Serialize, serde::Deserialize)]
pub struct TransferJs {
    /// Gwei (bigint).
    pub amount: u64,
    /// Target shard.
    pub shard: u32,
    /// Target EE (`null`: the sending EE).
    pub ee: Option<u32>,
}

/// The transfer EE's SCALE `Vec<Transfer>`.
#[wasm_bindgen(js_name = decodeTransferData)]
pub fn decode_transfer_data(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let ts: Vec<Transfer> = decode(bytes, "Vec<Transfer>")?;
    let out: Vec<TransferJs> =
        ts.iter().map(|t| TransferJs { amount: t.amount, shard: t.shard.0, ee: t.ee.map(|e| e.0) }).collect();
    to_js(&out)
}

/// The meta-EE's transaction data.
#[derive(Serialize)]
pub struct MetaTransactionJs {
    /// EEs whose outputs it nets, in order.
    pub ee_ids: Vec<u32>,
    /// Foreign shards whose cells it may read, per EE, in order.
    pub proof_order: Vec<(u32, Vec<u32>)>,
    /// Size of the multiproof of other shards' cells.
    pub multiproof_bytes: usize,
    /// Shards the multiproof covers, with the leaves proven on each.
    pub proofs: Vec<ProofJs>,
}

/// The data of a block's last transaction, the meta-EE's SCALE `MetaTransaction`:
/// `{ee_ids, proof_order: [[ee, [shard…]]], multiproof_bytes, proofs}`.
#[wasm_bindgen(js_name = decodeMetaTransaction)]
pub fn decode_meta_transaction(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let m: MetaTransaction = decode(bytes, "MetaTransaction")?;
    let proofs: Vec<ShardProof> =
        if m.multiproof.is_empty() { Vec::new() } else { decode(&m.multiproof, "Vec<ShardProof>")? };
    to_js(&MetaTransactionJs {
        ee_ids: m.ee_ids.iter().map(|e| e.0).collect(),
        proof_order: m.proof_order.iter().map(|o| (o.ee.0, o.shards.iter().map(|s| s.0).collect())).collect(),
        multiproof_bytes: m.multiproof.len(),
        proofs: proofs.iter().map(ProofJs::from).collect(),
    })
}
