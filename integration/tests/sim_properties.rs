//! Random simulations (seed, shape, mix) through the real host logic: the stateful
//! producer and the stateless validator agree on every block, the sum over all matrices is
//! conserved, no real balance goes negative, and the workload's ledger equals the state.
use ee_host::native::NativeRunner;
use ee_host::sim::{self, Mix, SimCode, SimConfig};
use ee_sdk::EeId;
use proptest::prelude::*;
use std::sync::Arc;

fn runner(ees: u32) -> NativeRunner {
    let mut r = NativeRunner::new().with(sim::META_EE, meta_ee::ee_main);
    for e in 0..ees {
        r.insert(EeId(e), transfer_ee::ee_main);
    }
    r
}

fn config() -> impl Strategy<Value = SimConfig> {
    (
        2u32..=5,
        1u32..=8,
        1u32..=5,
        1u32..=6,
        1u32..=3,
        any::<u64>(),
        (0u32..=4, 0u32..=4, 0u32..=4),
        1i64..=1000,
    )
        .prop_filter("some weight", |(_, _, _, _, _, _, (a, b, c), _)| a + b + c > 0)
        .prop_map(|(shards, ees, slots, tx_per_block, transfers_per_tx, seed, (a, b, c), balance)| {
            SimConfig {
                shards,
                ees,
                slots,
                tx_per_block,
                transfers_per_tx,
                seed,
                mix: Mix { cross_shard: a, cross_ee: b, self_balanced: c },
                initial_balance: balance,
                ..SimConfig::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, .. ProptestConfig::default() })]
    #[test]
    fn stateful_and_stateless_agree_on_random_workloads(config in config()) {
        let code = SimCode { transfer: Arc::from(&[][..]), meta: Arc::from(&[][..]) };
        let world = sim::genesis(&config, &code).unwrap();
        let validator = runner(config.ees);
        let report = sim::run(&config, world, runner(config.ees), &validator, Default::default(), |_| ()).unwrap();
        prop_assert_eq!(report.root_mismatches, 0);
        prop_assert_eq!(report.outcome_mismatches, 0);
        prop_assert!(report.supply_conserved);
        prop_assert_eq!(report.negative_real_balances, 0);
        prop_assert!(report.ledger_matches_state);
        prop_assert_eq!(report.blocks, u64::from(config.shards * config.slots));
    }
}
