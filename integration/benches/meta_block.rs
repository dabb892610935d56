//! One shard block whose meta-EE nets 10,000 outputs (20 EEs × 500 transfers, a mix of
//! same-EE cross-shard, cross-EE same-shard and cross-EE cross-shard), run three ways:
//! the built, chiselled meta-EE on wasmer singlepass and cranelift (metered), and the same
//! meta-EE crate compiled natively through the native backend (same host logic).
//!
//! Prints criterion's statistics, then a summary with the wasm/native ratios (metered, and
//! with every instruction priced at zero so that no metering code is compiled: the
//! metering's own share) and the meta-EE's size before and after chisel.
use criterion::Criterion;
use ee_host::abi::Role;
use ee_host::exec::{Chain, EeRunner, ExecConfig};
use ee_host::gas::OperatorCosts;
use ee_host::native::NativeRunner;
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::state::{EeEntry, KeyLayout, World};
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, ShardId, ShardTransaction, Transfer};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SHARDS: u32 = 4;
const EES: u32 = 20;
const PER_EE: u32 = 500;
const META: EeId = ee_sdk::META_EE;

fn ees_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/ees")
}

fn read(name: &str) -> Arc<[u8]> {
    let p = ees_dir().join(format!("{name}.wasm"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{} ({e}): run scripts/build-ees.sh", p.display())).into()
}

/// The world before the block; `wasm` selects code for the wasm runtime.
fn world(wasm: bool) -> World {
    let code = |n: &str| if wasm { read(n) } else { Arc::from(&[][..]) };
    let mut w = World::new(SHARDS, KeyLayout::ColumnMajor).unwrap();
    for e in 0..EES {
        w.register(EeEntry::new(EeId(e), format!("EE{e}"), Role::Ee, code("transfer_ee"))).unwrap();
    }
    w.register(EeEntry::new(META, "meta", Role::Meta, code("meta_ee"))).unwrap();
    for e in 0..EES {
        let mut m = vec![vec![0i64; SHARDS as usize]; SHARDS as usize];
        m[0][0] = 1_000_000;
        w.set_matrix(EeId(e), &m).unwrap();
    }
    w
}

fn transactions() -> Vec<ShardTransaction> {
    (0..EES)
        .map(|e| {
            let ts: Vec<Transfer> = (0..PER_EE)
                .map(|i| Transfer {
                    amount: 1 + u64::from(i % 7),
                    shard: ShardId(i % SHARDS),
                    ee: if i % 3 == 0 { None } else { Some(EeId((e + 1 + i) % EES)) },
                })
                .map(|mut t| {
                    if t.shard == ShardId(0) && t.ee.is_none() {
                        t.shard = ShardId(1);
                    }
                    t
                })
                .collect();
            ShardTransaction { ee_id: EeId(e), data: ts.encode() }
        })
        .collect()
}

/// Runs the block once on `world`; returns the whole block's and the meta-EE
/// transaction's wall time, and the meta-EE's (total, host-call) gas.
fn run_block<R: EeRunner>(runner: R, world: World) -> (Duration, Duration, (u64, u64)) {
    let mut chain = Chain::new(world, runner, ExecConfig::default());
    let started = Instant::now();
    let r = chain.run_slot(vec![(ShardId(0), transactions())]).unwrap().pop().unwrap();
    let block = started.elapsed();
    let meta = r.outcome.txs.last().unwrap();
    assert!(meta.ok(), "{:?}", meta.result);
    assert_eq!(r.outcome.receipts.len(), (EES * PER_EE) as usize);
    (block, Duration::from_micros(meta.stats.execute_us), (meta.gas_used, meta.profile.total_gas()))
}

fn native() -> NativeRunner {
    let mut r = NativeRunner::new().with(META, meta_ee::ee_main);
    for e in 0..EES {
        r.insert(EeId(e), transfer_ee::ee_main);
    }
    r
}

/// A runtime for `engine`; `metered: false` prices every instruction at zero, so the
/// instrumenting rewrite writes no metering code at all (the row that shows what the
/// metering itself costs; host calls are still charged).
fn wasm(engine: EngineKind, metered: bool) -> Runtime {
    let config = ExecConfig::default();
    let mut costs = (*config.costs).clone();
    if !metered {
        costs.operators = OperatorCosts {
            constant: 0,
            local: 0,
            global: 0,
            arithmetic: 0,
            multiply: 0,
            divide: 0,
            load: 0,
            store: 0,
            branch: 0,
            call: 0,
            call_indirect: 0,
            memory_size: 0,
            memory_grow: 0,
        };
    }
    let rt = Runtime::new(engine, Arc::new(costs), config.limits.clone());
    // Warm the module cache so the block measures execution, not compilation.
    rt.load(&read("meta_ee"), Role::Meta).unwrap();
    rt.load(&read("transfer_ee"), Role::Ee).unwrap();
    rt
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut c = Criterion::default().configure_from_args().sample_size(10);
    let mut g = c.benchmark_group("meta_block_10k_outputs");
    let batch = criterion::BatchSize::SmallInput;
    g.bench_function("native", |b| b.iter_batched(|| world(false), |w| run_block(native(), w), batch));
    for &engine in EngineKind::all() {
        let rt = wasm(engine, true);
        g.bench_function(format!("wasm_{}", engine.name()), |b| {
            b.iter_batched(|| world(true), |w| run_block(&rt, w), batch)
        });
    }
    g.finish();

    // Summary: medians of 31 runs of the meta-EE transaction alone and of the whole block.
    let runs = 31;
    let mut rows = Vec::new();
    let (mut nb, mut nm) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (b, m, _) = run_block(native(), world(false));
        nb.push(b);
        nm.push(m);
    }
    let (native_block, native_meta) = (median(nb), median(nm));
    let native_gas = run_block(native(), world(false)).2;
    rows.push(("native (host gas only)".to_string(), native_block, native_meta, native_gas));
    for &engine in EngineKind::all() {
        for metered in [true, false] {
            let rt = wasm(engine, metered);
            let (mut b, mut m, mut gas) = (Vec::new(), Vec::new(), (0, 0));
            for _ in 0..runs {
                let (x, y, g) = run_block(&rt, world(true));
                b.push(x);
                m.push(y);
                gas = g;
            }
            let how = if metered { "metered" } else { "unmetered" };
            rows.push((format!("wasm {} ({how})", engine.name()), median(b), median(m), gas));
        }
    }
    println!("\nmeta-EE block, {} netting outputs ({EES} EEs × {PER_EE}), {SHARDS} shards", EES * PER_EE);
    println!(
        "{:<28} {:>10} {:>11} {:>8} {:>8} {:>12} {:>12}",
        "runner", "block ms", "meta-EE ms", "block×", "meta×", "meta gas", "of it host"
    );
    for (name, block, meta, (gas, host)) in &rows {
        println!(
            "{:<28} {:>10.2} {:>11.2} {:>8.2} {:>8.2} {:>12} {:>12}",
            name,
            block.as_secs_f64() * 1e3,
            meta.as_secs_f64() * 1e3,
            block.as_secs_f64() / native_block.as_secs_f64(),
            meta.as_secs_f64() / native_meta.as_secs_f64(),
            gas,
            host
        );
    }
    let raw = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32v1-none/ee/meta_ee.plain.wasm");
    let size = |p: &PathBuf| std::fs::metadata(p).map(|m| m.len().to_string()).unwrap_or_else(|_| "?".into());
    println!(
        "meta-EE wasm: {} bytes built, {} bytes after chisel",
        size(&raw),
        size(&ees_dir().join("meta_ee.wasm"))
    );
}
