//! Supply is conserved: whatever sequence of mints, transfers, approvals, spends,
//! cross-shard transfers and claims (valid or not) runs, the units minted equal the
//! balances on both shards plus the receipts sent and not yet claimed; a refused operation
//! changes nothing; a receipt pays once.
use ee_sdk::{BlsPublicKey, EeId, Root, ShardId};
use proptest::prelude::*;
use std::collections::BTreeMap;
use token_ee::client::{ChainView, Keypair, TokenClient, claims, sign};
use token_ee::{Op, TokenError};

const TOKEN: EeId = EeId(60);

#[derive(Clone, Debug)]
enum Step {
    Mint(usize, u64),
    Transfer(usize, usize, u64),
    Approve(usize, usize, u64),
    Spend(usize, usize, usize, u64),
    Cross(usize, usize, u64, u64),
    Claim(usize, bool),
}

fn step() -> impl Strategy<Value = Step> {
    let k = 0usize..3;
    let a = 0u64..400;
    prop_oneof![
        (k.clone(), a.clone()).prop_map(|(t, a)| Step::Mint(t, a)),
        (k.clone(), k.clone(), a.clone()).prop_map(|(f, t, a)| Step::Transfer(f, t, a)),
        (k.clone(), k.clone(), a.clone()).prop_map(|(o, s, a)| Step::Approve(o, s, a)),
        (k.clone(), k.clone(), k.clone(), a.clone()).prop_map(|(s, o, t, a)| Step::Spend(s, o, t, a)),
        (k.clone(), k.clone(), a.clone(), a.clone()).prop_map(|(f, t, a, b)| Step::Cross(f, t, a, b)),
        (0usize..8, any::<bool>()).prop_map(|(i, twice)| Step::Claim(i, twice)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn minted_units_are_balances_plus_receipts_in_flight(steps in prop::collection::vec(step(), 1..14)) {
        let issuer = Keypair::from_seed(b"issuer");
        let token: BlsPublicKey = issuer.public;
        let keys: Vec<Keypair> = (0..3u8).map(|i| Keypair::from_seed(&[b't', i])).collect();
        let mut nonces: BTreeMap<BlsPublicKey, u64> = BTreeMap::new();
        let mut client = TokenClient::new();
        let mut messages: BTreeMap<(ShardId, EeId, Root), u64> = BTreeMap::new();
        // Claims not yet made: (claim op, amount, claimed?).
        let mut pending: Vec<(Op, u64, bool)> = Vec::new();
        let mut minted = 0u64;
        let view = |shard: u32, messages: &BTreeMap<(ShardId, EeId, Root), u64>| ChainView {
            shard: ShardId(shard),
            shard_count: 2,
            ee: TOKEN,
            messages: messages.clone(),
            ..ChainView::default()
        };
        for s in steps {
            let next = |k: &Keypair| *nonces.get(&k.public).unwrap_or(&0);
            let (shard, op, signer) = match &s {
                Step::Mint(to, a) => (0, Op::Mint { token, to: keys[*to].public, amount: *a, nonce: next(&issuer), signature: [0; 96] }, Some(&issuer)),
                Step::Transfer(f, t, a) => (0, Op::Transfer { token, from: keys[*f].public, to: keys[*t].public, amount: *a, nonce: next(&keys[*f]), signature: [0; 96] }, Some(&keys[*f])),
                Step::Approve(o, sp, a) => (0, Op::Approve { token, owner: keys[*o].public, spender: keys[*sp].public, amount: *a, nonce: next(&keys[*o]), signature: [0; 96] }, Some(&keys[*o])),
                Step::Spend(sp, o, t, a) => (0, Op::TransferFrom { token, spender: keys[*sp].public, owner: keys[*o].public, to: keys[*t].public, amount: *a, nonce: next(&keys[*sp]), signature: [0; 96] }, Some(&keys[*sp])),
                Step::Cross(f, t, a, b) => (0, Op::CrossShard { token, from: keys[*f].public, target_shard: ShardId(1), to: vec![(keys[*t].public, *a), (keys[*f].public, *b)], nonce: next(&keys[*f]), signature: [0; 96] }, Some(&keys[*f])),
                Step::Claim(i, _) => match pending.get(*i) {
                    Some((op, _, _)) => (1, op.clone(), None),
                    None => continue,
                },
            };
            let op = match signer { Some(k) => sign(op, k, TOKEN, ShardId(shard)), None => op };
            let before = (client.root(ShardId(0)), client.root(ShardId(1)));
            match client.prepare(op.clone(), &view(shard, &messages)) {
                Ok(p) => {
                    client.commit(&p);
                    if let Some(k) = signer {
                        *nonces.entry(k.public).or_default() += 1;
                    }
                    match &s {
                        Step::Mint(_, a) => minted += a,
                        Step::Cross(..) => {
                            let (root, cl) = claims(ShardId(0), &op).unwrap();
                            prop_assert_eq!(p.emitted.len(), 1);
                            prop_assert_eq!(p.emitted[0].amount, 0, "a message moves no ETH");
                            prop_assert_eq!(p.emitted[0].data_root, root);
                            *messages.entry((ShardId(0), TOKEN, root)).or_default() += 1;
                            let Op::CrossShard { to, .. } = &op else { unreachable!() };
                            for (c, (_, a)) in cl.into_iter().zip(to) {
                                pending.push((c, *a, false));
                            }
                        }
                        Step::Claim(i, twice) => {
                            prop_assert!(!pending[*i].2, "a receipt pays once");
                            pending[*i].2 = true;
                            if *twice {
                                let again = client.prepare(pending[*i].0.clone(), &view(1, &messages)).map(|_| ());
                                prop_assert_eq!(again, Err(TokenError::AlreadyClaimed));
                            }
                        }
                        _ => {}
                    }
                }
                Err(_) => prop_assert_eq!((client.root(ShardId(0)), client.root(ShardId(1))), before),
            }
            let held: u64 = [0u32, 1].iter().flat_map(|&sh| keys.iter().map(move |k| (sh, k)))
                .map(|(sh, k)| client.balance(ShardId(sh), &token, &k.public)).sum();
            let in_flight: u64 = pending.iter().filter(|(_, _, c)| !c).map(|(_, a, _)| a).sum();
            prop_assert_eq!(held + in_flight, minted);
            prop_assert_eq!(client.minted(ShardId(0), &token), minted);
        }
    }
}
