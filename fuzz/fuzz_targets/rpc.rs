//! The devnet's JSON-RPC handlers, in process: a node (real meta-EE, VHEE and transfer EE
//! on 2 shards, stateless validation of every produced block on) served by a jsonrpsee
//! `RpcModule` registered from `ee-client`'s method table exactly as `devnet/src/server.rs`
//! does (`dispatch` over `impl Api for Node`), called with the input as a JSON-RPC request
//! or batch (`RpcModule::raw_json_request`). Every answer is a JSON-RPC response whose
//! error codes are in the table and are never a node fault (`-32603`); submitted
//! transactions, deposits and deployments are produced into slots as the input goes, and
//! production never fails nor halts the node (its validator refuses no block).
#![no_main]
use ee_client::api::{MAX_BATCH, dispatch};
use ee_client::error::{ErrorCode, RpcError};
use ee_client::{Method, NewExecutionScript, TxRequest};
use ee_devnet::{Genesis, Node, NodeConfig};
use ee_sdk::codec::Encode;
use ee_sdk::{DepositData, DepositReceipt, EeId, ShardId};
use jsonrpsee::RpcModule;
use jsonrpsee::types::{ErrorObjectOwned, Params};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

struct Setup {
    node: Arc<Node>,
    module: RpcModule<Arc<Node>>,
    rt: tokio::runtime::Runtime,
    calls: AtomicU64,
}

// As `devnet/src/server.rs` (private there).
fn rpc_error(e: RpcError) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(e.code, e.message, None::<()>)
}

fn positional(params: &Params<'_>) -> Result<Vec<Value>, RpcError> {
    if params.as_str().is_none() {
        return Ok(Vec::new());
    }
    params.parse::<Vec<Value>>().map_err(|e| {
        RpcError::new(ErrorCode::InvalidParams, format!("params must be an array: {}", e.message()))
    })
}

fn module(node: Arc<Node>) -> RpcModule<Arc<Node>> {
    let mut module = RpcModule::new(node);
    for &m in Method::ALL {
        module
            .register_blocking_method(m.name(), move |params, node, _| {
                let args = positional(&params).map_err(rpc_error)?;
                dispatch(&**node, m, &args).map_err(rpc_error)
            })
            .expect("each method once");
    }
    module
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let dir = ee_fuzz::work_dir("rpc");
    let mut config = NodeConfig::new(dir.join("devnet.redb"));
    config.shards = 2;
    config.validate = true;
    config.max_pending = 64;
    config.max_block_txs = 16;
    let genesis = Genesis {
        meta_ee: ee_fuzz::ee("meta_ee"),
        vhee: ee_fuzz::ee("vhee"),
        vhee_float: Genesis::VHEE_FLOAT,
        transfer_ee: ee_fuzz::ee("transfer_ee"),
        transfer_balance: 1_000_000_000_000,
        validators: Genesis::dev_validators(),
    };
    let node = Arc::new(Node::open(config, Some(genesis)).expect("the node opens"));
    // Two slots with transfers, so blocks, receipts and transactions exist.
    for (shard, to) in [(0, 1), (1, 0)] {
        node.submit(&TxRequest::new(
            shard,
            1,
            &ee_fuzz::chain::transfers(&[(5, to, None), (1, shard, Some(0))]),
        ))
        .expect("a transfer is accepted");
    }
    node.produce_slot().expect("slot 0");
    node.produce_slot().expect("slot 1");
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("tokio");
    Setup { module: module(node.clone()), node, rt, calls: AtomicU64::new(0) }
});

fn check_answer(request: &str, answer: &str) {
    let v: Value =
        serde_json::from_str(answer).unwrap_or_else(|e| panic!("answer is not JSON ({e}): {answer}"));
    assert_eq!(v["jsonrpc"], "2.0", "{answer}");
    if let Some(code) = v["error"]["code"].as_i64() {
        let code = ErrorCode::from_code(code as i32)
            .unwrap_or_else(|| panic!("code {code} not in the table: {answer}"));
        assert_ne!(code, ErrorCode::Internal, "a request made the node fault:\n{request}\n{answer}");
    } else {
        assert!(v.get("result").is_some(), "{answer}");
    }
}

fn call(request: &str) {
    let s = &*SETUP;
    let Ok((answer, _)) = s.rt.block_on(s.module.raw_json_request(request, 1)) else { return };
    check_answer(request, answer.get());
    // Produce a slot now and then, and when transactions wait.
    let n = s.calls.fetch_add(1, Ordering::Relaxed);
    let pending: usize = s.node.head().map(|h| h.pending.iter().sum()).unwrap_or(0);
    if pending >= 8 || (n % 64 == 63 && pending > 0) {
        if let Err(e) = s.node.produce_slot() {
            panic!("producing a slot failed after {request}: {e}");
        }
    }
}

fn request(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let key = ee_client::keys::dev_key(0);
    let transfer = hex::encode(ee_fuzz::chain::transfers(&[(1, 1, None)]));
    let tx = json!({"shard": 0, "ee": 1, "data": transfer});
    let minimal = ee_fuzz::wat_seeds().into_iter().find(|s| s.0 == "minimal").expect("minimal").2;
    let deploy = hex::encode(NewExecutionScript::signed(0, 0, minimal, &key).encode());
    let mut deposit = DepositReceipt {
        validator_index: 0,
        target: ShardId(1),
        data: DepositData { ee: EeId(0), portion: EeId(0), amount: 1_000_000_000 }.encode(),
        pubkey: key.public(),
        signature: [0; 96],
    };
    deposit.signature = key.sign(&deposit.signing_message());
    let root = format!("0x{}", "00".repeat(32));
    let hash = format!("0x{}", "ab".repeat(32));
    let examples: Vec<(&str, Value)> = vec![
        ("ee_head", json!([])),
        ("ee_sendTransaction", json!([tx])),
        ("ee_getTransaction", json!([hash])),
        ("ee_deploy", json!([deploy])),
        ("ee_estimateDeploy", json!([deploy])),
        ("ee_getBlock", json!([0, 0])),
        ("ee_getReceipts", json!([0, 1])),
        ("ee_getEe", json!([1])),
        ("ee_getMatrix", json!([1])),
        ("ee_getValidator", json!([0])),
        ("ee_listEes", json!([])),
        ("ee_getCode", json!([0])),
        ("ee_getRawBlock", json!([1, 0])),
        ("ee_getConfig", json!([])),
        ("ee_deposit", json!([hex::encode(deposit.encode())])),
        ("ee_listDeposits", json!([])),
        ("ee_getProof", json!([0, 0, [root]])),
        ("ee_getNetted", json!([0, 1, 1, root])),
        ("ee_getMessages", json!([0, 1, 0, 1, root])),
        ("ee_getRoots", json!([0])),
        ("ee_getWitness", json!([tx])),
        ("ee_getNetwork", json!([])),
    ];
    for m in Method::ALL {
        assert!(examples.iter().any(|(n, _)| *n == m.name()), "no seed for {}", m.name());
    }
    let mut out: Vec<(String, Vec<u8>)> = examples
        .iter()
        .map(|(m, p)| (m.to_string(), request(m, p.clone()).to_string().into_bytes()))
        .collect();
    let batch: Vec<Value> = examples.iter().take(4).map(|(m, p)| request(m, p.clone())).collect();
    out.push(("batch".into(), Value::Array(batch).to_string().into_bytes()));
    out.push(("not-json".into(), b"{\"jsonrpc\": \"2.0\", \"method\"".to_vec()));
    out
}

fuzz_target!(init: ee_fuzz::seed_mode(seeds), |data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => {
            for item in items.iter().take(MAX_BATCH) {
                call(&item.to_string());
            }
        }
        _ => call(text),
    }
});
