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
    /// Leaves not strictly sorted by path (or a path repeated).
    UnsortedLeaves,
    /// The compiled proof is malformed or does not match the leaves.
    Corrupted,
}

/// Whether path `a` comes before path `b` in the tree: [`H256`]'s `Ord`, which compares
/// from the root-side bit (the last byte first).
pub fn path_less(a: &Root, b: &Root) -> bool {
    a.iter().rev().lt(b.iter().rev())
}

fn h256(bytes: &[u8]) -> H256 {
    let mut out = [0u8; 32];
    out.copy_from_slice(bytes);
    out.into()
}

/// The root a compiled `proof` gives for `leaves` (`(path, value)`, strictly increasing
/// in the tree's path order, [`path_less`]).
///
/// With the pre-state values it must equal the pre-state root; with updated values (same
/// paths) it *is* the post-state root — how a stateless EE computes its new root.
///
/// It evaluates the crate's compiled format as `CompiledMerkleProof::compute_root` does —
/// `L` pushes a leaf, `P`/`Q` join the top with a sibling from the proof, `O n` with `n`
/// empty siblings, `H` joins the top two — with the crate's own `merge`, so the roots are
/// the crate's (a property test compares them), and checks what the crate's evaluation
/// leaves out: an `H` at height `h` must join a left subtree (bit `h` of its path clear)
/// with a right one (bit `h` set) under the same parent. Without that a zero (absent) leaf
/// could be claimed at a path the tree holds a value at (a forged non-membership proof,
/// found by fuzzing). The leaves are not sorted here (they must arrive sorted), which keeps
/// a sort out of every EE's wasm.
pub fn compute_root<H: Hasher + Default>(proof: &[u8], leaves: &[(Root, Root)]) -> Result<Root, ProofError> {
    use ProofError::Corrupted;
    use sparse_merkle_tree::merge::{MergeValue, merge};
    if leaves.windows(2).any(|w| !path_less(&w[0].0, &w[1].0)) {
        return Err(ProofError::UnsortedLeaves);
    }
    // (height, the subtree's path above its height, value) per stack entry.
    let mut stack: Vec<(u16, H256, MergeValue)> = Vec::new();
    let mut next_leaf = 0;
    let mut i = 0;
    while i < proof.len() {
        let code = proof[i];
        i += 1;
        match code {
            0x4C => {
                let (key, value) = leaves.get(next_leaf).ok_or(Corrupted)?;
                stack.push((0, (*key).into(), MergeValue::from_h256((*value).into())));
                next_leaf += 1;
            }
            0x50 | 0x51 => {
                let len = if code == 0x50 { 32 } else { 65 };
                let data = proof.get(i..i + len).ok_or(Corrupted)?;
                i += len;
                let sibling = if code == 0x50 {
                    MergeValue::from_h256(h256(data))
                } else {
                    MergeValue::MergeWithZero {
                        zero_count: data[0],
                        base_node: h256(&data[1..33]),
                        zero_bits: h256(&data[33..65]),
                    }
                };
                let (height, key, value) = stack.pop().ok_or(Corrupted)?;
                let h = u8::try_from(height).map_err(|_| Corrupted)?;
                let parent = key.parent_path(h);
                let node = if key.get_bit(h) {
                    merge::<H>(h, &parent, &sibling, &value)
                } else {
                    merge::<H>(h, &parent, &value, &sibling)
                };
                stack.push((height + 1, parent, node));
            }
            0x4F => {
                let n = *proof.get(i).ok_or(Corrupted)?;
                i += 1;
                let count = if n == 0 { 256 } else { u16::from(n) };
                let (base, key, mut value) = stack.pop().ok_or(Corrupted)?;
                if base + count > 256 {
                    return Err(Corrupted);
                }
                let mut parent = key;
                for height in base..base + count {
                    let h = height as u8;
                    parent = key.parent_path(h);
                    value = if key.get_bit(h) {
                        merge::<H>(h, &parent, &MergeValue::zero(), &value)
                    } else {
                        merge::<H>(h, &parent, &value, &MergeValue::zero())
                    };
                }
                stack.push((base + count, parent, value));
            }
            0x48 => {
                let (height_b, key_b, value_b) = stack.pop().ok_or(Corrupted)?;
                let (height_a, key_a, value_a) = stack.pop().ok_or(Corrupted)?;
                if height_a != height_b || height_a > 255 {
                    return Err(Corrupted);
                }
                let h = height_a as u8;
                let parent = key_a.parent_path(h);
                if parent != key_b.parent_path(h) || key_a.get_bit(h) || !key_b.get_bit(h) {
                    return Err(Corrupted);
                }
                stack.push((height_a + 1, parent, merge::<H>(h, &parent, &value_a, &value_b)));
            }
            _ => return Err(Corrupted),
        }
    }
    match stack.as_slice() {
        [(256, _, root)] if next_leaf == leaves.len() => Ok(root.hash::<H>().into()),
        _ => Err(Corrupted),
    }
}

/// Whether `leaves` are in the tree with root `root` according to `proof`.
pub fn verify<H: Hasher + Default>(root: &Root, proof: &[u8], leaves: &[(Root, Root)]) -> bool {
    compute_root::<H>(proof, leaves).is_ok_and(|r| &r == root)
}

/// The root of the tree holding exactly `leaves` (paths distinct, in any order; a zero
/// value is an absent leaf): what building a `SparseMerkleTree` and inserting them gives,
/// without the tree's store. It writes the compiled proof of every leaf of such a tree —
/// which needs no sibling from outside, only joins (`H`) and empty siblings (`O`) — and
/// evaluates it with [`compute_root`]. Repeated paths are refused.
pub fn root_of<H: Hasher + Default>(leaves: &[(Root, Root)]) -> Result<Root, ProofError> {
    let mut sorted: Vec<(Root, Root)> = leaves.iter().filter(|(_, v)| *v != [0; 32]).copied().collect();
    if sorted.is_empty() {
        return Ok([0; 32]);
    }
    crate::sort::heapsort_by(&mut sorted, |a, b| path_less(&a.0, &b.0));
    let mut program = Vec::with_capacity(sorted.len() * 4);
    // The heights at which the subtrees on the stack fork from the next leaf.
    let mut forks: Vec<u8> = Vec::new();
    let mut zeros = 0u16;
    fn flush(program: &mut Vec<u8>, zeros: &mut u16) {
        if *zeros > 0 {
            program.extend([0x4F, *zeros as u8]); // 256 is written as 0
            *zeros = 0;
        }
    }
    for (i, (key, _)) in sorted.iter().enumerate() {
        let next = sorted.get(i + 1).map(|(k, _)| H256::from(*k));
        let fork = match next {
            Some(n) => H256::from(*key).fork_height(&n),
            None => u8::MAX,
        };
        program.push(0x4C);
        for height in 0..=fork {
            if height == fork && next.is_some() {
                break;
            }
            if forks.last() == Some(&height) {
                forks.pop();
                flush(&mut program, &mut zeros);
                program.push(0x48);
            } else {
                zeros += 1;
            }
        }
        flush(&mut program, &mut zeros);
        forks.push(fork);
    }
    compute_root::<H>(&program, &sorted)
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

    type Tree = sparse_merkle_tree::SparseMerkleTree<
        PureSha256,
        H256,
        sparse_merkle_tree::default_store::DefaultStore<H256>,
    >;

    /// Paths either anywhere, or differing only in their first and last bytes (deep forks,
    /// long runs of empty siblings).
    fn path() -> impl proptest::strategy::Strategy<Value = Root> {
        use proptest::prelude::*;
        prop_oneof![
            any::<[u8; 32]>(),
            (any::<u8>(), 0u8..4).prop_map(|(first, last)| {
                let mut k = [0u8; 32];
                k[0] = first;
                k[31] = last;
                k
            }),
        ]
    }

    proptest::proptest! {
        /// The SDK's evaluation gives the crate's roots for the crate's proofs, before and
        /// after the proven leaves change; `root_of` gives the crate's tree root.
        #[test]
        fn roots_agree_with_the_crate(
            entries in proptest::collection::btree_map(path(), proptest::prelude::any::<[u8; 32]>(), 1..40),
            picks in proptest::collection::vec(proptest::prelude::any::<bool>(), 40),
            new_value in proptest::prelude::any::<[u8; 32]>(),
        ) {
            let mut tree = Tree::default();
            let leaves: Vec<(Root, Root)> = entries.iter().map(|(k, v)| (*k, *v)).collect();
            tree.update_all(leaves.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()).unwrap();
            let root: Root = (*tree.root()).into();
            proptest::prop_assert_eq!(root_of::<PureSha256>(&leaves), Ok(root));
            let mut shuffled = leaves.clone();
            shuffled.reverse();
            proptest::prop_assert_eq!(root_of::<PureSha256>(&shuffled), Ok(root), "any order");
            // A proof of some of the leaves (and of absent paths beside them).
            let mut chosen: Vec<(Root, Root)> =
                leaves.iter().zip(&picks).filter(|(_, p)| **p).map(|(l, _)| *l).collect();
            chosen.push(([0x5a; 32], tree.get(&[0x5a; 32].into()).unwrap().into()));
            chosen.sort_by(|a, b| a.0.iter().rev().cmp(b.0.iter().rev()));
            chosen.dedup_by(|a, b| a.0 == b.0);
            let keys: Vec<H256> = chosen.iter().map(|(k, _)| (*k).into()).collect();
            let proof = tree.merkle_proof(keys.clone()).unwrap().compile(keys).unwrap();
            proptest::prop_assert_eq!(compute_root::<PureSha256>(&proof.0, &chosen), Ok(root));
            let changed: Vec<(Root, Root)> = chosen.iter().map(|(k, _)| (*k, new_value)).collect();
            let theirs: Root = proof
                .compute_root::<PureSha256>(changed.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect())
                .unwrap()
                .into();
            proptest::prop_assert_eq!(compute_root::<PureSha256>(&proof.0, &changed), Ok(theirs));
            tree.update_all(changed.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()).unwrap();
            proptest::prop_assert_eq!(theirs, Root::from(*tree.root()));
            if chosen.len() > 1 {
                let mut unsorted = chosen.clone();
                unsorted.swap(0, 1);
                proptest::prop_assert_eq!(compute_root::<PureSha256>(&proof.0, &unsorted), Err(ProofError::UnsortedLeaves));
            }
        }
    }

    #[test]
    fn root_of_an_empty_tree_is_zero_and_repeated_paths_are_refused() {
        assert_eq!(root_of::<PureSha256>(&[]), Ok([0; 32]));
        assert_eq!(root_of::<PureSha256>(&[([1; 32], [0; 32])]), Ok([0; 32]), "a zero value is absent");
        assert_eq!(
            root_of::<PureSha256>(&[([1; 32], [2; 32]), ([1; 32], [3; 32])]),
            Err(ProofError::UnsortedLeaves)
        );
    }

    fn hex_literal(s: &[u8]) -> Vec<u8> {
        let d = |c: u8| (c as char).to_digit(16).unwrap() as u8;
        s.chunks(2).map(|p| d(p[0]) << 4 | d(p[1])).collect()
    }
}
