//! Witness verification (`state::witness::verify`, `updated_root`, `root_after_writes`,
//! and `StatelessSource::new` on raw block witnesses). Structured inputs build a shard
//! tree from arbitrary keys and values (any key layout), prove a subset of keys, check
//! that the proof verifies to the tree's values and that the root it gives after updates
//! is the root of the tree after the same writes (the stateless post-state root equals
//! the stateful one); then they tamper with the proof bytes, the claimed values or the
//! leaves, and check soundness: whatever still verifies against the real root claims
//! only values the tree really holds. Raw inputs (`0xff` first) decode a root and a
//! proof, or a block witness, and must only ever be refused with a typed error.
#![no_main]
use ee_host::exec::source::StatelessSource;
use ee_host::state::keys::cell_value;
use ee_host::state::witness::{root_after_writes, updated_root, verify};
use ee_host::state::{KeyLayout, ShardState, StateKey, Value};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{EeId, Root, ShardId, ShardProof};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeMap, BTreeSet};

fn key(u: &mut Unstructured<'_>) -> Result<StateKey> {
    let ee = EeId(*u.choose(&[0, 1, 2, 255, 256, u32::MAX])?);
    let shard = ShardId(u.int_in_range(0..=3)?);
    let root = [*u.choose(&[0u8, 7, 0xff])?; 32];
    Ok(match u.int_in_range(0..=8u8)? {
        0 => StateKey::EeRoot(ee),
        1 | 2 => StateKey::Balance { column: shard, ee },
        3 => StateKey::KnownMin(ee),
        4 => StateKey::Netted { target_shard: shard, target_ee: ee, root },
        5 => StateKey::DepositClaimed(u.int_in_range(0..=3)?),
        6 => StateKey::FeePool,
        7 => StateKey::Recent { column: shard, ee },
        _ => StateKey::Message { target_shard: shard, target_ee: ee, source_ee: EeId(1), root },
    })
}

fn value(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => [0; 32],
        1 => cell_value(u.int_in_range(-5..=1000)?),
        2 => [u.arbitrary::<u8>()?; 32],
        _ => u.arbitrary()?,
    })
}

fn tree(layout: KeyLayout, writes: &BTreeMap<StateKey, Value>) -> ShardState {
    let mut s = ShardState::new(ShardId(0), layout);
    s.apply(writes).expect("tree update");
    s
}

fn truth(state: &ShardState, path: &Root) -> Value {
    state.tree().get(&(*path).into()).expect("tree read").into()
}

/// Soundness: a proof that verifies against `state`'s root claims only its values.
fn check_sound(state: &ShardState, proof: &ShardProof, what: &str) {
    if let Ok(leaves) = verify(proof, &state.root()) {
        for (path, claimed) in &leaves {
            assert_eq!(
                claimed,
                &truth(state, path),
                "{what}: a proof verified against the root but claims a value the tree does not hold at {}",
                hex::encode(path)
            );
        }
    }
}

fn structured(u: &mut Unstructured<'_>) -> Result<()> {
    let layout = *u.choose(&[KeyLayout::ColumnMajor, KeyLayout::EeMajor, KeyLayout::Hashed])?;
    let mut writes = BTreeMap::new();
    for _ in 0..u.int_in_range(0..=24)? {
        writes.insert(key(u)?, value(u)?);
    }
    let state = tree(layout, &writes);
    let mut keys = BTreeSet::new();
    for _ in 0..u.int_in_range(1..=8)? {
        keys.insert(key(u)?);
    }
    let proof = state.prove(&keys).expect("prove").expect("keys given");
    // The honest proof verifies to the tree's values.
    let leaves = verify(&proof, &state.root()).expect("an honest proof verifies");
    assert_eq!(leaves.len(), keys.iter().map(|k| k.path(layout)).collect::<BTreeSet<_>>().len());
    for (path, v) in &leaves {
        assert_eq!(v, &truth(&state, path));
    }
    // The post-state root from the proof is the tree's root after the same writes.
    let mut updates = BTreeMap::new();
    for k in &keys {
        if u.arbitrary()? {
            updates.insert(*k, value(u)?);
        }
    }
    let stateless = root_after_writes(ShardId(0), state.root(), Some(&proof), &updates, layout)
        .expect("writes inside the witness");
    let mut after = writes.clone();
    after.extend(updates.iter().map(|(k, v)| (*k, *v)));
    assert_eq!(stateless, tree(layout, &after).root(), "stateless and stateful post-state roots differ");
    // A write outside the witness is refused.
    let outside = key(u)?;
    if !keys.iter().any(|k| k.path(layout) == outside.path(layout)) {
        let w = BTreeMap::from([(outside, cell_value(1))]);
        assert!(root_after_writes(ShardId(0), state.root(), Some(&proof), &w, layout).is_err());
    }
    // Tampering.
    let mut forged = proof.clone();
    for _ in 0..u.int_in_range(1..=4)? {
        match u.int_in_range(0..=5u8)? {
            0 if !forged.proof.is_empty() => {
                let i = u.choose_index(forged.proof.len())?;
                forged.proof[i] ^= u.int_in_range(1..=255)?;
            }
            1 => {
                let i = u.int_in_range(0..=forged.proof.len())?;
                forged.proof.insert(i, u.arbitrary()?);
            }
            2 if !forged.proof.is_empty() => {
                let i = u.choose_index(forged.proof.len())?;
                forged.proof.remove(i);
            }
            3 if !forged.leaves.is_empty() => {
                let i = u.choose_index(forged.leaves.len())?;
                forged.leaves[i].1 = value(u)?;
            }
            4 if !forged.leaves.is_empty() => {
                let i = u.choose_index(forged.leaves.len())?;
                forged.leaves[i].0 = key(u)?.path(layout).into();
            }
            _ => {
                forged.leaves.push((key(u)?.path(layout).into(), value(u)?));
                forged.leaves.sort_by(|a, b| sparse_order(&a.0, &b.0));
            }
        }
    }
    if std::env::var_os("EE_FUZZ_DEBUG").is_some() {
        eprintln!(
            "layout {layout:?}\nwrites {writes:?}\nkeys {keys:?}\nroot {}\nproof {:?} {}\nforged {:?} {}",
            hex::encode(state.root()),
            proof.leaves.iter().map(|(k, v)| (hex::encode(k), hex::encode(v))).collect::<Vec<_>>(),
            hex::encode(&proof.proof),
            forged.leaves.iter().map(|(k, v)| (hex::encode(k), hex::encode(v))).collect::<Vec<_>>(),
            hex::encode(&forged.proof)
        );
    }
    check_sound(&state, &forged, "tampered proof");
    let _ = updated_root(&forged, &BTreeMap::new());
    Ok(())
}

/// The tree's path order (`H256`'s, from the root-side bit).
fn sparse_order(a: &Root, b: &Root) -> std::cmp::Ordering {
    ee_sdk::proof::H256::from(*a).cmp(&ee_sdk::proof::H256::from(*b))
}

fn raw(bytes: &[u8]) {
    if bytes.len() >= 32 {
        let root: Root = bytes[..32].try_into().expect("32 bytes");
        if let Ok(proof) = ShardProof::decode_all(&mut &bytes[32..]) {
            if let Ok(leaves) = verify(&proof, &root) {
                assert_eq!(updated_root(&proof, &BTreeMap::new()).ok(), Some(root));
                let _ = leaves;
            }
        }
        let roots = [root, [0; 32], root];
        for shard in 0..3 {
            let _ = StatelessSource::new(ShardId(shard), KeyLayout::ColumnMajor, root, &roots, &bytes[32..]);
        }
    }
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    // Structured: a few byte patterns (the generator reads whatever it is given).
    for (i, fill) in [0u8, 1, 7, 0x55, 0xaa, 0xfe].into_iter().enumerate() {
        out.push((format!("structured-{i}"), vec![fill; 96]));
    }
    // Raw: a real root and proof, and the fixture's block witnesses.
    let mut writes = BTreeMap::new();
    for (i, ee) in [0u32, 1, 2].into_iter().enumerate() {
        writes
            .insert(StateKey::Balance { column: ShardId(i as u32), ee: EeId(ee) }, cell_value(10 + i as i64));
    }
    let state = tree(KeyLayout::ColumnMajor, &writes);
    let keys: BTreeSet<StateKey> = writes.keys().take(2).copied().collect();
    let proof = state.prove(&keys).expect("prove").expect("keys");
    let mut bytes = vec![0xff];
    bytes.extend(state.root());
    bytes.extend(proof.encode());
    out.push(("raw-proof".into(), bytes));
    if ee_fuzz::ees_dir().join("meta_ee.wasm").exists() {
        let fixture = ee_fuzz::chain::fixture(ee_host::EngineKind::Singlepass);
        for (i, block) in fixture.blocks.iter().enumerate() {
            let world = &fixture.chain.world;
            let mut bytes = vec![0xff];
            bytes.extend(world.shard(block.shard).expect("shard").root());
            bytes.extend(&block.witness);
            out.push((format!("raw-witness-{i}"), bytes));
        }
    }
    out
}

fuzz_target!(init: ee_fuzz::seed_mode(seeds), |data: &[u8]| {
    match data.split_first() {
        Some((0xff, rest)) => raw(rest),
        Some(_) => {
            let _ = structured(&mut Unstructured::new(data));
        }
        None => {}
    }
});
