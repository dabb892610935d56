//! What a node of a multi-node network does besides what a lone devnet does (`crate::net`
//! drives it, one slot at a time): it produces blocks only for the shards it owns,
//! forwards transactions for the other shards to the network, validates foreign blocks
//! statelessly — roots and witnesses only — against its own crosslinked roots, and commits
//! a slot from its own blocks and the valid foreign ones. A shard whose block did not
//! come keeps its root for the slot. Every node keeps the full state of every shard (it
//! answers RPC for all of them), applying a foreign block only after it validated.
use super::*;
use ee_client::types::NetworkInfo;
use ee_host::exec::{WitnessStats, validate_block};
use ee_sdk::ShardBlock;
use std::sync::atomic::AtomicU64;

/// Sends a transaction for a shard another node owns to the network.
pub type Forward = Box<dyn Fn(ShardId, &ShardTransaction) + Send + Sync>;

/// A change of the beacon state every node applies at the start of slot `slot` (topic
/// `beacon`): a deployment or a deposit a node's RPC accepted. Operations of one slot are
/// applied in the order of their hashes ([`BeaconOp::hash`]).
#[derive(ee_sdk::codec::Encode, ee_sdk::codec::Decode, Clone, Debug, PartialEq, Eq)]
pub struct BeaconOp {
    /// The slot at whose start it is applied.
    pub slot: u64,
    /// What it does.
    pub kind: BeaconOpKind,
}

/// What a [`BeaconOp`] does.
#[derive(ee_sdk::codec::Encode, ee_sdk::codec::Decode, Clone, Debug, PartialEq, Eq)]
pub enum BeaconOpKind {
    /// Register a SCALE `NewExecutionScript` as EE `ee`: the id the accepting node
    /// answered. If another deployment took that id first, it is refused on every node
    /// (its deposit is not taken).
    Deploy {
        /// The script.
        script: Vec<u8>,
        /// The EE id it gets.
        ee: u32,
    },
    /// Add a SCALE `DepositReceipt` to the beacon state's deposits.
    Deposit {
        /// The receipt.
        receipt: Vec<u8>,
    },
}

impl BeaconOp {
    /// sha256 of its SCALE form: its identity and its place among its slot's operations.
    pub fn hash(&self) -> [u8; 32] {
        sha256(&self.encode())
    }
}

/// Gossips a beacon operation this node accepted to the network.
pub type Announce = Box<dyn Fn(&BeaconOp) + Send + Sync>;

/// The network's current slot by the genesis clock (whatever slot this node is at).
pub type Clock = Box<dyn Fn() -> u64 + Send + Sync>;

/// Beacon operations applied per slot, at most: the first ones in hash order (the same on
/// every node); the rest are refused. Bounds what a slot stores and serves.
pub const MAX_OPS_PER_SLOT: usize = 16;

/// Slots between accepting a beacon operation and applying it: time for the gossip to
/// reach every node before the slot starts.
pub const OP_LEAD: u64 = 2;

/// How far ahead of the open slot a gossiped beacon operation may be scheduled.
const OP_HORIZON: u64 = 16;

/// Beacon operations waiting for their slot, at most.
const MAX_PENDING_OPS: usize = 1024;

/// Counters of a network node.
#[derive(Debug, Default)]
pub struct NetStats {
    /// Slots committed (live or caught up).
    pub slots: AtomicU64,
    /// Slots taken from a peer.
    pub caught_up: AtomicU64,
    /// Foreign blocks that failed validation.
    pub rejected: AtomicU64,
    /// Shard-slots without a block.
    pub absent: AtomicU64,
    /// User transactions committed.
    pub txs: AtomicU64,
    /// Bytes of this node's own blocks gossiped.
    pub own_block_bytes: AtomicU64,
    /// Gossip payload bytes published by this node (blocks and transactions).
    pub gossip_out: AtomicU64,
    /// Gossip payload bytes received (each delivery once).
    pub gossip_in: AtomicU64,
    /// Connected peers.
    pub peers: AtomicU64,
    /// The most peers connected at once so far: the network's size as this node knows it.
    pub max_peers: AtomicU64,
    /// Set when the slot loop has stopped: the node no longer answers catch-up requests.
    pub stopped: std::sync::atomic::AtomicBool,
}

/// Which shards this node produces, and where transactions for the others go.
pub(super) struct Membership {
    owned: Vec<bool>,
    pub(super) forward: Forward,
    network: String,
    stats: Arc<NetStats>,
    /// Forwarded transactions still pending here (bounded by `NodeConfig::max_pending`).
    pub(super) forwarding: AtomicU64,
    announce: Announce,
    clock: Clock,
    /// Beacon operations accepted (here or by gossip) and not yet applied, by slot, in
    /// the order of their hashes.
    ops: Mutex<BTreeMap<u64, BTreeMap<[u8; 32], BeaconOp>>>,
}

impl Membership {
    pub(super) fn owns(&self, shard: ShardId) -> bool {
        self.owned.get(shard.0 as usize).copied().unwrap_or(false)
    }
}

/// This node's blocks of one slot, produced on the slot-start state and not committed.
pub struct OwnBlocks {
    slot: u64,
    produced: Produced,
}

impl OwnBlocks {
    /// The slot.
    pub fn slot(&self) -> u64 {
        self.slot
    }

    /// The blocks, one per owned shard.
    pub fn blocks(&self) -> impl Iterator<Item = &ShardBlock> {
        self.produced.results.iter().map(|r| &r.block)
    }
}

/// A block of a shard this node did not produce, validated against this node's view.
pub struct ForeignBlock {
    result: BlockResult,
}

impl ForeignBlock {
    /// The block.
    pub fn block(&self) -> &ShardBlock {
        &self.result.block
    }

    /// Its shard.
    pub fn shard(&self) -> u32 {
        self.result.block.shard.0
    }

    /// Its slot.
    pub fn slot(&self) -> u64 {
        self.result.block.slot
    }

    /// The post-state root validation computed.
    pub fn post_root(&self) -> Root {
        self.result.post_root
    }
}

/// A slot a network node committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetSlot {
    /// The slot.
    pub slot: u64,
    /// Shards whose block this node produced.
    pub own: Vec<u32>,
    /// Shards whose block came from another node and validated.
    pub foreign: Vec<u32>,
    /// Shards without a block this slot: their roots did not change.
    pub absent: Vec<u32>,
    /// User transactions committed.
    pub txs: u64,
    /// The crosslinked roots after the slot.
    pub roots: Vec<Root>,
}

/// A committed slot as a peer catching up asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotBlocks {
    /// The slot.
    pub slot: u64,
    /// Its blocks (SCALE `ShardBlock`) by shard; a shard without a block is absent.
    pub blocks: Vec<(u32, Vec<u8>)>,
    /// The crosslinked roots after it (`None` if the store did not record them).
    pub roots: Option<Vec<Root>>,
    /// The beacon operations (SCALE `BeaconOp`) applied at its start.
    pub ops: Vec<Vec<u8>>,
}

impl Node {
    /// Makes this node one of a network's: it produces only `owned` shards' blocks, and
    /// a transaction submitted for any other shard goes to `forward` (it stays pending
    /// here until a block of its shard commits it). Deployments and deposits become beacon
    /// operations: sent to `announce` and applied by every node at the start of a coming
    /// slot ([`Node::apply_beacon_ops`]). Once per node.
    pub fn join_network(
        &self,
        owned: &[u32],
        network: &str,
        stats: Arc<NetStats>,
        forward: Forward,
        announce: Announce,
        clock: Clock,
    ) -> Result<(), DevnetError> {
        let mut mask = vec![false; self.shards as usize];
        for s in owned {
            *mask.get_mut(*s as usize).ok_or(DevnetError::UnknownShard(*s))? = true;
        }
        self.network
            .set(Membership {
                owned: mask,
                forward,
                network: network.to_string(),
                stats,
                forwarding: AtomicU64::new(0),
                announce,
                clock,
                ops: Mutex::new(BTreeMap::new()),
            })
            .map_err(|_| DevnetError::Config("the node already joined a network".into()))
    }

    /// `ee_getNetwork`: the network this node is on, its shards and its counters.
    pub fn network_info(&self) -> Result<NetworkInfo, DevnetError> {
        let Some(net) = self.network.get() else {
            return Ok(NetworkInfo { owned: (0..self.shards).collect(), ..NetworkInfo::default() });
        };
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let s = &net.stats;
        Ok(NetworkInfo {
            network: Some(net.network.clone()),
            owned: (0..self.shards).filter(|x| net.owned[*x as usize]).collect(),
            peers: n(&s.peers),
            slots: n(&s.slots),
            caught_up: n(&s.caught_up),
            rejected: n(&s.rejected),
            absent: n(&s.absent),
            txs: n(&s.txs),
            own_block_bytes: n(&s.own_block_bytes),
            gossip_out: n(&s.gossip_out),
            gossip_in: n(&s.gossip_in),
        })
    }

    /// Whether this node produces `shard`'s blocks (every shard when not on a network).
    pub fn owns(&self, shard: u32) -> bool {
        shard < self.shards && self.network.get().is_none_or(|n| n.owns(ShardId(shard)))
    }

    /// The next slot to commit.
    pub fn next_slot(&self) -> Result<u64, DevnetError> {
        Ok(read(&self.state)?.head.slot)
    }

    /// Produces this node's blocks of the open slot from its owned shards' mempools, on
    /// the committed state (read lock only), validating each statelessly with
    /// `NodeConfig::validate`. A failure halts the node, as [`Node::produce_slot`]'s does.
    pub fn produce_owned(&self) -> Result<OwnBlocks, DevnetError> {
        self.live()?;
        let net = self.network.get().ok_or_else(|| DevnetError::Config("not on a network".into()))?;
        let st = read(&self.state)?;
        let slot = st.chain.world.beacon.slot;
        let blocks: Vec<(ShardId, Vec<ShardTransaction>)> = {
            let mut pool = lock(&self.pool)?;
            pool.mempools
                .iter_mut()
                .enumerate()
                .filter(|(s, _)| net.owned[*s])
                .map(|(s, queue)| {
                    let n = queue.len().min(self.config.max_block_txs);
                    (ShardId(s as u32), queue.drain(..n).map(|(_, tx)| tx).collect())
                })
                .collect()
        };
        match self.produce_blocks(&st, slot, blocks) {
            Ok(produced) => Ok(OwnBlocks { slot, produced }),
            Err(e) => {
                drop(st);
                self.halt(&mut *write(&self.state)?, e.to_string());
                Err(e)
            }
        }
    }

    /// Validates a block of the open slot statelessly — the block's witness against this
    /// node's crosslinked root of its shard, the meta-EE's proofs against the others —
    /// exactly as `ee validate` does. A block for another slot, a malformed one or one that
    /// fails is [`DevnetError::Rejected`]; nothing changes either way.
    pub fn validate_foreign(&self, block: ShardBlock) -> Result<ForeignBlock, DevnetError> {
        self.live()?;
        let st = read(&self.state)?;
        let beacon = &st.chain.world.beacon;
        let shard = block.shard.0;
        if shard >= self.shards {
            return Err(DevnetError::Rejected(format!("a block of shard {shard}, which does not exist")));
        }
        if block.slot != beacon.slot {
            return Err(DevnetError::Rejected(format!(
                "a block of slot {} for shard {shard} while slot {} is open",
                block.slot, beacon.slot
            )));
        }
        let pre_root = beacon.shard_roots[shard as usize];
        let v = validate_block(
            beacon,
            &beacon.shard_roots,
            pre_root,
            KeyLayout::ColumnMajor,
            &block,
            &st.chain.runner,
            &self.config.exec.costs,
            &self.config.exec.limits,
        )
        .map_err(|e| DevnetError::Rejected(format!("slot {} shard {shard}: {e}", block.slot)))?;
        let witness = WitnessStats { own_bytes: block.witness.len(), ..WitnessStats::default() };
        Ok(ForeignBlock {
            result: BlockResult {
                block,
                outcome: v.outcome,
                pre_root,
                post_root: v.post_root,
                witness,
                deferred: Vec::new(),
                dropped: Vec::new(),
            },
        })
    }

    /// Commits the open slot from this node's blocks (`own`, produced for this slot) and
    /// validated foreign blocks, in one store transaction; shards with neither keep their
    /// roots. Each foreign block's root as committed to the full state must equal the one
    /// stateless validation computed (a mismatch halts the node: the host disagrees with
    /// itself).
    pub fn commit_network_slot(
        &self,
        own: Option<OwnBlocks>,
        foreign: Vec<ForeignBlock>,
    ) -> Result<NetSlot, DevnetError> {
        let _writer = lock(&self.writer)?;
        self.live()?;
        let mut guard = write(&self.state)?;
        let st = &mut *guard;
        let slot = st.chain.world.beacon.slot;
        let mut paired: Vec<(BlockResult, Option<Root>, bool)> = Vec::new();
        if let Some(own) = own {
            if own.slot != slot {
                return Err(DevnetError::Config(format!("own blocks of slot {} for slot {slot}", own.slot)));
            }
            let Produced { results, validated, .. } = own.produced;
            let mut validated = validated.into_iter();
            paired.extend(results.into_iter().map(|r| (r, validated.next().flatten(), true)));
        }
        for f in foreign {
            if f.slot() != slot {
                return Err(DevnetError::Rejected(format!("a block of slot {} for slot {slot}", f.slot())));
            }
            let root = f.result.post_root;
            paired.push((f.result, Some(root), false));
        }
        paired.sort_by_key(|(r, _, _)| r.block.shard);
        if paired.windows(2).any(|w| w[0].0.block.shard == w[1].0.block.shard) {
            return Err(DevnetError::Rejected(format!("two blocks of one shard for slot {slot}")));
        }
        let mut summary =
            NetSlot { slot, own: vec![], foreign: vec![], absent: vec![], txs: 0, roots: vec![] };
        let mut present = vec![false; self.shards as usize];
        for (r, _, mine) in &paired {
            present[r.block.shard.0 as usize] = true;
            if *mine { &mut summary.own } else { &mut summary.foreign }.push(r.block.shard.0);
        }
        summary.absent = (0..self.shards).filter(|s| !present[*s as usize]).collect();
        let blocks: Vec<(ShardId, Vec<ShardTransaction>)> = paired
            .iter()
            .map(|(r, _, _)| {
                let txs = &r.block.transactions;
                (r.block.shard, txs[..txs.len().saturating_sub(1)].to_vec())
            })
            .collect();
        let reads = VheeState::netted_reads(&st.chain.world, &blocks);
        let (results, validated) = paired.into_iter().map(|(r, v, _)| (r, v)).unzip();
        let before = st.head.committed_txs;
        let (committed, deferred) = match self.commit(st, slot, Produced { results, reads, validated }) {
            Ok(r) => r,
            Err(e) => {
                self.halt(st, e.to_string());
                return Err(e);
            }
        };
        summary.txs = st.head.committed_txs - before;
        summary.roots = st.head.shard_roots.clone();
        drop(guard);
        self.after_commit(&committed, deferred)?;
        Ok(summary)
    }

    /// Puts the user transactions of blocks this node produced but did not commit back at
    /// the front of their mempools (those a committed block already holds excepted).
    pub fn requeue(&self, own: OwnBlocks) -> Result<(), DevnetError> {
        let mut back = Vec::new();
        for r in own.produced.results {
            let shard = r.block.shard;
            let mut txs = r.block.transactions;
            txs.pop();
            txs.extend(r.deferred);
            let mut keep = Vec::with_capacity(txs.len());
            for tx in txs {
                if self.store.tx(&tx_hash(shard, &tx))?.is_none() {
                    keep.push(tx);
                }
            }
            back.push((shard, keep));
        }
        self.after_commit(&[], back)
    }

    /// A forwarded transaction is no longer followed here (committed, or given up on): it
    /// leaves the pending set — a transaction the owner never took may be sent again.
    pub fn forwarded_done(&self, hash: &str) -> Result<(), DevnetError> {
        let h = parse_hash(hash)?;
        if let Some(net) = self.network.get() {
            let _ = net.forwarding.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        }
        if self.store.tx(&h)?.is_none() {
            lock(&self.pool)?.pending.remove(&h);
        }
        Ok(())
    }

    /// Takes a transaction another node forwarded for a shard this node owns, as
    /// [`Node::submit`] would (same checks; a duplicate is [`DevnetError::Duplicate`]).
    pub fn accept_forwarded(&self, shard: ShardId, tx: &ShardTransaction) -> Result<TxAccepted, DevnetError> {
        if !self.owns(shard.0) {
            return Err(DevnetError::Rejected(format!(
                "a transaction for shard {}, which another node owns",
                shard.0
            )));
        }
        self.submit(&TxRequest::new(shard.0, tx.ee_id.0, &tx.data))
    }

    /// Committed `slot`'s blocks and the roots after it, for a peer catching up (`None`
    /// if the slot is not committed here).
    pub fn slot_blocks(&self, slot: u64) -> Result<Option<SlotBlocks>, DevnetError> {
        if slot >= read(&self.state)?.head.slot {
            return Ok(None);
        }
        let mut blocks = Vec::new();
        for s in 0..self.shards {
            if let Some(b) = self.store.block(slot, s)? {
                blocks.push((s, b.block.encode()));
            }
        }
        let ops = self.store.slot_ops(slot)?.unwrap_or_default();
        Ok(Some(SlotBlocks { slot, blocks, roots: self.store.slot_roots(slot)?, ops }))
    }

    /// A deployment this node's RPC accepted (every check passed, code compiled): it is
    /// gossiped and registered by every node at the start of slot open + [`OP_LEAD`], as
    /// the id it would get now counting the deployments already scheduled.
    pub(super) fn announce_deploy(
        &self,
        bytes: &[u8],
        msg: &NewExecutionScript,
        hash: &Root,
    ) -> Result<DeployResult, DevnetError> {
        let net = self.network.get().ok_or_else(|| DevnetError::Config("not on a network".into()))?;
        let (slot, mut id) = {
            let st = read(&self.state)?;
            (st.head.slot.max((net.clock)()) + OP_LEAD, next_ee_id(&st)?)
        };
        let mut ops = lock(&net.ops)?;
        for op in ops.values().flat_map(|o| o.values()) {
            match &op.kind {
                BeaconOpKind::Deploy { script, ee } => {
                    if sha256(script) == *hash {
                        return Err(DevnetError::Replayed("deploy"));
                    }
                    id = id.max(ee.saturating_add(1));
                }
                BeaconOpKind::Deposit { .. } => {}
            }
        }
        if id == ee_sdk::META_EE.0 {
            return Err(DevnetError::IdsExhausted);
        }
        let op = BeaconOp { slot, kind: BeaconOpKind::Deploy { script: bytes.to_vec(), ee: id } };
        schedule(&mut ops, op.clone())?;
        drop(ops);
        (net.announce)(&op);
        Ok(self.deploy_result(id, msg, false, Some(slot)))
    }

    /// A deposit this node's RPC accepted: gossiped and added by every node at the start of
    /// slot open + [`OP_LEAD`]; its expected index counts the deposits already scheduled.
    pub(super) fn announce_deposit(&self, bytes: &[u8]) -> Result<DepositAccepted, DevnetError> {
        let net = self.network.get().ok_or_else(|| DevnetError::Config("not on a network".into()))?;
        let (slot, made) = {
            let st = read(&self.state)?;
            (st.head.slot.max((net.clock)()) + OP_LEAD, st.chain.world.beacon.deposits.len() as u64)
        };
        let mut ops = lock(&net.ops)?;
        let hash = sha256(bytes);
        let mut before = 0u64;
        for op in ops.values().flat_map(|o| o.values()) {
            if let BeaconOpKind::Deposit { receipt } = &op.kind {
                if sha256(receipt) == hash {
                    return Err(DevnetError::Replayed("deposit"));
                }
                before += 1;
            }
        }
        let op = BeaconOp { slot, kind: BeaconOpKind::Deposit { receipt: bytes.to_vec() } };
        schedule(&mut ops, op.clone())?;
        drop(ops);
        (net.announce)(&op);
        Ok(DepositAccepted { index: made + before, slot, activation_slot: Some(slot) })
    }

    /// A beacon operation another node gossiped: scheduled if it is for a coming slot (up
    /// to [`OP_HORIZON`] ahead) and its signature holds (a deployment's code also passes the
    /// gatekeeper; [`Node::precompile`] compiles it). The state's rules (sender,
    /// balance, replay, id) are checked when it is applied. [`DevnetError::Duplicate`] if
    /// it is scheduled already.
    pub fn accept_beacon_op(&self, op: BeaconOp) -> Result<(), DevnetError> {
        self.live()?;
        let net = self.network.get().ok_or_else(|| DevnetError::Config("not on a network".into()))?;
        let open = self.next_slot()?;
        if op.slot <= open || op.slot > open + OP_HORIZON {
            return Err(DevnetError::Rejected(format!(
                "a beacon operation for slot {} while slot {open} is open",
                op.slot
            )));
        }
        if lock(&net.ops)?.get(&op.slot).is_some_and(|o| o.contains_key(&op.hash())) {
            return Err(DevnetError::Duplicate(hex::encode(op.hash())));
        }
        self.check_op(&op)?;
        schedule(&mut *lock(&net.ops)?, op)
    }

    /// Compiles a scheduled deployment's code into the node's disk cache (if it has one)
    /// ahead of its slot, so its first block does not wait for it. Slow: not for the
    /// swarm task's thread.
    pub fn precompile(&self, op: &BeaconOp) {
        if let BeaconOpKind::Deploy { script, .. } = &op.kind
            && self.checker.disk_cache().is_some()
            && let Ok(msg) = NewExecutionScript::decode_all(&mut &script[..])
            && let Ok(_compiling) = lock(&self.compiling)
        {
            let _ = self.checker.load(&msg.code, Role::Ee);
        }
    }

    /// The checks of a beacon operation that need no changing state: decoding, the
    /// signature of a validator of the genesis (the set is fixed: every node answers
    /// alike) with that validator's key, and for a deployment the gatekeeper.
    fn check_op(&self, op: &BeaconOp) -> Result<CheckedOp, DevnetError> {
        let (sender, pubkey, checked) = match &op.kind {
            BeaconOpKind::Deploy { script, ee } => {
                let (msg, hash) = self.checked_script(script)?;
                (msg.sender, msg.pubkey, CheckedOp::Deploy { msg, hash, ee: *ee })
            }
            BeaconOpKind::Deposit { receipt } => {
                let (receipt, data, hash) = self.checked_receipt(receipt)?;
                (receipt.validator_index, receipt.pubkey, CheckedOp::Deposit { receipt, data, hash })
            }
        };
        match read(&self.state)?.validators.get(&sender) {
            None => return Err(DevnetError::UnknownSender(sender)),
            Some(v) if v.pubkey != pubkey => return Err(DevnetError::SenderKey(sender)),
            Some(_) => {}
        }
        if let CheckedOp::Deploy { msg, .. } = &checked {
            ee_host::runtime::gatekeeper::check(&msg.code, Role::Ee, &self.config.exec.limits)
                .map_err(|e| DevnetError::InvalidCode(e.to_string()))?;
        }
        Ok(checked)
    }

    /// Applies slot `slot`'s beacon operations at its start, before any of its blocks: the
    /// ones a peer applied (`given`, when catching the slot up from it), else the ones
    /// recorded for the slot (a restart between applying them and committing the slot),
    /// else the ones scheduled here. In the order of their hashes; each is checked against
    /// the state again, and one the state refuses (sender, balance, replay, an EE id taken
    /// first) is skipped, the same on every node. The list is recorded with the slot for
    /// peers catching up. Returns how many were applied.
    pub fn apply_beacon_ops(&self, slot: u64, given: Option<Vec<Vec<u8>>>) -> Result<usize, DevnetError> {
        let Some(net) = self.network.get() else { return Ok(0) };
        let scheduled = {
            let mut ops = lock(&net.ops)?;
            let mine = ops.remove(&slot).unwrap_or_default();
            ops.retain(|s, _| *s > slot);
            mine
        };
        let list: Vec<BeaconOp> = match given {
            Some(given) => given
                .iter()
                .map(|b| {
                    BeaconOp::decode_all(&mut &b[..]).ok().filter(|op| op.slot == slot).ok_or_else(|| {
                        DevnetError::Rejected(format!("a malformed beacon operation for slot {slot}"))
                    })
                })
                .collect::<Result<_, _>>()?,
            None => match self.store.slot_ops(slot)? {
                Some(stored) => stored
                    .iter()
                    .map(|b| {
                        BeaconOp::decode_all(&mut &b[..]).map_err(|_| StoreError::Corrupt("beacon operation"))
                    })
                    .collect::<Result<_, _>>()?,
                None => scheduled.into_values().collect(),
            },
        };
        let mut list: Vec<([u8; 32], BeaconOp)> = list.into_iter().map(|op| (op.hash(), op)).collect();
        list.sort_by_key(|(h, _)| *h);
        list.dedup_by_key(|(h, _)| *h);
        if list.is_empty() {
            return Ok(0);
        }
        list.truncate(MAX_OPS_PER_SLOT);
        // Recorded before applying (a restart in between runs the same list again; what
        // was applied is then refused as a replay), and again with only what applied.
        self.store.record_slot_ops(slot, &list.iter().map(|(_, op)| op.encode()).collect::<Vec<_>>())?;
        let mut applied = Vec::new();
        for (hash, op) in list {
            let encoded = op.encode();
            match self.apply_op(slot, op) {
                Ok(()) => applied.push(encoded),
                Err(e @ (DevnetError::Store(_) | DevnetError::Halted(_))) => return Err(e),
                // Applied already (this slot's list runs again after a restart or a retry).
                // A replay: applied in an earlier slot, refused on every node.
                Err(DevnetError::Replayed(_)) => tracing::debug!(slot, "beacon operation applied before"),
                Err(e) => {
                    tracing::warn!(slot, op = %hex::encode(hash), error = %e, "beacon operation refused")
                }
            }
        }
        self.store.record_slot_ops(slot, &applied)?;
        Ok(applied.len())
    }

    /// Applies one operation: its checks (signature included) before any lock, then the
    /// state's rules under the writer's lock.
    fn apply_op(&self, slot: u64, op: BeaconOp) -> Result<(), DevnetError> {
        let checked = self.check_op(&op)?;
        let _writer = lock(&self.writer)?;
        let mut guard = write(&self.state)?;
        let st = &mut *guard;
        let hash = match &checked {
            CheckedOp::Deploy { hash, .. } | CheckedOp::Deposit { hash, .. } => *hash,
        };
        if self.store.deploy_slot(&hash)? == Some(slot) {
            // Applied at this slot already: its list runs again after a restart.
            return Ok(());
        }
        match checked {
            CheckedOp::Deploy { msg, hash, ee } => {
                let validator = self.deployable(st, &msg, &hash)?;
                let next = next_ee_id(st)?;
                if ee != next {
                    return Err(DevnetError::Rejected(format!(
                        "a deployment as EE {ee}, while the next EE id is {next}"
                    )));
                }
                self.register_deploy(st, msg, validator, ee, &hash, slot)
            }
            CheckedOp::Deposit { receipt, data, hash } => {
                let after = self.depositable(st, &receipt, &data, &hash)?;
                self.register_deposit(st, receipt, after, &hash, slot).map(|_| ())
            }
        }
    }

    /// The beacon operations (SCALE) this node applied at the start of `slot`, if it ran
    /// that slot's list.
    pub fn recorded_beacon_ops(&self, slot: u64) -> Result<Option<Vec<Vec<u8>>>, DevnetError> {
        Ok(self.store.slot_ops(slot)?)
    }

    /// sha256 of the beacon state's EEs (ids and code hashes) and deposits (with their
    /// slots): two nodes with the same history agree on it (a node that missed a beacon
    /// operation does not).
    pub fn beacon_digest(&self) -> Result<[u8; 32], DevnetError> {
        let st = read(&self.state)?;
        let beacon = &st.chain.world.beacon;
        let ees: Vec<(u32, Root)> = beacon.ees.values().map(|e| (e.id.0, e.code_hash)).collect();
        Ok(sha256(&(ees, &beacon.deposits, &st.deposit_slots).encode()))
    }
}

/// A beacon operation decoded and checked ([`Node::check_op`]).
enum CheckedOp {
    Deploy { msg: NewExecutionScript, hash: Root, ee: u32 },
    Deposit { receipt: DepositReceipt, data: DepositData, hash: Root },
}

/// Adds `op` to the scheduled operations, within [`MAX_PENDING_OPS`].
fn schedule(ops: &mut BTreeMap<u64, BTreeMap<[u8; 32], BeaconOp>>, op: BeaconOp) -> Result<(), DevnetError> {
    if ops.values().map(BTreeMap::len).sum::<usize>() >= MAX_PENDING_OPS {
        return Err(DevnetError::Busy);
    }
    ops.entry(op.slot).or_default().insert(op.hash(), op);
    Ok(())
}
