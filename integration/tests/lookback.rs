//! Lookback (seed 002's fee markets): a transaction reads the hashes of the transactions
//! included before it in the same block — failed ones too, dry runs and left-out ones not —
//! and they are the hashes clients name transactions by.
use ee_host::abi::Role;
use ee_host::exec::{BlockExecutor, ExecConfig, StatefulSource, TxError, tx_hash};
use ee_host::logic::HostError;
use ee_host::native::NativeRunner;
use ee_host::state::{EeEntry, KeyLayout, World};
use ee_sdk::{EeId, ShardId, ShardTransaction};
use std::sync::Arc;

const PROBE: EeId = EeId(3);
const OVERREACH: EeId = EeId(4);

/// Logs every earlier transaction's hash, in hex, one line each, then the count.
fn probe() {
    let n = ee_sdk::env::lookback_count();
    for i in 0..n {
        let h = ee_sdk::env::lookback_hash(i).expect("in range");
        ee_sdk::env::log(&hex::encode(h));
    }
    assert_eq!(ee_sdk::env::lookback_hash(n), None, "the safe API checks the range");
    ee_sdk::env::log(&format!("count {n}"));
}

/// Reads one past the end through the raw import.
fn overreach() {
    let mut out = [0u8; 32];
    let n = ee_sdk::env::lookback_count();
    // SAFETY: `out` is 32 writable bytes; the index is out of range on purpose.
    unsafe { ee_sdk::raw::lookback_hash(n, out.as_mut_ptr()) };
}

#[test]
fn a_transaction_sees_the_hashes_of_the_transactions_included_before_it() {
    let mut world = World::new(2, KeyLayout::ColumnMajor).unwrap();
    world.register(EeEntry::new(PROBE, "probe", Role::Ee, Arc::from(&[][..]))).unwrap();
    world.register(EeEntry::new(OVERREACH, "overreach", Role::Ee, Arc::from(&[][..]))).unwrap();
    let runner = NativeRunner::new().with(PROBE, probe).with(OVERREACH, overreach);
    let mut source = StatefulSource::new(&world, ShardId(1));
    let cfg = ExecConfig::default();
    let mut exec =
        BlockExecutor::new(&world.beacon, ShardId(1), 0, &mut source, &runner, &cfg.costs, &cfg.limits)
            .unwrap();
    let unknown = ShardTransaction { ee_id: EeId(99), data: vec![1, 2, 3] };
    let probe_tx = |tag: u8| ShardTransaction { ee_id: PROBE, data: vec![tag] };

    // The first transaction sees nothing.
    let r = exec.run(&probe_tx(0)).unwrap();
    assert_eq!(r.logs, vec!["count 0".to_string()]);
    // A failed transaction is in the block; a dry run and a left-out one are not.
    assert_eq!(exec.run(&unknown).unwrap().result, Err(TxError::UnknownEe(99)));
    exec.dry_run(&probe_tx(7)).unwrap();
    assert!(exec.try_run(&probe_tx(8), |_| false).unwrap().is_err());
    let r = exec.run(&probe_tx(1)).unwrap().clone();
    let expected: Vec<String> = [probe_tx(0), unknown.clone()]
        .iter()
        .map(|t| hex::encode(tx_hash(ShardId(1), t)))
        .chain(["count 2".to_string()])
        .collect();
    assert_eq!(r.logs, expected);
    // The host's hash is the client's.
    assert_eq!(tx_hash(ShardId(1), &unknown), ee_client::tx::tx_hash(ShardId(1), &unknown));
    assert_ne!(tx_hash(ShardId(0), &unknown), tx_hash(ShardId(1), &unknown), "the shard is part of the hash");

    // Out of range through the raw import: a clear host error; the block goes on.
    let r = exec.run(&ShardTransaction { ee_id: OVERREACH, data: vec![] }).unwrap();
    assert_eq!(r.result, Err(TxError::Host(HostError::LookbackRange { index: 3, count: 3 })));
    let r = exec.run(&probe_tx(2)).unwrap();
    assert_eq!(r.logs.last().map(String::as_str), Some("count 4"));
}
