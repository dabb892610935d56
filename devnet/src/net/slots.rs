//! The slot loop of a network node: for each slot, on the wall clock of the genesis file,
//!
//! 1. if the slot's time is already over (a restarted or slow node), ask the peers for
//!    it: a peer that committed it sends its blocks, which are validated one by one and
//!    committed, and the roots after it must equal the peer's;
//! 2. otherwise produce the owned shards' blocks and gossip them;
//! 3. validate foreign blocks as they arrive (gossipsub forwards only those that pass);
//! 4. once every foreign shard's block is in, commit; from the collect deadline, ask the
//!    peers for blocks still missing (a peer that already committed the slot answers with
//!    them, one that did not with those it holds) until the freeze;
//! 5. still missing blocks: settle on the peers' committed version, or the union of what
//!    they hold ([`Slots::live_slot`]);
//! 6. commit: own blocks, valid foreign ones; a shard without a block keeps its root.
use super::p2p::{Answer, Command, Event};
use super::wire::{SlotStatus, SyncRequest};
use super::{NetConfig, NetError, NetStats};
use crate::node::{ForeignBlock, Node, OP_LEAD};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{Root, ShardBlock};
use futures::channel::mpsc::UnboundedSender;
use libp2p::PeerId;
use libp2p::gossipsub::MessageAcceptance;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Blocks further ahead of the open slot than this are dropped, not buffered.
const LOOKAHEAD: u64 = 4;

/// A peer's committed slot: its blocks, the roots after it, the beacon operations applied
/// at its start.
type Version = (Vec<ShardBlock>, Option<Vec<Root>>, Vec<Vec<u8>>);

/// What the peers said about a slot.
#[derive(Default)]
struct Answers {
    /// The versions of the peers that committed it, in the order they came.
    committed: Vec<Version>,
    /// The blocks peers that have not committed it hold for it (not yet validated here).
    held: Vec<ShardBlock>,
    /// Whether any peer answered.
    answered: bool,
}

/// The blocks the slot loop holds for the slot it is collecting — its own, produced, and
/// the foreign ones validated — which the swarm gives peers that ask for that slot before
/// this node committed it. A node that missed a block's gossip gets it from any peer
/// holding it, and nodes still missing blocks at the settling time agree on the union of
/// what they all hold ([`Slots::live_slot`]).
#[derive(Default)]
pub(crate) struct Held(std::sync::Mutex<Option<SlotHeld>>);

/// A slot and its blocks held (SCALE, by shard).
type SlotHeld = (u64, BTreeMap<u32, Vec<u8>>);

impl Held {
    /// Holds `block` (SCALE) for `slot`, dropping what was held for another slot.
    fn insert(&self, slot: u64, block: &ShardBlock) {
        let mut held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if held.as_ref().is_none_or(|(s, _)| *s != slot) {
            *held = Some((slot, BTreeMap::new()));
        }
        if let Some((_, blocks)) = held.as_mut() {
            blocks.insert(block.shard.0, block.encode());
        }
    }

    /// Holds nothing (the slot was committed, or left to the others).
    fn clear(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The blocks held for `slot` (SCALE, by shard) of the shards `wanted` says; none if
    /// another slot is collected.
    pub(crate) fn get(&self, slot: u64, wanted: impl Fn(u32) -> bool) -> Vec<(u32, Vec<u8>)> {
        match &*self.0.lock().unwrap_or_else(|p| p.into_inner()) {
            Some((s, blocks)) if *s == slot => {
                blocks.iter().filter(|(k, _)| wanted(**k)).map(|(k, v)| (*k, v.clone())).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// Percent of a slot after which a node still missing blocks takes no more from gossip
/// (what it holds is frozen).
const FREEZE_PERCENT: u64 = 80;

/// Percent of a slot at which nodes still missing blocks ask their peers once more and
/// settle on one set (every node froze a tenth of a slot before).
const SETTLE_PERCENT: u64 = 90;

/// Percent of a slot until which settling takes answers (the commit then ends the slot).
const SETTLE_END_PERCENT: u64 = 95;

/// Slots of statuses kept to compare histories.
const STATUS_SLOTS: u64 = 16;

pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The slot loop's state.
pub(crate) struct Slots {
    pub(crate) node: Arc<Node>,
    pub(crate) config: NetConfig,
    pub(crate) commands: UnboundedSender<Command>,
    pub(crate) events: std::sync::mpsc::Receiver<Event>,
    pub(crate) stop: Arc<AtomicBool>,
    pub(crate) stats: Arc<NetStats>,
    /// Gossiped blocks of coming slots, first per shard.
    pub(crate) buffered: BTreeMap<u64, BTreeMap<u32, Event>>,
    /// Whether the `isolate` fault has cut this node off.
    pub(crate) isolated: bool,
    /// What this node committed in recent slots (hash of the roots after each).
    pub(crate) mine: BTreeMap<u64, [u8; 32]>,
    /// What peers said they committed in recent slots.
    pub(crate) theirs: BTreeMap<u64, HashMap<PeerId, [u8; 32]>>,
    /// The first slot in which more peers than agree with this node committed another
    /// history.
    pub(crate) diverged: Option<u64>,
    /// The last slot (genesis clock) in which this node was not listening or was cut off:
    /// beacon operations for the slots up to [`OP_LEAD`] after it may have been gossiped
    /// without it, so it takes those slots from its peers rather than running them.
    pub(crate) missed_until: Option<u64>,
    /// The last slot taken from a peer.
    pub(crate) caught_up: Option<u64>,
    /// The blocks of the slot being collected, as the swarm serves them.
    pub(crate) held: Arc<Held>,
}

impl Slots {
    /// Runs until stopped or `max_slots` slots were committed; returns the slots committed.
    /// Once it returns, the node no longer answers catch-up requests.
    pub(crate) fn run(mut self) -> Result<u64, NetError> {
        let stats = self.stats.clone();
        let result = self.slots();
        stats.stopped.store(true, Ordering::Relaxed);
        result
    }

    fn slots(&mut self) -> Result<u64, NetError> {
        let mut committed = 0;
        // Slots that began before this node listened: their blocks may have gone by.
        let listening_since = now_ms();
        if listening_since > self.config.genesis.slot_start_ms(0) {
            // Started after the network did: operations may have gone by.
            self.missed_until = Some(self.config.genesis.slot_at(listening_since));
        }
        self.wait_for_peers();
        while !self.stop.load(Ordering::Relaxed) && self.config.max_slots.is_none_or(|m| committed < m) {
            if let Some(slot) = self.diverged {
                return Err(NetError::Diverged { slot });
            }
            let slot = self.node.next_slot()?;
            let start = self.config.genesis.slot_start_ms(slot);
            let slot_ms = self.config.genesis.slot_ms;
            self.isolation(now_ms());
            if self.minority() {
                // Cut off from most of the network: commit nothing alone (the others go
                // on without this node's shards); catch up once reconnected.
                self.missed_until = Some(self.config.genesis.slot_at(now_ms()));
                if !self.sleep_until(now_ms() + slot_ms / 4) {
                    break;
                }
                continue;
            }
            if now_ms() >= start + slot_ms {
                // The slot is over: take it from a peer that committed it.
                match self.catch_up(slot) {
                    Ok(true) => {
                        committed += 1;
                        continue;
                    }
                    Ok(false) => tracing::info!(slot, "no peer committed this past slot: running it now"),
                    Err(NetError::CatchUp(why)) => {
                        // A peer's answer did not hold: ask again (another may answer).
                        tracing::warn!(slot, %why, "a peer's version of a past slot refused");
                        if !self.sleep_until(now_ms() + slot_ms / 4) {
                            break;
                        }
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            } else {
                if self.missed_until.is_some_and(|m| slot <= m + OP_LEAD) && self.network_live(slot) {
                    // Beacon operations for this slot may have been gossiped while this
                    // node was not listening: take the slot from a peer once it is over.
                    tracing::info!(slot, "operations may have been missed: catching this slot up");
                    if !self.sleep_until(start + slot_ms) {
                        break;
                    }
                    continue;
                }
                if !self.sleep_until(start) {
                    break;
                }
                // Too late to take part: more than a quarter into a slot that began before
                // this node listened (the others' blocks may have gone by), or past the
                // collect deadline of any slot (paused, or busy catching up): wait for
                // the slot to end, then catch it up.
                let limit = if start < listening_since {
                    self.config.join_percent
                } else {
                    self.config.collect_percent
                };
                if now_ms() > start + slot_ms * limit / 100 {
                    if !self.sleep_until(start + slot_ms) {
                        break;
                    }
                    continue;
                }
            }
            // The slot's beacon operations go first: its blocks may use what they add.
            self.node.apply_beacon_ops(slot, None)?;
            if self.live_slot(slot, start, slot_ms)? {
                committed += 1;
            }
        }
        Ok(committed)
    }

    /// Whether peers are committing slots near `slot` (their statuses say so, or this node
    /// just took a slot from one), so one of them will have it. Not after a restart of the whole network: then nobody is ahead,
    /// and nobody was listening to gossip either.
    fn network_live(&self, slot: u64) -> bool {
        let recent = |s: Option<&u64>| s.is_some_and(|s| s + 3 >= slot);
        recent(self.theirs.keys().next_back()) || recent(self.caught_up.as_ref())
    }

    /// Whether this node and its connected peers are fewer than half the nodes it has
    /// known (itself and the most peers connected at once): then it is the cut-off side
    /// of a partition and must not commit alone. Half is enough, so one of two nodes
    /// goes on when the other stops (a partition of two nodes then diverges).
    fn minority(&self) -> bool {
        let now = self.stats.peers.load(Ordering::Relaxed);
        let known = self.stats.max_peers.load(Ordering::Relaxed);
        2 * (now + 1) < known + 1
    }

    /// The `isolate` fault: cut off within its slots, joined again after.
    fn isolation(&mut self, now: u64) {
        let Some(super::Fault::Isolate { from, slots }) = self.config.fault else { return };
        let g = &self.config.genesis;
        let on = (g.slot_start_ms(from)..g.slot_start_ms(from.saturating_add(slots))).contains(&now);
        if on != self.isolated {
            self.isolated = on;
            let _ = self.commands.unbounded_send(Command::Isolate(on));
            if on {
                // Let the disconnections land before the next decision.
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// Waits (at most 5 s) for a first peer connection if peers were configured, so a
    /// restarted node asks the network before it runs a slot alone.
    fn wait_for_peers(&self) {
        if self.config.peers.is_empty() {
            return;
        }
        let until = Instant::now() + Duration::from_secs(5);
        while self.stats.peers.load(Ordering::Relaxed) == 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sleeps until `at_ms` (wall clock), taking gossip meanwhile; false if stopped.
    fn sleep_until(&mut self, at_ms: u64) -> bool {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            let now = now_ms();
            if now >= at_ms {
                return true;
            }
            self.take_events(Duration::from_millis((at_ms - now).min(100)));
        }
    }

    /// Buffers gossiped blocks arriving within `wait`.
    fn take_events(&mut self, wait: Duration) {
        let Ok(first) = self.events.recv_timeout(wait) else { return };
        // Nothing commits while events are taken: the open slot is read once per batch.
        let open = self.node.next_slot().unwrap_or(u64::MAX);
        let mut next = Some(first);
        while let Some(event) = next {
            next = self.events.try_recv().ok();
            let (block, id, source) = match event {
                Event::Block { block, id, source } => (block, id, source),
                // Statuses of slots near the open one only: a peer cannot fill the map.
                Event::Status { peer, status }
                    if status.slot.saturating_add(STATUS_SLOTS) >= open
                        && status.slot <= open.saturating_add(2) =>
                {
                    self.theirs.entry(status.slot).or_default().insert(peer, status.roots);
                    self.check(status.slot);
                    continue;
                }
                Event::Status { .. } => continue,
            };
            let shard = block.shard.0;
            if block.slot < open || block.slot > open.saturating_add(LOOKAHEAD) || self.node.owns(shard) {
                // Stale, too far ahead, or a block for a shard this node produces.
                let _ = self.commands.unbounded_send(Command::Report(id, source, MessageAcceptance::Ignore));
            } else {
                match self.buffered.entry(block.slot).or_default().entry(shard) {
                    std::collections::btree_map::Entry::Occupied(_) => {
                        let _ = self.commands.unbounded_send(Command::Report(
                            id,
                            source,
                            MessageAcceptance::Ignore,
                        ));
                    }
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert(Event::Block { block, id, source });
                    }
                }
            }
        }
    }

    /// Records and gossips what this node committed in `slot`: a hash of the roots after
    /// it and of the beacon state (a node that missed a beacon operation differs).
    fn committed(&mut self, slot: u64, roots: &[Root]) {
        let beacon = self.node.beacon_digest().unwrap_or_default();
        let hash: [u8; 32] = Sha256::digest((roots, beacon).encode()).into();
        self.mine.insert(slot, hash);
        let status = SlotStatus { slot, roots: hash, node: Vec::new() };
        let _ = self.commands.unbounded_send(Command::PublishStatus(status));
        // Statuses of slots long past are of no more use.
        let keep = slot.saturating_sub(STATUS_SLOTS);
        self.mine.retain(|s, _| *s >= keep);
        self.theirs.retain(|s, _| *s >= keep);
        self.check(slot);
    }

    /// Marks this node diverged if, for `slot`, more nodes gossiped one other history than
    /// hold this node's (itself included). Two nodes that disagree are a tie: neither
    /// yields.
    fn check(&mut self, slot: u64) {
        let (Some(mine), Some(theirs)) = (self.mine.get(&slot), self.theirs.get(&slot)) else { return };
        let mut counts: HashMap<[u8; 32], usize> = HashMap::new();
        for h in theirs.values() {
            *counts.entry(*h).or_default() += 1;
        }
        let agree = 1 + counts.get(mine).copied().unwrap_or(0);
        tracing::debug!(slot, agree, statuses = theirs.len(), histories = counts.len(), "statuses compared");
        if counts.iter().any(|(h, n)| h != mine && *n > agree) && self.diverged.is_none() {
            tracing::error!(slot, "more peers committed another history in this slot: this node diverged");
            self.diverged = Some(slot);
        }
    }

    /// Produces, gossips, collects and commits the open slot.
    /// Whether this node committed the slot (false: it was cut off and left it to the
    /// others, it was stopped, or it overran and no peer answered).
    ///
    /// Which blocks a slot holds is settled so that every node commits the same ones:
    /// - a node with every foreign block commits as soon as it has them;
    /// - one still missing some at the collect deadline asks its peers, who answer with
    ///   the slot if they committed it, or else with the blocks they hold for it (a block
    ///   whose gossip was lost comes from its producer that way);
    /// - one still missing some at [`FREEZE_PERCENT`] of the slot freezes what it holds,
    ///   commits nothing before [`SETTLE_PERCENT`], then asks again: a peer's committed
    ///   version wins if it validates here, has this node's beacon operations and holds
    ///   this node's own blocks (an overran node's need not be there); if nobody
    ///   committed it, the union of what the peers hold is committed, the same on every
    ///   node that heard the others before [`SETTLE_END_PERCENT`].
    fn live_slot(&mut self, slot: u64, start_ms: u64, slot_ms: u64) -> Result<bool, NetError> {
        let started = Instant::now();
        let own = self.node.produce_owned()?;
        for block in own.blocks() {
            self.held.insert(slot, block);
            if self.config.fault.is_some_and(|f| f.withholds(slot)) {
                continue;
            }
            let data = match self.config.fault {
                Some(fault) => fault.apply(block.clone()).encode(),
                None => block.encode(),
            };
            let _ = self.commands.unbounded_send(Command::PublishBlock(data, block.shard.0));
        }
        let expected: Vec<u32> = (0..self.node.shards()).filter(|s| !self.node.owns(*s)).collect();
        // The deadlines are the slot's on the genesis clock, the same at every node (not
        // counted from when this node began the slot).
        let at = |ms: u64| started + Duration::from_millis(ms.saturating_sub(now_ms()));
        let collect = at(start_ms + slot_ms * self.config.collect_percent / 100);
        let last = at(start_ms + slot_ms * FREEZE_PERCENT / 100);
        let mut foreign: BTreeMap<u32, ForeignBlock> = BTreeMap::new();
        let mut asked_at: Option<Instant> = None;
        loop {
            self.validate_buffered(slot, &mut foreign);
            if expected.iter().all(|s| foreign.contains_key(s)) {
                break;
            }
            let now = Instant::now();
            if now >= last {
                break;
            }
            if now >= collect && asked_at.is_none_or(|t| now >= t + Duration::from_millis(100)) {
                // Missing blocks: a peer that committed the slot, or holds them, has them.
                // Briefly, and 100 ms of gossip taken before the next ask.
                let wait = last.saturating_duration_since(now).min(Duration::from_millis(200));
                let blocks = self.ask(slot, &missing(&expected, &foreign), wait);
                self.take_blocks(slot, blocks, &mut foreign);
                asked_at = Some(Instant::now());
                continue;
            }
            let wait = if now < collect { collect - now } else { last - now };
            self.take_events(wait.min(Duration::from_millis(20)));
        }
        // Paused or starved past the slot's end, whatever it holds.
        let overran = now_ms() >= start_ms + slot_ms;
        let settle_ms = start_ms + slot_ms * SETTLE_PERCENT / 100;
        let missing = missing(&expected, &foreign);
        if !missing.is_empty() && !overran && !self.minority() {
            // Blocks still missing: what this node holds is frozen (gossip arriving now
            // is not taken) and nothing is committed before the settling time, when the
            // peers are asked again (every node has frozen by then).
            if !self.sleep_until(settle_ms) {
                self.held.clear();
                self.node.requeue(own)?;
                return Ok(false);
            }
        }
        if self.minority() {
            // Cut off while collecting: the others commit the slot without this node's
            // blocks; take theirs once reconnected.
            self.held.clear();
            self.node.requeue(own)?;
            tracing::warn!(slot, "cut off from most peers: the slot is left to the others");
            return Ok(false);
        }
        if overran || (!missing.is_empty() && now_ms() >= settle_ms) {
            // This node lacks blocks at the settling time, or it overran (paused, cut
            // off): the peers may have committed the slot, perhaps without this node's
            // blocks or with blocks it lacks. A committed version wins; else the blocks
            // they hold join.
            let wait = if overran {
                Duration::from_secs(2)
            } else {
                // Settling ends before the slot does: answers on a live network take
                // milliseconds; a paused peer's never come.
                let end = start_ms + slot_ms * SETTLE_END_PERCENT / 100;
                Duration::from_millis(end.saturating_sub(now_ms()).max(50))
            };
            let answers = self.ask_peers(slot, &missing, wait, false);
            // The operations this node applied at the slot's start (none recorded: none).
            let ops = self.node.recorded_beacon_ops(slot)?.unwrap_or_default();
            for version in answers.committed {
                if !same_ops(&ops, &version.2) {
                    tracing::warn!(slot, "a peer's version of the slot has other beacon operations: refused");
                    continue;
                }
                // Live, this node served its own blocks to every peer that asked: a version
                // without them comes from a peer that did not ask, or lies (an empty
                // version always validates). Overran (paused), it may not have answered.
                if !overran && !own.blocks().all(|b| version.0.contains(b)) {
                    tracing::warn!(slot, "a peer's version of the slot lacks this node's blocks: refused");
                    continue;
                }
                // Its roots are what its blocks give here once they validate: not taken
                // on trust.
                match self.commit_caught_up(slot, (version.0, None, version.2), overran) {
                    Ok(()) => {
                        tracing::info!(slot, "the peers committed the slot first: taking their version");
                        self.held.clear();
                        // What the peers' version did not commit goes back to the mempool.
                        self.node.requeue(own)?;
                        return Ok(true);
                    }
                    Err(NetError::CatchUp(why)) => tracing::warn!(slot, %why, "a peer's version refused"),
                    Err(e) => return Err(e),
                }
            }
            let alone = self.config.peers.is_empty() && self.stats.max_peers.load(Ordering::Relaxed) == 0;
            if overran && !answers.answered && !alone {
                // The peers did not answer (connections stale after a pause): commit
                // nothing stale; ask again from the top.
                self.held.clear();
                self.node.requeue(own)?;
                tracing::warn!(slot, "slot overran and no peer answered: asking again");
                return Ok(false);
            }
            // Nobody committed it (or no version held): the blocks the peers hold join.
            self.take_blocks(slot, Some(answers.held), &mut foreign);
        }
        if self.config.fault == Some(super::Fault::SkipForeign { slot }) {
            foreign.clear();
        }
        let summary = self.node.commit_network_slot(Some(own), foreign.into_values().collect())?;
        self.held.clear();
        self.committed(slot, &summary.roots);
        self.stats.slots.fetch_add(1, Ordering::Relaxed);
        self.stats.absent.fetch_add(summary.absent.len() as u64, Ordering::Relaxed);
        self.stats.txs.fetch_add(summary.txs, Ordering::Relaxed);
        tracing::info!(
            slot,
            own = summary.own.len(),
            foreign = summary.foreign.len(),
            absent = ?summary.absent,
            txs = summary.txs,
            ms = started.elapsed().as_millis() as u64,
            "slot committed"
        );
        self.buffered.retain(|s, _| *s > slot);
        Ok(true)
    }

    /// Validates blocks of `slot` a peer sent, for foreign shards still missing; the valid
    /// ones join `foreign` (and what this node holds).
    fn take_blocks(
        &mut self,
        slot: u64,
        blocks: Option<Vec<ShardBlock>>,
        foreign: &mut BTreeMap<u32, ForeignBlock>,
    ) {
        for block in blocks.into_iter().flatten().filter(|b| !self.node.owns(b.shard.0)) {
            let shard = block.shard.0;
            if foreign.contains_key(&shard) {
                continue;
            }
            match self.node.validate_foreign(block) {
                Ok(f) => {
                    self.held.insert(slot, f.block());
                    foreign.insert(shard, f);
                }
                Err(e) => {
                    self.stats.rejected.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(slot, shard, error = %e, "a peer's block rejected");
                }
            }
        }
    }

    /// Validates the buffered blocks of `slot` not yet validated; reports each verdict to
    /// gossipsub (a valid block is forwarded, an invalid one is not).
    fn validate_buffered(&mut self, slot: u64, foreign: &mut BTreeMap<u32, ForeignBlock>) {
        let Some(pending) = self.buffered.get_mut(&slot) else { return };
        let shards: Vec<u32> = pending.keys().copied().filter(|s| !foreign.contains_key(s)).collect();
        for shard in shards {
            let Some(Event::Block { block, id, source }) = pending.remove(&shard) else { continue };
            let verdict = match self.node.validate_foreign(block) {
                Ok(f) => {
                    self.held.insert(slot, f.block());
                    foreign.insert(shard, f);
                    MessageAcceptance::Accept
                }
                Err(e) => {
                    self.stats.rejected.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(slot, shard, %source, error = %e, "gossiped block rejected");
                    MessageAcceptance::Reject
                }
            };
            let _ = self.commands.unbounded_send(Command::Report(id, source, verdict));
        }
    }

    /// Asks every connected peer for `slot`, within `wait`: the blocks of the first peer
    /// that committed it, else those the peers hold for it of the shards `missing`.
    fn ask(&self, slot: u64, missing: &[u32], wait: Duration) -> Option<Vec<ShardBlock>> {
        let mut answers = self.ask_peers(slot, missing, wait, true);
        match answers.committed.pop() {
            Some((blocks, _, _)) => Some(blocks),
            None => Some(answers.held).filter(|h| !h.is_empty()),
        }
    }

    /// Asks every connected peer for `slot` (held blocks of the shards `missing` only, if
    /// not empty), for at most `wait`, until every peer answered (or, with
    /// `first_committed`, one answered with the committed slot).
    fn ask_peers(&self, slot: u64, missing: &[u32], wait: Duration, first_committed: bool) -> Answers {
        let mut answers = Answers::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let request = SyncRequest { slot, missing: missing.to_vec() };
        if self.commands.unbounded_send(Command::Request(request, tx)).is_err() {
            return answers;
        }
        let until = Instant::now() + wait;
        let mut outstanding = usize::MAX;
        let decode = |blocks: &[(u32, serde_bytes::ByteBuf)]| -> Vec<Option<ShardBlock>> {
            blocks
                .iter()
                .map(|(shard, b)| {
                    ShardBlock::decode_all(&mut &b[..])
                        .ok()
                        .filter(|blk| blk.shard.0 == *shard && blk.slot == slot)
                })
                .collect()
        };
        while outstanding > 0 {
            let left = until.saturating_duration_since(Instant::now());
            let Ok(answer) = rx.recv_timeout(left) else { break };
            let r = match answer {
                Answer::Asked(n) => {
                    outstanding = n;
                    continue;
                }
                Answer::Failed => {
                    outstanding = outstanding.saturating_sub(1);
                    continue;
                }
                Answer::Response(r) => {
                    outstanding = outstanding.saturating_sub(1);
                    answers.answered = true;
                    r
                }
            };
            if r.slot != slot {
                continue;
            }
            if !r.committed {
                // What it holds: at most one block per shard asked for (a peer cannot make
                // this node validate more), each on its own (a malformed one is left out).
                let mut seen = std::collections::BTreeSet::new();
                let asked: Vec<(u32, serde_bytes::ByteBuf)> = r
                    .blocks
                    .into_iter()
                    .filter(|(s, _)| (missing.is_empty() || missing.contains(s)) && seen.insert(*s))
                    .take(self.node.shards() as usize)
                    .collect();
                answers.held.extend(decode(&asked).into_iter().flatten());
                continue;
            }
            if r.blocks.len() > self.node.shards() as usize {
                tracing::warn!(slot, "a peer's answer has more blocks than shards");
                continue;
            }
            let blocks: Option<Vec<ShardBlock>> = decode(&r.blocks).into_iter().collect();
            let roots: Option<Option<Vec<Root>>> = r
                .roots
                .map(|rs| rs.iter().map(|h| hex::decode(h).ok().and_then(|b| b.try_into().ok())).collect())
                .map_or(Some(None), |rs: Option<Vec<Root>>| rs.map(Some));
            let ops = r.ops.into_iter().map(|b| b.into_vec()).collect();
            match (blocks, roots) {
                (Some(b), Some(r)) => {
                    answers.committed.push((b, r, ops));
                    if first_committed {
                        break;
                    }
                }
                _ => tracing::warn!(slot, "a peer's answer is malformed"),
            }
        }
        answers
    }

    /// Takes past `slot` from a peer that committed it: every block validated here
    /// (this node's own shards' too), then committed; the roots after it must equal the
    /// peer's. False if no peer has it.
    fn catch_up(&mut self, slot: u64) -> Result<bool, NetError> {
        let mut answers = self.ask_peers(slot, &[], Duration::from_secs(3), true);
        match answers.committed.pop() {
            Some(version) => {
                self.commit_caught_up(slot, version, true)?;
                Ok(true)
            }
            None if answers.answered => Ok(false),
            // Alone from the start (a one-node network): nobody to ask.
            None if self.stats.max_peers.load(Ordering::Relaxed) == 0 => Ok(false),
            None => Err(NetError::CatchUp(format!("slot {slot}: no peer answered"))),
        }
    }

    /// Commits a peer's version of `slot`: its beacon operations (checked again here),
    /// then its blocks, each validated. `past`: the slot's time is over (catching up, or
    /// overran), not the open slot being settled — only then is it counted as caught up.
    fn commit_caught_up(
        &mut self,
        slot: u64,
        (blocks, roots, ops): (Vec<ShardBlock>, Option<Vec<Root>>, Vec<Vec<u8>>),
        past: bool,
    ) -> Result<(), NetError> {
        // A peer's answer naming one shard twice is refused before anything is applied.
        let mut shards: Vec<u32> = blocks.iter().map(|b| b.shard.0).collect();
        shards.sort_unstable();
        if shards.windows(2).any(|w| w[0] == w[1]) {
            return Err(NetError::CatchUp(format!("slot {slot}: a shard named twice")));
        }
        // Operations this node applied to the slot already (it ran the slot, which then
        // overran) must be the peer's: two lists in one slot are two histories.
        if let Some(mine) = self.node.recorded_beacon_ops(slot)?
            && !same_ops(&mine, &ops)
        {
            return Err(NetError::Diverged { slot });
        }
        self.node.apply_beacon_ops(slot, Some(ops)).map_err(|e| match e {
            crate::DevnetError::Rejected(why) => NetError::CatchUp(format!("slot {slot}: {why}")),
            e => e.into(),
        })?;
        let mut foreign = Vec::with_capacity(blocks.len());
        for block in blocks {
            let shard = block.shard.0;
            foreign.push(
                self.node
                    .validate_foreign(block)
                    .map_err(|e| NetError::CatchUp(format!("slot {slot} shard {shard}: {e}")))?,
            );
        }
        let summary = self.node.commit_network_slot(None, foreign).map_err(|e| match e {
            crate::DevnetError::Rejected(why) => NetError::CatchUp(format!("slot {slot}: {why}")),
            e => e.into(),
        })?;
        self.committed(slot, &summary.roots);
        if let Some(roots) = roots
            && roots != summary.roots
        {
            return Err(NetError::Diverged { slot });
        }
        if past {
            // Taken after its time: counted as caught up. A version taken while settling
            // the open slot is a live slot.
            self.caught_up = Some(slot);
            self.stats.caught_up.fetch_add(1, Ordering::Relaxed);
        }
        self.stats.slots.fetch_add(1, Ordering::Relaxed);
        self.stats.absent.fetch_add(summary.absent.len() as u64, Ordering::Relaxed);
        self.stats.txs.fetch_add(summary.txs, Ordering::Relaxed);
        tracing::info!(slot, blocks = summary.foreign.len(), past, "slot caught up from a peer");
        self.buffered.retain(|s, _| *s > slot);
        Ok(())
    }
}

/// The shards of `expected` without a block in `foreign`.
fn missing(expected: &[u32], foreign: &BTreeMap<u32, ForeignBlock>) -> Vec<u32> {
    expected.iter().copied().filter(|s| !foreign.contains_key(s)).collect()
}

/// Whether two lists of SCALE beacon operations hold the same operations (in any order).
fn same_ops(a: &[Vec<u8>], b: &[Vec<u8>]) -> bool {
    let set = |l: &[Vec<u8>]| l.iter().cloned().collect::<std::collections::BTreeSet<_>>();
    set(a) == set(b)
}
