//! The devnet's JSON-RPC methods, declared once.
//!
//! The `methods!` table below gives every method its JSON-RPC name, typed positional
//! parameters, result type and documentation. From it come:
//!
//! * [`Method`]: the list (names, docs) the server registers and `docs/DEVNET.md` shows;
//! * [`Api`]: the trait a node implements — one function per method, so a method without
//!   an implementation does not compile;
//! * [`dispatch`]: positional JSON parameters → the typed [`Api`] call → JSON result;
//! * the typed methods of [`Client`], over any [`Transport`].
//!
//! Requests are JSON-RPC 2.0 with positional parameters; hashes and byte strings are hex.
use crate::error::{ClientError, ErrorCode, RpcError};
use crate::report::{BlockReport, ReceiptReport};
use crate::types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};

/// Sends one JSON-RPC request body and returns the response body.
pub trait Transport {
    /// Posts `body` (a JSON-RPC request) and returns what came back.
    fn post(&self, body: &str) -> Result<String, ClientError>;
}

/// A client over a [`Transport`]; its typed methods come from the method table.
pub struct Client<T> {
    transport: T,
    next_id: AtomicU64,
}

struct Args<'a> {
    values: std::slice::Iter<'a, Value>,
}

impl<'a> Args<'a> {
    fn new(values: &'a [Value], expected: usize) -> Result<Self, RpcError> {
        if values.len() != expected {
            return Err(RpcError::new(
                ErrorCode::InvalidParams,
                format!("invalid params: expected {expected} positional parameters, got {}", values.len()),
            ));
        }
        Ok(Args { values: values.iter() })
    }

    fn next<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, RpcError> {
        let v = self.values.next().cloned().unwrap_or(Value::Null);
        serde_json::from_value(v)
            .map_err(|e| RpcError::new(ErrorCode::InvalidParams, format!("invalid params: `{name}`: {e}")))
    }
}

fn to_json<T: Serialize>(v: T) -> Result<Value, RpcError> {
    serde_json::to_value(v).map_err(|e| RpcError::new(ErrorCode::Internal, e.to_string()))
}

fn to_param<T: Serialize>(v: &T) -> Result<Value, ClientError> {
    serde_json::to_value(v).map_err(|e| ClientError::Transport(format!("parameter: {e}")))
}

/// Most calls in one JSON-RPC batch the node answers (a longer batch is refused whole).
pub const MAX_BATCH: usize = 64;

/// Reads a method's parameters for a binding (see [`Method::read_params`]): the JS
/// package reads JavaScript values as each parameter's Rust type.
pub trait ParamReader {
    /// Why a parameter is refused.
    type Error;
    /// The next parameter, called `name`, read as a `T` and returned as JSON.
    fn read<T: Serialize + DeserializeOwned>(&mut self, name: &'static str) -> Result<Value, Self::Error>;
}

/// Something done with a method's result type (see [`Method::with_result`]): the JS
/// package decodes a response as that type, so 64-bit integers stay exact.
pub trait ResultWith {
    /// What it gives.
    type Output;
    /// Runs with the result type `R`.
    fn with<R: Serialize + DeserializeOwned>(self) -> Self::Output;
}

macro_rules! methods {
    ($(
        $(#[doc = $doc:literal])*
        $method:ident = $name:literal ($($p:ident: $t:ty),*) -> $r:ty;
            params $pdoc:literal, returns $rdoc:literal;
    )*) => {
        /// Every JSON-RPC method of the devnet.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Method {
            $($(#[doc = $doc])* $method,)*
        }

        impl Method {
            /// Every method, in table order.
            pub const ALL: &'static [Method] = &[$(Method::$method),*];

            /// The JSON-RPC method name (`ee_` namespace).
            pub fn name(self) -> &'static str {
                match self { $(Method::$method => $name,)* }
            }

            /// Its positional parameters, as documented.
            pub fn params(self) -> &'static str {
                match self { $(Method::$method => $pdoc,)* }
            }

            /// What it returns, as documented.
            pub fn returns(self) -> &'static str {
                match self { $(Method::$method => $rdoc,)* }
            }

            /// The method called `name`.
            pub fn from_name(name: &str) -> Option<Method> {
                Method::ALL.iter().copied().find(|m| m.name() == name)
            }

            /// Its parameters' names, in order.
            pub fn param_names(self) -> &'static [&'static str] {
                match self { $(Method::$method => &[$(stringify!($p)),*],)* }
            }

            /// Its positional parameters as JSON, each read from `reader` as its Rust
            /// type (a binding checks what its caller passes as the node will).
            pub fn read_params<P: ParamReader>(self, reader: &mut P) -> Result<Vec<Value>, P::Error> {
                match self { $(Method::$method => Ok(vec![$(reader.read::<$t>(stringify!($p))?),*]),)* }
            }

            /// Runs `with` on its result type.
            pub fn with_result<W: ResultWith>(self, with: W) -> W::Output {
                match self { $(Method::$method => with.with::<$r>(),)* }
            }
        }

        /// What a node serves: one function per [`Method`].
        pub trait Api {
            $(
                $(#[doc = $doc])*
                fn $method(&self, $($p: $t),*) -> Result<$r, RpcError>;
            )*
        }

        /// Runs `method` on `api` with positional JSON `params` (their count and types are
        /// checked: `InvalidParams` otherwise) and returns the JSON result.
        pub fn dispatch<A: Api + ?Sized>(api: &A, method: Method, params: &[Value]) -> Result<Value, RpcError> {
            match method {
                $(Method::$method => {
                    #[allow(unused_mut, unused_variables)]
                    let mut args = Args::new(params, <[&str]>::len(&[$(stringify!($p)),*]))?;
                    $(let $p: $t = args.next(stringify!($p))?;)*
                    to_json(api.$method($($p),*)?)
                })*
            }
        }

        impl<T: Transport> Client<T> {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!("JSON-RPC `", $name, "`.")]
                pub fn $method(&self, $($p: $t),*) -> Result<$r, ClientError> {
                    self.call(Method::$method, vec![$(to_param(&$p)?),*])
                }
            )*
        }
    };
}

methods! {
    /// The committed head.
    head = "ee_head" () -> HeadInfo;
        params "[]",
        returns "HeadInfo: next slot, crosslinked shard roots, EE count, pending per shard, transactions committed";
    /// Queues a transaction in its shard's mempool.
    send_transaction = "ee_sendTransaction" (tx: TxRequest) -> TxAccepted;
        params "[{shard, ee, data}]",
        returns "TxAccepted: hash, shard, mempool position";
    /// Where a committed transaction is, and its result.
    get_transaction = "ee_getTransaction" (hash: String) -> TxLocation;
        params "[hash]",
        returns "TxLocation: slot, shard, index and result (error 12 until committed)";
    /// Deploys an EE.
    deploy = "ee_deploy" (script: Hex) -> DeployResult;
        params "[hex SCALE NewExecutionScript]",
        returns "DeployResult: EE id, code hash and size, gas, deposit; applied = true (on a network node: applied = false and the activation_slot at which every node registers it)";
    /// Validates a deployment exactly as `ee_deploy` does, changing nothing.
    estimate_deploy = "ee_estimateDeploy" (script: Hex) -> DeployResult;
        params "[hex SCALE NewExecutionScript]",
        returns "DeployResult of the same validation, applied = false (changes nothing)";
    /// A committed block's report.
    get_block = "ee_getBlock" (slot: u64, shard: u32) -> BlockReport;
        params "[slot, shard]",
        returns "BlockReport: hash, pre/post roots, gas, witness size, transactions with results (the meta-EE's last), the meta-EE's decisions";
    /// The meta-EE's decisions in a committed block.
    get_receipts = "ee_getReceipts" (slot: u64, shard: u32) -> Vec<ReceiptReport>;
        params "[slot, shard]",
        returns "ReceiptReport[]: the meta-EE's decision on each output of the block";
    /// A registered EE.
    get_ee = "ee_getEe" (id: u32) -> EeInfo;
        params "[id]",
        returns "EeInfo: name, role, code hash and size, deposit, deployer";
    /// An EE's committed balance matrix.
    get_matrix = "ee_getMatrix" (id: u32) -> Vec<Vec<i64>>;
        params "[id]",
        returns "i64[][]: the EE's committed balance matrix (row r = shard[r].balances)";
    /// A validator.
    get_validator = "ee_getValidator" (index: u64) -> ValidatorInfo;
        params "[index]",
        returns "ValidatorInfo: public key, unlocked balance";
    /// Every registered EE.
    list_ees = "ee_listEes" () -> Vec<EeInfo>;
        params "[]",
        returns "EeInfo[]: every registered EE, with the slot from which blocks may use it";
    /// An EE's code.
    get_code = "ee_getCode" (id: u32) -> Hex;
        params "[id]",
        returns "hex: the EE's wasm code (its sha256 is the code hash)";
    /// A committed block as produced, for validators.
    get_raw_block = "ee_getRawBlock" (slot: u64, shard: u32) -> Hex;
        params "[slot, shard]",
        returns "hex SCALE ShardBlock: the transactions (the meta-EE's last) and the block witness";
    /// What a validator needs besides blocks.
    get_config = "ee_getConfig" () -> ChainConfig;
        params "[]",
        returns "ChainConfig: shard count, key layout, genesis roots, limits and gas prices";
    /// A validator's deposit into an EE's portion on a shard.
    deposit = "ee_deposit" (receipt: Hex) -> DepositAccepted;
        params "[hex SCALE DepositReceipt]",
        returns "DepositAccepted: the receipt's index for the EE's claim, and its slot (on a network node: the expected index and the activation_slot at which every node adds it)";
    /// The beacon state's deposit receipts.
    list_deposits = "ee_listDeposits" () -> Vec<DepositInfo>;
        params "[]",
        returns "DepositInfo[]: index, slot, SCALE receipt";
    /// The state provider: leaves of an EE's own tree.
    get_proof = "ee_getProof" (ee: u32, shard: u32, keys: Vec<Hex>) -> ProofInfo;
        params "[ee, shard, [hex key]]",
        returns "ProofInfo (state provider): the EE's committed root on the shard, the keys' values and their multiproof (the VHEE's accounts)";
    /// What the meta-EE on a shard netted towards an EE on another for a data root.
    get_netted = "ee_getNetted" (source: u32, target: u32, ee: u32, root: Hex) -> u64;
        params "[source shard, target shard, ee, hex root]",
        returns "u64: Gwei netted towards (target, ee) for the root, as of the last crosslink";
    /// How many outputs of one EE with one data root the meta-EE on a shard accepted
    /// towards an EE on another (what `message_count` answers there).
    get_messages = "ee_getMessages" (source: u32, target: u32, ee: u32, source_ee: u32, root: Hex) -> u64;
        params "[source shard, target shard, ee, source ee, hex root]",
        returns "u64: outputs of the source EE with that data root accepted towards (target, ee), as of the last committed slot";
    /// An EE's state roots on every shard.
    get_roots = "ee_getRoots" (ee: u32) -> EeRoots;
        params "[ee]",
        returns "EeRoots: the EE's state root on every shard after the last committed slot, and that slot count (what a client following an EE's trees checks against)";
    /// The state provider: what a pending transaction needs.
    get_witness = "ee_getWitness" (tx: TxRequest) -> WitnessInfo;
        params "[{shard, ee, data}]",
        returns "WitnessInfo (state provider): witness, its size, gas, success, roots of a block holding just this transaction";
    /// The node's place in a multi-node network (`ee devnet --node`).
    get_network = "ee_getNetwork" () -> NetworkInfo;
        params "[]",
        returns "NetworkInfo: network id (null for a lone devnet), shards this node produces, peers, and counters — slots committed and caught up, foreign blocks rejected, shard-slots without a block, gossip bytes out and in";
}

/// The methods as the Markdown table in `docs/DEVNET.md`.
pub fn methods_markdown() -> String {
    let mut out = String::from("| method | params | returns |\n|---|---|---|\n");
    for m in Method::ALL {
        out.push_str(&format!("| `{}` | `{}` | {} |\n", m.name(), m.params(), m.returns()));
    }
    out
}

impl<T: Transport> Client<T> {
    /// A client over `transport`.
    pub fn new(transport: T) -> Self {
        Client { transport, next_id: AtomicU64::new(1) }
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Calls `method` with positional `params` and decodes its result.
    pub fn call<R: DeserializeOwned>(&self, method: Method, params: Vec<Value>) -> Result<R, ClientError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let request =
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method.name(), "params": params});
        let body = self.transport.post(&request.to_string())?;
        decode_response(&body)
    }

    /// Calls `method` once per parameter list in one JSON-RPC batch (one request): each
    /// call's result, in order. At most [`MAX_BATCH`] calls (the node refuses longer
    /// batches as a whole).
    pub fn call_batch<R: DeserializeOwned>(
        &self,
        method: Method,
        calls: Vec<Vec<Value>>,
    ) -> Result<Vec<Result<R, ClientError>>, ClientError> {
        let n = calls.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let first = self.next_id.fetch_add(n as u64, Ordering::Relaxed);
        let body: Vec<Value> = calls
            .into_iter()
            .zip(first..)
            .map(|(params, id)| serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method.name(), "params": params}))
            .collect();
        let text = self.transport.post(&Value::Array(body).to_string())?;
        let answer: Value = serde_json::from_str(&text)
            .map_err(|e| ClientError::Transport(format!("not a JSON-RPC response ({e}): {}", clip(&text))))?;
        // A batch refused as a whole is answered with one error object.
        let Value::Array(items) = answer else {
            return Err(decode_value::<Value>(answer, &text)
                .err()
                .unwrap_or_else(|| ClientError::Transport(format!("not a batch answer: {}", clip(&text)))));
        };
        let mut out: Vec<Option<Result<R, ClientError>>> = (0..n).map(|_| None).collect();
        for item in items {
            let slot = item["id"]
                .as_u64()
                .and_then(|id| id.checked_sub(first))
                .and_then(|i| out.get_mut(i as usize));
            if let Some(slot) = slot {
                *slot = Some(decode_value(item, &text));
            }
        }
        Ok(out
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(ClientError::Transport("the batch answer lacks a call".into()))))
            .collect())
    }

    /// `ee_sendTransaction` for every transaction, in batches of [`MAX_BATCH`] (one request
    /// each): each one's result, in order.
    pub fn send_transactions(
        &self,
        txs: &[TxRequest],
    ) -> Result<Vec<Result<TxAccepted, ClientError>>, ClientError> {
        let mut out = Vec::with_capacity(txs.len());
        for chunk in txs.chunks(MAX_BATCH) {
            let calls =
                chunk.iter().map(|t| Ok(vec![to_param(t)?])).collect::<Result<Vec<_>, ClientError>>()?;
            out.extend(self.call_batch(Method::send_transaction, calls)?);
        }
        Ok(out)
    }

    /// Deploys (`apply`) or estimates the deployment of a signed script.
    #[cfg(feature = "keys")]
    pub fn deploy_script(
        &self,
        script: &crate::NewExecutionScript,
        apply: bool,
    ) -> Result<DeployResult, ClientError> {
        self.deploy_bytes(&parity_scale_codec::Encode::encode(script), apply)
    }

    /// `ee_deploy` (`apply`) or `ee_estimateDeploy` of SCALE bytes (which need not decode:
    /// the node refuses what does not).
    pub fn deploy_bytes(&self, script: &[u8], apply: bool) -> Result<DeployResult, ClientError> {
        let hex = Hex(script.to_vec());
        if apply { self.deploy(hex) } else { self.estimate_deploy(hex) }
    }

    /// Polls `ee_getTransaction` until `hash` is committed or `timeout` passes (not on
    /// wasm32, which has no blocking sleep).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn wait_for(&self, hash: &str, timeout: std::time::Duration) -> Result<TxLocation, ClientError> {
        // A timeout beyond what an Instant can hold means no deadline.
        let deadline = std::time::Instant::now().checked_add(timeout);
        loop {
            match self.get_transaction(hash.to_string()) {
                Ok(loc) => return Ok(loc),
                Err(e) if e.code() == Some(ErrorCode::NotFound) => {
                    if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                        return Err(ClientError::Timeout(hash.into()));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Decodes a JSON-RPC response body: its `result` as `R`, or its `error`.
pub fn decode_response<R: DeserializeOwned>(body: &str) -> Result<R, ClientError> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| ClientError::Transport(format!("not a JSON-RPC response ({e}): {}", clip(body))))?;
    decode_value(v, body)
}

/// One response object's result (`body` is the text it came in, for messages).
fn decode_value<R: DeserializeOwned>(v: Value, body: &str) -> Result<R, ClientError> {
    #[derive(serde::Deserialize)]
    struct Response {
        result: Option<Value>,
        error: Option<RpcError>,
    }
    let r: Response = serde_json::from_value(v)
        .map_err(|e| ClientError::Transport(format!("not a JSON-RPC response ({e}): {}", clip(body))))?;
    match (r.result, r.error) {
        (_, Some(e)) => Err(e.into()),
        (Some(v), None) => {
            serde_json::from_value(v).map_err(|e| ClientError::Transport(format!("unexpected result: {e}")))
        }
        (None, None) => serde_json::from_value(Value::Null)
            .map_err(|_| ClientError::Transport(format!("response without result: {}", clip(body)))),
    }
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(200) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A transport that answers from a fixed reply and records the request.
    struct Canned {
        reply: String,
        sent: RefCell<Vec<String>>,
    }

    impl Transport for Canned {
        fn post(&self, body: &str) -> Result<String, ClientError> {
            self.sent.borrow_mut().push(body.to_string());
            Ok(self.reply.clone())
        }
    }

    fn client(reply: &str) -> Client<Canned> {
        Client::new(Canned { reply: reply.into(), sent: RefCell::new(Vec::new()) })
    }

    #[test]
    fn names_are_unique_and_namespaced() {
        let mut seen = std::collections::BTreeSet::new();
        for m in Method::ALL {
            assert!(m.name().starts_with("ee_"), "{m:?}");
            assert!(seen.insert(m.name()), "{m:?}");
            assert_eq!(Method::from_name(m.name()), Some(*m));
        }
    }

    #[test]
    fn requests_are_positional_json_rpc() {
        let c = client(r#"{"jsonrpc":"2.0","id":1,"result":[[1,2],[3,4]]}"#);
        assert_eq!(c.get_matrix(7).unwrap(), vec![vec![1, 2], vec![3, 4]]);
        let sent: Value = serde_json::from_str(&c.transport().sent.borrow()[0]).unwrap();
        assert_eq!(sent["method"], "ee_getMatrix");
        assert_eq!(sent["params"], serde_json::json!([7]));
    }

    #[test]
    fn errors_and_garbage_are_typed() {
        let c = client(r#"{"jsonrpc":"2.0","id":1,"error":{"code":12,"message":"not found"}}"#);
        let e = c.get_transaction("00".repeat(32)).unwrap_err();
        assert_eq!(e.code(), Some(ErrorCode::NotFound), "{e}");
        let c = client("<html>");
        assert!(matches!(c.head(), Err(ClientError::Transport(_))));
    }

    struct Echo;
    impl Api for Echo {
        fn head(&self) -> Result<HeadInfo, RpcError> {
            Err(RpcError::new(ErrorCode::Internal, "no head"))
        }
        fn send_transaction(&self, tx: TxRequest) -> Result<TxAccepted, RpcError> {
            Ok(TxAccepted { hash: tx.data, shard: tx.shard, position: tx.ee as usize })
        }
        fn get_transaction(&self, _: String) -> Result<TxLocation, RpcError> {
            Err(RpcError::new(ErrorCode::NotFound, "not found"))
        }
        fn deploy(&self, _: Hex) -> Result<DeployResult, RpcError> {
            Err(RpcError::new(ErrorCode::BadSignature, "bad signature"))
        }
        fn estimate_deploy(&self, s: Hex) -> Result<DeployResult, RpcError> {
            Ok(DeployResult {
                ee: 0,
                code_hash: String::new(),
                code_bytes: s.0.len(),
                deposit: 0,
                gas: 0,
                applied: false,
                activation_slot: None,
            })
        }
        fn get_block(&self, _: u64, _: u32) -> Result<BlockReport, RpcError> {
            Err(RpcError::new(ErrorCode::NotFound, "not found"))
        }
        fn get_receipts(&self, _: u64, _: u32) -> Result<Vec<ReceiptReport>, RpcError> {
            Ok(Vec::new())
        }
        fn get_ee(&self, _: u32) -> Result<EeInfo, RpcError> {
            Err(RpcError::new(ErrorCode::UnknownEe, "unknown"))
        }
        fn get_matrix(&self, id: u32) -> Result<Vec<Vec<i64>>, RpcError> {
            Ok(vec![vec![i64::from(id)]])
        }
        fn get_validator(&self, _: u64) -> Result<ValidatorInfo, RpcError> {
            Err(RpcError::new(ErrorCode::NotFound, "not found"))
        }
        fn get_witness(&self, _: TxRequest) -> Result<WitnessInfo, RpcError> {
            Err(RpcError::new(ErrorCode::Busy, "busy"))
        }
        fn list_ees(&self) -> Result<Vec<EeInfo>, RpcError> {
            Ok(Vec::new())
        }
        fn get_code(&self, _: u32) -> Result<Hex, RpcError> {
            Ok(Hex(vec![0]))
        }
        fn get_raw_block(&self, _: u64, _: u32) -> Result<Hex, RpcError> {
            Err(RpcError::new(ErrorCode::NotFound, "not found"))
        }
        fn get_config(&self) -> Result<ChainConfig, RpcError> {
            Err(RpcError::new(ErrorCode::Internal, "none"))
        }
        fn deposit(&self, _: Hex) -> Result<DepositAccepted, RpcError> {
            Err(RpcError::new(ErrorCode::BadSignature, "bad signature"))
        }
        fn list_deposits(&self) -> Result<Vec<DepositInfo>, RpcError> {
            Ok(Vec::new())
        }
        fn get_proof(&self, _: u32, _: u32, _: Vec<Hex>) -> Result<ProofInfo, RpcError> {
            Err(RpcError::new(ErrorCode::NotFound, "not found"))
        }
        fn get_netted(&self, _: u32, _: u32, _: u32, _: Hex) -> Result<u64, RpcError> {
            Ok(0)
        }
        fn get_messages(&self, _: u32, _: u32, _: u32, _: u32, _: Hex) -> Result<u64, RpcError> {
            Ok(0)
        }
        fn get_roots(&self, _: u32) -> Result<EeRoots, RpcError> {
            Err(RpcError::new(ErrorCode::UnknownEe, "unknown"))
        }
        fn get_network(&self) -> Result<NetworkInfo, RpcError> {
            Ok(NetworkInfo::default())
        }
    }

    #[test]
    fn dispatch_checks_parameter_count_and_types() {
        assert_eq!(
            dispatch(&Echo, Method::get_matrix, &[serde_json::json!(3)]).unwrap(),
            serde_json::json!([[3]])
        );
        let wrong_count = dispatch(&Echo, Method::get_matrix, &[]).unwrap_err();
        assert_eq!(wrong_count.kind(), Some(ErrorCode::InvalidParams));
        let wrong_type =
            dispatch(&Echo, Method::get_block, &[serde_json::json!("x"), serde_json::json!(0)]).unwrap_err();
        assert_eq!(wrong_type.kind(), Some(ErrorCode::InvalidParams), "{wrong_type}");
        let not_hex = dispatch(&Echo, Method::estimate_deploy, &[serde_json::json!("zz")]).unwrap_err();
        assert_eq!(not_hex.kind(), Some(ErrorCode::InvalidParams), "{not_hex}");
        let bytes = dispatch(&Echo, Method::estimate_deploy, &[serde_json::json!("0x0102")]).unwrap();
        assert_eq!(bytes["code_bytes"], 2);
        assert_eq!(dispatch(&Echo, Method::deploy, &[serde_json::json!("")]).unwrap_err().code, 1);
    }
}
