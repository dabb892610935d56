//! Shard and beacon state (DESIGN §1, §3).
//!
//! * [`keys`]: the key space of a shard's tree and its bit layout.
//! * [`smt`]: the sha256 sparse Merkle tree every shard keeps.
//! * [`shard`]: one shard's state (EE state roots, its row of every balance matrix, known
//!   minimums).
//! * [`beacon`]: the EE registry and the latest crosslinked shard roots.
//! * [`world`]: everything together, as a stateful node holds it.
pub mod beacon;
pub mod keys;
pub mod shard;
pub mod smt;
pub mod witness;
pub mod world;

pub use beacon::{BeaconState, EeEntry};
pub use keys::{KeyLayout, StateKey, Value};
pub use shard::ShardState;
pub use world::{World, WorldError};

/// Errors of state access.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// A stateless executor was asked for a key its witness does not cover.
    #[error("key {key} of shard {shard} is not covered by the witness")]
    NotInWitness {
        /// Shard whose tree was read.
        shard: u32,
        /// The key.
        key: StateKey,
    },
    /// A shard index outside `0..shard_count`.
    #[error("shard {0} does not exist")]
    UnknownShard(u32),
    /// A witness failed to decode or verify.
    #[error("invalid witness: {0}")]
    Witness(String),
    /// The sparse Merkle tree reported an error.
    #[error("state tree error: {0}")]
    Tree(String),
}
