//! The VHEE from a client (feature `vhee`, default): accounts read from the node's state
//! provider with their proofs checked, validator deposits, and signed operations — the
//! VHEE's own state transition run here to learn which accounts it touches, their proofs
//! fetched (`ee_getProof`), the transaction submitted and awaited. What `ee vhee` and
//! `ee demo devnet` run; it builds for wasm32 too (where a caller brings the transport).
use crate::api::{Client, Transport};
use crate::error::ClientError;
use crate::types::{DepositAccepted, Hex, TxLocation};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::proof::compute_root;
use ee_sdk::{DepositData, DepositReceipt, EeId, Root, ShardId};
use std::collections::BTreeSet;
pub use vhee::client::{Keypair, Prepared, Snapshot, VheeClient};
use vhee::client::{LeafSource, Sha2Hasher};
pub use vhee::{Account, Address, Op, Receipt, VheeError};

/// Why a VHEE operation could not be sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VheeClientError {
    /// The node could not be asked, or refused.
    #[error(transparent)]
    Rpc(#[from] ClientError),
    /// The state provider's answer does not verify or make sense.
    #[error("state provider: {0}")]
    Provider(String),
    /// The VHEE would refuse the operation (nothing was sent).
    #[error("the VHEE would refuse it: {}", .0.message())]
    Refused(VheeError),
}

/// The result of a sent operation.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Sent {
    /// The transaction's hash (hex).
    pub hash: String,
    /// Where and how it committed.
    pub committed: TxLocation,
    /// Netting outputs it printed.
    pub outputs: usize,
}

/// The VHEE `id` through `client`.
pub struct Vhee<'c, T> {
    client: &'c Client<T>,
    id: EeId,
}

/// [`LeafSource`] over `ee_getProof`, checking every answer against the root it names.
struct Provider<'c, T> {
    client: &'c Client<T>,
    id: EeId,
}

fn root_of(text: &str) -> Result<Root, String> {
    hex::decode(text).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| format!("`{text}` is not a root"))
}

/// Checks a state provider's answer for `keys`: the leaves are exactly the keys asked for
/// and their multiproof gives the root it names. Returns that root and the proven leaves.
/// (What every client does with `ee_getProof`, the JS package included.)
pub fn check_proof(
    keys: &[Root],
    p: &crate::types::ProofInfo,
) -> Result<(Root, vhee::client::ProvenLeaves), String> {
    let root = root_of(&p.root)?;
    let leaves = p
        .leaves
        .iter()
        .map(|(k, v)| Ok((root_of(k)?, root_of(v)?)))
        .collect::<Result<Vec<(Root, Root)>, String>>()?;
    let asked: BTreeSet<Root> = keys.iter().copied().collect();
    if leaves.len() != asked.len() || leaves.iter().map(|(k, _)| *k).collect::<BTreeSet<_>>() != asked {
        return Err("the leaves are not the keys asked for".into());
    }
    if !leaves.is_empty() && compute_root::<Sha2Hasher>(&p.proof.0, &leaves).ok() != Some(root) {
        return Err("the proof does not give the VHEE's committed root".into());
    }
    Ok((root, (leaves, p.proof.0.clone())))
}

/// The key of `address`'s account leaf in the VHEE's tree.
pub fn account_key(address: &Address) -> Root {
    vhee::keys::account(&mut Snapshot::default(), address)
}

/// What the host would tell the VHEE `vhee` on `shard`, from what the node answered:
/// shard count, registered EEs, the beacon state's deposit receipts (SCALE) and, for a
/// claim, `(source shard, data root, amount netted)`.
pub fn snapshot_of(
    shard: ShardId,
    vhee: EeId,
    shard_count: u32,
    ees: impl IntoIterator<Item = u32>,
    deposits: &[Hex],
    netted: Option<(ShardId, Root, u64)>,
) -> Result<Snapshot, String> {
    let deposits = deposits
        .iter()
        .map(|d| DepositReceipt::decode_all(&mut &d.0[..]))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("deposit receipt: {e}"))?;
    let ees = ees.into_iter().map(EeId).collect();
    let mut snapshot = Snapshot { shard, shard_count, vhee, ees, deposits, ..Snapshot::default() };
    if let Some((source, root, amount)) = netted {
        snapshot.netted.insert((source, root), amount);
    }
    Ok(snapshot)
}

impl<T: Transport> Provider<'_, T> {
    /// The committed root, the keys' leaves and their proof, checked.
    fn fetch(&self, shard: ShardId, keys: &[Root]) -> Result<(Root, vhee::client::ProvenLeaves), String> {
        let p = self
            .client
            .get_proof(self.id.0, shard.0, keys.iter().map(|k| Hex(k.to_vec())).collect())
            .map_err(|e| e.to_string())?;
        check_proof(keys, &p)
    }
}

impl<T: Transport> LeafSource for Provider<'_, T> {
    fn leaves(&mut self, shard: ShardId, keys: &[Root]) -> Result<vhee::client::ProvenLeaves, String> {
        self.fetch(shard, keys).map(|(_, proven)| proven)
    }
    fn root(&mut self, shard: ShardId) -> Result<Root, String> {
        self.fetch(shard, &[]).map(|(r, _)| r)
    }
}

impl<'c, T: Transport> Vhee<'c, T> {
    /// The VHEE registered as `id`.
    pub fn new(client: &'c Client<T>, id: EeId) -> Self {
        Vhee { client, id }
    }

    fn provider(&self) -> Provider<'c, T> {
        Provider { client: self.client, id: self.id }
    }

    /// An account on `shard`, read from the state provider (its proof checked against the
    /// VHEE's committed root).
    pub fn account(&self, shard: ShardId, address: &Address) -> Result<Account, VheeClientError> {
        let key = account_key(address);
        let (_, (leaves, _)) = self.provider().fetch(shard, &[key]).map_err(VheeClientError::Provider)?;
        Ok(Account::from_value(&leaves.first().map(|(_, v)| *v).unwrap_or_default()))
    }

    /// What the host would tell the VHEE on `shard`: shard count, registered EEs, deposit
    /// receipts, and — for a claim of `(source, root)` — what was netted.
    pub fn snapshot(
        &self,
        shard: ShardId,
        netted: Option<(ShardId, Root)>,
    ) -> Result<Snapshot, VheeClientError> {
        let head = self.client.head()?;
        let ees: Vec<u32> = self.client.list_ees()?.iter().map(|e| e.id).collect();
        let deposits: Vec<Hex> = self.client.list_deposits()?.into_iter().map(|d| d.receipt).collect();
        let netted = match netted {
            Some((source, root)) => Some((
                source,
                root,
                self.client.get_netted(source.0, shard.0, self.id.0, Hex(root.to_vec()))?,
            )),
            None => None,
        };
        snapshot_of(shard, self.id, head.shards, ees, &deposits, netted).map_err(VheeClientError::Provider)
    }

    /// Validator `validator` (whose key is `key`) deposits `amount` Gwei into `portion` of
    /// the VHEE on `shard`: a signed beacon deposit receipt the VHEE then claims with
    /// [`Op::Deposit`]. A node of a multi-node network applies it at its
    /// `activation_slot`: this waits (at most `wait`) until the node lists it and returns
    /// its final index, which the claim names (an error if the slot passed without it:
    /// refused then, e.g. the balance was spent meanwhile).
    pub fn deposit(
        &self,
        key: &Keypair,
        validator: u64,
        shard: ShardId,
        portion: EeId,
        amount: u64,
        wait: std::time::Duration,
    ) -> Result<DepositAccepted, VheeClientError> {
        let receipt =
            Hex(key.deposit(validator, shard, DepositData { ee: self.id, portion, amount }).encode());
        let mut accepted = self.client.deposit(receipt.clone())?;
        if accepted.activation_slot.is_none() {
            return Ok(accepted);
        }
        let until = std::time::Instant::now() + wait;
        loop {
            if let Some(d) = self.client.list_deposits()?.into_iter().find(|d| d.receipt == receipt) {
                accepted.index = d.index;
                return Ok(accepted);
            }
            if self.client.head()?.slot > accepted.slot + 1 {
                return Err(VheeClientError::Provider(format!(
                    "the deposit was refused at slot {} (the nodes' logs say why)",
                    accepted.slot
                )));
            }
            if std::time::Instant::now() >= until {
                return Err(
                    ClientError::Timeout(format!("the deposit, due at slot {}", accepted.slot)).into()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    /// Prepares `op` on `shard` (signed operations must be signed already, see
    /// [`Vhee::sign`]): the VHEE's state transition, with the accounts it touches fetched
    /// and proven. `netted` names the claim's `(source shard, data root)`.
    pub fn prepare(
        &self,
        op: Op,
        shard: ShardId,
        netted: Option<(ShardId, Root)>,
    ) -> Result<(Prepared, Option<VheeError>), VheeClientError> {
        let snapshot = self.snapshot(shard, netted)?;
        VheeClient::prepare_remote(op, snapshot, &mut self.provider()).map_err(VheeClientError::Provider)
    }

    /// Signs `op` for this VHEE on `shard` with `key`.
    pub fn sign(&self, op: Op, key: &Keypair, shard: ShardId) -> Op {
        VheeClient::sign(op, key, self.id, shard)
    }

    /// Sends a prepared transaction and waits for it (not on wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn send(&self, prepared: &Prepared, timeout: std::time::Duration) -> Result<Sent, VheeClientError> {
        let tx = prepared.transaction(self.id);
        let accepted = self.client.send_transaction(crate::types::TxRequest::new(
            prepared.shard.0,
            self.id.0,
            &tx.data,
        ))?;
        let committed = self.client.wait_for(&accepted.hash, timeout)?;
        let outputs = committed.result.outputs as usize;
        Ok(Sent { hash: accepted.hash, committed, outputs })
    }

    /// Prepares, refuses locally what the VHEE would refuse, sends and waits (not on
    /// wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn run(
        &self,
        op: Op,
        shard: ShardId,
        netted: Option<(ShardId, Root)>,
        timeout: std::time::Duration,
    ) -> Result<Sent, VheeClientError> {
        match self.prepare(op, shard, netted)? {
            (p, None) => self.send(&p, timeout),
            (_, Some(why)) => Err(VheeClientError::Refused(why)),
        }
    }

    /// Like [`Vhee::run`] but sends what the VHEE will refuse too, to see it refused on
    /// chain (not on wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn run_anyway(
        &self,
        op: Op,
        shard: ShardId,
        netted: Option<(ShardId, Root)>,
        timeout: std::time::Duration,
    ) -> Result<Sent, VheeClientError> {
        let (p, _) = self.prepare(op, shard, netted)?;
        self.send(&p, timeout)
    }

    /// `key`'s next nonce on `shard` in `portion`.
    pub fn nonce(&self, key: &Keypair, shard: ShardId, portion: EeId) -> Result<u64, VheeClientError> {
        Ok(self.account(shard, &key.address(portion))?.nonce)
    }
}

/// One step of the devnet walk-through.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Step {
    /// What happens.
    pub step: String,
    /// `ok`, or why the chain refused it.
    pub result: String,
    /// Gas of its transaction.
    pub gas: u64,
    /// Fee its transaction paid (Gwei).
    pub fee: u64,
    /// Fees collected on the network so far (Gwei).
    pub fees_total: u64,
    /// `(name, shard, balance in Gwei)` of every account after it.
    pub balances: Vec<(String, u32, u64)>,
}

/// The people of the walk-through: Alice is validator 0 (her deposit credits her key),
/// Bob on shard 0, Carol and Dave on shard 1; all in portion 0.
#[cfg(not(target_arch = "wasm32"))]
fn people() -> Vec<(&'static str, Keypair, ShardId)> {
    vec![
        ("alice", Keypair::from_secret(crate::keys::dev_key(0)), ShardId(0)),
        ("bob", Keypair::from_seed(b"bob"), ShardId(0)),
        ("carol", Keypair::from_seed(b"carol"), ShardId(1)),
        ("dave", Keypair::from_seed(b"dave"), ShardId(1)),
    ]
}

/// Seed 000's VHEE story on a running devnet, over RPC: validator 0 deposits 32 ETH to
/// Alice; Alice pays Bob 10; Alice sends 5 to Carol and 3 to Dave on shard 1 (user
/// receipts, netted); Carol claims; Carol claims again (refused: replay); Dave claims;
/// another EE (the relay example, deployed here and funded by the transfer EE) nets 3
/// ETH towards receipts worth 2 + 2; Carol claims 2; Dave's 2 are refused (over-claim).
/// `relay_code` is `relay_ee.wasm`; `transfer_ee` the devnet's funded transfer EE.
#[cfg(not(target_arch = "wasm32"))]
pub fn walkthrough<T: Transport>(
    client: &Client<T>,
    vhee_id: EeId,
    transfer_ee: EeId,
    relay_code: Vec<u8>,
) -> Result<Vec<Step>, VheeClientError> {
    use std::time::Duration;
    const GWEI: u64 = 1_000_000_000;
    let wait = Duration::from_secs(60);
    let vhee = Vhee::new(client, vhee_id);
    let people = people();
    let address = |i: usize| people[i].1.address(EeId(0));
    let mut steps: Vec<Step> = Vec::new();
    let record = |steps: &mut Vec<Step>,
                  step: &str,
                  sent: Result<Sent, VheeClientError>|
     -> Result<(), VheeClientError> {
        let (result, gas, fee) = match sent {
            Ok(s) => (
                s.committed.result.error.clone().map_or("ok".to_string(), |e| format!("refused: {e}")),
                s.committed.result.gas,
                s.committed.result.fee,
            ),
            Err(VheeClientError::Refused(why)) => (format!("not sent: {}", why.message()), 0, 0),
            Err(e) => return Err(e),
        };
        let mut balances = Vec::new();
        for (i, (name, _, shard)) in people.iter().enumerate() {
            balances.push((name.to_string(), shard.0, vhee.account(*shard, &address(i))?.balance));
        }
        steps.push(Step { step: step.into(), result, gas, fee, fees_total: client.head()?.fees, balances });
        Ok(())
    };
    // Waits until the slot after `slot` is committed: what a block netted is crosslinked.
    let crosslinked = |slot: u64| -> Result<(), VheeClientError> {
        let deadline = std::time::Instant::now() + wait;
        while client.head()?.slot <= slot + 1 {
            if std::time::Instant::now() > deadline {
                return Err(ClientError::Timeout("crosslink".into()).into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    };
    let (s0, s1) = (ShardId(0), ShardId(1));

    let alice = &people[0].1;
    let accepted = vhee.deposit(alice, 0, s0, EeId(0), 32 * GWEI, wait)?;
    let sent = vhee.run(Op::Deposit { index: accepted.index }, s0, None, wait);
    record(&mut steps, "1. validator 0 deposits 32 ETH to Alice (shard 0)", sent)?;

    let nonce = vhee.nonce(alice, s0, EeId(0))?;
    let op = Op::Transfer { from: address(0), to: address(1), amount: 10 * GWEI, nonce, signature: [0; 96] };
    let sent = vhee.run(vhee.sign(op, alice, s0), s0, None, wait);
    record(&mut steps, "2. Alice sends 10 ETH to Bob (signed)", sent)?;

    let receipts = vec![
        Receipt { from: address(0), to: address(2), amount: 5 * GWEI, call_data: vec![] },
        Receipt { from: address(0), to: address(3), amount: 3 * GWEI, call_data: b"rent".to_vec() },
    ];
    let root = VheeClient::data_root(&receipts);
    let nonce = vhee.nonce(alice, s0, EeId(0))?;
    let op = Op::CrossShard {
        from: address(0),
        target_shard: s1,
        receipts: receipts.clone(),
        nonce,
        signature: [0; 96],
    };
    let sent = vhee.run(vhee.sign(op, alice, s0), s0, None, wait);
    let slot = sent.as_ref().map(|s| s.committed.slot).unwrap_or(0);
    record(&mut steps, "3. Alice sends 5 ETH to Carol and 3 to Dave on shard 1 (receipts, netted)", sent)?;
    crosslinked(slot)?;

    let claim = |index: u32, rs: &[Receipt], root: Root| Op::Claim {
        source_shard: s0,
        data_root: root,
        index,
        receipt: rs[index as usize].clone(),
        proof: VheeClient::receipt_proof(rs, index),
    };
    let sent = vhee.run(claim(0, &receipts, root), s1, Some((s0, root)), wait);
    record(&mut steps, "4. Carol claims her receipt on shard 1", sent)?;
    let sent = vhee.run_anyway(claim(0, &receipts, root), s1, Some((s0, root)), wait);
    record(&mut steps, "5. Carol claims it again (replay)", sent)?;
    let sent = vhee.run(claim(1, &receipts, root), s1, Some((s0, root)), wait);
    record(&mut steps, "6. Dave claims his receipt", sent)?;

    // Seed 000's 3-vs-4: an EE nets 3 ETH towards receipts worth 2 + 2.
    let script = crate::deploy::NewExecutionScript::signed(
        0,
        client.head()?.slot,
        relay_code,
        &crate::keys::dev_key(0),
    );
    let relay = EeId(client.deploy_script(&script, true)?.ee);
    let fund = crate::tx::transfer_data(&[(10 * GWEI, 0, Some(relay.0))]);
    let hash = client.send_transaction(crate::types::TxRequest::new(0, transfer_ee.0, &fund))?.hash;
    client.wait_for(&hash, wait)?;
    let two = |to: Address| Receipt { from: to, to, amount: 2 * GWEI, call_data: vec![] };
    let bad = vec![two(address(2)), two(address(3))];
    let bad_root = VheeClient::data_root(&bad);
    let out =
        ee_sdk::NettingOutput { target_shard: s1, target_ee: vhee_id, amount: 3 * GWEI, data_root: bad_root };
    let data = relay_ee::Relay::Emit(vec![out]).encode();
    let hash = client.send_transaction(crate::types::TxRequest::new(0, relay.0, &data))?.hash;
    let netted = client.wait_for(&hash, wait)?;
    let sent = Sent { hash, outputs: netted.result.outputs as usize, committed: netted.clone() };
    record(&mut steps, "7. another EE nets 3 ETH to shard 1 for receipts worth 2 + 2", Ok(sent))?;
    crosslinked(netted.slot)?;
    let sent = vhee.run(claim(0, &bad, bad_root), s1, Some((s0, bad_root)), wait);
    record(&mut steps, "8. Carol claims 2 of them", sent)?;
    let sent = vhee.run_anyway(claim(1, &bad, bad_root), s1, Some((s0, bad_root)), wait);
    record(&mut steps, "9. Dave claims the other 2 (over-claim: 4 > 3)", sent)?;
    Ok(steps)
}
