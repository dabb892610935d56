//! # ee-integration
//!
//! Helpers shared by the cross-crate tests (here and in `ee-cli`) and the
//! benchmarks: the same cases run through `NativeRunner` (EE logic compiled natively, host
//! logic real) and through the built, chiselled wasm on wasmer.
#![warn(missing_docs)]

pub mod wat_ee;

use ee_host::exec::{BlockResult, Chain, EeRunner, ExecConfig};
use ee_host::genesis::{GenesisEe, GenesisSpec};
use ee_host::native::NativeRunner;
use ee_host::state::World;
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, NettingStatus, RejectReason, Root, ShardBlock, ShardId, ShardTransaction, Transfer};
use std::path::PathBuf;
use std::sync::Arc;

/// Id of the meta-EE in these tests: the project's convention.
pub const META: EeId = ee_sdk::META_EE;

/// Directory of the built EEs (`scripts/build-ees.sh` writes it).
pub fn ees_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/ees")
}

/// A devnet genesis of the built EEs: the transfer EE with `transfer_balance` per shard,
/// the devnet's validators.
pub fn devnet_genesis(transfer_balance: i64) -> ee_devnet::Genesis {
    ee_devnet::Genesis {
        meta_ee: built_wasm("meta_ee"),
        vhee: built_wasm("vhee"),
        vhee_float: ee_devnet::Genesis::VHEE_FLOAT,
        transfer_ee: built_wasm("transfer_ee"),
        transfer_balance,
        validators: ee_devnet::Genesis::dev_validators(),
    }
}

/// Reads a built, chiselled EE. Fails (never skips) when it is missing.
pub fn built_wasm(name: &str) -> Arc<[u8]> {
    let path = ees_dir().join(format!("{name}.wasm"));
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{} missing ({e}): run scripts/build-ees.sh first", path.display()))
        .into()
}

/// How EEs are provided: natively or as wasm.
#[derive(Clone, Copy, Debug)]
pub enum Tier {
    /// `NativeRunner` with the EE crates' `ee_main`.
    Native,
    /// The built wasm on wasmer.
    Wasm(ee_host::runtime::EngineKind),
}

/// A world with `shards` shards, transfer EEs `ees` (id, matrix) and the meta-EE.
pub fn world(shards: u32, ees: &[(u32, Vec<Vec<i64>>)], code: &dyn Fn(&str) -> Arc<[u8]>) -> World {
    let mut genesis = GenesisSpec::new(shards).meta(code("meta_ee"));
    for (id, m) in ees {
        genesis = genesis
            .ee(GenesisEe::new(EeId(*id), format!("EE{id}"), code("transfer_ee")).with_matrix(m.clone()));
    }
    genesis.build().unwrap()
}

/// Native runner for the transfer EEs `ids` and the meta-EE.
pub fn native_runner(ids: &[u32]) -> NativeRunner {
    let mut r = NativeRunner::new().with(META, meta_ee::ee_main);
    for id in ids {
        r.insert(EeId(*id), transfer_ee::ee_main);
    }
    r
}

/// A chain of the given tier.
pub fn chain(tier: Tier, shards: u32, ees: &[(u32, Vec<Vec<i64>>)]) -> Chain<Box<dyn EeRunner>> {
    let config = ExecConfig::default();
    let ids: Vec<u32> = ees.iter().map(|(id, _)| *id).collect();
    let (world, runner): (World, Box<dyn EeRunner>) = match tier {
        Tier::Native => (world(shards, ees, &|_| Arc::from(&[][..])), Box::new(native_runner(&ids))),
        Tier::Wasm(engine) => (
            world(shards, ees, &built_wasm),
            Box::new(ee_host::runtime::Runtime::new(engine, config.costs.clone(), config.limits.clone())),
        ),
    };
    Chain::new(world, runner, config)
}

/// Validates `block` statelessly against `c`'s state before it (`roots` and `pre` as of
/// that state) under `limits`; the post-root it reaches.
pub fn validate_against(
    c: &Chain<Box<dyn EeRunner>>,
    roots: &[Root],
    pre: Root,
    block: &ShardBlock,
    limits: &ee_host::limits::Limits,
) -> Result<Root, ee_host::exec::StatelessError> {
    ee_host::exec::validate_block(
        &c.world.beacon,
        roots,
        pre,
        ee_host::state::KeyLayout::ColumnMajor,
        block,
        &c.runner,
        &c.config.costs,
        limits,
    )
    .map(|v| v.post_root)
}

/// A transfer-EE transaction.
pub fn transfers(ee: u32, ts: &[(u64, u32, Option<u32>)]) -> ShardTransaction {
    let data: Vec<Transfer> = ts
        .iter()
        .map(|&(amount, shard, to)| Transfer { amount, shard: ShardId(shard), ee: to.map(EeId) })
        .collect();
    ShardTransaction { ee_id: EeId(ee), data: data.encode() }
}

/// Runs one block as its own slot.
pub fn block(chain: &mut Chain<Box<dyn EeRunner>>, shard: u32, txs: Vec<ShardTransaction>) -> BlockResult {
    chain.run_slot(vec![(ShardId(shard), txs)]).unwrap().pop().unwrap()
}

/// Statuses of a block's receipts.
pub fn statuses(r: &BlockResult) -> Vec<NettingStatus> {
    r.outcome.receipts.iter().map(|r| r.status).collect()
}

/// Shorthand.
pub const ACCEPTED: NettingStatus = NettingStatus::Accepted;

/// Shorthand.
pub fn rejected(why: RejectReason) -> NettingStatus {
    NettingStatus::Rejected(why)
}

/// Matrix of `ee`.
pub fn matrix(chain: &Chain<Box<dyn EeRunner>>, ee: u32) -> Vec<Vec<i64>> {
    chain.world.matrix(EeId(ee)).unwrap()
}

/// Runs `txs` as one block (its own slot) on `shard`, checks every transaction fit and
/// was paid for, validates the block statelessly with `validator` and checks both
/// executors reach the same root.
pub fn validated_block(
    chain: &mut Chain<Box<dyn EeRunner>>,
    validator: &dyn EeRunner,
    shard: ShardId,
    txs: Vec<ShardTransaction>,
) -> BlockResult {
    let roots = chain.world.beacon.shard_roots.clone();
    let r = chain.run_slot(vec![(shard, txs)]).unwrap().remove(0);
    assert!(r.dropped.is_empty() && r.deferred.is_empty(), "every transaction is paid for and fits");
    let v = ee_host::exec::validate_block(
        &chain.world.beacon,
        &roots,
        r.pre_root,
        ee_host::state::KeyLayout::ColumnMajor,
        &r.block,
        validator,
        &chain.config.costs,
        &chain.config.limits,
    )
    .expect("stateless validation");
    assert_eq!(v.post_root, r.post_root, "stateful and stateless roots");
    r
}

/// Runs the umbrella's counter contract natively, as a wallet previewing a call would
/// (an `ee_sdk::client::ChildRunner`).
pub fn run_counter(_code: &[u8], input: &[u8]) -> Result<Vec<u8>, ee_sdk::SpawnStatus> {
    use ee_sdk::codec::DecodeAll;
    use sha2::Digest;
    let call = ee_sdk::contract::ContractCall::decode_all(&mut &input[..])
        .map_err(|_| ee_sdk::SpawnStatus::Failed)?;
    counter_contract::execute(&call, |d| sha2::Sha256::digest(d).into())
        .map(|r| r.encode())
        .map_err(|_| ee_sdk::SpawnStatus::Failed)
}
