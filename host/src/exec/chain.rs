//! The stateful block producer and slot driver.
//!
//! Every shard's block in a slot executes against the slot-start state: its own tree as
//! it was, and every other shard's tree as of the latest crosslink. Writes are committed
//! and crosslinked when the slot ends, so the result does not depend on the order in
//! which shards are processed.
//!
//! Producing a block (DESIGN §3, "stateful executor"):
//!
//! 1. run the user transactions, recording every own key read or written and every
//!    foreign key they read (receipt claims read `netted` records of other shards);
//! 2. dry-run the meta-EE with the default read order to learn which EEs need foreign
//!    cells; give those EEs a largest-cell-first [`ProofOrder`] (fewest cells cover a
//!    deficit) and dry-run again to learn exactly which cells that order reads;
//! 3. put the merged multiproofs of those cells, one per foreign shard, against the
//!    crosslinked roots, into the meta-EE's transaction, and run it for real;
//! 4. attach the block witness to the block: the own-shard proof of every own key touched,
//!    and the foreign proofs of step 1.
use super::block::{BlockError, BlockExecutor, BlockOutcome};
use super::source::{Recorded, StatefulSource};
use crate::exec::TxReport;
use crate::gas::CostTable;
use crate::limits::Limits;
use crate::logic::{EeRunner, HostError, TxError};
use crate::state::{StateError, StateKey, World};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{
    BlockWitness, EeId, MetaTransaction, NettingStatus, NettingVariant, ProofOrder, Root, ShardBlock,
    ShardId, ShardProof, ShardTransaction,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// Proof figures of one block (DESIGN §7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct WitnessStats {
    /// Bytes of the block's own-shard witness.
    pub own_bytes: usize,
    /// Leaves of the own-shard proof.
    pub own_leaves: usize,
    /// Bytes those leaves take encoded (compact words: mostly-zero paths and values).
    pub own_leaf_bytes: usize,
    /// Bytes of the own-shard compiled proof (the sibling hashes and their bitmap).
    pub own_proof_bytes: usize,
    /// Own keys that are balance cells (of any EE and column).
    pub own_balance_keys: usize,
    /// Own keys that are EE state roots.
    pub own_ee_root_keys: usize,
    /// Bytes of the meta-EE's multiproof (other shards' cells).
    pub foreign_bytes: usize,
    /// Foreign shards proven.
    pub foreign_shards: usize,
    /// Foreign cells proven.
    pub foreign_cells: usize,
    /// EEs whose accepted outgoing exceeded their incoming (net-outgoing).
    pub net_outgoing_ees: usize,
    /// EEs whose foreign cells were proven.
    pub proven_ees: usize,
    /// Net-outgoing EEs whose own cell did not cover the deficit but the recorded known
    /// minimum did: a column proof the known-minimum rule avoided.
    pub known_min_saves: usize,
    /// Net-outgoing EEs whose own cell did not cover the deficit but the reserve (with the
    /// known minimum) did, without a proof (the `reserve` variant).
    pub reserve_saves: usize,
    /// Net-outgoing EEs whose own cell alone did not cover the deficit (under version A:
    /// every EE with a net cross-EE outflow): what seed 001 would prove in full.
    pub needing_cover: usize,
    /// Proven EEs whose proof was a full one: every foreign cell of the column (under
    /// version A: every cell of every foreign row).
    pub full_proofs: usize,
}

/// One produced block and what it did.
#[derive(Debug)]
pub struct BlockResult {
    /// The block as produced (user transactions, the meta-EE's, and the witness).
    pub block: ShardBlock,
    /// Its effects.
    pub outcome: BlockOutcome,
    /// The shard's root before the block.
    pub pre_root: Root,
    /// The shard's root after the block.
    pub post_root: Root,
    /// Proof figures.
    pub witness: WitnessStats,
    /// User transactions left out of the block, in order (they did not fit its gas or
    /// output budget); a node puts them back at the front of its mempool.
    pub deferred: Vec<ShardTransaction>,
    /// User transactions dropped for good: each made the block un-nettable even alone.
    pub dropped: Vec<(ShardTransaction, BlockError)>,
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

/// Blocks of one slot, one per shard: no shard twice.
fn check_distinct(blocks: &[(ShardId, Vec<ShardTransaction>)]) -> Result<(), ChainError> {
    let mut seen = BTreeSet::new();
    for (shard, _) in blocks {
        if !seen.insert(*shard) {
            return Err(ChainError::DuplicateShard(shard.0));
        }
    }
    Ok(())
}

impl<R: EeRunner + Sync> Chain<R> {
    /// [`Chain::run_slot`] on `threads` threads: every block of a slot is produced against
    /// the slot-start state and reads no other block's writes, so the shards' blocks are
    /// produced in parallel (block `i` on thread `i % threads`), then each shard's writes are
    /// committed to its own tree, in parallel too. The results are identical for any `threads`.
    pub fn run_slot_parallel(
        &mut self,
        blocks: Vec<(ShardId, Vec<ShardTransaction>)>,
        threads: usize,
    ) -> Result<Vec<BlockResult>, ChainError> {
        if threads <= 1 || blocks.len() <= 1 {
            return self.run_slot(blocks);
        }
        check_distinct(&blocks)?;
        let this = &*self;
        let produced =
            crate::parallel::map_in_order(blocks, threads, |(shard, txs)| this.produce(shard, txs, None));
        let results = produced.into_iter().collect::<Result<Vec<_>, _>>()?;
        self.commit_slot(results, threads)
    }
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
        let results = self.produce_slot(blocks, None)?;
        self.commit_slot(results, 1)
    }

    /// The first half of [`Chain::run_slot`]: produces a block per listed shard on the
    /// slot-start state and commits nothing, so it needs only shared access (a node
    /// serves reads meanwhile). With a wall-time `budget`, each block's user
    /// transactions stop being tried once the block's share of it has passed (shard `i`
    /// of `n` by `start + budget × (i + 1) / n`, so time a block leaves unused goes to
    /// the next): the rest are deferred, as for a full block. A block overruns its share
    /// by at most one transaction, itself bounded by its gas. Validators do not cut: the
    /// choice of transactions is the producer's.
    pub fn produce_slot(
        &self,
        blocks: Vec<(ShardId, Vec<ShardTransaction>)>,
        budget: Option<Duration>,
    ) -> Result<Vec<BlockResult>, ChainError> {
        check_distinct(&blocks)?;
        let start = Instant::now();
        let n = blocks.len() as u32;
        let mut results = Vec::with_capacity(blocks.len());
        for (i, (shard, txs)) in blocks.into_iter().enumerate() {
            let deadline = budget.map(|b| start + b * (i as u32 + 1) / n.max(1));
            results.push(self.produce(shard, txs, deadline)?);
        }
        Ok(results)
    }

    /// The second half of [`Chain::run_slot`]: commits the blocks [`Chain::produce_slot`]
    /// produced on this same state (nothing may change the world in between) and
    /// crosslinks.
    pub fn commit_produced(&mut self, results: Vec<BlockResult>) -> Result<Vec<BlockResult>, ChainError> {
        self.commit_slot(results, 1)
    }

    fn commit_slot(
        &mut self,
        mut results: Vec<BlockResult>,
        threads: usize,
    ) -> Result<Vec<BlockResult>, ChainError> {
        let commits: Vec<_> = results.iter().map(|r| (r.block.shard, &r.outcome.writes)).collect();
        let roots = self.world.commit_many(&commits, threads)?;
        for (r, root) in results.iter_mut().zip(roots) {
            r.post_root = root;
        }
        self.world.end_slot();
        Ok(results)
    }

    /// The block `txs` would make on `shard` now — with its witness and the root it would
    /// leave — without committing anything (what a state provider tells a user about a
    /// pending transaction). The post-root is recomputed from the block's own witness, as
    /// a stateless validator would.
    pub fn preview(&self, shard: ShardId, txs: Vec<ShardTransaction>) -> Result<BlockResult, ChainError> {
        let mut r = self.produce(shard, txs, None)?;
        let own = if r.block.witness.is_empty() {
            None
        } else {
            BlockWitness::decode_all(&mut &r.block.witness[..])
                .map_err(|e| StateError::Witness(format!("own block witness does not decode: {e}")))?
                .own
        };
        let layout = self.world.layout();
        r.post_root = crate::state::witness::root_after_writes(
            shard,
            r.pre_root,
            own.as_ref(),
            &r.outcome.writes,
            layout,
        )?;
        Ok(r)
    }

    /// Produces one block on the current (slot-start) state without committing it. User
    /// transactions that do not fit are left out, in order, as `deferred`: one that ran out
    /// of the block's gas or output budget, and — if the meta-EE could not net what the
    /// block carries — the later half of the rest, until it can; one that makes the block
    /// un-nettable on its own is `dropped`. Past `deadline`, no further user transaction
    /// is tried (the rest are deferred).
    fn produce(
        &self,
        shard: ShardId,
        txs: Vec<ShardTransaction>,
        deadline: Option<Instant>,
    ) -> Result<BlockResult, ChainError> {
        let mut candidates = txs;
        let mut tail: Vec<ShardTransaction> = Vec::new();
        let mut dropped = Vec::new();
        loop {
            match self.try_produce(shard, &candidates, deadline)? {
                Attempt::Valid(mut r) => {
                    r.deferred.extend(tail);
                    r.dropped.extend(dropped);
                    return Ok(*r);
                }
                Attempt::Unnettable(why) if candidates.is_empty() => return Err(why.into()),
                Attempt::Unnettable(why) if candidates.len() == 1 => {
                    // It cannot be netted even alone: no later block will take it either.
                    tracing::debug!(shard = shard.0, %why, "transaction dropped: its block cannot be netted");
                    dropped.extend(candidates.drain(..).map(|tx| (tx, why.clone())));
                }
                Attempt::Unnettable(why) => {
                    tracing::debug!(shard = shard.0, %why, kept = candidates.len() / 2, "block does not net; deferring");
                    let later = candidates.split_off(candidates.len() / 2);
                    tail.splice(0..0, later);
                }
            }
        }
    }

    fn try_produce(
        &self,
        shard: ShardId,
        txs: &[ShardTransaction],
        deadline: Option<Instant>,
    ) -> Result<Attempt, ChainError> {
        let meta = self.world.beacon.meta_ee().ok_or(ChainError::NoMetaEe)?.id;
        let world = &self.world;
        let limits = &self.config.limits;
        let slot = world.beacon.slot;
        let pre_root = world.shard(shard)?.root();
        let mut source = StatefulSource::new(world, shard);
        let recorded = source.recorded();
        let mut exec = BlockExecutor::new(
            &world.beacon,
            shard,
            slot,
            &mut source,
            &self.runner,
            &self.config.costs,
            &self.config.limits,
        )?;
        let mut included = Vec::with_capacity(txs.len());
        let mut deferred = Vec::new();
        let mut unpaid = Vec::new();
        // Fairness: while another EE's transaction waits later in the list, no EE takes
        // more than half the block's outputs (an EE printing the whole budget cannot
        // crowd out the rest).
        let share = limits.block_outputs as usize / 2;
        let mut others_later = vec![false; txs.len()];
        for i in (0..txs.len().saturating_sub(1)).rev() {
            others_later[i] = others_later[i + 1] || txs[i + 1].ee_id != txs[i].ee_id;
        }
        let mut printed: BTreeMap<EeId, usize> = BTreeMap::new();
        for (i, tx) in txs.iter().enumerate() {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                tracing::debug!(
                    shard = shard.0,
                    deferred = txs.len() - i,
                    "block cut at its wall-time budget"
                );
                deferred.extend(txs[i..].iter().cloned());
                break;
            }
            let available = exec.user_gas_available();
            let so_far = printed.get(&tx.ee_id).copied().unwrap_or(0);
            let fits = |r: &TxReport| match &r.result {
                _ if !r.fee_covered => false,
                Err(TxError::OutOfGas) => available >= limits.tx_gas,
                Err(TxError::Host(
                    HostError::BlockOutputsFull { .. } | HostError::BlockOutputCount { .. },
                )) => false,
                Ok(()) if others_later[i] && so_far + r.outputs > share => false,
                _ => true,
            };
            match exec.try_run(tx, fits)? {
                Ok(r) => {
                    *printed.entry(tx.ee_id).or_default() += r.outputs;
                    included.push(tx.clone());
                }
                // Its EE cannot pay for it: no later block would take it either.
                Err(r) if !r.fee_covered => {
                    let fee = r.fee;
                    unpaid.push((
                        tx.clone(),
                        BlockError::FeeNotCovered { index: r.index, ee: tx.ee_id.0, fee },
                    ));
                }
                Err(_) => deferred.push(tx.clone()),
            }
        }
        let user_foreign = foreign_proofs(world, &recorded.borrow())?;
        recorded.borrow_mut().foreign.clear();
        let mut meta_tx = meta_transaction(exec.outputs(), meta);
        let unnettable = |e: BlockError| match e {
            e @ (BlockError::TxDataTooLarge { .. }
            | BlockError::MetaFailed { .. }
            | BlockError::GasLimit { .. }) => Ok(Attempt::Unnettable(e)),
            other => Err(ChainError::Block(other)),
        };
        let dry = match exec.dry_run(&ShardTransaction { ee_id: meta, data: meta_tx.encode() }) {
            Ok(r) => r,
            Err(e) => return unnettable(e),
        };
        if let Err(error) = dry.result {
            return Ok(Attempt::Unnettable(BlockError::MetaFailed { error }));
        }
        let readers: BTreeSet<EeId> = foreign_readers(&recorded.borrow());
        let rules = world.beacon.netting;
        let mut proofs = Vec::new();
        if !readers.is_empty() {
            // Under a fixed read order the meta-EE chose the cells itself: the dry run
            // read exactly what the block must prove.
            if rules.fixed_order.is_none() {
                meta_tx.proof_order = proof_orders(world, shard, &readers, exec.outputs(), rules.variant)?;
                recorded.borrow_mut().foreign.clear();
                if let Err(e) = exec.dry_run(&ShardTransaction { ee_id: meta, data: meta_tx.encode() }) {
                    return unnettable(e);
                }
            }
            proofs = foreign_proofs(world, &recorded.borrow())?;
            meta_tx.multiproof = proofs.encode();
        }
        let meta_stx = ShardTransaction { ee_id: meta, data: meta_tx.encode() };
        if let Err(e) = exec.run(&meta_stx) {
            return unnettable(e);
        }
        let outcome = match exec.finish() {
            Ok(o) => o,
            Err(e) => return unnettable(e),
        };

        let recorded = recorded.borrow();
        let own = world.shard(shard)?.prove(&recorded.own)?;
        let (own_leaves, own_leaf_bytes, own_proof_bytes) =
            own.as_ref().map_or((0, 0, 0), |p| (p.leaves.len(), p.leaf_bytes(), p.proof.len()));
        let kinds = |f: fn(&StateKey) -> bool| recorded.own.iter().filter(|k| f(k)).count();
        let witness = if own.is_none() && user_foreign.is_empty() {
            Vec::new()
        } else {
            BlockWitness { own, foreign: user_foreign }.encode()
        };
        let stats = WitnessStats {
            own_bytes: witness.len(),
            own_leaves,
            own_leaf_bytes,
            own_proof_bytes,
            own_balance_keys: kinds(|k| matches!(k, StateKey::Balance { .. })),
            own_ee_root_keys: kinds(|k| matches!(k, StateKey::EeRoot(_))),
            foreign_bytes: meta_tx.multiproof.len(),
            foreign_shards: proofs.len(),
            foreign_cells: proofs.iter().map(|p| p.leaves.len()).sum(),
            proven_ees: foreign_readers(&recorded).len(),
            ..netting_stats(world, shard, &outcome, &recorded)?
        };
        let mut transactions = included;
        transactions.push(meta_stx);
        Ok(Attempt::Valid(Box::new(BlockResult {
            block: ShardBlock { shard, slot, transactions, witness },
            outcome,
            pre_root,
            post_root: pre_root,
            witness: stats,
            deferred,
            dropped: unpaid,
        })))
    }
}

/// One try at producing a block.
enum Attempt {
    /// A valid block.
    Valid(Box<BlockResult>),
    /// The meta-EE cannot net what the block carries (out of gas or memory, data too
    /// large, block gas exceeded): fewer user transactions are needed.
    Unnettable(BlockError),
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

/// The EE of a netting key the meta-EE reads from other shards (a cell or an arrival record).
fn netting_key_ee(key: &StateKey) -> Option<EeId> {
    match key {
        StateKey::Balance { ee, .. } | StateKey::Recent { ee, .. } => Some(*ee),
        _ => None,
    }
}

fn foreign_readers(recorded: &Recorded) -> BTreeSet<EeId> {
    recorded.foreign.values().flatten().filter_map(netting_key_ee).collect()
}

/// For each EE, the other shards worth reading, best first, by the variant's measure:
/// the cell in column `shard` (B, reserve) or the row's off-diagonal sum (A). Rows with
/// nothing to give are left out. Zero-capital gets [`arrivals_order`].
fn proof_orders(
    world: &World,
    shard: ShardId,
    ees: &BTreeSet<EeId>,
    outputs: &[ee_sdk::Output],
    variant: NettingVariant,
) -> Result<Vec<ProofOrder>, StateError> {
    let n = world.shard_count();
    let mut orders = Vec::with_capacity(ees.len());
    for &ee in ees {
        if variant == NettingVariant::ZeroCapital {
            orders.push(arrivals_order(world, shard, ee, outputs)?);
            continue;
        }
        let mut rows = Vec::new();
        for r in (0..n).map(ShardId).filter(|r| *r != shard) {
            let worth = if variant == NettingVariant::A {
                let mut off = 0i128;
                for c in (0..n).filter(|c| *c != r.0) {
                    off += i128::from(world.cell(r, ShardId(c), ee)?);
                }
                off
            } else {
                i128::from(world.cell(r, shard, ee)?)
            };
            if worth > 0 {
                rows.push((std::cmp::Reverse(worth), r));
            }
        }
        rows.sort();
        orders.push(ProofOrder { ee, shards: rows.into_iter().map(|(_, r)| r).collect() });
    }
    Ok(orders)
}

/// Zero-capital: if the known minimum plus last slot's arrivals cover what `ee` needs
/// beyond its diagonal (its deficit if every printed output were accepted), read arrivals,
/// largest first; otherwise skip them (an entry past the last shard ends the arrivals
/// pass) and read whole cells, largest first.
fn arrivals_order(
    world: &World,
    shard: ShardId,
    ee: EeId,
    outputs: &[ee_sdk::Output],
) -> Result<ProofOrder, StateError> {
    let slot = world.beacon.slot;
    let mut deficit = 0i128;
    for o in outputs {
        let Ok(out) = ee_sdk::NettingOutput::decode_all(&mut &o.data[..]) else { continue };
        if o.ee_id == ee {
            deficit += i128::from(out.amount);
        } else if out.target_ee == ee && out.target_shard == shard {
            deficit -= i128::from(out.amount);
        }
    }
    let own = world.shard(shard)?;
    let known = i128::from(crate::state::keys::value_u64(&own.get(&StateKey::KnownMin(ee))?));
    let need = deficit - i128::from(world.cell(shard, shard, ee)?);
    let (mut fresh, mut cells) = (Vec::new(), Vec::new());
    for r in (0..world.shard_count()).map(ShardId).filter(|r| *r != shard) {
        let (at, amount) =
            crate::state::keys::value_recent(&world.shard(r)?.get(&StateKey::Recent { column: shard, ee })?);
        if amount > 0 && slot.checked_sub(1) == Some(at) {
            fresh.push((std::cmp::Reverse(amount), r));
        }
        let cell = world.cell(r, shard, ee)?;
        if cell > 0 {
            cells.push((std::cmp::Reverse(cell), r));
        }
    }
    fresh.sort();
    cells.sort();
    let arrived: i128 = fresh.iter().map(|(a, _)| i128::from(a.0)).sum();
    let shards = if known + arrived >= need {
        fresh.into_iter().map(|(_, r)| r).collect()
    } else {
        std::iter::once(ShardId(u32::MAX)).chain(cells.into_iter().map(|(_, r)| r)).collect()
    };
    Ok(ProofOrder { ee, shards })
}

/// One merged multiproof per foreign shard of the recorded cells.
fn foreign_proofs(world: &World, recorded: &Recorded) -> Result<Vec<ShardProof>, StateError> {
    let mut proofs = Vec::new();
    for (shard, keys) in &recorded.foreign {
        if let Some(p) = world.shard(*shard)?.prove(keys)? {
            proofs.push(p);
        }
    }
    Ok(proofs)
}

/// Net-outgoing EEs of the block and what covered their deficits. Under version A only
/// cross-EE flows count (same-EE moves need no cover).
fn netting_stats(
    world: &World,
    shard: ShardId,
    outcome: &BlockOutcome,
    recorded: &Recorded,
) -> Result<WitnessStats, StateError> {
    let variant = world.beacon.netting.variant;
    let n = world.shard_count() as usize;
    let mut net: BTreeMap<EeId, i128> = BTreeMap::new();
    for r in outcome.receipts.iter().filter(|r| r.status == NettingStatus::Accepted) {
        let Some(o) = r.output else { continue };
        if variant == NettingVariant::A && o.target_ee == r.source_ee {
            continue;
        }
        *net.entry(r.source_ee).or_default() -= i128::from(o.amount);
        if o.target_shard == shard {
            *net.entry(o.target_ee).or_default() += i128::from(o.amount);
        }
    }
    let mut cells: BTreeMap<EeId, usize> = BTreeMap::new();
    for key in recorded.foreign.values().flatten() {
        if let StateKey::Balance { ee, .. } = key {
            *cells.entry(*ee).or_default() += 1;
        }
    }
    let full = if variant == NettingVariant::A { (n - 1) * n } else { n - 1 };
    let mut stats = WitnessStats::default();
    for (ee, flow) in net {
        if flow >= 0 {
            continue;
        }
        stats.net_outgoing_ees += 1;
        let deficit = -flow;
        let diag = i128::from(world.cell(shard, shard, ee)?);
        if variant != NettingVariant::A && diag >= deficit {
            continue;
        }
        stats.needing_cover += 1;
        let proven = recorded.foreign.values().flatten().any(|k| netting_key_ee(k) == Some(ee));
        if proven {
            stats.full_proofs += usize::from(cells.get(&ee).copied().unwrap_or(0) >= full);
        } else if variant == NettingVariant::Reserve
            && diag + i128::from(world.reserve(shard, ee)?) >= deficit
        {
            stats.reserve_saves += 1;
        } else if variant != NettingVariant::A {
            stats.known_min_saves += 1;
        }
    }
    Ok(stats)
}
