//! The VHEE for JavaScript: operations built and signed here, prepared against the state
//! provider's proofs. Preparing is a loop `index.js` drives: [`vhee_prepare`] runs the
//! VHEE's own state transition over the proofs fetched so far and either asks for the
//! next keys (`{need: {shard, keys}}`; the caller fetches `ee_getProof` and calls again
//! with the answer added) or returns the transaction with its witness. Every answer is
//! checked against the root it names before it is used.
use crate::convert::{from_js, hex_array, hex_bytes, to_js};
use crate::error::{Kind, fail};
use crate::keys::{AddressJs, SecretKey};
use ee_client::ProofInfo;
use ee_client::types::Hex;
use ee_client::vhee::{Account, Op, Receipt, VheeClient, account_key, check_proof, snapshot_of};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{EeId, Root, ShardId};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use vhee::client::{LeafSource, ProvenLeaves};
use wasm_bindgen::prelude::*;

/// A user-level receipt: `{to, amount, callData?}` (`from` is the paying account).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptJs {
    /// Paying account (filled in from the operation when absent).
    #[serde(default)]
    pub from: Option<AddressJs>,
    /// Credited account.
    pub to: AddressJs,
    /// Gwei.
    pub amount: u64,
    /// Data for the recipient, hex.
    #[serde(default)]
    pub call_data: String,
}

impl ReceiptJs {
    fn receipt(&self, from: Option<&AddressJs>) -> Result<Receipt, JsValue> {
        let from = self
            .from
            .as_ref()
            .or(from)
            .ok_or_else(|| fail(Kind::Input, "a receipt needs `from`"))?
            .address()?;
        Ok(Receipt {
            from,
            to: self.to.address()?,
            amount: self.amount,
            call_data: hex_bytes(&self.call_data, "callData")?,
        })
    }
}

fn receipts(list: &[ReceiptJs], from: Option<&AddressJs>) -> Result<Vec<Receipt>, JsValue> {
    if list.is_empty() || list.len() > vhee::MAX_RECEIPTS {
        return Err(fail(Kind::Input, format!("1 to {} receipts, got {}", vhee::MAX_RECEIPTS, list.len())));
    }
    list.iter().map(|r| r.receipt(from)).collect()
}

/// A VHEE operation as JavaScript writes it (`type` selects the variant).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
enum OpJs {
    Deposit { index: u64 },
    Transfer { from: AddressJs, to: AddressJs, amount: u64, nonce: u64 },
    PayEe { from: AddressJs, target_shard: u32, target_ee: u32, amount: u64, nonce: u64 },
    CrossShard { from: AddressJs, target_shard: u32, receipts: Vec<ReceiptJs>, nonce: u64 },
    Claim { source_shard: u32, receipts: Vec<ReceiptJs>, index: u32 },
}

/// The SCALE `Op` for `{type: "deposit" | "transfer" | "payEe" | "crossShard" | "claim",
/// …}` (signed operations carry an empty signature until [`vhee_sign`]). A claim names
/// the whole receipt list and the index claimed; its root and proof are computed here.
#[wasm_bindgen(js_name = vheeOp)]
pub fn vhee_op(op: JsValue) -> Result<Vec<u8>, JsValue> {
    let op: OpJs = from_js(op, "operation")?;
    let op = match op {
        OpJs::Deposit { index } => Op::Deposit { index },
        OpJs::Transfer { from, to, amount, nonce } => {
            Op::Transfer { from: from.address()?, to: to.address()?, amount, nonce, signature: [0; 96] }
        }
        OpJs::PayEe { from, target_shard, target_ee, amount, nonce } => Op::PayEe {
            from: from.address()?,
            target_shard: ShardId(target_shard),
            target_ee: EeId(target_ee),
            amount,
            nonce,
            signature: [0; 96],
        },
        OpJs::CrossShard { from, target_shard, receipts: list, nonce } => Op::CrossShard {
            receipts: receipts(&list, Some(&from))?,
            from: from.address()?,
            target_shard: ShardId(target_shard),
            nonce,
            signature: [0; 96],
        },
        OpJs::Claim { source_shard, receipts: list, index } => {
            let rs = receipts(&list, None)?;
            let receipt = rs
                .get(index as usize)
                .cloned()
                .ok_or_else(|| fail(Kind::Input, format!("receipt {index} of {}", rs.len())))?;
            Op::Claim {
                source_shard: ShardId(source_shard),
                data_root: VheeClient::data_root(&rs),
                index,
                receipt,
                proof: VheeClient::receipt_proof(&rs, index),
            }
        }
    };
    Ok(op.encode())
}

fn op_of(bytes: &[u8]) -> Result<Op, JsValue> {
    Op::decode_all(&mut &bytes[..])
        .map_err(|e| fail(Kind::Decode, format!("not a SCALE VHEE operation: {e}")))
}

/// `op` (SCALE) signed by `key` for the VHEE `vhee` on `shard` (a signature is valid for
/// one VHEE on one shard). Unsigned operations are returned as they are.
#[wasm_bindgen(js_name = vheeSign)]
pub fn vhee_sign(op: &[u8], key: &SecretKey, vhee: u32, shard: u32) -> Result<Vec<u8>, JsValue> {
    let op = op_of(op)?;
    Ok(match op.signing_message(EeId(vhee), ShardId(shard)) {
        Some(msg) => op.with_signature(key.0.sign(&msg)).encode(),
        None => op.encode(),
    })
}

/// The root of a receipt list (what a cross-shard transfer's netting output carries and a
/// claim names), hex.
#[wasm_bindgen(js_name = vheeReceiptsRoot)]
pub fn vhee_receipts_root(list: JsValue) -> Result<String, JsValue> {
    let list: Vec<ReceiptJs> = from_js(list, "receipts")?;
    Ok(hex::encode(VheeClient::data_root(&receipts(&list, None)?)))
}

/// The key of `address`'s account leaf in the VHEE's tree, hex (what `ee_getProof` takes).
#[wasm_bindgen(js_name = vheeAccountKey)]
pub fn vhee_account_key(address: JsValue) -> Result<String, JsValue> {
    let a: AddressJs = from_js(address, "address")?;
    Ok(hex::encode(account_key(&a.address()?)))
}

/// An account from the state provider's answer for its key, the proof checked:
/// `{balance, nonce, root}` (a never-used account is all zeros).
#[wasm_bindgen(js_name = vheeCheckAccount)]
pub fn vhee_check_account(address: JsValue, answer: JsValue) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct AccountJs {
        balance: u64,
        nonce: u64,
        root: String,
    }
    let a: AddressJs = from_js(address, "address")?;
    let key = account_key(&a.address()?);
    let p: ProofInfo = from_js(answer, "proof")?;
    let (root, (leaves, _)) = check_proof(&[key], &p).map_err(|e| fail(Kind::Proof, e))?;
    let account = Account::from_value(&leaves.first().map(|(_, v)| *v).unwrap_or_default());
    to_js(&AccountJs { balance: account.balance, nonce: account.nonce, root: hex::encode(root) })
}

/// What the host would tell the VHEE, as `index.js` gathers it from the node.
#[derive(Deserialize)]
struct ContextJs {
    shard: u32,
    vhee: u32,
    shards: u32,
    ees: Vec<u32>,
    deposits: Vec<Hex>,
    #[serde(default)]
    netted: Option<NettedJs>,
}

#[derive(Deserialize)]
struct NettedJs {
    source: u32,
    root: String,
    amount: u64,
}

/// A state provider's answer for some keys.
#[derive(Deserialize)]
struct AnswerJs {
    keys: Vec<String>,
    proof: ProofInfo,
}

/// Answers from the proofs fetched so far; records the first keys it lacks.
struct Answers {
    answers: Vec<(Vec<Root>, ProofInfo)>,
    need: RefCell<Option<Vec<Root>>>,
}

const NEED: &str = "no answer yet for these keys";

impl Answers {
    fn find(&self, keys: &[Root]) -> Result<(Root, ProvenLeaves), String> {
        let mut want = keys.to_vec();
        want.sort();
        want.dedup();
        for (asked, p) in &self.answers {
            if *asked == want {
                return check_proof(&want, p);
            }
        }
        self.need.borrow_mut().get_or_insert(want);
        Err(NEED.into())
    }
}

impl LeafSource for Answers {
    fn leaves(&mut self, _shard: ShardId, keys: &[Root]) -> Result<ProvenLeaves, String> {
        self.find(keys).map(|(_, l)| l)
    }
    fn root(&mut self, _shard: ShardId) -> Result<Root, String> {
        self.find(&[]).map(|(r, _)| r)
    }
}

/// What [`vhee_prepare`] returns when done.
#[derive(Serialize)]
struct PreparedJs {
    shard: u32,
    ee: u32,
    /// The transaction's data, hex (`ee_sendTransaction`'s `data`).
    data: String,
    hash: String,
    /// Why the VHEE will refuse it, if it will.
    refused: Option<String>,
    post_root: String,
    outputs: Vec<crate::codec::NettingOutputJs>,
    witness_leaves: usize,
    proof_bytes: usize,
}

/// Prepares `op` (SCALE, signed if it must be) with `context` (`{shard, vhee, shards, ees,
/// deposits, netted?: {source, root, amount}}`) and the state provider's `answers` so far
/// (`[{keys, proof}]`). Returns `{need: {shard, keys}}` while it lacks proofs, then
/// `{shard, ee, data, hash, refused, post_root, outputs, witness_leaves, proof_bytes}`.
#[wasm_bindgen(js_name = vheePrepare)]
pub fn vhee_prepare(op: &[u8], context: JsValue, answers: JsValue) -> Result<JsValue, JsValue> {
    let op = op_of(op)?;
    let ctx: ContextJs = from_js(context, "context")?;
    let list: Vec<AnswerJs> = from_js(answers, "answers")?;
    let mut answers = Answers { answers: Vec::new(), need: RefCell::new(None) };
    for a in list {
        let mut keys = a.keys.iter().map(|k| hex_array::<32>(k, "key")).collect::<Result<Vec<Root>, _>>()?;
        keys.sort();
        keys.dedup();
        answers.answers.push((keys, a.proof));
    }
    let netted = match &ctx.netted {
        Some(n) => Some((ShardId(n.source), hex_array::<32>(&n.root, "netted root")?, n.amount)),
        None => None,
    };
    let snapshot = snapshot_of(
        ShardId(ctx.shard),
        EeId(ctx.vhee),
        ctx.shards,
        ctx.ees.iter().copied(),
        &ctx.deposits,
        netted,
    )
    .map_err(|e| fail(Kind::Decode, e))?;
    match VheeClient::prepare_remote(op, snapshot, &mut answers) {
        Ok((prepared, refused)) => {
            let tx = prepared.transaction(EeId(ctx.vhee));
            to_js(&PreparedJs {
                shard: ctx.shard,
                ee: ctx.vhee,
                hash: hex::encode(ee_client::tx_hash(ShardId(ctx.shard), &tx)),
                data: hex::encode(&tx.data),
                refused: refused.map(|why| why.message().to_string()),
                post_root: hex::encode(prepared.post_root),
                outputs: prepared.emitted.iter().map(crate::codec::NettingOutputJs::from).collect(),
                witness_leaves: prepared.tx.leaves.len(),
                proof_bytes: prepared.tx.proof.len(),
            })
        }
        // A missing answer is the only error raised while `need` is set.
        Err(_) if answers.need.borrow().is_some() => {
            #[derive(Serialize)]
            struct Need {
                shard: u32,
                keys: Vec<String>,
            }
            #[derive(Serialize)]
            struct NeedJs {
                need: Need,
            }
            let keys = answers.need.borrow().clone().unwrap_or_default();
            to_js(&NeedJs { need: Need { shard: ctx.shard, keys: keys.iter().map(hex::encode).collect() } })
        }
        Err(e) => Err(fail(Kind::Proof, e)),
    }
}
