//! The report of an executed block ([`ee_types::report::BlockReport`]), derived from the
//! producer's [`BlockResult`]: the one shape `ee run` prints, the devnet stores and serves,
//! and `ee status` prints.
use crate::exec::{BlockResult, TxReport};
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, NettingStatus, Root};
use ee_types::report::{BlockReport, Decision, HostCallReport, ReceiptReport, TxReport as TxReportOut};
use sha2::{Digest, Sha256};

/// Per-block facts the chain, not the block result, knows.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReportContext<'a> {
    /// The hash of each transaction (in block order), where the chain indexes them; a
    /// missing entry leaves the report's hash empty.
    pub tx_hashes: &'a [Root],
    /// Whether to include the block's hash (sha256 of its SCALE encoding).
    pub block_hash: bool,
}

/// One transaction's report; `name` names its EE.
pub fn tx_report(t: &TxReport, name: String, hash: Option<&Root>) -> TxReportOut {
    TxReportOut {
        index: t.index as u32,
        ee: t.ee.0,
        name,
        hash: hash.map(hex::encode),
        ok: t.ok(),
        error: t.result.as_ref().err().map(ToString::to_string),
        gas: t.gas_used,
        host_gas: t.profile.total_gas(),
        fee: t.fee,
        outputs: t.outputs as u32,
        compile_us: t.stats.compile_us,
        instantiate_us: t.stats.instantiate_us,
        execute_us: t.stats.execute_us,
        host_calls: t
            .profile
            .entries()
            .map(|(f, calls, gas)| HostCallReport { function: f.name().to_string(), calls, gas })
            .collect(),
        logs: t.logs.clone(),
    }
}

/// The meta-EE's decisions in `r`.
pub fn receipts(r: &BlockResult) -> Vec<ReceiptReport> {
    r.outcome
        .receipts
        .iter()
        .map(|rc| ReceiptReport {
            source_ee: rc.source_ee.0,
            index: rc.index,
            target: rc.output.map(|o| (o.target_shard.0, o.target_ee.0, o.amount)),
            status: match rc.status {
                NettingStatus::Accepted => Decision::Accepted,
                NettingStatus::Rejected(_) => Decision::Rejected,
            },
            rejected: match rc.status {
                NettingStatus::Accepted => None,
                NettingStatus::Rejected(why) => Some(format!("{why:?}")),
            },
        })
        .collect()
}

/// The report of `r`; `name(ee)` names EEs.
pub fn block_report(r: &BlockResult, ctx: ReportContext<'_>, name: impl Fn(EeId) -> String) -> BlockReport {
    BlockReport {
        slot: r.block.slot,
        shard: r.block.shard.0,
        hash: ctx.block_hash.then(|| hex::encode(Sha256::digest(r.block.encode()))),
        pre_root: hex::encode(r.pre_root),
        post_root: hex::encode(r.post_root),
        gas: r.outcome.txs.iter().map(|t| t.gas_used).sum(),
        fees: r.outcome.txs.iter().map(|t| t.fee).sum(),
        witness_bytes: r.block.witness.len() as u64,
        transactions: r
            .outcome
            .txs
            .iter()
            .map(|t| tx_report(t, name(t.ee), ctx.tx_hashes.get(t.index)))
            .collect(),
        netting: receipts(r),
        deferred: r.deferred.len() as u32,
        dropped: r.dropped.len() as u32,
    }
}
