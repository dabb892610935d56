//! Property tests of the netting through the real host logic: random matrices and random
//! outputs (valid, invalid, huge), several shards' blocks interleaved in one slot.
//!
//! After every slot: the sum over all matrices (plus the fees collected, when transactions
//! pay for gas) is unchanged; each EE's matrix total moved only by its accepted cross-EE
//! flows and the fees it paid; no real balance is negative. Every block is also
//! validated by the stateless executor from roots and witnesses alone, which must reach
//! the byte-identical post-state root with the same gas and netting decisions.

use ee_integration::*;
use ee_sdk::{EeId, NettingRules, NettingStatus, NettingVariant, ShardId, ShardTransaction};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// A transaction: (EE, transfers (amount, shard, target EE)).
type Tx = (u32, Vec<(u64, u32, Option<u32>)>);

#[derive(Debug, Clone)]
struct Workload {
    shards: u32,
    ees: u32,
    matrices: Vec<Vec<Vec<i64>>>,
    /// slots → blocks (shard, txs) → txs (ee, transfers (amount, shard, ee)).
    slots: Vec<Vec<(u32, Vec<Tx>)>>,
}

fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![8 => 0..=12u64, 1 => Just(i64::MAX as u64), 1 => Just(u64::MAX)]
}

fn workload() -> impl Strategy<Value = Workload> {
    (2u32..=4, 2u32..=4).prop_flat_map(|(shards, ees)| {
        let n = shards as usize;
        let cell =
            |diag: bool| if diag { (0i64..=20).boxed() } else { prop_oneof![0i64..=0, 0i64..=6].boxed() };
        let matrix = (0..n).map(|r| (0..n).map(|c| cell(r == c)).collect::<Vec<_>>()).collect::<Vec<_>>();
        let matrices = prop::collection::vec(matrix, ees as usize);
        let transfer = (amount(), 0..=shards, prop::option::of(0..=ees));
        let tx = (0..ees, prop::collection::vec(transfer, 0..=4));
        let block = (0..shards, prop::collection::vec(tx, 0..=3));
        let slot = prop::collection::vec(block, 1..=3).prop_map(|mut blocks| {
            let mut seen = std::collections::BTreeSet::new();
            blocks.retain(|(s, _)| seen.insert(*s));
            blocks
        });
        let slots = prop::collection::vec(slot, 1..=4);
        (Just(shards), Just(ees), matrices, slots).prop_map(|(shards, ees, matrices, slots)| Workload {
            shards,
            ees,
            matrices,
            slots,
        })
    })
}

/// Amounts and balances are multiplied by `scale` so that fees (tens of thousands of Gwei
/// per transaction at `gas_price` 1) matter without draining everything.
fn check(tier: Tier, w: &Workload, gas_price: u64, scale: i64) -> Result<(), TestCaseError> {
    check_rules(tier, w, gas_price, scale, NettingRules::default())
}

/// [`check`] under `rules`. Under `reserve` every EE gets a reserve of `4 × scale` on every
/// shard, which is also the reserve target. Under version A each block runs as its own slot (A is only safe when one shard
/// spends an EE's total at a time) and what must stay non-negative is each EE's total.
fn check_rules(
    tier: Tier,
    w: &Workload,
    gas_price: u64,
    scale: i64,
    rules: NettingRules,
) -> Result<(), TestCaseError> {
    let ees: Vec<(u32, Vec<Vec<i64>>)> = w
        .matrices
        .iter()
        .map(|m| m.iter().map(|r| r.iter().map(|v| v * scale).collect()).collect())
        .enumerate()
        .map(|(i, m)| (i as u32, m))
        .collect();
    let mut c = chain(tier, w.shards, &ees);
    c.config.limits.gas_price = gas_price;
    let mut rules = rules;
    if rules.variant == NettingVariant::Reserve {
        rules.reserve_target = 4 * scale as u64;
    }
    c.world.beacon.netting = rules;
    if rules.variant == NettingVariant::Reserve {
        for (e, _) in &ees {
            c.world.set_reserves(EeId(*e), &vec![4 * scale as u64; w.shards as usize]).unwrap();
        }
    }
    let slots: Vec<Vec<(u32, Vec<Tx>)>> = if rules.variant == NettingVariant::A {
        w.slots.iter().flatten().map(|b| vec![b.clone()]).collect()
    } else {
        w.slots.clone()
    };
    let supply = c.world.total_supply().unwrap() + c.world.fees_collected().unwrap() as i128;
    let scaled = |a: u64| if a <= 12 { a * scale as u64 } else { a };
    for slot in &slots {
        let before: Vec<i128> = (0..w.ees).map(|e| value(&c, e)).collect();
        let blocks: Vec<(ShardId, Vec<ShardTransaction>)> = slot
            .iter()
            .map(|(s, txs)| {
                let txs = txs
                    .iter()
                    .map(|(e, ts)| {
                        transfers(*e, &ts.iter().map(|&(a, sh, to)| (scaled(a), sh, to)).collect::<Vec<_>>())
                    })
                    .collect();
                (ShardId(*s), txs)
            })
            .collect();
        let roots = c.world.beacon.shard_roots.clone();
        let results = c.run_slot(blocks).unwrap();
        let validator = validator(tier, &ees);
        for r in &results {
            let v = ee_host::exec::validate_block(
                &c.world.beacon,
                &roots,
                r.pre_root,
                ee_host::state::KeyLayout::ColumnMajor,
                &r.block,
                &*validator,
                &c.config.costs,
                &c.config.limits,
            )
            .map_err(|e| TestCaseError::fail(format!("stateless validation failed: {e}")))?;
            prop_assert_eq!(v.post_root, r.post_root, "stateful and stateless post-state roots");
            prop_assert_eq!(&v.outcome.receipts, &r.outcome.receipts);
            let gas = |o: &ee_host::exec::BlockOutcome| o.txs.iter().map(|t| t.gas_used).collect::<Vec<_>>();
            prop_assert_eq!(gas(&v.outcome), gas(&r.outcome));
        }
        let mut flow: BTreeMap<u32, i128> = BTreeMap::new();
        for r in &results {
            for t in &r.outcome.txs {
                *flow.entry(t.ee.0).or_default() -= i128::from(t.fee);
            }
            let printed: usize = r.outcome.txs.iter().filter(|t| t.ee != META).map(|t| t.outputs).sum();
            prop_assert_eq!(r.outcome.receipts.len(), printed, "one receipt per output");
            for rc in r.outcome.receipts.iter().filter(|rc| rc.status == NettingStatus::Accepted) {
                let out = rc.output.unwrap();
                if out.target_ee != rc.source_ee {
                    *flow.entry(rc.source_ee.0).or_default() -= i128::from(out.amount);
                    *flow.entry(out.target_ee.0).or_default() += i128::from(out.amount);
                }
            }
        }
        let fees = c.world.fees_collected().unwrap() as i128;
        prop_assert_eq!(c.world.total_supply().unwrap() + fees, supply, "matrices plus fees are conserved");
        for e in 0..w.ees {
            let after = value(&c, e);
            prop_assert_eq!(after - before[e as usize], flow.get(&e).copied().unwrap_or(0), "EE {} total", e);
            if rules.variant == NettingVariant::A {
                prop_assert!(after >= 0, "EE {} total {} < 0", e, after);
                continue;
            }
            for s in 0..w.shards {
                let real = c.world.real_balance(ShardId(s), EeId(e)).unwrap();
                prop_assert!(real >= 0, "real_balance({}, {}) = {} < 0", s, e, real);
            }
        }
    }
    Ok(())
}

fn validator(tier: Tier, ees: &[(u32, Vec<Vec<i64>>)]) -> Box<dyn ee_host::exec::EeRunner> {
    match tier {
        Tier::Native => Box::new(native_runner(&ees.iter().map(|(id, _)| *id).collect::<Vec<_>>())),
        Tier::Wasm(engine) => {
            Box::new(ee_host::runtime::Runtime::new(engine, Default::default(), Default::default()))
        }
    }
}

fn total(m: &[Vec<i64>]) -> i128 {
    m.iter().flatten().map(|&v| i128::from(v)).sum()
}

/// An EE's matrix total plus its reserves.
fn value(c: &ee_host::exec::Chain<Box<dyn ee_host::exec::EeRunner>>, e: u32) -> i128 {
    let reserves: i128 =
        (0..c.world.shard_count()).map(|s| i128::from(c.world.reserve(ShardId(s), EeId(e)).unwrap())).sum();
    total(&matrix(c, e)) + reserves
}

/// Every variant, and B and zero-capital with a fixed read order.
fn variants() -> Vec<NettingRules> {
    let mut all: Vec<NettingRules> = NettingVariant::ALL
        .iter()
        .map(|&variant| NettingRules { variant, fixed_order: None, reserve_target: 0 })
        .collect();
    all.push(NettingRules { variant: NettingVariant::B, fixed_order: Some(7), reserve_target: 0 });
    all.push(NettingRules { variant: NettingVariant::ZeroCapital, fixed_order: Some(9), reserve_target: 0 });
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, .. ProptestConfig::default() })]
    #[test]
    fn native_netting_conserves_and_never_overdraws(w in workload()) {
        check(Tier::Native, &w, 0, 1)?;
    }

    #[test]
    fn native_netting_with_fees_conserves_and_never_overdraws(w in workload()) {
        check(Tier::Native, &w, 1, 10_000)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
    #[test]
    fn native_netting_conserves_and_never_overdraws_under_every_variant(w in workload()) {
        for rules in variants() {
            check_rules(Tier::Native, &w, 0, 1, rules)?;
            check_rules(Tier::Native, &w, 1, 10_000, rules)?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]
    #[test]
    fn wasm_netting_conserves_and_never_overdraws_under_every_variant(w in workload()) {
        for rules in variants() {
            check_rules(Tier::Wasm(ee_host::runtime::EngineKind::Singlepass), &w, 1, 10_000, rules)?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]
    #[test]
    fn wasm_netting_conserves_and_never_overdraws(w in workload()) {
        check(Tier::Wasm(ee_host::runtime::EngineKind::Singlepass), &w, 0, 1)?;
        check(Tier::Wasm(ee_host::runtime::EngineKind::Singlepass), &w, 1, 10_000)?;
    }
}
