//! How an EE author unit-tests an EE natively: the EE's `ee_main` runs through
//! `ee_host::native::NativeRunner`, so `print_output` & co. are the host's real logic.
use ee_host::abi::Role;
use ee_host::exec::{BlockExecutor, ExecConfig, StatefulSource, TxError};
use ee_host::logic::HostError;
use ee_host::native::NativeRunner;
use ee_host::state::{EeEntry, KeyLayout, World};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{EeId, NettingOutput, ShardId, ShardTransaction, Transfer};
use std::sync::Arc;

fn run(data: Vec<u8>) -> (Result<(), TxError>, Vec<NettingOutput>) {
    let mut world = World::new(2, KeyLayout::ColumnMajor).unwrap();
    world.register(EeEntry::new(EeId(4), "transfer", Role::Ee, Arc::from(&[][..]))).unwrap();
    let runner = NativeRunner::new().with(EeId(4), transfer_ee::ee_main);
    let mut source = StatefulSource::new(&world, ShardId(0));
    let cfg = ExecConfig::default();
    let mut exec =
        BlockExecutor::new(&world.beacon, ShardId(0), 0, &mut source, &runner, &cfg.costs, &cfg.limits)
            .unwrap();
    let result = exec.run(&ShardTransaction { ee_id: EeId(4), data }).unwrap().result.clone();
    let outputs = exec
        .outputs()
        .iter()
        .map(|o| {
            assert_eq!(o.ee_id, EeId(4), "the host tags outputs with the caller");
            NettingOutput::decode_all(&mut &o.data[..]).unwrap()
        })
        .collect();
    (result, outputs)
}

#[test]
fn prints_one_netting_output_per_transfer() {
    let data = vec![
        Transfer { amount: 1, shard: ShardId(1), ee: None },
        Transfer { amount: 2, shard: ShardId(0), ee: Some(EeId(9)) },
    ]
    .encode();
    let (result, outputs) = run(data);
    assert_eq!(result, Ok(()));
    assert_eq!(
        outputs,
        vec![
            NettingOutput { target_shard: ShardId(1), target_ee: EeId(4), amount: 1, data_root: [0; 32] },
            NettingOutput { target_shard: ShardId(0), target_ee: EeId(9), amount: 2, data_root: [0; 32] },
        ]
    );
}

#[test]
fn malformed_data_aborts_with_its_message_and_prints_nothing() {
    let (result, outputs) = run(vec![0xff, 0x01]);
    assert_eq!(
        result,
        Err(TxError::Host(HostError::Aborted("transfer-ee: data is not Vec<Transfer>".into())))
    );
    assert!(outputs.is_empty());
}
