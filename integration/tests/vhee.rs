//! The VHEE on both tiers: deposits, signed transfers, payments to other EEs, cross-shard
//! receipts with claims, synchronous calls into a portion, and every refusal — each a
//! clear error that changes nothing.

use ee_host::abi::Role;
use ee_host::exec::{Chain, EeRunner, ExecConfig, TxError};
use ee_host::logic::HostError;
use ee_host::native::NativeRunner;
use ee_host::state::keys::value_u64;
use ee_host::state::{EeEntry, KeyLayout, StateKey, World};
use ee_integration::{META, Tier, built_wasm};
use ee_sdk::codec::Encode;
use ee_sdk::{
    DepositData, DepositReceipt, EeId, NettingOutput, NettingStatus, Root, ShardId, ShardTransaction,
};
use relay_ee::Relay;
use std::collections::BTreeMap;
use std::sync::Arc;
use vhee::client::{Keypair, Prepared, Snapshot, VheeClient};
use vhee::{Account, Address, Op, Receipt};

const VHEE: EeId = EeId(10);
const RELAY: EeId = EeId(20);
const PAYEE: EeId = EeId(0);

struct Net {
    chain: Chain<Box<dyn EeRunner>>,
    client: VheeClient,
    /// The client's prediction for the last prepared op.
    expected: Option<vhee::VheeError>,
    /// Runs the stateless validator on every block.
    validator: Box<dyn EeRunner>,
    /// Fees paid per (shard, EE) so far.
    fees: BTreeMap<(u32, EeId), i128>,
}

fn tiers() -> Vec<Tier> {
    let mut t = vec![Tier::Native];
    for &e in ee_host::runtime::EngineKind::all() {
        t.push(Tier::Wasm(e));
    }
    t
}

fn net(tier: Tier, deposits: Vec<DepositReceipt>) -> Net {
    net_priced(tier, deposits, 0, 0)
}

/// A net whose transactions pay `gas_price` (Gwei per 1,000 gas), the VHEE holding `float`
/// Gwei of its own on both shards to pay them from.
fn net_priced(tier: Tier, deposits: Vec<DepositReceipt>, gas_price: u64, float: i64) -> Net {
    let code = |name: &str| match tier {
        Tier::Native => Arc::from(&[][..]),
        Tier::Wasm(_) => built_wasm(name),
    };
    let mut w = World::new(2, KeyLayout::ColumnMajor).unwrap();
    w.register(EeEntry::new(PAYEE, "payee", Role::Ee, code("transfer_ee"))).unwrap();
    w.register(EeEntry::new(VHEE, "vhee", Role::Ee, code("vhee"))).unwrap();
    w.register(EeEntry::new(RELAY, "relay", Role::Ee, code("relay_ee"))).unwrap();
    w.register(EeEntry::new(META, "meta", Role::Meta, code("meta_ee"))).unwrap();
    w.set_matrix(RELAY, &[vec![10, 0], vec![0, 0]]).unwrap();
    if float > 0 {
        w.set_matrix(VHEE, &[vec![float, 0], vec![0, float]]).unwrap();
    }
    w.beacon.deposits = deposits;
    let mut config = ExecConfig::default();
    config.limits.gas_price = gas_price;
    let runner = || -> Box<dyn EeRunner> {
        match tier {
            Tier::Native => Box::new(
                NativeRunner::new()
                    .with(META, meta_ee::ee_main)
                    .with(PAYEE, transfer_ee::ee_main)
                    .with(VHEE, vhee::ee_main)
                    .with(RELAY, relay_ee::ee_main),
            ),
            Tier::Wasm(engine) => {
                Box::new(ee_host::runtime::Runtime::new(engine, config.costs.clone(), config.limits.clone()))
            }
        }
    };
    let validator = runner();
    Net {
        chain: Chain::new(w, runner(), config.clone()),
        client: VheeClient::new(),
        expected: None,
        validator,
        fees: BTreeMap::new(),
    }
}

impl Net {
    fn snapshot(&self, shard: u32, caller: Option<EeId>) -> Snapshot {
        Snapshot {
            shard: ShardId(shard),
            shard_count: 2,
            vhee: VHEE,
            caller,
            ees: self.chain.world.beacon.ees.keys().copied().collect(),
            deposits: self.chain.world.beacon.deposits.clone(),
            ..Snapshot::default()
        }
    }

    /// What the meta-EE on `source` netted to `(shard, VHEE)` for `root`.
    fn netted(&self, source: u32, shard: u32, root: Root) -> u64 {
        let key = StateKey::Netted { target_shard: ShardId(shard), target_ee: VHEE, root };
        value_u64(&self.chain.world.shard(ShardId(source)).unwrap().get(&key).unwrap())
    }

    /// Prepares `op` with its witness, even if the VHEE will refuse it (the client runs
    /// the same state transition and says so).
    fn prepare(&mut self, shard: u32, op: Op, caller: Option<EeId>) -> Prepared {
        let mut snap = self.snapshot(shard, caller);
        if let Op::Claim { source_shard, data_root, .. } = &op {
            snap.netted.insert((*source_shard, *data_root), self.netted(source_shard.0, shard, *data_root));
        }
        let (p, refusal) = self.client.prepare_anyway(op, snap);
        self.expected = refusal;
        p
    }

    /// Runs `p` (through the relay if it is a portion call); commits the client's copy on
    /// success. Returns the transaction's result and the block's receipts.
    fn send(&mut self, p: &Prepared, via_relay: bool) -> (Result<(), TxError>, Vec<NettingStatus>) {
        let tx = if via_relay {
            ShardTransaction { ee_id: RELAY, data: Relay::Call { ee: VHEE, input: p.tx.encode() }.encode() }
        } else {
            p.transaction(VHEE)
        };
        let r = self.slot(p.shard, vec![tx]);
        let result = r.outcome.txs[0].result.clone();
        if let (Some(e), Err(TxError::Host(HostError::Aborted(msg)))) = (self.expected, &result) {
            assert_eq!(e.message(), msg, "the client predicted the same refusal");
        }
        if result.is_ok() {
            self.client.commit(p);
            assert_eq!(
                self.chain.world.ee_root(p.shard, VHEE).unwrap(),
                p.post_root,
                "client and chain agree"
            );
        }
        (result, r.outcome.receipts.iter().map(|rc| rc.status).collect())
    }

    /// Runs one block on `shard`, validates it statelessly, and checks a failed
    /// transaction left the shard as it was.
    fn slot(&mut self, shard: ShardId, txs: Vec<ShardTransaction>) -> ee_host::exec::BlockResult {
        let r = ee_integration::validated_block(&mut self.chain, &*self.validator, shard, txs);
        let free = self.chain.config.limits.gas_price == 0;
        if free && r.outcome.txs.iter().all(|t| !t.ok() || t.ee == META) && r.outcome.receipts.is_empty() {
            assert_eq!(r.post_root, r.pre_root, "a refused op changes nothing");
        }
        for t in &r.outcome.txs {
            *self.fees.entry((shard.0, t.ee)).or_default() += i128::from(t.fee);
        }
        r
    }

    fn op(&mut self, shard: u32, op: Op) -> Result<(), TxError> {
        let p = self.prepare(shard, op, None);
        self.send(&p, false).0
    }

    fn balance(&self, shard: u32, a: &Address) -> u64 {
        self.client.account(ShardId(shard), a).balance
    }

    fn real(&self, shard: u32, ee: EeId) -> i128 {
        self.chain.world.real_balance(ShardId(shard), ee).unwrap()
    }
}

fn aborted(msg: &str) -> Result<(), TxError> {
    Err(TxError::Host(HostError::Aborted(msg.into())))
}

fn signed(op: Op, key: &Keypair, shard: u32) -> Op {
    VheeClient::sign(op, key, VHEE, ShardId(shard))
}

fn deposit(key: &Keypair, validator: u64, shard: u32, portion: EeId, amount: u64) -> DepositReceipt {
    key.deposit(validator, ShardId(shard), DepositData { ee: VHEE, portion, amount })
}

#[test]
fn deposits_and_signed_transfers_with_every_refusal() {
    let (alice, bob, mallory) =
        (Keypair::from_seed(b"alice"), Keypair::from_seed(b"bob"), Keypair::from_seed(b"mallory"));
    for tier in tiers() {
        let mut forged = deposit(&mallory, 9, 0, EeId(0), 1_000);
        forged.pubkey = alice.public; // claims to be Alice's deposit, signed by Mallory
        let mut n =
            net(tier, vec![deposit(&alice, 1, 0, EeId(0), 100), forged, deposit(&bob, 2, 1, EeId(0), 5)]);
        let (a, b) = (alice.address(EeId(0)), bob.address(EeId(0)));

        assert_eq!(n.op(0, Op::Deposit { index: 0 }), Ok(()), "{tier:?}");
        assert_eq!(n.balance(0, &a), 100);
        assert_eq!(n.real(0, VHEE), 100, "the deposit entered the VHEE's matrix");
        let replay = n.op(0, Op::Deposit { index: 0 });
        assert!(
            matches!(&replay, Err(TxError::Host(HostError::Deposit { index: 0, reason })) if reason == "already claimed"),
            "{replay:?}"
        );
        assert_eq!(n.op(0, Op::Deposit { index: 1 }), aborted("bad deposit signature"), "{tier:?}");
        let elsewhere = n.op(0, Op::Deposit { index: 2 });
        assert!(
            matches!(&elsewhere, Err(TxError::Host(HostError::Deposit { reason, .. })) if reason.contains("targets shard 1"))
        );
        assert_eq!(n.real(0, VHEE), 100, "refused deposits mint nothing");

        let transfer = |amount, nonce| Op::Transfer { from: a, to: b, amount, nonce, signature: [0; 96] };
        assert_eq!(n.op(0, signed(transfer(30, 0), &alice, 0)), Ok(()), "{tier:?}");
        assert_eq!((n.balance(0, &a), n.balance(0, &b)), (70, 30));
        assert_eq!(n.client.account(ShardId(0), &a).nonce, 1);
        assert_eq!(n.op(0, signed(transfer(30, 0), &alice, 0)), aborted("wrong nonce"), "replayed transfer");
        assert_eq!(n.op(0, signed(transfer(5, 1), &bob, 0)), aborted("bad signature"));
        assert_eq!(
            n.op(0, signed(transfer(5, 1), &alice, 1)),
            aborted("bad signature"),
            "signed for another shard"
        );
        assert_eq!(n.op(0, signed(transfer(71, 1), &alice, 0)), aborted("insufficient funds"));
        assert_eq!(n.op(0, signed(transfer(0, 1), &alice, 0)), aborted("zero amount"));
        assert_eq!((n.balance(0, &a), n.balance(0, &b)), (70, 30), "{tier:?}: refusals changed nothing");

        // A witness that does not match the VHEE's root is refused.
        let mut p = n.prepare(0, signed(transfer(1, 1), &alice, 0), None);
        p.tx.leaves[0].1[0] ^= 1;
        assert_eq!(n.send(&p, false).0, aborted("witness does not match the pre-state root"));
    }
}

#[test]
fn paying_another_ee_is_netted_by_the_meta_ee() {
    let alice = Keypair::from_seed(b"alice");
    for tier in tiers() {
        let mut n = net(tier, vec![deposit(&alice, 1, 0, EeId(0), 50)]);
        n.op(0, Op::Deposit { index: 0 }).unwrap();
        let a = alice.address(EeId(0));
        let pay = |target_shard, target_ee, amount| Op::PayEe {
            from: a,
            target_shard: ShardId(target_shard),
            target_ee,
            amount,
            nonce: 0,
            signature: [0; 96],
        };
        let p = n.prepare(0, signed(pay(1, PAYEE, 20), &alice, 0), None);
        let (result, receipts) = n.send(&p, false);
        assert_eq!(result, Ok(()), "{tier:?}");
        assert_eq!(receipts, vec![NettingStatus::Accepted]);
        assert_eq!(n.real(1, PAYEE), 20, "EE0's column 1 got the payment");
        assert_eq!(n.real(0, VHEE), 30);
        assert_eq!(n.balance(0, &a), 30);
        assert_eq!(n.op(0, signed(pay(0, EeId(77), 1), &alice, 0)), aborted("unknown target shard or EE"));
        assert_eq!(
            n.op(0, signed(pay(0, VHEE, 1), &alice, 0)),
            aborted("payment to the VHEE itself on the same shard")
        );
    }
}

#[test]
fn cross_shard_receipts_are_claimed_once_and_never_beyond_what_was_netted() {
    let (alice, carol, dave) =
        (Keypair::from_seed(b"alice"), Keypair::from_seed(b"carol"), Keypair::from_seed(b"dave"));
    for tier in tiers() {
        let mut n = net(tier, vec![deposit(&alice, 1, 0, EeId(0), 100)]);
        n.op(0, Op::Deposit { index: 0 }).unwrap();
        let (a, c, d) = (alice.address(EeId(0)), carol.address(EeId(0)), dave.address(EeId(3)));
        let receipts = vec![
            Receipt { from: a, to: c, amount: 20, call_data: vec![] },
            Receipt { from: a, to: d, amount: 10, call_data: b"hi".to_vec() },
        ];
        let op = Op::CrossShard {
            from: a,
            target_shard: ShardId(1),
            receipts: receipts.clone(),
            nonce: 0,
            signature: [0; 96],
        };
        let p = n.prepare(0, signed(op, &alice, 0), None);
        assert_eq!(p.emitted.len(), 1);
        let root = p.emitted[0].data_root;
        assert_eq!(root, VheeClient::data_root(&receipts));
        let (result, statuses) = n.send(&p, false);
        assert_eq!((result, statuses), (Ok(()), vec![NettingStatus::Accepted]), "{tier:?}");
        assert_eq!(n.balance(0, &a), 70);
        assert_eq!(n.netted(0, 1, root), 30);
        assert_eq!(n.real(1, VHEE), 30);

        let claim = |index: u32, receipt: &Receipt, root: Root, source: u32| Op::Claim {
            source_shard: ShardId(source),
            data_root: root,
            index,
            receipt: receipt.clone(),
            proof: VheeClient::receipt_proof(&receipts, index),
        };
        assert_eq!(n.op(1, claim(0, &receipts[0], root, 0)), Ok(()), "{tier:?}");
        assert_eq!(n.balance(1, &c), 20);
        assert_eq!(
            n.op(1, claim(0, &receipts[0], root, 0)),
            aborted("receipt already claimed"),
            "replayed claim"
        );
        assert_eq!(n.op(1, claim(1, &receipts[0], root, 0)), aborted("receipt not under the data root"));
        assert_eq!(
            n.op(1, claim(1, &receipts[1], [9; 32], 0)),
            aborted("receipt not under the data root"),
            "wrong root"
        );
        assert_eq!(
            n.op(1, claim(1, &receipts[1], root, 1)),
            aborted("claim exceeds what was netted for the data root"),
            "wrong source shard"
        );
        assert_eq!(n.op(1, claim(1, &receipts[1], root, 0)), Ok(()));
        assert_eq!(n.balance(1, &d), 10);
        assert_eq!(n.real(1, VHEE), 30, "all netted value is now in accounts");

        // Seed 000's 3-vs-4: an EE nets 3 towards receipts worth 2 + 2.
        let two = |k: &Keypair| Receipt { from: c, to: k.address(EeId(0)), amount: 2, call_data: vec![] };
        let bad = vec![two(&carol), two(&dave)];
        let bad_root = VheeClient::data_root(&bad);
        let out = NettingOutput { target_shard: ShardId(1), target_ee: VHEE, amount: 3, data_root: bad_root };
        let r = n
            .slot(ShardId(0), vec![ShardTransaction { ee_id: RELAY, data: Relay::Emit(vec![out]).encode() }]);
        assert_eq!(r.outcome.receipts[0].status, NettingStatus::Accepted);
        let claim_bad = |index: u32| Op::Claim {
            source_shard: ShardId(0),
            data_root: bad_root,
            index,
            receipt: bad[index as usize].clone(),
            proof: VheeClient::receipt_proof(&bad, index),
        };
        assert_eq!(n.op(1, claim_bad(0)), Ok(()), "{tier:?}");
        assert_eq!(
            n.op(1, claim_bad(1)),
            aborted("claim exceeds what was netted for the data root"),
            "{tier:?}: 4 > 3"
        );
        assert_eq!(n.balance(1, &carol.address(EeId(0))), 22);
    }
}

#[test]
fn other_ees_write_only_their_own_portion_through_synchronous_calls() {
    let (k1, k2) = (Keypair::from_seed(b"k1"), Keypair::from_seed(b"k2"));
    for tier in tiers() {
        let mut n = net(tier, vec![deposit(&k1, 1, 0, RELAY, 40), deposit(&k1, 2, 0, EeId(0), 40)]);
        n.op(0, Op::Deposit { index: 0 }).unwrap();
        n.op(0, Op::Deposit { index: 1 }).unwrap();
        let mv = |portion| Op::PortionTransfer { portion, from: k1.public, to: k2.public, amount: 15 };

        let p = n.prepare(0, mv(RELAY), Some(RELAY));
        assert_eq!(n.send(&p, true).0, Ok(()), "{tier:?}");
        assert_eq!((n.balance(0, &k1.address(RELAY)), n.balance(0, &k2.address(RELAY))), (25, 15));

        let p = n.prepare(0, mv(EeId(0)), Some(RELAY));
        let (result, _) = n.send(&p, true);
        assert!(
            matches!(&result, Err(TxError::Host(HostError::CallFailed { ee: 10, reason })) if reason.contains("portion not writable by the calling EE")),
            "{tier:?}: {result:?}"
        );
        assert_eq!(n.balance(0, &k1.address(EeId(0))), 40);

        let p = n.prepare(0, mv(RELAY), Some(RELAY));
        assert_eq!(
            n.send(&p, false).0,
            aborted("portion operations need a calling EE"),
            "not through call_ee"
        );

        // A read through a call: the relay's root becomes sha256(SCALE(Account)).
        let p = n.prepare(0, Op::Balance { address: k2.address(RELAY) }, Some(RELAY));
        assert_eq!(n.send(&p, true).0, Ok(()));
        let expected: [u8; 32] = sha2_digest(&Account { balance: 15, nonce: 0 }.encode());
        assert_eq!(n.chain.world.ee_root(ShardId(0), RELAY).unwrap(), expected, "{tier:?}");
    }
}

fn sha2_digest(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

mod properties {
    //! Random deposits, transfers, payments, cross-shard transfers and claims (valid or
    //! not) on two shards. After every step: the sum over all matrices equals genesis plus
    //! the claimed deposits; on every shard the VHEE's accounts plus its unclaimed receipts
    //! equal its real balance; no real balance is negative; refused steps change nothing.
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        Deposit(usize),
        Transfer { shard: u32, from: usize, to: usize, portion: u32, amount: u64 },
        Pay { shard: u32, from: usize, target_shard: u32, amount: u64 },
        Cross { shard: u32, from: usize, to: Vec<(usize, u64)> },
        Claim { pick: usize, index: u32, replay: bool },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0usize..6).prop_map(Step::Deposit),
            (0u32..2, 0usize..3, 0usize..3, 0u32..2, 0u64..400).prop_map(
                |(shard, from, to, portion, amount)| Step::Transfer { shard, from, to, portion, amount }
            ),
            (0u32..2, 0usize..3, 0u32..2, 0u64..200).prop_map(|(shard, from, target_shard, amount)| {
                Step::Pay { shard, from, target_shard, amount }
            }),
            (0u32..2, 0usize..3, prop::collection::vec((0usize..3, 1u64..150), 1..4))
                .prop_map(|(shard, from, to)| Step::Cross { shard, from, to }),
            (0usize..8, 0u32..3, any::<bool>()).prop_map(|(pick, index, replay)| Step::Claim {
                pick,
                index,
                replay
            }),
        ]
    }

    struct Sent {
        source: u32,
        target: u32,
        root: Root,
        receipts: Vec<Receipt>,
    }

    fn check(
        steps: &[Step],
        deposits: &[(usize, u32, u32, u64)],
        gas_price: u64,
    ) -> Result<(), TestCaseError> {
        let keys: Vec<Keypair> = (0..3).map(|i| Keypair::from_seed(&[i as u8])).collect();
        let receipts: Vec<DepositReceipt> = deposits
            .iter()
            .enumerate()
            .map(|(i, &(k, shard, portion, amount))| {
                deposit(&keys[k], i as u64, shard, EeId(portion), amount)
            })
            .collect();
        let float: i64 = if gas_price > 0 { 1_000_000_000_000 } else { 0 };
        let mut n = net_priced(Tier::Native, receipts, gas_price, float);
        let genesis = n.chain.world.total_supply().unwrap();
        let mut minted = 0i128;
        let mut sent: Vec<Sent> = Vec::new();
        let mut claimed: BTreeMap<(u32, u32, Root), u64> = BTreeMap::new();
        let mut nonces: BTreeMap<(u32, usize, u32), u64> = BTreeMap::new();
        let addresses: Vec<Address> =
            keys.iter().flat_map(|k| [k.address(EeId(0)), k.address(EeId(1))]).collect();
        for step in steps {
            match step {
                Step::Deposit(i) => {
                    let Some(&(_, shard, _, amount)) = deposits.get(*i) else { continue };
                    if n.op(shard, Op::Deposit { index: *i as u64 }).is_ok() {
                        minted += i128::from(amount);
                    }
                }
                Step::Transfer { shard, from, to, portion, amount } => {
                    let a = keys[*from].address(EeId(*portion));
                    let nonce = *nonces.get(&(*shard, *from, *portion)).unwrap_or(&0);
                    let op = Op::Transfer {
                        from: a,
                        to: keys[*to].address(EeId(0)),
                        amount: *amount,
                        nonce,
                        signature: [0; 96],
                    };
                    if n.op(*shard, signed(op, &keys[*from], *shard)).is_ok() {
                        *nonces.entry((*shard, *from, *portion)).or_default() += 1;
                    }
                }
                Step::Pay { shard, from, target_shard, amount } => {
                    let nonce = *nonces.get(&(*shard, *from, 0)).unwrap_or(&0);
                    let op = Op::PayEe {
                        from: keys[*from].address(EeId(0)),
                        target_shard: ShardId(*target_shard),
                        target_ee: PAYEE,
                        amount: *amount,
                        nonce,
                        signature: [0; 96],
                    };
                    if n.op(*shard, signed(op, &keys[*from], *shard)).is_ok() {
                        *nonces.entry((*shard, *from, 0)).or_default() += 1;
                    }
                }
                Step::Cross { shard, from, to } => {
                    let a = keys[*from].address(EeId(0));
                    let target = 1 - shard;
                    let rs: Vec<Receipt> = to
                        .iter()
                        .map(|&(k, amount)| Receipt {
                            from: a,
                            to: keys[k].address(EeId(1)),
                            amount,
                            call_data: vec![],
                        })
                        .collect();
                    let nonce = *nonces.get(&(*shard, *from, 0)).unwrap_or(&0);
                    let op = Op::CrossShard {
                        from: a,
                        target_shard: ShardId(target),
                        receipts: rs.clone(),
                        nonce,
                        signature: [0; 96],
                    };
                    if n.op(*shard, signed(op, &keys[*from], *shard)).is_ok() {
                        *nonces.entry((*shard, *from, 0)).or_default() += 1;
                        sent.push(Sent {
                            source: *shard,
                            target,
                            root: VheeClient::data_root(&rs),
                            receipts: rs,
                        });
                    }
                }
                Step::Claim { pick, index, replay } => {
                    let Some(s) = sent.get(pick % sent.len().max(1)) else { continue };
                    let i = (*index as usize % s.receipts.len()) as u32;
                    let op = Op::Claim {
                        source_shard: ShardId(s.source),
                        data_root: s.root,
                        index: i,
                        receipt: s.receipts[i as usize].clone(),
                        proof: VheeClient::receipt_proof(&s.receipts, i),
                    };
                    let times = if *replay { 2 } else { 1 };
                    for _ in 0..times {
                        if n.op(s.target, op.clone()).is_ok() {
                            *claimed.entry((s.source, s.target, s.root)).or_default() +=
                                s.receipts[i as usize].amount;
                        }
                    }
                }
            }
            prop_assert_eq!(
                n.chain.world.total_supply().unwrap() + n.chain.world.fees_collected().unwrap() as i128,
                genesis + minted,
                "matrices plus fees = genesis + deposits"
            );
            for shard in 0..2u32 {
                let accounts = n.client.total(ShardId(shard), &addresses);
                let unclaimed: u128 = sent
                    .iter()
                    .filter(|s| s.target == shard)
                    .map(|s| {
                        let netted = n.netted(s.source, shard, s.root);
                        let got = claimed.get(&(s.source, shard, s.root)).copied().unwrap_or(0);
                        prop_assert!(got <= netted, "never claimed more than netted");
                        Ok(u128::from(netted - got))
                    })
                    .sum::<Result<u128, TestCaseError>>()?;
                let float_left = i128::from(float) - n.fees.get(&(shard, VHEE)).copied().unwrap_or(0);
                prop_assert!(float_left >= 0, "the float pays the fees");
                prop_assert_eq!(
                    i128::try_from(accounts + unclaimed).unwrap() + float_left,
                    n.real(shard, VHEE),
                    "shard {}: accounts + unclaimed receipts (+ what is left of the fee float) = the VHEE's real balance",
                    shard
                );
                for ee in [PAYEE, VHEE, RELAY] {
                    prop_assert!(n.real(shard, ee) >= 0);
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]
        #[test]
        fn eth_is_conserved_and_accounts_stay_backed(
            deposits in prop::collection::vec((0usize..3, 0u32..2, 0u32..2, 1u64..1000), 1..6),
            steps in prop::collection::vec(step(), 1..24),
        ) {
            check(&steps, &deposits, 0)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, .. ProptestConfig::default() })]
        #[test]
        fn with_fees_eth_is_conserved_and_accounts_stay_backed(
            deposits in prop::collection::vec((0usize..3, 0u32..2, 0u32..2, 1u64..1000), 1..6),
            steps in prop::collection::vec(step(), 1..24),
        ) {
            check(&steps, &deposits, 1)?;
        }
    }
}
