//! Crashes the fuzz targets found (fuzz/, `scripts/fuzz.sh`), as tests: each input that
//! failed, reduced to what it shows, and the consequence at the level the host sees it.
use ee_host::abi::Role;
use ee_host::exec::stateless::StatelessError;
use ee_host::state::smt::Sha256Hasher;
use ee_host::state::witness::verify;
use ee_host::state::{EeEntry, KeyLayout, StateKey, World};
use ee_host::{CostTable, EngineKind, Limits, Runtime, validate_block};
use ee_sdk::codec::Encode;
use ee_sdk::proof::{CompiledMerkleProof, H256};
use ee_sdk::{BlockWitness, EeId, ShardBlock, ShardId, ShardProof, ShardTransaction};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A one-shard world (EE-major layout) whose only leaf is EE 1's state root `[0x72; 32]`,
/// and the honest proof that `EeRoot(0)` and `Balance{0, 0}` are absent from it — the
/// shape `witness_verify` found (`fuzz/corpus/witness_verify/seed-regress-forged-absence`).
fn world_and_proof(code: Arc<[u8]>) -> (World, ShardProof) {
    let mut world = World::new(1, KeyLayout::EeMajor).unwrap();
    world.register(EeEntry::new(EeId(1), "EE1", Role::Ee, code)).unwrap();
    world.commit(ShardId(0), &BTreeMap::from([(StateKey::EeRoot(EeId(1)), [0x72; 32])])).unwrap();
    world.crosslink();
    let keys =
        BTreeSet::from([StateKey::EeRoot(EeId(0)), StateKey::Balance { column: ShardId(0), ee: EeId(0) }]);
    let proof = world.shard(ShardId(0)).unwrap().prove(&keys).unwrap().unwrap();
    (world, proof)
}

/// The honest proof with its second (absent) leaf moved onto EE 1's root, which the tree
/// holds: `sparse-merkle-tree`'s evaluation gave the real root for it, "proving" the
/// present leaf absent (`ee_sdk::proof::compute_root` now refuses it).
fn forged(proof: &ShardProof) -> ShardProof {
    let mut forged = proof.clone();
    forged.leaves[1] = (StateKey::EeRoot(EeId(1)).path(KeyLayout::EeMajor).into(), [0; 32]);
    forged
}

#[test]
fn a_witness_cannot_prove_a_present_leaf_absent() {
    let (world, proof) = world_and_proof(Arc::from(&[][..]));
    let root = world.shard(ShardId(0)).unwrap().root();
    assert!(verify(&proof, &root).is_ok(), "the honest proof verifies");
    let forged = forged(&proof);
    let err = verify(&forged, &root).expect_err("a forged proof of absence is refused");
    assert!(err.to_string().contains("malformed (Corrupted)"), "{err}");
    // Why `compute_root` checks each join: the crate's own evaluation gives the real root for the
    // forged proof (if an upgrade fixes that, this line says so).
    let leaves = forged.leaves.iter().map(|(k, v)| (H256::from(*k), H256::from(*v))).collect();
    let evaluated: [u8; 32] =
        CompiledMerkleProof(forged.proof.clone()).compute_root::<Sha256Hasher>(leaves).unwrap().into();
    assert_eq!(evaluated, root, "sparse-merkle-tree now refuses the forged proof itself");
}

/// The consequence for a stateless validator: a block whose witness claims EE 1's root
/// absent, for a transaction that hashes its pre-state root into its post-state root, was
/// accepted with a post-state root no full node computes (the real pre-state root is
/// `[0x72; 32]`, not zero). It is now refused as a witness problem.
#[test]
fn a_block_with_a_forged_absence_is_refused_by_the_stateless_validator() {
    let code = wat::parse_str(
        r#"(module
          (import "env" "load_pre_state_root" (func $load (param i32)))
          (import "env" "sha256" (func $sha (param i32 i32 i32)))
          (import "env" "save_post_state_root" (func $save (param i32)))
          (memory (export "memory") 1)
          (func (export "main")
            (call $load (i32.const 0))
            (call $sha (i32.const 0) (i32.const 32) (i32.const 32))
            (call $save (i32.const 32))))"#,
    )
    .unwrap();
    let (world, proof) = world_and_proof(code.into());
    let costs = CostTable::default();
    let limits = Limits::default();
    let runtime = Runtime::new(EngineKind::Singlepass, Arc::new(costs.clone()), limits.clone());
    let block = |own: ShardProof| ShardBlock {
        shard: ShardId(0),
        slot: 0,
        transactions: vec![ShardTransaction { ee_id: EeId(1), data: Vec::new() }],
        witness: BlockWitness { own: Some(own), foreign: Vec::new() }.encode(),
    };
    let validate = |b: &ShardBlock| {
        validate_block(
            &world.beacon,
            &world.beacon.shard_roots,
            world.shard(ShardId(0)).unwrap().root(),
            KeyLayout::EeMajor,
            b,
            &runtime,
            &costs,
            &limits,
        )
    };
    // The honest block: its witness proves EE 1's root, and the validator's post-state
    // root is the one full state gives.
    let honest_keys = BTreeSet::from([StateKey::EeRoot(EeId(1))]);
    let honest = world.shard(ShardId(0)).unwrap().prove(&honest_keys).unwrap().unwrap();
    let ok = validate(&block(honest)).expect("the honest block validates");
    let mut full = ee_host::state::ShardState::new(ShardId(0), KeyLayout::EeMajor);
    full.apply_paths(world.shard(ShardId(0)).unwrap().leaves()).unwrap();
    assert_eq!(ok.post_root, full.apply(&ok.outcome.writes).unwrap());
    assert_ne!(ok.outcome.writes[&StateKey::EeRoot(EeId(1))], [0; 32]);
    // The forged one.
    match validate(&block(forged(&proof))) {
        Err(StatelessError::Witness(e)) => assert!(e.to_string().contains("malformed (Corrupted)"), "{e}"),
        other => panic!("a block with a forged witness was not refused as such: {other:?}"),
    }
}

/// `module_load` found a module whose `name` section is malformed (a truncated local-names
/// subsection): the gatekeeper accepts it (custom sections are not its business) and the
/// instrumenting rewrite parsed the name section and failed. Custom sections are now copied
/// unparsed: the module compiles and runs on both engines.
#[test]
fn a_malformed_name_section_does_not_stop_instrumentation() {
    let mut code = wat::parse_str(
        r#"(module (import "env" "set_return_data" (func (param i32 i32)))
            (memory (export "memory") 1)
            (func (export "main") (call 0 (i32.const 0) (i32.const 2)))
            (data (i32.const 0) "ok"))"#,
    )
    .unwrap();
    // The fuzzer's name section: a local-names subsection cut short.
    code.extend_from_slice(&[
        0x00, 0x0d, 0x04, b'n', b'a', b'm', b'e', 0x01, 0x06, 0x01, 0xf6, 0x03, b'r', b'e', b't',
    ]);
    for engine in EngineKind::all() {
        let rt = Runtime::new(*engine, Arc::new(CostTable::default()), Limits::default());
        assert_eq!(rt.run_child(&code, &[], 1_000_000), Ok(b"ok".to_vec()), "{engine:?}");
    }
}
