//! SCALE decoding of what crosses the wire or the block: blocks, transactions, block
//! witnesses and shard proofs (compact words), multiproofs, netting outputs, meta
//! transactions, netting reports, deposit receipts and data, transfers, the block report
//! the devnet stores, VHEE transactions and deployments (the first byte picks the type).
//! Decoding never panics or allocates beyond the input; a value that decodes using every
//! byte (`DecodeAll`, as the host and the EEs decode) encodes back to exactly those
//! bytes, and decodes again to itself — one encoding per value.
#![no_main]
use ee_sdk::codec::{Decode, DecodeAll, Encode};
use ee_sdk::*;
use libfuzzer_sys::fuzz_target;
use std::fmt::Debug;

fn round_trip<T: Decode + Encode + PartialEq + Debug>(bytes: &[u8]) {
    let _ = T::decode(&mut &bytes[..]);
    let Ok(value) = T::decode_all(&mut &bytes[..]) else { return };
    let again = value.encode();
    assert_eq!(again, bytes, "{value:?} encodes differently from the bytes it decoded from");
    assert_eq!(T::decode_all(&mut &again[..]).as_ref(), Ok(&value));
}

/// The types, by tag.
const TYPES: &[&str] = &[
    "ShardBlock",
    "ShardTransaction",
    "BlockWitness",
    "ShardProof",
    "Vec<ShardProof>",
    "NettingOutput",
    "MetaTransaction",
    "NettingReport",
    "DepositReceipt",
    "DepositData",
    "Vec<Transfer>",
    "Output",
    "NettingRules",
    "BlockReport",
    "VheeTx",
    "NewExecutionScript",
];

fn decode(tag: u8, bytes: &[u8]) {
    match tag as usize % TYPES.len() {
        0 => round_trip::<ShardBlock>(bytes),
        1 => round_trip::<ShardTransaction>(bytes),
        2 => round_trip::<BlockWitness>(bytes),
        3 => round_trip::<ShardProof>(bytes),
        4 => round_trip::<Vec<ShardProof>>(bytes),
        5 => round_trip::<NettingOutput>(bytes),
        6 => round_trip::<MetaTransaction>(bytes),
        7 => round_trip::<NettingReport>(bytes),
        8 => round_trip::<DepositReceipt>(bytes),
        9 => round_trip::<DepositData>(bytes),
        10 => round_trip::<Vec<Transfer>>(bytes),
        11 => round_trip::<Output>(bytes),
        12 => round_trip::<NettingRules>(bytes),
        13 => round_trip::<ee_types::report::BlockReport>(bytes),
        14 => round_trip::<vhee::types::VheeTx>(bytes),
        _ => round_trip::<ee_client::deploy::NewExecutionScript>(bytes),
    }
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let tag = |name: &str| TYPES.iter().position(|t| *t == name).expect("a type") as u8;
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: &str, what: &str, bytes: Vec<u8>| {
        out.push((format!("{name}-{what}"), ee_fuzz::tagged(tag(name), &bytes)));
    };
    let output =
        NettingOutput { target_shard: ShardId(1), target_ee: EeId(2), amount: 5, data_root: [3; 32] };
    add("NettingOutput", "one", output.encode());
    add("Output", "one", Output { ee_id: EeId(1), data: output.encode() }.encode());
    add("Vec<Transfer>", "two", ee_fuzz::chain::transfers(&[(1, 1, None), (2, 0, Some(1))]));
    add("ShardTransaction", "transfer", ShardTransaction { ee_id: EeId(0), data: vec![4, 1, 0] }.encode());
    add(
        "NettingReport",
        "mixed",
        NettingReport {
            source_ee: EeId(0),
            first_index: 2,
            statuses: vec![NettingStatus::Accepted, NettingStatus::Rejected(RejectReason::Overflow)],
        }
        .encode(),
    );
    let data = DepositData { ee: EeId(0), portion: EeId(0), amount: 32 };
    add("DepositData", "one", data.encode());
    add(
        "DepositReceipt",
        "one",
        DepositReceipt {
            validator_index: 3,
            target: ShardId(1),
            data: data.encode(),
            pubkey: [1; 48],
            signature: [2; 96],
        }
        .encode(),
    );
    add(
        "NettingRules",
        "fixed",
        NettingRules { variant: NettingVariant::Reserve, fixed_order: Some(9), reserve_target: 7 }.encode(),
    );
    add(
        "MetaTransaction",
        "ordered",
        MetaTransaction {
            ee_ids: vec![EeId(0), EeId(1)],
            proof_order: vec![ProofOrder { ee: EeId(0), shards: vec![ShardId(2), ShardId(1)] }],
            multiproof: Vec::new(),
        }
        .encode(),
    );
    let key = ee_client::keys::dev_key(0);
    add(
        "NewExecutionScript",
        "signed",
        ee_client::deploy::NewExecutionScript::signed(0, 1, vec![0, 97, 115, 109], &key).encode(),
    );
    let report = ee_types::report::BlockReport {
        slot: 1,
        shard: 0,
        hash: Some("ab".into()),
        pre_root: "00".into(),
        post_root: "11".into(),
        gas: 5,
        fees: 1,
        witness_bytes: 3,
        transactions: Vec::new(),
        netting: Vec::new(),
        deferred: 0,
        dropped: 0,
    };
    add("BlockReport", "empty", report.encode());
    // Real blocks, witnesses and proofs from the stateless fixture (when the EEs are built).
    if ee_fuzz::ees_dir().join("meta_ee.wasm").exists() {
        let fixture = ee_fuzz::chain::fixture(ee_host::EngineKind::Singlepass);
        for (i, block) in fixture.blocks.iter().enumerate() {
            add("ShardBlock", &format!("fixture-{i}"), block.encode());
            add("BlockWitness", &format!("fixture-{i}"), block.witness.clone());
            if let Ok(w) = BlockWitness::decode_all(&mut &block.witness[..]) {
                if let Some(own) = &w.own {
                    add("ShardProof", &format!("fixture-{i}"), own.encode());
                }
            }
            if let Some(meta) = block.transactions.last() {
                add("MetaTransaction", &format!("fixture-{i}"), meta.data.clone());
                if let Ok(m) = MetaTransaction::decode_all(&mut &meta.data[..]) {
                    if !m.multiproof.is_empty() {
                        add("Vec<ShardProof>", &format!("fixture-{i}"), m.multiproof);
                    }
                }
            }
        }
    }
    out
}

fuzz_target!(init: ee_fuzz::seed_mode(seeds), |data: &[u8]| {
    if let Some((&tag, bytes)) = data.split_first() {
        decode(tag, bytes);
    }
});
