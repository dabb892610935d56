//! Where a block's pre-state comes from.
use crate::state::{StateError, StateKey, Value, World};
use ee_sdk::ShardId;
use std::collections::{BTreeMap, BTreeSet};

/// Pre-state of one shard block: the shard's own tree before the block and every other
/// shard's latest crosslinked tree.
pub trait StateSource {
    /// Reads a key of the block's shard.
    fn own(&mut self, key: &StateKey) -> Result<Value, StateError>;
    /// Announces a write of a key of the block's shard (a stateless source refuses keys
    /// its witness does not cover; a stateful one records them).
    fn touch_own(&mut self, key: &StateKey) -> Result<(), StateError>;
    /// Reads a key of another shard.
    fn foreign(&mut self, shard: ShardId, key: &StateKey) -> Result<Value, StateError>;
    /// Loads a multiproof passed to `multiproof_load`.
    fn load_multiproof(&mut self, bytes: &[u8]) -> Result<(), StateError>;
}

/// Full-state source over a [`World`] whose trees are at the slot's start. Records every
/// own key read or written and every foreign key read.
pub struct StatefulSource<'w> {
    world: &'w World,
    shard: ShardId,
    /// Own-shard keys read or written.
    pub own_keys: BTreeSet<StateKey>,
    /// Foreign keys read, per shard.
    pub foreign_keys: BTreeMap<ShardId, BTreeSet<StateKey>>,
}

impl<'w> StatefulSource<'w> {
    /// A source for a block on `shard`.
    pub fn new(world: &'w World, shard: ShardId) -> Self {
        StatefulSource { world, shard, own_keys: BTreeSet::new(), foreign_keys: BTreeMap::new() }
    }
}

impl StateSource for StatefulSource<'_> {
    fn own(&mut self, key: &StateKey) -> Result<Value, StateError> {
        self.own_keys.insert(*key);
        self.world.shard(self.shard)?.get(key)
    }

    fn touch_own(&mut self, key: &StateKey) -> Result<(), StateError> {
        self.own_keys.insert(*key);
        Ok(())
    }

    fn foreign(&mut self, shard: ShardId, key: &StateKey) -> Result<Value, StateError> {
        let value = self.world.shard(shard)?.get(key)?;
        self.foreign_keys.entry(shard).or_default().insert(*key);
        Ok(value)
    }

    fn load_multiproof(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        if bytes.is_empty() {
            Ok(())
        } else {
            Err(StateError::Witness("this executor does not take witnesses".into()))
        }
    }
}
