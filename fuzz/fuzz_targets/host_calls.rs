//! Host functions with arbitrary arguments from a fuzzed EE. The input builds a wasm
//! module (`ee_fuzz::hostgen`: every host function its role may import, called with
//! arbitrary `i32`/`i64` arguments in lines, loops and recursion) for role `ee` (run as
//! EE 0 — EE 1 is the same code, so `call_ee` re-enters it — after a printer EE's
//! transaction), `meta` (run as the meta-EE after the printer printed netting outputs)
//! or `child` (`Runtime::run_child`), with a small gas limit, in a world with funded
//! matrices, deposits and receipts. The host never panics; and singlepass and cranelift
//! give the same result, gas, host-call profile, logs, outputs and writes.
#![no_main]
use ee_fuzz::chain::{PRINTER, host_world};
use ee_fuzz::hostgen::{HostProgram, printer, program};
use ee_host::exec::block::BlockExecutor;
use ee_host::exec::source::StatefulSource;
use ee_host::state::{BeaconState, EeEntry, World};
use ee_host::{CostTable, EngineKind, Limits, Role, Runtime};
use ee_sdk::{EeId, META_EE, ShardId, ShardTransaction};
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, LazyLock, Mutex};

/// Gas of one generated transaction (a BLS verification is 1.5 M).
const GAS: u64 = 4_000_000;

struct Setup {
    world: World,
    costs: Arc<CostTable>,
    limits: Limits,
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let limits = Limits { tx_gas: GAS, meta_gas_base: GAS, meta_gas_per_output: 1_000, ..Limits::default() };
    Setup { world: host_world(printer().into()), costs: Arc::new(CostTable::default()), limits }
});

/// Runtimes by engine, with the runs each has done: replaced every `RENEW` runs, as
/// their module caches keep every module compiled.
static RUNTIMES: Mutex<Vec<(EngineKind, u32, Arc<Runtime>)>> = Mutex::new(Vec::new());
const RENEW: u32 = 256;

fn runtime(engine: EngineKind) -> Arc<Runtime> {
    let s = &*SETUP;
    let fresh = || Arc::new(Runtime::new(engine, s.costs.clone(), s.limits.clone()));
    let mut all = RUNTIMES.lock().expect("lock");
    let i = match all.iter().position(|r| r.0 == engine) {
        Some(i) => i,
        None => {
            all.push((engine, 0, fresh()));
            all.len() - 1
        }
    };
    let slot = &mut all[i];
    if slot.1 >= RENEW {
        *slot = (engine, 0, fresh());
    }
    slot.1 += 1;
    slot.2.clone()
}

/// Everything observable of one run, as text (timings left out).
fn run(p: &HostProgram, engine: EngineKind) -> Vec<String> {
    let s = &*SETUP;
    let runtime = runtime(engine);
    let code: Arc<[u8]> = p.module.clone().into();
    if p.role == Role::Child {
        return vec![format!("{:?}", runtime.run_child(&code, &p.data, GAS))];
    }
    let mut beacon: BeaconState = s.world.beacon.clone();
    let ids: &[EeId] = if p.role == Role::Meta { &[META_EE] } else { &[EeId(0), EeId(1)] };
    for id in ids {
        beacon.ees.insert(*id, EeEntry::new(*id, "fuzzed", p.role, code.clone()));
    }
    let shard = ShardId(0);
    let mut source = StatefulSource::new(&s.world, shard);
    let mut exec = BlockExecutor::new(&beacon, shard, 5, &mut source, &*runtime, &s.costs, &s.limits)
        .expect("shard 0 exists");
    let mut out = Vec::new();
    let txs = [
        ShardTransaction { ee_id: PRINTER, data: p.printed.clone() },
        ShardTransaction { ee_id: ids[0], data: p.data.clone() },
    ];
    for tx in &txs {
        match exec.run(tx) {
            Ok(r) => out.push(format!(
                "{:?} gas {} outputs {} profile {:?} logs {:?} fee {} {}",
                r.result, r.gas_used, r.outputs, r.profile, r.logs, r.fee, r.fee_covered
            )),
            Err(e) => out.push(format!("block error {e:?}")),
        }
    }
    out.push(format!("outputs {:?}", exec.outputs()));
    match exec.finish() {
        Ok(o) => {
            out.push(format!("writes {:?} receipts {:?} deposits {:?}", o.writes, o.receipts, o.deposits))
        }
        Err(e) => out.push(format!("finish {e:?}")),
    }
    out
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    // The generator reads any bytes; a few patterns that pick each role and some calls.
    let mut out = Vec::new();
    for (i, pattern) in
        [[0u8, 0, 0, 0], [1, 2, 3, 4], [3, 9, 27, 81], [4, 4, 4, 4], [255, 128, 64, 32], [7, 0, 7, 0]]
            .into_iter()
            .enumerate()
    {
        let bytes: Vec<u8> = (0..512).map(|j| pattern[j % 4].wrapping_add((j / 4) as u8)).collect();
        out.push((format!("pattern-{i}"), bytes));
    }
    out
}

fuzz_target!(init: ee_fuzz::seed_mode(seeds), |data: &[u8]| {
    let Ok(p) = program(&mut Unstructured::new(data)) else { return };
    let single = run(&p, EngineKind::Singlepass);
    let crane = run(&p, EngineKind::Cranelift);
    assert_eq!(single, crane, "singlepass and cranelift disagree on a generated EE");
});
