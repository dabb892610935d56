//! Per-transaction reports.
use crate::gas::HostProfile;
use crate::logic::{RunStats, TxError};
use ee_sdk::EeId;

/// What happened to one transaction.
#[derive(Clone, Debug)]
pub struct TxReport {
    /// Position in the block.
    pub index: usize,
    /// The EE.
    pub ee: EeId,
    /// `Ok` or why it failed (then it left nothing behind).
    pub result: Result<(), TxError>,
    /// Gas used (instructions and host calls).
    pub gas_used: u64,
    /// Outputs it printed (0 if it failed).
    pub outputs: usize,
    /// Host calls: calls and gas per function.
    pub profile: HostProfile,
    /// Timings.
    pub stats: RunStats,
    /// Debug log lines.
    pub logs: Vec<String>,
    /// Fee (Gwei): `Limits::fee(gas_used)`, paid from the EE's balance on the shard into
    /// the fee pool (0 for the meta-EE, whose gas its printers prepaid).
    pub fee: u64,
    /// Whether the EE's balance on the shard (after the transaction's own effects if it
    /// succeeded) covers the fee. A transaction whose fee is not covered cannot be in a
    /// block.
    pub fee_covered: bool,
}

impl TxReport {
    /// Whether the transaction succeeded.
    pub fn ok(&self) -> bool {
        self.result.is_ok()
    }
}
