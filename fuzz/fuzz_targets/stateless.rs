//! The stateless executor on mutated blocks. A fixture chain (the real meta-EE and two
//! transfer EEs on 3 shards, one slot in) gives valid blocks for its next slot; the input
//! is either a whole SCALE `ShardBlock` (first byte 0, seeded with those blocks) or a base
//! block plus structured mutations (first byte 1: transactions dropped, swapped,
//! duplicated, retargeted or cut; transfer amounts, meta-transaction fields, witness
//! leaves and proof bytes changed; slot and shard changed). `validate_block` must return a
//! typed error or a post-state root, never panic; and when it accepts a block, the
//! stateful executor running the same transactions on full state (on the other engine)
//! accepts it too, with the same results, gas, outputs and post-state root. With bit 4
//! of the first byte set, the block's user transactions go to the producer instead
//! (`Chain::preview`): the block it makes must be accepted by the stateless executor with
//! the post-state root the producer computed and full state gives.
#![no_main]
use ee_fuzz::chain::{Fixture, fixture, transfers};
use ee_host::exec::block::{BlockExecutor, BlockOutcome};
use ee_host::exec::source::StatefulSource;
use ee_host::state::{KeyLayout, ShardState, StateKey};
use ee_host::{EngineKind, Runtime, validate_block};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::proof::H256;
use ee_sdk::{BlockWitness, EeId, MetaTransaction, ProofOrder, ShardBlock, ShardId};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::sync::{LazyLock, Mutex};

struct Setup {
    fixture: Fixture,
    /// The other engine, for the stateful run.
    other: Runtime,
}

static SETUP: LazyLock<Mutex<Setup>> = LazyLock::new(|| {
    let fixture = fixture(EngineKind::Singlepass);
    let c = &fixture.chain.config;
    let other = Runtime::new(EngineKind::Cranelift, c.costs.clone(), c.limits.clone());
    Mutex::new(Setup { fixture, other })
});

fn mutate(u: &mut Unstructured<'_>, block: &mut ShardBlock) -> Result<()> {
    for _ in 0..u.int_in_range(1..=3)? {
        let n = block.transactions.len();
        match u.int_in_range(0..=13u8)? {
            0 if n > 0 => {
                block.transactions.remove(u.choose_index(n)?);
            }
            1 if n > 1 => {
                let (i, j) = (u.choose_index(n)?, u.choose_index(n)?);
                block.transactions.swap(i, j);
            }
            2 if n > 0 => {
                let t = block.transactions[u.choose_index(n)?].clone();
                let at = u.int_in_range(0..=n)?;
                block.transactions.insert(at, t);
            }
            3 if n > 0 => {
                let i = u.choose_index(n)?;
                block.transactions[i].ee_id = EeId(*u.choose(&[0, 1, 2, u32::MAX])?);
            }
            4 if n > 0 => {
                let i = u.choose_index(n)?;
                let d = &mut block.transactions[i].data;
                let keep = u.int_in_range(0..=d.len())?;
                d.truncate(keep);
            }
            5 if n > 0 => {
                // A user transaction's transfers, re-drawn.
                let i = u.choose_index(n.saturating_sub(1).max(1))?;
                let mut ts = Vec::new();
                for _ in 0..u.int_in_range(0..=3)? {
                    ts.push((
                        *u.choose(&[0, 1, 2, 3, 5, 100, u64::MAX / 2, u64::MAX])?,
                        u.int_in_range(0..=3)?,
                        if u.arbitrary()? { Some(*u.choose(&[0, 1, 7, u32::MAX])?) } else { None },
                    ));
                }
                block.transactions[i].data = transfers(&ts);
            }
            6 if n > 0 => {
                // The meta transaction's fields.
                let last = n - 1;
                let Ok(mut meta) = MetaTransaction::decode_all(&mut &block.transactions[last].data[..])
                else {
                    continue;
                };
                match u.int_in_range(0..=4u8)? {
                    0 => meta.ee_ids.clear(),
                    1 => meta.ee_ids.reverse(),
                    2 => meta.ee_ids.push(EeId(*u.choose(&[0, 1, 2])?)),
                    3 => meta.proof_order.push(ProofOrder {
                        ee: EeId(u.int_in_range(0..=1)?),
                        shards: (0..u.int_in_range(0..=4)?).map(|s| ShardId(s % 4)).collect(),
                    }),
                    _ if !meta.multiproof.is_empty() => {
                        let i = u.choose_index(meta.multiproof.len())?;
                        meta.multiproof[i] ^= u.int_in_range(1..=255)?;
                    }
                    _ => meta.multiproof.clear(),
                }
                block.transactions[last].data = meta.encode();
            }
            7 | 8 => {
                // The block witness, structurally.
                let Ok(mut w) = BlockWitness::decode_all(&mut &block.witness[..]) else { continue };
                match u.int_in_range(0..=6u8)? {
                    6 => {
                        // A leaf moved onto another key's path (a forged claim about
                        // that key), the leaves kept in path order.
                        if let Some(p) = &mut w.own
                            && !p.leaves.is_empty()
                        {
                            let i = u.choose_index(p.leaves.len())?;
                            let ee = EeId(*u.choose(&[0, 1, u32::MAX])?);
                            let column = ShardId(u.int_in_range(0..=2)?);
                            let key = *u.choose(&[
                                StateKey::EeRoot(ee),
                                StateKey::Balance { column, ee },
                                StateKey::KnownMin(ee),
                                StateKey::FeePool,
                            ])?;
                            p.leaves[i] = (
                                key.path(KeyLayout::ColumnMajor).into(),
                                if u.arbitrary()? { [0; 32] } else { p.leaves[i].1 },
                            );
                            p.leaves.sort_by(|a, b| H256::from(a.0).cmp(&H256::from(b.0)));
                            p.leaves.dedup_by(|a, b| a.0 == b.0);
                        }
                    }
                    0 => w.own = None,
                    1 => w.foreign.clear(),
                    2 => {
                        if let Some(p) = &mut w.own
                            && !p.leaves.is_empty()
                        {
                            let i = u.choose_index(p.leaves.len())?;
                            p.leaves[i].1 = if u.arbitrary()? { [0; 32] } else { u.arbitrary()? };
                        }
                    }
                    3 => {
                        if let Some(p) = &mut w.own
                            && !p.leaves.is_empty()
                        {
                            p.leaves.remove(u.choose_index(p.leaves.len())?);
                        }
                    }
                    4 => {
                        if let Some(p) = &mut w.own
                            && !p.proof.is_empty()
                        {
                            let i = u.choose_index(p.proof.len())?;
                            p.proof[i] ^= u.int_in_range(1..=255)?;
                        }
                    }
                    _ => {
                        if let Some(p) = w.own.clone() {
                            w.foreign.push(p);
                        }
                    }
                }
                block.witness = w.encode();
            }
            9 if !block.witness.is_empty() => {
                let i = u.choose_index(block.witness.len())?;
                block.witness[i] ^= u.int_in_range(1..=255)?;
            }
            10 => block.witness.clear(),
            11 => block.slot = *u.choose(&[0, 1, 2, u64::MAX])?,
            12 => block.shard = ShardId(u.int_in_range(0..=3)?),
            _ => {}
        }
    }
    Ok(())
}

fn summary(o: &BlockOutcome) -> Vec<String> {
    let mut v: Vec<String> = o
        .txs
        .iter()
        .map(|t| {
            format!("tx {} ee {} {:?} gas {} outputs {}", t.index, t.ee.0, t.result, t.gas_used, t.outputs)
        })
        .collect();
    v.push(format!("outputs {:?}", o.outputs));
    v.push(format!("receipts {:?}", o.receipts));
    v.push(format!("writes {:?}", o.writes));
    v
}

/// Validates `block` statelessly; if accepted, checks full state agrees. Returns whether
/// it was accepted.
fn check(s: &Setup, block: &ShardBlock, cranelift_first: bool) -> bool {
    let chain = &s.fixture.chain;
    let world = &chain.world;
    let (costs, limits) = (&chain.config.costs, &chain.config.limits);
    let (validator, stateful): (&Runtime, &Runtime) =
        if cranelift_first { (&s.other, &chain.runner) } else { (&chain.runner, &s.other) };
    let pre_root = world.shard(block.shard).map(|sh| sh.root()).unwrap_or([0; 32]);
    let roots = world.beacon.shard_roots.clone();
    let validated =
        validate_block(&world.beacon, &roots, pre_root, world.layout(), block, validator, costs, limits);
    let Ok(validated) = validated else { return false };
    // Accepted: full state must agree.
    let mut source = StatefulSource::new(world, block.shard);
    let mut exec =
        BlockExecutor::new(&world.beacon, block.shard, block.slot, &mut source, stateful, costs, limits)
            .expect("the stateless executor accepted the block's shard");
    for tx in &block.transactions {
        exec.run(tx).expect("a transaction of an accepted block runs on full state");
    }
    let outcome = exec.finish().expect("the stateful executor refuses a block the stateless one accepted");
    let mut shard = ShardState::new(block.shard, world.layout());
    shard.apply_paths(world.shard(block.shard).expect("shard").leaves()).expect("rebuild");
    let root = shard.apply(&outcome.writes).expect("apply");
    assert_eq!(summary(&validated.outcome), summary(&outcome), "stateless and stateful outcomes differ");
    assert_eq!(
        hex::encode(validated.post_root),
        hex::encode(root),
        "stateless and stateful post-state roots differ"
    );
    true
}

/// The producer on the block's user transactions (the meta-EE's left out): the block it
/// produces is accepted by the stateless executor, with the root the producer computed.
fn produce(s: &mut Setup, block: &ShardBlock, cranelift_first: bool) {
    let Some(meta) = s.fixture.chain.world.beacon.meta_ee().map(|m| m.id) else { return };
    let txs: Vec<_> = block.transactions.iter().filter(|t| t.ee_id != meta).cloned().collect();
    if block.shard.0 >= ee_fuzz::chain::SHARDS || txs.len() > 8 {
        return;
    }
    let produced = s.fixture.chain.preview(block.shard, txs);
    let produced = match produced {
        Ok(r) => r,
        // Refusing a whole batch is an answer (e.g. a transaction that cannot be netted
        // even alone is dropped, and then none is left); it must be a typed one.
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    assert!(
        check(s, &produced.block, cranelift_first),
        "the stateless executor refuses a block the producer made: {:?}",
        validate_block(
            &s.fixture.chain.world.beacon,
            &s.fixture.chain.world.beacon.shard_roots,
            s.fixture.chain.world.shard(block.shard).expect("shard").root(),
            s.fixture.chain.world.layout(),
            &produced.block,
            &s.fixture.chain.runner,
            &s.fixture.chain.config.costs,
            &s.fixture.chain.config.limits
        )
        .err()
    );
    let world = &s.fixture.chain.world;
    let mut shard = ShardState::new(block.shard, world.layout());
    shard.apply_paths(world.shard(block.shard).expect("shard").leaves()).expect("rebuild");
    let root = shard.apply(&produced.outcome.writes).expect("apply");
    assert_eq!(produced.post_root, root, "the producer's witness gives another root than its writes");
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let s = SETUP.lock().expect("lock");
    let f = &s.fixture;
    let mut out = Vec::new();
    for (i, b) in f.blocks.iter().enumerate() {
        out.push((format!("raw-{i}"), ee_fuzz::tagged(0, &b.encode())));
        out.push((format!("mutate-{i}"), vec![1, i as u8, 0, 0, 0, 0, 0, 0]));
        out.push((format!("mutate-{i}-cranelift"), vec![3, i as u8, 6, 6, 7, 2, 9, 1]));
        out.push((format!("produce-{i}"), vec![5, i as u8, 5, 5, 0, 1, 0, 0]));
    }
    out
}

fuzz_target!(init: ee_fuzz::seed_mode(seeds), |data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let mut s = SETUP.lock().expect("lock");
    let cranelift_first = mode & 2 != 0;
    let block = if mode & 1 == 0 {
        let Ok(b) = ShardBlock::decode_all(&mut &rest[..]) else { return };
        b
    } else {
        let mut u = Unstructured::new(rest);
        let blocks = &s.fixture.blocks;
        let Ok(i) = u.choose_index(blocks.len()) else { return };
        let mut b = blocks[i].clone();
        let _ = mutate(&mut u, &mut b);
        b
    };
    if mode & 4 == 0 {
        check(&s, &block, cranelift_first);
    } else {
        produce(&mut s, &block, cranelift_first);
    }
});
