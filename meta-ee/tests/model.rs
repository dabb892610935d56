//! The netting, model-checked (issue 17, item 6): the meta-EE's real rules
//! ([`meta_ee::netting::net`], version B) inside a small network whose every interleaving
//! of shard blocks and crosslinks [`stateright`] explores breadth-first.
//!
//! # The model
//!
//! *Shards* `0..S`, *EEs* `0..E`, and a fixed list of *transfers* `e@s → f@t: x` (an
//! output printed by EE `e` in a block of shard `s`, paying `x` to EE `f` on shard `t`).
//! A state holds:
//!
//! * `cells`: every shard's own row of every EE's matrix, `M_e[r][c]` as shard `r` has it
//!   now (shard `r`'s tree);
//! * `crosslinked`: every shard's row as of its last crosslink — what the beacon state's
//!   root for that shard proves, so what another shard's block can read;
//! * `known`: the recorded known minimum `KnownMin(e)` in each shard's tree;
//! * `accepted`: which transfers the netting has accepted;
//! * `decreased`: a ghost field, the first off-diagonal cell (current or crosslinked) a
//!   step lowered, if any.
//!
//! Two kinds of action, in any order:
//!
//! * **`Block { shard: s, outputs, reversed }`**: shard `s` produces a block whose EEs
//!   print the listed pending transfers of `s`, in that order (every ordered non-empty
//!   subset is an action, so both EE orders and both print orders within an EE are
//!   explored); the meta-EE nets them with the **real** [`net`] over a [`Ledger`] that
//!   reads `s`'s own row from `cells` and every other row from `crosslinked`, and writes
//!   `s`'s row and known minimums. `reversed` is the producer's proof order per printing
//!   EE (a bit per EE: the default order `s+1, s+2, …` or its reverse; with 3 shards these
//!   are all the orders). Accepted transfers are settled; rejected ones stay pending and
//!   may be printed again by a later block. A block that changes nothing is no step.
//! * **`Crosslink { shard: r }`**: the beacon chain records shard `r`'s current row
//!   (enabled only when it differs from the recorded one).
//!
//! The host's slots (ARCHITECTURE.md "Execution model": one block per shard against the
//! slot-start state, every shard crosslinked at the slot's end) are one schedule among
//! these: the model also lets crosslinks lag, a shard produce several blocks before its
//! crosslink, and shards crosslink in any order. Whatever holds here holds for every slot
//! schedule of the same transfers.
//!
//! # Invariants (checked in every reachable state)
//!
//! With `real(e, c) = Σ_r M_e[r][c]` over the current rows (seed 001's `real_balance`):
//!
//! * **conservation**: the sum of every cell of every matrix equals the genesis sum;
//! * **accounting** ("credited where it should be"): for every EE `e` and column `c`,
//!   `real(e, c)` = genesis `real(e, c)` + accepted transfers to `(c, e)` − accepted
//!   transfers from `e` on `c`: a settled amount is in its recipient's column, a pending
//!   one still in its sender's;
//! * **real balance ≥ 0** for every EE and every column;
//! * **off-diagonal cells never decrease** (from one state to the next; a ghost field
//!   remembers a violation), which is what makes partial column proofs and the known
//!   minimum sound;
//! * **known minimum is a lower bound**: on every shard `s`, `KnownMin(e) ≤ Σ_{r≠s}` of
//!   the crosslinked `M_e[r][s]` (hence of the current ones);
//! * **no value stranded**, in two parts. (a) *Every column is claimable once
//!   crosslinked*: after crosslinking every shard, every EE's every column `c` is provable
//!   in full on shard `c` (own diagonal plus crosslinked foreign cells equal `real(e, c)`),
//!   the real netting accepts an output of `e` on `c` spending all of `real(e, c)`, and
//!   it accepts every pending transfer whose sender's column covers it, printed alone.
//!   With *accounting* this says every settled amount is credited to its recipient and
//!   spendable by it, and every unsettled one is still its sender's — nothing is lost
//!   between the debit and the credit, nor stuck behind a proof that cannot be made.
//!   (b) *Every transfer settles*: from every reachable state, honest progress — crosslink
//!   every shard, then let every shard print all its pending transfers, as many rounds as
//!   there are transfers — settles every transfer, so no rejection is permanent. (b) is a
//!   property of the workload as much as of the netting; it is claimed for the hand-made
//!   network ([`network`]), built so that every order of inclusion can fund every transfer
//!   (no column is spent by more than its genesis value plus what transfers that do not
//!   depend on it bring), and not for the random ones.
//!
//! `sometimes` properties check that the model reaches what it is meant to exercise:
//! everything settled and crosslinked; a transfer its sender could pay but whose funds
//! the shard cannot prove yet (waiting for a crosslink); a negative diagonal (value held in
//! other shards' rows, so a column proof is needed); a recorded known minimum.
//!
//! # Networks
//!
//! [`network`]: 3 shards, 2 EEs and the first 4, 5, 6 or 9 of nine hand-made transfers
//! that need partial column proofs, crosslinks before they are funded, netting within a
//! block and latest-first rejections. [`random_network`]: 16 seeded random networks of 4
//! shards, 3 EEs and 10 transfers (there `reversed` reaches 2 of the 6 read orders).
//!
//! # The planted faults
//!
//! [`Fault`] wraps the ledger the real netting sees; the production code is the same:
//!
//! * [`Fault::SkipBalanceCheck`]: the ledger vouches for any balance (its known minimum
//!   is `i64::MAX`), so the real-balance check always passes;
//! * [`Fault::StaleOwnRow`]: a block reads its own shard's row as of the last crosslink
//!   instead of its current state (a producer building on the beacon chain's view of its
//!   own shard): two blocks on a shard before its crosslink spend the same diagonal twice.
//!
//! The checker must find a counterexample to "real balance ≥ 0" for each, which the tests
//! print as the sequence of actions.
//!
//! Run: `cargo test --release -p meta-ee --test model -- --nocapture` (prints the state
//! counts, the times and the counterexamples).
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, NettingOutput, NettingRules, NettingStatus, ProofOrder, Root, ShardId};
use meta_ee::netting::{Ledger, net};
use stateright::{Checker, Expectation, HasDiscoveries, Model, Property};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::time::{Duration, Instant};

/// One transfer: EE `from_ee`'s output in a block of `from_shard`, paying `amount` to
/// `to_ee` on `to_shard`.
#[derive(Clone, Copy, Debug)]
struct Transfer {
    from_shard: u8,
    from_ee: u8,
    to_shard: u8,
    to_ee: u8,
    amount: u64,
}

/// A way to break the ledger the real netting sees (never the netting itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// The correct network.
    None,
    /// The ledger reports a known minimum of `i64::MAX`: every deficit looks covered.
    SkipBalanceCheck,
    /// The block reads its own row as of its shard's last crosslink.
    StaleOwnRow,
}

/// The network: shards, EEs, genesis matrices, the transfers, and a fault.
struct Network {
    shards: usize,
    ees: usize,
    /// Genesis cells, indexed like [`State::cells`].
    genesis: Vec<i64>,
    transfers: Vec<Transfer>,
    /// Whether every order of inclusion can settle every transfer (checked by "every
    /// transfer settles"; a property of the workload as much as of the netting).
    settles_in_every_order: bool,
    fault: Fault,
}

/// A state of the network (see the module doc).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct State {
    /// `M_e[r][c]` of shard `r`'s current tree at `(e · S + r) · S + c`.
    cells: Vec<i64>,
    /// The same cells as of each row's last crosslink.
    crosslinked: Vec<i64>,
    /// `KnownMin(e)` in shard `s`'s tree at `s · E + e`.
    known: Vec<u64>,
    /// Whether each transfer has been accepted.
    accepted: Vec<bool>,
    /// Ghost: the first off-diagonal cell `(e, r, c)`, current or crosslinked, a step
    /// lowered.
    decreased: Option<(u8, u8, u8)>,
}

/// What can happen next.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Action {
    /// Shard `shard` produces a block printing `outputs` (transfer indices, in order);
    /// bit `e` of `reversed` reverses EE `e`'s proof order.
    Block { shard: u8, outputs: Vec<u8>, reversed: u8 },
    /// The beacon chain records shard `shard`'s current row.
    Crosslink { shard: u8 },
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Block { shard, outputs, reversed } => {
                let outputs: Vec<String> = outputs.iter().map(|t| format!("t{t}")).collect();
                write!(f, "block on shard {shard} printing [{}]", outputs.join(", "))?;
                if *reversed != 0 {
                    write!(f, " (reversed proof order for EE mask {reversed:#b})")?;
                }
                Ok(())
            }
            Action::Crosslink { shard } => write!(f, "crosslink shard {shard}"),
        }
    }
}

impl Network {
    /// Index of `M_ee[row][column]` in [`State::cells`] and [`State::crosslinked`].
    fn idx(&self, ee: usize, row: usize, column: usize) -> usize {
        (ee * self.shards + row) * self.shards + column
    }

    /// `real(e, c)`: the sum of column `c` of `e`'s matrix over the current rows.
    fn real(&self, cells: &[i64], ee: usize, column: usize) -> i128 {
        (0..self.shards).map(|r| i128::from(cells[self.idx(ee, r, column)])).sum()
    }

    /// What a block on `column` can prove of `real(e, column)`: its own diagonal plus the
    /// crosslinked foreign cells of the column.
    fn provable(&self, st: &State, ee: usize, column: usize) -> i128 {
        (0..self.shards)
            .map(|r| {
                let i = self.idx(ee, r, column);
                i128::from(if r == column { st.cells[i] } else { st.crosslinked[i] })
            })
            .sum()
    }

    /// The pending transfers printed on `shard`.
    fn pending(&self, st: &State, shard: usize) -> Vec<u8> {
        (0..self.transfers.len())
            .filter(|&t| !st.accepted[t] && usize::from(self.transfers[t].from_shard) == shard)
            .map(|t| t as u8)
            .collect()
    }

    /// Runs the real netting for a block on `shard` whose EEs print `outputs` (each
    /// `(ee, output)`, in print order); returns each output's status, in the same order.
    fn net_block(
        &self,
        st: &mut State,
        shard: usize,
        outputs: &[(u8, NettingOutput)],
        reversed: u8,
    ) -> Vec<NettingStatus> {
        // The meta transaction's EE order is the order EEs first printed (as the
        // producer builds it); each EE's outputs keep their print order.
        let mut ees: Vec<u8> = Vec::new();
        for (e, _) in outputs {
            if !ees.contains(e) {
                ees.push(*e);
            }
        }
        let encoded: Vec<(u8, Vec<u8>)> = outputs.iter().map(|(e, o)| (*e, o.encode())).collect();
        let batches: Vec<(EeId, Vec<&[u8]>)> = ees
            .iter()
            .map(|&e| {
                let mine = encoded.iter().filter(|(x, _)| *x == e).map(|(_, b)| &b[..]).collect();
                (EeId(u32::from(e)), mine)
            })
            .collect();
        let order: Vec<ProofOrder> = ees
            .iter()
            .filter(|&&e| reversed & (1 << e) != 0)
            .map(|&e| ProofOrder {
                ee: EeId(u32::from(e)),
                shards: (1..self.shards).rev().map(|k| ShardId(((shard + k) % self.shards) as u32)).collect(),
            })
            .collect();
        let rules = NettingRules::default();
        let mut ledger = ModelLedger { net: self, st, shard };
        let netted = match self.fault {
            Fault::SkipBalanceCheck => net(&mut Vouching(&mut ledger), &batches, &order, rules),
            Fault::None | Fault::StaleOwnRow => net(&mut ledger, &batches, &order, rules),
        }
        .expect("no fixed order: every meta transaction is nettable");
        // Reports come per EE in batch order, chunked; map them back to print order.
        let mut by_ee: Vec<Vec<NettingStatus>> = vec![Vec::new(); self.ees];
        for r in &netted.reports {
            by_ee[r.source_ee.0 as usize].extend(r.statuses.iter().copied());
        }
        let mut next = vec![0usize; self.ees];
        outputs
            .iter()
            .map(|(e, _)| {
                let e = usize::from(*e);
                next[e] += 1;
                by_ee[e][next[e] - 1]
            })
            .collect()
    }

    /// Transfer `t` as its EE prints it.
    fn output(&self, t: usize) -> (u8, NettingOutput) {
        let x = self.transfers[t];
        (
            x.from_ee,
            NettingOutput {
                target_shard: ShardId(u32::from(x.to_shard)),
                target_ee: EeId(u32::from(x.to_ee)),
                amount: x.amount,
                data_root: [0; 32],
            },
        )
    }

    /// Applies a block; `None` if it changes nothing.
    fn block(&self, st: &State, shard: usize, outputs: &[u8], reversed: u8) -> Option<State> {
        let mut next = st.clone();
        let printed: Vec<(u8, NettingOutput)> =
            outputs.iter().map(|&t| self.output(usize::from(t))).collect();
        let statuses = self.net_block(&mut next, shard, &printed, reversed);
        for (&t, status) in outputs.iter().zip(statuses) {
            if status == NettingStatus::Accepted {
                next.accepted[usize::from(t)] = true;
            }
        }
        (next != *st).then_some(next)
    }

    /// The beacon chain records `shard`'s current row.
    fn crosslink(&self, st: &State, shard: usize) -> State {
        let mut next = st.clone();
        for e in 0..self.ees {
            for c in 0..self.shards {
                let i = self.idx(e, shard, c);
                next.crosslinked[i] = next.cells[i];
            }
        }
        next
    }

    /// Whether `shard`'s current row is the crosslinked one.
    fn row_is_crosslinked(&self, st: &State, shard: usize) -> bool {
        (0..self.ees).all(|e| {
            (0..self.shards).all(|c| st.cells[self.idx(e, shard, c)] == st.crosslinked[self.idx(e, shard, c)])
        })
    }

    /// The first off-diagonal cell `(e, r, c)` lower in `after` than in `before`.
    fn first_decrease(&self, before: &[i64], after: &[i64]) -> Option<(u8, u8, u8)> {
        for e in 0..self.ees {
            for r in 0..self.shards {
                for c in (0..self.shards).filter(|&c| c != r) {
                    let i = self.idx(e, r, c);
                    if after[i] < before[i] {
                        return Some((e as u8, r as u8, c as u8));
                    }
                }
            }
        }
        None
    }

    /// Honest progress: crosslink everything, let every shard print all its pending
    /// transfers; as many rounds as there are transfers, then crosslink everything.
    fn settle(&self, st: &State) -> State {
        let mut st = st.clone();
        for _ in 0..=self.transfers.len() {
            st = self.crosslink_all(&st);
            if st.accepted.iter().all(|&a| a) {
                break;
            }
            for s in 0..self.shards {
                let pending = self.pending(&st, s);
                if !pending.is_empty()
                    && let Some(next) = self.block(&st, s, &pending, 0)
                {
                    st = next;
                }
            }
        }
        st
    }

    /// Every shard crosslinked.
    fn crosslink_all(&self, st: &State) -> State {
        (0..self.shards).fold(st.clone(), |st, s| self.crosslink(&st, s))
    }

    /// Every transfer settled and every shard crosslinked.
    fn quiescent(&self, st: &State) -> bool {
        st.accepted.iter().all(|&a| a) && (0..self.shards).all(|s| self.row_is_crosslinked(st, s))
    }

    /// Every column is provable in full on its shard, and the real netting lets its EE
    /// spend all of it there (meant for a state where every shard is crosslinked).
    fn all_claimable(&self, st: &State) -> bool {
        for e in 0..self.ees {
            for c in 0..self.shards {
                let real = self.real(&st.cells, e, c);
                if self.provable(st, e, c) != real {
                    return false;
                }
                if real <= 0 {
                    continue;
                }
                // Spend the whole column: to another EE on the same shard, or (one EE)
                // to the next shard.
                let (to_shard, to_ee) =
                    if self.ees > 1 { (c, (e + 1) % self.ees) } else { ((c + 1) % self.shards, e) };
                let spend = NettingOutput {
                    target_shard: ShardId(to_shard as u32),
                    target_ee: EeId(to_ee as u32),
                    amount: u64::try_from(real).expect("small amounts"),
                    data_root: [0; 32],
                };
                let mut after = st.clone();
                let status = self.net_block(&mut after, c, &[(e as u8, spend)], 0);
                if status != [NettingStatus::Accepted] || self.real(&after.cells, e, c) != 0 {
                    return false;
                }
            }
        }
        // Every pending transfer its sender can pay is accepted by a block printing it alone.
        (0..self.transfers.len()).filter(|&t| !st.accepted[t]).all(|t| {
            let x = self.transfers[t];
            let (e, c) = (usize::from(x.from_ee), usize::from(x.from_shard));
            self.real(&st.cells, e, c) < i128::from(x.amount)
                || self.net_block(&mut st.clone(), c, &[self.output(t)], 0) == [NettingStatus::Accepted]
        })
    }
}

/// The network's ledger for a block on `shard`: its own row is current, every other row
/// is as of that row's last crosslink.
struct ModelLedger<'a> {
    net: &'a Network,
    st: &'a mut State,
    shard: usize,
}

impl Ledger for ModelLedger<'_> {
    fn shard(&self) -> ShardId {
        ShardId(self.shard as u32)
    }
    fn shard_count(&self) -> u32 {
        self.net.shards as u32
    }
    fn ee_exists(&mut self, ee: EeId) -> bool {
        (ee.0 as usize) < self.net.ees
    }
    fn cell(&mut self, row: ShardId, column: ShardId, ee: EeId) -> i64 {
        let i = self.net.idx(ee.0 as usize, row.0 as usize, column.0 as usize);
        let own = row.0 as usize == self.shard && self.net.fault != Fault::StaleOwnRow;
        if own { self.st.cells[i] } else { self.st.crosslinked[i] }
    }
    fn add(&mut self, column: ShardId, ee: EeId, delta: i64) {
        let i = self.net.idx(ee.0 as usize, self.shard, column.0 as usize);
        self.st.cells[i] = self.st.cells[i].checked_add(delta).expect("small amounts");
    }
    fn known_min(&mut self, ee: EeId) -> u64 {
        self.st.known[self.shard * self.net.ees + ee.0 as usize]
    }
    fn set_known_min(&mut self, ee: EeId, value: u64) {
        self.st.known[self.shard * self.net.ees + ee.0 as usize] = value;
    }
    fn record_netted(&mut self, _: ShardId, _: EeId, _: &Root, _: u64) {
        unreachable!("the model's transfers carry no data root");
    }
    fn record_message(&mut self, _: ShardId, _: EeId, _: EeId, _: &Root) {
        unreachable!("the model's transfers carry no data root");
    }
    fn slot(&self) -> u64 {
        1
    }
    fn reserve(&mut self, _: EeId) -> u64 {
        unreachable!("version B has no reserve");
    }
    fn set_reserve(&mut self, _: EeId, _: u64) {
        unreachable!("version B has no reserve");
    }
    fn recent(&mut self, _: ShardId, _: ShardId, _: EeId) -> u64 {
        unreachable!("version B reads no arrivals");
    }
    fn add_recent(&mut self, _: ShardId, _: EeId, _: u64) {
        unreachable!("version B records no arrivals");
    }
}

/// [`Fault::SkipBalanceCheck`]: a ledger that vouches for any balance — its known minimum
/// is `i64::MAX`, so every deficit is covered without a read. Everything else passes
/// through.
struct Vouching<'a, L>(&'a mut L);

impl<L: Ledger> Ledger for Vouching<'_, L> {
    fn shard(&self) -> ShardId {
        self.0.shard()
    }
    fn shard_count(&self) -> u32 {
        self.0.shard_count()
    }
    fn ee_exists(&mut self, ee: EeId) -> bool {
        self.0.ee_exists(ee)
    }
    fn cell(&mut self, row: ShardId, column: ShardId, ee: EeId) -> i64 {
        self.0.cell(row, column, ee)
    }
    fn add(&mut self, column: ShardId, ee: EeId, delta: i64) {
        self.0.add(column, ee, delta)
    }
    fn known_min(&mut self, _: EeId) -> u64 {
        i64::MAX as u64
    }
    fn set_known_min(&mut self, ee: EeId, value: u64) {
        self.0.set_known_min(ee, value)
    }
    fn record_netted(&mut self, target_shard: ShardId, target_ee: EeId, root: &Root, amount: u64) {
        self.0.record_netted(target_shard, target_ee, root, amount)
    }
    fn record_message(&mut self, target_shard: ShardId, target_ee: EeId, source: EeId, root: &Root) {
        self.0.record_message(target_shard, target_ee, source, root)
    }
    fn slot(&self) -> u64 {
        self.0.slot()
    }
    fn reserve(&mut self, ee: EeId) -> u64 {
        self.0.reserve(ee)
    }
    fn set_reserve(&mut self, ee: EeId, value: u64) {
        self.0.set_reserve(ee, value)
    }
    fn recent(&mut self, row: ShardId, column: ShardId, ee: EeId) -> u64 {
        self.0.recent(row, column, ee)
    }
    fn add_recent(&mut self, column: ShardId, ee: EeId, amount: u64) {
        self.0.add_recent(column, ee, amount)
    }
}

/// Every ordered non-empty selection of `items`.
fn arrangements(items: &[u8], prefix: &mut Vec<u8>, out: &mut Vec<Vec<u8>>) {
    for (i, &x) in items.iter().enumerate() {
        prefix.push(x);
        out.push(prefix.clone());
        let rest: Vec<u8> = items.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &y)| y).collect();
        arrangements(&rest, prefix, out);
        prefix.pop();
    }
}

impl Model for Network {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        vec![State {
            cells: self.genesis.clone(),
            crosslinked: self.genesis.clone(),
            known: vec![0; self.shards * self.ees],
            accepted: vec![false; self.transfers.len()],
            decreased: None,
        }]
    }

    fn actions(&self, st: &State, actions: &mut Vec<Action>) {
        for s in 0..self.shards {
            let mut selections = Vec::new();
            arrangements(&self.pending(st, s), &mut Vec::new(), &mut selections);
            for outputs in selections {
                let printers: BTreeSet<u8> =
                    outputs.iter().map(|&t| self.transfers[usize::from(t)].from_ee).collect();
                let mask = printers.iter().fold(0u8, |m, &e| m | (1 << e));
                // Every sub-mask of the printing EEs (only their proof orders matter),
                // the default order first.
                for reversed in (0..=mask).filter(|m| m & !mask == 0) {
                    actions.push(Action::Block { shard: s as u8, outputs: outputs.clone(), reversed });
                }
            }
            if !self.row_is_crosslinked(st, s) {
                actions.push(Action::Crosslink { shard: s as u8 });
            }
        }
    }

    fn next_state(&self, st: &State, action: Action) -> Option<State> {
        let mut next = match action {
            Action::Block { shard, outputs, reversed } => {
                self.block(st, usize::from(shard), &outputs, reversed)?
            }
            Action::Crosslink { shard } => self.crosslink(st, usize::from(shard)),
        };
        // Off-diagonal cells, current and crosslinked, only ever grow.
        if next.decreased.is_none() {
            next.decreased = self
                .first_decrease(&st.cells, &next.cells)
                .or_else(|| self.first_decrease(&st.crosslinked, &next.crosslinked));
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("conservation", |n: &Network, st: &State| {
                st.cells.iter().map(|&v| i128::from(v)).sum::<i128>()
                    == n.genesis.iter().map(|&v| i128::from(v)).sum::<i128>()
            }),
            Property::always("accounting", |n: &Network, st: &State| {
                (0..n.ees).all(|e| {
                    (0..n.shards).all(|c| {
                        let mut expected = n.real(&n.genesis, e, c);
                        for (x, _) in n.transfers.iter().zip(&st.accepted).filter(|(_, a)| **a) {
                            if (usize::from(x.to_ee), usize::from(x.to_shard)) == (e, c) {
                                expected += i128::from(x.amount);
                            }
                            if (usize::from(x.from_ee), usize::from(x.from_shard)) == (e, c) {
                                expected -= i128::from(x.amount);
                            }
                        }
                        n.real(&st.cells, e, c) == expected
                    })
                })
            }),
            Property::always("real balance ≥ 0", |n: &Network, st: &State| {
                (0..n.ees).all(|e| (0..n.shards).all(|c| n.real(&st.cells, e, c) >= 0))
            }),
            Property::always("off-diagonal cells never decrease", |_: &Network, st: &State| {
                st.decreased.is_none()
            }),
            Property::always("known minimum is a lower bound", |n: &Network, st: &State| {
                (0..n.shards).all(|s| {
                    (0..n.ees).all(|e| {
                        let foreign: i128 = (0..n.shards)
                            .filter(|&r| r != s)
                            .map(|r| i128::from(st.crosslinked[n.idx(e, r, s)]))
                            .sum();
                        i128::from(st.known[s * n.ees + e]) <= foreign
                    })
                })
            }),
            Property::always(
                "no value stranded: every column is claimable once crosslinked",
                |n: &Network, st: &State| n.all_claimable(&n.crosslink_all(st)),
            ),
            Property::always("no value stranded: every transfer settles", |n: &Network, st: &State| {
                !n.settles_in_every_order || n.settle(st).accepted.iter().all(|&a| a)
            }),
            Property::sometimes("everything settled and crosslinked", |n: &Network, st: &State| {
                n.quiescent(st)
            }),
            Property::sometimes("a funded transfer waits for a crosslink", |n: &Network, st: &State| {
                (0..n.transfers.len()).any(|t| {
                    let x = n.transfers[t];
                    let (e, c) = (usize::from(x.from_ee), usize::from(x.from_shard));
                    let amount = i128::from(x.amount);
                    !st.accepted[t] && n.real(&st.cells, e, c) >= amount && n.provable(st, e, c) < amount
                })
            }),
            Property::sometimes("a diagonal is negative", |n: &Network, st: &State| {
                (0..n.ees).any(|e| (0..n.shards).any(|s| st.cells[n.idx(e, s, s)] < 0))
            }),
            Property::sometimes("a known minimum is recorded", |_: &Network, st: &State| {
                st.known.iter().any(|&k| k > 0)
            }),
        ]
    }
}

/// EEs `A` (0) and `B` (1) over shards `0..3`, and the first `count` (4 to 6) of these
/// transfers:
///
/// | | transfer | funded by |
/// |---|---|---|
/// | t0 | `A@0 → B@1: 3` | `M_A[0][0] = 4`, shared with t1 |
/// | t1 | `A@0 → A@2: 3` (same EE, other shard) | the same 4: t0 and t1 together need t2 |
/// | t2 | `B@2 → A@0: 2` | `M_B[2][2] = 3` |
/// | t3 | `B@1 → A@1: 4` (other EE, same shard) | `M_B[1][1] = 1` + t0, read from shard 0's crosslinked row |
/// | t4 | `A@1 → B@1: 2` (other EE, same shard) | `M_A[2][1] = 2`: a partial column proof of shard 2's row; nets against t3 in one block |
/// | t5 | `A@2 → B@0: 3` | t1, read from shard 0's crosslinked row |
///
/// Two blocks on shard 0 before t2 arrives can each fund t0 or t1 but not both (a
/// latest-first rejection, or a double spend if the own row is stale); t3 and t5 wait for
/// shard 0's crosslink. No column is spent by more than its genesis value plus what
/// transfers independent of it bring, so every order of inclusion can settle them all.
fn network(count: usize, fault: Fault) -> Network {
    let (shards, ees) = (3, 2);
    let mut genesis = vec![0i64; ees * shards * shards];
    let idx = |e: usize, r: usize, c: usize| (e * shards + r) * shards + c;
    genesis[idx(0, 0, 0)] = 4;
    genesis[idx(0, 2, 1)] = 2;
    genesis[idx(1, 1, 1)] = 1;
    genesis[idx(1, 2, 2)] = 3;
    let t = |from_shard, from_ee, to_shard, to_ee, amount| Transfer {
        from_shard,
        from_ee,
        to_shard,
        to_ee,
        amount,
    };
    let all = [
        t(0, 0, 1, 1, 3),
        t(0, 0, 2, 0, 3),
        t(2, 1, 0, 0, 2),
        t(1, 1, 1, 0, 4),
        t(1, 0, 1, 1, 2),
        t(2, 0, 0, 1, 3),
        t(0, 1, 2, 0, 3),
        t(1, 0, 0, 0, 4),
        t(1, 1, 2, 1, 2),
    ];
    assert!((4..=all.len()).contains(&count));
    Network { shards, ees, genesis, transfers: all[..count].to_vec(), settles_in_every_order: true, fault }
}

/// A random network (splitmix64 from `seed`): every EE holds 3–6 on one diagonal and 1–3
/// in one off-diagonal cell; `count` transfers of 1–4 between random (shard, EE) pairs.
/// Unlike [`network`] it may strand transfers no order can fund, so "every transfer
/// settles" is not claimed for it.
fn random_network(seed: u64, shards: usize, ees: usize, count: usize) -> Network {
    let mut state = seed;
    let mut next = |bound: usize| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % bound as u64) as usize
    };
    let mut genesis = vec![0i64; ees * shards * shards];
    for e in 0..ees {
        let home = next(shards);
        genesis[(e * shards + home) * shards + home] = 3 + next(4) as i64;
        let (r, c) = (next(shards), (next(shards - 1) + 1) % shards);
        let c = if c == r { (c + 1) % shards } else { c };
        genesis[(e * shards + r) * shards + c] += 1 + next(3) as i64;
    }
    let transfers = (0..count)
        .map(|_| {
            loop {
                let (from_shard, from_ee, to_shard, to_ee) =
                    (next(shards), next(ees), next(shards), next(ees));
                if (from_shard, from_ee) != (to_shard, to_ee) {
                    break Transfer {
                        from_shard: from_shard as u8,
                        from_ee: from_ee as u8,
                        to_shard: to_shard as u8,
                        to_ee: to_ee as u8,
                        amount: 1 + next(4) as u64,
                    };
                }
            }
        })
        .collect();
    Network { shards, ees, genesis, transfers, settles_in_every_order: false, fault: Fault::None }
}

/// Checks `n` exhaustively, breadth-first on every core; returns the checker and the time.
fn check(n: Network) -> (impl Checker<Network>, Duration) {
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let start = Instant::now();
    let checker = n.checker().threads(threads).spawn_bfs().join();
    (checker, start.elapsed())
}

/// One line naming the network and its transfers.
fn describe(n: &Network) -> String {
    let list: Vec<String> = n
        .transfers
        .iter()
        .enumerate()
        .map(|(i, x)| {
            format!("t{i}: EE{}@{} → EE{}@{}: {}", x.from_ee, x.from_shard, x.to_ee, x.to_shard, x.amount)
        })
        .collect();
    format!("{} shards × {} EEs × {} transfers ({})", n.shards, n.ees, n.transfers.len(), list.join("; "))
}

/// Checks the correct network with `count` transfers: no invariant is violated and every
/// `sometimes` property is met. Prints its size and time.
fn correct_model_has_no_violation(count: usize) {
    let n = network(count, Fault::None);
    let what = describe(&n);
    let (checker, took) = check(n);
    let schedules = schedules(checker.model());
    println!(
        "{what}: {} unique states ({} generated), depth {}, {schedules} complete schedules, {took:.2?}",
        checker.unique_state_count(),
        checker.state_count(),
        checker.max_depth(),
    );
    checker.assert_properties();
}

/// The number of complete schedules the states stand for: paths of distinct steps from
/// the initial state to a state with no next step. Asserts that the state graph has no
/// cycle (every step settles a transfer, raises a known minimum or advances a crosslink).
fn schedules(n: &Network) -> u128 {
    fn walk(n: &Network, st: &State, memo: &mut HashMap<State, Option<u128>>) -> u128 {
        match memo.get(st) {
            Some(Some(count)) => return *count,
            Some(None) => panic!("the state graph has a cycle through {st:?}"),
            None => {}
        }
        memo.insert(st.clone(), None);
        let mut next = n.next_states(st);
        next.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        next.dedup();
        let count = if next.is_empty() { 1 } else { next.iter().map(|s| walk(n, s, memo)).sum() };
        memo.insert(st.clone(), Some(count));
        count
    }
    let mut memo = HashMap::new();
    n.init_states().iter().map(|st| walk(n, st, &mut memo)).sum()
}

#[test]
fn four_transfers_satisfy_every_invariant_in_every_interleaving() {
    correct_model_has_no_violation(4);
}

#[test]
fn five_transfers_satisfy_every_invariant_in_every_interleaving() {
    correct_model_has_no_violation(5);
}

#[test]
fn six_transfers_satisfy_every_invariant_in_every_interleaving() {
    correct_model_has_no_violation(6);
}

#[test]
fn nine_transfers_satisfy_every_invariant_in_every_interleaving() {
    correct_model_has_no_violation(9);
}

/// Random networks of 4 shards, 3 EEs and 10 transfers: no invariant is violated (their
/// `sometimes` properties need not hold: a random workload may leave transfers unfunded).
#[test]
fn random_networks_of_4_shards_3_ees_and_10_transfers_satisfy_every_invariant() {
    let (mut states, mut generated, mut took) = (0, 0, Duration::ZERO);
    for seed in 1..=16 {
        let (checker, t) = check(random_network(seed, 4, 3, 10));
        for p in checker.model().properties() {
            if p.expectation == Expectation::Always {
                checker.assert_no_discovery(p.name);
            }
        }
        states += checker.unique_state_count();
        generated += checker.state_count();
        took += t;
    }
    println!(
        "16 random networks of 4 shards × 3 EEs × 10 transfers: {states} unique states ({generated} generated), {took:.2?}"
    );
}

/// Finds a shortest counterexample to "real balance ≥ 0" under `fault` and prints it.
///
/// stateright 0.31's BFS keeps the *last* violating path it met in a block of states, not
/// the first, so the search is bounded by depth, one more step at a time: the first depth
/// with a discovery gives a shortest path.
fn planted_fault_is_found(fault: Fault) -> Vec<Action> {
    const PROPERTY: &str = "real balance ≥ 0";
    let what = describe(&network(6, fault));
    let start = Instant::now();
    let mut explored = 0;
    let (checker, path) = (1..=20)
        .find_map(|steps| {
            // The initial state has depth 1; states at `target_max_depth` are not checked.
            let checker = network(6, fault)
                .checker()
                .target_max_depth(steps + 2)
                .finish_when(HasDiscoveries::AnyOf(BTreeSet::from([PROPERTY])))
                .spawn_bfs()
                .join();
            explored += checker.unique_state_count();
            let path = checker.discovery(PROPERTY)?;
            Some((checker, path))
        })
        .expect("the checker finds the planted fault");
    println!(
        "{fault:?} on {what}: counterexample found in {:.2?} ({explored} states over the depth-bounded runs):",
        start.elapsed()
    );
    let steps = path.into_vec();
    let n = checker.model();
    for (i, (_, action)) in steps.iter().enumerate() {
        if let Some(action) = action {
            println!("  {}. {action}", i + 1);
        }
    }
    let last = &steps.last().expect("a path has a state").0;
    for e in 0..n.ees {
        for c in 0..n.shards {
            let real = n.real(&last.cells, e, c);
            if real < 0 {
                println!("  → real_balance(shard {c}, EE{e}) = {real}");
            }
        }
    }
    steps.into_iter().filter_map(|(_, a)| a).collect()
}

#[test]
fn skipping_the_real_balance_check_is_caught_with_a_counterexample() {
    let actions = planted_fault_is_found(Fault::SkipBalanceCheck);
    assert!(!actions.is_empty());
}

#[test]
fn reading_the_own_row_as_of_the_last_crosslink_is_caught_with_a_counterexample() {
    let actions = planted_fault_is_found(Fault::StaleOwnRow);
    // Only an interleaving with two blocks on one shard before its crosslink shows it.
    let blocks = actions.iter().filter(|a| matches!(a, Action::Block { .. })).count();
    assert!(blocks >= 2, "{actions:?}");
}
