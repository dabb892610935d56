//! The rules every block obeys, checked by the stateless validator as by the producer:
//! the meta-EE present, complete and successful, nothing after it, the block gas limit
//! with the meta-EE's reserved share; the producer defers what does not fit; and the
//! meta-EE's cost at the limits of a block's output budget.
use ee_host::exec::{BlockError, BlockResult, Chain, EeRunner, StatelessError};
use ee_host::limits::Limits;
use ee_host::logic::TxError;
use ee_host::runtime::EngineKind;
use ee_integration::*;
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{MetaTransaction, Root, ShardBlock, ShardTransaction};

type C = Chain<Box<dyn EeRunner>>;

/// EE0 funded on shard 0, EE1 with nothing; two shards.
fn two_ees(tier: Tier) -> C {
    chain(tier, 2, &[(0, vec![vec![1_000_000, 0], vec![0, 0]]), (1, vec![vec![0, 0], vec![0, 0]])])
}

/// Validates `block` against `c`'s state before it (roots as of that state).
fn validate(
    c: &C,
    roots: &[Root],
    pre: Root,
    block: &ShardBlock,
    limits: &Limits,
) -> Result<Root, StatelessError> {
    validate_against(c, roots, pre, block, limits)
}

fn meta_of(block: &ShardBlock) -> MetaTransaction {
    MetaTransaction::decode_all(&mut &block.transactions.last().unwrap().data[..]).unwrap()
}

/// A produced block (not committed) and the state it was produced on.
fn produced(c: &mut C, txs: Vec<ShardTransaction>) -> (Vec<Root>, Root, BlockResult) {
    let roots = c.world.beacon.shard_roots.clone();
    let pre = c.world.shard(ee_sdk::ShardId(0)).unwrap().root();
    let r = c.preview(ee_sdk::ShardId(0), txs).unwrap();
    (roots, pre, r)
}

#[test]
fn a_block_breaking_a_rule_is_refused_by_the_validator_with_its_error() {
    let mut c = two_ees(Tier::Native);
    let (roots, pre, r) =
        produced(&mut c, vec![transfers(0, &[(5, 1, None)]), transfers(1, &[(1, 1, None)])]);
    let limits = c.config.limits.clone();
    assert_eq!(validate(&c, &roots, pre, &r.block, &limits), Ok(r.post_root), "the produced block is valid");

    // No meta-EE transaction although outputs were printed.
    let mut no_meta = r.block.clone();
    no_meta.transactions.pop();
    assert_eq!(
        validate(&c, &roots, pre, &no_meta, &limits),
        Err(StatelessError::Block(BlockError::MissingMetaEe))
    );

    // A meta-EE transaction that leaves out a printer.
    let mut partial = r.block.clone();
    let mut m = meta_of(&r.block);
    m.ee_ids.retain(|e| e.0 != 1);
    partial.transactions.last_mut().unwrap().data = m.encode();
    assert_eq!(
        validate(&c, &roots, pre, &partial, &limits),
        Err(StatelessError::Block(BlockError::MetaEeIdsIncomplete { missing: vec![1] }))
    );

    // A failing meta-EE (its data does not decode: it aborts).
    let mut failing = r.block.clone();
    failing.transactions.last_mut().unwrap().data = vec![0xff; 3];
    assert!(matches!(
        validate(&c, &roots, pre, &failing, &limits),
        Err(StatelessError::Block(BlockError::MetaFailed { error: TxError::Host(_) }))
    ));

    // An out-of-gas meta-EE: a validator whose reserve is smaller than the work.
    let stingy = Limits { meta_gas_base: 0, meta_gas_per_output: 1, meta_gas_per_byte: 0, ..limits.clone() };
    assert_eq!(
        validate(&c, &roots, pre, &r.block, &stingy),
        Err(StatelessError::Block(BlockError::MetaFailed { error: TxError::OutOfGas }))
    );

    // A transaction after the meta-EE's.
    let mut after = r.block.clone();
    after.transactions.push(transfers(0, &[(1, 1, None)]));
    let index = after.transactions.len() - 1;
    assert_eq!(
        validate(&c, &roots, pre, &after, &limits),
        Err(StatelessError::Block(BlockError::TxAfterMeta { index }))
    );

    // Over the block gas limit.
    let tight = Limits { block_gas: limits.meta_gas_base + 1, ..limits.clone() };
    assert!(matches!(
        validate(&c, &roots, pre, &r.block, &tight),
        Err(StatelessError::Block(BlockError::GasLimit { .. }))
    ));

    // None of it changed the producer's state.
    assert_eq!(c.world.beacon.shard_roots, roots);
}

#[test]
fn a_producer_with_more_transactions_than_the_gas_limit_defers_them_in_order() {
    let mut c = two_ees(Tier::Wasm(EngineKind::Singlepass));
    let txs: Vec<ShardTransaction> = (0..12).map(|i| transfers(0, &[(1 + i, 1, None)])).collect();
    // Room for about three transfers besides the meta-EE's share.
    let one = produced(&mut c, vec![txs[0].clone()]).2.outcome.txs[0].gas_used;
    c.config.limits.block_gas = c.config.limits.meta_gas_base + 3 * one + one / 2;
    let r = block(&mut c, 0, txs.clone());
    let included: Vec<&ShardTransaction> = r.block.transactions.iter().filter(|t| t.ee_id.0 == 0).collect();
    assert_eq!(included.len(), 3, "three fit");
    assert_eq!(r.deferred.len(), 9);
    let mut all: Vec<ShardTransaction> = included.into_iter().cloned().collect();
    all.extend(r.deferred.iter().cloned());
    assert_eq!(all, txs, "none lost, order kept");
    assert_eq!(statuses(&r), vec![ACCEPTED; 3]);
    // The deferred ones go into later blocks.
    let next = block(&mut c, 0, r.deferred.clone());
    assert_eq!(next.deferred.len(), 6);
    assert_eq!(matrix(&c, 0)[0][1], 1 + 2 + 3 + 4 + 5 + 6);
}

/// An EE with no funds prints the whole output budget of the block (four transactions of
/// `outputs_per_tx` each) ahead of an honest transfer.
#[test]
fn an_attacker_filling_the_output_budget_cannot_starve_an_honest_transfer() {
    for engine in EngineKind::all() {
        let mut c = two_ees(Tier::Wasm(*engine));
        let limits = c.config.limits.clone();
        let per_tx = limits.outputs_per_tx as usize;
        let rounds = (limits.block_outputs as usize).div_ceil(per_tx);
        let attack: Vec<ShardTransaction> =
            (0..rounds).map(|i| transfers(1, &vec![(1 + i as u64, 1, None); per_tx])).collect();

        // Alone, the attacker fills the budget: the meta-EE reads and rejects every
        // output within its reserve.
        let (roots, pre, r) = produced(&mut c, attack.clone());
        let read = r.outcome.receipts.len();
        assert_eq!(read, limits.block_outputs as usize, "{engine:?}: the whole budget");
        assert!(r.outcome.receipts.iter().all(|x| x.status != ACCEPTED));
        let meta = r.outcome.txs.last().unwrap();
        eprintln!(
            "{engine:?}: {read} unfunded outputs, meta-EE gas {} = {} per output (reserved {} per output)",
            meta.gas_used,
            meta.gas_used / read as u64,
            limits.meta_gas_per_output
        );
        assert!(meta.gas_used / (read as u64) < limits.meta_gas_per_output);
        assert_eq!(validate(&c, &roots, pre, &r.block, &limits), Ok(r.post_root), "the validator agrees");

        // With an honest transfer waiting behind it, the attacker gets half the budget,
        // the rest of its transactions are deferred, and the transfer is netted.
        let mut txs = attack;
        txs.push(transfers(0, &[(777, 1, None)]));
        let (roots, pre, r) = produced(&mut c, txs);
        let honest =
            r.outcome.receipts.iter().find(|x| x.source_ee.0 == 0).expect("the honest transfer is in");
        assert_eq!(honest.status, ACCEPTED, "{engine:?}");
        let attacker = r.outcome.receipts.iter().filter(|x| x.source_ee.0 == 1).count();
        assert_eq!(attacker, limits.block_outputs as usize / 2);
        assert_eq!(r.deferred.len(), rounds - 2, "the attacker's later transactions wait");
        assert_eq!(validate(&c, &roots, pre, &r.block, &limits), Ok(r.post_root), "the validator agrees");
    }
}

/// One output from each of `ees` EEs whose funds are foreign cells, so every one needs a
/// proof: the meta-EE's most expensive outputs. Its gas stays within the reserve.
#[test]
fn proof_heavy_blocks_stay_within_the_meta_reserve() {
    for (shards, ees, per) in [(8u32, 64u32, 1usize), (64, 1024, 4)] {
        let n = shards as usize;
        let specs: Vec<(u32, Vec<Vec<i64>>)> = (0..ees)
            .map(|e| {
                let mut m = vec![vec![0i64; n]; n];
                for k in 1..4 {
                    m[(e as usize + k) % (n - 1) + 1][0] = 1_000_000;
                }
                (e, m)
            })
            .collect();
        let mut c = chain(Tier::Wasm(EngineKind::Cranelift), shards, &specs);
        let txs = (0..ees)
            .map(|e| {
                let ts: Vec<_> = (0..per)
                    .map(|i| {
                        (
                            2_000_000 / per as u64,
                            1 + (i as u32 % (shards - 1)),
                            Some((e + 1 + i as u32) % ees),
                        )
                    })
                    .collect();
                transfers(e, &ts)
            })
            .collect();
        let limits = c.config.limits.clone();
        let r = block(&mut c, 0, txs);
        assert!(r.deferred.is_empty() && r.dropped.is_empty());
        let meta = r.outcome.txs.last().unwrap();
        let data = r.block.transactions.last().unwrap().data.len();
        let outputs = (ees as usize) * per;
        let reserve = limits.meta_gas(outputs, data);
        eprintln!(
            "{shards} shards, {ees} EEs × {per}: meta-EE gas {} of a reserve of {reserve} ({} per output, {data} B of proofs)",
            meta.gas_used,
            meta.gas_used / outputs as u64
        );
        assert!(meta.gas_used < reserve);
        assert_eq!(r.outcome.receipts.iter().filter(|x| x.status == ACCEPTED).count(), outputs);
    }
}

/// A WAT EE (id 7) that, called with no data, prints `n` one-byte outputs and logs 40,000
/// bytes; called with data, calls itself twice through `call_ee`.
fn self_caller(n: u32) -> String {
    format!(
        r#"(module
  (import "env" "print_output" (func $print (param i32 i32)))
  (import "env" "call_ee" (func $call (param i32 i32 i32) (result i32)))
  (import "env" "block_data_size" (func $size (result i32)))
  (import "env" "debug_log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "main") (local $i i32)
    (if (i32.eqz (call $size))
      (then
        (loop $l
          (call $print (i32.const 0) (i32.const 1))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))
        (call $log (i32.const 0) (i32.const 40000)))
      (else
        (drop (call $call (i32.const 7) (i32.const 0) (i32.const 0)))
        (drop (call $call (i32.const 7) (i32.const 0) (i32.const 0)))))))"#
    )
}

/// Per-transaction budgets count the whole `call_ee` tree: callees cannot print more
/// outputs, or keep more log, than their transaction may.
#[test]
fn call_ee_callees_count_against_their_transaction_s_budgets() {
    use ee_host::genesis::{GenesisEe, GenesisSpec};
    use ee_host::runtime::Runtime;
    let limits = Limits::default();
    for (n, fits) in [(3_000u32, false), (1_000, true)] {
        let code: std::sync::Arc<[u8]> = wat::parse_str(self_caller(n)).unwrap().into();
        let world = GenesisSpec::new(2)
            .meta(built_wasm("meta_ee"))
            .ee(GenesisEe::new(ee_sdk::EeId(7), "self-caller", code))
            .build()
            .unwrap();
        let config = ee_host::exec::ExecConfig::default();
        let rt = Runtime::new(EngineKind::Singlepass, config.costs.clone(), config.limits.clone());
        let mut c = Chain::new(world, rt, config);
        let tx = ShardTransaction { ee_id: ee_sdk::EeId(7), data: vec![1] };
        let r = c.run_slot(vec![(ee_sdk::ShardId(0), vec![tx])]).unwrap().remove(0);
        let t = &r.outcome.txs[0];
        if fits {
            assert!(t.ok(), "{:?}", t.result);
            assert_eq!(t.outputs, 2 * n as usize);
            let kept: usize = t.logs.iter().map(String::len).sum();
            assert!(kept <= limits.log_bytes as usize, "logs of both callees kept within one budget: {kept}");
        } else {
            let err = t.result.as_ref().unwrap_err().to_string();
            assert!(err.contains(&format!("more than {} outputs", limits.outputs_per_tx)), "{err}");
            assert!(
                r.outcome.outputs.iter().all(|o| o.ee_id != ee_sdk::EeId(7)),
                "nothing of the failed transaction is kept"
            );
        }
    }
}
