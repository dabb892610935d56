//! Following a stateless EE's trees from the chain. The node keeps only each EE's root
//! per shard; a catalogue EE's leaves live with its users. A [`Follower`] keeps a full
//! copy of one EE's trees by replaying, natively and in block order, every transaction of
//! that EE the chain committed successfully (the EE's own state transition, which the
//! [`Followed`] client runs), and checks its roots against the chain's after every sync
//! (`ee_getRoots`, read together with the slot they belong to). It persists as a JSON
//! file, so a command line tool picks up where it left off.
use crate::api::{Client, Transport};
use crate::error::ClientError;
use crate::types::Hex;
use ee_sdk::client::{ChainView, ChildRunner, Trees};
use ee_sdk::codec::DecodeAll;
use ee_sdk::{DepositReceipt, EeId, Root, ShardBlock, ShardId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// A catalogue EE's client as a [`Follower`] drives it.
pub trait Followed: Default {
    /// The EE's kind, as the state file records it (`token`, `checkin`, `fee-market`).
    const KIND: &'static str;
    /// The trees.
    fn trees(&self) -> &Trees;
    /// The trees, mutably.
    fn trees_mut(&mut self) -> &mut Trees;
    /// The `(source shard, data root)` a transaction (its data) claims, if it claims
    /// something sent from another shard: the follower then tells the replay what the
    /// chain netted and accepted for it.
    fn claim(_data: &[u8]) -> Option<(ShardId, Root)> {
        None
    }
    /// Re-runs a committed transaction (its data) on the trees, as the EE ran it.
    fn replay(&mut self, data: &[u8], view: &ChainView) -> Result<(), String>;
}

/// Why following failed. The copy is left as it was before the sync (nothing half-applied).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FollowError {
    /// The node could not be asked, or refused.
    #[error(transparent)]
    Rpc(#[from] ClientError),
    /// A committed block or the node's answer does not decode.
    #[error("slot {slot} shard {shard}: {why}")]
    Malformed {
        /// Slot.
        slot: u64,
        /// Shard.
        shard: u32,
        /// What did not decode.
        why: String,
    },
    /// A transaction the chain committed as successful was refused on replay.
    #[error("slot {slot} shard {shard} transaction {index}: replay refused: {why}")]
    Replay {
        /// Slot.
        slot: u64,
        /// Shard.
        shard: u32,
        /// Position in the block.
        index: usize,
        /// The EE's error.
        why: String,
    },
    /// After replaying, a root differs from the chain's.
    #[error("shard {shard}: the followed tree's root {ours} differs from the chain's {chain}")]
    Diverged {
        /// Shard.
        shard: u32,
        /// The copy's root (hex).
        ours: String,
        /// The chain's (hex).
        chain: String,
    },
    /// The copy was made on another chain (its first genesis root differs).
    #[error("the copy follows another chain (genesis root {copy}; this chain's {chain})")]
    OtherChain {
        /// The copy's (hex).
        copy: String,
        /// This chain's (hex).
        chain: String,
    },
    /// The state file does not belong to this EE, or does not parse.
    #[error("state file {path}: {why}")]
    StateFile {
        /// The file.
        path: String,
        /// What is wrong.
        why: String,
    },
}

/// What a sync did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Synced {
    /// Slots read.
    pub slots: u64,
    /// Transactions replayed.
    pub replayed: usize,
    /// Slots committed on the chain (the copy is as of the end of slot `head - 1`).
    pub head: u64,
}

/// A full copy of EE `ee`'s trees following the chain.
pub struct Follower<C> {
    /// The EE followed.
    pub ee: EeId,
    /// The client holding the trees.
    pub client: C,
    /// How spawned children run during replays and previews (the umbrella's contracts;
    /// `None`: every spawn is refused, as for EEs that spawn none).
    pub children: Option<ChildRunner>,
    next_slot: u64,
    genesis: Option<String>,
}

/// The persisted form.
#[derive(Serialize, Deserialize)]
struct StateFile {
    kind: String,
    ee: u32,
    /// The chain's first genesis root (hex), to refuse a file of another chain.
    genesis: String,
    next_slot: u64,
    /// shard → `[key, value]` (hex) of every non-zero leaf.
    trees: BTreeMap<u32, Vec<(String, String)>>,
}

fn root_of(text: &str) -> Option<Root> {
    hex::decode(text).ok()?.try_into().ok()
}

impl<C: Followed> Follower<C> {
    /// A copy of EE `ee` with empty trees, to be synced from the EE's registration.
    pub fn new(ee: EeId) -> Self {
        Follower { ee, client: C::default(), children: None, next_slot: 0, genesis: None }
    }

    /// Slots replayed so far (the copy is as of the end of slot `next_slot - 1`).
    pub fn next_slot(&self) -> u64 {
        self.next_slot
    }

    /// Loads `path` if it exists (checking it is a copy of `ee`, of this kind), else a new
    /// copy.
    pub fn load(path: &Path, ee: EeId) -> Result<Self, FollowError> {
        let bad = |why: String| FollowError::StateFile { path: path.display().to_string(), why };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::new(ee)),
            Err(e) => return Err(bad(e.to_string())),
        };
        let file: StateFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if file.kind != C::KIND || file.ee != ee.0 {
            return Err(bad(format!("holds {} EE {}, not {} EE {}", file.kind, file.ee, C::KIND, ee.0)));
        }
        let mut f = Follower {
            ee,
            client: C::default(),
            children: None,
            next_slot: file.next_slot,
            genesis: Some(file.genesis),
        };
        for (shard, leaves) in file.trees {
            let leaves = leaves
                .iter()
                .map(|(k, v)| Some((root_of(k)?, root_of(v)?)))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad(format!("a leaf of shard {shard} is not 32-byte hex")))?;
            f.client.trees_mut().restore(ShardId(shard), leaves);
        }
        Ok(f)
    }

    /// Writes the copy to `path` (atomically: a temporary file renamed over it).
    pub fn save(&self, path: &Path) -> Result<(), FollowError> {
        let bad = |why: String| FollowError::StateFile { path: path.display().to_string(), why };
        let trees = self.client.trees();
        let file = StateFile {
            kind: C::KIND.to_string(),
            ee: self.ee.0,
            genesis: self.genesis.clone().unwrap_or_default(),
            next_slot: self.next_slot,
            trees: trees
                .shards()
                .map(|s| {
                    let leaves =
                        trees.leaves(s).iter().map(|(k, v)| (hex::encode(k), hex::encode(v))).collect();
                    (s.0, leaves)
                })
                .collect(),
        };
        let text = serde_json::to_string(&file).map_err(|e| bad(e.to_string()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| bad(e.to_string()))?;
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text).map_err(|e| bad(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| bad(e.to_string()))
    }

    /// What the host would tell the EE on `shard` now: shard count, registered EEs and
    /// the beacon state's deposit receipts (no lookback: a new transaction's place in its
    /// block is unknown).
    pub fn view<T: Transport>(&self, client: &Client<T>, shard: ShardId) -> Result<ChainView, FollowError> {
        let ees = client.list_ees()?;
        let head = client.head()?;
        Ok(ChainView {
            shard,
            shard_count: head.shards,
            ee: self.ee,
            ees: ees.iter().map(|e| EeId(e.id)).collect(),
            deposits: deposits(client)?,
            children: self.children,
            ..ChainView::default()
        })
    }

    /// Fills in what the chain netted and accepted towards this EE on `view.shard` for a
    /// claim of `(source shard, data root)` (as of the last committed slot).
    pub fn with_claim<T: Transport>(
        &self,
        client: &Client<T>,
        mut view: ChainView,
        claim: Option<(ShardId, Root)>,
    ) -> Result<ChainView, FollowError> {
        if let Some((source, root)) = claim {
            let netted = client.get_netted(source.0, view.shard.0, self.ee.0, Hex(root.to_vec()))?;
            let messages =
                client.get_messages(source.0, view.shard.0, self.ee.0, self.ee.0, Hex(root.to_vec()))?;
            view.netted.insert((source, root), netted);
            view.messages.insert((source, self.ee, root), messages);
        }
        Ok(view)
    }

    /// Replays every committed slot since the last sync and checks the roots against
    /// the chain's. On an error the copy is unchanged.
    pub fn sync<T: Transport>(&mut self, client: &Client<T>) -> Result<Synced, FollowError> {
        let config = client.get_config()?;
        let genesis = config.genesis_roots.first().cloned().unwrap_or_default();
        if let Some(g) = self.genesis.as_ref().filter(|g| **g != genesis) {
            return Err(FollowError::OtherChain { copy: g.clone(), chain: genesis });
        }
        let roots = client.get_roots(self.ee.0)?;
        let ees = client.list_ees()?;
        let registered = ees.iter().find(|e| e.id == self.ee.0).map_or(0, |e| e.registered_at);
        let deposits = deposits(client)?;
        // Replay on a copy of the trees: nothing changes unless every slot replays and
        // every root agrees.
        let mut work = C::default();
        for s in self.client.trees().shards() {
            work.trees_mut().restore(s, self.client.trees().leaves(s));
        }
        let mut done = Synced { head: roots.slot, ..Synced::default() };
        for slot in self.next_slot.max(registered)..roots.slot {
            done.slots += 1;
            for shard in 0..config.shards {
                let report = client.get_block(slot, shard)?;
                if !report.transactions.iter().any(|t| t.ee == self.ee.0 && t.ok) {
                    continue;
                }
                let malformed = |why: String| FollowError::Malformed { slot, shard, why };
                let raw = client.get_raw_block(slot, shard)?;
                let block = ShardBlock::decode_all(&mut &raw.0[..]).map_err(|e| malformed(e.to_string()))?;
                if block.transactions.len() != report.transactions.len() {
                    return Err(malformed("the block and its report disagree".into()));
                }
                let base = ChainView {
                    shard: ShardId(shard),
                    shard_count: config.shards,
                    ee: self.ee,
                    ees: ees.iter().filter(|e| e.registered_at <= slot).map(|e| EeId(e.id)).collect(),
                    deposits: deposits.clone(),
                    children: self.children,
                    ..ChainView::default()
                };
                for (index, (tx, r)) in block.transactions.iter().zip(&report.transactions).enumerate() {
                    if tx.ee_id != self.ee || !r.ok {
                        continue;
                    }
                    let mut view = self.with_claim(client, base.clone(), C::claim(&tx.data))?;
                    view.tx_hashes =
                        block.transactions[..index].iter().map(|t| t.hash(ShardId(shard))).collect();
                    work.replay(&tx.data, &view).map_err(|why| FollowError::Replay {
                        slot,
                        shard,
                        index,
                        why,
                    })?;
                    done.replayed += 1;
                }
            }
        }
        for (shard, chain) in roots.roots.iter().enumerate() {
            let ours = hex::encode(work.trees().root(ShardId(shard as u32)));
            if ours != *chain {
                return Err(FollowError::Diverged { shard: shard as u32, ours, chain: chain.clone() });
            }
        }
        self.client = work;
        self.next_slot = roots.slot.max(self.next_slot);
        self.genesis = Some(genesis);
        Ok(done)
    }
}

/// The beacon state's deposit receipts, in index order.
fn deposits<T: Transport>(client: &Client<T>) -> Result<Vec<DepositReceipt>, FollowError> {
    client
        .list_deposits()?
        .iter()
        .map(|d| {
            DepositReceipt::decode_all(&mut &d.receipt.0[..]).map_err(|e| FollowError::Malformed {
                slot: d.slot,
                shard: 0,
                why: format!("deposit receipt {}: {e}", d.index),
            })
        })
        .collect()
}

macro_rules! followed {
    ($client:ty, $kind:literal, $tx:ty, |$c:ident, $t:ident, $view:ident| $replay:expr, claim: |$d:ident| $claim:expr) => {
        impl Followed for $client {
            const KIND: &'static str = $kind;
            fn trees(&self) -> &Trees {
                <$client>::trees(self)
            }
            fn trees_mut(&mut self) -> &mut Trees {
                <$client>::trees_mut(self)
            }
            fn claim($d: &[u8]) -> Option<(ShardId, Root)> {
                $claim
            }
            fn replay(&mut self, data: &[u8], $view: &ChainView) -> Result<(), String> {
                let $t = <$tx>::decode_all(&mut &data[..]).map_err(|e| format!("does not decode: {e}"))?;
                let $c = self;
                let prepared = $replay.map_err(|e| e.message().to_string())?;
                $c.commit(&prepared);
                Ok(())
            }
        }
    };
}

followed!(
    token_ee::client::TokenClient, "token", token_ee::TokenTx,
    |c, tx, view| c.prepare(tx.op, view),
    claim: |data| match token_ee::TokenTx::decode_all(&mut &data[..]) {
        Ok(token_ee::TokenTx { op: token_ee::Op::Claim { source_shard, data_root, .. }, .. }) => {
            Some((source_shard, data_root))
        }
        _ => None,
    }
);
followed!(
    data_checkin_ee::client::CheckinClient, "checkin", data_checkin_ee::CheckinTx,
    |c, tx, view| c.prepare(tx.checkin, view),
    claim: |_data| None
);
followed!(
    fee_market_ee::client::FeeClient, "fee-market", fee_market_ee::FeeTx,
    |c, tx, view| c.prepare(tx.op, view),
    claim: |_data| None
);
followed!(
    umbrella_ee::client::UmbrellaClient, "umbrella", umbrella_ee::UmbrellaTx,
    |c, tx, view| c.prepare(tx.op, tx.code, view),
    claim: |_data| None
);
