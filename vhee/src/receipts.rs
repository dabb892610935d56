//! The receipt tree a cross-shard transfer commits to: receipt `i` is the leaf
//! `i → sha256(SCALE(receipt))` of a sparse Merkle tree (the same tree and hash as the
//! shards'), and its root is the netting output's `data_root`.
use crate::error::VheeError;
use crate::types::Receipt;
use alloc::vec::Vec;
use ee_sdk::Env;
use ee_sdk::Root;
use ee_sdk::codec::Encode;
use ee_sdk::proof::{H256, Hasher};
use sparse_merkle_tree::SparseMerkleTree;
use sparse_merkle_tree::default_store::DefaultStore;

/// The tree key of receipt `index` (the index in the leaf-side bytes).
pub fn key(index: u32) -> Root {
    let mut k = [0u8; 32];
    k[..4].copy_from_slice(&index.to_le_bytes());
    k
}

/// The leaf of `receipt`.
pub fn leaf(host: &mut impl Env, receipt: &Receipt) -> Root {
    host.sha256(&receipt.encode())
}

fn tree<H: Hasher + Default>(
    host: &mut impl Env,
    receipts: &[Receipt],
) -> Result<SparseMerkleTree<H, H256, DefaultStore<H256>>, VheeError> {
    let mut tree = SparseMerkleTree::<H, H256, DefaultStore<H256>>::default();
    let leaves: Vec<(H256, H256)> =
        receipts.iter().enumerate().map(|(i, r)| (key(i as u32).into(), leaf(host, r).into())).collect();
    tree.update_all(leaves).map_err(|_| VheeError::Malformed)?;
    Ok(tree)
}

/// The `data_root` of `receipts`.
pub fn data_root<H: Hasher + Default>(host: &mut impl Env, receipts: &[Receipt]) -> Result<Root, VheeError> {
    Ok((*tree::<H>(host, receipts)?.root()).into())
}

/// Whether `proof` shows receipt `index` with leaf `leaf` under `root`.
pub fn verify<H: Hasher + Default>(root: &Root, index: u32, leaf: Root, proof: &[u8]) -> bool {
    ee_sdk::proof::verify::<H>(root, proof, &[(key(index), leaf)])
}

/// The compiled proof of receipt `index` among `receipts`.
pub fn prove<H: Hasher + Default>(
    host: &mut impl Env,
    receipts: &[Receipt],
    index: u32,
) -> Result<Vec<u8>, VheeError> {
    let k: H256 = key(index).into();
    let t = tree::<H>(host, receipts)?;
    let proof = t
        .merkle_proof(alloc::vec![k])
        .and_then(|p| p.compile(alloc::vec![k]))
        .map_err(|_| VheeError::Malformed)?;
    Ok(proof.0)
}
