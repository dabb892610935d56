//! The devnet's redb store.
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | `"head"`, `"shards"` | SCALE [`Head`], shard count |
//! | `ees` | EE id | SCALE [`StoredEe`] |
//! | `validators` | index | SCALE [`Validator`] |
//! | `deploys` | sha256 of a `NewExecutionScript` or a `DepositReceipt` | slot it was applied in (replay marks) |
//! | `blocks` | (slot, shard) | SCALE [`StoredBlock`] |
//! | `txs` | transaction hash | (slot, shard, index) |
//! | `leaves` | (shard, tree path) | value (absent = zero) |
//! | `dropped` | transaction hash | why the producer dropped it |
//! | `vhee_leaves` | (shard, VHEE tree key) | value: the state provider's copy of the VHEE's trees |
//! | `deposits` | receipt index | SCALE (slot, `DepositReceipt`): the beacon state's deposit receipts |
//!
//! Every change is one write transaction: a slot's blocks, changed leaves, transaction
//! index and head; a deployment's EE, validator balance and replay mark.
use super::types::{Head, StoredBlock, StoredEe, Validator};
use ee_sdk::codec::{Decode, DecodeAll, Encode};
use ee_sdk::{DepositReceipt, Root};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::collections::BTreeMap;
use std::path::Path;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const EES: TableDefinition<u32, &[u8]> = TableDefinition::new("ees");
const VALIDATORS: TableDefinition<u64, &[u8]> = TableDefinition::new("validators");
const DEPLOYS: TableDefinition<&[u8], u64> = TableDefinition::new("deploys");
const BLOCKS: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("blocks");
const TXS: TableDefinition<&[u8], (u64, u32, u32)> = TableDefinition::new("txs");
const LEAVES: TableDefinition<(u32, &[u8]), &[u8]> = TableDefinition::new("leaves");
const DROPPED: TableDefinition<&[u8], &str> = TableDefinition::new("dropped");
const DEPOSITS: TableDefinition<u64, &[u8]> = TableDefinition::new("deposits");
const VHEE_LEAVES: TableDefinition<(u32, &[u8]), &[u8]> = TableDefinition::new("vhee_leaves");
/// The crosslinked roots after each committed slot (SCALE `Vec<Root>`): what a network
/// node catching up compares its own roots with.
const SLOT_ROOTS: TableDefinition<u64, &[u8]> = TableDefinition::new("slot_roots");
/// Per slot of a network node: the beacon operations applied at its start (SCALE
/// `Vec<Vec<u8>>`), for peers catching it up.
const SLOT_OPS: TableDefinition<u64, &[u8]> = TableDefinition::new("slot_ops");

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// redb failed.
    #[error("store: {0}")]
    Db(redb::Error),
    /// A stored value does not decode.
    #[error("store: corrupt {0}")]
    Corrupt(&'static str),
    /// The store file exists but is empty: truncated, not a store a devnet wrote.
    #[error("store {0} is an empty file, not a devnet store (remove it to start a new devnet)")]
    Empty(String),
}

fn db<E: Into<redb::Error>>(e: E) -> StoreError {
    StoreError::Db(e.into())
}

fn decode<T: Decode>(bytes: &[u8], what: &'static str) -> Result<T, StoreError> {
    T::decode_all(&mut &bytes[..]).map_err(|_| StoreError::Corrupt(what))
}

/// One slot's changes.
pub struct SlotWrite<'a> {
    /// The committed blocks: shard, block (its user transactions are indexed by hash; the
    /// meta-EE's is not).
    pub blocks: Vec<(u32, &'a StoredBlock)>,
    /// Changed leaves per shard: path → value (zero removes).
    pub leaves: BTreeMap<u32, Vec<(Root, Root)>>,
    /// Transactions dropped in this slot: hash and why.
    pub dropped: &'a [(Root, String)],
    /// Changed leaves of the VHEE's trees per shard (zero removes).
    pub vhee_leaves: &'a BTreeMap<u32, Vec<(Root, Root)>>,
    /// The new head.
    pub head: &'a Head,
}

/// The devnet's persistent state.
pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Db(redb::Error::Io(e)))?;
        }
        // redb would initialise a zero-byte file as a new database; a devnet's store is
        // never empty, so this one was truncated and must not silently become a genesis.
        if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
            return Err(StoreError::Empty(path.display().to_string()));
        }
        Ok(Store { db: Database::create(path).map_err(db)? })
    }

    fn read_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let table = match tx.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(db(e)),
        };
        Ok(table.get(key).map_err(db)?.map(|v| v.value().to_vec()))
    }

    /// The committed head, if the store was initialised.
    pub fn head(&self) -> Result<Option<Head>, StoreError> {
        self.read_meta("head")?.map(|b| decode(&b, "head")).transpose()
    }

    /// The shard count the store was created with.
    pub fn shards(&self) -> Result<Option<u32>, StoreError> {
        self.read_meta("shards")?.map(|b| decode(&b, "shard count")).transpose()
    }

    /// Every registered EE.
    pub fn ees(&self) -> Result<Vec<StoredEe>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = tx.open_table(EES).map_err(db)?;
        t.iter().map_err(db)?.map(|r| decode(r.map_err(db)?.1.value(), "EE")).collect()
    }

    /// Every shard's root at genesis.
    pub fn genesis_roots(&self) -> Result<Option<Vec<Root>>, StoreError> {
        self.read_meta("genesis_roots")?.map(|b| decode(&b, "genesis roots")).transpose()
    }

    /// One registered EE.
    pub fn ee(&self, id: u32) -> Result<Option<StoredEe>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = tx.open_table(EES).map_err(db)?;
        t.get(id).map_err(db)?.map(|v| decode(v.value(), "EE")).transpose()
    }

    /// Every validator.
    pub fn validators(&self) -> Result<BTreeMap<u64, Validator>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = tx.open_table(VALIDATORS).map_err(db)?;
        t.iter()
            .map_err(db)?
            .map(|r| {
                let (k, v) = r.map_err(db)?;
                Ok((k.value(), decode(v.value(), "validator")?))
            })
            .collect()
    }

    /// Every stored leaf of `shard`.
    pub fn leaves(&self, shard: u32) -> Result<Vec<(Root, Root)>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = tx.open_table(LEAVES).map_err(db)?;
        let lo: (u32, &[u8]) = (shard, &[]);
        let hi: (u32, &[u8]) = (shard, &[0xff; 33]);
        t.range(lo..hi)
            .map_err(db)?
            .map(|r| {
                let (k, v) = r.map_err(db)?;
                let path: Root = k.value().1.try_into().map_err(|_| StoreError::Corrupt("leaf key"))?;
                let value: Root = v.value().try_into().map_err(|_| StoreError::Corrupt("leaf value"))?;
                Ok((path, value))
            })
            .collect()
    }

    /// A committed block.
    pub fn block(&self, slot: u64, shard: u32) -> Result<Option<StoredBlock>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = tx.open_table(BLOCKS).map_err(db)?;
        t.get((slot, shard)).map_err(db)?.map(|v| decode(v.value(), "block")).transpose()
    }

    /// Where a committed transaction is.
    pub fn tx(&self, hash: &Root) -> Result<Option<(u64, u32, u32)>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = tx.open_table(TXS).map_err(db)?;
        Ok(t.get(&hash[..]).map_err(db)?.map(|v| v.value()))
    }

    /// Why a transaction was dropped, if it was.
    pub fn dropped(&self, hash: &Root) -> Result<Option<String>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = match tx.open_table(DROPPED) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(db(e)),
        };
        Ok(t.get(&hash[..]).map_err(db)?.map(|v| v.value().to_string()))
    }

    /// Whether a deployment with this hash was applied.
    pub fn deploy_seen(&self, hash: &Root) -> Result<bool, StoreError> {
        Ok(self.deploy_slot(hash)?.is_some())
    }

    /// The slot at which the deployment or deposit with this hash was applied, if it was.
    pub fn deploy_slot(&self, hash: &Root) -> Result<Option<u64>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = tx.open_table(DEPLOYS).map_err(db)?;
        Ok(t.get(&hash[..]).map_err(db)?.map(|v| v.value()))
    }

    /// Writes the genesis state in one transaction.
    pub fn write_genesis(
        &self,
        shards: u32,
        head: &Head,
        ees: &[StoredEe],
        validators: &BTreeMap<u64, Validator>,
        leaves: &BTreeMap<u32, Vec<(Root, Root)>>,
    ) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(db)?;
        {
            let mut meta = tx.open_table(META).map_err(db)?;
            meta.insert("shards", &shards.encode()[..]).map_err(db)?;
            meta.insert("head", &head.encode()[..]).map_err(db)?;
            meta.insert("genesis_roots", &head.shard_roots.encode()[..]).map_err(db)?;
            let mut t = tx.open_table(EES).map_err(db)?;
            for ee in ees {
                t.insert(ee.id, &ee.encode()[..]).map_err(db)?;
            }
            let mut t = tx.open_table(VALIDATORS).map_err(db)?;
            for (i, v) in validators {
                t.insert(*i, &v.encode()[..]).map_err(db)?;
            }
            let mut t = tx.open_table(LEAVES).map_err(db)?;
            for (shard, ls) in leaves {
                for (path, value) in ls {
                    t.insert((*shard, &path[..]), &value[..]).map_err(db)?;
                }
            }
            // Create the remaining tables so readers find them.
            tx.open_table(DEPLOYS).map_err(db)?;
            tx.open_table(BLOCKS).map_err(db)?;
            tx.open_table(TXS).map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    /// Commits one slot atomically.
    pub fn commit_slot(&self, slot: u64, w: &SlotWrite<'_>) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(db)?;
        {
            let mut blocks = tx.open_table(BLOCKS).map_err(db)?;
            let mut txs = tx.open_table(TXS).map_err(db)?;
            for (shard, b) in &w.blocks {
                blocks.insert((slot, *shard), &b.encode()[..]).map_err(db)?;
                for (i, hash) in b.tx_hashes.iter().enumerate() {
                    txs.insert(&hash[..], (slot, *shard, i as u32)).map_err(db)?;
                }
            }
            let mut dropped = tx.open_table(DROPPED).map_err(db)?;
            for (hash, why) in w.dropped {
                dropped.insert(&hash[..], why.as_str()).map_err(db)?;
            }
            let mut vhee = tx.open_table(VHEE_LEAVES).map_err(db)?;
            for (shard, ls) in w.vhee_leaves {
                for (key, value) in ls {
                    if *value == [0; 32] {
                        vhee.remove((*shard, &key[..])).map_err(db)?;
                    } else {
                        vhee.insert((*shard, &key[..]), &value[..]).map_err(db)?;
                    }
                }
            }
            let mut leaves = tx.open_table(LEAVES).map_err(db)?;
            for (shard, ls) in &w.leaves {
                for (path, value) in ls {
                    if *value == [0; 32] {
                        leaves.remove((*shard, &path[..])).map_err(db)?;
                    } else {
                        leaves.insert((*shard, &path[..]), &value[..]).map_err(db)?;
                    }
                }
            }
            tx.open_table(SLOT_ROOTS)
                .map_err(db)?
                .insert(slot, &w.head.shard_roots.encode()[..])
                .map_err(db)?;
            tx.open_table(META).map_err(db)?.insert("head", &w.head.encode()[..]).map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    /// The crosslinked roots after committed `slot` (`None`: not committed, or committed
    /// by a build that did not record them).
    pub fn slot_roots(&self, slot: u64) -> Result<Option<Vec<Root>>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = match tx.open_table(SLOT_ROOTS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(db(e)),
        };
        t.get(slot).map_err(db)?.map(|v| decode(v.value(), "slot roots")).transpose()
    }

    /// Records the beacon operations (SCALE each) applied at the start of `slot`.
    pub fn record_slot_ops(&self, slot: u64, ops: &[Vec<u8>]) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(db)?;
        tx.open_table(SLOT_OPS).map_err(db)?.insert(slot, &ops.encode()[..]).map_err(db)?;
        tx.commit().map_err(db)
    }

    /// The beacon operations applied at the start of `slot` (`None`: none recorded).
    pub fn slot_ops(&self, slot: u64) -> Result<Option<Vec<Vec<u8>>>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = match tx.open_table(SLOT_OPS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(db(e)),
        };
        t.get(slot).map_err(db)?.map(|v| decode(v.value(), "slot operations")).transpose()
    }

    /// The state provider's copy of the VHEE's trees: leaves per shard.
    pub fn vhee_leaves(&self) -> Result<BTreeMap<u32, Vec<(Root, Root)>>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = match tx.open_table(VHEE_LEAVES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(BTreeMap::new()),
            Err(e) => return Err(db(e)),
        };
        let mut out: BTreeMap<u32, Vec<(Root, Root)>> = BTreeMap::new();
        for r in t.iter().map_err(db)? {
            let (k, v) = r.map_err(db)?;
            let (shard, key) = k.value();
            let key: Root = key.try_into().map_err(|_| StoreError::Corrupt("VHEE leaf key"))?;
            let value: Root = v.value().try_into().map_err(|_| StoreError::Corrupt("VHEE leaf"))?;
            out.entry(shard).or_default().push((key, value));
        }
        Ok(out)
    }

    /// The beacon state's deposit receipts, in index order, with the slot each was made in.
    pub fn deposits(&self) -> Result<Vec<(u64, DepositReceipt)>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = match tx.open_table(DEPOSITS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(db(e)),
        };
        t.iter().map_err(db)?.map(|r| decode(r.map_err(db)?.1.value(), "deposit")).collect()
    }

    /// Commits one deposit atomically: the receipt, the validator's balance, the replay
    /// mark.
    pub fn commit_deposit(
        &self,
        index: u64,
        slot: u64,
        receipt: &DepositReceipt,
        validator: &Validator,
        hash: &Root,
    ) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(db)?;
        {
            tx.open_table(DEPOSITS).map_err(db)?.insert(index, &(slot, receipt).encode()[..]).map_err(db)?;
            tx.open_table(VALIDATORS)
                .map_err(db)?
                .insert(receipt.validator_index, &validator.encode()[..])
                .map_err(db)?;
            tx.open_table(DEPLOYS).map_err(db)?.insert(&hash[..], slot).map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    /// Commits one deployment atomically: the EE, the sender's balance, the replay mark.
    pub fn commit_deploy(
        &self,
        ee: &StoredEe,
        sender: u64,
        validator: &Validator,
        hash: &Root,
        slot: u64,
    ) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(db)?;
        {
            tx.open_table(EES).map_err(db)?.insert(ee.id, &ee.encode()[..]).map_err(db)?;
            tx.open_table(VALIDATORS).map_err(db)?.insert(sender, &validator.encode()[..]).map_err(db)?;
            tx.open_table(DEPLOYS).map_err(db)?.insert(&hash[..], slot).map_err(db)?;
        }
        tx.commit().map_err(db)
    }
}

// The message shows the cause; it is not also the `source()`, so `{:#}` prints it once.
impl From<redb::Error> for StoreError {
    fn from(e: redb::Error) -> Self {
        StoreError::Db(e)
    }
}
