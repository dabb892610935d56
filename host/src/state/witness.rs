//! Witnesses: compiled multiproofs of some keys of one shard's tree, and their
//! verification (DESIGN §3).
use super::StateError;
use super::keys::{KeyLayout, StateKey, Value};
use super::shard::{ShardState, tree_err};
use super::smt::Sha256Hasher;
use ee_sdk::codec::DecodeAll;
use ee_sdk::{Root, ShardId, ShardProof};
use sparse_merkle_tree::H256;
use std::collections::{BTreeMap, BTreeSet};

impl ShardState {
    /// The compiled proof of `keys` (present or absent) against the current root, or
    /// `None` for no keys.
    pub fn prove(&self, keys: &BTreeSet<StateKey>) -> Result<Option<ShardProof>, StateError> {
        if keys.is_empty() {
            return Ok(None);
        }
        let mut paths: Vec<H256> = keys.iter().map(|k| k.path(self.layout())).collect();
        paths.sort();
        paths.dedup();
        let proof = self
            .tree()
            .merkle_proof(paths.clone())
            .and_then(|p| p.compile(paths.clone()))
            .map_err(tree_err)?;
        let leaves = paths
            .iter()
            .map(|p| Ok(((*p).into(), self.tree().get(p).map_err(tree_err)?.into())))
            .collect::<Result<Vec<(Root, Root)>, StateError>>()?;
        Ok(Some(ShardProof { shard: self.id(), leaves, proof: proof.0 }))
    }
}

/// Verifies `proof` against `root` and returns its leaves (`path → value`).
pub fn verify(proof: &ShardProof, root: &Root) -> Result<BTreeMap<Root, Value>, StateError> {
    let computed = ee_sdk::proof::compute_root::<Sha256Hasher>(&proof.proof, &proof.leaves).map_err(|e| {
        StateError::Witness(format!("proof for shard {} is malformed ({e:?})", proof.shard.0))
    })?;
    if &computed != root {
        return Err(StateError::Witness(format!(
            "proof for shard {} gives root {}, expected {}",
            proof.shard.0,
            hex::encode(computed),
            hex::encode(root)
        )));
    }
    Ok(proof.leaves.iter().copied().collect())
}

/// The root of shard `shard` after `writes`, computed from its own-shard proof alone (what a
/// stateless validator does): `pre_root` when nothing is written; every written key must be
/// covered by `own`.
pub fn root_after_writes(
    shard: ShardId,
    pre_root: Root,
    own: Option<&ShardProof>,
    writes: &BTreeMap<StateKey, Value>,
    layout: KeyLayout,
) -> Result<Root, StateError> {
    let Some(proof) = own else {
        return match writes.keys().next() {
            None => Ok(pre_root),
            Some(k) => Err(StateError::NotInWitness { shard: shard.0, key: *k }),
        };
    };
    let updates = writes.iter().map(|(k, v)| (k.path(layout).into(), *v)).collect();
    updated_root(proof, &updates)
}

/// The root `proof` gives after replacing the values of its leaves by `updates`
/// (`path → value`; every path must be a leaf of the proof).
pub fn updated_root(proof: &ShardProof, updates: &BTreeMap<Root, Value>) -> Result<Root, StateError> {
    let mut leaves = proof.leaves.clone();
    for (path, value) in updates {
        let i = leaves.binary_search_by(|(p, _)| H256::from(*p).cmp(&H256::from(*path))).map_err(|_| {
            StateError::Witness(format!("update of {} outside the witness", hex::encode(path)))
        })?;
        leaves[i].1 = *value;
    }
    ee_sdk::proof::compute_root::<Sha256Hasher>(&proof.proof, &leaves)
        .map_err(|e| StateError::Witness(format!("cannot recompute root ({e:?})")))
}

/// Decodes a witness that must use every byte.
pub fn decode<T: DecodeAll>(bytes: &[u8], what: &str) -> Result<T, StateError> {
    T::decode_all(&mut &bytes[..]).map_err(|e| StateError::Witness(format!("{what} does not decode: {e}")))
}
