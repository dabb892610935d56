//! Every resource bound the host enforces, in one place.
//!
//! [`Limits`] holds the tunable ones (per run: `ee run --gas-limit`, a scenario's
//! `limits`); the constants below are fixed by the protocol or by the host's safety
//! margins. The devnet's own policy bounds (block size, mempool, deploy size) are in
//! `ee-devnet`'s `NodeConfig` and its RPC server's constants, within these.
use serde::{Deserialize, Serialize};

/// Largest supported shard count (keeps matrices and proofs within sane bounds).
pub const MAX_SHARDS: u32 = 1024;

/// Deepest nesting of `call_ee`.
pub const MAX_CALL_DEPTH: u32 = 4;

/// Longest abort message kept (the rest is cut).
pub const MAX_ABORT_MESSAGE: u32 = 1024;

/// Largest wasm module the gatekeeper reads (larger ones are refused unparsed).
pub const MAX_CODE_BYTES: usize = 8 << 20;

/// Native stack of one wasm call: far above what [`Limits::stack_units`] lets an EE use,
/// so the deterministic budget, not the machine, decides when the stack runs out.
pub const WASM_STACK_BYTES: usize = 32 << 20;

/// Every bound the host enforces. Defaults suit the demo, the simulator and the tests;
/// research runs can raise them (`ee run --gas-limit`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Gas per transaction (instructions plus host calls).
    pub tx_gas: u64,
    /// Linear-memory pages (64 KiB each) an instance may have, initially or by growing.
    pub memory_pages: u32,
    /// Call-stack budget in frame units (see `runtime::stack`): a frame costs
    /// `FRAME_BASE + params + locals` units.
    pub stack_units: u32,
    /// Bytes of one transaction's data.
    pub tx_data_bytes: u32,
    /// Bytes of one printed output.
    pub output_bytes: u32,
    /// Outputs one transaction may print.
    pub outputs_per_tx: u32,
    /// Bytes of all outputs of one block.
    pub block_output_bytes: u64,
    /// Debug-log bytes kept per transaction (beyond this, logs are dropped, still charged).
    pub log_bytes: u32,
    /// Bytes of a witness (`multiproof_load` or a block's own-shard witness).
    pub witness_bytes: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            tx_gas: 1_000_000_000,
            memory_pages: 256,
            stack_units: 65_536,
            tx_data_bytes: 4 << 20,
            output_bytes: 16 << 10,
            outputs_per_tx: 65_536,
            block_output_bytes: 16 << 20,
            log_bytes: 64 << 10,
            witness_bytes: 16 << 20,
        }
    }
}
