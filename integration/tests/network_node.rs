//! A network node's side of the `Node` in-process (`ee_devnet::node::network`): two nodes
//! splitting four shards exchange their blocks by hand — what the slot loop does over
//! libp2p — and must reach the same roots as one node producing every shard; foreign
//! blocks that are tampered, of another slot or a second one for a shard are refused
//! and change nothing; forwarded transactions reach the owner's mempool; deployments and
//! deposits, announced by one node, are applied by every node at the same slot.
use ee_client::TxRequest;
use ee_client::tx::transfer_data;
use ee_devnet::net::wire::{BeaconOp, BeaconOpKind};
use ee_devnet::node::{ForeignBlock, NetStats, OP_LEAD};
use ee_devnet::{DevnetError, Node, NodeConfig};
use ee_sdk::{ShardBlock, ShardId, ShardTransaction};
use std::path::Path;
use std::sync::{Arc, Mutex};

const BALANCE: i64 = 1_000_000_000_000;

fn open(dir: &Path, name: &str) -> Node {
    let mut config = NodeConfig::new(dir.join(format!("{name}.redb")));
    config.shards = 4;
    config.exec.limits.gas_price = 0;
    Node::open(config, Some(ee_integration::devnet_genesis(BALANCE))).unwrap()
}

type Outbox = Arc<Mutex<Vec<(ShardId, ShardTransaction)>>>;
type Announced = Arc<Mutex<Vec<BeaconOp>>>;

/// `node` joined to a network producing `owned`; what it forwards lands in the outbox.
fn join(node: &Node, owned: &[u32]) -> Outbox {
    join_announcing(node, owned).0
}

/// [`join`], and where the beacon operations it announces land.
fn join_announcing(node: &Node, owned: &[u32]) -> (Outbox, Announced) {
    let (outbox, announced): (Outbox, Announced) = Default::default();
    let (sink, ops) = (outbox.clone(), announced.clone());
    node.join_network(
        owned,
        "test",
        Arc::new(NetStats::default()),
        Box::new(move |shard, tx| sink.lock().unwrap().push((shard, tx.clone()))),
        Box::new(move |op| ops.lock().unwrap().push(op.clone())),
        // The network's clock: slot 0 (these nodes run their slots by hand).
        Box::new(|| 0),
    )
    .unwrap();
    (outbox, announced)
}

fn transfer(shard: u32, amount: u64, to: u32) -> TxRequest {
    TxRequest::new(shard, 1, &transfer_data(&[(amount, to, None)]))
}

fn roots(node: &Node) -> Vec<String> {
    node.head().unwrap().shard_roots
}

/// Commits one slot on both nodes from each one's own blocks and the other's, validated.
fn exchange(a: &Node, b: &Node) {
    let (own_a, own_b) = (a.produce_owned().unwrap(), b.produce_owned().unwrap());
    let to_b: Vec<ForeignBlock> =
        own_a.blocks().map(|blk| b.validate_foreign(blk.clone()).unwrap()).collect();
    let to_a: Vec<ForeignBlock> =
        own_b.blocks().map(|blk| a.validate_foreign(blk.clone()).unwrap()).collect();
    let sa = a.commit_network_slot(Some(own_a), to_a).unwrap();
    let sb = b.commit_network_slot(Some(own_b), to_b).unwrap();
    assert_eq!(sa.roots, sb.roots);
    assert!(sa.absent.is_empty() && sb.absent.is_empty());
}

#[test]
fn two_nodes_splitting_the_shards_reach_the_roots_of_one_node() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, whole) = (open(dir.path(), "a"), open(dir.path(), "b"), open(dir.path(), "whole"));
    let out_a = join(&a, &[0, 1]);
    let out_b = join(&b, &[2, 3]);
    let txs = [transfer(0, 100, 2), transfer(1, 200, 3), transfer(2, 300, 0), transfer(3, 400, 1)];
    for tx in &txs {
        // Sent to the node that does not own the shard: forwarded, pending there.
        let via = if tx.shard < 2 { &b } else { &a };
        let accepted = via.submit(tx).unwrap();
        assert!(via.is_pending(&accepted.hash).unwrap());
        whole.submit(tx).unwrap();
    }
    assert_eq!(out_a.lock().unwrap().len(), 2);
    assert_eq!(out_b.lock().unwrap().len(), 2);
    // The owners take them (a second delivery is a duplicate).
    for (shard, tx) in out_b.lock().unwrap().drain(..) {
        a.accept_forwarded(shard, &tx).unwrap();
        assert!(matches!(a.accept_forwarded(shard, &tx), Err(DevnetError::Duplicate(_))));
    }
    for (shard, tx) in out_a.lock().unwrap().drain(..) {
        assert!(
            matches!(a.accept_forwarded(shard, &tx), Err(DevnetError::Rejected(_))),
            "a does not own {shard:?}"
        );
        b.accept_forwarded(shard, &tx).unwrap();
    }
    for _ in 0..3 {
        exchange(&a, &b);
        whole.produce_slot().unwrap();
        assert_eq!(roots(&a), roots(&whole), "the network and one node disagree");
    }
    assert_eq!(a.matrix(1).unwrap(), whole.matrix(1).unwrap());
    assert_eq!(a.matrix(1).unwrap()[0][2], 100);
    assert_eq!(b.matrix(1).unwrap()[3][1], 400);
    // Committed on both nodes: no longer pending where they were forwarded from.
    for tx in &txs {
        let hash = hex::encode(ee_host::exec::tx_hash(
            ShardId(tx.shard),
            &ShardTransaction { ee_id: ee_sdk::EeId(1), data: hex::decode(&tx.data).unwrap() },
        ));
        for node in [&a, &b] {
            assert!(!node.is_pending(&hash).unwrap());
            assert_eq!(node.transaction_location(&hash).unwrap().shard, tx.shard);
        }
    }
}

#[test]
fn bad_foreign_blocks_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (open(dir.path(), "a"), open(dir.path(), "b"));
    join(&a, &[0, 1]);
    join(&b, &[2, 3]);
    b.submit(&transfer(2, 300, 0)).unwrap();
    let own_b = b.produce_owned().unwrap();
    let good: Vec<ShardBlock> = own_b.blocks().cloned().collect();
    let before = roots(&a);
    let refused = |block: ShardBlock, why: &str| match a.validate_foreign(block) {
        Err(DevnetError::Rejected(e)) => assert!(e.contains(why), "{e}"),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("accepted a block {why}"),
    };
    let mut tampered = good[0].clone();
    *tampered.witness.last_mut().unwrap() ^= 1;
    refused(tampered, "witness");
    let mut no_meta = good[0].clone();
    no_meta.transactions.pop();
    refused(no_meta, "meta-EE");
    let mut later = good[0].clone();
    later.slot += 1;
    refused(later, "slot 1");
    let mut nowhere = good[0].clone();
    nowhere.shard = ShardId(9);
    refused(nowhere, "shard 9");
    assert_eq!(roots(&a), before, "refusals change nothing");
    // Two blocks of one shard in a slot: refused, nothing committed.
    let twice =
        vec![a.validate_foreign(good[0].clone()).unwrap(), a.validate_foreign(good[0].clone()).unwrap()];
    assert!(matches!(a.commit_network_slot(None, twice), Err(DevnetError::Rejected(_))));
    assert_eq!(a.next_slot().unwrap(), 0);
    // The valid ones commit; b's shards change, a's own (no block) keep their roots.
    let valid: Vec<ForeignBlock> = good.iter().map(|blk| a.validate_foreign(blk.clone()).unwrap()).collect();
    let slot = a.commit_network_slot(None, valid).unwrap();
    assert_eq!((slot.foreign.clone(), slot.absent.clone()), (vec![2, 3], vec![0, 1]));
    let after = roots(&a);
    assert_eq!(after[..2], before[..2]);
    assert_ne!(after[2], before[2]);
    // b's blocks were produced but another version of the slot won: its transfer goes
    // back to its mempool (none of b's blocks was committed on b).
    b.requeue(own_b).unwrap();
    assert_eq!(b.head().unwrap().pending[2], 1);
}

#[test]
fn own_transactions_taken_back_from_the_peers_run_once() {
    let dir = tempfile::tempdir().unwrap();
    let b = open(dir.path(), "b");
    join(&b, &[2, 3]);
    b.submit(&transfer(2, 300, 0)).unwrap();
    let own = b.produce_owned().unwrap();
    let blocks: Vec<ShardBlock> = own.blocks().cloned().collect();
    assert_eq!(blocks[0].transactions.len(), 2, "the transfer and the meta-EE's");
    // Cut off while collecting: the transfer goes back to the mempool …
    b.requeue(own).unwrap();
    assert_eq!(b.head().unwrap().pending[2], 1);
    // … but the others had its block and committed it; b takes their version.
    let theirs: Vec<ForeignBlock> = blocks.into_iter().map(|blk| b.validate_foreign(blk).unwrap()).collect();
    b.commit_network_slot(None, theirs).unwrap();
    assert_eq!(b.head().unwrap().pending[2], 0, "committed: out of the mempool");
    let next = b.produce_owned().unwrap();
    assert!(next.blocks().all(|blk| blk.transactions.len() == 1), "nothing runs twice");
    b.commit_network_slot(Some(next), Vec::new()).unwrap();
    assert_eq!(b.matrix(1).unwrap()[2][0], 300);
}

/// Deployments and deposits on a network: the accepting node announces them, the others
/// take them from gossip, and every node applies them at the start of the same slot, in
/// the same order — a deployment that lost its id to another is refused on both. Late,
/// repeated or forged operations are refused and change nothing.
#[test]
fn beacon_operations_apply_at_the_same_slot_on_every_node() {
    use ee_client::NewExecutionScript;
    use ee_client::keys::dev_key;
    use ee_sdk::codec::Encode;
    use ee_sdk::{DepositData, EeId};
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (open(dir.path(), "a"), open(dir.path(), "b"));
    let (_, from_a) = join_announcing(&a, &[0, 1]);
    let (_, from_b) = join_announcing(&b, &[2, 3]);
    exchange(&a, &b);
    let code = std::fs::read(ee_integration::ees_dir().join("transfer_ee.wasm")).unwrap();
    let proof = std::fs::read(ee_integration::ees_dir().join("proof_ee.wasm")).unwrap();
    let open_slot = a.head().unwrap().slot;
    let next_id = a.ees().unwrap().iter().filter(|e| e.role != "meta").map(|e| e.id).max().unwrap() + 1;
    // The same id claimed by two nodes at once: a's transfer EE, b's proof EE.
    let on_a = a.deploy(&NewExecutionScript::signed(0, open_slot, code, &dev_key(0)).encode(), true).unwrap();
    let on_b =
        b.deploy(&NewExecutionScript::signed(0, open_slot, proof, &dev_key(0)).encode(), true).unwrap();
    for r in [&on_a, &on_b] {
        assert_eq!(
            (r.ee, r.applied, r.activation_slot),
            (next_id, false, Some(open_slot + OP_LEAD)),
            "{r:?}"
        );
    }
    assert!(a.ee(next_id).is_err(), "not registered before its slot");
    let receipt = vhee::client::Keypair::from_secret(dev_key(1)).deposit(
        1,
        ShardId(0),
        DepositData { ee: ee_devnet::VHEE_EE, portion: EeId(0), amount: 500_000_000 },
    );
    let deposited = b.deposit(&receipt.encode()).unwrap();
    assert_eq!(deposited.activation_slot, Some(open_slot + OP_LEAD));
    assert!(a.deposits().unwrap().is_empty() && b.deposits().unwrap().is_empty());
    // Gossip: each takes the other's; a second delivery is a duplicate.
    let (ops_a, ops_b) = (from_a.lock().unwrap().clone(), from_b.lock().unwrap().clone());
    assert_eq!((ops_a.len(), ops_b.len()), (1, 2));
    for op in &ops_b {
        a.accept_beacon_op(op.clone()).unwrap();
        assert!(matches!(a.accept_beacon_op(op.clone()), Err(DevnetError::Duplicate(_))));
    }
    b.accept_beacon_op(ops_a[0].clone()).unwrap();
    // Refused at once: an operation for a slot already open, and one whose signature
    // does not hold.
    let late = BeaconOp { slot: open_slot, ..ops_a[0].clone() };
    assert!(matches!(a.accept_beacon_op(late), Err(DevnetError::Rejected(_))));
    let BeaconOpKind::Deploy { mut script, ee } = ops_a[0].kind.clone() else { panic!("a deployment") };
    *script.last_mut().unwrap() ^= 1;
    let forged = BeaconOp { slot: open_slot + 1, kind: BeaconOpKind::Deploy { script, ee } };
    assert!(matches!(a.accept_beacon_op(forged), Err(DevnetError::BadSignature)));
    // Signed, but not by the genesis validator it names.
    let stranger = ee_client::SecretKey::from_seed(b"not a validator");
    let script =
        NewExecutionScript::signed(0, open_slot, vec![0, 97, 115, 109, 1, 0, 0, 0], &stranger).encode();
    let strange = BeaconOp { slot: open_slot + 1, kind: BeaconOpKind::Deploy { script, ee } };
    assert!(matches!(a.accept_beacon_op(strange), Err(DevnetError::SenderKey(0))));
    let digest = a.beacon_digest().unwrap();
    for slot in open_slot..=open_slot + OP_LEAD {
        let (na, nb) = (a.apply_beacon_ops(slot, None).unwrap(), b.apply_beacon_ops(slot, None).unwrap());
        assert_eq!(na, nb, "slot {slot}");
        if slot < open_slot + OP_LEAD {
            assert_eq!((na, a.beacon_digest().unwrap()), (0, digest), "nothing before the slot");
        } else {
            // The deposit and one of the two deployments; the other lost its id.
            assert_eq!(na, 2);
        }
        exchange(&a, &b);
    }
    assert_eq!(a.beacon_digest().unwrap(), b.beacon_digest().unwrap());
    assert_ne!(a.beacon_digest().unwrap(), digest);
    let (ea, eb) = (a.ee(next_id).unwrap(), b.ee(next_id).unwrap());
    assert_eq!(ea, eb);
    assert!([&on_a.code_hash, &on_b.code_hash].contains(&&ea.code_hash));
    assert_eq!(ea.registered_at, open_slot + OP_LEAD);
    assert!(a.ee(next_id + 1).is_err(), "the loser got no other id");
    // The deployment whose operation hash is lower came first.
    let deploys: Vec<&BeaconOp> =
        ops_a.iter().chain(&ops_b).filter(|o| matches!(o.kind, BeaconOpKind::Deploy { .. })).collect();
    let first = deploys.iter().min_by_key(|o| o.hash()).unwrap();
    let expected = if std::ptr::eq(*first, &ops_a[0]) { &on_a.code_hash } else { &on_b.code_hash };
    assert_eq!(&ea.code_hash, expected);
    assert_eq!(ea.deployer, Some(0));
    assert_eq!(a.deposits().unwrap(), b.deposits().unwrap());
    assert_eq!(a.deposits().unwrap()[0].slot, open_slot + OP_LEAD);
    for v in 0..2 {
        assert_eq!(a.validator(v).unwrap(), b.validator(v).unwrap(), "validator {v}");
    }
    // A peer catching the slot up gets the operations applied with it.
    let served = a.slot_blocks(open_slot + OP_LEAD).unwrap().unwrap();
    assert_eq!(served.ops.len(), 2, "the two applied (the refused one is refused everywhere)");
    assert_eq!(a.recorded_beacon_ops(open_slot + OP_LEAD).unwrap(), Some(served.ops.clone()));
}
