//! The native test backend behaves like the wasm runtime: a panicking EE leaves nothing
//! behind, roles are enforced per call, host calls are metered.

use ee_host::abi::{HostFn, Role};
use ee_host::exec::{BlockExecutor, ExecConfig, StatefulSource, TxError};
use ee_host::limits::Limits;
use ee_host::logic::HostError;
use ee_host::native::NativeRunner;
use ee_host::state::{EeEntry, KeyLayout, StateKey, World};
use ee_integration::*;
use ee_sdk::{EeId, ShardId, ShardTransaction, env};
use std::sync::Arc;

const EE: EeId = EeId(5);

fn prints_then_panics() {
    env::print_output(b"lost");
    env::save_post_state_root(&[7; 32]);
    panic!("EE bug");
}

fn reads_outputs_without_the_meta_role() {
    let _ = env::outputs_of(EeId(1));
}

fn hashes_a_lot() {
    for _ in 0..1000 {
        env::sha256(&[0u8; 1024]);
    }
}

fn saves_root() {
    env::save_post_state_root(&[9; 32]);
    env::print_output(b"kept");
}

fn run(entry: fn(), limits: Limits) -> (Result<(), TxError>, u64, usize, World) {
    let mut world = World::new(1, KeyLayout::ColumnMajor).unwrap();
    world.register(EeEntry::new(EE, "native", Role::Ee, Arc::from(&[][..]))).unwrap();
    let runner = NativeRunner::new().with(EE, entry);
    let cfg = ExecConfig { limits, ..Default::default() };
    let (result, gas, outputs, writes) = {
        let mut source = StatefulSource::new(&world, ShardId(0));
        let mut exec =
            BlockExecutor::new(&world.beacon, ShardId(0), 0, &mut source, &runner, &cfg.costs, &cfg.limits)
                .unwrap();
        let report = exec.run(&ShardTransaction { ee_id: EE, data: vec![] }).unwrap().clone();
        let outcome = exec.finish().unwrap();
        (report.result, report.gas_used, outcome.outputs.len(), outcome.writes)
    };
    world.commit(ShardId(0), &writes).unwrap();
    (result, gas, outputs, world)
}

#[test]
fn a_panicking_native_ee_leaves_no_outputs_and_no_state_change() {
    let (result, _, outputs, world) = run(prints_then_panics, Limits::default());
    assert_eq!(result, Err(TxError::Panic("EE bug".into())));
    assert_eq!(outputs, 0);
    assert_eq!(world.ee_root(ShardId(0), EE).unwrap(), [0; 32]);

    let (result, _, outputs, world) = run(saves_root, Limits::default());
    assert_eq!(result, Ok(()));
    assert_eq!(outputs, 1);
    assert_eq!(world.shard(ShardId(0)).unwrap().get(&StateKey::EeRoot(EE)).unwrap(), [9; 32]);
}

#[test]
fn roles_are_enforced_on_every_native_call() {
    let (result, _, _, _) = run(reads_outputs_without_the_meta_role, Limits::default());
    assert_eq!(
        result,
        Err(TxError::Host(HostError::NotAllowed { function: HostFn::get_outputs_size, role: Role::Ee }))
    );
}

#[test]
fn native_host_calls_are_metered_and_bounded() {
    let per_call = ee_host::gas::CostTable::default().host_call(HostFn::sha256, 1024 + 32);
    let (result, gas, _, _) = run(hashes_a_lot, Limits::default());
    assert_eq!(result, Ok(()));
    assert_eq!(gas, 1000 * per_call, "natively only host calls are charged");
    let (result, gas, _, _) = run(hashes_a_lot, Limits { tx_gas: 10 * per_call + 1, ..Limits::default() });
    assert_eq!(result, Err(TxError::OutOfGas));
    assert_eq!(gas, 10 * per_call + 1);
}

#[test]
fn the_native_tier_runs_the_same_meta_ee_as_the_wasm_tier() {
    // Seed 000 through the native backend, checked against the same numbers as wasm.
    let mut c =
        chain(Tier::Native, 2, &[(0, vec![vec![3, 0], vec![0, 0]]), (1, vec![vec![3, 0], vec![0, 0]])]);
    let r = block(&mut c, 0, vec![transfers(0, &[(1, 1, None)]), transfers(1, &[(1, 1, None)])]);
    assert_eq!(statuses(&r), vec![ACCEPTED, ACCEPTED]);
    assert_eq!(matrix(&c, 0), vec![vec![2, 1], vec![0, 0]]);
}
