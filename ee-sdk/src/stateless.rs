//! Stateless EE state: a tree of 32-byte leaves whose root is the EE's state root on a
//! shard, touched by a transaction only through the leaves its [`Witness`] proves.
//!
//! The pattern every stateful EE of the catalogue follows (the VHEE wrote it first):
//!
//! 1. the transaction carries a [`Witness`]: `(key, value)` of every leaf the operation
//!    touches and their compiled multiproof against the EE's pre-state root;
//! 2. [`apply`] verifies it, runs the operation on a [`WitnessLeaves`] (reads and writes
//!    outside the witness fail with [`Missing`]) and computes the post-state root from the
//!    same proof with the new values;
//! 3. off chain, a client holding the full tree runs the *same* operation on a
//!    [`Recorder`] over a [`FullTree`], which records the keys touched, and builds the
//!    witness with [`FullTree::prove`].
//!
//! Operations are written against the [`Leaves`] trait, so the EE's wasm entry, native
//! tests and clients share one state transition.
use crate::proof::{H256, Hasher, compute_root};
use crate::types::Root;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use parity_scale_codec::{Decode, DecodeAll, Encode};
use sparse_merkle_tree::SparseMerkleTree;
use sparse_merkle_tree::default_store::DefaultStore;

/// The leaves a transaction touches and their compiled proof against the pre-state root.
#[derive(Encode, Decode, Clone, Debug, Default, PartialEq, Eq)]
pub struct Witness {
    /// Compiled multiproof of `leaves` (sparse-merkle-tree's format).
    pub proof: Vec<u8>,
    /// `(key, value)` of every touched leaf, strictly increasing in the tree's path order.
    pub leaves: Vec<(Root, Root)>,
}

/// A read or write of a leaf the witness does not carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Missing(pub Root);

/// The EE's tree as an operation sees it. Absent leaves read as zero.
pub trait Leaves {
    /// Reads a leaf.
    fn get(&mut self, key: &Root) -> Result<Root, Missing>;
    /// Writes a leaf.
    fn set(&mut self, key: Root, value: Root) -> Result<(), Missing>;
}

/// The leaves of a verified witness; writes only to leaves it carries. A witness's leaves
/// are strictly sorted by path (its proof does not verify otherwise), so they are kept as
/// they came and found by binary search (no map, no sort in the EE's wasm).
#[derive(Clone, Debug, Default)]
pub struct WitnessLeaves {
    leaves: Vec<(Root, Root)>,
}

impl WitnessLeaves {
    fn find(&mut self, key: &Root) -> Result<&mut Root, Missing> {
        let at = self.leaves.binary_search_by(|(k, _)| k.iter().rev().cmp(key.iter().rev()));
        at.map(|i| &mut self.leaves[i].1).map_err(|_| Missing(*key))
    }
}

impl Leaves for WitnessLeaves {
    fn get(&mut self, key: &Root) -> Result<Root, Missing> {
        self.find(key).copied()
    }
    fn set(&mut self, key: Root, value: Root) -> Result<(), Missing> {
        *self.find(&key)? = value;
        Ok(())
    }
}

/// Why [`apply`] refused a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyError<E> {
    /// The witness repeats a key, is unsorted, or does not prove its leaves against the
    /// pre-state root.
    WitnessInvalid,
    /// The operation refused (including a [`Missing`] leaf, mapped by the operation).
    Op(E),
}

/// Verifies `witness` against `pre`, runs `op` on its leaves and returns the post-state
/// root (`pre` itself when the witness is empty, which lets operations that touch no
/// leaves, such as a pure read, carry none).
pub fn apply<H: Hasher + Default, E>(
    pre: &Root,
    witness: &Witness,
    op: impl FnOnce(&mut WitnessLeaves) -> Result<(), E>,
) -> Result<Root, ApplyError<E>> {
    // Verification refuses leaves out of path order or repeated, which the binary search
    // of `WitnessLeaves` relies on.
    if !witness.leaves.is_empty() && !crate::proof::verify::<H>(pre, &witness.proof, &witness.leaves) {
        return Err(ApplyError::WitnessInvalid);
    }
    let mut view = WitnessLeaves { leaves: witness.leaves.clone() };
    op(&mut view).map_err(ApplyError::Op)?;
    if witness.leaves.is_empty() {
        return Ok(*pre);
    }
    compute_root::<H>(&witness.proof, &view.leaves).map_err(|_| ApplyError::WitnessInvalid)
}

/// A stateless EE's transaction: an operation and the witness of the leaves it touches.
pub trait StatelessTx: Decode {
    /// The witness the transaction carries.
    fn witness(&self) -> &Witness;
}

/// The entry of a stateless EE: decodes the block data as `T`, verifies its witness
/// against the EE's pre-state root, runs `op` on the witnessed leaves and saves the
/// post-state root when it changed. `malformed` and `invalid` are the EE's errors for data
/// that does not decode and a witness that does not verify.
pub fn run_tx<T: StatelessTx, E>(
    malformed: E,
    invalid: E,
    op: impl FnOnce(&T, &mut WitnessLeaves, &mut crate::HostEnv) -> Result<(), E>,
) -> Result<(), E> {
    let data = crate::env::block_data();
    let tx = T::decode_all(&mut &data[..]).map_err(|_| malformed)?;
    let pre = crate::env::pre_state_root();
    let post = apply::<crate::proof::HostSha256, E>(&pre, tx.witness(), |leaves| {
        op(&tx, leaves, &mut crate::HostEnv)
    })
    .map_err(|e| match e {
        ApplyError::WitnessInvalid => invalid,
        ApplyError::Op(e) => e,
    })?;
    if post != pre {
        crate::env::save_post_state_root(&post);
    }
    Ok(())
}

/// Whether `(shard, ee)` may be paid by this EE: an existing shard and a registered EE,
/// other than this EE on this shard.
pub fn payee_ok(host: &mut impl crate::Env, shard: crate::ShardId, ee: crate::EeId) -> bool {
    shard.0 < host.shard_count() && host.ee_exists(ee) && !(shard == host.shard_id() && ee == host.ee_id())
}

/// Pays `amount` to `(shard, ee)`: prints the netting output the meta-EE nets.
pub fn pay_out(host: &mut impl crate::Env, shard: crate::ShardId, ee: crate::EeId, amount: u64) {
    host.emit(&crate::NettingOutput { target_shard: shard, target_ee: ee, amount, data_root: [0; 32] });
}

/// A full copy of an EE's tree on one shard (clients, tests, state providers).
pub struct FullTree<H: Hasher + Default> {
    tree: SparseMerkleTree<H, H256, DefaultStore<H256>>,
}

impl<H: Hasher + Default> Default for FullTree<H> {
    fn default() -> Self {
        FullTree { tree: SparseMerkleTree::default() }
    }
}

impl<H: Hasher + Default> FullTree<H> {
    /// The root (the EE's state root on the shard).
    pub fn root(&self) -> Root {
        (*self.tree.root()).into()
    }

    /// A leaf (zero if absent).
    pub fn get(&self, key: &Root) -> Root {
        self.tree.get(&(*key).into()).map(Into::into).unwrap_or_default()
    }

    /// Writes leaves (zero deletes).
    pub fn update(&mut self, writes: impl IntoIterator<Item = (Root, Root)>) {
        let writes: Vec<(H256, H256)> = writes.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        if !writes.is_empty() {
            // An in-memory store never fails.
            let _ = self.tree.update_all(writes);
        }
    }

    /// The witness of `keys` (their current values and compiled proof), leaves in path
    /// order. Empty keys give an empty witness.
    pub fn prove(&self, keys: impl IntoIterator<Item = Root>) -> Witness {
        let mut keys: Vec<H256> = keys.into_iter().map(Into::into).collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Witness::default();
        }
        let leaves = keys.iter().map(|k| ((*k).into(), self.get(&(*k).into()))).collect();
        let proof = self
            .tree
            .merkle_proof(keys.clone())
            .and_then(|p| p.compile(keys))
            .map(|c| c.0)
            .unwrap_or_default();
        Witness { proof, leaves }
    }

    /// Every non-zero leaf, in key order (what a client persists to restore the tree
    /// with [`FullTree::update`]).
    pub fn leaves(&self) -> Vec<(Root, Root)> {
        let mut out: Vec<(Root, Root)> =
            self.tree.store().leaves_map().iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        out.sort();
        out
    }

    /// A [`Recorder`] over this tree.
    pub fn recorder(&self) -> Recorder<'_, H> {
        Recorder { tree: self, touched: BTreeMap::new(), writes: BTreeMap::new() }
    }
}

/// Reads a [`FullTree`], buffers writes and records every key touched: run an operation on
/// it to learn its witness ([`Recorder::witness`]) and its writes.
pub struct Recorder<'t, H: Hasher + Default> {
    tree: &'t FullTree<H>,
    touched: BTreeMap<Root, ()>,
    writes: BTreeMap<Root, Root>,
}

impl<H: Hasher + Default> Leaves for Recorder<'_, H> {
    fn get(&mut self, key: &Root) -> Result<Root, Missing> {
        self.touched.insert(*key, ());
        Ok(self.writes.get(key).copied().unwrap_or_else(|| self.tree.get(key)))
    }
    fn set(&mut self, key: Root, value: Root) -> Result<(), Missing> {
        self.touched.insert(key, ());
        self.writes.insert(key, value);
        Ok(())
    }
}

impl<H: Hasher + Default> Recorder<'_, H> {
    /// The witness of every key touched, against the tree's current root.
    pub fn witness(&self) -> Witness {
        self.tree.prove(self.touched.keys().copied())
    }

    /// The writes made (key → new value).
    pub fn into_writes(self) -> BTreeMap<Root, Root> {
        self.writes
    }
}

/// A balance with a nonce, as the catalogue's EEs keep accounts (and the VHEE its own).
/// Stored as one leaf: balance (LE) ‖ nonce (LE) ‖ zeros; all-zero never existed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct Account {
    /// Gwei (or token units).
    pub balance: u64,
    /// Signed uses so far; the next must carry this value.
    pub nonce: u64,
}

impl Account {
    /// The leaf value.
    pub fn to_value(self) -> Root {
        let mut v = [0u8; 32];
        v[..8].copy_from_slice(&self.balance.to_le_bytes());
        v[8..16].copy_from_slice(&self.nonce.to_le_bytes());
        v
    }

    /// From a leaf value.
    pub fn from_value(v: &Root) -> Self {
        let mut b = [0u8; 8];
        b.copy_from_slice(&v[..8]);
        let mut n = [0u8; 8];
        n.copy_from_slice(&v[8..16]);
        Account { balance: u64::from_le_bytes(b), nonce: u64::from_le_bytes(n) }
    }
}

/// Why an account operation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountError {
    /// The leaf is not in the witness.
    Missing,
    /// The balance would overflow.
    Overflow,
    /// The balance does not cover the amount.
    Insufficient,
    /// The nonce is behind the account's (already used).
    AlreadyUsed,
    /// The nonce is ahead of the account's.
    NonceAhead,
}

impl From<Missing> for AccountError {
    fn from(_: Missing) -> Self {
        AccountError::Missing
    }
}

/// The account at `key`.
pub fn account(leaves: &mut (impl Leaves + ?Sized), key: &Root) -> Result<Account, AccountError> {
    Ok(Account::from_value(&leaves.get(key)?))
}

/// Adds `amount` to the account at `key`.
pub fn credit(leaves: &mut (impl Leaves + ?Sized), key: Root, amount: u64) -> Result<(), AccountError> {
    let mut acc = account(leaves, &key)?;
    acc.balance = acc.balance.checked_add(amount).ok_or(AccountError::Overflow)?;
    leaves.set(key, acc.to_value())?;
    Ok(())
}

/// Takes `amount` from the account at `key` for a signed use numbered `nonce`, which
/// must be the account's next (then bumped): a signed use counts once.
pub fn debit_signed(
    leaves: &mut (impl Leaves + ?Sized),
    key: Root,
    amount: u64,
    nonce: u64,
) -> Result<(), AccountError> {
    let mut acc = account(leaves, &key)?;
    if nonce < acc.nonce {
        return Err(AccountError::AlreadyUsed);
    }
    if nonce > acc.nonce {
        return Err(AccountError::NonceAhead);
    }
    acc.nonce = acc.nonce.checked_add(1).ok_or(AccountError::Overflow)?;
    acc.balance = acc.balance.checked_sub(amount).ok_or(AccountError::Insufficient)?;
    leaves.set(key, acc.to_value())?;
    Ok(())
}

/// A leaf key: sha256 of `parts` concatenated (a domain tag first), through `host`.
pub fn leaf_key(host: &mut impl crate::Env, parts: &[&[u8]]) -> Root {
    let mut pre = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        pre.extend_from_slice(p);
    }
    host.sha256(&pre)
}

#[cfg(all(test, feature = "pure-sha256"))]
mod tests {
    use super::*;
    use crate::proof::PureSha256;

    fn key(i: u8) -> Root {
        [i; 32]
    }

    #[test]
    fn a_recorded_operation_applies_statelessly_to_the_same_root() {
        let mut tree = FullTree::<PureSha256>::default();
        tree.update([(key(1), key(10)), (key(2), key(20)), (key(3), key(30))]);
        let pre = tree.root();
        let op = |l: &mut dyn Leaves| -> Result<(), Missing> {
            let a = l.get(&key(1))?;
            l.set(key(2), a)?;
            l.set(key(9), key(90))
        };
        let mut rec = tree.recorder();
        op(&mut rec).unwrap();
        let witness = rec.witness();
        let writes = rec.into_writes();
        let post = apply::<PureSha256, _>(&pre, &witness, |l| op(l)).unwrap();
        tree.update(writes);
        assert_eq!(post, tree.root());
        assert_ne!(post, pre);
    }

    #[test]
    fn leaves_outside_the_witness_and_forged_values_are_refused() {
        let mut tree = FullTree::<PureSha256>::default();
        tree.update([(key(1), key(10)), (key(2), key(20))]);
        let pre = tree.root();
        let witness = tree.prove([key(1)]);
        let outside = apply::<PureSha256, _>(&pre, &witness, |l| l.get(&key(2)).map(|_| ()));
        assert_eq!(outside, Err(ApplyError::Op(Missing(key(2)))));
        let mut forged = witness.clone();
        forged.leaves[0].1 = key(11);
        assert_eq!(apply::<PureSha256, ()>(&pre, &forged, |_| Ok(())), Err(ApplyError::WitnessInvalid));
        let mut doubled = witness.clone();
        doubled.leaves.push(doubled.leaves[0]);
        assert_eq!(apply::<PureSha256, ()>(&pre, &doubled, |_| Ok(())), Err(ApplyError::WitnessInvalid));
        assert_eq!(apply::<PureSha256, ()>(&pre, &Witness::default(), |_| Ok(())), Ok(pre));
    }
}
