//! A network node's side of the `Node` in-process (`ee_devnet::node::network`): two nodes
//! splitting four shards exchange their blocks by hand — what the slot loop does over
//! libp2p — and must reach the same roots as one node producing every shard; foreign
//! blocks that are tampered, of another slot or a second one for a shard are refused
//! and change nothing; forwarded transactions reach the owner's mempool.
use ee_client::TxRequest;
use ee_client::tx::transfer_data;
use ee_devnet::node::{ForeignBlock, NetStats};
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

/// `node` joined to a network producing `owned`; what it forwards lands in the outbox.
fn join(node: &Node, owned: &[u32]) -> Outbox {
    let outbox: Outbox = Arc::default();
    let sink = outbox.clone();
    node.join_network(
        owned,
        "test",
        Arc::new(NetStats::default()),
        Box::new(move |shard, tx| sink.lock().unwrap().push((shard, tx.clone()))),
    )
    .unwrap();
    outbox
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
