//! The devnet's JSON-RPC 2.0 server (HTTP, loopback only) and a blocking client.
//!
//! Parameters are positional. Every method and its error codes are listed in
//! [`METHODS`] and `docs/DEVNET.md`.
use super::node::{DevnetError, Node};
use super::types::*;
use jsonrpsee::RpcModule;
use jsonrpsee::server::{BatchRequestConfig, Server, ServerConfig, ServerHandle};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee_core::client::ClientT;
use jsonrpsee_core::params::ArrayParams;
use jsonrpsee_http_client::{HttpClient, HttpClientBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Only loopback addresses are served.
    #[error("refusing to serve on {0}: the devnet listens on loopback only (127.0.0.1 or ::1)")]
    NotLoopback(SocketAddr),
    /// Binding or runtime setup failed.
    #[error("rpc server: {0}")]
    Io(#[from] std::io::Error),
    /// A method was registered twice (a bug).
    #[error("rpc server: {0}")]
    Register(String),
}

/// How the server and the slot producer run.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Where to listen (loopback; port 0 picks a free one).
    pub addr: SocketAddr,
    /// Largest request body accepted (larger ones get HTTP 413).
    pub max_request_bytes: u32,
    /// Produce a slot every `slot_ms` (false: only on [`Devnet::node`] calls, for tests).
    pub produce: bool,
    /// Stop producing after this many slots.
    pub max_slots: Option<u64>,
}

impl ServeConfig {
    /// Producing server on `addr` with a request limit fitting `node`'s largest deploy or
    /// transaction (hex-encoded).
    pub fn new(addr: SocketAddr, node: &Node) -> Self {
        let largest = node.config().max_code_bytes.max(node.config().max_tx_bytes) as u32;
        ServeConfig { addr, max_request_bytes: 2 * largest + 64 * 1024, produce: true, max_slots: None }
    }
}

/// A running devnet: the node, its RPC server and its slot producer.
pub struct Devnet {
    node: Arc<Node>,
    addr: SocketAddr,
    handle: ServerHandle,
    stop: Arc<AtomicBool>,
    producer: Option<JoinHandle<()>>,
    done: mpsc::Receiver<Result<u64, DevnetError>>,
    runtime: tokio::runtime::Runtime,
}

fn rpc_error(e: DevnetError) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(e.code(), e.to_string(), None::<()>)
}

fn bytes_param(hex_text: &str) -> Result<Vec<u8>, ErrorObjectOwned> {
    hex::decode(hex_text.trim_start_matches("0x"))
        .map_err(|e| rpc_error(DevnetError::Malformed(format!("not hex: {e}"))))
}

fn json<T: Serialize>(v: Result<T, DevnetError>) -> Result<serde_json::Value, ErrorObjectOwned> {
    let v = v.map_err(rpc_error)?;
    serde_json::to_value(v).map_err(|e| ErrorObjectOwned::owned(-32603, e.to_string(), None::<()>))
}

/// Runs one method on the node.
pub type Handler = fn(&Node, Params<'static>) -> Result<serde_json::Value, ErrorObjectOwned>;

/// One JSON-RPC method: the single table the server registers from and `docs/DEVNET.md`
/// is checked against.
pub struct Method {
    /// Its name (`ee_` namespace).
    pub name: &'static str,
    /// Its positional parameters.
    pub params: &'static str,
    /// What it returns.
    pub returns: &'static str,
    /// Its implementation.
    pub handler: Handler,
}

/// Every method the devnet serves.
pub const METHODS: &[Method] = &[
    Method {
        name: "ee_head",
        params: "[]",
        returns: "HeadInfo: next slot, crosslinked shard roots, EE count, pending per shard, transactions committed",
        handler: |n, _| json(n.head()),
    },
    Method {
        name: "ee_sendTransaction",
        params: "[{shard, ee, data}]",
        returns: "TxAccepted: hash, shard, mempool position",
        handler: |n, p| json(n.submit(&p.one::<TxRequest>()?)),
    },
    Method {
        name: "ee_getTransaction",
        params: "[hash]",
        returns: "TxLocation: slot, shard, index and result (error 12 until committed)",
        handler: |n, p| json(n.transaction_location(&p.one::<String>()?)),
    },
    Method {
        name: "ee_deploy",
        params: "[hex SCALE NewExecutionScript]",
        returns: "DeployResult: EE id, code hash and size, gas, deposit; applied = true",
        handler: |n, p| json(n.deploy(&bytes_param(&p.one::<String>()?)?, true)),
    },
    Method {
        name: "ee_estimateDeploy",
        params: "[hex SCALE NewExecutionScript]",
        returns: "DeployResult of the same validation, applied = false (changes nothing)",
        handler: |n, p| json(n.deploy(&bytes_param(&p.one::<String>()?)?, false)),
    },
    Method {
        name: "ee_getBlock",
        params: "[slot, shard]",
        returns: "BlockInfo: hash, pre/post roots, transactions with results (the meta-EE's last), receipts, witness size",
        handler: |n, p| {
            let (slot, shard) = p.parse::<(u64, u32)>()?;
            json(n.block(slot, shard))
        },
    },
    Method {
        name: "ee_getReceipts",
        params: "[slot, shard]",
        returns: "StoredReceipt[]: the meta-EE's decision on each output of the block",
        handler: |n, p| {
            let (slot, shard) = p.parse::<(u64, u32)>()?;
            json(n.block(slot, shard).map(|b| b.receipts))
        },
    },
    Method {
        name: "ee_getEe",
        params: "[id]",
        returns: "EeInfo: name, role, code hash and size, deposit, deployer",
        handler: |n, p| json(n.ee(p.one::<u32>()?)),
    },
    Method {
        name: "ee_getMatrix",
        params: "[id]",
        returns: "i64[][]: the EE's committed balance matrix (row r = shard[r].balances)",
        handler: |n, p| json(n.matrix(p.one::<u32>()?)),
    },
    Method {
        name: "ee_getValidator",
        params: "[index]",
        returns: "ValidatorInfo: public key, unlocked balance",
        handler: |n, p| {
            let index = p.one::<u64>()?;
            json(n.validator(index).map(|v| ValidatorInfo {
                index,
                pubkey: hex::encode(v.pubkey),
                balance: v.balance,
            }))
        },
    },
    Method {
        name: "ee_getWitness",
        params: "[{shard, ee, data}]",
        returns: "WitnessInfo (state provider): witness, its size, gas, success, roots of a block holding just this transaction",
        handler: |n, p| json(n.witness(&p.one::<TxRequest>()?)),
    },
];

/// The methods as the Markdown table in `docs/DEVNET.md`.
pub fn methods_markdown() -> String {
    let mut out = String::from("| method | params | returns |\n|---|---|---|\n");
    for m in METHODS {
        out.push_str(&format!("| `{}` | `{}` | {} |\n", m.name, m.params, m.returns));
    }
    out
}

/// Starts serving `node` and, if configured, producing a slot every `slot_ms`.
pub fn serve(node: Arc<Node>, config: ServeConfig) -> Result<Devnet, ServeError> {
    if !config.addr.ip().is_loopback() {
        return Err(ServeError::NotLoopback(config.addr));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let mut module = RpcModule::new(node.clone());
    for m in METHODS {
        let handler = m.handler;
        module
            .register_blocking_method(m.name, move |params, node, _| handler(&node, params.into_owned()))
            .map_err(|e| ServeError::Register(e.to_string()))?;
    }
    let server_config = ServerConfig::builder()
        .max_request_body_size(config.max_request_bytes)
        .max_response_body_size(64 << 20)
        .max_connections(256)
        .set_batch_request_config(BatchRequestConfig::Limit(64))
        .http_only()
        .build();
    let server = runtime.block_on(Server::builder().set_config(server_config).build(config.addr))?;
    let addr = server.local_addr()?;
    let handle = runtime.block_on(async move { server.start(module) });
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, done) = mpsc::channel();
    let producer = config.produce.then(|| {
        let (node, stop) = (node.clone(), stop.clone());
        std::thread::spawn(move || {
            let _ = tx.send(produce(&node, &stop, config.max_slots));
        })
    });
    tracing::info!(%addr, "devnet serving");
    Ok(Devnet { node, addr, handle, stop, producer, done, runtime })
}

/// The slot loop: a slot every `slot_ms` (catching up without bursts if a slot ran long).
fn produce(node: &Node, stop: &AtomicBool, max_slots: Option<u64>) -> Result<u64, DevnetError> {
    let period = Duration::from_millis(node.config().slot_ms.max(1));
    let mut next = Instant::now() + period;
    let mut produced = 0u64;
    while !stop.load(Ordering::Relaxed) && max_slots.is_none_or(|m| produced < m) {
        let now = Instant::now();
        if now < next {
            std::thread::sleep((next - now).min(Duration::from_millis(50)));
            continue;
        }
        let slot = node.produce_slot()?;
        produced += 1;
        tracing::info!(slot, "slot produced");
        next = (next + period).max(Instant::now());
    }
    Ok(produced)
}

impl Devnet {
    /// The node.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Blocks until the producer stops (after `max_slots`, or on a node failure) or, if
    /// `until_ctrl_c`, until Ctrl-C. Returns the slots produced.
    pub fn wait(mut self, until_ctrl_c: bool) -> Result<u64, DevnetError> {
        if until_ctrl_c {
            let stop = self.stop.clone();
            self.runtime.spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    stop.store(true, Ordering::Relaxed);
                }
            });
        }
        let producing = self.producer.is_some();
        let result = self.done.recv();
        self.shutdown();
        match result {
            Ok(r) => r,
            // The producer ended without reporting: it panicked.
            Err(_) if producing => Err(DevnetError::Halted("the slot producer thread died".into())),
            Err(_) => Ok(0),
        }
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(p) = self.producer.take() {
            let _ = p.join();
        }
        let _ = self.handle.stop();
    }

    /// Stops serving and producing (as dropping it does).
    pub fn stop(self) {}
}

impl Drop for Devnet {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// `ee_getValidator`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ValidatorInfo {
    /// Index.
    pub index: u64,
    /// BLS public key (hex).
    pub pubkey: String,
    /// Unlocked balance (Gwei).
    pub balance: u64,
}

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The node answered with an error.
    #[error("{message} (code {code})")]
    Rpc {
        /// The JSON-RPC error code ([`DevnetError::code`]).
        code: i32,
        /// Its message.
        message: String,
    },
    /// The node could not be reached or answered nonsense.
    #[error("rpc transport: {0}")]
    Transport(String),
    /// Waiting for a transaction timed out.
    #[error("transaction {0} not committed within the timeout")]
    Timeout(String),
}

/// A blocking JSON-RPC client for the devnet.
pub struct Client {
    runtime: tokio::runtime::Runtime,
    http: HttpClient,
}

impl Client {
    /// A client for `url` (`http://127.0.0.1:8645`).
    pub fn connect(url: &str) -> Result<Client, ClientError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        let http = runtime
            .block_on(async {
                HttpClientBuilder::default()
                    .max_request_size(64 << 20)
                    .max_response_size(64 << 20)
                    .request_timeout(Duration::from_secs(120))
                    .build(url)
            })
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        Ok(Client { runtime, http })
    }

    /// Calls `method` with positional `params`.
    pub fn call<R: DeserializeOwned>(&self, method: &str, params: ArrayParams) -> Result<R, ClientError> {
        self.runtime.block_on(self.http.request(method, params)).map_err(|e| match e {
            jsonrpsee_core::client::Error::Call(o) => {
                ClientError::Rpc { code: o.code(), message: o.message().into() }
            }
            other => ClientError::Transport(other.to_string()),
        })
    }

    fn params<T: Serialize>(values: &[T]) -> ArrayParams {
        let mut p = ArrayParams::new();
        for v in values {
            p.insert(v).expect("serialisable parameter");
        }
        p
    }

    /// `ee_head`.
    pub fn head(&self) -> Result<HeadInfo, ClientError> {
        self.call("ee_head", ArrayParams::new())
    }

    /// `ee_sendTransaction`.
    pub fn send(&self, tx: &TxRequest) -> Result<TxAccepted, ClientError> {
        self.call("ee_sendTransaction", Self::params(&[tx]))
    }

    /// `ee_getTransaction`.
    pub fn transaction(&self, hash: &str) -> Result<TxLocation, ClientError> {
        self.call("ee_getTransaction", Self::params(&[hash]))
    }

    /// `ee_deploy` (`apply`) or `ee_estimateDeploy` of a SCALE `NewExecutionScript`.
    pub fn deploy(&self, script: &[u8], apply: bool) -> Result<DeployResult, ClientError> {
        let method = if apply { "ee_deploy" } else { "ee_estimateDeploy" };
        self.call(method, Self::params(&[hex::encode(script)]))
    }

    /// `ee_getBlock`.
    pub fn block(&self, slot: u64, shard: u32) -> Result<BlockInfo, ClientError> {
        self.call("ee_getBlock", Self::params(&[slot, u64::from(shard)]))
    }

    /// `ee_getReceipts`.
    pub fn receipts(&self, slot: u64, shard: u32) -> Result<Vec<StoredReceipt>, ClientError> {
        self.call("ee_getReceipts", Self::params(&[slot, u64::from(shard)]))
    }

    /// `ee_getEe`.
    pub fn ee(&self, id: u32) -> Result<EeInfo, ClientError> {
        self.call("ee_getEe", Self::params(&[id]))
    }

    /// `ee_getMatrix`.
    pub fn matrix(&self, id: u32) -> Result<Vec<Vec<i64>>, ClientError> {
        self.call("ee_getMatrix", Self::params(&[id]))
    }

    /// `ee_getValidator`.
    pub fn validator(&self, index: u64) -> Result<ValidatorInfo, ClientError> {
        self.call("ee_getValidator", Self::params(&[index]))
    }

    /// `ee_getWitness`.
    pub fn witness(&self, tx: &TxRequest) -> Result<WitnessInfo, ClientError> {
        self.call("ee_getWitness", Self::params(&[tx]))
    }

    /// Polls `ee_getTransaction` until `hash` is committed or `timeout` passes.
    pub fn wait_for(&self, hash: &str, timeout: Duration) -> Result<TxLocation, ClientError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.transaction(hash) {
                Ok(loc) => return Ok(loc),
                Err(ClientError::Rpc { code: 12, .. }) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(ClientError::Rpc { code: 12, .. }) => return Err(ClientError::Timeout(hash.into())),
                Err(e) => return Err(e),
            }
        }
    }
}
