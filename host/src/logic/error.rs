//! Why a host call failed. Every failure ends the transaction (a trap on wasm, an unwind
//! natively) with no outputs and no state change.
use crate::abi::{HostFn, Role};
use crate::state::StateError;

/// A failed host call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// Gas ran out (instructions or host calls).
    #[error("out of gas")]
    OutOfGas,
    /// The function is not available to this EE's role (also refused at load time).
    #[error("{function} is not available to {role} EEs")]
    NotAllowed {
        /// The function.
        function: HostFn,
        /// The caller's role.
        role: Role,
    },
    /// A pointer/length pair outside the EE's memory.
    #[error("memory access out of bounds: {len} bytes at {ptr:#x}")]
    MemoryAccess {
        /// Guest address.
        ptr: u64,
        /// Length.
        len: u64,
    },
    /// `block_data_copy` outside the transaction data.
    #[error("block data range {offset}+{len} exceeds data size {size}")]
    DataRange {
        /// Requested offset.
        offset: u32,
        /// Requested length.
        len: u32,
        /// Data size.
        size: usize,
    },
    /// `lookback_hash` of a transaction the block does not have before this one.
    #[error("lookback index {index} out of range: {count} transactions precede this one")]
    LookbackRange {
        /// Requested index.
        index: u32,
        /// Transactions before the current one.
        count: u32,
    },
    /// The EE called `abort`.
    #[error("aborted: {0}")]
    Aborted(String),
    /// An output larger than the per-output limit.
    #[error("output of {len} bytes exceeds the limit of {max}")]
    OutputTooLarge {
        /// Its length.
        len: u32,
        /// The limit.
        max: u32,
    },
    /// More outputs than a transaction may print.
    #[error("more than {max} outputs in one transaction")]
    TooManyOutputs {
        /// The limit.
        max: u32,
    },
    /// The block's output buffer is full.
    #[error("block output buffer full ({max} bytes)")]
    BlockOutputsFull {
        /// The limit.
        max: u64,
    },
    /// The block holds as many deposit receipts as it may (`Limits::block_outputs`).
    #[error("block holds its maximum of {max} deposit receipts")]
    BlockDepositCount {
        /// The limit.
        max: u32,
    },
    /// The block's deposit receipts fill `Limits::block_output_bytes`.
    #[error("block deposit buffer full ({max} bytes)")]
    BlockDepositsFull {
        /// The limit.
        max: u64,
    },
    /// The block holds as many outputs as it may.
    #[error("block holds its maximum of {max} outputs")]
    BlockOutputCount {
        /// The limit.
        max: u32,
    },
    /// A copy (`get_outputs_copy`, `return_data_copy`, `deposit_claim`) asked for a
    /// length other than the size the host reported.
    #[error("{function} length {got} != the size the host reported ({expected})")]
    CopyLength {
        /// The host function called.
        function: crate::abi::HostFn,
        /// The size the host reported.
        expected: usize,
        /// The length passed.
        got: u32,
    },
    /// A shard index outside `0..shard_count`.
    #[error("shard {0} does not exist")]
    UnknownShard(u32),
    /// An EE id that is not registered.
    #[error("EE {0} is not registered")]
    UnknownEe(u32),
    /// A balance cell would overflow `i64`.
    #[error("balance cell [{column}][{ee}] would overflow")]
    BalanceOverflow {
        /// Column.
        column: u32,
        /// EE.
        ee: u32,
    },
    /// A witness larger than the limit.
    #[error("witness of {len} bytes exceeds the limit of {max}")]
    WitnessTooLarge {
        /// Its length.
        len: u32,
        /// The limit.
        max: u32,
    },
    /// A beacon deposit receipt cannot be claimed.
    #[error("deposit receipt {index}: {reason}")]
    Deposit {
        /// The receipt's index.
        index: u64,
        /// Why not.
        reason: String,
    },
    /// `call_ee` nested deeper than allowed.
    #[error("synchronous calls nested deeper than {max}")]
    CallDepth {
        /// The limit.
        max: u32,
    },
    /// `call_ee` into an EE that cannot be called (the meta-EE).
    #[error("EE {0} cannot be called synchronously")]
    NotCallable(u32),
    /// The EE called with `call_ee` failed; the caller fails with it.
    #[error("call into EE {ee} failed: {reason}")]
    CallFailed {
        /// The callee.
        ee: u32,
        /// Its failure.
        reason: String,
    },
    /// Scout's `bignum_add256`/`bignum_sub256` overflowed 256 bits.
    #[error("bignum {0} overflows 256 bits")]
    BignumOverflow(&'static str),
    /// State access failed (e.g. a key the witness does not cover).
    #[error(transparent)]
    State(#[from] StateError),
}
