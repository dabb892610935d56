//! Ordered execution of one shard block.
use super::overlay::BlockState;
use super::report::TxReport;
use super::source::StateSource;
use crate::abi::Role;
use crate::gas::CostTable;
use crate::limits::Limits;
use crate::logic::TxState;
use crate::logic::{BlockContext, HostLogic, TxEnv};
use crate::logic::{EeRunner, RunStats, TxError};
use crate::state::keys::{cell_value, u64_value, value_cell, value_u64};
use crate::state::{BeaconState, StateError, StateKey, Value};
use ee_sdk::codec::DecodeAll;
use ee_sdk::{
    EeId, MetaTransaction, NettingOutput, NettingReport, NettingStatus, Output, ShardId, ShardTransaction,
};
use std::collections::BTreeMap;
use std::collections::BTreeSet;

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
    /// Transactions printed outputs, but the block has no meta-EE transaction.
    #[error("outputs were printed but the block has no meta-EE transaction")]
    MissingMetaEe,
    /// The meta-EE transaction does not list every EE that printed outputs.
    #[error("the meta-EE's ee_ids omit EEs that printed outputs: {missing:?}")]
    MetaEeIdsIncomplete {
        /// The EEs left out.
        missing: Vec<u32>,
    },
    /// The meta-EE transaction failed (its netting applies nothing, so the block would
    /// strand what the EEs debited for their outputs).
    #[error("the meta-EE transaction failed: {error}")]
    MetaFailed {
        /// Why.
        error: TxError,
    },
    /// A transaction whose EE's balance on the shard does not cover its fee.
    #[error("transaction {index}: EE {ee} cannot pay its fee of {fee} Gwei")]
    FeeNotCovered {
        /// Position.
        index: usize,
        /// The EE.
        ee: u32,
        /// The fee.
        fee: u64,
    },
    /// State the fee rule reads or writes is not available (stateless: not in the
    /// witness).
    #[error("fee accounting: {0}")]
    State(StateError),
    /// The user transactions and the meta-EE's fixed share exceed the block gas limit.
    #[error("block gas {used} exceeds the limit {max}")]
    GasLimit {
        /// User gas plus the meta-EE's fixed share.
        used: u64,
        /// `Limits::block_gas`.
        max: u64,
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
    /// Hashes of the transactions included so far (what `lookback_hash` reads).
    tx_hashes: Vec<[u8; 32]>,
    meta_done: bool,
    /// Gas of the user transactions kept.
    user_gas: u64,
    /// The meta-EE's transaction, once run: its `ee_ids`, result and data size.
    meta: Option<MetaRun>,
}

/// Whether an executed transaction stays in the block.
enum Keep<'f> {
    /// A dry run: report it, keep nothing.
    Never,
    /// Keep it if the closure accepts its report.
    If(Box<dyn FnOnce(&TxReport) -> bool + 'f>),
}

/// What became of an executed transaction.
enum Outcome {
    /// It is in the block.
    Included(TxReport),
    /// It was thrown away (a dry run, or the producer left it out).
    Left(TxReport),
}

/// What the block's meta-EE transaction was.
#[derive(Debug)]
struct MetaRun {
    ee_ids: Vec<EeId>,
    result: Result<(), TxError>,
    data_bytes: usize,
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
            tx_hashes: Vec::new(),
            meta_done: false,
            user_gas: 0,
            meta: None,
        })
    }

    /// Outputs of the transactions so far.
    pub fn outputs(&self) -> &[Output] {
        &self.outputs
    }

    /// Runs the next transaction and keeps its effects if it succeeds.
    pub fn run(&mut self, tx: &ShardTransaction) -> Result<&TxReport, BlockError> {
        match self.try_run(tx, |_| true)? {
            Ok(report) => Ok(report),
            Err(_) => unreachable!("always included"),
        }
    }

    /// Runs the next transaction and includes it in the block only if `include` accepts
    /// its report (a producer leaving out what does not fit); otherwise its effects are
    /// thrown away and the block is as before. Returns `Ok(report)` if it was included,
    /// `Err(report)` (of what it did before being thrown away) if not.
    pub fn try_run(
        &mut self,
        tx: &ShardTransaction,
        include: impl FnOnce(&TxReport) -> bool,
    ) -> Result<Result<&TxReport, TxReport>, BlockError> {
        let index = self.txs.len();
        match self.execute(index, tx, Keep::If(Box::new(include)))? {
            Outcome::Included(r) => {
                self.txs.push(r);
                self.tx_hashes.push(tx_hash(self.shard, tx));
                Ok(Ok(self.txs.last().expect("just pushed")))
            }
            Outcome::Left(r) => Ok(Err(r)),
        }
    }

    /// Runs a transaction and throws its effects away (a block producer's dry run: the
    /// source still records what it read).
    pub fn dry_run(&mut self, tx: &ShardTransaction) -> Result<TxReport, BlockError> {
        match self.execute(self.txs.len(), tx, Keep::Never)? {
            Outcome::Included(r) | Outcome::Left(r) => Ok(r),
        }
    }

    /// Gas a user transaction may use now: the per-transaction limit, or what is left of
    /// the block's after the user transactions so far and the meta-EE's fixed share.
    pub fn user_gas_available(&self) -> u64 {
        let left =
            self.limits.block_gas.saturating_sub(self.user_gas.saturating_add(self.limits.meta_gas_base));
        self.limits.tx_gas.min(left)
    }

    /// Outputs printed so far by user transactions.
    fn user_outputs(&self) -> usize {
        let meta = self.beacon.meta_ee().map(|m| m.id);
        self.outputs.iter().filter(|o| Some(o.ee_id) != meta).count()
    }

    fn execute(
        &mut self,
        index: usize,
        tx: &ShardTransaction,
        keep: Keep<'_>,
    ) -> Result<Outcome, BlockError> {
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
            return Ok(Outcome::Included(TxReport {
                index,
                ee: tx.ee_id,
                result: Err(TxError::UnknownEe(tx.ee_id.0)),
                gas_used: 0,
                outputs: 0,
                profile: Default::default(),
                stats: RunStats::default(),
                logs: Vec::new(),
                fee: 0,
                fee_covered: false,
            }));
        };
        let env = TxEnv {
            shard: self.shard,
            shard_count: self.beacon.shard_count(),
            slot: self.slot,
            ee: entry.id,
            role: entry.role,
        };
        let is_meta = entry.role == Role::Meta;
        let gas = if is_meta {
            self.limits.meta_gas(self.user_outputs(), tx.data.len())
        } else {
            self.user_gas_available()
        };
        let block = BlockContext {
            beacon: self.beacon,
            outputs: &self.outputs,
            deposits: &self.deposits,
            tx_hashes: &self.tx_hashes,
            costs: self.costs,
            limits: self.limits,
            runner: self.runner,
        };
        let mut logic = HostLogic::new(env, &tx.data, block, &mut self.state, gas);
        let result = self.runner.run(entry, &mut logic);
        let gas_used = gas - logic.gas_left();
        let effects = logic.finish();
        let (result, stats) = match result {
            Ok(stats) => (Ok(()), stats),
            Err(e) => (Err(e), effects.stats.unwrap_or_default()),
        };
        let failed = result.is_err();
        if failed {
            // A failed transaction leaves nothing but its fee.
            self.state.discard_tx();
        }
        let fee = if is_meta { 0 } else { self.limits.fee(gas_used) };
        let cell = StateKey::Balance { column: self.shard, ee: entry.id };
        let fee_covered =
            fee == 0 || value_cell(&self.state.get_own(&cell)?) >= i64::try_from(fee).unwrap_or(i64::MAX);
        let report = TxReport {
            index,
            ee: entry.id,
            outputs: if result.is_ok() { effects.outputs.len() } else { 0 },
            result,
            gas_used,
            profile: effects.profile,
            stats,
            logs: effects.logs,
            fee,
            fee_covered,
        };
        let include = match keep {
            Keep::Never => false,
            Keep::If(f) => f(&report),
        };
        if !include {
            self.state.discard_tx();
            return Ok(Outcome::Left(report));
        }
        if !report.fee_covered {
            return Err(BlockError::FeeNotCovered { index, ee: entry.id.0, fee });
        }
        if fee > 0 {
            let balance = value_cell(&self.state.get_own(&cell)?);
            let pool = value_u64(&self.state.get_own(&StateKey::FeePool)?);
            // `fee_covered` keeps the balance at or above zero; the pool cannot overflow a
            // supply that fits in i64 cells.
            self.state.set_own(cell, cell_value(balance - fee as i64))?;
            self.state.set_own(StateKey::FeePool, u64_value(pool.saturating_add(fee)))?;
        }
        self.state.commit_tx();
        if !failed {
            self.outputs.extend(effects.outputs);
            self.deposits.extend(effects.deposits);
        }
        if is_meta {
            self.meta_done = true;
            let ee_ids = MetaTransaction::decode_all(&mut &tx.data[..]).map(|m| m.ee_ids).unwrap_or_default();
            self.meta = Some(MetaRun { ee_ids, result: report.result.clone(), data_bytes: tx.data.len() });
        } else {
            self.user_gas = self.user_gas.saturating_add(gas_used);
        }
        Ok(Outcome::Included(report))
    }

    /// Ends the block, checking the rules every block obeys (both executors apply them):
    /// on a chain with a meta-EE, a block whose transactions printed outputs ends with a
    /// meta-EE transaction ([`BlockError::MissingMetaEe`]) whose `ee_ids` list every EE
    /// that printed ([`BlockError::MetaEeIdsIncomplete`]); a meta-EE transaction succeeds
    /// ([`BlockError::MetaFailed`]); user gas plus the meta-EE's fixed share stays within
    /// `Limits::block_gas` ([`BlockError::GasLimit`]). (Nothing runs after the meta-EE:
    /// [`BlockError::TxAfterMeta`] at the offending transaction.)
    pub fn finish(self) -> Result<BlockOutcome, BlockError> {
        if let Some(meta) = self.beacon.meta_ee().map(|m| m.id) {
            let printers: BTreeSet<EeId> =
                self.outputs.iter().map(|o| o.ee_id).filter(|e| *e != meta).collect();
            match &self.meta {
                None if !printers.is_empty() => return Err(BlockError::MissingMetaEe),
                None => {}
                Some(run) => {
                    if let Err(error) = &run.result {
                        return Err(BlockError::MetaFailed { error: error.clone() });
                    }
                    let listed: BTreeSet<EeId> = run.ee_ids.iter().copied().collect();
                    let missing: Vec<u32> = printers.difference(&listed).map(|e| e.0).collect();
                    if !missing.is_empty() {
                        return Err(BlockError::MetaEeIdsIncomplete { missing });
                    }
                    let fixed = self.limits.meta_gas(0, run.data_bytes);
                    let used = self.user_gas.saturating_add(fixed);
                    if used > self.limits.block_gas {
                        return Err(BlockError::GasLimit { used, max: self.limits.block_gas });
                    }
                }
            }
        }
        let receipts = receipts(self.beacon, &self.outputs);
        Ok(BlockOutcome {
            writes: self.state.into_writes(),
            outputs: self.outputs,
            txs: self.txs,
            receipts,
            deposits: self.deposits,
        })
    }
}

/// A transaction's hash as `lookback_hash` gives it ([`ShardTransaction::hash`]: sha256 of
/// the SCALE `(shard, transaction)`, the hash clients and the devnet name transactions by).
pub fn tx_hash(shard: ShardId, tx: &ShardTransaction) -> [u8; 32] {
    tx.hash(shard)
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

// The message shows the cause; it is not also the `source()`, so `{:#}` prints it once.
impl From<StateError> for BlockError {
    fn from(e: StateError) -> Self {
        BlockError::State(e)
    }
}
