//! The data check-in EE on every tier (native, wasm on both engines): check-ins in order
//! with inclusion proofs a verifier checks against the EE's crosslinked root, and every
//! refusal — replay, gap, forgery, zero root, malformed data, a forged witness — a clear
//! error that changes nothing. Each block is also validated statelessly.
use data_checkin_ee::client::{ChainView, CheckinClient, Keypair, checkin, verify_entry};
use data_checkin_ee::{CheckinError, CheckinTx};
use ee_host::abi::Role;
use ee_host::exec::{Chain, EeRunner, ExecConfig, TxError};
use ee_host::logic::HostError;
use ee_host::native::NativeRunner;
use ee_host::state::{EeEntry, KeyLayout, World};
use ee_integration::{META, Tier, built_wasm, validated_block};
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, ShardId, ShardTransaction};
use std::sync::Arc;

const CHECKIN: EeId = EeId(50);

fn tiers() -> Vec<Tier> {
    let mut t = vec![Tier::Native];
    for &e in ee_host::runtime::EngineKind::all() {
        t.push(Tier::Wasm(e));
    }
    t
}

fn chain(tier: Tier) -> (Chain<Box<dyn EeRunner>>, Box<dyn EeRunner>) {
    let config = ExecConfig::default();
    let code = |name: &str| match tier {
        Tier::Native => Arc::from(&[][..]),
        Tier::Wasm(_) => built_wasm(name),
    };
    let mut w = World::new(2, KeyLayout::ColumnMajor).unwrap();
    w.register(EeEntry::new(CHECKIN, "data check-in", Role::Ee, code("data_checkin_ee"))).unwrap();
    w.register(EeEntry::new(META, "meta", Role::Meta, code("meta_ee"))).unwrap();
    let runner = || -> Box<dyn EeRunner> {
        match tier {
            Tier::Native => Box::new(
                NativeRunner::new().with(META, meta_ee::ee_main).with(CHECKIN, data_checkin_ee::ee_main),
            ),
            Tier::Wasm(e) => {
                Box::new(ee_host::runtime::Runtime::new(e, config.costs.clone(), config.limits.clone()))
            }
        }
    };
    (Chain::new(w, runner(), config.clone()), runner())
}

/// Runs `tx` in a block of its own on shard 1, validated statelessly; a refused check-in
/// leaves the EE's root as it was.
fn send(
    c: &mut Chain<Box<dyn EeRunner>>,
    validator: &dyn EeRunner,
    tx: ShardTransaction,
) -> Result<(), TxError> {
    let before = c.world.ee_root(ShardId(1), CHECKIN).unwrap();
    let r = validated_block(c, validator, ShardId(1), vec![tx]);
    let result = r.outcome.txs[0].result.clone();
    if result.is_err() {
        assert_eq!(c.world.ee_root(ShardId(1), CHECKIN).unwrap(), before, "refused, unchanged");
    }
    result
}

/// Sends `ci` with the witness of the leaves it would touch, expecting `err`.
fn refuse(
    c: &mut Chain<Box<dyn EeRunner>>,
    validator: &dyn EeRunner,
    client: &CheckinClient,
    ci: data_checkin_ee::Checkin,
    err: CheckinError,
) {
    let witness = client.witness(ShardId(1), &ci.key, &ci.chain, ci.seq);
    let tx = ShardTransaction { ee_id: CHECKIN, data: CheckinTx { checkin: ci, witness }.encode() };
    assert_eq!(send(c, validator, tx), Err(TxError::Host(HostError::Aborted(err.message().into()))));
}

#[test]
fn checkins_are_ordered_provable_and_every_refusal_changes_nothing() {
    let (rollup, other) = (Keypair::from_seed(b"rollup operator"), Keypair::from_seed(b"someone else"));
    let chain_id = [0x42; 32];
    for tier in tiers() {
        let (mut c, validator) = chain(tier);
        let mut client = CheckinClient::new();
        let view = ChainView { shard: ShardId(1), shard_count: 2, ee: CHECKIN, ..ChainView::default() };
        let v = &*validator;
        for seq in 1..=3u64 {
            let p = client
                .prepare(checkin(&rollup, chain_id, seq, [seq as u8; 32], CHECKIN, ShardId(1)), &view)
                .unwrap();
            assert_eq!(send(&mut c, v, p.transaction(CHECKIN)), Ok(()), "{tier:?}");
            client.commit(&p);
            assert_eq!(
                c.world.ee_root(ShardId(1), CHECKIN).unwrap(),
                p.post_root,
                "{tier:?}: client and chain agree"
            );
        }
        // A verifier holding only the EE's root on shard 1 checks check-in 2.
        let root = c.world.ee_root(ShardId(1), CHECKIN).unwrap();
        let proof = client.prove_entry(ShardId(1), &rollup.public, &chain_id, 2);
        assert!(verify_entry(&root, &rollup.public, &chain_id, 2, &[2; 32], &proof));
        assert!(!verify_entry(&root, &rollup.public, &chain_id, 2, &[3; 32], &proof));
        assert!(!verify_entry(&root, &other.public, &chain_id, 2, &[2; 32], &proof));

        // Refusals, each sent with the witness of the leaves it would touch.
        let replay = checkin(&rollup, chain_id, 3, [9; 32], CHECKIN, ShardId(1));
        refuse(&mut c, v, &client, replay, CheckinError::WrongSeq);
        let gap = checkin(&rollup, chain_id, 5, [9; 32], CHECKIN, ShardId(1));
        refuse(&mut c, v, &client, gap, CheckinError::WrongSeq);
        let mut forged = checkin(&other, chain_id, 4, [9; 32], CHECKIN, ShardId(1));
        forged.key = rollup.public;
        refuse(&mut c, v, &client, forged, CheckinError::BadSignature);
        let elsewhere = checkin(&rollup, chain_id, 4, [9; 32], CHECKIN, ShardId(0));
        refuse(&mut c, v, &client, elsewhere, CheckinError::BadSignature);
        let zero = checkin(&rollup, chain_id, 4, [0; 32], CHECKIN, ShardId(1));
        refuse(&mut c, v, &client, zero, CheckinError::ZeroRoot);
        let garbage = ShardTransaction { ee_id: CHECKIN, data: vec![7; 5] };
        assert_eq!(
            send(&mut c, v, garbage),
            Err(TxError::Host(HostError::Aborted(CheckinError::Malformed.message().into())))
        );
        let ci = checkin(&rollup, chain_id, 4, [4; 32], CHECKIN, ShardId(1));
        let mut witness = client.witness(ShardId(1), &ci.key, &ci.chain, 4);
        witness.leaves[0].1[0] ^= 1;
        let tx = ShardTransaction { ee_id: CHECKIN, data: CheckinTx { checkin: ci, witness }.encode() };
        assert_eq!(
            send(&mut c, v, tx),
            Err(TxError::Host(HostError::Aborted(CheckinError::WitnessInvalid.message().into())))
        );
        assert_eq!(client.seq(ShardId(1), &rollup.public, &chain_id), 3, "{tier:?}");
    }
}
