//! A client without full trees (`VheeClient::prepare_remote`, fetching leaves from a state
//! provider) builds exactly the transaction a client with full trees builds.
use ee_sdk::{DepositData, EeId, ShardId};
use vhee::Op;
use vhee::client::{Keypair, Snapshot, VheeClient};

const VHEE: EeId = EeId(0);

fn snapshot(deposits: Vec<ee_sdk::DepositReceipt>) -> Snapshot {
    Snapshot {
        shard: ShardId(0),
        shard_count: 2,
        vhee: VHEE,
        ees: [VHEE].into(),
        deposits,
        ..Snapshot::default()
    }
}

#[test]
fn remote_preparation_equals_full_tree_preparation() {
    let (alice, bob) = (Keypair::from_seed(b"alice"), Keypair::from_seed(b"bob"));
    let deposits =
        vec![alice.deposit(0, ShardId(0), DepositData { ee: VHEE, portion: EeId(0), amount: 100 })];
    let mut full = VheeClient::new();
    let p = full.prepare(Op::Deposit { index: 0 }, snapshot(deposits.clone())).unwrap();
    full.commit(&p);
    let op = VheeClient::sign(
        Op::Transfer {
            from: alice.address(EeId(0)),
            to: bob.address(EeId(0)),
            amount: 40,
            nonce: 0,
            signature: [0; 96],
        },
        &alice,
        VHEE,
        ShardId(0),
    );
    // The provider is a full client too; the remote side sees only what it is given.
    let mut provider = VheeClient::new();
    provider.commit(&p);
    let (remote, refused) =
        VheeClient::prepare_remote(op.clone(), snapshot(deposits.clone()), &mut provider).unwrap();
    assert!(refused.is_none());
    let local = full.prepare(op, snapshot(deposits.clone())).unwrap();
    assert_eq!(remote.tx, local.tx, "same operation, leaves and proof");
    assert_eq!(remote.post_root, local.post_root);
    assert_eq!(remote.writes(), local.writes());

    // A refusal is reported with the transaction that shows it.
    let overdraw = VheeClient::sign(
        Op::Transfer {
            from: bob.address(EeId(0)),
            to: alice.address(EeId(0)),
            amount: 1,
            nonce: 0,
            signature: [0; 96],
        },
        &bob,
        VHEE,
        ShardId(0),
    );
    let (_, refused) = VheeClient::prepare_remote(overdraw, snapshot(deposits), &mut provider).unwrap();
    assert_eq!(refused, Some(vhee::VheeError::InsufficientFunds));
}
