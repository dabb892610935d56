//! # ee-devnet
//!
//! The local test network behind `ee devnet` (DESIGN §6): every shard and the beacon state
//! in one process, on the `ee-host` core.
//!
//! | module | what |
//! |---|---|
//! | [`node`] | the [`Node`]: per-shard mempools, a block per shard per slot (the meta-EE last in each), crosslinks, signed EE deployment with a locked deposit (seed 004's `NewExecutionScript`), the state-provider preview |
//! | [`genesis`] | what a new devnet starts with |
//! | [`store`] | redb persistence: a slot's blocks, changed leaves, transaction index and head in one ACID write transaction |
//! | [`api`] | the node as the server of `ee-client`'s JSON-RPC method table |
//! | [`server`] | the JSON-RPC server (loopback only) |
//! | [`producer`] | the slot loop |
//! | [`types`] | what is stored |
//! | [`follower`] | a stateless validator following a node over RPC (`ee validate`) |
//! | [`provider`] | the state provider's copy of the VHEE's account trees (`ee_getProof`) |
//! | [`net`] | the multi-node network (`ee devnet --node`): libp2p gossip of blocks and transactions, stateless validation of foreign blocks, catch-up |
//!
//! [`serve`] starts a [`Devnet`]: the server and, if configured, the producer.
#![warn(missing_docs)]

pub mod api;
pub mod explorer;
pub mod follower;
pub mod genesis;
mod idle;
pub mod net;
pub mod node;
pub mod producer;
pub mod provider;
pub mod server;
pub mod store;
pub mod types;

pub use follower::{FollowError, Follower, SlotCheck};
pub use genesis::{Genesis, TRANSFER_EE, VHEE_EE};
pub use node::{DEPLOY_GAS_BASE, DEPLOY_GAS_PER_BYTE, DevnetError, Node, NodeConfig};
pub use producer::Producer;
pub use server::{RpcServer, ServeError};
pub use types::Validator;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// How the server and the slot producer run.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Where to listen (loopback; port 0 picks a free one).
    pub addr: SocketAddr,
    /// Largest request body accepted (larger ones get HTTP 413).
    pub max_request_bytes: u32,
    /// Produce a slot every `slot_ms` (false: only on [`Node::produce_slot`] calls, for
    /// tests).
    pub produce: bool,
    /// Stop producing after this many slots.
    pub max_slots: Option<u64>,
    /// The JavaScript package's folder (`client/js`) whose explorer `GET /` serves
    /// ([`explorer`]); `None` serves a page saying how to turn it on.
    pub explorer: Option<std::path::PathBuf>,
}

impl ServeConfig {
    /// Producing server on `addr` with a request limit fitting `node`'s largest deploy or
    /// transaction (hex-encoded).
    pub fn new(addr: SocketAddr, node: &Node) -> Self {
        let largest = node.config().max_code_bytes.max(node.config().max_tx_bytes);
        let max_request_bytes =
            u32::try_from(largest.saturating_mul(2).saturating_add(64 * 1024)).unwrap_or(u32::MAX);
        ServeConfig { addr, max_request_bytes, produce: true, max_slots: None, explorer: None }
    }
}

/// A running devnet: the node, its RPC server and its slot producer. Dropping it stops
/// both.
pub struct Devnet {
    node: Arc<Node>,
    server: RpcServer,
    producer: Option<Producer>,
    runtime: tokio::runtime::Runtime,
}

/// Starts serving `node` and, if configured, producing a slot every `slot_ms`.
pub fn serve(node: Arc<Node>, config: ServeConfig) -> Result<Devnet, ServeError> {
    if !config.addr.ip().is_loopback() {
        return Err(ServeError::NotLoopback(config.addr));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let server = RpcServer::start(
        node.clone(),
        config.addr,
        config.max_request_bytes,
        config.explorer.clone(),
        &runtime,
    )?;
    let producer = config.produce.then(|| Producer::start(node.clone(), config.max_slots));
    Ok(Devnet { node, server, producer, runtime })
}

impl Devnet {
    /// The node.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// Blocks until the producer stops (after `max_slots`, or on a node failure) or, if
    /// `until_ctrl_c`, until Ctrl-C — also after a node failure, the halted node serving
    /// its committed state meanwhile. Returns the slots produced (0 without a producer),
    /// or the failure.
    pub fn wait(mut self, until_ctrl_c: bool) -> Result<u64, DevnetError> {
        let Some(mut producer) = self.producer.take() else {
            self.server.stop();
            return Ok(0);
        };
        if until_ctrl_c {
            let stop = producer.stop_flag();
            self.runtime.spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    stop.store(true, Ordering::Relaxed);
                }
            });
        }
        let result = producer.wait();
        if let (true, Err(e)) = (until_ctrl_c, &result) {
            // A halted node keeps answering: reads from the last committed state, and
            // -32603 for anything that would change it, until the operator stops it.
            tracing::error!(error = %e, "the node halted; serving its committed state until Ctrl-C");
            eprintln!(
                "node halted: {e}\nstill serving the committed state (changes answer -32603); Ctrl-C to stop"
            );
            let _ = self.runtime.block_on(tokio::signal::ctrl_c());
        }
        self.server.stop();
        result
    }

    /// Blocks until Ctrl-C (still serving meanwhile).
    pub fn block_until_ctrl_c(&self) {
        let _ = self.runtime.block_on(tokio::signal::ctrl_c());
    }

    /// The tokio runtime serving it (a network node's swarm runs on it too).
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }

    /// Stops serving and producing (as dropping it does).
    pub fn stop(self) {}
}

impl Drop for Devnet {
    fn drop(&mut self) {
        if let Some(mut p) = self.producer.take() {
            p.stop();
        }
        self.server.stop();
    }
}
