//! The local test network behind `ee devnet` (DESIGN §6): every shard and the beacon
//! state in one process.
//!
//! * [`node`]: the [`Node`] — per-shard mempools, a block per shard per slot (the meta-EE
//!   last in each), crosslinks, signed EE deployment with a locked deposit (seed 004's
//!   `NewExecutionScript`), and the state-provider preview.
//! * [`store`]: redb persistence. A slot's blocks, the leaves it changed, the transaction
//!   index and the new head are one ACID write transaction, so a crash (even `kill -9`)
//!   loses no committed block; on start the trees are rebuilt from the leaves and must give
//!   the stored roots.
//! * [`rpc`]: the JSON-RPC server (`ee_` namespace, loopback only) and its client.
//! * [`types`]: the wire and storage types.
pub mod node;
pub mod rpc;
pub mod store;
pub mod types;

pub use node::{
    DEPLOY_GAS_BASE, DEPLOY_GAS_PER_BYTE, DevnetError, Genesis, META_EE, Node, NodeConfig, TRANSFER_EE,
    tx_hash,
};
pub use types::*;
