//! The block's writes and the running transaction's writes over a [`StateSource`].
use super::source::StateSource;
use crate::logic::TxState;
use crate::state::{StateError, StateKey, Value};
use ee_sdk::ShardId;
use std::collections::BTreeMap;

/// Two write layers: committed transactions of this block, and the running one.
pub struct BlockState<'s> {
    shard: ShardId,
    source: &'s mut dyn StateSource,
    block: BTreeMap<StateKey, Value>,
    tx: BTreeMap<StateKey, Value>,
}

impl<'s> BlockState<'s> {
    /// Empty layers over `source` for a block on `shard`.
    pub fn new(shard: ShardId, source: &'s mut dyn StateSource) -> Self {
        BlockState { shard, source, block: BTreeMap::new(), tx: BTreeMap::new() }
    }

    /// Keeps the running transaction's writes.
    pub fn commit_tx(&mut self) {
        let tx = std::mem::take(&mut self.tx);
        self.block.extend(tx);
    }

    /// Drops the running transaction's writes.
    pub fn discard_tx(&mut self) {
        self.tx.clear();
    }

    /// The block's committed writes.
    pub fn writes(&self) -> &BTreeMap<StateKey, Value> {
        &self.block
    }

    /// Consumes the overlay, returning the block's committed writes.
    pub fn into_writes(self) -> BTreeMap<StateKey, Value> {
        self.block
    }
}

impl TxState for BlockState<'_> {
    fn get_own(&mut self, key: &StateKey) -> Result<Value, StateError> {
        if let Some(v) = self.tx.get(key).or_else(|| self.block.get(key)) {
            return Ok(*v);
        }
        self.source.own(key)
    }

    fn set_own(&mut self, key: StateKey, value: Value) -> Result<(), StateError> {
        self.source.touch_own(&key)?;
        self.tx.insert(key, value);
        Ok(())
    }

    fn get_foreign(&mut self, shard: ShardId, key: &StateKey) -> Result<Value, StateError> {
        if shard == self.shard {
            return self.get_own(key);
        }
        self.source.foreign(shard, key)
    }

    fn load_multiproof(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        self.source.load_multiproof(bytes)
    }
}
