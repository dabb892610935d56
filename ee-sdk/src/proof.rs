//! Sparse-Merkle multiproofs inside an EE (`sparse-merkle-tree`'s compiled format).
//!
//! The host's shard trees and an EE's own trees use the same tree and the same hash, so an
//! EE verifies proofs exactly as the host does. [`HostSha256`] hashes through the metered
//! `sha256` host function (one call per tree node); [`PureSha256`] (feature `pure-sha256`)
//! computes sha256 in wasm — same roots, different cost (see `examples/proof-ee`).
use crate::types::Root;
use alloc::vec::Vec;
pub use sparse_merkle_tree::traits::Hasher;
pub use sparse_merkle_tree::{CompiledMerkleProof, H256};

/// sha256 through the host (`env::sha256`): bytes are buffered, hashed once on `finish`.
#[derive(Default)]
pub struct HostSha256 {
    buf: Vec<u8>,
}

impl Hasher for HostSha256 {
    fn write_h256(&mut self, h: &H256) {
        self.buf.extend_from_slice(h.as_slice());
    }
    fn write_byte(&mut self, b: u8) {
        self.buf.push(b);
    }
    fn finish(self) -> H256 {
        crate::env::sha256(&self.buf).into()
    }
}

/// sha256 computed by this code itself (the `sha2` crate) rather than by the host: in an
/// EE, the pure-wasm fallback; natively, the host's and clients' hasher for the same trees.
#[cfg(feature = "pure-sha256")]
#[derive(Default)]
pub struct PureSha256(sha2::Sha256);

#[cfg(feature = "pure-sha256")]
impl Hasher for PureSha256 {
    fn write_h256(&mut self, h: &H256) {
        sha2::Digest::update(&mut self.0, h.as_slice());
    }
    fn write_byte(&mut self, b: u8) {
        sha2::Digest::update(&mut self.0, [b]);
    }
    fn finish(self) -> H256 {
        let out: [u8; 32] = sha2::Digest::finalize(self.0).into();
        out.into()
    }
}

/// Why a proof could not be evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProofError {
    /// Leaves not strictly sorted by path (or duplicated).
    UnsortedLeaves,
    /// The compiled proof is malformed or does not match the leaves.
    Corrupted,
}

/// The root a compiled `proof` gives for `leaves` (`(path, value)`, strictly increasing
/// in the tree's path order — [`H256`]'s `Ord`, which compares from the root-side bit).
///
/// With the pre-state values it must equal the pre-state root; with updated values (same
/// paths) it *is* the post-state root — how a stateless EE computes its new root.
pub fn compute_root<H: Hasher + Default>(proof: &[u8], leaves: &[(Root, Root)]) -> Result<Root, ProofError> {
    let leaves: Vec<(H256, H256)> = leaves.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
    if leaves.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(ProofError::UnsortedLeaves);
    }
    CompiledMerkleProof(proof.to_vec())
        .compute_root::<H>(leaves)
        .map(Into::into)
        .map_err(|_| ProofError::Corrupted)
}

/// Whether `leaves` are in the tree with root `root` according to `proof`.
pub fn verify<H: Hasher + Default>(root: &Root, proof: &[u8], leaves: &[(Root, Root)]) -> bool {
    compute_root::<H>(proof, leaves).is_ok_and(|r| &r == root)
}
