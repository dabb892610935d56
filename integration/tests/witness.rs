//! Stateless validation refuses bad witnesses with a clear error, and a validator's roots
//! stay as they were.

use ee_host::exec::{BlockResult, EeRunner, StatelessError, validate_block};
use ee_host::state::witness::decode;
use ee_host::state::{KeyLayout, StateError, StateKey};
use ee_integration::*;
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{BlockWitness, EeId, MetaTransaction, Root, ShardBlock, ShardId, ShardProof};
use std::collections::BTreeSet;

/// Shard 1 received 6 from shard 0 earlier; EE0 spends 4 on shard 1, which needs a proof
/// of shard 0's cell. Returns the chain before the block and the produced block.
fn setup() -> (ee_host::exec::Chain<Box<dyn EeRunner>>, Vec<Root>, BlockResult) {
    let mut c = chain(
        Tier::Native,
        3,
        &[(0, vec![vec![4, 6, 0], vec![0, 0, 0], vec![0, 0, 0]]), (1, vec![vec![0; 3]; 3])],
    );
    let roots = c.world.beacon.shard_roots.clone();
    let r = block(&mut c, 1, vec![transfers(0, &[(4, 2, None)])]);
    assert_eq!(statuses(&r), vec![ACCEPTED]);
    assert!(r.witness.foreign_bytes > 0, "the block carries a foreign proof");
    assert_eq!(r.witness.proven_ees, 1);
    (c, roots, r)
}

fn validate(
    c: &mut ee_host::exec::Chain<Box<dyn EeRunner>>,
    roots: &[Root],
    pre_root: Root,
    block: &ShardBlock,
) -> Result<Root, StatelessError> {
    let runner = native_runner(&[0, 1]);
    validate_block(
        &c.world.beacon,
        roots,
        pre_root,
        KeyLayout::ColumnMajor,
        block,
        &runner,
        &c.config.costs,
        &c.config.limits,
    )
    .map(|v| v.post_root)
}

fn meta_tx(block: &ShardBlock) -> MetaTransaction {
    MetaTransaction::decode_all(&mut &block.transactions.last().unwrap().data[..]).unwrap()
}

fn with_meta_tx(block: &ShardBlock, tx: &MetaTransaction) -> ShardBlock {
    let mut b = block.clone();
    b.transactions.last_mut().unwrap().data = tx.encode();
    b
}

fn with_foreign(block: &ShardBlock, proofs: &[ShardProof]) -> ShardBlock {
    let mut tx = meta_tx(block);
    tx.multiproof = proofs.encode();
    with_meta_tx(block, &tx)
}

fn foreign(block: &ShardBlock) -> Vec<ShardProof> {
    decode(&meta_tx(block).multiproof, "multiproof").unwrap()
}

fn own(block: &ShardBlock) -> ShardProof {
    decode::<BlockWitness>(&block.witness, "witness").unwrap().own.unwrap()
}

fn with_own(block: &ShardBlock, proof: ShardProof) -> ShardBlock {
    let mut b = block.clone();
    b.witness = BlockWitness { own: Some(proof), foreign: vec![] }.encode();
    b
}

#[test]
fn the_produced_block_validates_to_the_same_root() {
    let (mut c, roots, r) = setup();
    assert_eq!(validate(&mut c, &roots, r.pre_root, &r.block), Ok(r.post_root));
}

#[test]
fn bad_witnesses_are_refused_with_clear_errors() {
    let (mut c, roots, r) = setup();
    let roots_before = c.world.beacon.shard_roots.clone();
    let block = &r.block;
    let witness_err = |e: &StatelessError, needle: &str| {
        let text = e.to_string();
        assert!(text.contains(needle), "{text:?} should mention {needle:?}");
    };

    // Wrong pre-state root.
    let e = validate(&mut c, &roots, [7; 32], block).unwrap_err();
    assert!(matches!(e, StatelessError::Witness(StateError::Witness(_))), "{e}");
    witness_err(&e, "expected 0707");

    // Tampered own value (claiming a balance the tree does not have).
    let mut tampered = own(block);
    tampered.leaves[0].1[0] ^= 1;
    let b = with_own(block, tampered);
    witness_err(&validate(&mut c, &roots, r.pre_root, &b).unwrap_err(), "gives root");

    // Truncated and oversized witnesses.
    let mut b = block.clone();
    b.witness.truncate(b.witness.len() - 3);
    witness_err(&validate(&mut c, &roots, r.pre_root, &b).unwrap_err(), "does not decode");
    let mut b = block.clone();
    b.witness = vec![0; c.config.limits.witness_bytes as usize + 1];
    witness_err(&validate(&mut c, &roots, r.pre_root, &b).unwrap_err(), "exceed the limit");

    // A valid proof of another shard's tree presented as this block's witness.
    let mut other = c
        .world
        .shard(ShardId(0))
        .unwrap()
        .prove(&BTreeSet::from([StateKey::EeRoot(EeId(0))]))
        .unwrap()
        .unwrap();
    let b = with_own(block, other.clone());
    witness_err(
        &validate(&mut c, &roots, r.pre_root, &b).unwrap_err(),
        "for shard 0, the block is for shard 1",
    );
    other.shard = ShardId(1);
    let b = with_own(block, other.clone());
    witness_err(&validate(&mut c, &roots, r.pre_root, &b).unwrap_err(), "gives root");

    // Foreign proof: tampered cell, wrong shard, missing cell.
    let mut f = foreign(block);
    f[0].leaves[0].1[0] ^= 1;
    let e = validate(&mut c, &roots, r.pre_root, &with_foreign(block, &f)).unwrap_err();
    assert!(matches!(e, StatelessError::Uncovered { index: 1, .. }), "{e}");
    witness_err(&e, "gives root");

    let mut f = foreign(block);
    f[0].shard = ShardId(2);
    witness_err(
        &validate(&mut c, &roots, r.pre_root, &with_foreign(block, &f)).unwrap_err(),
        "shard 2 gives root",
    );

    let mut f = foreign(block);
    f[0].shard = ShardId(1);
    witness_err(&validate(&mut c, &roots, r.pre_root, &with_foreign(block, &f)).unwrap_err(), "own shard 1");

    let e = validate(&mut c, &roots, r.pre_root, &with_foreign(block, &[])).unwrap_err();
    assert!(
        matches!(e, StatelessError::Uncovered { error: StateError::NotInWitness { shard: 0, .. }, .. }),
        "{e}"
    );

    let mut tx = meta_tx(block);
    tx.multiproof.truncate(tx.multiproof.len() / 2);
    witness_err(
        &validate(&mut c, &roots, r.pre_root, &with_meta_tx(block, &tx)).unwrap_err(),
        "does not decode",
    );

    assert_eq!(c.world.beacon.shard_roots, roots_before, "validation never touches state");
}

#[test]
fn a_witness_missing_a_needed_own_cell_is_refused() {
    let (_, _, r) = setup();
    // The same genesis again, before the block: its shard-1 tree is the block's pre-state.
    let mut c = chain(
        Tier::Native,
        3,
        &[(0, vec![vec![4, 6, 0], vec![0, 0, 0], vec![0, 0, 0]]), (1, vec![vec![0; 3]; 3])],
    );
    let roots = c.world.beacon.shard_roots.clone();
    let pre = c.world.shard(ShardId(1)).unwrap().root();
    assert_eq!(pre, r.pre_root);
    // Every key the block could touch, except EE0's cell of column 1 on shard 1.
    let diag = StateKey::Balance { column: ShardId(1), ee: EeId(0) };
    let keys: BTreeSet<StateKey> = (0..2)
        .flat_map(|e| {
            let ee = EeId(e);
            [StateKey::EeRoot(ee), StateKey::KnownMin(ee)]
                .into_iter()
                .chain((0..3).map(move |col| StateKey::Balance { column: ShardId(col), ee }))
        })
        .filter(|k| *k != diag)
        .collect();
    let b = with_own(&r.block, c.world.shard(ShardId(1)).unwrap().prove(&keys).unwrap().unwrap());
    let e = validate(&mut c, &roots, pre, &b).unwrap_err();
    assert!(
        matches!(&e, StatelessError::Uncovered { error: StateError::NotInWitness { shard: 1, key }, .. } if *key == diag),
        "{e}"
    );
    assert!(e.to_string().contains("balances[1][0] of shard 1 is not covered"), "{e}");
}
