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
//! # Guarantees (tested by the host's property tests)
//!
//! * the sum of every cell of every matrix is unchanged;
//! * for every EE, `real_balance(s, e)` after the block is
//!   `real_balance(s, e) + in_e − out_e ≥ 0`.
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use ee_sdk::codec::Decode;
use ee_sdk::{
    EeId, MAX_STATUSES_PER_REPORT, NettingOutput, NettingReport, NettingStatus, ProofOrder, RejectReason,
    Root, ShardId,
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
}

/// A valid netting output still in play.
struct Candidate {
    ee: EeId,
    out: NettingOutput,
    /// Position in `Netting::statuses`.
    status: usize,
    live: bool,
}

/// Lower bound of one EE's real balance on `s`, extended lazily.
struct BalanceView {
    diag: i64,
    known: u64,
    read_sum: i128,
    order: Vec<ShardId>,
    next: usize,
    read: BTreeSet<u32>,
}

impl BalanceView {
    fn available(&self) -> i128 {
        i128::from(self.diag) + core::cmp::max(i128::from(self.known), self.read_sum)
    }
}

/// Per-EE flows of the block.
#[derive(Default)]
struct Tally {
    out: i128,
    inc: i128,
    /// Indices of this EE's candidates, in print order.
    cands: Vec<usize>,
    /// `cands[..live_end]` may hold live candidates; everything after is rejected. It
    /// only moves down, so finding the latest live candidate is amortised O(1) and the
    /// whole netting stays linear in the outputs, rejected ones included.
    live_end: usize,
    view: Option<BalanceView>,
}

struct Netting<'a, L: Ledger> {
    ledger: &'a mut L,
    shard: ShardId,
    shard_count: u32,
    /// The producer's read order per EE (the first entry for an EE counts).
    order: BTreeMap<EeId, &'a [ShardId]>,
    /// One status per output read, in reading order; `runs` says whose they are.
    statuses: Vec<NettingStatus>,
    runs: Vec<(EeId, usize)>,
    cands: Vec<Candidate>,
    tally: BTreeMap<EeId, Tally>,
    /// EE processing order (first appearance).
    ees: Vec<EeId>,
    /// Cached cells of this shard's row, keyed by (column, ee).
    own: BTreeMap<(ShardId, EeId), i64>,
}

/// Nets `batches` (each EE's outputs, in the meta transaction's order) on the ledger's
/// shard and returns the status of every output read, as reports of at most
/// [`MAX_STATUSES_PER_REPORT`] statuses each.
pub fn net<L: Ledger>(
    ledger: &mut L,
    batches: &[(EeId, Vec<&[u8]>)],
    order: &[ProofOrder],
) -> Vec<NettingReport> {
    let shard = ledger.shard();
    let shard_count = ledger.shard_count();
    let mut n = Netting {
        ledger,
        shard,
        shard_count,
        order: order_index(order),
        statuses: Vec::new(),
        runs: Vec::new(),
        cands: Vec::new(),
        tally: BTreeMap::new(),
        ees: Vec::new(),
        own: BTreeMap::new(),
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
    n.reports()
}

impl<L: Ledger> Netting<'_, L> {
    fn collect(&mut self, batches: &[(EeId, Vec<&[u8]>)]) {
        let mut exists: BTreeMap<EeId, bool> = BTreeMap::new();
        for (ee, outputs) in batches {
            if let alloc::collections::btree_map::Entry::Vacant(v) = self.tally.entry(*ee) {
                v.insert(Tally::default());
                self.ees.push(*ee);
            }
            self.runs.push((*ee, outputs.len()));
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
                let tally = self.tally.get_mut(ee).expect("inserted above");
                tally.out += amount;
                tally.cands.push(id);
                tally.live_end = tally.cands.len();
                if out.target_shard == self.shard && out.target_ee != *ee {
                    let ees = &mut self.ees;
                    let target = self.tally.entry(out.target_ee).or_insert_with(|| {
                        ees.push(out.target_ee);
                        Tally::default()
                    });
                    target.inc += amount;
                }
            }
        }
    }

    fn validate(
        &mut self,
        ee: EeId,
        out: &NettingOutput,
        exists: &mut BTreeMap<EeId, bool>,
    ) -> Result<(), RejectReason> {
        if out.amount == 0 {
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
                exists.insert(out.target_ee, k);
                k
            }
        };
        if !known {
            return Err(RejectReason::UnknownEe);
        }
        Ok(())
    }

    fn own_cell(&mut self, column: ShardId, ee: EeId) -> i64 {
        if let Some(v) = self.own.get(&(column, ee)) {
            return *v;
        }
        let v = self.ledger.cell(self.shard, column, ee);
        self.own.insert((column, ee), v);
        v
    }

    /// Extends `ee`'s balance view until it covers `need` or runs out of foreign cells;
    /// returns the available lower bound.
    fn ensure(&mut self, ee: EeId, need: i128) -> i128 {
        if self.tally[&ee].view.is_none() {
            let diag = self.own_cell(self.shard, ee);
            let known = self.ledger.known_min(ee);
            let order = match self.order.get(&ee) {
                Some(shards) => shards.to_vec(),
                None => {
                    (1..self.shard_count).map(|k| ShardId((self.shard.0 + k) % self.shard_count)).collect()
                }
            };
            let view = BalanceView { diag, known, read_sum: 0, order, next: 0, read: BTreeSet::new() };
            self.tally.get_mut(&ee).expect("tallied").view = Some(view);
        }
        let (shard, count) = (self.shard, self.shard_count);
        let tally = self.tally.get_mut(&ee).expect("tallied");
        let view = tally.view.as_mut().expect("set above");
        while view.available() < need && view.next < view.order.len() {
            let row = view.order[view.next];
            view.next += 1;
            if row == shard || row.0 >= count || !view.read.insert(row.0) {
                continue;
            }
            view.read_sum += i128::from(self.ledger.cell(row, shard, ee));
        }
        view.available()
    }

    /// One pass of balance coverage; true if anything was rejected.
    fn coverage_pass(&mut self) -> bool {
        let mut changed = false;
        for i in 0..self.ees.len() {
            let ee = self.ees[i];
            loop {
                let t = &self.tally[&ee];
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
        self.tally.get_mut(&ee).expect("tallied").out -= amount;
        if out.target_shard == self.shard && out.target_ee != ee {
            self.tally.get_mut(&out.target_ee).expect("tallied").inc -= amount;
        }
    }

    /// Net delta per touched cell of this shard's row.
    fn deltas(&self) -> BTreeMap<(ShardId, EeId), i128> {
        let mut d: BTreeMap<(ShardId, EeId), i128> = BTreeMap::new();
        for c in self.cands.iter().filter(|c| c.live) {
            let x = i128::from(c.out.amount);
            *d.entry((self.shard, c.ee)).or_default() -= x;
            *d.entry((c.out.target_shard, c.out.target_ee)).or_default() += x;
        }
        d
    }

    /// Rejects the latest contributor to one overflowing cell and returns `None`, or
    /// returns the net deltas when no cell overflows.
    fn overflow_pass(&mut self) -> Option<BTreeMap<(ShardId, EeId), i128>> {
        let deltas = self.deltas();
        for (&(column, ee), &delta) in &deltas {
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
        let mut updates = Vec::new();
        for (ee, t) in &self.tally {
            if let Some(v) = &t.view {
                let proven = u64::try_from(v.read_sum.max(0)).unwrap_or(u64::MAX);
                if proven > v.known {
                    updates.push((*ee, proven));
                }
            }
        }
        for (ee, value) in updates {
            self.ledger.set_known_min(ee, value);
        }
    }

    fn apply(&mut self, deltas: BTreeMap<(ShardId, EeId), i128>) {
        for ((column, ee), mut delta) in deltas {
            // Steps of at most i64 move monotonically from the current to the final value,
            // both of which the overflow pass proved to be in range.
            while delta != 0 {
                let step = delta.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
                self.ledger.add(column, ee, step as i64);
                delta -= step;
            }
        }
        let mut roots: BTreeMap<(ShardId, EeId, Root), u128> = BTreeMap::new();
        for c in self.cands.iter().filter(|c| c.live && c.out.data_root != [0; 32]) {
            let key = (c.out.target_shard, c.out.target_ee, c.out.data_root);
            *roots.entry(key).or_default() += u128::from(c.out.amount);
        }
        for ((shard, ee, root), mut amount) in roots {
            while amount > 0 {
                let step = amount.min(u128::from(u64::MAX));
                self.ledger.record_netted(shard, ee, &root, step as u64);
                amount -= step;
            }
        }
    }
}

impl<L: Ledger> Netting<'_, L> {
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
fn order_index(order: &[ProofOrder]) -> BTreeMap<EeId, &[ShardId]> {
    let mut index = BTreeMap::new();
    for o in order {
        index.entry(o.ee).or_insert(&o.shards[..]);
    }
    index
}

/// Decodes a `NettingOutput` that uses every byte.
fn decode_exact(raw: &[u8]) -> Option<NettingOutput> {
    let mut input = raw;
    let out = NettingOutput::decode(&mut input).ok()?;
    input.is_empty().then_some(out)
}
