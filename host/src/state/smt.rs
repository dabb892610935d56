//! The sha256 sparse Merkle tree (`sparse-merkle-tree` with a sha256 hasher).
use sha2::{Digest, Sha256};
use sparse_merkle_tree::default_store::DefaultStore;
use sparse_merkle_tree::traits::Hasher;
use sparse_merkle_tree::{H256, SparseMerkleTree};

/// sha256 as `sparse-merkle-tree`'s hasher (Eth2's hash; EEs use the `sha256` host
/// function through `ee_sdk::proof::Sha256Hasher` and get the same roots).
#[derive(Default)]
pub struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write_h256(&mut self, h: &H256) {
        self.0.update(h.as_slice());
    }
    fn write_byte(&mut self, b: u8) {
        self.0.update([b]);
    }
    fn finish(self) -> H256 {
        let out: [u8; 32] = self.0.finalize().into();
        out.into()
    }
}

/// A shard's full tree.
pub type Tree = SparseMerkleTree<Sha256Hasher, H256, DefaultStore<H256>>;
