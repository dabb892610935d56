//! The devnet node: state, mempools, block production, deployments, queries.
//!
//! [`network`] adds what a node of a multi-node network does besides (`crate::net`).
mod network;

use crate::genesis::Genesis;
use crate::genesis::VHEE_EE;
use crate::provider::{NettedReads, VheeState, key_of};
use crate::store::{SlotWrite, Store, StoreError};
use crate::types::{Head, StoredBlock, StoredEe, Validator};
use ee_client::error::ErrorCode;
use ee_client::report::BlockReport;
use ee_client::types::{
    ChainConfig, DeployResult, DepositAccepted, DepositInfo, EeInfo, EeRoots, HeadInfo, Hex, ProofInfo,
    TxAccepted, TxLocation, TxRequest, WitnessInfo,
};
use ee_client::{NewExecutionScript, tx_hash};
use ee_host::abi::Role;
use ee_host::exec::{BlockResult, Chain, ChainError, ExecConfig};
use ee_host::genesis::GenesisError;
use ee_host::limits::MAX_SHARDS;
use ee_host::report::{ReportContext, block_report};
use ee_host::runtime::disk_cache::{self, DiskCache};
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::state::StateKey;
use ee_host::state::keys::value_u64;
use ee_host::state::{EeEntry, KeyLayout, StateError, World};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{DepositData, DepositReceipt, EeId, MetaTransaction, Root, ShardId, ShardTransaction};
pub use network::{
    Announce, BeaconOp, BeaconOpKind, Clock, ForeignBlock, Forward, MAX_OPS_PER_SLOT, NetSlot, NetStats,
    OP_LEAD, OwnBlocks, SlotBlocks,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};
use std::time::Duration;

/// Gas reported for a deployment (the devnet charges only the deposit): base …
pub const DEPLOY_GAS_BASE: u64 = 100_000;
/// … plus per byte of code.
pub const DEPLOY_GAS_PER_BYTE: u64 = 200;

/// How the node runs.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// The redb file.
    pub db: PathBuf,
    /// Shards (only used when creating the store).
    pub shards: u32,
    /// Slot length.
    pub slot_ms: u64,
    /// Compiler for EEs (singlepass by default: linear-time compilation of untrusted code).
    pub engine: EngineKind,
    /// Prices and bounds.
    pub exec: ExecConfig,
    /// Most user transactions per block.
    pub max_block_txs: usize,
    /// Most pending transactions per shard.
    pub max_pending: usize,
    /// Deposit a deployment locks (Gwei).
    pub ee_deposit: u64,
    /// Largest EE code a deployment may carry.
    pub max_code_bytes: usize,
    /// Largest transaction data accepted into a mempool (also capped by
    /// `exec.limits.tx_data_bytes`).
    pub max_tx_bytes: usize,
    /// Validate every produced block statelessly (roots and witness only, a runtime of
    /// its own) before committing it; a block that fails halts the node.
    pub validate: bool,
    /// Keep compiled modules on disk here (shared with other processes; see
    /// `ee_host::runtime::disk_cache`), so a restarted node compiles nothing it compiled
    /// before. `None`: in memory only.
    pub module_cache: Option<PathBuf>,
    /// Wall-time budget of a slot's block production: past its share of it, a block
    /// takes no further transactions (they wait for the next slot), so a slot of slow
    /// transactions is cut, not stretched. `None`: gas limits only.
    pub slot_budget_ms: Option<u64>,
}

impl NodeConfig {
    /// Defaults for a store at `db`.
    pub fn new(db: PathBuf) -> Self {
        NodeConfig {
            db,
            shards: 4,
            slot_ms: 1000,
            engine: EngineKind::Singlepass,
            exec: {
                let mut exec = ExecConfig::default();
                // Transactions pay for their gas on the devnet: 1 Gwei per 1,000 gas.
                exec.limits.gas_price = 1;
                exec
            },
            max_block_txs: 512,
            max_pending: 16_384,
            ee_deposit: 500 * 1_000_000_000,
            max_code_bytes: 512 * 1024,
            max_tx_bytes: 128 * 1024,
            validate: false,
            module_cache: None,
            slot_budget_ms: Some(1000),
        }
    }
}

/// Why a request or the node failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevnetError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Producing a block failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// State access failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// Setting up the genesis world failed.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// Rebuilding the world from the store failed.
    #[error(transparent)]
    World(#[from] ee_host::state::WorldError),
    /// The configuration does not fit the store.
    #[error("{0}")]
    Config(String),
    /// The rebuilt state does not give the committed roots.
    #[error("state of shard {shard} rebuilt from the store has root {rebuilt}, the head says {stored}")]
    Inconsistent {
        /// The shard.
        shard: u32,
        /// Root in the head.
        stored: String,
        /// Root rebuilt from the leaves.
        rebuilt: String,
    },
    /// Malformed parameters.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// A deployment's signature does not verify.
    #[error("bad signature")]
    BadSignature,
    /// A deployment from an unknown validator.
    #[error("unknown sender {0}")]
    UnknownSender(u64),
    /// A deployment signed with another key than the sender's.
    #[error("sender {0} has another key")]
    SenderKey(u64),
    /// A signed deployment or deposit receipt that was already applied (an identical
    /// deposit — same validator, shard, EE, portion and amount — is a replay).
    #[error("replayed {0}: this signed operation was already applied")]
    Replayed(&'static str),
    /// Code the host would refuse (as `ee check`).
    #[error("invalid wasm: {0}")]
    InvalidCode(String),
    /// The sender cannot lock the deposit.
    #[error("insufficient deposit: balance {balance} < required {required}")]
    InsufficientDeposit {
        /// Its balance.
        balance: u64,
        /// The required deposit.
        required: u64,
    },
    /// A shard that does not exist.
    #[error("shard {0} does not exist")]
    UnknownShard(u32),
    /// An EE that is not registered (or may not be sent to).
    #[error("EE {0} does not exist or does not take transactions")]
    UnknownEe(u32),
    /// Transaction data over the limit.
    #[error("transaction data of {len} bytes exceeds {max}")]
    TooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The shard's mempool is full.
    #[error("mempool of shard {0} is full")]
    MempoolFull(u32),
    /// The same transaction is pending or committed.
    #[error("transaction {0} is already pending or committed")]
    Duplicate(String),
    /// Nothing there.
    #[error("not found")]
    NotFound,
    /// Code over the deployment size limit.
    #[error("code of {len} bytes exceeds the deployment limit of {max}")]
    CodeTooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An earlier slot failed to commit; the node must be restarted (it resumes from the
    /// store).
    #[error("node halted: {0}")]
    Halted(String),
    /// Another state-provider preview is running; retry.
    #[error("busy: another ee_getWitness is running, retry")]
    Busy,
    /// No more EE ids.
    #[error("EE ids exhausted")]
    IdsExhausted,
    /// The state provider's copy of an EE's state no longer follows the chain.
    #[error("state provider: {0}")]
    Stale(String),
    /// A produced block failed the node's own stateless validation (`--validate`).
    #[error("produced block failed validation: {0}")]
    Invalid(String),
    /// The transaction was dropped: its block could not be netted even with it alone.
    #[error("transaction dropped: {0}")]
    Dropped(String),
    /// A foreign block (from another node) failed validation; nothing changed.
    #[error("foreign block rejected: {0}")]
    Rejected(String),
}

impl DevnetError {
    /// The JSON-RPC error code: [`ErrorCode::InvalidParams`] for malformed parameters,
    /// [`ErrorCode::Internal`] for node faults, a refusal code otherwise.
    pub fn code(&self) -> ErrorCode {
        match self {
            DevnetError::Malformed(_) => ErrorCode::InvalidParams,
            DevnetError::BadSignature => ErrorCode::BadSignature,
            DevnetError::UnknownSender(_) => ErrorCode::UnknownSender,
            DevnetError::SenderKey(_) => ErrorCode::SenderKey,
            DevnetError::Replayed(_) => ErrorCode::Replayed,
            DevnetError::InvalidCode(_) => ErrorCode::InvalidCode,
            DevnetError::InsufficientDeposit { .. } => ErrorCode::InsufficientDeposit,
            DevnetError::UnknownShard(_) => ErrorCode::UnknownShard,
            DevnetError::UnknownEe(_) => ErrorCode::UnknownEe,
            DevnetError::TooLarge { .. } => ErrorCode::TooLarge,
            DevnetError::MempoolFull(_) => ErrorCode::MempoolFull,
            DevnetError::Duplicate(_) => ErrorCode::Duplicate,
            DevnetError::NotFound => ErrorCode::NotFound,
            DevnetError::CodeTooLarge { .. } => ErrorCode::CodeTooLarge,
            DevnetError::Busy => ErrorCode::Busy,
            DevnetError::Dropped(_) => ErrorCode::Dropped,
            _ => ErrorCode::Internal,
        }
    }
}

/// Chain state: changed by block production, deployments and deposits, one at a time
/// (each holds `Node::writer` throughout). Block production runs the EEs under a *read*
/// lock — producing reads only the slot-start state — and takes the write lock only to
/// commit, so RPC reads are served from the last committed state and never wait for
/// EEs to run. Lock order: `writer`, then `State`, then `Pool`.
struct State {
    chain: Chain<Runtime>,
    /// The state provider's copy of the VHEE's trees.
    vhee: VheeState,
    /// The slot each beacon deposit receipt was made in (index = receipt index).
    deposit_slots: Vec<u64>,
    validators: BTreeMap<u64, Validator>,
    head: Head,
    /// Why the node halted (memory ahead of the store), if it did.
    halted: Option<String>,
}

/// Mempools: changed by submissions without waiting for block production.
struct Pool {
    mempools: Vec<VecDeque<(Root, ShardTransaction)>>,
    /// Hashes drained or pending but not yet committed.
    pending: HashSet<Root>,
    /// EEs that take transactions.
    ees: HashSet<u32>,
}

/// The node. Every method takes `&self`: submissions contend only for the mempool, never
/// for a slot being produced.
pub struct Node {
    state: RwLock<State>,
    /// Held by whatever changes `state` (production, deployment, deposit) for its whole
    /// run, so the state read while producing is the state committed to.
    writer: Mutex<()>,
    /// One deployment compilation at a time (others get [`DevnetError::Busy`]).
    compiling: Mutex<()>,
    pool: Mutex<Pool>,
    store: Store,
    config: NodeConfig,
    shards: u32,
    /// Set with `State::halted`; read without the state lock.
    halted: AtomicBool,
    /// One state-provider preview at a time.
    preview: Mutex<()>,
    /// Validates deployments without the state lock and without caching.
    checker: Runtime,
    /// Runs the stateless validation of produced blocks (`NodeConfig::validate`).
    validator: Option<Runtime>,
    created: bool,
    /// Set once when the node joins a network ([`Node::join_network`]).
    network: OnceLock<network::Membership>,
}

fn sha256(bytes: &[u8]) -> Root {
    Sha256::digest(bytes).into()
}

/// The next user EE id: after the highest (the meta-EE sits at the top of the id space,
/// `ee_sdk::META_EE`).
fn next_ee_id(st: &State) -> Result<u32, DevnetError> {
    match st.chain.world.beacon.ees.values().filter(|e| e.role != Role::Meta).map(|e| e.id.0).max() {
        None => Ok(0),
        Some(m) => m.checked_add(1).filter(|&id| id != ee_sdk::META_EE.0).ok_or(DevnetError::IdsExhausted),
    }
}

fn entry_of(ee: &StoredEe) -> EeEntry {
    let role = if ee.role == 1 { Role::Meta } else { Role::Ee };
    let mut e = EeEntry::new(EeId(ee.id), ee.name.clone(), role, ee.code.clone().into());
    e.deposit = ee.deposit;
    e
}

fn lock<T>(m: &Mutex<T>) -> Result<MutexGuard<'_, T>, DevnetError> {
    m.lock().map_err(|_| DevnetError::Halted("a lock was poisoned".into()))
}

fn read<T>(m: &RwLock<T>) -> Result<RwLockReadGuard<'_, T>, DevnetError> {
    m.read().map_err(|_| DevnetError::Halted("a lock was poisoned".into()))
}

fn write<T>(m: &RwLock<T>) -> Result<RwLockWriteGuard<'_, T>, DevnetError> {
    m.write().map_err(|_| DevnetError::Halted("a lock was poisoned".into()))
}

/// Takes `m` if it is free; [`DevnetError::Busy`] if not.
fn try_lock<T>(m: &Mutex<T>) -> Result<MutexGuard<'_, T>, DevnetError> {
    match m.try_lock() {
        Ok(g) => Ok(g),
        Err(TryLockError::WouldBlock) => Err(DevnetError::Busy),
        Err(TryLockError::Poisoned(_)) => Err(DevnetError::Halted("a lock was poisoned".into())),
    }
}

fn parse_hash(hash: &str) -> Result<Root, DevnetError> {
    hex::decode(hash.trim_start_matches("0x"))
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| DevnetError::Malformed("a hash is 32 hex-encoded bytes".into()))
}

impl Node {
    /// Opens the devnet in `config.db`: resumes it, or creates it from `genesis`.
    pub fn open(config: NodeConfig, genesis: Option<Genesis>) -> Result<Node, DevnetError> {
        let store = Store::open(&config.db)?;
        let disk = match &config.module_cache {
            Some(dir) => Some(Arc::new(
                DiskCache::open(dir, disk_cache::DEFAULT_MAX_BYTES)
                    .map_err(|e| DevnetError::Config(e.to_string()))?,
            )),
            None => None,
        };
        let mut runtime = Runtime::new(config.engine, config.exec.costs.clone(), config.exec.limits.clone());
        if let Some(d) = &disk {
            runtime = runtime.with_disk_cache(d.clone());
        }
        let mut checker = Runtime::new(config.engine, config.exec.costs.clone(), config.exec.limits.clone());
        if let Some(d) = &disk {
            // Applied deployments are compiled into the shared disk cache, so the first
            // block using the new EE loads it instead of compiling it.
            checker = checker.with_disk_cache(d.clone());
        }
        let (config_validate, engine, costs, limits) =
            (config.validate, config.engine, config.exec.costs.clone(), config.exec.limits.clone());
        let stored = store.head()?;
        let created = stored.is_none();
        let (mut world, validators, head) = match stored {
            Some(head) => Self::restore(&store, head)?,
            None => {
                let genesis = genesis.ok_or_else(|| {
                    DevnetError::Config(format!(
                        "{} holds no devnet and no genesis was given",
                        config.db.display()
                    ))
                })?;
                Self::create(&store, &config, genesis)?
            }
        };
        let deposits = store.deposits()?;
        let deposit_slots = deposits.iter().map(|(slot, _)| *slot).collect();
        world.beacon.deposits = deposits.into_iter().map(|(_, r)| r).collect();
        let vhee = VheeState::restore(&world, store.vhee_leaves()?);
        let shards = world.shard_count();
        let ees = world.beacon.ees.values().filter(|e| e.role == Role::Ee).map(|e| e.id.0).collect();
        let chain = Chain::new(world, runtime, config.exec.clone());
        Ok(Node {
            state: RwLock::new(State { chain, vhee, deposit_slots, validators, head, halted: None }),
            writer: Mutex::new(()),
            compiling: Mutex::new(()),
            pool: Mutex::new(Pool {
                mempools: vec![VecDeque::new(); shards as usize],
                pending: HashSet::new(),
                ees,
            }),
            store,
            config,
            shards,
            halted: AtomicBool::new(false),
            preview: Mutex::new(()),
            checker,
            validator: config_validate.then(|| Runtime::new(engine, costs.clone(), limits.clone())),
            created,
            network: OnceLock::new(),
        })
    }

    /// Whether `open` created the network (false: resumed it).
    pub fn created(&self) -> bool {
        self.created
    }

    fn live(&self) -> Result<(), DevnetError> {
        if self.halted.load(Ordering::Acquire) {
            let why = read(&self.state)?.halted.clone().unwrap_or_default();
            return Err(DevnetError::Halted(why));
        }
        Ok(())
    }

    fn halt(&self, st: &mut State, why: String) {
        tracing::error!(%why, "devnet halted");
        st.halted = Some(why);
        self.halted.store(true, Ordering::Release);
    }

    fn restore(store: &Store, head: Head) -> Result<(World, BTreeMap<u64, Validator>, Head), DevnetError> {
        let shards = store.shards()?.ok_or(StoreError::Corrupt("shard count"))?;
        let mut world = World::new(shards, KeyLayout::ColumnMajor)?;
        for ee in store.ees()? {
            world.register(entry_of(&ee))?;
        }
        for s in 0..shards {
            world.restore(ShardId(s), store.leaves(s)?)?;
        }
        world.crosslink();
        world.beacon.slot = head.slot;
        if head.shard_roots.len() != shards as usize {
            return Err(StoreError::Corrupt("head").into());
        }
        for (s, stored) in head.shard_roots.iter().enumerate() {
            let rebuilt = world.shard(ShardId(s as u32))?.root();
            if &rebuilt != stored {
                return Err(DevnetError::Inconsistent {
                    shard: s as u32,
                    stored: hex::encode(stored),
                    rebuilt: hex::encode(rebuilt),
                });
            }
        }
        Ok((world, store.validators()?, head))
    }

    fn create(
        store: &Store,
        config: &NodeConfig,
        genesis: Genesis,
    ) -> Result<(World, BTreeMap<u64, Validator>, Head), DevnetError> {
        if config.shards == 0 || config.shards > MAX_SHARDS {
            return Err(DevnetError::Config(format!("{} shards: choose 1 to {MAX_SHARDS}", config.shards)));
        }
        let spec = genesis.spec(config.shards);
        let world = spec.build()?;
        let ees: Vec<StoredEe> = spec
            .ees
            .iter()
            .map(|e| StoredEe {
                id: e.id.0,
                name: e.name.clone(),
                role: u8::from(e.role == Role::Meta),
                code: e.code.to_vec(),
                deposit: e.deposit,
                deployer: u64::MAX,
                registered_at: 0,
            })
            .collect();
        let leaves = (0..config.shards)
            .map(|s| Ok((s, world.shard(ShardId(s))?.leaves())))
            .collect::<Result<BTreeMap<_, _>, DevnetError>>()?;
        let validators: BTreeMap<u64, Validator> =
            genesis.validators.iter().enumerate().map(|(i, v)| (i as u64, *v)).collect();
        let head = Head { slot: 0, shard_roots: world.beacon.shard_roots.clone(), committed_txs: 0 };
        store.write_genesis(config.shards, &head, &ees, &validators, &leaves)?;
        Ok((world, validators, head))
    }

    /// The configuration.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// Shard count.
    pub fn shards(&self) -> u32 {
        self.shards
    }

    /// The committed head.
    pub fn head(&self) -> Result<HeadInfo, DevnetError> {
        let st = read(&self.state)?;
        let pending = lock(&self.pool)?.mempools.iter().map(VecDeque::len).collect();
        Ok(HeadInfo {
            slot: st.head.slot,
            shards: self.shards,
            shard_roots: st.head.shard_roots.iter().map(hex::encode).collect(),
            ees: st.chain.world.beacon.ees.len() as u32,
            pending,
            committed_txs: st.head.committed_txs,
            slot_ms: self.config.slot_ms,
            fees: u64::try_from(st.chain.world.fees_collected()?).unwrap_or(u64::MAX),
            gas_price: st.chain.config.limits.gas_price,
        })
    }

    fn shard(&self, s: u32) -> Result<ShardId, DevnetError> {
        if s < self.shards { Ok(ShardId(s)) } else { Err(DevnetError::UnknownShard(s)) }
    }

    fn transaction(
        &self,
        req: &TxRequest,
        ees: &HashSet<u32>,
    ) -> Result<(ShardId, ShardTransaction), DevnetError> {
        let shard = self.shard(req.shard)?;
        if !ees.contains(&req.ee) {
            return Err(DevnetError::UnknownEe(req.ee));
        }
        let data = hex::decode(req.data.trim_start_matches("0x"))
            .map_err(|e| DevnetError::Malformed(format!("data is not hex: {e}")))?;
        let max = self.config.max_tx_bytes.min(self.config.exec.limits.tx_data_bytes as usize);
        if data.len() > max {
            return Err(DevnetError::TooLarge { len: data.len(), max });
        }
        Ok((shard, ShardTransaction { ee_id: EeId(req.ee), data }))
    }

    /// Queues a transaction in its shard's mempool.
    pub fn submit(&self, req: &TxRequest) -> Result<TxAccepted, DevnetError> {
        self.live()?;
        let mut pool = lock(&self.pool)?;
        let (shard, tx) = self.transaction(req, &pool.ees)?;
        let hash = tx_hash(shard, &tx);
        if pool.pending.contains(&hash) || self.store.tx(&hash)?.is_some() {
            return Err(DevnetError::Duplicate(hex::encode(hash)));
        }
        if let Some(net) = self.network.get()
            && !net.owns(shard)
        {
            // Another node produces this shard: gossip it there; pending here until a
            // block of that shard commits it (or the forwarding gives up).
            if net.forwarding.load(Ordering::Relaxed) >= self.config.max_pending as u64 {
                return Err(DevnetError::MempoolFull(shard.0));
            }
            net.forwarding.fetch_add(1, Ordering::Relaxed);
            (net.forward)(shard, &tx);
            pool.pending.insert(hash);
            return Ok(TxAccepted { hash: hex::encode(hash), shard: shard.0, position: 0 });
        }
        let queue = &mut pool.mempools[shard.0 as usize];
        if queue.len() >= self.config.max_pending {
            return Err(DevnetError::MempoolFull(shard.0));
        }
        queue.push_back((hash, tx));
        let position = queue.len() - 1;
        pool.pending.insert(hash);
        Ok(TxAccepted { hash: hex::encode(hash), shard: shard.0, position })
    }

    /// Produces and commits one slot: a block per shard from its mempool, the meta-EE last
    /// in each, then crosslinks; all persisted in one store transaction. The blocks are
    /// produced under the state's read lock (RPC reads go on) and cut at the slot's
    /// wall-time budget (`NodeConfig::slot_budget_ms`); only committing takes the write
    /// lock. A failure to commit halts the node: memory is then ahead of the store, and a
    /// restart resumes from the store.
    pub fn produce_slot(&self) -> Result<u64, DevnetError> {
        let _writer = lock(&self.writer)?;
        self.live()?;
        let slot = read(&self.state)?.chain.world.beacon.slot;
        let blocks: Vec<(ShardId, Vec<ShardTransaction>)> = {
            let mut pool = lock(&self.pool)?;
            pool.mempools
                .iter_mut()
                .enumerate()
                .map(|(s, queue)| {
                    let n = queue.len().min(self.config.max_block_txs);
                    (ShardId(s as u32), queue.drain(..n).map(|(_, tx)| tx).collect())
                })
                .collect()
        };
        let produced = self.produce_blocks(&*read(&self.state)?, slot, blocks);
        let mut guard = write(&self.state)?;
        let st = &mut *guard;
        let (committed, deferred) = match produced.and_then(|p| self.commit(st, slot, p)) {
            Ok(r) => r,
            Err(e) => {
                self.halt(st, e.to_string());
                return Err(e);
            }
        };
        drop(guard);
        self.after_commit(&committed, deferred)?;
        tracing::debug!(slot, committed = committed.len(), "slot committed");
        Ok(slot)
    }

    /// Mempool bookkeeping after a committed slot: committed and dropped transactions
    /// leave the pending set; deferred ones go back to the front of their mempool, in
    /// order.
    fn after_commit(
        &self,
        committed: &[(ShardId, Root)],
        deferred: Vec<(ShardId, Vec<ShardTransaction>)>,
    ) -> Result<(), DevnetError> {
        let mut pool = lock(&self.pool)?;
        let mut taken: BTreeMap<ShardId, HashSet<Root>> = BTreeMap::new();
        for (shard, hash) in committed {
            pool.pending.remove(hash);
            taken.entry(*shard).or_default().insert(*hash);
        }
        // A transaction committed in a block this node did not produce (a network node's
        // own block taken back from its peers) may still sit in its mempool: never twice.
        for (shard, hashes) in taken {
            if let Some(queue) = pool.mempools.get_mut(shard.0 as usize) {
                queue.retain(|(h, _)| !hashes.contains(h));
            }
        }
        for (shard, txs) in deferred {
            let queue = &mut pool.mempools[shard.0 as usize];
            for tx in txs.into_iter().rev() {
                queue.push_front((tx_hash(shard, &tx), tx));
            }
        }
        Ok(())
    }

    /// Produces a slot's blocks on the committed state (shared access only) and, with
    /// `NodeConfig::validate`, validates each statelessly; also returns what the VHEE's
    /// copy needs to follow the slot.
    fn produce_blocks(
        &self,
        st: &State,
        slot: u64,
        blocks: Vec<(ShardId, Vec<ShardTransaction>)>,
    ) -> Result<Produced, DevnetError> {
        let reads = VheeState::netted_reads(&st.chain.world, &blocks);
        let budget = self.config.slot_budget_ms.map(Duration::from_millis);
        let results = st.chain.produce_slot(blocks, budget)?;
        let mut validated = Vec::new();
        if let Some(validator) = &self.validator {
            let beacon = &st.chain.world.beacon;
            for r in &results {
                let v = ee_host::exec::validate_block(
                    beacon,
                    &beacon.shard_roots,
                    r.pre_root,
                    KeyLayout::ColumnMajor,
                    &r.block,
                    validator,
                    &self.config.exec.costs,
                    &self.config.exec.limits,
                )
                .map_err(|e| DevnetError::Invalid(format!("slot {slot} shard {}: {e}", r.block.shard.0)))?;
                validated.push(Some(v.post_root));
            }
        }
        Ok(Produced { results, reads, validated })
    }

    /// Commits produced blocks (write lock held); returns the committed and dropped
    /// transactions' hashes (both leave the pending set) and the deferred transactions
    /// per shard.
    #[allow(clippy::type_complexity)]
    fn commit(
        &self,
        st: &mut State,
        slot: u64,
        produced: Produced,
    ) -> Result<(Vec<(ShardId, Root)>, Vec<(ShardId, Vec<ShardTransaction>)>), DevnetError> {
        let Produced { results, reads, validated } = produced;
        let mut results = st.chain.commit_produced(results)?;
        // The produced post-roots are known once committed (in memory; a mismatch halts
        // the node before the store sees the slot).
        for (r, v) in results.iter().zip(&validated) {
            if let Some(v) = v
                && *v != r.post_root
            {
                return Err(DevnetError::Invalid(format!(
                    "slot {slot} shard {}: validated root {} ≠ produced {}",
                    r.block.shard.0,
                    hex::encode(v),
                    hex::encode(r.post_root)
                )));
            }
        }
        let vhee_leaves = st.vhee.apply(&st.chain.world, &results, &reads);
        let layout = st.chain.world.layout();
        let world = &st.chain.world;
        let mut done = Vec::new();
        let mut dropped = Vec::new();
        let mut deferred = Vec::new();
        let mut stored: Vec<(u32, StoredBlock)> = Vec::with_capacity(results.len());
        for r in &mut results {
            let shard = r.block.shard;
            let users = &r.block.transactions[..r.block.transactions.len().saturating_sub(1)];
            let hashes: Vec<Root> = users.iter().map(|t| tx_hash(shard, t)).collect();
            done.extend(hashes.iter().map(|h| (shard, *h)));
            // The report counts the deferred and dropped transactions taken below.
            stored.push((shard.0, stored_block(world, r, &hashes)));
            for (tx, why) in std::mem::take(&mut r.dropped) {
                let hash = tx_hash(shard, &tx);
                tracing::info!(shard = shard.0, hash = %hex::encode(hash), %why, "transaction dropped");
                done.push((shard, hash));
                dropped.push((hash, why.to_string()));
            }
            deferred.push((shard, std::mem::take(&mut r.deferred)));
        }
        let committed_users = stored.iter().map(|(_, b)| b.tx_hashes.len() as u64).sum::<u64>();
        let mut leaves = BTreeMap::new();
        for r in &results {
            let changed = r.outcome.writes.iter().map(|(k, v)| (k.path(layout).into(), *v)).collect();
            leaves.insert(r.block.shard.0, changed);
        }
        let head = Head {
            slot: slot + 1,
            shard_roots: st.chain.world.beacon.shard_roots.clone(),
            committed_txs: st.head.committed_txs + committed_users,
        };
        let write = SlotWrite {
            blocks: stored.iter().map(|(s, b)| (*s, b)).collect(),
            leaves,
            dropped: &dropped,
            vhee_leaves: &vhee_leaves,
            head: &head,
        };
        self.store.commit_slot(slot, &write)?;
        st.head = head;
        Ok((done, deferred))
    }

    /// Validates a SCALE `NewExecutionScript` exactly as a deployment is validated and,
    /// if `apply`, registers the EE and locks the deposit. A refused or estimated
    /// deployment changes nothing (its code is compiled to check it, not cached); an
    /// applied one is compiled into the node's disk cache, if it has one.
    pub fn deploy(&self, bytes: &[u8], apply: bool) -> Result<DeployResult, DevnetError> {
        self.live()?;
        let (msg, hash) = self.checked_script(bytes)?;
        // Cheap checks under the state lock; they are repeated before applying.
        self.deployable(&*read(&self.state)?, &msg, &hash)?;
        // The checks of `ee check` (the same function), then compilation with the node's
        // engine: without the state lock, so a slot never waits for them.
        ee_host::runtime::gatekeeper::check(&msg.code, Role::Ee, &self.config.exec.limits)
            .map_err(|e| DevnetError::InvalidCode(e.to_string()))?;
        // An applied deployment is compiled once, here, off the producer's path and into
        // the disk cache (when there is one); an estimate is compiled and forgotten.
        let _compiling = try_lock(&self.compiling)?;
        let compiled = if apply && self.checker.disk_cache().is_some() {
            self.checker.load(&msg.code, Role::Ee).map(|_| ())
        } else {
            self.checker.validate(&msg.code, Role::Ee)
        };
        compiled.map_err(|e| DevnetError::InvalidCode(e.to_string()))?;
        drop(_compiling);
        if apply && self.network.get().is_some() {
            // On a network every node registers it at the start of a coming slot.
            return self.announce_deploy(bytes, &msg, &hash);
        }
        let _writer = lock(&self.writer)?;
        let mut guard = write(&self.state)?;
        let st = &mut *guard;
        let validator = self.deployable(st, &msg, &hash)?;
        let id = next_ee_id(st)?;
        let result = self.deploy_result(id, &msg, apply, None);
        if apply {
            let slot = st.head.slot;
            self.register_deploy(st, msg, validator, id, &hash, slot)?;
        }
        Ok(result)
    }

    /// Decodes a SCALE `NewExecutionScript` and checks what needs no state: its size and
    /// its signature. Also its hash (replays are refused by it).
    fn checked_script(&self, bytes: &[u8]) -> Result<(NewExecutionScript, Root), DevnetError> {
        let msg = NewExecutionScript::decode_all(&mut &bytes[..])
            .map_err(|e| DevnetError::Malformed(format!("not a SCALE NewExecutionScript: {e}")))?;
        if msg.code.len() > self.config.max_code_bytes {
            return Err(DevnetError::CodeTooLarge { len: msg.code.len(), max: self.config.max_code_bytes });
        }
        if !ee_host::crypto::bls_verify(&msg.pubkey, &msg.signing_message(), &msg.signature) {
            return Err(DevnetError::BadSignature);
        }
        Ok((msg, sha256(bytes)))
    }

    fn deploy_result(
        &self,
        id: u32,
        msg: &NewExecutionScript,
        applied: bool,
        activation_slot: Option<u64>,
    ) -> DeployResult {
        DeployResult {
            ee: id,
            code_hash: hex::encode(sha256(&msg.code)),
            code_bytes: msg.code.len(),
            deposit: self.config.ee_deposit,
            gas: DEPLOY_GAS_BASE + DEPLOY_GAS_PER_BYTE * msg.code.len() as u64,
            applied,
            activation_slot,
        }
    }

    /// Registers a deployment that passed every check as EE `id` from `slot`, taking the
    /// deposit from `validator`: in the store, then in memory.
    fn register_deploy(
        &self,
        st: &mut State,
        msg: NewExecutionScript,
        validator: Validator,
        id: u32,
        hash: &Root,
        slot: u64,
    ) -> Result<(), DevnetError> {
        let required = self.config.ee_deposit;
        let ee = StoredEe {
            id,
            name: format!("EE{id}"),
            role: 0,
            code: msg.code,
            deposit: required,
            deployer: msg.sender,
            registered_at: slot,
        };
        let after = Validator { balance: validator.balance - required, ..validator };
        self.store.commit_deploy(&ee, msg.sender, &after, hash, slot)?;
        if let Err(e) = st.chain.world.register(entry_of(&ee)) {
            // Committed but not in memory: only a restart reconciles the two.
            self.halt(st, format!("deploy committed but not registered: {e}"));
            return Err(e.into());
        }
        st.validators.insert(msg.sender, after);
        lock(&self.pool)?.ees.insert(id);
        Ok(())
    }

    /// The sender, if `msg` (with hash `hash`) may be deployed now by signature-independent
    /// rules: known sender with that key, not a replay, enough balance for the deposit.
    fn deployable(
        &self,
        st: &State,
        msg: &NewExecutionScript,
        hash: &Root,
    ) -> Result<Validator, DevnetError> {
        if let Some(why) = &st.halted {
            return Err(DevnetError::Halted(why.clone()));
        }
        let validator = *st.validators.get(&msg.sender).ok_or(DevnetError::UnknownSender(msg.sender))?;
        if validator.pubkey != msg.pubkey {
            return Err(DevnetError::SenderKey(msg.sender));
        }
        if self.store.deploy_seen(hash)? {
            return Err(DevnetError::Replayed("deploy"));
        }
        let required = self.config.ee_deposit;
        if validator.balance < required {
            return Err(DevnetError::InsufficientDeposit { balance: validator.balance, required });
        }
        Ok(validator)
    }

    /// A committed block's report.
    pub fn block(&self, slot: u64, shard: u32) -> Result<BlockReport, DevnetError> {
        let b = self.store.block(slot, self.shard(shard)?.0)?.ok_or(DevnetError::NotFound)?;
        Ok(b.report)
    }

    /// Where a committed transaction is, and its result.
    pub fn transaction_location(&self, hash: &str) -> Result<TxLocation, DevnetError> {
        let h = parse_hash(hash)?;
        let Some((slot, shard, index)) = self.store.tx(&h)? else {
            return Err(match self.store.dropped(&h)? {
                Some(why) => DevnetError::Dropped(why),
                None => DevnetError::NotFound,
            });
        };
        let b = self.store.block(slot, shard)?.ok_or(DevnetError::NotFound)?;
        let result = b.report.transactions.get(index as usize).cloned().ok_or(DevnetError::NotFound)?;
        Ok(TxLocation { slot, shard, index, result })
    }

    /// Whether a transaction is pending (queued or in the slot being produced).
    pub fn is_pending(&self, hash: &str) -> Result<bool, DevnetError> {
        let h = parse_hash(hash)?;
        Ok(lock(&self.pool)?.pending.contains(&h))
    }

    /// A registered EE.
    pub fn ee(&self, id: u32) -> Result<EeInfo, DevnetError> {
        let st = read(&self.state)?;
        let e = st.chain.world.beacon.ees.get(&EeId(id)).ok_or(DevnetError::UnknownEe(id))?;
        let stored = self.store.ee(id)?;
        Ok(EeInfo {
            id,
            name: e.name.clone(),
            role: e.role.to_string(),
            code_hash: hex::encode(e.code_hash),
            code_bytes: e.code.len(),
            deposit: e.deposit,
            deployer: stored.as_ref().map(|s| s.deployer).filter(|d| *d != u64::MAX),
            registered_at: stored.map_or(0, |s| s.registered_at),
        })
    }

    /// Validates a SCALE `DepositReceipt` — a validator moving part of its balance into an
    /// EE's portion on a shard, signed with its key — and adds it to the beacon state's
    /// receipts, where the EE claims it (`deposit_claim`). Refusals change nothing.
    pub fn deposit(&self, bytes: &[u8]) -> Result<DepositAccepted, DevnetError> {
        self.live()?;
        let (receipt, data, hash) = self.checked_receipt(bytes)?;
        if self.network.get().is_some() {
            // On a network every node adds it at the start of a coming slot.
            self.depositable(&*read(&self.state)?, &receipt, &data, &hash)?;
            return self.announce_deposit(bytes);
        }
        let _writer = lock(&self.writer)?;
        let mut guard = write(&self.state)?;
        let st = &mut *guard;
        let after = self.depositable(st, &receipt, &data, &hash)?;
        let slot = st.head.slot;
        let index = self.register_deposit(st, receipt, after, &hash, slot)?;
        Ok(DepositAccepted { index, slot, activation_slot: None })
    }

    /// Decodes a SCALE `DepositReceipt` and checks what needs no state: its data, shard
    /// and signature. Also its decoded data and its hash (replays are refused by it).
    fn checked_receipt(&self, bytes: &[u8]) -> Result<(DepositReceipt, DepositData, Root), DevnetError> {
        let receipt = DepositReceipt::decode_all(&mut &bytes[..])
            .map_err(|e| DevnetError::Malformed(format!("not a SCALE DepositReceipt: {e}")))?;
        let data = DepositData::decode_all(&mut &receipt.data[..])
            .map_err(|e| DevnetError::Malformed(format!("deposit data: {e}")))?;
        if data.amount == 0 {
            return Err(DevnetError::Malformed("a deposit of 0".into()));
        }
        self.shard(receipt.target.0)?;
        if !ee_host::crypto::bls_verify(&receipt.pubkey, &receipt.signing_message(), &receipt.signature) {
            return Err(DevnetError::BadSignature);
        }
        Ok((receipt, data, sha256(bytes)))
    }

    /// The depositing validator after the deposit, if the state allows it: a live node,
    /// a user EE, the validator's key, no replay, enough balance.
    fn depositable(
        &self,
        st: &State,
        receipt: &DepositReceipt,
        data: &DepositData,
        hash: &Root,
    ) -> Result<Validator, DevnetError> {
        if let Some(why) = &st.halted {
            return Err(DevnetError::Halted(why.clone()));
        }
        let (ee, amount) = (data.ee, data.amount);
        match st.chain.world.beacon.ees.get(&ee) {
            Some(e) if e.role == Role::Ee => {}
            _ => return Err(DevnetError::UnknownEe(ee.0)),
        }
        let validator = *st
            .validators
            .get(&receipt.validator_index)
            .ok_or(DevnetError::UnknownSender(receipt.validator_index))?;
        if validator.pubkey != receipt.pubkey {
            return Err(DevnetError::SenderKey(receipt.validator_index));
        }
        if self.store.deploy_seen(hash)? {
            return Err(DevnetError::Replayed("deposit"));
        }
        if validator.balance < amount {
            return Err(DevnetError::InsufficientDeposit { balance: validator.balance, required: amount });
        }
        Ok(Validator { balance: validator.balance - amount, ..validator })
    }

    /// Adds a deposit that passed every check to the beacon state from `slot`: in the
    /// store, then in memory. Its index.
    fn register_deposit(
        &self,
        st: &mut State,
        receipt: DepositReceipt,
        after: Validator,
        hash: &Root,
        slot: u64,
    ) -> Result<u64, DevnetError> {
        let index = st.chain.world.beacon.deposits.len() as u64;
        self.store.commit_deposit(index, slot, &receipt, &after, hash)?;
        st.validators.insert(receipt.validator_index, after);
        st.chain.world.beacon.deposits.push(receipt);
        st.deposit_slots.push(slot);
        Ok(index)
    }

    /// The beacon state's deposit receipts.
    pub fn deposits(&self) -> Result<Vec<DepositInfo>, DevnetError> {
        let st = read(&self.state)?;
        Ok(st
            .chain
            .world
            .beacon
            .deposits
            .iter()
            .zip(&st.deposit_slots)
            .enumerate()
            .map(|(i, (r, slot))| DepositInfo { index: i as u64, slot: *slot, receipt: Hex(r.encode()) })
            .collect())
    }

    /// The state provider: `keys` of EE `ee`'s tree on `shard`, with their proof against
    /// its committed root (the VHEE's trees are the ones the node keeps).
    pub fn proof(&self, ee: u32, shard: u32, keys: &[Hex]) -> Result<ProofInfo, DevnetError> {
        let shard = self.shard(shard)?;
        if EeId(ee) != VHEE_EE {
            return Err(DevnetError::NotFound);
        }
        let keys = keys.iter().map(key_of).collect::<Result<Vec<_>, _>>().map_err(DevnetError::Malformed)?;
        let st = read(&self.state)?;
        let (root, (leaves, proof)) = st.vhee.prove(shard, &keys).map_err(DevnetError::Stale)?;
        Ok(ProofInfo {
            root: hex::encode(root),
            leaves: leaves.iter().map(|(k, v)| (hex::encode(k), hex::encode(v))).collect(),
            proof: Hex(proof),
        })
    }

    /// What the meta-EE on `source` netted towards `(target, ee)` for `root`, as of the
    /// last crosslink.
    pub fn netted(&self, source: u32, target: u32, ee: u32, root: &Hex) -> Result<u64, DevnetError> {
        let (source, target) = (self.shard(source)?, self.shard(target)?);
        let root = key_of(root).map_err(DevnetError::Malformed)?;
        let st = read(&self.state)?;
        let key = StateKey::Netted { target_shard: target, target_ee: EeId(ee), root };
        Ok(value_u64(&st.chain.world.shard(source)?.get(&key)?))
    }

    /// How many outputs of `source_ee` with data root `root` the meta-EE on `source`
    /// accepted towards `(target, ee)`, as of the last committed slot (what
    /// `message_count` answers an EE on `target`).
    pub fn messages(
        &self,
        source: u32,
        target: u32,
        ee: u32,
        source_ee: u32,
        root: &Hex,
    ) -> Result<u64, DevnetError> {
        let (source, target) = (self.shard(source)?, self.shard(target)?);
        let root = key_of(root).map_err(DevnetError::Malformed)?;
        let st = read(&self.state)?;
        let key =
            StateKey::Message { target_shard: target, target_ee: EeId(ee), source_ee: EeId(source_ee), root };
        Ok(value_u64(&st.chain.world.shard(source)?.get(&key)?))
    }

    /// EE `ee`'s state root on every shard after the last committed slot, and that slot
    /// count (the head's `slot`), read together.
    pub fn ee_roots(&self, ee: u32) -> Result<EeRoots, DevnetError> {
        let st = read(&self.state)?;
        if !st.chain.world.beacon.ees.contains_key(&EeId(ee)) {
            return Err(DevnetError::UnknownEe(ee));
        }
        let roots = (0..self.shards)
            .map(|s| st.chain.world.ee_root(ShardId(s), EeId(ee)).map(hex::encode))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(EeRoots { slot: st.head.slot, roots })
    }

    /// Every registered EE, in id order.
    pub fn ees(&self) -> Result<Vec<EeInfo>, DevnetError> {
        let ids: Vec<u32> = read(&self.state)?.chain.world.beacon.ees.keys().map(|e| e.0).collect();
        ids.into_iter().map(|id| self.ee(id)).collect()
    }

    /// An EE's code.
    pub fn code(&self, id: u32) -> Result<Vec<u8>, DevnetError> {
        let st = read(&self.state)?;
        Ok(st.chain.world.beacon.ees.get(&EeId(id)).ok_or(DevnetError::UnknownEe(id))?.code.to_vec())
    }

    /// A committed block as produced: SCALE `ShardBlock` (transactions and witness).
    pub fn raw_block(&self, slot: u64, shard: u32) -> Result<Vec<u8>, DevnetError> {
        let b = self.store.block(slot, self.shard(shard)?.0)?.ok_or(DevnetError::NotFound)?;
        Ok(b.block.encode())
    }

    /// What a validator needs to know of the chain besides blocks: shard count, genesis
    /// roots, prices and bounds.
    pub fn chain_config(&self) -> Result<ChainConfig, DevnetError> {
        let st = read(&self.state)?;
        let genesis = self.store.genesis_roots()?.ok_or(StoreError::Corrupt("genesis roots"))?;
        let costs: serde_json::Value = serde_json::from_str(&st.chain.config.costs.to_json())
            .map_err(|e| DevnetError::Config(e.to_string()))?;
        Ok(ChainConfig {
            shards: self.shards,
            layout: "column-major".into(),
            genesis_roots: genesis.iter().map(hex::encode).collect(),
            limits: serde_json::to_value(&st.chain.config.limits)
                .map_err(|e| DevnetError::Config(e.to_string()))?,
            costs,
        })
    }

    /// An EE's committed balance matrix: row = shard holding the balance, column = shard
    /// the balance is owed on.
    pub fn matrix(&self, id: u32) -> Result<Vec<Vec<i64>>, DevnetError> {
        self.live()?;
        let st = read(&self.state)?;
        if !st.chain.world.beacon.ees.contains_key(&EeId(id)) {
            return Err(DevnetError::UnknownEe(id));
        }
        Ok(st.chain.world.matrix(EeId(id))?)
    }

    /// A validator.
    pub fn validator(&self, index: u64) -> Result<Validator, DevnetError> {
        read(&self.state)?.validators.get(&index).copied().ok_or(DevnetError::NotFound)
    }

    /// The state provider's answer for a pending transaction: the block with just this
    /// transaction, produced on the committed state and thrown away — its witness and gas.
    /// One preview runs at a time (others get [`DevnetError::Busy`]), so previews cannot
    /// queue up in front of block production.
    pub fn witness(&self, req: &TxRequest) -> Result<WitnessInfo, DevnetError> {
        self.live()?;
        let _one = try_lock(&self.preview)?;
        let (shard, tx) = self.transaction(req, &lock(&self.pool)?.ees)?;
        let st = read(&self.state)?;
        let r = st.chain.preview(shard, vec![tx])?;
        let t = &r.outcome.txs[0];
        let meta = r.block.transactions.last().map(|m| m.data.clone()).unwrap_or_default();
        let multiproof = MetaTransaction::decode_all(&mut &meta[..]).map(|m| m.multiproof.len()).unwrap_or(0);
        Ok(WitnessInfo {
            ok: t.ok(),
            error: t.result.as_ref().err().map(ToString::to_string),
            gas: t.gas_used,
            witness_bytes: r.block.witness.len(),
            witness: hex::encode(&r.block.witness),
            multiproof_bytes: multiproof,
            pre_root: hex::encode(r.pre_root),
            post_root: hex::encode(r.post_root),
        })
    }
}

/// Blocks produced under the read lock, waiting to be committed.
struct Produced {
    results: Vec<BlockResult>,
    /// What the VHEE's copy needs to follow the slot.
    reads: NettedReads,
    /// Post-roots of the stateless validation, by position in `results` (empty when not
    /// validating; `None` for a block not validated).
    validated: Vec<Option<Root>>,
}

fn stored_block(world: &World, r: &BlockResult, user_hashes: &[Root]) -> StoredBlock {
    let mut hashes = user_hashes.to_vec();
    if let Some(meta) = r.block.transactions.last() {
        hashes.push(tx_hash(r.block.shard, meta));
    }
    let ctx = ReportContext { tx_hashes: &hashes, block_hash: true };
    let name = |ee: EeId| world.beacon.ees.get(&ee).map_or_else(|| format!("EE{}", ee.0), |e| e.name.clone());
    StoredBlock {
        block: r.block.clone(),
        report: block_report(r, ctx, name),
        tx_hashes: user_hashes.to_vec(),
    }
}
