//! Transactions and beacon operations: hashes, transfer-EE data, signed deployments and
//! validator deposit receipts.
use crate::codec::TransferJs;
use crate::convert::from_js;
use crate::error::{Kind, fail};
use crate::keys::SecretKey;
use ee_client::NewExecutionScript;
use ee_sdk::codec::Encode;
use ee_sdk::{DepositData, DepositReceipt, EeId, ShardId, ShardTransaction};
use wasm_bindgen::prelude::*;

/// The hash `ee_sendTransaction` answers for `data` to `ee` on `shard`, hex.
#[wasm_bindgen(js_name = txHash)]
pub fn tx_hash(shard: u32, ee: u32, data: &[u8]) -> String {
    hex::encode(ee_client::tx_hash(
        ShardId(shard),
        &ShardTransaction { ee_id: EeId(ee), data: data.to_vec() },
    ))
}

/// The transfer EE's data for `[{amount, shard, ee?}]` (amounts as bigint or number).
#[wasm_bindgen(js_name = transferData)]
pub fn transfer_data(transfers: JsValue) -> Result<Vec<u8>, JsValue> {
    let ts: Vec<TransferJs> = from_js(transfers, "transfers")?;
    let ts: Vec<(u64, u32, Option<u32>)> = ts.iter().map(|t| (t.amount, t.shard, t.ee)).collect();
    Ok(ee_client::tx::transfer_data(&ts))
}

/// A signed SCALE `NewExecutionScript` deploying `code` by validator `sender` (whose key is
/// `key`) at `slot`: the bytes `ee_deploy` takes.
#[wasm_bindgen(js_name = deployScript)]
pub fn deploy_script(sender: u64, slot: u64, code: &[u8], key: &SecretKey) -> Result<Vec<u8>, JsValue> {
    if code.is_empty() {
        return Err(fail(Kind::Input, "empty code"));
    }
    Ok(NewExecutionScript::signed(sender, slot, code.to_vec(), &key.0).encode())
}

/// A SCALE `DepositReceipt`: validator `validator` (whose key is `key`) deposits `amount`
/// Gwei into `portion` of EE `ee` on `shard`, signed — the bytes `ee_deposit` takes.
#[wasm_bindgen(js_name = depositReceipt)]
pub fn deposit_receipt(
    key: &SecretKey,
    validator: u64,
    shard: u32,
    ee: u32,
    portion: u32,
    amount: u64,
) -> Vec<u8> {
    let mut r = DepositReceipt {
        validator_index: validator,
        target: ShardId(shard),
        data: DepositData { ee: EeId(ee), portion: EeId(portion), amount }.encode(),
        pubkey: key.0.public(),
        signature: [0; 96],
    };
    r.signature = key.0.sign(&r.signing_message());
    r.encode()
}
