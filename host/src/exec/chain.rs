//! A stateful block producer and slot driver.
//!
//! Every shard's block in a slot executes against the slot-start state: its own tree as
//! it was, and every other shard's tree as of the latest crosslink. Writes are committed
//! and crosslinked when the slot ends, so the result does not depend on the order in
//! which shards are processed.
use super::block::{BlockError, BlockExecutor, BlockOutcome};
use super::runner::EeRunner;
use super::source::StatefulSource;
use crate::gas::CostTable;
use crate::limits::Limits;
use crate::state::{StateError, World};
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, MetaTransaction, Root, ShardBlock, ShardId, ShardTransaction};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Prices and bounds used for execution.
#[derive(Clone, Debug, Default)]
pub struct ExecConfig {
    /// Gas prices.
    pub costs: Arc<CostTable>,
    /// Resource bounds.
    pub limits: Limits,
}

/// Errors producing blocks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The block is invalid.
    #[error(transparent)]
    Block(#[from] BlockError),
    /// State access failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// Two blocks for one shard in one slot.
    #[error("two blocks for shard {0} in one slot")]
    DuplicateShard(u32),
    /// No meta-EE is registered.
    #[error("no meta-EE is registered")]
    NoMetaEe,
}

/// One produced block and what it did.
#[derive(Debug)]
pub struct BlockResult {
    /// The block as produced (user transactions plus the meta-EE's).
    pub block: ShardBlock,
    /// Its effects.
    pub outcome: BlockOutcome,
    /// The shard's root before the block.
    pub pre_root: Root,
    /// The shard's root after the block.
    pub post_root: Root,
}

/// A world plus a runner: produces and commits blocks.
pub struct Chain<R: EeRunner> {
    /// Full state.
    pub world: World,
    /// How EE code runs.
    pub runner: R,
    /// Prices and bounds.
    pub config: ExecConfig,
}

impl<R: EeRunner> Chain<R> {
    /// A chain over `world`.
    pub fn new(world: World, runner: R, config: ExecConfig) -> Self {
        Chain { world, runner, config }
    }

    /// Runs one slot: a block per listed shard, each from its user transactions plus the
    /// meta-EE's transaction, all against the slot-start state; then commits every
    /// block's writes and crosslinks.
    pub fn run_slot(
        &mut self,
        blocks: Vec<(ShardId, Vec<ShardTransaction>)>,
    ) -> Result<Vec<BlockResult>, ChainError> {
        let mut seen = BTreeSet::new();
        for (shard, _) in &blocks {
            if !seen.insert(*shard) {
                return Err(ChainError::DuplicateShard(shard.0));
            }
        }
        let mut results = Vec::with_capacity(blocks.len());
        for (shard, txs) in blocks {
            results.push(self.produce(shard, txs)?);
        }
        for r in &mut results {
            r.post_root = self.world.commit(r.block.shard, &r.outcome.writes)?;
        }
        self.world.end_slot();
        Ok(results)
    }

    /// Produces one block on the current (slot-start) state without committing it.
    fn produce(&mut self, shard: ShardId, txs: Vec<ShardTransaction>) -> Result<BlockResult, ChainError> {
        let meta = self.world.beacon.meta_ee().ok_or(ChainError::NoMetaEe)?.id;
        let world = &self.world;
        let slot = world.beacon.slot;
        let pre_root = world.shard(shard)?.root();
        let mut source = StatefulSource::new(world, shard);
        let mut exec = BlockExecutor::new(
            &world.beacon,
            shard,
            slot,
            &mut source,
            &mut self.runner,
            &self.config.costs,
            &self.config.limits,
        )?;
        for tx in &txs {
            exec.run(tx)?;
        }
        let meta_tx = ShardTransaction { ee_id: meta, data: meta_transaction(exec.outputs(), meta).encode() };
        exec.run(&meta_tx)?;
        let outcome = exec.finish();
        let mut transactions = txs;
        transactions.push(meta_tx);
        Ok(BlockResult {
            block: ShardBlock { shard, slot, transactions },
            outcome,
            pre_root,
            post_root: pre_root,
        })
    }
}

/// The meta-EE's transaction for a block whose outputs so far are `outputs`: every EE that
/// printed, in order of its first output.
pub fn meta_transaction(outputs: &[ee_sdk::Output], meta: EeId) -> MetaTransaction {
    let mut ee_ids = Vec::new();
    let mut seen = BTreeSet::new();
    for o in outputs {
        if o.ee_id != meta && seen.insert(o.ee_id) {
            ee_ids.push(o.ee_id);
        }
    }
    MetaTransaction { ee_ids, proof_order: Vec::new(), multiproof: Vec::new() }
}
