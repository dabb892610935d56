//! One shard's state.
use super::StateError;
use super::keys::{KeyLayout, StateKey, Value};
use super::smt::Tree;
use ee_sdk::{Root, ShardId};
use sparse_merkle_tree::H256;
use std::collections::BTreeMap;

/// A shard's state tree plus the key layout it was built with.
pub struct ShardState {
    id: ShardId,
    layout: KeyLayout,
    tree: Tree,
}

impl ShardState {
    /// An empty shard.
    pub fn new(id: ShardId, layout: KeyLayout) -> Self {
        ShardState { id, layout, tree: Tree::default() }
    }

    /// The shard's id.
    pub fn id(&self) -> ShardId {
        self.id
    }

    /// The key layout of the tree.
    pub fn layout(&self) -> KeyLayout {
        self.layout
    }

    /// The current root.
    pub fn root(&self) -> Root {
        (*self.tree.root()).into()
    }

    /// Reads a key (zero if absent).
    pub fn get(&self, key: &StateKey) -> Result<Value, StateError> {
        let v = self.tree.get(&key.path(self.layout)).map_err(tree_err)?;
        Ok(v.into())
    }

    /// Writes one key.
    pub fn set(&mut self, key: &StateKey, value: Value) -> Result<Root, StateError> {
        self.tree.update(key.path(self.layout), H256::from(value)).map_err(tree_err)?;
        Ok(self.root())
    }

    /// Writes a batch of keys and returns the new root.
    pub fn apply(&mut self, writes: &BTreeMap<StateKey, Value>) -> Result<Root, StateError> {
        if writes.is_empty() {
            return Ok(self.root());
        }
        let leaves = writes.iter().map(|(k, v)| (k.path(self.layout), H256::from(*v))).collect();
        self.tree.update_all(leaves).map_err(tree_err)?;
        Ok(self.root())
    }

    /// Writes leaves by tree path (restoring a persisted tree).
    pub fn apply_paths(&mut self, leaves: Vec<(Root, Value)>) -> Result<Root, StateError> {
        if leaves.is_empty() {
            return Ok(self.root());
        }
        let leaves = leaves.into_iter().map(|(k, v)| (H256::from(k), H256::from(v))).collect();
        self.tree.update_all(leaves).map_err(tree_err)?;
        Ok(self.root())
    }

    /// Every non-zero leaf as (path, value), in path order.
    pub fn leaves(&self) -> Vec<(Root, Value)> {
        let mut v: Vec<(Root, Value)> =
            self.tree.store().leaves().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        v.sort();
        v
    }

    /// The underlying tree (for proofs).
    pub fn tree(&self) -> &Tree {
        &self.tree
    }
}

pub(crate) fn tree_err(e: sparse_merkle_tree::error::Error) -> StateError {
    StateError::Tree(e.to_string())
}
