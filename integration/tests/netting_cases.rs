//! Netting cases run on every tier: natively (EE crates compiled for the host, host
//! logic real) and as the built, chiselled wasm on both wasmer engines.

use ee_integration::*;
use ee_sdk::{EeId, RejectReason, ShardId};

fn tiers() -> Vec<Tier> {
    let mut t = vec![Tier::Native];
    for &e in ee_host::runtime::EngineKind::all() {
        t.push(Tier::Wasm(e));
    }
    t
}

fn two_by_two(a: i64) -> Vec<Vec<i64>> {
    vec![vec![a, 0], vec![0, 0]]
}

#[test]
fn seed_000_example_reproduces() {
    for tier in tiers() {
        let mut c = chain(tier, 2, &[(0, two_by_two(3)), (1, two_by_two(3))]);
        let r = block(&mut c, 0, vec![transfers(0, &[(1, 1, None)]), transfers(1, &[(1, 1, None)])]);
        assert!(r.outcome.txs.iter().all(|t| t.ok()), "{tier:?}: {:?}", r.outcome.txs);
        assert_eq!(statuses(&r), vec![ACCEPTED, ACCEPTED], "{tier:?}");
        assert_eq!(matrix(&c, 0), vec![vec![2, 1], vec![0, 0]], "{tier:?}");
        assert_eq!(matrix(&c, 1), vec![vec![2, 1], vec![0, 0]], "{tier:?}");
    }
}

#[test]
fn cross_ee_same_shard_and_cross_ee_cross_shard() {
    for tier in tiers() {
        let mut c = chain(tier, 2, &[(0, two_by_two(5)), (1, two_by_two(0))]);
        // EE0 on shard 0 pays EE1 on shard 0 (2) and EE1 on shard 1 (1).
        let r = block(&mut c, 0, vec![transfers(0, &[(2, 0, Some(1)), (1, 1, Some(1))])]);
        assert_eq!(statuses(&r), vec![ACCEPTED, ACCEPTED], "{tier:?}");
        assert_eq!(matrix(&c, 0), vec![vec![2, 0], vec![0, 0]], "{tier:?}");
        assert_eq!(matrix(&c, 1), vec![vec![2, 1], vec![0, 0]], "{tier:?}");
        assert_eq!(c.world.real_balance(ShardId(1), EeId(1)).unwrap(), 1);
        assert_eq!(c.world.total_supply().unwrap(), 5);
    }
}

#[test]
fn insufficient_balance_is_skipped_reported_and_changes_nothing() {
    for tier in tiers() {
        let mut c = chain(tier, 2, &[(0, two_by_two(3)), (1, two_by_two(3))]);
        let before = (matrix(&c, 0), matrix(&c, 1));
        let r = block(&mut c, 0, vec![transfers(0, &[(4, 1, None)])]);
        assert_eq!(statuses(&r), vec![rejected(RejectReason::InsufficientBalance)], "{tier:?}");
        assert_eq!((matrix(&c, 0), matrix(&c, 1)), before, "{tier:?}");
        // A later output that fits is still applied; the latest one is the one dropped.
        let r = block(&mut c, 0, vec![transfers(0, &[(2, 1, None), (2, 1, None)])]);
        assert_eq!(statuses(&r), vec![ACCEPTED, rejected(RejectReason::InsufficientBalance)], "{tier:?}");
        assert_eq!(matrix(&c, 0), vec![vec![1, 2], vec![0, 0]], "{tier:?}");
    }
}

#[test]
fn netting_lets_incoming_cover_outgoing_in_the_same_block() {
    for tier in tiers() {
        // EE0 has nothing on shard 0 but receives 5 from EE1 in the same block.
        let mut c = chain(tier, 2, &[(0, two_by_two(0)), (1, two_by_two(5))]);
        let r = block(&mut c, 0, vec![transfers(0, &[(4, 1, None)]), transfers(1, &[(5, 0, Some(0))])]);
        assert_eq!(statuses(&r), vec![ACCEPTED, ACCEPTED], "{tier:?}");
        assert_eq!(matrix(&c, 0), vec![vec![1, 4], vec![0, 0]], "{tier:?}");
        assert_eq!(matrix(&c, 1), vec![vec![0, 0], vec![0, 0]], "{tier:?}");
    }
}

#[test]
fn rejecting_a_payer_cascades_to_the_payee() {
    for tier in tiers() {
        // EE1 cannot pay EE0; EE0 relied on that payment, so its own output fails too.
        let mut c = chain(tier, 2, &[(0, two_by_two(0)), (1, two_by_two(1))]);
        let r = block(&mut c, 0, vec![transfers(1, &[(5, 0, Some(0))]), transfers(0, &[(4, 1, None)])]);
        assert_eq!(
            statuses(&r),
            vec![rejected(RejectReason::InsufficientBalance), rejected(RejectReason::InsufficientBalance)],
            "{tier:?}"
        );
        assert_eq!(c.world.total_supply().unwrap(), 1);
    }
}

#[test]
fn malformed_targets_are_rejected_with_reasons() {
    for tier in tiers() {
        let mut c = chain(tier, 2, &[(0, two_by_two(9))]);
        let r = block(
            &mut c,
            0,
            vec![transfers(0, &[(1, 7, None), (1, 0, Some(55)), (0, 1, None), (1, 0, None), (1, 1, None)])],
        );
        assert_eq!(
            statuses(&r),
            vec![
                rejected(RejectReason::UnknownShard),
                rejected(RejectReason::UnknownEe),
                rejected(RejectReason::ZeroAmount),
                rejected(RejectReason::SelfTransfer),
                ACCEPTED,
            ],
            "{tier:?}"
        );
        assert_eq!(matrix(&c, 0), vec![vec![8, 1], vec![0, 0]], "{tier:?}");
    }
}

#[test]
fn foreign_cells_cover_a_deficit_and_are_remembered_as_known_minimum() {
    for tier in tiers() {
        // EE0's column 0: 0 on shard 0 itself, 3 sent to it earlier from shard 1.
        let mut c = chain(tier, 2, &[(0, vec![vec![0, 0], vec![3, 0]])]);
        let r = block(&mut c, 0, vec![transfers(0, &[(2, 1, None)])]);
        assert_eq!(statuses(&r), vec![ACCEPTED], "{tier:?}");
        assert_eq!(matrix(&c, 0), vec![vec![-2, 2], vec![3, 0]], "{tier:?}");
        let known =
            c.world.shard(ShardId(0)).unwrap().get(&ee_host::state::StateKey::KnownMin(EeId(0))).unwrap();
        assert_eq!(ee_host::state::keys::value_u64(&known), 3, "{tier:?}");
        // 1 left: one more spend of 1 passes without reading shard 1, a second fails.
        let r = block(&mut c, 0, vec![transfers(0, &[(1, 1, None), (1, 1, None)])]);
        assert_eq!(statuses(&r), vec![ACCEPTED, rejected(RejectReason::InsufficientBalance)], "{tier:?}");
        assert_eq!(c.world.real_balance(ShardId(0), EeId(0)).unwrap(), 0);
    }
}
