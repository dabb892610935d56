//! The token EE on every tier (native, wasm on both engines): mint, transfer, approve and
//! spend, a cross-shard transfer whose message the meta-EE records with its source and
//! whose receipts are claimed on the target shard; every refusal a clear error that changes
//! nothing — among them a root another EE sends to the token EE, which would mint from
//! nothing if roots were not tied to their source. Each block is validated statelessly.
use ee_host::abi::Role;
use ee_host::exec::{Chain, EeRunner, ExecConfig, TxError};
use ee_host::logic::HostError;
use ee_host::native::NativeRunner;
use ee_host::state::keys::value_u64;
use ee_host::state::{EeEntry, KeyLayout, StateKey, World};
use ee_integration::{META, Tier, built_wasm, validated_block};
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, NettingOutput, NettingStatus, Root, ShardId, ShardTransaction};
use relay_ee::Relay;
use std::sync::Arc;
use token_ee::client::{ChainView, Keypair, Prepared, TokenClient, claims, sign};
use token_ee::{Op, TokenError, TokenReceipt, TokenTx};

const TOKEN: EeId = EeId(60);
const RELAY: EeId = EeId(20);

fn tiers() -> Vec<Tier> {
    let mut t = vec![Tier::Native];
    for &e in ee_host::runtime::EngineKind::all() {
        t.push(Tier::Wasm(e));
    }
    t
}

struct Net {
    chain: Chain<Box<dyn EeRunner>>,
    validator: Box<dyn EeRunner>,
    client: TokenClient,
}

fn net(tier: Tier) -> Net {
    let config = ExecConfig::default();
    let code = |name: &str| match tier {
        Tier::Native => Arc::from(&[][..]),
        Tier::Wasm(_) => built_wasm(name),
    };
    let mut w = World::new(2, KeyLayout::ColumnMajor).unwrap();
    w.register(EeEntry::new(TOKEN, "token", Role::Ee, code("token_ee"))).unwrap();
    w.register(EeEntry::new(RELAY, "relay", Role::Ee, code("relay_ee"))).unwrap();
    w.register(EeEntry::new(META, "meta", Role::Meta, code("meta_ee"))).unwrap();
    let runner = || -> Box<dyn EeRunner> {
        match tier {
            Tier::Native => Box::new(
                NativeRunner::new()
                    .with(META, meta_ee::ee_main)
                    .with(TOKEN, token_ee::ee_main)
                    .with(RELAY, relay_ee::ee_main),
            ),
            Tier::Wasm(e) => {
                Box::new(ee_host::runtime::Runtime::new(e, config.costs.clone(), config.limits.clone()))
            }
        }
    };
    Net { validator: runner(), chain: Chain::new(w, runner(), config.clone()), client: TokenClient::new() }
}

impl Net {
    /// What the token EE on `source` sent with `root` towards the token EE on `target`.
    fn messages(&self, source: u32, target: u32, from: EeId, root: Root) -> u64 {
        let key =
            StateKey::Message { target_shard: ShardId(target), target_ee: TOKEN, source_ee: from, root };
        value_u64(&self.chain.world.shard(ShardId(source)).unwrap().get(&key).unwrap())
    }

    fn view(&self, shard: u32, claim_root: Option<Root>) -> ChainView {
        let mut v = ChainView { shard: ShardId(shard), shard_count: 2, ee: TOKEN, ..ChainView::default() };
        if let Some(root) = claim_root {
            let source = 1 - shard;
            v.messages.insert((ShardId(source), TOKEN, root), self.messages(source, shard, TOKEN, root));
        }
        v
    }

    fn send(
        &mut self,
        shard: u32,
        tx: ShardTransaction,
        p: Option<&Prepared>,
    ) -> (Result<(), TxError>, Vec<NettingStatus>) {
        let before = self.chain.world.ee_root(ShardId(shard), TOKEN).unwrap();
        let r = validated_block(&mut self.chain, &*self.validator, ShardId(shard), vec![tx]);
        let result = r.outcome.txs[0].result.clone();
        let after = self.chain.world.ee_root(ShardId(shard), TOKEN).unwrap();
        match (&result, p) {
            (Ok(()), Some(p)) => {
                self.client.commit(p);
                assert_eq!(after, p.post_root, "client and chain agree");
            }
            (Err(_), _) => assert_eq!(after, before, "a refused operation changes nothing"),
            _ => {}
        }
        (result, r.outcome.receipts.iter().map(|r| r.status).collect())
    }

    fn op(&mut self, shard: u32, op: Op, claim_root: Option<Root>) -> Result<(), TxError> {
        let p = self.client.prepare(op, &self.view(shard, claim_root)).expect("the client accepts it");
        self.send(shard, p.transaction(TOKEN), Some(&p)).0
    }

    /// Sends `op` with a witness of `leaves`, expecting `err` from the client and the EE.
    fn balance(&self, shard: u32, token: &ee_sdk::BlsPublicKey, k: &Keypair) -> u64 {
        self.client.balance(ShardId(shard), token, &k.public)
    }

    fn refused(&mut self, shard: u32, op: Op, leaves: Vec<Root>, claim_root: Option<Root>, err: TokenError) {
        let view = self.view(shard, claim_root);
        assert_eq!(self.client.prepare(op.clone(), &view).map(|_| ()), Err(err), "the client predicts it");
        let witness = self.client.witness(ShardId(shard), leaves);
        let tx = ShardTransaction { ee_id: TOKEN, data: TokenTx { op, witness }.encode() };
        assert_eq!(
            self.send(shard, tx, None).0,
            Err(TxError::Host(HostError::Aborted(err.message().into())))
        );
    }
}

fn leaf_keys(f: impl FnOnce(&mut ee_sdk::client::ClientEnv<'_>) -> Vec<Root>) -> Vec<Root> {
    let nowhere = ChainView::default();
    f(&mut ee_sdk::client::ClientEnv::new(&nowhere))
}

#[test]
fn tokens_move_within_and_across_shards_and_forged_roots_mint_nothing() {
    use token_ee::logic::{allowance_key, balance_key, nonce_key, supply_key};
    let issuer = Keypair::from_seed(b"issuer");
    let (alice, bob, carol) =
        (Keypair::from_seed(b"alice"), Keypair::from_seed(b"bob"), Keypair::from_seed(b"carol"));
    let t = issuer.public;
    let s0 = |op: Op, k: &Keypair| sign(op, k, TOKEN, ShardId(0));
    for tier in tiers() {
        let mut n = net(tier);
        let mint = |to: &Keypair, amount, nonce| {
            s0(Op::Mint { token: t, to: to.public, amount, nonce, signature: [0; 96] }, &issuer)
        };
        assert_eq!(n.op(0, mint(&alice, 1_000, 0), None), Ok(()), "{tier:?}");
        let pay = Op::Transfer {
            token: t,
            from: alice.public,
            to: bob.public,
            amount: 100,
            nonce: 0,
            signature: [0; 96],
        };
        assert_eq!(n.op(0, s0(pay, &alice), None), Ok(()));
        let approve = Op::Approve {
            token: t,
            owner: alice.public,
            spender: carol.public,
            amount: 50,
            nonce: 1,
            signature: [0; 96],
        };
        assert_eq!(n.op(0, s0(approve, &alice), None), Ok(()));
        let spend = |amount, nonce| {
            s0(
                Op::TransferFrom {
                    token: t,
                    spender: carol.public,
                    owner: alice.public,
                    to: carol.public,
                    amount,
                    nonce,
                    signature: [0; 96],
                },
                &carol,
            )
        };
        assert_eq!(n.op(0, spend(30, 0), None), Ok(()));
        assert_eq!(
            (n.balance(0, &t, &alice), n.balance(0, &t, &bob), n.balance(0, &t, &carol)),
            (870, 100, 30),
            "{tier:?}"
        );

        // Refusals on shard 0.
        let keys = |ks: &[&Keypair]| {
            leaf_keys(|e| {
                let mut v = vec![allowance_key(e, &t, &alice.public, &carol.public), supply_key(e, &t)];
                for k in ks {
                    v.push(nonce_key(e, &k.public));
                    v.push(balance_key(e, &t, &k.public));
                }
                v
            })
        };
        n.refused(0, spend(21, 1), keys(&[&alice, &carol]), None, TokenError::AllowanceExceeded);
        let forged_mint =
            s0(Op::Mint { token: t, to: alice.public, amount: 5, nonce: 0, signature: [0; 96] }, &alice);
        n.refused(0, forged_mint, keys(&[&issuer, &alice]), None, TokenError::BadSignature);
        n.refused(0, mint(&alice, 5, 0), keys(&[&issuer, &alice]), None, TokenError::AlreadyUsed);
        let too_much = Op::Transfer {
            token: t,
            from: bob.public,
            to: alice.public,
            amount: 101,
            nonce: 0,
            signature: [0; 96],
        };
        n.refused(0, s0(too_much, &bob), keys(&[&bob, &alice]), None, TokenError::Insufficient);

        // Alice sends 200 to Bob and 50 to Carol on shard 1: a message, no ETH.
        let cross = s0(
            Op::CrossShard {
                token: t,
                from: alice.public,
                target_shard: ShardId(1),
                to: vec![(bob.public, 200), (carol.public, 50)],
                nonce: 2,
                signature: [0; 96],
            },
            &alice,
        );
        let (root, claim_ops) = claims(ShardId(0), &cross).unwrap();
        let p = n.client.prepare(cross, &n.view(0, None)).unwrap();
        let (r, statuses) = n.send(0, p.transaction(TOKEN), Some(&p));
        assert_eq!((r, statuses), (Ok(()), vec![NettingStatus::Accepted]), "{tier:?}");
        assert_eq!(n.messages(0, 1, TOKEN, root), 1, "the meta-EE recorded the message with its source");
        assert_eq!(n.balance(0, &t, &alice), 620);
        let claimed_key = |index: u32| {
            leaf_keys(|e| {
                vec![
                    ee_sdk::receipts::claimed_key(e, b"token/claimed", ShardId(0), &root, index),
                    balance_key(e, &t, &bob.public),
                    balance_key(e, &t, &carol.public),
                ]
            })
        };
        assert_eq!(n.op(1, claim_ops[0].clone(), Some(root)), Ok(()), "{tier:?}");
        n.refused(1, claim_ops[0].clone(), claimed_key(0), Some(root), TokenError::AlreadyClaimed);
        assert_eq!(n.op(1, claim_ops[1].clone(), Some(root)), Ok(()));
        assert_eq!((n.balance(1, &t, &bob), n.balance(1, &t, &carol)), (200, 50));

        // The relay EE sends the token EE a root of receipts nobody paid for: the meta-EE
        // accepts the message (it moves no ETH) but records it under the relay.
        let fake =
            TokenReceipt { token: t, from: carol.public, to: carol.public, amount: 1_000_000, nonce: 0 };
        let fake_root = ee_sdk::receipts::data_root::<ee_sdk::proof::PureSha256, _>(
            &mut ee_sdk::client::ClientEnv::new(&ChainView::default()),
            std::slice::from_ref(&fake),
        )
        .unwrap();
        let emit = Relay::Emit(vec![NettingOutput {
            target_shard: ShardId(1),
            target_ee: TOKEN,
            amount: 0,
            data_root: fake_root,
        }]);
        let (r, statuses) = n.send(0, ShardTransaction { ee_id: RELAY, data: emit.encode() }, None);
        assert_eq!((r, statuses), (Ok(()), vec![NettingStatus::Accepted]));
        assert_eq!((n.messages(0, 1, RELAY, fake_root), n.messages(0, 1, TOKEN, fake_root)), (1, 0));
        let proof = ee_sdk::receipts::prove::<ee_sdk::proof::PureSha256, _>(
            &mut ee_sdk::client::ClientEnv::new(&ChainView::default()),
            std::slice::from_ref(&fake),
            0,
        )
        .unwrap();
        let forged =
            Op::Claim { source_shard: ShardId(0), data_root: fake_root, index: 0, receipt: fake, proof };
        let leaves = leaf_keys(|e| {
            vec![
                ee_sdk::receipts::claimed_key(e, b"token/claimed", ShardId(0), &fake_root, 0),
                balance_key(e, &t, &carol.public),
            ]
        });
        n.refused(1, forged, leaves, Some(fake_root), TokenError::NotSent);

        // Supply: 1,000 minted = balances on both shards (nothing in flight).
        let total: u64 =
            [&alice, &bob, &carol].iter().map(|k| n.balance(0, &t, k) + n.balance(1, &t, k)).sum();
        assert_eq!(total, n.client.minted(ShardId(0), &t), "{tier:?}");
        assert_eq!(n.chain.world.real_balance(ShardId(0), TOKEN).unwrap(), 0, "no ETH ever moved");
    }
}
