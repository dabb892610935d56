//! The native VHEE client: keys, signatures, full copies of the VHEE's trees, and
//! transactions with their witnesses.
//!
//! [`VheeClient::prepare`] runs the VHEE's own state transition ([`crate::logic`]) on the
//! client's full tree, recording every key it touches; the transaction carries the proof of
//! those keys, and [`VheeClient::commit`] applies the writes once the chain accepted it. A
//! [`Snapshot`] supplies what the host would (shard, registered EEs, netted amounts,
//! deposits) from whatever the caller knows of the chain.
use crate::error::VheeError;
use crate::logic::{View, execute};
use crate::receipts;
use crate::types::{Account, Address, Op, Receipt, VheeTx};
use ee_sdk::bls::SecretKey;
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::proof::H256;
use ee_sdk::{
    BlsPublicKey, BlsSignature, DepositReceipt, EeId, NettingOutput, Root, ShardId, ShardTransaction,
};
use sha2::{Digest, Sha256};
use sparse_merkle_tree::SparseMerkleTree;
use sparse_merkle_tree::default_store::DefaultStore;
use std::collections::{BTreeMap, BTreeSet};

/// Eth2's proof-of-possession ciphersuite (the host verifies with the same).
pub use ee_sdk::bls::DST;

/// sha256 computed natively, for the client's trees (the host's hasher too).
pub use ee_sdk::proof::PureSha256 as Sha2Hasher;

type Tree = SparseMerkleTree<Sha2Hasher, H256, DefaultStore<H256>>;

/// A BLS12-381 key pair.
pub struct Keypair {
    secret: SecretKey,
    /// The compressed public key.
    pub public: BlsPublicKey,
}

impl Keypair {
    /// A key pair derived from `seed` (any bytes; deterministic).
    pub fn from_seed(seed: &[u8]) -> Keypair {
        Keypair::from_secret(SecretKey::from_seed(seed))
    }

    /// The key pair of `secret`.
    pub fn from_secret(secret: SecretKey) -> Keypair {
        let public = secret.public();
        Keypair { secret, public }
    }

    /// Signs `msg`.
    pub fn sign(&self, msg: &[u8]) -> BlsSignature {
        self.secret.sign(msg)
    }

    /// The account of this key in `portion`.
    pub fn address(&self, portion: EeId) -> Address {
        Address { portion, key: self.public }
    }

    /// A validator deposit receipt signed by this key.
    pub fn deposit(
        &self,
        validator_index: u64,
        target: ShardId,
        data: ee_sdk::DepositData,
    ) -> DepositReceipt {
        let mut r = DepositReceipt {
            validator_index,
            target,
            data: data.encode(),
            pubkey: self.public,
            signature: [0; 96],
        };
        r.signature = self.sign(&r.signing_message());
        r
    }
}

/// What the client knows of the chain, standing in for the host while preparing.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// The shard.
    pub shard: ShardId,
    /// Shard count.
    pub shard_count: u32,
    /// The VHEE's id.
    pub vhee: EeId,
    /// The calling EE (for portion operations made through `call_ee`).
    pub caller: Option<EeId>,
    /// Registered EEs.
    pub ees: BTreeSet<EeId>,
    /// `(source shard, data root) → netted` towards this shard's VHEE.
    pub netted: BTreeMap<(ShardId, Root), u64>,
    /// The beacon state's deposit receipts.
    pub deposits: Vec<DepositReceipt>,
    /// Netting outputs the operation printed.
    pub emitted: Vec<NettingOutput>,
    /// Return data the operation set.
    pub returned: Vec<u8>,
}

impl ee_sdk::Env for Snapshot {
    fn shard_id(&self) -> ShardId {
        self.shard
    }
    fn shard_count(&self) -> u32 {
        self.shard_count
    }
    fn ee_id(&self) -> EeId {
        self.vhee
    }
    fn caller_ee(&self) -> Option<EeId> {
        self.caller
    }
    fn ee_exists(&mut self, ee: EeId) -> bool {
        self.ees.contains(&ee)
    }
    fn sha256(&mut self, data: &[u8]) -> Root {
        Sha256::digest(data).into()
    }
    fn bls_verify(&mut self, pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        ee_sdk::bls::verify(pk, msg, sig)
    }
    fn netted_get(&mut self, source: ShardId, ee: EeId, root: &Root) -> u64 {
        if ee != self.vhee {
            return 0;
        }
        self.netted.get(&(source, *root)).copied().unwrap_or(0)
    }
    fn deposit_claim(&mut self, index: u64) -> Option<DepositReceipt> {
        usize::try_from(index).ok().and_then(|i| self.deposits.get(i)).cloned()
    }
    fn message_count(&mut self, _shard: ShardId, _source: EeId, _root: &Root) -> u64 {
        // The VHEE caps claims by netted amounts instead.
        0
    }
    fn lookback_count(&mut self) -> u32 {
        // The VHEE does not look back.
        0
    }
    fn lookback_hash(&mut self, _index: u32) -> Option<Root> {
        None
    }
    fn spawn(&mut self, _code: &[u8], _input: &[u8], _gas: u64) -> Result<Vec<u8>, ee_sdk::SpawnStatus> {
        // The VHEE runs no children.
        Err(ee_sdk::SpawnStatus::Refused)
    }
    fn print_output(&mut self, data: &[u8]) {
        // The VHEE prints netting outputs only.
        if let Ok(out) = NettingOutput::decode_all(&mut &data[..]) {
            self.emitted.push(out);
        }
    }
    fn emit(&mut self, out: &NettingOutput) {
        self.emitted.push(*out);
    }
    fn set_return_data(&mut self, data: &[u8]) {
        self.returned = data.to_vec();
    }
}

/// Full tree reads plus buffered writes, recording every key touched.
struct Recording<'t> {
    tree: &'t Tree,
    touched: BTreeMap<Root, Root>,
    writes: BTreeMap<Root, Root>,
}

impl View for Recording<'_> {
    fn get(&mut self, key: &Root) -> Result<Root, VheeError> {
        if let Some(v) = self.writes.get(key) {
            return Ok(*v);
        }
        let tree = self.tree;
        let v =
            *self.touched.entry(*key).or_insert_with(|| tree.get(&(*key).into()).unwrap_or_default().into());
        Ok(v)
    }
    fn set(&mut self, key: Root, value: Root) -> Result<(), VheeError> {
        self.get(&key)?;
        self.writes.insert(key, value);
        Ok(())
    }
}

/// Leaves `(key, value)` and their compiled proof.
pub type ProvenLeaves = (Vec<(Root, Root)>, Vec<u8>);

/// Where a client without full trees gets leaves of the VHEE's tree on a shard: their
/// values and a compiled proof of them against the committed root (a state provider over
/// RPC, or a [`VheeClient`] in tests).
pub trait LeafSource {
    /// `keys`' values (zero if absent) and their compiled proof.
    fn leaves(&mut self, shard: ShardId, keys: &[Root]) -> Result<ProvenLeaves, String>;
    /// The VHEE's committed root on `shard`.
    fn root(&mut self, shard: ShardId) -> Result<Root, String>;
}

impl LeafSource for VheeClient {
    fn leaves(&mut self, shard: ShardId, keys: &[Root]) -> Result<ProvenLeaves, String> {
        Ok(self.prove(shard, keys))
    }
    fn root(&mut self, shard: ShardId) -> Result<Root, String> {
        Ok(VheeClient::root(self, shard))
    }
}

/// Known leaves, recording the missing ones (the state transition stops at the first).
struct Fetching<'k> {
    known: &'k BTreeMap<Root, Root>,
    missing: BTreeSet<Root>,
    touched: BTreeMap<Root, Root>,
    writes: BTreeMap<Root, Root>,
}

impl View for Fetching<'_> {
    fn get(&mut self, key: &Root) -> Result<Root, VheeError> {
        if let Some(v) = self.writes.get(key) {
            return Ok(*v);
        }
        match self.known.get(key) {
            Some(v) => {
                self.touched.insert(*key, *v);
                Ok(*v)
            }
            None => {
                self.missing.insert(*key);
                Err(VheeError::WitnessMissing)
            }
        }
    }
    fn set(&mut self, key: Root, value: Root) -> Result<(), VheeError> {
        self.get(&key)?;
        self.writes.insert(key, value);
        Ok(())
    }
}

/// A transaction ready to send, and what it will change.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The shard.
    pub shard: ShardId,
    /// The transaction (op + witness).
    pub tx: VheeTx,
    /// Netting outputs it will print.
    pub emitted: Vec<NettingOutput>,
    /// Return data it will set.
    pub returned: Vec<u8>,
    /// The VHEE's root on the shard after it.
    pub post_root: Root,
    writes: BTreeMap<Root, Root>,
}

impl Prepared {
    /// The leaves it writes (key → new value).
    pub fn writes(&self) -> &BTreeMap<Root, Root> {
        &self.writes
    }

    /// As a shard transaction for the VHEE.
    pub fn transaction(&self, vhee: EeId) -> ShardTransaction {
        ShardTransaction { ee_id: vhee, data: self.tx.encode() }
    }
}

/// Full copies of the VHEE's trees, one per shard.
#[derive(Default)]
pub struct VheeClient {
    trees: BTreeMap<ShardId, Tree>,
}

impl VheeClient {
    /// An empty client (every shard's VHEE tree empty).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `shard`'s tree to `leaves` (a persisted copy).
    pub fn restore(&mut self, shard: ShardId, leaves: Vec<(Root, Root)>) {
        let tree = self.trees.entry(shard).or_default();
        let leaves = leaves.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        tree.update_all(leaves).expect("in-memory tree update");
    }

    /// The VHEE's root on `shard` as the client knows it.
    pub fn root(&self, shard: ShardId) -> Root {
        self.trees.get(&shard).map(|t| (*t.root()).into()).unwrap_or_default()
    }

    /// An account.
    pub fn account(&self, shard: ShardId, address: &Address) -> Account {
        let key = crate::keys::account(&mut Snapshot::default(), address);
        let v: Root = self.trees.get(&shard).and_then(|t| t.get(&key.into()).ok()).unwrap_or_default().into();
        Account::from_value(&v)
    }

    /// Sum of every account on `shard` the client knows of (`keys`).
    pub fn total(&self, shard: ShardId, addresses: &[Address]) -> u128 {
        addresses.iter().map(|a| u128::from(self.account(shard, a).balance)).sum()
    }

    /// Runs `op` on the client's copy of `snapshot.shard`'s tree and builds the
    /// transaction with its witness. Nothing changes until [`VheeClient::commit`].
    pub fn prepare(&mut self, op: Op, snapshot: Snapshot) -> Result<Prepared, VheeError> {
        match self.prepare_anyway(op, snapshot) {
            (p, None) => Ok(p),
            (_, Some(e)) => Err(e),
        }
    }

    /// Like [`VheeClient::prepare`], but builds the transaction even when the VHEE will
    /// refuse it (with the witness of the keys touched up to the refusal), and says why.
    /// For testing refusals on chain.
    pub fn prepare_anyway(&mut self, op: Op, mut snapshot: Snapshot) -> (Prepared, Option<VheeError>) {
        let shard = snapshot.shard;
        let tree = self.trees.entry(shard).or_default();
        let mut view = Recording { tree, touched: BTreeMap::new(), writes: BTreeMap::new() };
        let refused = execute::<Sha2Hasher>(&op, &mut view, &mut snapshot).err();
        let Recording { touched, mut writes, .. } = view;
        if refused.is_some() {
            writes.clear();
        }
        let prepared = Self::build(tree, shard, op, snapshot, touched, writes);
        (prepared, refused)
    }

    fn build(
        tree: &Tree,
        shard: ShardId,
        op: Op,
        snapshot: Snapshot,
        touched: BTreeMap<Root, Root>,
        writes: BTreeMap<Root, Root>,
    ) -> Prepared {
        let mut keys: Vec<H256> = touched.keys().map(|k| (*k).into()).collect();
        keys.sort();
        let (proof, leaves) = if keys.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let proof = tree
                .merkle_proof(keys.clone())
                .and_then(|p| p.compile(keys.clone()))
                .expect("proofs of an in-memory tree");
            let leaves =
                keys.iter().map(|k| ((*k).into(), touched[&Root::from(*k)])).collect::<Vec<(Root, Root)>>();
            (proof.0, leaves)
        };
        let post_leaves: Vec<(Root, Root)> =
            leaves.iter().map(|(k, v)| (*k, writes.get(k).copied().unwrap_or(*v))).collect();
        let post_root = if leaves.is_empty() {
            (*tree.root()).into()
        } else {
            ee_sdk::proof::compute_root::<Sha2Hasher>(&proof, &post_leaves)
                .expect("a proof the client just made")
        };
        Prepared {
            shard,
            tx: VheeTx { op, proof, leaves },
            emitted: snapshot.emitted,
            returned: snapshot.returned,
            post_root,
            writes,
        }
    }

    /// The values of `keys` on `shard` and their compiled proof against the client's root
    /// there: what a state provider serves (`ee_getProof`).
    pub fn prove(&self, shard: ShardId, keys: &[Root]) -> ProvenLeaves {
        let empty = Tree::default();
        let tree = self.trees.get(&shard).unwrap_or(&empty);
        let mut sorted: Vec<H256> = keys.iter().map(|k| (*k).into()).collect();
        sorted.sort();
        sorted.dedup();
        if sorted.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let proof = tree
            .merkle_proof(sorted.clone())
            .and_then(|p| p.compile(sorted.clone()))
            .expect("proofs of an in-memory tree");
        let leaves = sorted.iter().map(|k| ((*k).into(), tree.get(k).unwrap_or_default().into())).collect();
        (leaves, proof.0)
    }

    /// Prepares `op` without full trees: runs the state transition, fetching the leaves it
    /// asks for from `source` (a state provider) round by round, then the proof of every
    /// leaf it touched. Returns the transaction and, if the VHEE will refuse it, why.
    pub fn prepare_remote(
        op: Op,
        snapshot: Snapshot,
        source: &mut impl LeafSource,
    ) -> Result<(Prepared, Option<VheeError>), String> {
        let shard = snapshot.shard;
        let mut known: BTreeMap<Root, Root> = BTreeMap::new();
        for _round in 0..32 {
            let mut snap = snapshot.clone();
            let mut view = Fetching {
                known: &known,
                missing: BTreeSet::new(),
                touched: BTreeMap::new(),
                writes: BTreeMap::new(),
            };
            let result = execute::<Sha2Hasher>(&op, &mut view, &mut snap);
            let Fetching { missing, touched, mut writes, .. } = view;
            if !missing.is_empty() {
                let mut ask: Vec<Root> = known.keys().copied().collect();
                ask.extend(missing);
                let (leaves, _) = source.leaves(shard, &ask)?;
                known.extend(leaves);
                continue;
            }
            let refused = result.err();
            if refused.is_some() {
                writes.clear();
            }
            let keys: Vec<Root> = touched.keys().copied().collect();
            let (leaves, proof) =
                if keys.is_empty() { (Vec::new(), Vec::new()) } else { source.leaves(shard, &keys)? };
            if leaves.iter().any(|(k, v)| touched.get(k) != Some(v)) {
                return Err("the state provider's leaves changed while preparing; retry".into());
            }
            let post_leaves: Vec<(Root, Root)> =
                leaves.iter().map(|(k, v)| (*k, writes.get(k).copied().unwrap_or(*v))).collect();
            let post_root = if leaves.is_empty() {
                source.root(shard)?
            } else {
                ee_sdk::proof::compute_root::<Sha2Hasher>(&proof, &post_leaves)
                    .map_err(|e| format!("the state provider's proof does not evaluate: {e:?}"))?
            };
            let prepared = Prepared {
                shard,
                tx: VheeTx { op, proof, leaves },
                emitted: snap.emitted,
                returned: snap.returned,
                post_root,
                writes,
            };
            return Ok((prepared, refused));
        }
        Err("the state transition kept asking for more leaves".into())
    }

    /// Applies a prepared transaction's writes (after the chain accepted it).
    pub fn commit(&mut self, prepared: &Prepared) {
        let tree = self.trees.entry(prepared.shard).or_default();
        let leaves = prepared.writes.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        tree.update_all(leaves).expect("in-memory tree update");
        debug_assert_eq!(Root::from(*tree.root()), prepared.post_root);
    }

    /// Signs a signed operation for `vhee` on `shard`.
    pub fn sign(op: Op, key: &Keypair, vhee: EeId, shard: ShardId) -> Op {
        match op.signing_message(vhee, shard) {
            Some(msg) => op.with_signature(key.sign(&msg)),
            None => op,
        }
    }

    /// The proof of receipt `index` among `receipts` (for a claim).
    pub fn receipt_proof(receipts: &[Receipt], index: u32) -> Vec<u8> {
        receipts::prove::<Sha2Hasher>(&mut Snapshot::default(), receipts, index)
            .expect("in-memory receipt tree")
    }

    /// The data root of `receipts`.
    pub fn data_root(receipts: &[Receipt]) -> Root {
        receipts::data_root::<Sha2Hasher>(&mut Snapshot::default(), receipts).expect("in-memory receipt tree")
    }
}
