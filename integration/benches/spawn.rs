//! The cost of a spawn (wasm-spawning-wasm): one call of the umbrella's counter contract
//! as a child, its module compiled (a fresh runtime each time) or taken from the cache, on
//! each engine; the parent is native so the figure is the child's. Also prints the gas a
//! spawn is charged, which is the same cached or not.
use criterion::{Criterion, criterion_group, criterion_main};
use ee_host::abi::Role;
use ee_host::exec::{BlockExecutor, ExecConfig, StatefulSource};
use ee_host::native::NativeRunner;
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::state::{EeEntry, KeyLayout, World};
use ee_integration::built_wasm;
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, ShardId, ShardTransaction};
use std::sync::Arc;

const PARENT: EeId = EeId(5);

/// Spawns the code in its data with a fixed counter call; aborts unless the child finished.
fn parent() {
    let code = ee_sdk::env::block_data();
    let call = ee_sdk::contract::ContractCall {
        caller: [7; 48],
        contract: [1; 32],
        value: 0,
        balance: 0,
        input: counter_contract::CounterCall::Add(1).encode(),
        storage: vec![(counter_contract::COUNT, [0; 32]), (counter_contract::OWNER, [0; 32])],
    };
    if ee_sdk::env::spawn(&code, &call.encode(), 0).is_err() {
        ee_sdk::env::abort("child failed");
    }
}

fn run_once(runtime: Runtime, code: &Arc<[u8]>, world: &World, cfg: &ExecConfig) -> (NativeRunner, u64) {
    let runner = NativeRunner::new().with(PARENT, parent).with_children(runtime);
    let gas = spawn(&runner, code, world, cfg);
    (runner, gas)
}

fn spawn(runner: &NativeRunner, code: &Arc<[u8]>, world: &World, cfg: &ExecConfig) -> u64 {
    let mut source = StatefulSource::new(world, ShardId(0));
    let mut exec =
        BlockExecutor::new(&world.beacon, ShardId(0), 0, &mut source, runner, &cfg.costs, &cfg.limits)
            .unwrap();
    let r = exec.run(&ShardTransaction { ee_id: PARENT, data: code.to_vec() }).unwrap();
    assert_eq!(r.result, Ok(()), "{:?}", r.result);
    r.gas_used
}

fn bench(c: &mut Criterion) {
    let code = built_wasm("counter_contract");
    let cfg = ExecConfig::default();
    let mut world = World::new(1, KeyLayout::ColumnMajor).unwrap();
    world.register(EeEntry::new(PARENT, "parent", Role::Ee, Arc::from(&[][..]))).unwrap();
    for &engine in EngineKind::all() {
        let fresh = || Runtime::new(engine, cfg.costs.clone(), cfg.limits.clone());
        let (warm, gas) = run_once(fresh(), &code, &world, &cfg);
        eprintln!(
            "spawn of counter_contract ({} B) on {}: {gas} gas per spawn (cached or not)",
            code.len(),
            engine.name()
        );
        c.bench_function(&format!("spawn/{}/uncached", engine.name()), |b| {
            b.iter(|| run_once(fresh(), &code, &world, &cfg).1)
        });
        c.bench_function(&format!("spawn/{}/cached", engine.name()), |b| {
            b.iter(|| spawn(&warm, &code, &world, &cfg))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
