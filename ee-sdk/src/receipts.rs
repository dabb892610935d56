//! User-level receipts (seed 000): the tree a cross-shard transfer commits to. Receipt
//! `i` is the leaf `i → sha256(SCALE(receipt))` of a sparse Merkle tree (the shards' tree
//! and hash), and its root is the netting output's `data_root`. Any receipt type works;
//! the VHEE's carry ETH (capped by `netted_get`), the token EE's carry tokens (authenticated
//! by `message_count`). The claimed bit of a receipt lives in the claiming EE's own tree.
use crate::Env;
use crate::proof::{H256, Hasher};
use crate::types::{Root, ShardId};
use alloc::vec::Vec;
use parity_scale_codec::Encode;
use sparse_merkle_tree::SparseMerkleTree;
use sparse_merkle_tree::default_store::DefaultStore;

/// The tree key of receipt `index` (the index in the leaf-side bytes).
pub fn key(index: u32) -> Root {
    let mut k = [0u8; 32];
    k[..4].copy_from_slice(&index.to_le_bytes());
    k
}

/// The leaf of `receipt`.
pub fn leaf<R: Encode>(host: &mut impl Env, receipt: &R) -> Root {
    host.sha256(&receipt.encode())
}

fn tree<H: Hasher + Default, R: Encode>(
    host: &mut impl Env,
    receipts: &[R],
) -> Option<SparseMerkleTree<H, H256, DefaultStore<H256>>> {
    let mut tree = SparseMerkleTree::<H, H256, DefaultStore<H256>>::default();
    let leaves: Vec<(H256, H256)> =
        receipts.iter().enumerate().map(|(i, r)| (key(i as u32).into(), leaf(host, r).into())).collect();
    tree.update_all(leaves).ok()?;
    Some(tree)
}

/// The `data_root` of `receipts` (`None` only if the tree cannot be built), computed
/// without building the tree ([`proof::root_of`](crate::proof::root_of)): the same root as
/// the tree [`prove`] builds, and no tree store in an EE's wasm.
pub fn data_root<H: Hasher + Default, R: Encode>(host: &mut impl Env, receipts: &[R]) -> Option<Root> {
    let leaves: Vec<(Root, Root)> =
        receipts.iter().enumerate().map(|(i, r)| (key(i as u32), leaf(host, r))).collect();
    crate::proof::root_of::<H>(&leaves).ok()
}

/// Whether `proof` shows receipt `index` with leaf `leaf` under `root`.
pub fn verify<H: Hasher + Default>(root: &Root, index: u32, leaf: Root, proof: &[u8]) -> bool {
    crate::proof::verify::<H>(root, proof, &[(key(index), leaf)])
}

/// The compiled proof of receipt `index` among `receipts`.
pub fn prove<H: Hasher + Default, R: Encode>(
    host: &mut impl Env,
    receipts: &[R],
    index: u32,
) -> Option<Vec<u8>> {
    let k: H256 = key(index).into();
    let t = tree::<H, R>(host, receipts)?;
    t.merkle_proof(alloc::vec![k]).and_then(|p| p.compile(alloc::vec![k])).map(|p| p.0).ok()
}

/// The leaf marking receipt `index` of `(source shard, root)` claimed, in the claiming
/// EE's tree (`domain` separates EEs' key spaces).
pub fn claimed_key(host: &mut impl Env, domain: &[u8], source: ShardId, root: &Root, index: u32) -> Root {
    crate::stateless::leaf_key(host, &[domain, &source.0.to_le_bytes(), root, &index.to_le_bytes()])
}
