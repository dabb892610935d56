//! The netting variants through whole blocks, producer and stateless validator: adiasg's
//! fixed read order enforced by validators, zero-capital's last-slot arrivals proven
//! instead of cells, and version A's known weakness (concurrent spends of one total).
use ee_host::exec::{BlockError, Chain, EeRunner, StatelessError};
use ee_host::logic::{HostError, TxError};
use ee_host::runtime::EngineKind;
use ee_host::state::{KeyLayout, StateKey};
use ee_integration::*;
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{
    EeId, MetaTransaction, NettingRules, NettingStatus, NettingVariant, ProofOrder, Root, ShardBlock,
    ShardId, ShardProof,
};
use meta_ee::netting::fixed_order;
use std::collections::BTreeSet;

type C = Chain<Box<dyn EeRunner>>;

/// `c` netting by `rules`, without fees (EEs here spend from empty diagonals, which could
/// not pay them).
fn with_rules(mut c: C, rules: NettingRules) -> C {
    c.world.beacon.netting = rules;
    c.config.limits.gas_price = 0;
    c
}

fn validate(c: &C, roots: &[Root], pre: Root, block: &ShardBlock) -> Result<Root, StatelessError> {
    validate_against(c, roots, pre, block, &c.config.limits)
}

fn meta_of(block: &ShardBlock) -> MetaTransaction {
    MetaTransaction::decode_all(&mut &block.transactions.last().unwrap().data[..]).unwrap()
}

fn with_meta(block: &ShardBlock, meta: &MetaTransaction) -> ShardBlock {
    let mut b = block.clone();
    b.transactions.last_mut().unwrap().data = meta.encode();
    b
}

fn aborted(result: Result<Root, StatelessError>) -> String {
    match result {
        Err(StatelessError::Block(BlockError::MetaFailed {
            error: TxError::Host(HostError::Aborted(m)),
        })) => m,
        other => panic!("expected the meta-EE to abort, got {other:?}"),
    }
}

/// Proven `(shard, key)` pairs of a meta transaction's multiproof.
fn proven(meta: &MetaTransaction) -> BTreeSet<(u32, Root)> {
    let proofs = Vec::<ShardProof>::decode_all(&mut &meta.multiproof[..]).unwrap();
    proofs.iter().flat_map(|p| p.leaves.iter().map(move |(k, _)| (p.shard.0, *k))).collect()
}

fn cell_path(column: u32, ee: u32) -> Root {
    StateKey::Balance { column: ShardId(column), ee: EeId(ee) }.path(KeyLayout::ColumnMajor).into()
}

/// EE0 holds nothing on shard 0 but 10 in column 0 on each of shards 1..=3 (their
/// diagonals fund it); EE1 is empty.
fn spread(tier: Tier) -> C {
    let mut m = vec![vec![0i64; 4]; 4];
    for (r, row) in m.iter_mut().enumerate().skip(1) {
        row[0] = 10;
        row[r] = 100;
    }
    chain(tier, 4, &[(0, m), (1, vec![vec![0; 4]; 4])])
}

fn fixed_order_is_enforced(tier: Tier) {
    let c = with_rules(spread(tier), NettingRules { fixed_order: Some(5), ..NettingRules::default() });
    let roots = c.world.beacon.shard_roots.clone();
    let pre = c.world.shard(ShardId(0)).unwrap().root();
    let r = c.preview(ShardId(0), vec![transfers(0, &[(15, 1, None)])]).unwrap();
    assert_eq!(validate(&c, &roots, pre, &r.block), Ok(r.post_root), "the produced block is valid");
    assert_eq!(statuses(&r), vec![NettingStatus::Accepted], "{:?} {:?}", r.dropped, r.outcome.txs);
    let meta = meta_of(&r.block);
    assert!(meta.proof_order.is_empty(), "the producer names no order");
    // Exactly the first two rows of the derived permutation are proven (10 + 10 ≥ 15).
    let order = fixed_order(5, c.world.beacon.slot, ShardId(0), 4, EeId(0));
    let expected: BTreeSet<(u32, Root)> = order[..2].iter().map(|s| (s.0, cell_path(0, 0))).collect();
    assert_eq!(proven(&meta), expected);

    // A block naming its own order (even the same one) is refused.
    let mut named = meta.clone();
    named.proof_order = vec![ProofOrder { ee: EeId(0), shards: order.clone() }];
    assert!(
        aborted(validate(&c, &roots, pre, &with_meta(&r.block, &named))).contains("fixes the read order")
    );

    // A block proving a cell the order did not reach is refused: seen must be processed.
    let mut extra = meta.clone();
    let keys = BTreeSet::from([StateKey::Balance { column: ShardId(0), ee: EeId(0) }]);
    let mut proofs = Vec::<ShardProof>::decode_all(&mut &meta.multiproof[..]).unwrap();
    proofs.push(c.world.shard(order[2]).unwrap().prove(&keys).unwrap().unwrap());
    proofs.sort_by_key(|p| p.shard);
    extra.multiproof = proofs.encode();
    assert!(aborted(validate(&c, &roots, pre, &with_meta(&r.block, &extra))).contains("did not reach"));

    // Nothing of it changed the state.
    assert_eq!(c.world.beacon.shard_roots, roots);
}

#[test]
fn a_fixed_read_order_is_enforced_by_validators_native() {
    fixed_order_is_enforced(Tier::Native);
}

#[test]
fn a_fixed_read_order_is_enforced_by_validators_wasm() {
    fixed_order_is_enforced(Tier::Wasm(EngineKind::Singlepass));
}

#[test]
fn without_a_fixed_order_the_producer_reads_the_largest_cells_first() {
    let mut m = vec![vec![0i64; 4]; 4];
    for (r, v) in [(1, 2), (2, 9), (3, 5)] {
        m[r][0] = v;
        m[r][r] = 100;
    }
    let c = with_rules(chain(Tier::Native, 4, &[(0, m), (1, vec![vec![0; 4]; 4])]), NettingRules::default());
    let r = c.preview(ShardId(0), vec![transfers(0, &[(12, 1, None)])]).unwrap();
    let meta = meta_of(&r.block);
    assert_eq!(
        meta.proof_order,
        vec![ProofOrder { ee: EeId(0), shards: vec![ShardId(2), ShardId(3), ShardId(1)] }]
    );
    let expected: BTreeSet<(u32, Root)> = [2, 3].iter().map(|&s| (s, cell_path(0, 0))).collect();
    assert_eq!(proven(&meta), expected, "9 + 5 cover 12: two cells, not three");
}

/// Zero-capital: what shard 1 sent in slot k is proven in slot k + 1 by its arrival
/// record, not its cell, and enters the known minimum; a slot later it is no longer
/// readable as an arrival.
fn arrivals_are_proven_next_slot(tier: Tier) {
    let mut m = vec![vec![0i64; 3]; 3];
    m[1][1] = 50;
    m[2][0] = 40; // an older, larger cell the arrivals plan does not need
    m[2][2] = 10;
    let rules = NettingRules { variant: NettingVariant::ZeroCapital, ..NettingRules::default() };
    let mut c = with_rules(chain(tier, 3, &[(0, m), (1, vec![vec![0; 3]; 3])]), rules);
    // Slot 1: shard 1 sends 20 of EE0 to shard 0.
    let r = block(&mut c, 1, vec![transfers(0, &[(20, 0, None)])]);
    assert_eq!(statuses(&r), vec![NettingStatus::Accepted]);
    // Slot 2: shard 0 spends 15 against that arrival.
    let roots = c.world.beacon.shard_roots.clone();
    let pre = c.world.shard(ShardId(0)).unwrap().root();
    let r = c.preview(ShardId(0), vec![transfers(0, &[(15, 2, None)])]).unwrap();
    assert_eq!(validate(&c, &roots, pre, &r.block), Ok(r.post_root));
    assert_eq!(statuses(&r), vec![NettingStatus::Accepted]);
    let recent: Root =
        StateKey::Recent { column: ShardId(0), ee: EeId(0) }.path(KeyLayout::ColumnMajor).into();
    assert_eq!(proven(&meta_of(&r.block)), BTreeSet::from([(1, recent)]), "the arrival, not a cell");
    c.run_slot(vec![(ShardId(0), vec![transfers(0, &[(15, 2, None)])])]).unwrap();
    assert_eq!(
        ee_host::state::keys::value_u64(
            &c.world.shard(ShardId(0)).unwrap().get(&StateKey::KnownMin(EeId(0))).unwrap()
        ),
        20
    );
    // Slot 3: 5 more are covered by the known minimum alone; slot 4: 30 more need whole
    // cells (the arrival is two slots old now).
    let r = block(&mut c, 0, vec![transfers(0, &[(5, 2, None)])]);
    assert_eq!(statuses(&r), vec![NettingStatus::Accepted]);
    assert_eq!(r.witness.foreign_bytes, 0);
    let r = block(&mut c, 0, vec![transfers(0, &[(30, 2, None)])]);
    assert_eq!(statuses(&r), vec![NettingStatus::Accepted]);
    let cells = proven(&meta_of(&r.block));
    assert!(cells.contains(&(2, cell_path(0, 0))) && !cells.iter().any(|(_, k)| *k == recent), "{cells:?}");
    assert_eq!(c.world.real_balance(ShardId(0), EeId(0)).unwrap(), 10);
}

#[test]
fn zero_capital_proves_last_slot_arrivals_native() {
    arrivals_are_proven_next_slot(Tier::Native);
}

#[test]
fn zero_capital_proves_last_slot_arrivals_wasm() {
    arrivals_are_proven_next_slot(Tier::Wasm(EngineKind::Singlepass));
}

#[test]
fn version_a_concurrent_spends_can_overdraw_the_total() {
    // EE0's whole value, 10, sits on shard 0. In one slot shard 0 and shard 1 each pay
    // EE1 10: each block sees the slot-start total (10) and accepts.
    let setup = |variant| {
        let rules = NettingRules { variant, ..NettingRules::default() };
        with_rules(
            chain(Tier::Native, 2, &[(0, vec![vec![10, 0], vec![0, 0]]), (1, vec![vec![0; 2]; 2])]),
            rules,
        )
    };
    let slot = || {
        vec![
            (ShardId(0), vec![transfers(0, &[(10, 0, Some(1))])]),
            (ShardId(1), vec![transfers(0, &[(10, 1, Some(1))])]),
        ]
    };
    let mut a = setup(NettingVariant::A);
    let supply = a.world.total_supply().unwrap();
    let results = a.run_slot(slot()).unwrap();
    assert!(results.iter().all(|r| statuses(r) == vec![NettingStatus::Accepted]));
    let total: i128 = a.world.matrix(EeId(0)).unwrap().iter().flatten().map(|&v| i128::from(v)).sum();
    assert_eq!(total, -10, "version A overdrew EE0's total under concurrency");
    assert_eq!(a.world.total_supply().unwrap(), supply, "yet the sum is conserved");
    // Version B refuses shard 1's payment: its column holds nothing.
    let mut b = setup(NettingVariant::B);
    let results = b.run_slot(slot()).unwrap();
    assert_eq!(statuses(&results[0]), vec![NettingStatus::Accepted]);
    assert_eq!(
        statuses(&results[1]),
        vec![NettingStatus::Rejected(ee_sdk::RejectReason::InsufficientBalance)]
    );
}

#[test]
fn reserves_are_refused_at_genesis_without_the_reserve_variant() {
    let spec = ee_host::genesis::GenesisSpec::new(2).ee(ee_host::genesis::GenesisEe::new(
        EeId(0),
        "EE0",
        std::sync::Arc::from(&[][..]),
    )
    .with_reserves(vec![1, 1]));
    assert!(matches!(spec.build(), Err(ee_host::genesis::GenesisError::ReservesWithoutVariant(0))));
    let reserve = NettingRules { variant: NettingVariant::Reserve, reserve_target: 1, fixed_order: None };
    let world = spec.netting(reserve).build().unwrap();
    assert_eq!(world.real_balance(ShardId(1), EeId(0)).unwrap(), 1, "a reserve is part of the real balance");
    assert_eq!(world.total_supply().unwrap(), 2);
}
