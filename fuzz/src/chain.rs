//! The worlds the executing targets run in.
use ee_host::exec::ExecConfig;
use ee_host::genesis::{GenesisEe, GenesisSpec};
use ee_host::state::keys::{cell_value, u64_value};
use ee_host::state::{EeEntry, KeyLayout, StateKey, World};
use ee_host::{Chain, EngineKind, Role, Runtime};
use ee_sdk::codec::Encode;
use ee_sdk::{DepositData, DepositReceipt, EeId, META_EE, ShardBlock, ShardId, ShardTransaction, Transfer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Shards of the host-call world.
pub const HOST_SHARDS: u32 = 3;
/// The printer EE's id in the host-call world.
pub const PRINTER: EeId = EeId(2);

/// The world `host_calls` runs its generated EEs in: EE 0 and EE 1 (the generated code,
/// so `call_ee` reaches it again), EE 2 (the printer), the meta-EE (the generated code
/// when it is built for role `meta`); funded matrices, two deposits, and a known
/// minimum, a netted amount, a message and an EE root in state. EE 0's, EE 1's and the
/// meta-EE's code are placeholders the target replaces.
pub fn host_world(printer: Arc<[u8]>) -> World {
    let empty: Arc<[u8]> = Arc::from(&[][..]);
    let mut world = World::new(HOST_SHARDS, KeyLayout::ColumnMajor).expect("world");
    for (id, role, code) in [
        (EeId(0), Role::Ee, &empty),
        (EeId(1), Role::Ee, &empty),
        (PRINTER, Role::Ee, &printer),
        (META_EE, Role::Meta, &empty),
    ] {
        world.register(EeEntry::new(id, format!("EE{}", id.0), role, code.clone())).expect("register");
    }
    world.set_matrix(EeId(0), &[vec![100, 5, 0], vec![7, 50, 0], vec![0, 0, 9]]).expect("matrix");
    world.set_matrix(EeId(1), &[vec![20, 0, 0], vec![0, 20, 0], vec![0, 0, 20]]).expect("matrix");
    world.set_matrix(PRINTER, &[vec![1_000, 0, 0], vec![0, 1_000, 0], vec![0, 0, 1_000]]).expect("matrix");
    let mut writes: BTreeMap<ShardId, BTreeMap<StateKey, [u8; 32]>> = BTreeMap::new();
    writes.entry(ShardId(0)).or_default().insert(StateKey::KnownMin(EeId(0)), u64_value(3));
    writes.entry(ShardId(0)).or_default().insert(StateKey::EeRoot(EeId(0)), [9; 32]);
    writes.entry(ShardId(0)).or_default().insert(StateKey::FeePool, u64_value(11));
    writes.entry(ShardId(1)).or_default().insert(
        StateKey::Netted { target_shard: ShardId(0), target_ee: EeId(0), root: [7; 32] },
        u64_value(10),
    );
    writes.entry(ShardId(1)).or_default().insert(
        StateKey::Message { target_shard: ShardId(0), target_ee: EeId(0), source_ee: EeId(1), root: [7; 32] },
        u64_value(1),
    );
    writes
        .entry(ShardId(2))
        .or_default()
        .insert(StateKey::Balance { column: ShardId(0), ee: EeId(0) }, cell_value(4));
    for (shard, w) in &writes {
        world.commit(*shard, w).expect("commit");
    }
    world.crosslink();
    world.beacon.deposits = (0..2u32)
        .map(|i| DepositReceipt {
            validator_index: u64::from(i),
            target: ShardId(i),
            data: DepositData { ee: EeId(i), portion: EeId(0), amount: 5 }.encode(),
            pubkey: [i as u8 + 1; 48],
            signature: [i as u8 + 2; 96],
        })
        .collect();
    world
}

/// SCALE transfer data for the example transfer EE.
pub fn transfers(ts: &[(u64, u32, Option<u32>)]) -> Vec<u8> {
    ts.iter()
        .map(|&(amount, shard, ee)| Transfer { amount, shard: ShardId(shard), ee: ee.map(EeId) })
        .collect::<Vec<_>>()
        .encode()
}

fn tx(ee: u32, ts: &[(u64, u32, Option<u32>)]) -> ShardTransaction {
    ShardTransaction { ee_id: EeId(ee), data: transfers(ts) }
}

/// The stateless target's fixture: a chain of the real meta-EE and two transfer EEs on 3
/// shards after one slot (so off-diagonal cells exist and a later spend needs foreign
/// proofs), and valid blocks for its next slot produced against that state.
pub struct Fixture {
    /// The chain at the start of the slot the blocks are for.
    pub chain: Chain<Runtime>,
    /// Valid blocks (produced, not committed), the base of the mutations.
    pub blocks: Vec<ShardBlock>,
}

/// Shards of the stateless fixture.
pub const SHARDS: u32 = 3;

/// Builds the fixture (needs the built `meta_ee` and `transfer_ee`).
pub fn fixture(engine: EngineKind) -> Fixture {
    let transfer = crate::ee("transfer_ee");
    let diag = |v: &[i64]| -> Vec<Vec<i64>> {
        (0..v.len()).map(|r| (0..v.len()).map(|c| if r == c { v[r] } else { 0 }).collect()).collect()
    };
    let world = GenesisSpec::new(SHARDS)
        .meta(crate::ee("meta_ee"))
        .ee(GenesisEe::new(EeId(0), "A", transfer.clone()).with_matrix(diag(&[10, 0, 4])))
        .ee(GenesisEe::new(EeId(1), "B", transfer).with_matrix(diag(&[5, 10, 0])))
        .build()
        .expect("genesis");
    let config = ExecConfig::default();
    let runtime = Runtime::new(engine, config.costs.clone(), config.limits.clone());
    let mut chain = Chain::new(world, runtime, config);
    // Slot 0: A moves 3 from shard 0 to shard 1 (A's column 1 on shard 0 = 3); B pays A 2
    // from shard 1 to shard 0.
    chain
        .run_slot(vec![
            (ShardId(0), vec![tx(0, &[(3, 1, None)])]),
            (ShardId(1), vec![tx(1, &[(2, 0, Some(0))])]),
        ])
        .expect("slot 0");
    let candidates: Vec<(u32, Vec<ShardTransaction>)> = vec![
        // A spends on shard 1, where its own cell is 0: covered by the foreign cell (3) of
        // shard 0's row, which the meta-EE's multiproof proves.
        (1, vec![tx(0, &[(2, 2, None)])]),
        // Cross-EE on one shard and a cross-shard move in one block; B overspends (refused).
        (0, vec![tx(0, &[(1, 0, Some(1)), (2, 2, None)]), tx(1, &[(100, 1, None)])]),
        // Several transactions, one malformed (fails), one with several transfers.
        (
            2,
            vec![
                tx(0, &[(1, 0, None), (1, 1, Some(1))]),
                ShardTransaction { ee_id: EeId(1), data: vec![1, 2, 3] },
                tx(0, &[(1, 1, None)]),
            ],
        ),
        // Nothing to net.
        (1, vec![]),
    ];
    let mut blocks = Vec::new();
    for (shard, txs) in candidates {
        let r = chain.preview(ShardId(shard), txs).expect("preview");
        blocks.push(r.block);
    }
    Fixture { chain, blocks }
}
