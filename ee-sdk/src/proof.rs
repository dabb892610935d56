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
///
/// The proof's shape is checked against the leaves' paths first ([`check_shape`]): the
/// crate's own evaluation does not check that the two subtrees an `H` step joins lie on
/// either side of the node, so without it a zero (absent) leaf could be claimed at a path
/// the tree holds a value at (a forged non-membership proof, found by fuzzing).
pub fn compute_root<H: Hasher + Default>(proof: &[u8], leaves: &[(Root, Root)]) -> Result<Root, ProofError> {
    let leaves: Vec<(H256, H256)> = leaves.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
    if leaves.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(ProofError::UnsortedLeaves);
    }
    check_shape(proof, &leaves)?;
    CompiledMerkleProof(proof.to_vec())
        .compute_root::<H>(leaves)
        .map(Into::into)
        .map_err(|_| ProofError::Corrupted)
}

/// Whether `leaves` are in the tree with root `root` according to `proof`.
pub fn verify<H: Hasher + Default>(root: &Root, proof: &[u8], leaves: &[(Root, Root)]) -> bool {
    compute_root::<H>(proof, leaves).is_ok_and(|r| &r == root)
}

/// Walks a compiled proof's program over the (sorted) leaf paths as the crate evaluates it —
/// `L` pushes a leaf, `P`/`Q` join the top with a sibling from the proof, `O n` with `n`
/// empty siblings, `H` joins the top two — and checks what the evaluation leaves out: an
/// `H` at height `h` joins a left subtree (bit `h` of its paths clear) with a right one
/// (bit `h` set) under the same parent. Any other malformation is left to the evaluation.
pub fn check_shape(proof: &[u8], leaves: &[(H256, H256)]) -> Result<(), ProofError> {
    // (height, a path of the subtree) per stack entry.
    let mut stack: Vec<(u16, H256)> = Vec::new();
    let mut next_leaf = 0;
    let mut i = 0;
    while i < proof.len() {
        let code = proof[i];
        i += 1;
        match code {
            0x4C => {
                let (key, _) = leaves.get(next_leaf).ok_or(ProofError::Corrupted)?;
                stack.push((0, *key));
                next_leaf += 1;
            }
            0x50 | 0x51 => {
                i += if code == 0x50 { 32 } else { 65 };
                let (height, key) = stack.pop().ok_or(ProofError::Corrupted)?;
                if height > 255 {
                    return Err(ProofError::Corrupted);
                }
                stack.push((height + 1, key));
            }
            0x4F => {
                let n = *proof.get(i).ok_or(ProofError::Corrupted)?;
                i += 1;
                let (height, key) = stack.pop().ok_or(ProofError::Corrupted)?;
                if height > 255 {
                    return Err(ProofError::Corrupted);
                }
                stack.push((height + if n == 0 { 256 } else { u16::from(n) }, key));
            }
            0x48 => {
                let (height_b, key_b) = stack.pop().ok_or(ProofError::Corrupted)?;
                let (height_a, key_a) = stack.pop().ok_or(ProofError::Corrupted)?;
                if height_a != height_b || height_a > 255 {
                    return Err(ProofError::Corrupted);
                }
                let h = height_a as u8;
                if key_a.parent_path(h) != key_b.parent_path(h) || key_a.get_bit(h) || !key_b.get_bit(h) {
                    return Err(ProofError::Corrupted);
                }
                stack.push((height_a + 1, key_a));
            }
            _ => return Err(ProofError::Corrupted),
        }
    }
    Ok(())
}

#[cfg(all(test, feature = "pure-sha256"))]
mod tests {
    use super::*;

    fn h(hex_byte_at: &[(usize, u8)]) -> Root {
        let mut r = [0u8; 32];
        for &(i, b) in hex_byte_at {
            r[i] = b;
        }
        r
    }

    /// Fuzzing found it (`fuzz/corpus/witness_verify/seed-regress-forged-absence`): a tree
    /// holding one leaf, `[0x72; 32]` at path `01 00 … 00`; the honest proof that paths
    /// `00 … 00` and `00 … 01` are absent; the same proof bytes with the second path
    /// replaced by the present leaf's path gave the same root, i.e. "proved" the present
    /// leaf absent. The `H` step joined two subtrees on the same side of its node.
    #[test]
    fn a_proof_of_absence_cannot_be_moved_onto_a_present_leaf() {
        let mut proof = alloc::vec![0x4C, 0x50];
        proof.extend([0x72; 32]);
        proof.extend([0x4F, 0xF7, 0x4C, 0x4F, 0xF8, 0x48, 0x4F, 0x07]);
        let zero = [0u8; 32];
        let honest = [(zero, zero), (h(&[(31, 1)]), zero)];
        let root = compute_root::<PureSha256>(&proof, &honest).expect("the honest proof evaluates");
        assert_eq!(
            root,
            <[u8; 32]>::try_from(
                &hex_literal(b"cc76d8764c73acb04b2e63c356d5d890bce0afed648c9e30f251150dd8a0af59")[..]
            )
            .unwrap()
        );
        let forged = [(zero, zero), (h(&[(0, 1)]), zero)];
        assert_eq!(compute_root::<PureSha256>(&proof, &forged), Err(ProofError::Corrupted));
        assert!(!verify::<PureSha256>(&root, &proof, &forged));
    }

    fn hex_literal(s: &[u8]) -> Vec<u8> {
        let d = |c: u8| (c as char).to_digit(16).unwrap() as u8;
        s.chunks(2).map(|p| d(p[0]) << 4 | d(p[1])).collect()
    }
}
