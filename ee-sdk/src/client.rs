//! (features `bls` and `pure-sha256`) What off-chain code needs to run an EE's state transition natively
//! the way the host would: a [`ChainView`] of what the client knows of the chain, the
//! [`ClientEnv`] serving the host functions from it, and BLS [`Keypair`]s.
//!
//! A catalogue EE's client runs its `logic::execute` on a
//! [`Recorder`](crate::stateless::Recorder) over its full tree with a [`ClientEnv`]: the
//! same code the wasm runs, so the witness it records is the one the EE will need.
use crate::bls::SecretKey;
use crate::codec::{DecodeAll, Encode};
use crate::proof::PureSha256;
use crate::stateless::{FullTree, Recorder, Witness, WitnessLeaves};
use crate::types::{
    BlsPublicKey, BlsSignature, DepositData, DepositReceipt, EeId, NettingOutput, Root, ShardId,
    ShardTransaction, SpawnStatus,
};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use sha2::{Digest, Sha256};

/// Runs a spawned child natively: `(code, input) → return data or status`.
pub type ChildRunner = fn(&[u8], &[u8]) -> Result<Vec<u8>, SpawnStatus>;

/// What the client knows of the chain, standing in for the host.
#[derive(Clone, Debug, Default)]
pub struct ChainView {
    /// The shard.
    pub shard: ShardId,
    /// Shard count.
    pub shard_count: u32,
    /// The EE whose transition runs.
    pub ee: EeId,
    /// The EE calling in with `call_ee`, if any.
    pub caller: Option<EeId>,
    /// Registered EEs.
    pub ees: BTreeSet<EeId>,
    /// Hashes of the block's transactions before this one (lookback).
    pub tx_hashes: Vec<Root>,
    /// The beacon state's deposit receipts still unclaimed (claimed ones: remove them).
    pub deposits: Vec<DepositReceipt>,
    /// `(source shard, data root) → netted` towards this shard's EE.
    pub netted: BTreeMap<(ShardId, Root), u64>,
    /// `(source shard, source EE, data root) → accepted outputs` towards this shard's EE
    /// (what `message_count` reads).
    pub messages: BTreeMap<(ShardId, EeId, Root), u64>,
    /// How spawned children run (`None`: every spawn is refused).
    pub children: Option<ChildRunner>,
}

/// [`crate::Env`] over a [`ChainView`], collecting what the operation printed and returned.
pub struct ClientEnv<'v> {
    view: &'v ChainView,
    /// Netting outputs printed.
    pub emitted: Vec<NettingOutput>,
    /// Other outputs printed.
    pub printed: Vec<Vec<u8>>,
    /// Return data set.
    pub returned: Vec<u8>,
}

impl<'v> ClientEnv<'v> {
    /// An environment over `view`.
    pub fn new(view: &'v ChainView) -> Self {
        ClientEnv { view, emitted: Vec::new(), printed: Vec::new(), returned: Vec::new() }
    }
}

impl crate::Env for ClientEnv<'_> {
    fn shard_id(&self) -> ShardId {
        self.view.shard
    }
    fn shard_count(&self) -> u32 {
        self.view.shard_count
    }
    fn ee_id(&self) -> EeId {
        self.view.ee
    }
    fn caller_ee(&self) -> Option<EeId> {
        self.view.caller
    }
    fn ee_exists(&mut self, ee: EeId) -> bool {
        self.view.ees.contains(&ee)
    }
    fn sha256(&mut self, data: &[u8]) -> Root {
        Sha256::digest(data).into()
    }
    fn bls_verify(&mut self, pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        crate::bls::verify(pk, msg, sig)
    }
    fn netted_get(&mut self, shard: ShardId, ee: EeId, root: &Root) -> u64 {
        if ee != self.view.ee {
            return 0;
        }
        self.view.netted.get(&(shard, *root)).copied().unwrap_or(0)
    }
    fn deposit_claim(&mut self, index: u64) -> Option<DepositReceipt> {
        let r = usize::try_from(index).ok().and_then(|i| self.view.deposits.get(i))?;
        let data = DepositData::decode_all(&mut &r.data[..]).ok()?;
        (r.target == self.view.shard && data.ee == self.view.ee).then(|| r.clone())
    }
    fn print_output(&mut self, data: &[u8]) {
        match NettingOutput::decode_all(&mut &data[..]) {
            Ok(out) => self.emitted.push(out),
            Err(_) => self.printed.push(data.to_vec()),
        }
    }
    fn emit(&mut self, out: &NettingOutput) {
        self.emitted.push(*out);
    }
    fn set_return_data(&mut self, data: &[u8]) {
        self.returned = data.to_vec();
    }
    fn message_count(&mut self, shard: ShardId, source: EeId, root: &Root) -> u64 {
        self.view.messages.get(&(shard, source, *root)).copied().unwrap_or(0)
    }
    fn lookback_count(&mut self) -> u32 {
        self.view.tx_hashes.len() as u32
    }
    fn lookback_hash(&mut self, index: u32) -> Option<Root> {
        self.view.tx_hashes.get(index as usize).copied()
    }
    fn spawn(&mut self, code: &[u8], input: &[u8], _gas: u64) -> Result<Vec<u8>, SpawnStatus> {
        match self.view.children {
            Some(run) => run(code, input),
            None => Err(SpawnStatus::Refused),
        }
    }
}

/// A BLS12-381 key pair (an account's).
pub struct Keypair {
    secret: SecretKey,
    /// The compressed public key: the account's name.
    pub public: BlsPublicKey,
}

impl Keypair {
    /// A key pair derived from `seed` (any bytes; deterministic).
    pub fn from_seed(seed: &[u8]) -> Keypair {
        let secret = SecretKey::from_seed(seed);
        let public = secret.public();
        Keypair { secret, public }
    }

    /// The key pair of `secret` (e.g. a key file's).
    pub fn from_secret(secret: SecretKey) -> Keypair {
        let public = secret.public();
        Keypair { secret, public }
    }

    /// Signs `msg`.
    pub fn sign(&self, msg: &[u8]) -> BlsSignature {
        self.secret.sign(msg)
    }

    /// A beacon deposit receipt of `amount` for `ee` (portion `ee`) on `target`, signed
    /// by this key.
    pub fn deposit(&self, validator_index: u64, target: ShardId, ee: EeId, amount: u64) -> DepositReceipt {
        let data = DepositData { ee, portion: ee, amount };
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

/// A transaction ready to send, and what it will change.
#[derive(Clone, Debug)]
pub struct Prepared<T> {
    /// The shard.
    pub shard: ShardId,
    /// The EE's transaction (operation + witness).
    pub tx: T,
    /// Netting outputs it will print.
    pub emitted: Vec<NettingOutput>,
    /// Return data it will set.
    pub returned: Vec<u8>,
    /// The EE's root on the shard after it.
    pub post_root: Root,
    writes: BTreeMap<Root, Root>,
}

impl<T: Encode> Prepared<T> {
    /// As a shard transaction for EE `ee`.
    pub fn transaction(&self, ee: EeId) -> ShardTransaction {
        ShardTransaction { ee_id: ee, data: self.tx.encode() }
    }

    /// The leaves it writes (key → new value).
    pub fn writes(&self) -> &BTreeMap<Root, Root> {
        &self.writes
    }
}

/// Full copies of one EE's trees, one per shard: what a client of a stateless EE keeps.
#[derive(Default)]
pub struct Trees {
    trees: BTreeMap<ShardId, FullTree<PureSha256>>,
}

impl Trees {
    /// The EE's root on `shard` as the client knows it (empty trees at genesis).
    pub fn root(&self, shard: ShardId) -> Root {
        self.trees.get(&shard).map(FullTree::root).unwrap_or_default()
    }

    /// A leaf (zero if absent).
    pub fn leaf(&self, shard: ShardId, key: &Root) -> Root {
        self.trees.get(&shard).map(|t| t.get(key)).unwrap_or_default()
    }

    /// The witness of `keys` on `shard`.
    pub fn prove(&self, shard: ShardId, keys: impl IntoIterator<Item = Root>) -> Witness {
        match self.trees.get(&shard) {
            Some(t) => t.prove(keys),
            None => FullTree::<PureSha256>::default().prove(keys),
        }
    }

    /// Every non-zero leaf of `shard`'s tree, in key order.
    pub fn leaves(&self, shard: ShardId) -> Vec<(Root, Root)> {
        self.trees.get(&shard).map(FullTree::leaves).unwrap_or_default()
    }

    /// The shards with a tree.
    pub fn shards(&self) -> impl Iterator<Item = ShardId> + '_ {
        self.trees.keys().copied()
    }

    /// Writes `leaves` into `shard`'s tree (restoring a persisted copy).
    pub fn restore(&mut self, shard: ShardId, leaves: impl IntoIterator<Item = (Root, Root)>) {
        self.trees.entry(shard).or_default().update(leaves);
    }

    /// Runs an operation (`run`) on `view.shard`'s tree, recording what it touches, wraps
    /// the witness into the EE's transaction (`wrap`) and checks it statelessly the way the
    /// EE will (`replay`, over the witnessed leaves only), which also gives the post-state
    /// root. Nothing changes until [`Trees::commit`].
    pub fn prepare<T: crate::stateless::StatelessTx, E>(
        &mut self,
        view: &ChainView,
        run: impl FnOnce(&mut Recorder<'_, PureSha256>, &mut ClientEnv<'_>) -> Result<(), E>,
        wrap: impl FnOnce(Witness) -> T,
        replay: impl FnOnce(&T, &mut WitnessLeaves, &mut ClientEnv<'_>) -> Result<(), E>,
        invalid: E,
    ) -> Result<Prepared<T>, E> {
        let tree = self.trees.entry(view.shard).or_default();
        let mut recorder = tree.recorder();
        run(&mut recorder, &mut ClientEnv::new(view))?;
        let witness = recorder.witness();
        let writes = recorder.into_writes();
        let tx = wrap(witness);
        let mut env = ClientEnv::new(view);
        let post_root = crate::stateless::apply::<PureSha256, E>(&tree.root(), tx.witness(), |leaves| {
            replay(&tx, leaves, &mut env)
        })
        .map_err(|e| match e {
            crate::stateless::ApplyError::WitnessInvalid => invalid,
            crate::stateless::ApplyError::Op(e) => e,
        })?;
        Ok(Prepared {
            shard: view.shard,
            tx,
            emitted: env.emitted,
            returned: env.returned,
            post_root,
            writes,
        })
    }

    /// Applies a prepared transaction the chain accepted.
    pub fn commit<T>(&mut self, prepared: &Prepared<T>) {
        self.trees.entry(prepared.shard).or_default().update(prepared.writes.clone());
    }
}
