//! The sha256 sparse Merkle tree (`sparse-merkle-tree` with a sha256 hasher and an
//! Fx-hashed in-memory store).
use rustc_hash::FxHashMap;
use sparse_merkle_tree::error::Error;
use sparse_merkle_tree::traits::{StoreReadOps, StoreWriteOps};
use sparse_merkle_tree::{BranchKey, BranchNode, H256, SparseMerkleTree};

/// sha256 as `sparse-merkle-tree`'s hasher (Eth2's hash): EEs get the same roots through
/// `ee_sdk::proof::HostSha256`, which calls the `sha256` host function.
pub type Sha256Hasher = ee_sdk::proof::PureSha256;

/// In-memory node store. The crate's `DefaultStore` hashes its keys with SipHash; tree
/// keys here are already uniform, so Fx hashing is several times faster on the 256-level
/// walks of every update and proof.
#[derive(Default)]
pub struct FastStore {
    branches: FxHashMap<BranchKey, BranchNode>,
    leaves: FxHashMap<H256, H256>,
}

impl FastStore {
    /// Number of stored branch nodes (a memory figure).
    pub fn branch_count(&self) -> usize {
        self.branches.len()
    }

    /// Number of non-zero leaves.
    pub fn leaf_count(&self) -> usize {
        self.leaves.len()
    }

    /// Every non-zero leaf: (path, value).
    pub fn leaves(&self) -> impl Iterator<Item = (&H256, &H256)> {
        self.leaves.iter()
    }
}

impl StoreReadOps<H256> for FastStore {
    fn get_branch(&self, key: &BranchKey) -> Result<Option<BranchNode>, Error> {
        Ok(self.branches.get(key).cloned())
    }
    fn get_leaf(&self, key: &H256) -> Result<Option<H256>, Error> {
        Ok(self.leaves.get(key).copied())
    }
}

impl StoreWriteOps<H256> for FastStore {
    fn insert_branch(&mut self, key: BranchKey, branch: BranchNode) -> Result<(), Error> {
        self.branches.insert(key, branch);
        Ok(())
    }
    fn insert_leaf(&mut self, key: H256, leaf: H256) -> Result<(), Error> {
        self.leaves.insert(key, leaf);
        Ok(())
    }
    fn remove_branch(&mut self, key: &BranchKey) -> Result<(), Error> {
        self.branches.remove(key);
        Ok(())
    }
    fn remove_leaf(&mut self, key: &H256) -> Result<(), Error> {
        self.leaves.remove(key);
        Ok(())
    }
}

/// A shard's full tree.
pub type Tree = SparseMerkleTree<Sha256Hasher, H256, FastStore>;
