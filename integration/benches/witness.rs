//! Witness generation and verification at 64 shards, the key-layout comparison, and the
//! host sha256 against the pure-wasm fallback.
//!
//! * `generate/full_column/{k}`: one block's foreign witness when `k` net-outgoing EEs each
//!   prove their full column (their cells on all 63 other shards) — seed 001's case.
//! * `generate/partial/{k}`: the typical case with partial proofs: `k` EEs, one cell each
//!   from one foreign shard.
//! * `verify/…`: checking those witnesses as a stateless validator does.
//!
//! Then prints the bytes per EE of both cases, the same for the column-major and hashed
//! key layouts, and the gas and time of verifying a 16-leaf proof inside wasm with the
//! host's sha256 and with sha256 compiled into the EE.
use criterion::{BenchmarkId, Criterion};
use ee_host::abi::Role;
use ee_host::exec::{BlockExecutor, ExecConfig, StatefulSource};
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::state::keys::cell_value;
use ee_host::state::witness::verify;
use ee_host::state::{EeEntry, KeyLayout, ShardState, StateKey};
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, ShardId, ShardProof, ShardTransaction};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Instant;

const SHARDS: u32 = 64;
const EES: u32 = 1024;
/// Columns (besides its own) in which each EE has a cell on each shard.
const FILL: u32 = 4;

/// A shard's tree: every EE's own cell plus `FILL` pseudo-random other columns.
fn shard(s: u32, layout: KeyLayout, columns: u32) -> ShardState {
    let mut tree = ShardState::new(ShardId(s), layout);
    let mut writes = BTreeMap::new();
    for ee in 0..EES {
        writes.insert(
            StateKey::Balance { column: ShardId(s % columns), ee: EeId(ee) },
            cell_value(1_000 + i64::from(ee)),
        );
        for k in 0..FILL {
            let column = (ee.wrapping_mul(2_654_435_761) >> 7).wrapping_add(k * 17 + s) % columns;
            writes.insert(
                StateKey::Balance { column: ShardId(column), ee: EeId(ee) },
                cell_value(1 + i64::from(k)),
            );
        }
    }
    tree.apply(&writes).unwrap();
    tree
}

fn column_keys(ees: u32, column: u32) -> BTreeSet<StateKey> {
    (0..ees)
        .map(|i| StateKey::Balance { column: ShardId(column), ee: EeId(i * (EES / ees.max(1))) })
        .collect()
}

/// Foreign proofs of column 0 for `ees` EEs from `from` shards (1..=from).
fn witness(shards: &[ShardState], ees: u32, from: u32) -> Vec<ShardProof> {
    let keys = column_keys(ees, 0);
    shards[1..=from as usize].iter().map(|t| t.prove(&keys).unwrap().unwrap()).collect()
}

fn verify_all(shards: &[ShardState], proofs: &[ShardProof]) {
    for p in proofs {
        verify(p, &shards[p.shard.0 as usize].root()).unwrap();
    }
}

fn bytes(proofs: &[ShardProof]) -> usize {
    proofs.encode().len()
}

fn main() {
    let started = Instant::now();
    let shards: Vec<ShardState> = (0..SHARDS).map(|s| shard(s, KeyLayout::ColumnMajor, SHARDS)).collect();
    eprintln!("built {SHARDS} shard trees ({} leaves each) in {:.1?}", EES * (FILL + 1), started.elapsed());

    let mut c = Criterion::default().configure_from_args().sample_size(10);
    let mut g = c.benchmark_group("witness");
    for k in [1u32, 16] {
        g.bench_with_input(BenchmarkId::new("generate/full_column", k), &k, |b, &k| {
            b.iter(|| witness(&shards, k, SHARDS - 1))
        });
        let full = witness(&shards, k, SHARDS - 1);
        g.bench_with_input(BenchmarkId::new("verify/full_column", k), &full, |b, p| {
            b.iter(|| verify_all(&shards, p))
        });
    }
    for k in [1u32, 16] {
        g.bench_with_input(BenchmarkId::new("generate/partial", k), &k, |b, &k| {
            b.iter(|| witness(&shards, k, 1))
        });
        let partial = witness(&shards, k, 1);
        g.bench_with_input(BenchmarkId::new("verify/partial", k), &partial, |b, p| {
            b.iter(|| verify_all(&shards, p))
        });
    }
    g.finish();

    println!(
        "\nforeign witness bytes, {SHARDS} shards × {EES} EEs ({} leaves per shard tree)",
        EES * (FILL + 1)
    );
    println!("{:<44} {:>10} {:>10}", "case", "bytes", "per EE");
    for k in [1u32, 16, 128] {
        let full = bytes(&witness(&shards, k, SHARDS - 1));
        println!(
            "{:<44} {:>10} {:>10}",
            format!("full column proof, {k} EEs × 63 shards"),
            full,
            full / k as usize
        );
    }
    for k in [1u32, 16, 128] {
        let partial = bytes(&witness(&shards, k, 1));
        println!(
            "{:<44} {:>10} {:>10}",
            format!("partial proof, {k} EEs × 1 shard"),
            partial,
            partial / k as usize
        );
    }

    // Layouts: one tree of 16 columns × 1024 EEs, proving k cells of one column.
    println!("\nkey layouts: one tree, 16 columns × {EES} EEs, k cells of one column");
    println!("{:<14} {:>6} {:>10} {:>10} {:>14}", "layout", "k", "bytes", "per cell", "tree nodes");
    for layout in [KeyLayout::ColumnMajor, KeyLayout::Hashed, KeyLayout::EeMajor] {
        let tree = shard(0, layout, 16);
        for k in [1u32, 16, 128] {
            let p = tree.prove(&column_keys(k, 3)).unwrap().unwrap();
            let b = p.encode().len();
            println!(
                "{:<14} {:>6} {:>10} {:>10} {:>14}",
                format!("{layout:?}"),
                k,
                b,
                b / k as usize,
                tree.tree().store().branch_count()
            );
        }
    }

    sha256_comparison();
}

/// Gas and time of one 16-leaf proof verified inside wasm: host sha256 vs pure wasm.
fn sha256_comparison() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/ees");
    let tree = shard(0, KeyLayout::ColumnMajor, 16);
    let p = tree.prove(&column_keys(16, 3)).unwrap().unwrap();
    let data = proof_ee::ProofCheck { root: tree.root(), proof: p.proof, leaves: p.leaves }.encode();
    println!("\nverifying a 16-leaf proof ({} bytes) inside an EE", data.len());
    println!("{:<14} {:<26} {:>12} {:>12} {:>10}", "engine", "hashing", "gas", "of it host", "exec µs");
    for &engine in EngineKind::all() {
        for (wasm, label) in
            [("proof_ee", "host sha256 (metered)"), ("proof_ee_pure", "sha256 compiled to wasm")]
        {
            let code = std::fs::read(dir.join(format!("{wasm}.wasm")))
                .unwrap_or_else(|e| panic!("{wasm}.wasm ({e}): run scripts/build-ees.sh"));
            let mut world = ee_host::state::World::new(1, KeyLayout::ColumnMajor).unwrap();
            world.register(EeEntry::new(EeId(1), wasm, Role::Ee, code.into())).unwrap();
            let cfg = ExecConfig::default();
            let rt = Runtime::new(engine, cfg.costs.clone(), cfg.limits.clone());
            let mut best = (u64::MAX, 0, 0);
            for _ in 0..5 {
                let mut source = StatefulSource::new(&world, ShardId(0));
                let mut exec = BlockExecutor::new(
                    &world.beacon,
                    ShardId(0),
                    0,
                    &mut source,
                    &rt,
                    &cfg.costs,
                    &cfg.limits,
                )
                .unwrap();
                let r = exec.run(&ShardTransaction { ee_id: EeId(1), data: data.clone() }).unwrap();
                assert!(r.ok(), "{:?}", r.result);
                if r.stats.execute_us < best.0 {
                    best = (r.stats.execute_us, r.gas_used, r.profile.total_gas());
                }
            }
            println!("{:<14} {:<26} {:>12} {:>12} {:>10}", engine.name(), label, best.1, best.2, best.0);
        }
    }
}
