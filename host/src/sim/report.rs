//! The figures a simulation prints (DESIGN §7).
use super::SimConfig;
use crate::exec::BlockResult;
use ee_sdk::NettingStatus;
use serde::Serialize;
use std::time::Duration;

/// Proof sizes and how often proofs were needed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ProofFigures {
    /// Own-shard witness bytes, all blocks.
    pub own_bytes: u64,
    /// Own-shard proof leaves, all blocks.
    pub own_leaves: u64,
    /// Bytes of those leaves, encoded, all blocks.
    pub own_leaf_bytes: u64,
    /// Own-shard compiled-proof bytes (sibling hashes and bitmaps), all blocks.
    pub own_proof_bytes: u64,
    /// Own keys that are balance cells, all blocks.
    pub own_balance_keys: u64,
    /// Own keys that are EE state roots, all blocks.
    pub own_ee_root_keys: u64,
    /// Foreign multiproof bytes, all blocks.
    pub foreign_bytes: u64,
    /// Average witness bytes (own + foreign) per block.
    pub bytes_per_block: f64,
    /// Average foreign proof bytes per block.
    pub foreign_bytes_per_block: f64,
    /// Foreign proof bytes per net-outgoing EE (the seed-001 figure, ~20 kB estimated).
    pub foreign_bytes_per_net_outgoing_ee: f64,
    /// Foreign proof bytes per EE that actually needed a proof.
    pub foreign_bytes_per_proven_ee: f64,
    /// Foreign proof bytes per foreign shard proven.
    pub foreign_bytes_per_foreign_shard: f64,
    /// Net-outgoing EE-blocks (an EE counted once per block it was net-outgoing in).
    pub net_outgoing_ees: u64,
    /// EE-blocks that needed a foreign proof.
    pub proven_ees: u64,
    /// Foreign shard proofs (one per foreign shard per block).
    pub foreign_shard_proofs: u64,
    /// Foreign cells proven.
    pub foreign_cells: u64,
    /// Cells a full column proof would have needed for those EEs (`proven × (shards − 1)`).
    pub full_proof_cells: u64,
    /// Net-outgoing EE-blocks whose own cell fell short but the known minimum covered:
    /// full proofs avoided by the known-minimum rule.
    pub known_min_saves: u64,
    /// Net-outgoing EE-blocks whose own cell fell short but the reserve covered.
    pub reserve_saves: u64,
    /// Net-outgoing EE-blocks whose own cell alone fell short (version A: every net
    /// cross-EE outflow): what seed 001 proves in full.
    pub needing_cover: u64,
    /// EE-blocks proven with a full proof (every cell the variant could read).
    pub full_proofs: u64,
    /// `needing_cover − full_proofs`: full proofs avoided (by the known minimum, the
    /// reserve, arrivals or partial proofs).
    pub full_proofs_avoided: u64,
    /// Blocks that carried any foreign proof.
    pub blocks_with_foreign_proofs: u64,
}

/// Gas figures.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GasFigures {
    /// All gas.
    pub total: u64,
    /// Average per block.
    pub per_block: f64,
    /// Largest block.
    pub max_block: u64,
    /// Average of the meta-EE's transaction per block.
    pub meta_per_block: f64,
}

/// Wall-clock figures.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TimeFigures {
    /// Whole run, seconds.
    pub seconds: f64,
    /// Blocks per second (both executors).
    pub blocks_per_second: f64,
    /// Stateful production, ms per block.
    pub stateful_ms_per_block: f64,
    /// Stateless validation, ms per block.
    pub stateless_ms_per_block: f64,
}

impl TimeFigures {
    pub(super) fn new(total: Duration, stateful: Duration, stateless: Duration, blocks: u64) -> Self {
        let b = blocks.max(1) as f64;
        TimeFigures {
            seconds: total.as_secs_f64(),
            blocks_per_second: blocks as f64 / total.as_secs_f64().max(1e-9),
            stateful_ms_per_block: stateful.as_secs_f64() * 1e3 / b,
            stateless_ms_per_block: stateless.as_secs_f64() * 1e3 / b,
        }
    }
}

/// One slot's figures (a row of `ee sim --series`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct SlotFigures {
    /// The slot.
    pub slot: u32,
    /// User transactions.
    pub transactions: u64,
    /// Netting outputs accepted.
    pub accepted_outputs: u64,
    /// Netting outputs rejected.
    pub rejected_outputs: u64,
    /// Own-shard witness bytes, all blocks of the slot.
    pub own_bytes: u64,
    /// Foreign multiproof bytes, all blocks of the slot.
    pub foreign_bytes: u64,
    /// Net-outgoing EE-blocks.
    pub net_outgoing_ees: u64,
    /// EE-blocks that needed a foreign proof.
    pub proven_ees: u64,
    /// Net-outgoing EE-blocks the known minimum covered without a proof.
    pub known_min_saves: u64,
    /// Net-outgoing EE-blocks the reserve covered without a proof.
    pub reserve_saves: u64,
    /// All gas of the slot.
    pub gas: u64,
    /// The meta-EE's gas of the slot.
    pub meta_gas: u64,
    /// Sum of every on-diagonal cell (`M_e[s][s]`) after the slot, plus the reserves, Gwei.
    pub diagonal: i128,
    /// Sum of every off-diagonal cell after the slot, Gwei (seed 001: these only grow,
    /// the diagonal falls by as much).
    pub off_diagonal: i128,
}

impl SlotFigures {
    /// The CSV header of [`SlotFigures::csv_row`].
    pub const CSV_HEADER: &'static str = "slot,transactions,accepted_outputs,rejected_outputs,own_bytes,foreign_bytes,net_outgoing_ees,proven_ees,known_min_saves,reserve_saves,gas,meta_gas,diagonal,off_diagonal";

    /// The slot as a CSV row.
    pub fn csv_row(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            self.slot,
            self.transactions,
            self.accepted_outputs,
            self.rejected_outputs,
            self.own_bytes,
            self.foreign_bytes,
            self.net_outgoing_ees,
            self.proven_ees,
            self.known_min_saves,
            self.reserve_saves,
            self.gas,
            self.meta_gas,
            self.diagonal,
            self.off_diagonal
        )
    }

    /// Share of net-outgoing EE-blocks the known minimum covered (0 with none).
    pub fn known_min_hit_rate(&self) -> f64 {
        self.rate(self.known_min_saves)
    }

    /// Share of net-outgoing EE-blocks the reserve covered (0 with none).
    pub fn reserve_hit_rate(&self) -> f64 {
        self.rate(self.reserve_saves)
    }

    fn rate(&self, hits: u64) -> f64 {
        if self.net_outgoing_ees == 0 { 0.0 } else { hits as f64 / self.net_outgoing_ees as f64 }
    }

    fn add_block(&mut self, r: &BlockResult) {
        let users = r.outcome.txs.len().saturating_sub(1);
        self.transactions += users as u64;
        for rc in &r.outcome.receipts {
            match rc.status {
                NettingStatus::Accepted => {
                    self.accepted_outputs += 1;
                    if let Some(o) = rc.output {
                        // M_source[s][s] -= amount; M_target[s][target] += amount.
                        let amount = i128::from(o.amount);
                        self.diagonal -= amount;
                        if o.target_shard == r.block.shard {
                            self.diagonal += amount;
                        } else {
                            self.off_diagonal += amount;
                        }
                    }
                }
                NettingStatus::Rejected(_) => self.rejected_outputs += 1,
            }
        }
        self.gas += r.outcome.txs.iter().map(|t| t.gas_used).sum::<u64>();
        self.meta_gas += r.outcome.txs.last().map_or(0, |t| t.gas_used);
        let w = &r.witness;
        self.own_bytes += w.own_bytes as u64;
        self.foreign_bytes += w.foreign_bytes as u64;
        self.net_outgoing_ees += w.net_outgoing_ees as u64;
        self.proven_ees += w.proven_ees as u64;
        self.known_min_saves += w.known_min_saves as u64;
        self.reserve_saves += w.reserve_saves as u64;
    }
}

/// Everything `ee sim` prints.
#[derive(Clone, Debug, Serialize)]
pub struct SimReport {
    /// The configuration.
    pub config: SimConfig,
    /// Blocks produced (and validated).
    pub blocks: u64,
    /// User transactions.
    pub transactions: u64,
    /// Failed user transactions.
    pub failed_transactions: u64,
    /// Netting outputs accepted.
    pub accepted_outputs: u64,
    /// Netting outputs rejected.
    pub rejected_outputs: u64,
    /// Blocks whose stateless post-root differed from the stateful one (or that the
    /// stateless executor refused). Must be 0.
    pub root_mismatches: u64,
    /// Blocks whose stateless gas or netting decisions differed. Must be 0.
    pub outcome_mismatches: u64,
    /// Whether the sum over all matrices is unchanged.
    pub supply_conserved: bool,
    /// Whether the workload's ledger equals `Σ_r M_e[r][s]` for every (shard, EE).
    pub ledger_matches_state: bool,
    /// (shard, EE) pairs with a negative real balance (version A: EEs with a negative
    /// total, the only balance A keeps non-negative). Must be 0.
    pub negative_real_balances: usize,
    /// The extra users' counters ([`super::Users::figures`]), e.g. VHEE operations by kind.
    pub users: std::collections::BTreeMap<String, u64>,
    /// Value held in reserves at genesis (the `reserve` variant), Gwei: capital the EEs
    /// could not otherwise use.
    pub capital_locked: u128,
    /// Every shard's state root after the last slot (hex): equal for any thread count.
    pub final_roots: Vec<String>,
    /// Proof figures.
    pub proofs: ProofFigures,
    /// Gas figures.
    pub gas: GasFigures,
    /// Time figures.
    pub time: TimeFigures,
    /// One row per slot (`ee sim --series`, `--plot`); not in the JSON report.
    #[serde(skip)]
    pub series: Vec<SlotFigures>,
}

impl SimReport {
    pub(super) fn new(config: SimConfig) -> Self {
        SimReport {
            config,
            blocks: 0,
            transactions: 0,
            failed_transactions: 0,
            accepted_outputs: 0,
            rejected_outputs: 0,
            final_roots: Vec::new(),
            root_mismatches: 0,
            outcome_mismatches: 0,
            supply_conserved: false,
            ledger_matches_state: false,
            negative_real_balances: 0,
            capital_locked: 0,
            users: Default::default(),
            proofs: ProofFigures::default(),
            gas: GasFigures::default(),
            time: TimeFigures::default(),
            series: Vec::new(),
        }
    }

    /// Starts slot `slot`'s row (its diagonal sums carried over from the last).
    pub(super) fn start_slot(&mut self, slot: u32, genesis_diagonal: i128) {
        let (diagonal, off_diagonal) =
            self.series.last().map_or((genesis_diagonal, 0), |l| (l.diagonal, l.off_diagonal));
        self.series.push(SlotFigures { slot, diagonal, off_diagonal, ..SlotFigures::default() });
    }

    pub(super) fn add_block(&mut self, r: &BlockResult) {
        if let Some(row) = self.series.last_mut() {
            row.add_block(r);
        }
        self.blocks += 1;
        let users = &r.outcome.txs[..r.outcome.txs.len().saturating_sub(1)];
        self.transactions += users.len() as u64;
        self.failed_transactions += users.iter().filter(|t| !t.ok()).count() as u64;
        for rc in &r.outcome.receipts {
            match rc.status {
                NettingStatus::Accepted => self.accepted_outputs += 1,
                NettingStatus::Rejected(_) => self.rejected_outputs += 1,
            }
        }
        let gas: u64 = r.outcome.txs.iter().map(|t| t.gas_used).sum();
        self.gas.total += gas;
        self.gas.max_block = self.gas.max_block.max(gas);
        self.gas.meta_per_block += r.outcome.txs.last().map_or(0, |t| t.gas_used) as f64;
        let w = &r.witness;
        let p = &mut self.proofs;
        p.own_bytes += w.own_bytes as u64;
        p.own_leaves += w.own_leaves as u64;
        p.own_leaf_bytes += w.own_leaf_bytes as u64;
        p.own_proof_bytes += w.own_proof_bytes as u64;
        p.own_balance_keys += w.own_balance_keys as u64;
        p.own_ee_root_keys += w.own_ee_root_keys as u64;
        p.foreign_bytes += w.foreign_bytes as u64;
        p.net_outgoing_ees += w.net_outgoing_ees as u64;
        p.proven_ees += w.proven_ees as u64;
        p.foreign_cells += w.foreign_cells as u64;
        let shards = u64::from(self.config.shards);
        let full_cells = if self.config.netting.variant == ee_sdk::NettingVariant::A {
            (shards - 1) * shards
        } else {
            shards - 1
        };
        p.full_proof_cells += w.proven_ees as u64 * full_cells;
        p.known_min_saves += w.known_min_saves as u64;
        p.reserve_saves += w.reserve_saves as u64;
        p.needing_cover += w.needing_cover as u64;
        p.full_proofs += w.full_proofs as u64;
        p.blocks_with_foreign_proofs += u64::from(w.foreign_bytes > 0);
        p.foreign_shard_proofs += w.foreign_shards as u64;
    }

    /// Whether every invariant held: no root or outcome mismatch, supply conserved, the
    /// ledger equal to the state, no negative real balance.
    pub fn holds(&self) -> bool {
        self.root_mismatches == 0
            && self.outcome_mismatches == 0
            && self.supply_conserved
            && self.ledger_matches_state
            && self.negative_real_balances == 0
    }

    pub(super) fn finish(&mut self) {
        let per = |x: u64, n: u64| if n == 0 { 0.0 } else { x as f64 / n as f64 };
        let blocks = self.blocks;
        self.gas.per_block = per(self.gas.total, blocks);
        self.gas.meta_per_block /= blocks.max(1) as f64;
        let p = &mut self.proofs;
        p.bytes_per_block = per(p.own_bytes + p.foreign_bytes, blocks);
        p.foreign_bytes_per_block = per(p.foreign_bytes, blocks);
        p.foreign_bytes_per_net_outgoing_ee = per(p.foreign_bytes, p.net_outgoing_ees);
        p.foreign_bytes_per_proven_ee = per(p.foreign_bytes, p.proven_ees);
        p.foreign_bytes_per_foreign_shard = per(p.foreign_bytes, p.foreign_shard_proofs);
        p.full_proofs_avoided = p.needing_cover.saturating_sub(p.full_proofs);
    }
}
