//! Ordered execution of one shard block.
use super::overlay::BlockState;
use super::report::TxReport;
use super::source::StateSource;
use crate::abi::Role;
use crate::gas::CostTable;
use crate::limits::Limits;
use crate::logic::{BlockContext, HostLogic, TxEnv};
use crate::logic::{EeRunner, RunStats, TxError};
use crate::state::{BeaconState, StateKey, Value};
use ee_sdk::codec::DecodeAll;
use ee_sdk::{EeId, NettingOutput, NettingReport, NettingStatus, Output, ShardId, ShardTransaction};
use std::collections::BTreeMap;

/// A block that is invalid as a whole (as opposed to a failing transaction).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlockError {
    /// The block's shard does not exist.
    #[error("shard {0} does not exist")]
    UnknownShard(u32),
    /// A transaction after the meta-EE's (the meta-EE must run last).
    #[error("transaction {index} comes after the meta-EE's transaction, which must be last")]
    TxAfterMeta {
        /// Position of the offending transaction.
        index: usize,
    },
    /// Transaction data larger than `Limits::tx_data_bytes`.
    #[error("transaction {index} has {len} bytes of data, limit {max}")]
    TxDataTooLarge {
        /// Position.
        index: usize,
        /// Its data length.
        len: usize,
        /// The limit.
        max: u32,
    },
}

/// One output's netting outcome: the meta-EE's status joined with the output itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NettingReceipt {
    /// EE that printed the output.
    pub source_ee: EeId,
    /// Index among that EE's outputs in the block.
    pub index: u32,
    /// The output, if it is a well-formed netting output.
    pub output: Option<NettingOutput>,
    /// What the meta-EE did with it.
    pub status: NettingStatus,
}

/// Everything a block produced.
#[derive(Debug, Default)]
pub struct BlockOutcome {
    /// Writes to the shard's state (applied by the caller).
    pub writes: BTreeMap<StateKey, Value>,
    /// The block's output buffer, host-tagged.
    pub outputs: Vec<Output>,
    /// One report per transaction.
    pub txs: Vec<TxReport>,
    /// The meta-EE's accept/reject decisions, one per output it read.
    pub receipts: Vec<NettingReceipt>,
    /// Deposit receipts pushed by successful transactions (Scout's `eth2_pushNewDeposit`).
    pub deposits: Vec<Vec<u8>>,
}

/// Runs a shard block's transactions in order against a [`StateSource`].
pub struct BlockExecutor<'a> {
    beacon: &'a BeaconState,
    shard: ShardId,
    slot: u64,
    state: BlockState<'a>,
    runner: &'a dyn EeRunner,
    costs: &'a CostTable,
    limits: &'a Limits,
    outputs: Vec<Output>,
    deposits: Vec<Vec<u8>>,
    txs: Vec<TxReport>,
    meta_done: bool,
}

impl<'a> BlockExecutor<'a> {
    /// An executor for a block on `shard` at `slot`.
    pub fn new(
        beacon: &'a BeaconState,
        shard: ShardId,
        slot: u64,
        source: &'a mut dyn StateSource,
        runner: &'a dyn EeRunner,
        costs: &'a CostTable,
        limits: &'a Limits,
    ) -> Result<Self, BlockError> {
        if shard.0 >= beacon.shard_count() {
            return Err(BlockError::UnknownShard(shard.0));
        }
        Ok(BlockExecutor {
            beacon,
            shard,
            slot,
            state: BlockState::new(shard, source),
            runner,
            costs,
            limits,
            outputs: Vec::new(),
            deposits: Vec::new(),
            txs: Vec::new(),
            meta_done: false,
        })
    }

    /// Outputs of the transactions so far.
    pub fn outputs(&self) -> &[Output] {
        &self.outputs
    }

    /// Runs the next transaction and keeps its effects if it succeeds.
    pub fn run(&mut self, tx: &ShardTransaction) -> Result<&TxReport, BlockError> {
        let index = self.txs.len();
        let report = self.execute(index, tx, true)?;
        self.txs.push(report);
        Ok(self.txs.last().expect("just pushed"))
    }

    /// Runs a transaction and throws its effects away (a block producer's dry run: the
    /// source still records what it read).
    pub fn dry_run(&mut self, tx: &ShardTransaction) -> Result<TxReport, BlockError> {
        self.execute(self.txs.len(), tx, false)
    }

    fn execute(&mut self, index: usize, tx: &ShardTransaction, keep: bool) -> Result<TxReport, BlockError> {
        if self.meta_done {
            return Err(BlockError::TxAfterMeta { index });
        }
        if tx.data.len() > self.limits.tx_data_bytes as usize {
            return Err(BlockError::TxDataTooLarge {
                index,
                len: tx.data.len(),
                max: self.limits.tx_data_bytes,
            });
        }
        let Some(entry) = self.beacon.ees.get(&tx.ee_id) else {
            return Ok(TxReport {
                index,
                ee: tx.ee_id,
                result: Err(TxError::UnknownEe(tx.ee_id.0)),
                gas_used: 0,
                outputs: 0,
                profile: Default::default(),
                stats: RunStats::default(),
                logs: Vec::new(),
            });
        };
        let env = TxEnv {
            shard: self.shard,
            shard_count: self.beacon.shard_count(),
            slot: self.slot,
            ee: entry.id,
            role: entry.role,
        };
        let gas = self.limits.tx_gas;
        let block = BlockContext {
            beacon: self.beacon,
            outputs: &self.outputs,
            costs: self.costs,
            limits: self.limits,
            runner: self.runner,
        };
        let mut logic = HostLogic::new(env, &tx.data, block, &mut self.state, gas);
        let result = self.runner.run(entry, &mut logic);
        let gas_used = gas - logic.gas_left();
        let effects = logic.finish();
        let (result, stats, outputs) = match result {
            Ok(stats) if keep => {
                self.state.commit_tx();
                let n = effects.outputs.len();
                self.outputs.extend(effects.outputs);
                self.deposits.extend(effects.deposits);
                (Ok(()), stats, n)
            }
            Ok(stats) => {
                self.state.discard_tx();
                (Ok(()), stats, effects.outputs.len())
            }
            Err(e) => {
                self.state.discard_tx();
                (Err(e), RunStats::default(), 0)
            }
        };
        if keep && entry.role == Role::Meta {
            self.meta_done = true;
        }
        Ok(TxReport {
            index,
            ee: entry.id,
            result,
            gas_used,
            outputs,
            profile: effects.profile,
            stats,
            logs: effects.logs,
        })
    }

    /// Ends the block.
    pub fn finish(self) -> BlockOutcome {
        let receipts = receipts(self.beacon, &self.outputs);
        BlockOutcome {
            writes: self.state.into_writes(),
            outputs: self.outputs,
            txs: self.txs,
            receipts,
            deposits: self.deposits,
        }
    }
}

/// Joins the meta-EE's reports in `outputs` with the outputs they speak of.
fn receipts(beacon: &BeaconState, outputs: &[Output]) -> Vec<NettingReceipt> {
    let Some(meta) = beacon.meta_ee().map(|m| m.id) else { return Vec::new() };
    let mut by_ee: BTreeMap<EeId, Vec<&[u8]>> = BTreeMap::new();
    for o in outputs.iter().filter(|o| o.ee_id != meta) {
        by_ee.entry(o.ee_id).or_default().push(&o.data);
    }
    let mut receipts = Vec::new();
    for o in outputs.iter().filter(|o| o.ee_id == meta) {
        let Ok(report) = NettingReport::decode_all(&mut &o.data[..]) else { continue };
        for (i, status) in report.statuses.into_iter().enumerate() {
            let index = report.first_index.saturating_add(i as u32);
            let output = by_ee
                .get(&report.source_ee)
                .and_then(|v| v.get(index as usize))
                .and_then(|raw| NettingOutput::decode_all(&mut &raw[..]).ok());
            receipts.push(NettingReceipt { source_ee: report.source_ee, index, output, status });
        }
    }
    receipts
}
