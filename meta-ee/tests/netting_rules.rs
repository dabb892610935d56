//! The netting algorithm against an in-memory ledger: edge cases that are awkward to
//! reach through whole blocks (overflow, proof orders, report chunking, known minimums).
use ee_sdk::codec::Encode;
use ee_sdk::{
    EeId, MAX_STATUSES_PER_REPORT, NettingOutput, NettingReport, NettingRules, NettingStatus, NettingVariant,
    ProofOrder, RejectReason, ShardId,
};
use meta_ee::netting::{Ledger, NettingError, fixed_order, net};
use std::collections::{BTreeMap, BTreeSet};

/// Matrices of every EE, with a log of foreign reads.
struct Mem {
    shard: u32,
    shards: u32,
    ees: BTreeSet<u32>,
    cells: BTreeMap<(u32, u32, u32), i64>,
    known: BTreeMap<u32, u64>,
    foreign_reads: Vec<(u32, u32)>,
    netted: BTreeMap<(u32, u32, [u8; 32]), u64>,
    /// `(target shard, target EE, source EE, root) → accepted outputs`.
    messages: BTreeMap<(u32, u32, u32, [u8; 32]), u64>,
    rules: NettingRules,
    slot: u64,
    reserves: BTreeMap<u32, u64>,
    /// `(row, column, ee) → (slot, amount)`.
    recent: BTreeMap<(u32, u32, u32), (u64, u64)>,
    recent_reads: Vec<(u32, u32)>,
}

impl Mem {
    fn new(shard: u32, shards: u32, ees: &[u32]) -> Self {
        Mem {
            shard,
            shards,
            ees: ees.iter().copied().collect(),
            cells: BTreeMap::new(),
            known: BTreeMap::new(),
            foreign_reads: Vec::new(),
            netted: BTreeMap::new(),
            messages: BTreeMap::new(),
            rules: NettingRules::default(),
            slot: 1,
            reserves: BTreeMap::new(),
            recent: BTreeMap::new(),
            recent_reads: Vec::new(),
        }
    }
    fn with(mut self, variant: NettingVariant) -> Self {
        self.rules.variant = variant;
        self
    }
    /// Sum of every cell of `ee` plus its reserve here.
    fn total(&self, ee: u32) -> i128 {
        self.cells.iter().filter(|((_, _, e), _)| *e == ee).map(|(_, v)| i128::from(*v)).sum::<i128>()
            + i128::from(self.reserves.get(&ee).copied().unwrap_or(0))
    }
    fn set(&mut self, row: u32, col: u32, ee: u32, v: i64) {
        self.cells.insert((row, col, ee), v);
    }
    fn get(&self, row: u32, col: u32, ee: u32) -> i64 {
        self.cells.get(&(row, col, ee)).copied().unwrap_or(0)
    }
}

impl Ledger for Mem {
    fn shard(&self) -> ShardId {
        ShardId(self.shard)
    }
    fn shard_count(&self) -> u32 {
        self.shards
    }
    fn ee_exists(&mut self, ee: EeId) -> bool {
        self.ees.contains(&ee.0)
    }
    fn cell(&mut self, row: ShardId, column: ShardId, ee: EeId) -> i64 {
        if row.0 != self.shard {
            self.foreign_reads.push((row.0, ee.0));
        }
        self.get(row.0, column.0, ee.0)
    }
    fn add(&mut self, column: ShardId, ee: EeId, delta: i64) {
        let v =
            self.get(self.shard, column.0, ee.0).checked_add(delta).expect("netting never overflows a cell");
        self.set(self.shard, column.0, ee.0, v);
    }
    fn known_min(&mut self, ee: EeId) -> u64 {
        self.known.get(&ee.0).copied().unwrap_or(0)
    }
    fn set_known_min(&mut self, ee: EeId, value: u64) {
        self.known.insert(ee.0, value);
    }
    fn record_netted(&mut self, target_shard: ShardId, target_ee: EeId, root: &[u8; 32], amount: u64) {
        *self.netted.entry((target_shard.0, target_ee.0, *root)).or_default() += amount;
    }
    fn record_message(&mut self, target_shard: ShardId, target_ee: EeId, source: EeId, root: &[u8; 32]) {
        *self.messages.entry((target_shard.0, target_ee.0, source.0, *root)).or_default() += 1;
    }
    fn slot(&self) -> u64 {
        self.slot
    }
    fn reserve(&mut self, ee: EeId) -> u64 {
        self.reserves.get(&ee.0).copied().unwrap_or(0)
    }
    fn set_reserve(&mut self, ee: EeId, value: u64) {
        self.reserves.insert(ee.0, value);
    }
    fn recent(&mut self, row: ShardId, column: ShardId, ee: EeId) -> u64 {
        self.recent_reads.push((row.0, ee.0));
        match self.recent.get(&(row.0, column.0, ee.0)) {
            Some(&(slot, amount)) if slot + 1 == self.slot => amount,
            _ => 0,
        }
    }
    fn add_recent(&mut self, column: ShardId, ee: EeId, amount: u64) {
        let (slot, held) = self.recent.get(&(self.shard, column.0, ee.0)).copied().unwrap_or((0, 0));
        let held = if slot == self.slot { held } else { 0 };
        self.recent.insert((self.shard, column.0, ee.0), (self.slot, held + amount));
    }
}

fn out(shard: u32, ee: u32, amount: u64) -> Vec<u8> {
    NettingOutput { target_shard: ShardId(shard), target_ee: EeId(ee), amount, data_root: [0; 32] }.encode()
}

fn statuses(reports: &[NettingReport]) -> Vec<NettingStatus> {
    reports.iter().flat_map(|r| r.statuses.iter().copied()).collect()
}

fn try_run(
    m: &mut Mem,
    batches: Vec<(u32, Vec<Vec<u8>>)>,
    order: &[ProofOrder],
) -> Result<meta_ee::netting::Netted, NettingError> {
    let b: Vec<(EeId, Vec<&[u8]>)> =
        batches.iter().map(|(e, v)| (EeId(*e), v.iter().map(|x| &x[..]).collect())).collect();
    let rules = m.rules;
    net(m, &b, order, rules)
}

fn run(m: &mut Mem, batches: Vec<(u32, Vec<Vec<u8>>)>, order: &[ProofOrder]) -> Vec<NettingReport> {
    try_run(m, batches, order).expect("nettable").reports
}

const OK: NettingStatus = NettingStatus::Accepted;
fn no(r: RejectReason) -> NettingStatus {
    NettingStatus::Rejected(r)
}

#[test]
fn malformed_bytes_and_trailing_bytes_are_rejected() {
    let mut m = Mem::new(0, 2, &[0]);
    m.set(0, 0, 0, 10);
    let mut trailing = out(1, 0, 1);
    trailing.push(0);
    let r = run(&mut m, vec![(0, vec![vec![1, 2, 3], trailing, out(1, 0, 1)])], &[]);
    assert_eq!(statuses(&r), vec![no(RejectReason::Malformed), no(RejectReason::Malformed), OK]);
    assert_eq!(m.get(0, 0, 0), 9);
}

#[test]
fn amounts_above_i64_are_rejected_as_overflow() {
    let mut m = Mem::new(0, 2, &[0]);
    m.set(0, 0, 0, i64::MAX);
    let r = run(&mut m, vec![(0, vec![out(1, 0, u64::MAX), out(1, 0, i64::MAX as u64)])], &[]);
    assert_eq!(statuses(&r), vec![no(RejectReason::Overflow), OK]);
    assert_eq!((m.get(0, 0, 0), m.get(0, 1, 0)), (0, i64::MAX));
}

#[test]
fn a_cell_that_would_overflow_rejects_its_latest_contributor_and_recovers() {
    // EE1's cell for column 1 is already near i64::MAX; two payments to it would overflow.
    let mut m = Mem::new(0, 2, &[0, 1]);
    m.set(0, 0, 0, i64::MAX);
    m.set(0, 1, 1, i64::MAX - 5);
    let r = run(&mut m, vec![(0, vec![out(1, 1, 3), out(1, 1, 3)])], &[]);
    assert_eq!(statuses(&r), vec![OK, no(RejectReason::Overflow)]);
    assert_eq!(m.get(0, 1, 1), i64::MAX - 2);
    assert_eq!(m.get(0, 0, 0), i64::MAX - 3);
}

#[test]
fn net_deltas_too_large_for_one_add_are_applied_in_steps() {
    // The diagonal goes from -2^62 to +2^62 (a delta of 2^63, more than one i64 add).
    // Two payers each send 2^62 to EE0.
    let mut m = Mem::new(0, 2, &[0, 1, 2]);
    let big = 1i64 << 62;
    m.set(0, 0, 0, -big);
    m.set(1, 0, 0, big); // foreign cell: EE0's real balance on shard 0 is 0
    m.set(0, 0, 1, i64::MAX);
    m.set(0, 0, 2, i64::MAX);
    let r = run(&mut m, vec![(1, vec![out(0, 0, big as u64)]), (2, vec![out(0, 0, big as u64)])], &[]);
    assert_eq!(statuses(&r), vec![OK, OK]);
    assert_eq!(m.get(0, 0, 0), big);
}

#[test]
fn proof_order_is_followed_and_stops_when_covered_without_double_counting() {
    let mut m = Mem::new(0, 4, &[0]);
    m.set(1, 0, 0, 1);
    m.set(2, 0, 0, 5);
    m.set(3, 0, 0, 2);
    // Order lists shard 2 twice, its own shard and a shard that does not exist.
    let order = [ProofOrder {
        ee: EeId(0),
        shards: vec![ShardId(2), ShardId(2), ShardId(0), ShardId(9), ShardId(3), ShardId(1)],
    }];
    let r = run(&mut m, vec![(0, vec![out(1, 0, 4)])], &order);
    assert_eq!(statuses(&r), vec![OK]);
    assert_eq!(m.foreign_reads, vec![(2, 0)], "one cell covers 4");
    assert_eq!(m.known[&0], 5);
    // Now M[0][0] = -4 and the known minimum 5 leave 1; spending 4 more needs a fresh
    // proof of 8: shard 2 (counted once), then 3 and 1 (5 + 2 + 1).
    m.foreign_reads.clear();
    let r = run(&mut m, vec![(0, vec![out(1, 0, 4)])], &order);
    assert_eq!(statuses(&r), vec![OK]);
    assert_eq!(m.foreign_reads, vec![(2, 0), (3, 0), (1, 0)]);
    assert_eq!(m.known[&0], 8);
    assert_eq!(m.get(0, 0, 0), -8);
}

#[test]
fn known_minimum_is_spent_without_new_reads() {
    let mut m = Mem::new(0, 3, &[0]);
    m.set(2, 0, 0, 10);
    m.known.insert(0, 10);
    let r = run(&mut m, vec![(0, vec![out(1, 0, 6)])], &[]);
    assert_eq!(statuses(&r), vec![OK]);
    assert!(m.foreign_reads.is_empty(), "covered by the known minimum alone");
    let r = run(&mut m, vec![(0, vec![out(1, 0, 5)])], &[]);
    assert_eq!(statuses(&r), vec![no(RejectReason::InsufficientBalance)]);
    assert_eq!(m.foreign_reads.len(), 2, "both other shards were tried");
}

#[test]
fn ees_without_a_deficit_read_nothing() {
    let mut m = Mem::new(0, 3, &[0, 1]);
    m.set(0, 0, 0, 0);
    // EE0 pays EE1 4 and gets 4 back: no deficit for either, no reads at all.
    let r = run(&mut m, vec![(0, vec![out(0, 1, 4)]), (1, vec![out(0, 0, 4)])], &[]);
    assert_eq!(statuses(&r), vec![OK, OK]);
    assert!(m.foreign_reads.is_empty());
    assert!(m.known.is_empty());
}

#[test]
fn long_runs_are_reported_in_chunks() {
    let n = MAX_STATUSES_PER_REPORT * 2 + 5;
    let mut m = Mem::new(0, 2, &[3]);
    m.set(0, 0, 3, n as i64);
    let r = run(&mut m, vec![(3, (0..n).map(|_| out(1, 3, 1)).collect())], &[]);
    assert_eq!(r.len(), 3);
    assert_eq!(
        r.iter().map(|x| (x.source_ee, x.first_index, x.statuses.len())).collect::<Vec<_>>(),
        vec![
            (EeId(3), 0, MAX_STATUSES_PER_REPORT),
            (EeId(3), MAX_STATUSES_PER_REPORT as u32, MAX_STATUSES_PER_REPORT),
            (EeId(3), 2 * MAX_STATUSES_PER_REPORT as u32, 5)
        ]
    );
    assert_eq!(m.get(0, 1, 3), n as i64);
}

#[test]
fn accepted_data_roots_are_recorded_once_per_target_and_rejected_ones_not() {
    let mut m = Mem::new(0, 2, &[0, 1]);
    m.set(0, 0, 0, 10);
    let with_root = |shard: u32, ee: u32, amount: u64, root: u8| {
        NettingOutput { target_shard: ShardId(shard), target_ee: EeId(ee), amount, data_root: [root; 32] }
            .encode()
    };
    let r = run(
        &mut m,
        vec![(
            0,
            vec![with_root(1, 1, 3, 9), with_root(1, 1, 4, 9), with_root(0, 1, 2, 8), with_root(1, 1, 5, 7)],
        )],
        &[],
    );
    assert_eq!(statuses(&r), vec![OK, OK, OK, no(RejectReason::InsufficientBalance)]);
    assert_eq!(m.netted, BTreeMap::from([((1, 1, [9; 32]), 7), ((0, 1, [8; 32]), 2)]));
}

#[test]
fn version_a_moves_same_ee_value_unchecked_and_covers_cross_ee_outflow_by_the_total() {
    // EE0's whole value (10) sits on shard 2's diagonal; shard 0 has nothing.
    let mut m = Mem::new(0, 3, &[0, 1]).with(NettingVariant::A);
    m.set(2, 2, 0, 10);
    // A same-EE move needs no proof, even with an empty column.
    let r = run(&mut m, vec![(0, vec![out(1, 0, 5)])], &[]);
    assert_eq!(statuses(&r), vec![OK]);
    assert!(m.foreign_reads.is_empty(), "same-EE moves read nothing");
    assert_eq!((m.get(0, 0, 0), m.get(0, 1, 0)), (-5, 5));
    // A cross-EE payment of 3 reads every foreign diagonal (the total is 10).
    let r = run(&mut m, vec![(0, vec![out(0, 1, 3)])], &[]);
    assert_eq!(statuses(&r), vec![OK]);
    assert_eq!(m.foreign_reads, vec![(1, 0), (2, 0)]);
    assert_eq!(m.total(0), 7);
    // 8 more would make the total negative: the own row's off-diagonal (5) and the
    // foreign rows' off-diagonals are read, then the output is refused.
    m.foreign_reads.clear();
    let r = run(&mut m, vec![(0, vec![out(0, 1, 8)])], &[]);
    assert_eq!(statuses(&r), vec![no(RejectReason::InsufficientBalance)]);
    assert_eq!(m.total(0), 7);
    assert!(m.known.is_empty(), "A records no known minimum");
}

#[test]
fn version_a_counts_foreign_off_diagonals_when_diagonals_are_negative() {
    let mut m = Mem::new(0, 3, &[0, 1]).with(NettingVariant::A);
    // Row 1 moved 4 to column 2 (diagonal -4, off-diagonal 4) out of genesis 6 on row 0.
    m.set(0, 0, 0, 6);
    m.set(1, 1, 0, -4);
    m.set(1, 2, 0, 4);
    let r = run(&mut m, vec![(0, vec![out(0, 1, 6)])], &[]);
    assert_eq!(statuses(&r), vec![OK], "total 6 covers 6 once row 1's off-diagonal is read");
    assert_eq!(m.foreign_reads, vec![(1, 0), (2, 0), (1, 0), (1, 0)], "two diagonals, then row 1's cells");
    assert_eq!(m.total(0), 0);
}

#[test]
fn zero_capital_spends_last_slot_arrivals_and_keeps_them_in_the_known_minimum() {
    let mut m = Mem::new(0, 3, &[0]).with(NettingVariant::ZeroCapital);
    m.slot = 5;
    m.known.insert(0, 2);
    m.set(1, 0, 0, 6); // shard 1 sent 6 to shard 0 over time, 4 of it in slot 4
    m.recent.insert((1, 0, 0), (4, 4));
    m.set(2, 0, 0, 9); // shard 2's arrivals are older: readable only as a whole cell
    m.recent.insert((2, 0, 0), (2, 9));
    let r = run(&mut m, vec![(0, vec![out(1, 0, 5)])], &[]);
    assert_eq!(statuses(&r), vec![OK]);
    assert_eq!(m.recent_reads, vec![(1, 0)], "2 known + 4 arrived cover 5");
    assert!(m.foreign_reads.is_empty(), "no whole cell was proven");
    assert_eq!(m.known[&0], 6);
    // The block's own outflow to shard 1 is recorded as this slot's arrival there.
    assert_eq!(m.recent[&(0, 1, 0)], (5, 5));
    // Next slot: 1 more is covered by the known minimum; 10 more needs whole cells.
    m.slot = 6;
    m.recent_reads.clear();
    let r = run(&mut m, vec![(0, vec![out(1, 0, 1)])], &[]);
    assert_eq!(statuses(&r), vec![OK]);
    assert!(m.recent_reads.is_empty() && m.foreign_reads.is_empty());
    let r = run(&mut m, vec![(0, vec![out(2, 0, 9)])], &[]);
    assert_eq!(statuses(&r), vec![OK], "15 proven in whole cells covers -6 + 15");
    assert_eq!(m.foreign_reads, vec![(1, 0), (2, 0)]);
    assert_eq!(m.known[&0], 15);
    assert_eq!(m.get(0, 0, 0), -15);
    assert_eq!(m.recent[&(0, 1, 0)], (6, 1), "a new slot starts a new record");
}

#[test]
fn reserve_absorbs_outflows_before_proofs_and_refills_from_inflows() {
    let mut m = Mem::new(0, 2, &[0, 1]).with(NettingVariant::Reserve);
    m.rules.reserve_target = 10;
    m.reserves.insert(0, 10);
    m.set(1, 0, 0, 3);
    m.set(0, 0, 1, 20);
    let before = m.total(0);
    let r = run(&mut m, vec![(0, vec![out(1, 0, 6)])], &[]);
    assert_eq!(statuses(&r), vec![OK]);
    assert!(m.foreign_reads.is_empty(), "the reserve covered it");
    assert_eq!((m.reserves[&0], m.get(0, 0, 0), m.get(0, 1, 0)), (4, 0, 6));
    assert_eq!(m.total(0), before);
    // 7 more: reserve 4 + the proven foreign cell 3.
    let r = run(&mut m, vec![(0, vec![out(1, 0, 7)])], &[]);
    assert_eq!(statuses(&r), vec![OK]);
    assert_eq!(m.foreign_reads, vec![(1, 0)]);
    assert_eq!((m.reserves[&0], m.get(0, 0, 0)), (0, -3));
    // EE1 pays EE0 8 on this shard: the reserve refills to its target first... up to 8.
    let r = run(&mut m, vec![(1, vec![out(0, 0, 8)])], &[]);
    assert_eq!(statuses(&r), vec![OK]);
    assert_eq!((m.reserves[&0], m.get(0, 0, 0)), (8, -3));
    let r = run(&mut m, vec![(1, vec![out(0, 0, 5)])], &[]);
    assert_eq!(statuses(&r), vec![OK]);
    assert_eq!((m.reserves[&0], m.get(0, 0, 0)), (10, 0), "2 refill the reserve, 3 the diagonal");
}

#[test]
fn a_fixed_order_is_a_permutation_that_nobody_chooses() {
    for (slot, ee) in [(1, 0), (2, 0), (1, 1)] {
        let order = fixed_order(7, slot, ShardId(3), 16, EeId(ee));
        let mut sorted: Vec<u32> = order.iter().map(|s| s.0).collect();
        sorted.sort();
        assert_eq!(sorted, (0..16).filter(|&r| r != 3).collect::<Vec<_>>());
    }
    assert_ne!(fixed_order(7, 1, ShardId(3), 16, EeId(0)), fixed_order(7, 2, ShardId(3), 16, EeId(0)));
    assert_ne!(fixed_order(7, 1, ShardId(3), 16, EeId(0)), fixed_order(8, 1, ShardId(3), 16, EeId(0)));

    let mut m = Mem::new(3, 16, &[0]);
    m.rules.fixed_order = Some(7);
    for r in 0..16 {
        if r != 3 {
            m.set(r, 3, 0, 1);
        }
    }
    let order = [ProofOrder { ee: EeId(0), shards: vec![ShardId(0)] }];
    assert_eq!(
        try_run(&mut m, vec![(0, vec![out(0, 0, 3)])], &order).err(),
        Some(NettingError::OrderNotAllowed)
    );
    let netted = try_run(&mut m, vec![(0, vec![out(0, 0, 3)])], &[]).unwrap();
    assert_eq!(statuses(&netted.reports), vec![OK]);
    let expected: Vec<(u32, u32)> =
        fixed_order(7, m.slot, ShardId(3), 16, EeId(0)).iter().take(3).map(|s| (s.0, 0)).collect();
    assert_eq!(m.foreign_reads, expected);
    assert_eq!(netted.foreign_reads, 3);
}

#[test]
fn zero_amounts_with_a_root_are_messages_recorded_with_their_source() {
    // EE 0 has nothing to spend: a message moves no ETH, so it needs no balance.
    let mut m = Mem::new(0, 2, &[0, 1]);
    let message = |root: u8| {
        NettingOutput { target_shard: ShardId(1), target_ee: EeId(1), amount: 0, data_root: [root; 32] }
            .encode()
    };
    let r = run(&mut m, vec![(0, vec![message(7), message(7), out(1, 1, 0)]), (1, vec![message(8)])], &[]);
    assert_eq!(statuses(&r), vec![OK, OK, no(RejectReason::ZeroAmount), OK]);
    assert_eq!(m.messages.get(&(1, 1, 0, [7; 32])), Some(&2), "counted per source EE");
    assert_eq!(m.messages.get(&(1, 1, 1, [8; 32])), Some(&1));
    assert_eq!(m.messages.get(&(1, 1, 1, [7; 32])), None, "another EE's root is its own record");
    assert_eq!((m.get(0, 0, 0), m.get(0, 1, 0), m.get(0, 1, 1)), (0, 0, 0), "no ETH moved");
    assert_eq!(m.netted.get(&(1, 1, [7; 32])).copied().unwrap_or(0), 0);
}
