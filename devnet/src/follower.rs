//! A stateless validator following a node over RPC (`ee validate`): from the genesis
//! roots, every shard's block of every slot is fetched with its witness and run by
//! `ee_host::exec::validate_block` — roots and witnesses only, no state — and its
//! post-state root compared with the one the node committed. The crosslinked roots it
//! advances are the ones it computed itself.
use ee_client::ClientError;
use ee_client::api::{Client, Transport};
use ee_client::types::EeInfo;
use ee_host::abi::Role;
use ee_host::exec::{StatelessError, validate_block};
use ee_host::gas::CostTable;
use ee_host::limits::Limits;
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::state::{BeaconState, EeEntry, KeyLayout};
use ee_sdk::codec::DecodeAll;
use ee_sdk::{DepositReceipt, EeId, Root, ShardBlock};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// Why following stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FollowError {
    /// The node could not be asked.
    #[error(transparent)]
    Rpc(#[from] ClientError),
    /// What the node said does not make sense (bad hex, a block for another slot, code
    /// whose hash is not the registered one, unparsable limits).
    #[error("the node's answer is malformed: {0}")]
    Malformed(String),
    /// A block failed stateless validation.
    #[error("slot {slot} shard {shard}: invalid block: {error}")]
    Invalid {
        /// Its slot.
        slot: u64,
        /// Its shard.
        shard: u32,
        /// Why.
        error: StatelessError,
    },
    /// A block validated to another root than the node committed.
    #[error("slot {slot} shard {shard}: validated root {validated}, the node committed {committed}")]
    RootMismatch {
        /// Its slot.
        slot: u64,
        /// Its shard.
        shard: u32,
        /// What validation computed.
        validated: String,
        /// What the node's report says.
        committed: String,
    },
}

/// One validated block.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BlockCheck {
    /// Its shard.
    pub shard: u32,
    /// Transactions (the meta-EE's included).
    pub transactions: usize,
    /// Bytes of its own witness.
    pub witness_bytes: usize,
    /// Bytes of the meta-EE's transaction (its multiproofs).
    pub meta_bytes: usize,
    /// The post-state root validation computed (hex), equal to the node's.
    pub post_root: String,
}

/// One validated slot.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SlotCheck {
    /// The slot.
    pub slot: u64,
    /// Every shard's block …
    pub blocks: Vec<BlockCheck>,
    /// … but those of shards without one this slot (a network node's view: their roots
    /// did not change).
    pub absent: Vec<u32>,
    /// Time to fetch and validate it (µs).
    pub micros: u64,
}

/// A stateless validator following a node.
pub struct Follower<T: Transport> {
    client: Client<T>,
    shards: u32,
    limits: Limits,
    costs: Arc<CostTable>,
    runtime: Runtime,
    roots: Vec<Root>,
    next: u64,
    ees: BTreeMap<EeId, (EeInfo, EeEntry)>,
    /// Beacon deposit receipts and the slot from which blocks see each.
    deposits: Vec<(u64, DepositReceipt)>,
}

fn root_of(hex_text: &str) -> Result<Root, FollowError> {
    hex::decode(hex_text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| FollowError::Malformed(format!("`{hex_text}` is not a 32-byte root")))
}

impl<T: Transport> Follower<T> {
    /// Starts at genesis, with the node's configuration, running EEs with `engine`.
    pub fn new(client: Client<T>, engine: EngineKind) -> Result<Self, FollowError> {
        let config = client.get_config()?;
        let limits: Limits = serde_json::from_value(config.limits)
            .map_err(|e| FollowError::Malformed(format!("limits: {e}")))?;
        let costs = CostTable::from_json(&config.costs.to_string())
            .map_err(|e| FollowError::Malformed(format!("costs: {e}")))?;
        let costs = Arc::new(costs);
        if config.layout != "column-major" {
            return Err(FollowError::Malformed(format!("layout {}", config.layout)));
        }
        let roots = config.genesis_roots.iter().map(|r| root_of(r)).collect::<Result<Vec<_>, _>>()?;
        if roots.len() != config.shards as usize {
            return Err(FollowError::Malformed("one genesis root per shard".into()));
        }
        let runtime = Runtime::new(engine, costs.clone(), limits.clone());
        Ok(Follower {
            client,
            shards: config.shards,
            limits,
            costs,
            runtime,
            roots,
            next: 0,
            ees: BTreeMap::new(),
            deposits: Vec::new(),
        })
    }

    /// The next slot to validate.
    pub fn next_slot(&self) -> u64 {
        self.next
    }

    /// The crosslinked roots as validated so far.
    pub fn roots(&self) -> &[Root] {
        &self.roots
    }

    /// Learns EEs the node registered since the last call, checking each code's hash.
    fn refresh_ees(&mut self) -> Result<(), FollowError> {
        for info in self.client.list_ees()? {
            let id = EeId(info.id);
            if self.ees.contains_key(&id) {
                continue;
            }
            let code = self.client.get_code(info.id)?.0;
            if hex::encode(Sha256::digest(&code)) != info.code_hash {
                return Err(FollowError::Malformed(format!(
                    "EE {}: code does not hash to its code hash",
                    info.id
                )));
            }
            let role = if info.role == "meta" { Role::Meta } else { Role::Ee };
            let entry = EeEntry::new(id, info.name.clone(), role, code.into());
            self.ees.insert(id, (info, entry));
        }
        Ok(())
    }

    /// Validates the next slot if the node has committed it (`Ok(None)` otherwise).
    pub fn step(&mut self) -> Result<Option<SlotCheck>, FollowError> {
        let started = Instant::now();
        let head = self.client.head()?;
        if head.slot <= self.next {
            return Ok(None);
        }
        let slot = self.next;
        if self.ees.len() < head.ees as usize {
            self.refresh_ees()?;
        }
        for d in self.client.list_deposits()?.into_iter().skip(self.deposits.len()) {
            let receipt = DepositReceipt::decode_all(&mut &d.receipt.0[..])
                .map_err(|e| FollowError::Malformed(format!("deposit {}: {e}", d.index)))?;
            self.deposits.push((d.slot, receipt));
        }
        let beacon = BeaconState {
            slot,
            ees: self
                .ees
                .iter()
                .filter(|(_, (info, _))| info.registered_at <= slot)
                .map(|(id, (_, e))| (*id, e.clone()))
                .collect(),
            shard_roots: self.roots.clone(),
            deposits: self.deposits.iter().take_while(|(s, _)| *s <= slot).map(|(_, r)| r.clone()).collect(),
            // The devnet nets by the default rules (version B, producer-chosen read order).
            netting: ee_sdk::NettingRules::default(),
        };
        let mut blocks = Vec::with_capacity(self.shards as usize);
        let mut post = self.roots.clone();
        let mut absent = Vec::new();
        for shard in 0..self.shards {
            let raw = match self.client.get_raw_block(slot, shard) {
                Ok(raw) => raw.0,
                // On a network, a shard whose block did not come in time has none for the
                // slot: its root stays (`docs/NETWORK.md`).
                Err(e) if e.code() == Some(ee_client::ErrorCode::NotFound) => {
                    absent.push(shard);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let block = ShardBlock::decode_all(&mut &raw[..])
                .map_err(|e| FollowError::Malformed(format!("slot {slot} shard {shard}: block: {e}")))?;
            if block.slot != slot || block.shard.0 != shard {
                return Err(FollowError::Malformed(format!(
                    "asked for slot {slot} shard {shard}, got another block"
                )));
            }
            let committed = root_of(&self.client.get_block(slot, shard)?.post_root)?;
            let pre = self.roots[shard as usize];
            let v = validate_block(
                &beacon,
                &self.roots,
                pre,
                KeyLayout::ColumnMajor,
                &block,
                &self.runtime,
                &self.costs,
                &self.limits,
            )
            .map_err(|error| FollowError::Invalid { slot, shard, error })?;
            if v.post_root != committed {
                return Err(FollowError::RootMismatch {
                    slot,
                    shard,
                    validated: hex::encode(v.post_root),
                    committed: hex::encode(committed),
                });
            }
            post[shard as usize] = v.post_root;
            blocks.push(BlockCheck {
                shard,
                transactions: block.transactions.len(),
                witness_bytes: block.witness.len(),
                meta_bytes: block.transactions.last().map_or(0, |t| t.data.len()),
                post_root: hex::encode(v.post_root),
            });
        }
        self.roots = post;
        self.next += 1;
        Ok(Some(SlotCheck { slot, blocks, absent, micros: started.elapsed().as_micros() as u64 }))
    }
}
