//! Value is conserved: whatever sequence of deposits, collections (valid or not) and
//! withdrawals runs, the accounts on a shard hold exactly what deposits brought in minus
//! what withdrawals sent out, and every accepted operation's stateless post-root (from its
//! witness) is the full tree's root.
use ee_sdk::{EeId, Root, ShardId};
use fee_market_ee::client::{ChainView, FeeClient, Keypair, bid, withdraw};
use fee_market_ee::{Claim, Op};
use proptest::prelude::*;
use std::collections::BTreeSet;

const MARKET: EeId = EeId(30);

#[derive(Clone, Debug)]
enum Step {
    Deposit(usize),
    Collect { relayer: usize, producer: usize, fee: u64, nonce_skew: u8, txs: Vec<usize> },
    Withdraw { account: usize, amount: u64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0usize..4).prop_map(Step::Deposit),
        (
            0usize..4,
            0usize..4,
            0u64..700,
            prop_oneof![Just(0u8), Just(0), Just(1), Just(2)],
            prop::collection::vec(0usize..6, 0..4)
        )
            .prop_map(|(relayer, producer, fee, nonce_skew, txs)| Step::Collect {
                relayer,
                producer,
                fee,
                nonce_skew,
                txs
            }),
        (0usize..4, 0u64..700).prop_map(|(account, amount)| Step::Withdraw { account, amount }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn accounts_hold_deposits_minus_withdrawals(steps in prop::collection::vec(step(), 1..10)) {
        let keys: Vec<Keypair> = (0..4u8).map(|i| Keypair::from_seed(&[b'k', i])).collect();
        let deposits: Vec<_> =
            keys.iter().enumerate().map(|(i, k)| k.deposit(i as u64, ShardId(0), MARKET, 100 * (i as u64 + 1))).collect();
        let hashes: Vec<Root> = (0..4u8).map(|i| [i + 1; 32]).collect();
        let mut client = FeeClient::new();
        let (mut claimed, mut deposited, mut withdrawn) = (BTreeSet::new(), 0u64, 0u64);
        for s in steps {
            let mut view = ChainView {
                shard: ShardId(0),
                shard_count: 2,
                ee: MARKET,
                ees: [MARKET, EeId(1)].into(),
                tx_hashes: hashes.clone(),
                deposits: deposits.clone(),
                ..ChainView::default()
            };
            let op = match &s {
                Step::Deposit(i) => {
                    if claimed.contains(i) {
                        // The host refuses a second claim; the client cannot see claims.
                        view.deposits.clear();
                    }
                    Op::Deposit { index: *i as u64 }
                }
                Step::Collect { relayer, producer, fee, nonce_skew, txs } => {
                    let nonce = client.account(ShardId(0), &keys[*relayer].public).nonce + u64::from(*nonce_skew);
                    let bid_txs: Vec<Root> = txs.iter().map(|&t| if t < 4 { hashes[t] } else { [0xee; 32] }).collect();
                    let positions: Vec<u32> = txs.iter().map(|&t| t.min(3) as u32).collect();
                    let bid = bid(&keys[*relayer], bid_txs, *fee, nonce, MARKET, ShardId(0));
                    Op::Collect { producer: keys[*producer].public, claims: vec![Claim { bid, positions }] }
                }
                Step::Withdraw { account, amount } => {
                    let nonce = client.account(ShardId(0), &keys[*account].public).nonce;
                    withdraw(&keys[*account], (ShardId(1), EeId(1)), *amount, nonce, MARKET, ShardId(0))
                }
            };
            let before = client.root(ShardId(0));
            match client.prepare(op, &view) {
                Ok(p) => {
                    client.commit(&p);
                    prop_assert_eq!(client.root(ShardId(0)), p.post_root);
                    match s {
                        Step::Deposit(i) => {
                            claimed.insert(i);
                            deposited += 100 * (i as u64 + 1);
                        }
                        Step::Withdraw { amount, .. } => {
                            prop_assert_eq!(p.emitted.len(), 1);
                            withdrawn += amount;
                        }
                        Step::Collect { .. } => prop_assert!(p.emitted.is_empty()),
                    }
                }
                Err(_) => prop_assert_eq!(client.root(ShardId(0)), before),
            }
            let total: u64 = keys.iter().map(|k| client.account(ShardId(0), &k.public).balance).sum();
            prop_assert_eq!(total, deposited - withdrawn);
        }
    }
}
