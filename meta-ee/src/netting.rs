//! The netting algorithm, independent of the host.
//!
//! # Rules
//!
//! For the block's shard `s`, every listed EE's outputs are decoded and validated
//! ([`RejectReason`] for the ones that are not netting outputs). The valid ones are
//! *candidates*. For each EE `e`:
//!
//! * `out_e` = sum of `e`'s live candidates (everything `e` sends lowers `M_e[s][s]`);
//! * `in_e`  = sum of other EEs' live candidates to `(s, e)` (they raise `M_e[s][s]`);
//! * the deficit `out_e − in_e` must be covered by a lower bound of `real_balance(s, e)`:
//!   `M_e[s][s] + max(known_min_e, Σ read foreign cells)`.
//!
//! Only EEs with a positive deficit read anything beyond their outputs ("net first", seed
//! 001 "Overhead"). Foreign cells `shard[r].balances[s][e]` are read one at a time in the
//! block producer's [`ProofOrder`] (or ascending shard order) until the deficit is covered
//! — a *partial column proof* is sound because off-diagonal cells never decrease, so any
//! subset sums to a lower bound. A sum that beats the recorded known minimum is recorded
//! (DESIGN §2 "known minimum"), so later blocks spend against it without new proofs.
//!
//! If an EE cannot cover its deficit, its **latest** candidates are rejected
//! ([`RejectReason::InsufficientBalance`]) until it can. Rejecting lowers other EEs'
//! incoming flows, so the pass repeats until nothing changes; it terminates because
//! candidates are only ever removed. Then the net change of every touched cell of this
//! shard's row is checked to stay within `i64` (the latest contributor to an overflowing
//! cell is rejected with [`RejectReason::Overflow`], and the coverage pass runs again).
//!
//! Finally each touched cell gets **one** `add` with its net delta, so no intermediate
//! value can overflow and the whole block's netting is applied atomically: a rejected
//! output is never half-applied. Accepted outputs with a non-zero `data_root` are recorded
//! per `(target shard, target EE, root)`, so the target can cap receipt claims at what was
//! netted (seed 000's 3-vs-4 example).
//!
//! # Variants ([`NettingRules`], ARCHITECTURE.md "Netting variants")
//!
//! The rules above are version **B**. The chain's [`NettingVariant`] changes what counts
//! towards the deficit and what covers it:
//!
//! * **A**: same-EE cross-shard outputs count for nothing and are never refused for
//!   balance; a net *cross-EE* outflow must be covered by the EE's total value: its own
//!   diagonal plus every other shard's diagonal `M_e[r][r]` (all read: a diagonal may be
//!   negative) plus off-diagonal cells (read lazily, own row first, then foreign rows in
//!   the read order). No known minimum: a total can fall on another shard in the same slot.
//! * **zero-capital**: every cell a block raises also records what it received in this
//!   slot (`recent_add`). A deficit is first covered by *last-slot arrivals*
//!   (`recent_get`) of other shards in the read order (until one reads zero), added to
//!   the known minimum, then by whole cells (a producer's order may split the two: rows
//!   before an entry past the last shard are read for arrivals, rows after it for cells):
//!   the lower bound is `max(known + Σ arrivals read, Σ cells read)`, recorded as the new
//!   known minimum. Sound because the known minimum never counts arrivals after the slot
//!   before last, and each slot's arrivals are readable only in the next slot.
//! * **reserve**: the EE's reserve on `s` joins the lower bound (`diag + reserve +
//!   max(known, read)`); a net outflow drains the reserve before the diagonal, a net
//!   inflow refills it up to `reserve_target` before the diagonal.
//!
//! With `fixed_order: Some(seed)` (adiasg's rule) the read order of foreign rows is
//! [`fixed_order`]`(seed, slot, shard, ee)`; a transaction naming its own order is refused
//! ([`NettingError::OrderNotAllowed`]), and the caller refuses a multiproof with cells the
//! netting did not read ([`Netted::foreign_reads`]).
//!
//! # Guarantees (tested by the host's property tests)
//!
//! * the sum of every cell of every matrix, plus the reserves, is unchanged;
//! * B, zero-capital, reserve: for every EE, `real_balance(s, e)` (column plus reserve)
//!   after the block is `real_balance(s, e) + in_e − out_e ≥ 0`;
//! * A: the EE's total over all cells stays ≥ its value at the slot's start minus this
//!   block's net cross-EE outflow ≥ 0 (blocks of other shards in the same slot are not
//!   seen: A is only safe if one shard spends an EE's total at a time).
use crate::map::VecMap;
use alloc::vec::Vec;
use ee_sdk::{
    EeId, MAX_STATUSES_PER_REPORT, NettingOutput, NettingReport, NettingRules, NettingStatus, NettingVariant,
    ProofOrder, RejectReason, Root, ShardId,
};

/// What the netting needs from the world. [`HostLedger`](crate::HostLedger) implements it
/// over the host ABI; tests may implement it directly.
pub trait Ledger {
    /// The block's shard `s`.
    fn shard(&self) -> ShardId;
    /// Number of shards.
    fn shard_count(&self) -> u32;
    /// Whether `ee` is registered.
    fn ee_exists(&mut self, ee: EeId) -> bool;
    /// Cell `shard[row].balances[column][ee]`.
    fn cell(&mut self, row: ShardId, column: ShardId, ee: EeId) -> i64;
    /// Adds `delta` to `shard[s].balances[column][ee]`.
    fn add(&mut self, column: ShardId, ee: EeId, delta: i64);
    /// The recorded known minimum of `ee`'s foreign balance on `s`.
    fn known_min(&mut self, ee: EeId) -> u64;
    /// Records a new known minimum.
    fn set_known_min(&mut self, ee: EeId, value: u64);
    /// Adds `amount` to what was netted towards `(target_shard, target_ee)` for `root`.
    fn record_netted(&mut self, target_shard: ShardId, target_ee: EeId, root: &Root, amount: u64);
    /// Counts one accepted output of `source` towards `(target_shard, target_ee)` with
    /// `root` (a source-authenticated record: messages).
    fn record_message(&mut self, target_shard: ShardId, target_ee: EeId, source: EeId, root: &Root);
    /// The block's slot.
    fn slot(&self) -> u64;
    /// `ee`'s reserve on `s` (the reserve variant).
    fn reserve(&mut self, ee: EeId) -> u64;
    /// Sets `ee`'s reserve on `s`.
    fn set_reserve(&mut self, ee: EeId, value: u64);
    /// What `shard[row].balances[column][ee]` received in the previous slot (zero-capital).
    fn recent(&mut self, row: ShardId, column: ShardId, ee: EeId) -> u64;
    /// Records that `shard[s].balances[column][ee]` received `amount` in this slot.
    fn add_recent(&mut self, column: ShardId, ee: EeId, amount: u64);
}

/// Why a meta transaction cannot be netted at all (its block is invalid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NettingError {
    /// The chain fixes the read order (adiasg's rule) but the transaction names one.
    OrderNotAllowed,
}

impl NettingError {
    /// The abort message.
    pub fn message(self) -> &'static str {
        match self {
            NettingError::OrderNotAllowed => "the chain fixes the read order: a proof order is not allowed",
        }
    }
}

/// What [`net`] did.
#[derive(Debug)]
pub struct Netted {
    /// Every output's status, as reports of at most [`MAX_STATUSES_PER_REPORT`] statuses.
    pub reports: Vec<NettingReport>,
    /// Distinct foreign keys read (cells and arrival records). Under a fixed order a
    /// multiproof must prove exactly these.
    pub foreign_reads: usize,
}

/// adiasg's read order: the other shards than `shard`, permuted by a Fisher–Yates shuffle
/// driven by splitmix64 from `seed ⊕ slot·K1 ⊕ shard·K2 ⊕ ee·K3` (constants in the
/// source). Every validator derives the same order; nobody chooses it.
pub fn fixed_order(seed: u64, slot: u64, shard: ShardId, shard_count: u32, ee: EeId) -> Vec<ShardId> {
    let mut state = seed
        ^ slot.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ u64::from(shard.0).wrapping_mul(0xBF58_476D_1CE4_E5B9)
        ^ u64::from(ee.0).wrapping_mul(0x94D0_49BB_1331_11EB);
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut order: Vec<ShardId> = (0..shard_count).filter(|&r| r != shard.0).map(ShardId).collect();
    for i in (1..order.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// A cell of this shard's row, `(column, ee)` packed into one integer: ordered as the
/// pair, compared in one instruction (the binary searches over the cell deltas were 17 %
/// of the meta-EE's gas with tuple comparisons).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Cell(u64);

impl Cell {
    fn new(column: ShardId, ee: EeId) -> Self {
        Cell(u64::from(column.0) << 32 | u64::from(ee.0))
    }
    fn column(self) -> ShardId {
        ShardId((self.0 >> 32) as u32)
    }
    fn ee(self) -> EeId {
        EeId(self.0 as u32)
    }
}

/// A valid netting output still in play.
struct Candidate {
    ee: EeId,
    out: NettingOutput,
    /// Position in `Netting::statuses`.
    status: usize,
    live: bool,
}

/// Lower bound of one EE's real balance on `s` (version A: of its total), extended lazily.
struct BalanceView {
    /// What is known without foreign reads: the diagonal (plus the reserve; in A, plus
    /// every foreign diagonal).
    base: i128,
    known: u64,
    /// Σ of last-slot arrivals read (zero-capital).
    fresh_sum: i128,
    /// Σ of whole cells read (A: off-diagonal cells of any row).
    read_sum: i128,
    /// Foreign rows in reading order.
    order: Vec<ShardId>,
    /// Next position in `order` for whole cells (A: `order.len()` means the own row).
    next: usize,
    /// Rows whose last-slot arrivals are read (zero-capital), in order.
    fresh_order: Vec<ShardId>,
    /// Next position in `fresh_order`.
    next_fresh: usize,
    /// A: the next column of the row being read.
    column: u32,
    read: VecMap<u32, ()>,
}

impl BalanceView {
    fn available(&self, variant: NettingVariant) -> i128 {
        let known = i128::from(self.known);
        self.base
            + match variant {
                NettingVariant::A => self.read_sum,
                NettingVariant::ZeroCapital => core::cmp::max(known + self.fresh_sum, self.read_sum),
                NettingVariant::B | NettingVariant::Reserve => core::cmp::max(known, self.read_sum),
            }
    }
}

/// Per-EE flows of the block.
#[derive(Default)]
struct Tally {
    out: i128,
    inc: i128,
    /// Indices of this EE's candidates that count towards its deficit, in print order.
    cands: Vec<usize>,
    /// `cands[..live_end]` may hold live candidates; everything after is rejected. It
    /// only moves down, so finding the latest live candidate is amortised O(1) and the
    /// whole netting stays linear in the outputs, rejected ones included.
    live_end: usize,
    view: Option<BalanceView>,
}

struct Netting<'a, L: Ledger> {
    ledger: &'a mut L,
    rules: NettingRules,
    shard: ShardId,
    shard_count: u32,
    /// Distinct foreign keys read.
    foreign_reads: usize,
    /// The producer's read order per EE (the first entry for an EE counts).
    order: VecMap<EeId, &'a [ShardId]>,
    /// One status per output read, in reading order; `runs` says whose they are.
    statuses: Vec<NettingStatus>,
    runs: Vec<(EeId, usize)>,
    cands: Vec<Candidate>,
    tally: VecMap<EeId, Tally>,
    /// EE processing order (first appearance).
    ees: Vec<EeId>,
    /// Cached cells of this shard's row, keyed by (column, ee).
    own: VecMap<(ShardId, EeId), i64>,
}

/// Nets `batches` (each EE's outputs, in the meta transaction's order) on the ledger's
/// shard by `rules` and returns the status of every output read.
pub fn net<L: Ledger>(
    ledger: &mut L,
    batches: &[(EeId, Vec<&[u8]>)],
    order: &[ProofOrder],
    rules: NettingRules,
) -> Result<Netted, NettingError> {
    if rules.fixed_order.is_some() && !order.is_empty() {
        return Err(NettingError::OrderNotAllowed);
    }
    let shard = ledger.shard();
    let shard_count = ledger.shard_count();
    let mut n = Netting {
        ledger,
        rules,
        shard,
        shard_count,
        foreign_reads: 0,
        order: order_index(order),
        statuses: Vec::new(),
        runs: Vec::new(),
        cands: Vec::new(),
        tally: VecMap::new(),
        ees: Vec::new(),
        own: VecMap::new(),
    };
    n.collect(batches);
    let deltas = loop {
        if n.coverage_pass() {
            continue;
        }
        if let Some(deltas) = n.overflow_pass() {
            break deltas;
        }
    };
    n.record_known_minimums();
    n.apply(deltas);
    let foreign_reads = n.foreign_reads;
    Ok(Netted { reports: n.reports(), foreign_reads })
}

impl<L: Ledger> Netting<'_, L> {
    fn collect(&mut self, batches: &[(EeId, Vec<&[u8]>)]) {
        let mut exists: VecMap<EeId, bool> = VecMap::new();
        // Sized once: growing them copied every status and candidate again (the bump
        // allocator cannot grow in place).
        let total: usize = batches.iter().map(|(_, o)| o.len()).sum();
        self.statuses.reserve_exact(total);
        self.cands.reserve_exact(total);
        for (ee, outputs) in batches {
            if self.tally.get_or_insert_with(*ee, Tally::default).1 {
                self.ees.push(*ee);
            }
            self.runs.push((*ee, outputs.len()));
            // This EE's own flows, added to its tally once per batch (not searched for
            // per output).
            let (mut out_sum, mut counted) = (0i128, Vec::new());
            for raw in outputs {
                let decoded = decode_exact(raw);
                let status = match decoded {
                    None => Err(RejectReason::Malformed),
                    Some(out) => self.validate(*ee, &out, &mut exists),
                };
                let position = self.statuses.len();
                self.statuses.push(match status {
                    Ok(()) => NettingStatus::Accepted,
                    Err(r) => NettingStatus::Rejected(r),
                });
                let (Some(out), Ok(())) = (decoded, status) else { continue };
                let id = self.cands.len();
                self.cands.push(Candidate { ee: *ee, out, status: position, live: true });
                let amount = i128::from(out.amount);
                if self.counts(*ee, &out) {
                    out_sum += amount;
                    counted.push(id);
                }
                if out.target_shard == self.shard && out.target_ee != *ee {
                    let (target, new) = self.tally.get_or_insert_with(out.target_ee, Tally::default);
                    target.inc += amount;
                    if new {
                        self.ees.push(out.target_ee);
                    }
                }
            }
            let tally = self.tally.get_mut(ee).expect("inserted above");
            tally.out += out_sum;
            tally.cands.extend(counted);
            tally.live_end = tally.cands.len();
        }
    }

    fn validate(
        &mut self,
        ee: EeId,
        out: &NettingOutput,
        exists: &mut VecMap<EeId, bool>,
    ) -> Result<(), RejectReason> {
        // A zero amount is a message: it moves no ETH and must carry a data root.
        if out.amount == 0 && is_zero(&out.data_root) {
            return Err(RejectReason::ZeroAmount);
        }
        if out.amount > i64::MAX as u64 {
            return Err(RejectReason::Overflow);
        }
        if out.target_shard.0 >= self.shard_count {
            return Err(RejectReason::UnknownShard);
        }
        if out.target_shard == self.shard && out.target_ee == ee {
            return Err(RejectReason::SelfTransfer);
        }
        let known = match exists.get(&out.target_ee) {
            Some(&k) => k,
            None => {
                let k = out.target_ee == ee || self.ledger.ee_exists(out.target_ee);
                exists.get_or_insert_with(out.target_ee, || k);
                k
            }
        };
        if !known {
            return Err(RejectReason::UnknownEe);
        }
        Ok(())
    }

    /// Whether `ee`'s output counts towards its deficit: always, except a same-EE move
    /// under version A.
    fn counts(&self, ee: EeId, out: &NettingOutput) -> bool {
        self.rules.variant != NettingVariant::A || out.target_ee != ee
    }

    fn own_cell(&mut self, column: ShardId, ee: EeId) -> i64 {
        if let Some(v) = self.own.get(&(column, ee)) {
            return *v;
        }
        let v = self.ledger.cell(self.shard, column, ee);
        self.own.get_or_insert_with((column, ee), || v);
        v
    }

    /// The foreign rows `ee`'s view reads, in order.
    fn read_order(&self, ee: EeId) -> Vec<ShardId> {
        if let Some(seed) = self.rules.fixed_order {
            return fixed_order(seed, self.ledger.slot(), self.shard, self.shard_count, ee);
        }
        match self.order.get(&ee) {
            Some(shards) => shards.to_vec(),
            None => (1..self.shard_count).map(|k| ShardId((self.shard.0 + k) % self.shard_count)).collect(),
        }
    }

    fn foreign_cell(&mut self, row: ShardId, column: ShardId, ee: EeId) -> i128 {
        self.foreign_reads += 1;
        i128::from(self.ledger.cell(row, column, ee))
    }

    /// The view of `ee` before any lazy read.
    fn view(&mut self, ee: EeId) -> BalanceView {
        let variant = self.rules.variant;
        let mut order = self.read_order(ee);
        let mut fresh_order = Vec::new();
        if variant == NettingVariant::ZeroCapital {
            // A producer's order may split the two passes at an entry past the last shard:
            // rows before it are read for arrivals, rows after it for whole cells.
            match order.iter().position(|r| r.0 >= self.shard_count) {
                Some(split) => {
                    let cells = order.split_off(split + 1);
                    order.truncate(split);
                    fresh_order = core::mem::replace(&mut order, cells);
                }
                None => fresh_order = order.clone(),
            }
        }
        let mut base = i128::from(self.own_cell(self.shard, ee));
        let mut known = 0;
        match variant {
            NettingVariant::A => {
                // Every diagonal may be negative: a lower bound of the total needs them all.
                for r in 0..self.shard_count {
                    if r != self.shard.0 {
                        base += self.foreign_cell(ShardId(r), ShardId(r), ee);
                    }
                }
            }
            NettingVariant::Reserve => {
                base += i128::from(self.ledger.reserve(ee));
                known = self.ledger.known_min(ee);
            }
            NettingVariant::B | NettingVariant::ZeroCapital => known = self.ledger.known_min(ee),
        }
        BalanceView {
            base,
            known,
            fresh_sum: 0,
            read_sum: 0,
            order,
            next: 0,
            fresh_order,
            next_fresh: 0,
            column: 0,
            read: VecMap::new(),
        }
    }

    /// Extends `ee`'s balance view until it covers `need` or runs out of cells to read;
    /// returns the available lower bound.
    fn ensure(&mut self, ee: EeId, need: i128) -> i128 {
        let mut view = match self.tally.get_mut(&ee).expect("tallied").view.take() {
            Some(v) => v,
            None => self.view(ee),
        };
        let variant = self.rules.variant;
        let (shard, count) = (self.shard, self.shard_count);
        if variant == NettingVariant::ZeroCapital {
            while view.available(variant) < need && view.next_fresh < view.fresh_order.len() {
                let row = view.fresh_order[view.next_fresh];
                view.next_fresh += 1;
                if row == shard || row.0 >= count {
                    continue;
                }
                self.foreign_reads += 1;
                let arrived = self.ledger.recent(row, shard, ee);
                view.fresh_sum += i128::from(arrived);
                if arrived == 0 {
                    // A producer lists the rows with arrivals first: the first empty
                    // record ends them.
                    view.next_fresh = view.fresh_order.len();
                }
            }
        }
        if variant == NettingVariant::A {
            // Off-diagonal cells only grow, so any subset is a lower bound: the own row
            // first (no proof), then the foreign rows in order.
            while view.available(variant) < need && view.next <= view.order.len() {
                let row = if view.next == 0 { shard } else { view.order[view.next - 1] };
                if view.column >= count || (row != shard && (row.0 >= count || view.read.contains(&row.0))) {
                    if row != shard {
                        view.read.insert_key(row.0);
                    }
                    view.next += 1;
                    view.column = 0;
                    continue;
                }
                let column = ShardId(view.column);
                view.column += 1;
                if column == row {
                    continue;
                }
                view.read_sum += if row == shard {
                    i128::from(self.own_cell(column, ee))
                } else {
                    self.foreign_cell(row, column, ee)
                };
            }
        } else {
            while view.available(variant) < need && view.next < view.order.len() {
                let row = view.order[view.next];
                view.next += 1;
                if row == shard || row.0 >= count || !view.read.insert_key(row.0) {
                    continue;
                }
                view.read_sum += self.foreign_cell(row, shard, ee);
            }
        }
        let available = view.available(variant);
        self.tally.get_mut(&ee).expect("tallied").view = Some(view);
        available
    }

    /// One pass of balance coverage; true if anything was rejected.
    fn coverage_pass(&mut self) -> bool {
        let mut changed = false;
        for i in 0..self.ees.len() {
            let ee = self.ees[i];
            loop {
                let t = self.tally.get(&ee).expect("tallied");
                let deficit = t.out - t.inc;
                if deficit <= 0 {
                    break;
                }
                if self.ensure(ee, deficit) >= deficit {
                    break;
                }
                let Some(latest) = self.latest_live(ee) else { break };
                self.reject(latest, RejectReason::InsufficientBalance);
                changed = true;
            }
        }
        changed
    }

    fn latest_live(&mut self, ee: EeId) -> Option<usize> {
        let cands = &self.cands;
        let tally = self.tally.get_mut(&ee).expect("tallied");
        while tally.live_end > 0 && !cands[tally.cands[tally.live_end - 1]].live {
            tally.live_end -= 1;
        }
        tally.live_end.checked_sub(1).map(|i| tally.cands[i])
    }

    fn reject(&mut self, id: usize, reason: RejectReason) {
        let cand = &mut self.cands[id];
        cand.live = false;
        let (ee, out) = (cand.ee, cand.out);
        self.statuses[cand.status] = NettingStatus::Rejected(reason);
        let amount = i128::from(out.amount);
        if self.counts(ee, &out) {
            self.tally.get_mut(&ee).expect("tallied").out -= amount;
        }
        if out.target_shard == self.shard && out.target_ee != ee {
            self.tally.get_mut(&out.target_ee).expect("tallied").inc -= amount;
        }
    }

    /// Net delta per touched cell of this shard's row.
    fn deltas(&self) -> VecMap<Cell, i128> {
        let mut d = Vec::with_capacity(self.cands.len() + self.ees.len());
        // Candidates come grouped by source EE: each group's debits are one entry.
        let mut debit: Option<(EeId, i128)> = None;
        for c in self.cands.iter().filter(|c| c.live) {
            let x = i128::from(c.out.amount);
            match &mut debit {
                Some((ee, sum)) if *ee == c.ee => *sum -= x,
                _ => {
                    if let Some((ee, sum)) = debit.replace((c.ee, -x)) {
                        d.push((Cell::new(self.shard, ee), sum));
                    }
                }
            }
            d.push((Cell::new(c.out.target_shard, c.out.target_ee), x));
        }
        if let Some((ee, sum)) = debit {
            d.push((Cell::new(self.shard, ee), sum));
        }
        VecMap::summed(d)
    }

    /// Rejects the latest contributor to one overflowing cell and returns `None`, or
    /// returns the net deltas when no cell overflows.
    fn overflow_pass(&mut self) -> Option<VecMap<Cell, i128>> {
        let deltas = self.deltas();
        for (&cell, &delta) in deltas.iter() {
            let (column, ee) = (cell.column(), cell.ee());
            if delta == 0 {
                continue;
            }
            let current = i128::from(self.own_cell(column, ee));
            let after = current + delta;
            if after >= i128::from(i64::MIN) && after <= i128::from(i64::MAX) {
                continue;
            }
            let raising = after > i128::from(i64::MAX);
            let culprit = self.cands.iter().enumerate().rev().find(|(_, c)| {
                c.live
                    && if raising {
                        (c.out.target_shard, c.out.target_ee) == (column, ee)
                    } else {
                        (self.shard, c.ee) == (column, ee)
                    }
            });
            if let Some((id, _)) = culprit {
                self.reject(id, RejectReason::Overflow);
                return None;
            }
        }
        Some(deltas)
    }

    fn record_known_minimums(&mut self) {
        let variant = self.rules.variant;
        if variant == NettingVariant::A {
            return;
        }
        let mut updates = Vec::new();
        for (ee, t) in self.tally.iter() {
            if let Some(v) = &t.view {
                let foreign = match variant {
                    NettingVariant::ZeroCapital => {
                        core::cmp::max(i128::from(v.known) + v.fresh_sum, v.read_sum)
                    }
                    _ => v.read_sum,
                };
                let proven = u64::try_from(foreign.max(0)).unwrap_or(u64::MAX);
                if proven > v.known {
                    updates.push((*ee, proven));
                }
            }
        }
        for (ee, value) in updates {
            self.ledger.set_known_min(ee, value);
        }
    }

    fn apply(&mut self, mut deltas: VecMap<Cell, i128>) {
        match self.rules.variant {
            NettingVariant::Reserve => self.move_reserves(&mut deltas),
            NettingVariant::ZeroCapital => {
                for (&cell, &delta) in deltas.iter() {
                    let (column, ee) = (cell.column(), cell.ee());
                    // Off-diagonal cells only grow: every positive delta is an arrival.
                    if column != self.shard && delta > 0 {
                        let mut left = delta;
                        while left > 0 {
                            let step = left.min(i128::from(u64::MAX));
                            self.ledger.add_recent(column, ee, step as u64);
                            left -= step;
                        }
                    }
                }
            }
            NettingVariant::A | NettingVariant::B => {}
        }
        for (cell, mut delta) in deltas.into_entries() {
            let (column, ee) = (cell.column(), cell.ee());
            // Steps of at most i64 move monotonically from the current to the final value,
            // both of which the overflow pass proved to be in range.
            while delta != 0 {
                let step = delta.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
                self.ledger.add(column, ee, step as i64);
                delta -= step;
            }
        }
        let mut roots: Vec<((ShardId, EeId, Root), u128)> = Vec::new();
        for c in self.cands.iter().filter(|c| c.live && !is_zero(&c.out.data_root)) {
            roots.push(((c.out.target_shard, c.out.target_ee, c.out.data_root), u128::from(c.out.amount)));
            self.ledger.record_message(c.out.target_shard, c.out.target_ee, c.ee, &c.out.data_root);
        }
        let merged = VecMap::summed(roots).into_entries();
        for ((shard, ee, root), mut amount) in merged {
            while amount > 0 {
                let step = amount.min(u128::from(u64::MAX));
                self.ledger.record_netted(shard, ee, &root, step as u64);
                amount -= step;
            }
        }
    }
}

impl<L: Ledger> Netting<'_, L> {
    /// Reserve variant: a diagonal's net outflow is taken from the reserve first, a net
    /// inflow refills the reserve up to its target first. Each diagonal's delta moves
    /// towards zero, so it stays within the range the overflow pass proved.
    fn move_reserves(&mut self, deltas: &mut VecMap<Cell, i128>) {
        let target = i128::from(self.rules.reserve_target);
        let diagonals: Vec<(EeId, i128)> = deltas
            .iter()
            .filter(|(c, d)| c.column() == self.shard && **d != 0)
            .map(|(c, d)| (c.ee(), *d))
            .collect();
        for (ee, flow) in diagonals {
            let reserve = i128::from(self.ledger.reserve(ee));
            let moved = if flow < 0 {
                -core::cmp::min(-flow, reserve)
            } else {
                core::cmp::min(flow, (target - reserve).max(0))
            };
            if moved != 0 {
                self.ledger.set_reserve(ee, (reserve + moved) as u64);
                *deltas.get_mut(&Cell::new(self.shard, ee)).expect("listed above") -= moved;
            }
        }
    }

    fn reports(self) -> Vec<NettingReport> {
        let mut reports = Vec::new();
        let mut statuses = self.statuses.into_iter();
        for (ee, count) in self.runs {
            let mut first = 0usize;
            while first < count {
                let n = core::cmp::min(MAX_STATUSES_PER_REPORT, count - first);
                reports.push(NettingReport {
                    source_ee: ee,
                    first_index: first as u32,
                    statuses: statuses.by_ref().take(n).collect(),
                });
                first += n;
            }
        }
        reports
    }
}

/// The read orders by EE, built once (a lookup per EE, not a scan of the list).
fn order_index(order: &[ProofOrder]) -> VecMap<EeId, &[ShardId]> {
    let mut index = VecMap::new();
    for o in order {
        index.get_or_insert_with(o.ee, || &o.shards[..]);
    }
    index
}

/// Whether `root` is all zeros, word by word: `== [0; 32]` becomes a call of
/// compiler_builtins' byte-wise `memcmp` in wasm (~800 gas; 17 % of a 10,000-output block's
/// instruction gas when it ran once per candidate).
fn is_zero(root: &Root) -> bool {
    // Four 8-byte loads (a slice of 8 always converts).
    let word = |at: usize| u64::from_le_bytes(root[at..at + 8].try_into().unwrap_or([1; 8]));
    word(0) | word(8) | word(16) | word(24) == 0
}

/// Decodes a `NettingOutput` that uses every byte: its SCALE form is fixed, 48 bytes
/// (`u32` shard, `u32` EE, `u64` amount, little-endian, then the 32-byte root), read here
/// field by field — the codec's reads each went through a `memcpy` call in wasm (a test
/// holds the two to the same answers).
fn decode_exact(raw: &[u8]) -> Option<NettingOutput> {
    let raw: &[u8; 48] = raw.try_into().ok()?;
    let (shard, rest) = raw.split_at(4);
    let (ee, rest) = rest.split_at(4);
    let (amount, root) = rest.split_at(8);
    Some(NettingOutput {
        target_shard: ShardId(u32::from_le_bytes(shard.try_into().ok()?)),
        target_ee: EeId(u32::from_le_bytes(ee.try_into().ok()?)),
        amount: u64::from_le_bytes(amount.try_into().ok()?),
        data_root: root.try_into().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::decode_exact;
    use ee_sdk::NettingOutput;
    use ee_sdk::codec::{Decode, Encode};
    use proptest::prelude::*;

    fn scale(raw: &[u8]) -> Option<NettingOutput> {
        let mut input = raw;
        let out = NettingOutput::decode(&mut input).ok()?;
        input.is_empty().then_some(out)
    }

    proptest! {
        /// The hand-written reader gives the codec's answer for any bytes: outputs, outputs
        /// cut or extended, and noise.
        #[test]
        fn outputs_decode_as_the_codec_decodes_them(
            shard in any::<u32>(), ee in any::<u32>(), amount in any::<u64>(), root in any::<[u8; 32]>(),
            cut in 0usize..60, extra in proptest::collection::vec(any::<u8>(), 0..3),
            noise in proptest::collection::vec(any::<u8>(), 0..100),
        ) {
            let out = NettingOutput { target_shard: ee_sdk::ShardId(shard), target_ee: ee_sdk::EeId(ee), amount, data_root: root };
            let bytes = out.encode();
            prop_assert_eq!(decode_exact(&bytes), Some(out));
            let cut = &bytes[..cut.min(bytes.len())];
            prop_assert_eq!(decode_exact(cut), scale(cut));
            let longer = [bytes.clone(), extra].concat();
            prop_assert_eq!(decode_exact(&longer), scale(&longer));
            prop_assert_eq!(decode_exact(&noise), scale(&noise));
        }
    }
}
