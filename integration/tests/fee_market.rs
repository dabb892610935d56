//! The fee-market EE on every tier (native, wasm on both engines): relayers fund accounts
//! with deposits, the producer's one call at the end of a block collects each bid whose
//! transactions the block included earlier (lookback), withdrawals are netted, and every
//! refusal is a clear error that changes nothing. Each block is also validated statelessly.
use ee_host::abi::Role;
use ee_host::exec::{BlockResult, Chain, EeRunner, ExecConfig, TxError, tx_hash};
use ee_host::logic::HostError;
use ee_host::native::NativeRunner;
use ee_host::state::{EeEntry, KeyLayout, World};
use ee_integration::{META, Tier, built_wasm, transfers};
use ee_sdk::codec::Encode;
use ee_sdk::{DepositReceipt, EeId, Root, ShardId, ShardTransaction};
use fee_market_ee::client::{ChainView, FeeClient, Keypair, Prepared, bid, withdraw};
use fee_market_ee::{Claim, FeeError, FeeTx, Op};
use std::sync::Arc;

const MARKET: EeId = EeId(30);
const USER_EE: EeId = EeId(1);

struct Net {
    chain: Chain<Box<dyn EeRunner>>,
    validator: Box<dyn EeRunner>,
    client: FeeClient,
}

fn tiers() -> Vec<Tier> {
    let mut t = vec![Tier::Native];
    for &e in ee_host::runtime::EngineKind::all() {
        t.push(Tier::Wasm(e));
    }
    t
}

fn net(tier: Tier, deposits: Vec<DepositReceipt>) -> Net {
    let code = |name: &str| match tier {
        Tier::Native => Arc::from(&[][..]),
        Tier::Wasm(_) => built_wasm(name),
    };
    let mut w = World::new(2, KeyLayout::ColumnMajor).unwrap();
    w.register(EeEntry::new(USER_EE, "users", Role::Ee, code("transfer_ee"))).unwrap();
    w.register(EeEntry::new(MARKET, "fee-market", Role::Ee, code("fee_market_ee"))).unwrap();
    w.register(EeEntry::new(META, "meta", Role::Meta, code("meta_ee"))).unwrap();
    w.beacon.deposits = deposits;
    let config = ExecConfig::default();
    let runner = || -> Box<dyn EeRunner> {
        match tier {
            Tier::Native => Box::new(
                NativeRunner::new()
                    .with(META, meta_ee::ee_main)
                    .with(USER_EE, transfer_ee::ee_main)
                    .with(MARKET, fee_market_ee::ee_main),
            ),
            Tier::Wasm(engine) => {
                Box::new(ee_host::runtime::Runtime::new(engine, config.costs.clone(), config.limits.clone()))
            }
        }
    };
    Net { validator: runner(), chain: Chain::new(w, runner(), config), client: FeeClient::new() }
}

/// A distinct user transaction: `n` zero-amount transfers of the transfer EE to itself.
fn user_tx(n: u8) -> ShardTransaction {
    transfers(USER_EE.0, &vec![(0, 0, None); usize::from(n)])
}

impl Net {
    fn view(&self, shard: u32, before: &[ShardTransaction]) -> ChainView {
        ChainView {
            shard: ShardId(shard),
            shard_count: 2,
            ee: MARKET,
            ees: self.chain.world.beacon.ees.keys().copied().collect(),
            tx_hashes: before.iter().map(|t| tx_hash(ShardId(shard), t)).collect(),
            deposits: self.chain.world.beacon.deposits.clone(),
            ..ChainView::default()
        }
    }

    /// Runs `txs` as one block on `shard`, validates it statelessly, and returns it.
    fn slot(&mut self, shard: u32, txs: Vec<ShardTransaction>) -> BlockResult {
        let n = txs.len();
        let r = ee_integration::validated_block(&mut self.chain, &*self.validator, ShardId(shard), txs);
        assert_eq!(r.block.transactions.len(), n + usize::from(r.outcome.txs.iter().any(|t| t.ee == META)));
        r
    }

    /// Runs `before` then the prepared market transaction `p` in one block; on success
    /// commits the client and checks it agrees with the chain; on failure checks the
    /// market's root did not move. Returns the market transaction's result.
    fn send(
        &mut self,
        shard: u32,
        before: Vec<ShardTransaction>,
        tx: ShardTransaction,
        p: Option<&Prepared>,
    ) -> Result<(), TxError> {
        let root_before = self.chain.world.ee_root(ShardId(shard), MARKET).unwrap();
        let real_before = self.chain.world.real_balance(ShardId(shard), MARKET).unwrap();
        let index = before.len();
        let mut txs = before;
        txs.push(tx);
        let r = self.slot(shard, txs);
        for t in &r.outcome.txs[..index] {
            assert_eq!(t.result, Ok(()), "user transactions run");
        }
        let result = r.outcome.txs[index].result.clone();
        let root_after = self.chain.world.ee_root(ShardId(shard), MARKET).unwrap();
        match (&result, p) {
            (Ok(()), Some(p)) => {
                self.client.commit(p);
                assert_eq!(root_after, p.post_root, "client and chain agree");
            }
            (Ok(()), None) => {}
            (Err(_), _) => {
                assert_eq!(root_after, root_before, "a refused operation changes nothing");
                assert_eq!(self.chain.world.real_balance(ShardId(shard), MARKET).unwrap(), real_before);
            }
        }
        result
    }

    /// Prepares `op` after `before` and sends both.
    fn op(&mut self, shard: u32, before: Vec<ShardTransaction>, op: Op) -> Result<(), TxError> {
        let view = self.view(shard, &before);
        let p = self.client.prepare(op, &view).expect("the client accepts the operation");
        let tx = p.transaction(MARKET);
        self.send(shard, before, tx, Some(&p))
    }

    /// Sends `op` with a witness of `keys`' accounts although the client would refuse it,
    /// expecting the EE to refuse it with `err`.
    fn refused(
        &mut self,
        shard: u32,
        before: Vec<ShardTransaction>,
        op: Op,
        keys: &[&Keypair],
        err: FeeError,
    ) {
        let view = self.view(shard, &before);
        assert_eq!(self.client.prepare(op.clone(), &view).map(|_| ()), Err(err), "the client predicts it");
        let witness = self.client.witness(ShardId(shard), keys.iter().map(|k| k.public));
        let tx = ShardTransaction { ee_id: MARKET, data: FeeTx { op, witness }.encode() };
        assert_eq!(self.send(shard, before, tx, None), aborted(err.message()));
    }

    fn balance(&self, shard: u32, key: &Keypair) -> u64 {
        self.client.account(ShardId(shard), &key.public).balance
    }
}

fn aborted(msg: &str) -> Result<(), TxError> {
    Err(TxError::Host(HostError::Aborted(msg.into())))
}

fn hashes(shard: u32, txs: &[ShardTransaction]) -> Vec<Root> {
    txs.iter().map(|t| tx_hash(ShardId(shard), t)).collect()
}

struct Keys {
    r1: Keypair,
    r2: Keypair,
    broke: Keypair,
    producer: Keypair,
}

fn keys() -> Keys {
    Keys {
        r1: Keypair::from_seed(b"relayer 1"),
        r2: Keypair::from_seed(b"relayer 2"),
        broke: Keypair::from_seed(b"relayer without funds"),
        producer: Keypair::from_seed(b"block producer"),
    }
}

/// A funded net: r1 deposited 1,000 and r2 500 Gwei on shard 0.
fn funded(tier: Tier, k: &Keys) -> Net {
    let deposits = vec![k.r1.deposit(0, ShardId(0), MARKET, 1_000), k.r2.deposit(1, ShardId(0), MARKET, 500)];
    let mut n = net(tier, deposits);
    assert_eq!(n.op(0, vec![], Op::Deposit { index: 0 }), Ok(()));
    assert_eq!(n.op(0, vec![], Op::Deposit { index: 1 }), Ok(()));
    assert_eq!((n.balance(0, &k.r1), n.balance(0, &k.r2)), (1_000, 500));
    assert_eq!(n.chain.world.real_balance(ShardId(0), MARKET).unwrap(), 1_500, "deposits back the accounts");
    n
}

fn claim(bid: fee_market_ee::Bid, positions: Vec<u32>) -> Claim {
    Claim { bid, positions }
}

#[test]
fn the_producer_collects_every_bid_whose_transactions_came_earlier_in_the_block() {
    let k = keys();
    for tier in tiers() {
        let mut n = funded(tier, &k);
        let users = vec![user_tx(1), user_tx(2), user_tx(3)];
        let h = hashes(0, &users);
        let b1 = bid(&k.r1, vec![h[0], h[2]], 30, 0, MARKET, ShardId(0));
        let b2 = bid(&k.r2, vec![h[1]], 5, 0, MARKET, ShardId(0));
        let collect = Op::Collect {
            producer: k.producer.public,
            claims: vec![claim(b1, vec![0, 2]), claim(b2, vec![1])],
        };
        assert_eq!(n.op(0, users, collect), Ok(()), "{tier:?}");
        assert_eq!((n.balance(0, &k.r1), n.balance(0, &k.r2), n.balance(0, &k.producer)), (970, 495, 35));
        assert_eq!(n.client.account(ShardId(0), &k.r1.public).nonce, 1, "the bid is used up");
        assert_eq!(n.chain.world.real_balance(ShardId(0), MARKET).unwrap(), 1_500, "fees stay inside the EE");

        // The producer withdraws its fees to another EE on the other shard: netted.
        let w = withdraw(&k.producer, (ShardId(1), USER_EE), 35, 0, MARKET, ShardId(0));
        let view = n.view(0, &[]);
        let p = n.client.prepare(w, &view).unwrap();
        assert_eq!(p.emitted.len(), 1);
        let tx = p.transaction(MARKET);
        assert_eq!(n.send(0, vec![], tx, Some(&p)), Ok(()));
        assert_eq!(n.balance(0, &k.producer), 0);
        assert_eq!(
            n.chain.world.real_balance(ShardId(0), MARKET).unwrap(),
            1_465,
            "the withdrawal left the EE"
        );
        assert_eq!(n.chain.world.real_balance(ShardId(1), USER_EE).unwrap(), 35, "and reached the payee");
    }
}

#[test]
fn every_refusal_is_a_clear_error_that_changes_nothing() {
    let k = keys();
    for tier in tiers() {
        let mut n = funded(tier, &k);
        let users = vec![user_tx(1), user_tx(2)];
        let h = hashes(0, &users);
        let outsider = tx_hash(ShardId(0), &user_tx(9));
        let signed = |key: &Keypair, txs: Vec<Root>, fee: u64, nonce: u64| {
            bid(key, txs, fee, nonce, MARKET, ShardId(0))
        };
        let collect = |claims: Vec<Claim>| Op::Collect { producer: k.producer.public, claims };
        let both = [&k.r1, &k.r2, &k.producer];

        // A transaction the block does not hold, or holds elsewhere or only later.
        let c = collect(vec![claim(signed(&k.r1, vec![outsider], 10, 0), vec![0])]);
        n.refused(0, users.clone(), c, &both, FeeError::NotIncluded);
        let c = collect(vec![claim(signed(&k.r1, vec![h[0]], 10, 0), vec![1])]);
        n.refused(0, users.clone(), c, &both, FeeError::NotIncluded);
        let c = collect(vec![claim(signed(&k.r1, vec![h[0]], 10, 0), vec![2])]);
        n.refused(0, users.clone(), c, &both, FeeError::NotIncluded);
        // The same transaction claimed twice in one call.
        let c = collect(vec![
            claim(signed(&k.r1, vec![h[0]], 10, 0), vec![0]),
            claim(signed(&k.r2, vec![h[0]], 10, 0), vec![0]),
        ]);
        n.refused(0, users.clone(), c, &both, FeeError::DuplicateTx);
        // An unfunded relayer; a relayer short of the fee.
        let c = collect(vec![claim(signed(&k.broke, vec![h[0]], 1, 0), vec![0])]);
        n.refused(0, users.clone(), c, &[&k.broke, &k.producer], FeeError::Unfunded);
        let c = collect(vec![claim(signed(&k.r2, vec![h[0]], 501, 0), vec![0])]);
        n.refused(0, users.clone(), c, &both, FeeError::Unfunded);
        // A forged or tampered bid; a nonce from the future.
        let mut forged = signed(&k.r2, vec![h[0]], 10, 0);
        forged.relayer = k.r1.public;
        n.refused(0, users.clone(), collect(vec![claim(forged, vec![0])]), &both, FeeError::BadSignature);
        let mut raised = signed(&k.r1, vec![h[0]], 10, 0);
        raised.fee = 900;
        n.refused(0, users.clone(), collect(vec![claim(raised, vec![0])]), &both, FeeError::BadSignature);
        n.refused(
            0,
            users.clone(),
            collect(vec![claim(signed(&k.r1, vec![h[0]], 10, 7), vec![0])]),
            &both,
            FeeError::WrongNonce,
        );
        // Sizes and shapes.
        n.refused(0, users.clone(), collect(vec![]), &both, FeeError::BadSize);
        n.refused(
            0,
            users.clone(),
            collect(vec![claim(signed(&k.r1, vec![], 10, 0), vec![])]),
            &both,
            FeeError::BadSize,
        );
        n.refused(
            0,
            users.clone(),
            collect(vec![claim(signed(&k.r1, vec![h[0]], 10, 0), vec![0, 1])]),
            &both,
            FeeError::PositionsMismatch,
        );
        n.refused(
            0,
            users.clone(),
            collect(vec![claim(signed(&k.r1, vec![h[0]], 0, 0), vec![0])]),
            &both,
            FeeError::ZeroAmount,
        );

        // A double claim: the bid paid once; the same transactions again in a later block.
        let good = signed(&k.r1, vec![h[0], h[1]], 10, 0);
        assert_eq!(n.op(0, users.clone(), collect(vec![claim(good.clone(), vec![0, 1])])), Ok(()));
        n.refused(0, users.clone(), collect(vec![claim(good, vec![0, 1])]), &both, FeeError::AlreadyClaimed);

        // Withdrawals: to itself, to nowhere, beyond the balance, unsigned.
        let w = |target: (u32, EeId), amount: u64| {
            withdraw(&k.r2, (ShardId(target.0), target.1), amount, 0, MARKET, ShardId(0))
        };
        n.refused(0, vec![], w((0, MARKET), 1), &both, FeeError::BadTarget);
        n.refused(0, vec![], w((5, USER_EE), 1), &both, FeeError::BadTarget);
        n.refused(0, vec![], w((0, EeId(77)), 1), &both, FeeError::BadTarget);
        n.refused(0, vec![], w((1, USER_EE), 501), &both, FeeError::Unfunded);
        let mut unsigned = w((1, USER_EE), 1);
        if let Op::Withdraw { signature, .. } = &mut unsigned {
            *signature = [0; 96];
        }
        n.refused(0, vec![], unsigned, &both, FeeError::BadSignature);
        // A deposit that does not exist, or was claimed.
        n.refused(0, vec![], Op::Deposit { index: 9 }, &both, FeeError::NoSuchDeposit);
        let again = n.send(
            0,
            vec![],
            ShardTransaction {
                ee_id: MARKET,
                data: FeeTx {
                    op: Op::Deposit { index: 0 },
                    witness: n.client.witness(ShardId(0), [k.r1.public]),
                }
                .encode(),
            },
            None,
        );
        assert!(matches!(again, Err(TxError::Host(HostError::Deposit { .. }))), "{again:?}");

        // Malformed data and a witness that does not match the root.
        let garbage = ShardTransaction { ee_id: MARKET, data: vec![0xff; 9] };
        assert_eq!(n.send(0, vec![], garbage, None), aborted(FeeError::Malformed.message()));
        let mut witness = n.client.witness(ShardId(0), [k.r1.public]);
        witness.leaves[0].1[0] ^= 1;
        let forged = ShardTransaction {
            ee_id: MARKET,
            data: FeeTx { op: Op::Balance { account: k.r1.public }, witness }.encode(),
        };
        assert_eq!(n.send(0, vec![], forged, None), aborted(FeeError::WitnessInvalid.message()));
        let missing = ShardTransaction {
            ee_id: MARKET,
            data: FeeTx { op: Op::Balance { account: k.r1.public }, witness: Default::default() }.encode(),
        };
        assert_eq!(n.send(0, vec![], missing, None), aborted(FeeError::WitnessMissing.message()));

        assert_eq!(
            (n.balance(0, &k.r1), n.balance(0, &k.r2), n.balance(0, &k.producer)),
            (990, 500, 10),
            "{tier:?}"
        );
    }
}
