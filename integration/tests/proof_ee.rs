//! An EE verifying sparse-Merkle multiproofs in wasm gets the host's roots, whether it
//! hashes with the host's metered sha256 or in wasm; the host function is cheaper.

use ee_host::abi::Role;
use ee_host::exec::{BlockExecutor, ExecConfig, StatefulSource, TxError, TxReport};
use ee_host::logic::HostError;
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::state::keys::cell_value;
use ee_host::state::{EeEntry, KeyLayout, ShardState, StateKey, World};
use ee_integration::built_wasm;
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, ShardId, ShardTransaction};
use proof_ee::ProofCheck;
use std::collections::{BTreeMap, BTreeSet};

/// A shard tree with 64 EEs' cells in 8 columns, and a proof of 16 cells of column 3.
fn check() -> ProofCheck {
    let mut tree = ShardState::new(ShardId(0), KeyLayout::ColumnMajor);
    let mut writes = BTreeMap::new();
    for ee in 0..64 {
        for column in 0..8 {
            writes.insert(
                StateKey::Balance { column: ShardId(column), ee: EeId(ee) },
                cell_value(1 + i64::from(ee * column)),
            );
        }
    }
    tree.apply(&writes).unwrap();
    let keys: BTreeSet<StateKey> =
        (0..16).map(|ee| StateKey::Balance { column: ShardId(3), ee: EeId(ee * 4) }).collect();
    let proof = tree.prove(&keys).unwrap().unwrap();
    ProofCheck { root: tree.root(), proof: proof.proof, leaves: proof.leaves }
}

fn run(engine: EngineKind, wasm: &str, check: &ProofCheck) -> TxReport {
    let mut world = World::new(1, KeyLayout::ColumnMajor).unwrap();
    world.register(EeEntry::new(EeId(1), wasm, Role::Ee, built_wasm(wasm))).unwrap();
    let cfg = ExecConfig::default();
    let rt = Runtime::new(engine, cfg.costs.clone(), cfg.limits.clone());
    let mut source = StatefulSource::new(&world, ShardId(0));
    let mut exec =
        BlockExecutor::new(&world.beacon, ShardId(0), 0, &mut source, &rt, &cfg.costs, &cfg.limits).unwrap();
    exec.run(&ShardTransaction { ee_id: EeId(1), data: check.encode() }).unwrap().clone()
}

#[test]
fn host_and_pure_sha256_verify_the_same_proofs_and_the_host_is_cheaper() {
    let good = check();
    let mut bad = good.clone();
    bad.leaves[5].1[0] ^= 1;
    for &engine in EngineKind::all() {
        let host = run(engine, "proof_ee", &good);
        let pure = run(engine, "proof_ee_pure", &good);
        assert!(host.ok() && pure.ok(), "{engine:?}: {:?} {:?}", host.result, pure.result);
        assert!(
            host.gas_used < pure.gas_used,
            "{engine:?}: host {} vs pure {}",
            host.gas_used,
            pure.gas_used
        );
        assert!(host.profile.entries().any(|(f, calls, _)| f.name() == "sha256" && calls > 16));
        assert!(pure.profile.entries().all(|(f, _, _)| f.name() != "sha256"));
        for wasm in ["proof_ee", "proof_ee_pure"] {
            let r = run(engine, wasm, &bad);
            assert_eq!(
                r.result,
                Err(TxError::Host(HostError::Aborted("invalid proof".into()))),
                "{engine:?} {wasm}"
            );
        }
    }
}
