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

/// Bounds on a module's structure, checked by the gatekeeper (and so by `ee check` and
/// every deployment) before any compiler sees the module: what makes compilation or
/// instantiation slow or large without costing gas is bounded here (nearcore's and
/// CosmWasm's load-time limits are the model). Each is far above what the project's EEs
/// use (`ee check --format json` reports a module's figures); see ARCHITECTURE.md,
/// "Compile-time bombs", for the worst compile times still possible under them.
pub mod structure {
    /// Functions defined in a module (the meta-EE defines 141).
    pub const MAX_FUNCTIONS: u64 = 4_096;
    /// Locals (parameters included) of one function: each is zeroed on entry.
    pub const MAX_LOCALS_PER_FUNCTION: u64 = 1_024;
    /// Locals of all functions together.
    pub const MAX_TOTAL_LOCALS: u64 = 65_536;
    /// Bytes of one function body (the meta-EE's largest is about 17.5 kB).
    pub const MAX_FUNCTION_BODY_BYTES: u64 = 256 * 1024;
    /// Nesting of `block`, `loop` and `if` within a function.
    pub const MAX_NESTING_DEPTH: u64 = 256;
    /// Targets of one `br_table`.
    pub const MAX_BR_TABLE_TARGETS: u64 = 4_096;
    /// Elements of a table (initial and maximum) and of all element segments together.
    pub const MAX_TABLE_ELEMENTS: u64 = 16_384;
    /// Data segments.
    pub const MAX_DATA_SEGMENTS: u64 = 1_024;
    /// Globals.
    pub const MAX_GLOBALS: u64 = 1_024;
    /// Exports.
    pub const MAX_EXPORTS: u64 = 64;
    /// Function types.
    pub const MAX_TYPES: u64 = 1_024;
}

/// Native stack of one wasm call: far above what [`Limits::stack_units`] lets an EE use,
/// twice over (an EE at its budget may call a library, which has a budget of its own), so
/// the deterministic budget, not the machine, decides when the stack runs out.
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
    /// The same for the meta-EE, which holds a whole block's outputs, their netting state
    /// and its multiproofs: sized from `block_outputs`, `block_output_bytes` and
    /// `tx_data_bytes` so a block within them never runs it out of memory.
    pub meta_memory_pages: u32,
    /// Call-stack budget in frame units (see `runtime::stack`): a frame costs
    /// `FRAME_BASE + params + locals` units.
    pub stack_units: u32,
    /// Bytes of one transaction's data.
    pub tx_data_bytes: u32,
    /// Bytes of one printed output.
    pub output_bytes: u32,
    /// Outputs one transaction may print, its `call_ee` callees' included.
    pub outputs_per_tx: u32,
    /// Outputs of one block (the meta-EE's own reports excluded): with
    /// `block_output_bytes`, what bounds the meta-EE's memory.
    pub block_outputs: u32,
    /// Bytes of all outputs of one block.
    pub block_output_bytes: u64,
    /// Debug-log bytes kept per transaction (beyond this, logs are dropped, still charged).
    pub log_bytes: u32,
    /// Bytes of a witness (`multiproof_load` or a block's own-shard witness).
    pub witness_bytes: u32,
    /// Gas of one block: every user transaction's gas plus the meta-EE's fixed share
    /// (`meta_gas_base + meta_gas_per_byte × its data`). A user transaction gets at most
    /// what is left of it.
    pub block_gas: u64,
    /// The meta-EE's gas, fixed part.
    pub meta_gas_base: u64,
    /// The meta-EE's gas per output it reads: charged to the printing transaction by
    /// `print_output` (the printer prepays the netting of its output) and added to the
    /// meta-EE's gas limit.
    pub meta_gas_per_output: u64,
    /// The meta-EE's gas per byte of its transaction data (the multiproofs it loads).
    pub meta_gas_per_byte: u64,
    /// Fee per 1,000 gas, in Gwei: a user transaction's gas (its share of the meta-EE's
    /// included) is paid from its EE's balance on the shard into the shard's fee pool.
    /// 0 (the default for `ee run`, `ee sim` and the demos) charges nothing; the devnet
    /// charges.
    pub gas_price: u64,
}

impl Limits {
    /// The fee (Gwei) for `gas` at `gas_price`, rounded down.
    pub fn fee(&self, gas: u64) -> u64 {
        u64::try_from(u128::from(gas) * u128::from(self.gas_price) / 1000).unwrap_or(u64::MAX)
    }

    /// Memory pages for a module of `role`.
    pub fn memory_pages_for(&self, role: crate::abi::Role) -> u32 {
        match role {
            crate::abi::Role::Meta => self.meta_memory_pages,
            crate::abi::Role::Ee | crate::abi::Role::Child => self.memory_pages,
        }
    }

    /// The meta-EE's gas limit in a block with `outputs` user outputs and meta
    /// transaction data of `data_bytes`.
    pub fn meta_gas(&self, outputs: usize, data_bytes: usize) -> u64 {
        self.meta_gas_base
            .saturating_add(self.meta_gas_per_output.saturating_mul(outputs as u64))
            .saturating_add(self.meta_gas_per_byte.saturating_mul(data_bytes as u64))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            tx_gas: 1_000_000_000,
            memory_pages: 256,
            meta_memory_pages: 1024,
            stack_units: 65_536,
            tx_data_bytes: 4 << 20,
            output_bytes: 16 << 10,
            outputs_per_tx: 4_096,
            block_outputs: 16_384,
            block_output_bytes: 2 << 20,
            log_bytes: 64 << 10,
            witness_bytes: 16 << 20,
            block_gas: 10_000_000_000,
            meta_gas_base: 10_000_000,
            meta_gas_per_output: 50_000,
            meta_gas_per_byte: 200,
            gas_price: 0,
        }
    }
}
