//! `ee demo vhee`: the VHEE walk-through — deposit, transfer, cross-shard transfer, claim,
//! replayed claim, over-claim — with balances after every step.
use super::shared::ExecArgs;
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_host::abi::Role;
use ee_host::exec::Chain;
use ee_host::runtime::Runtime;
use ee_host::state::keys::value_u64;
use ee_host::state::{EeEntry, KeyLayout, StateKey, World};
use ee_sdk::codec::Encode;
use ee_sdk::{DepositData, EeId, NettingOutput, Root, ShardId, ShardTransaction};
use relay_ee::Relay;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use vhee::client::{Keypair, Snapshot, VheeClient};
use vhee::{Address, Op, Receipt};

const META: EeId = EeId(100);
const VHEE: EeId = EeId(10);
const RELAY: EeId = EeId(20);
const GWEI: u64 = 1_000_000_000;

#[derive(Serialize)]
struct Balance {
    shard: u32,
    account: String,
    balance: u64,
}

#[derive(Serialize)]
struct Step {
    step: String,
    result: String,
    gas: u64,
    balances: Vec<Balance>,
    vhee_real_balance: Vec<i128>,
}

struct Walk {
    chain: Chain<Runtime>,
    client: VheeClient,
    people: Vec<(&'static str, Keypair, u32)>,
    steps: Vec<Step>,
}

impl Walk {
    fn snapshot(&self, shard: u32, netted: Option<(ShardId, Root)>) -> Snapshot {
        let mut s = Snapshot {
            shard: ShardId(shard),
            shard_count: self.chain.world.shard_count(),
            vhee: VHEE,
            ees: self.chain.world.beacon.ees.keys().copied().collect(),
            deposits: self.chain.world.beacon.deposits.clone(),
            ..Snapshot::default()
        };
        if let Some((source, root)) = netted {
            let key = StateKey::Netted { target_shard: ShardId(shard), target_ee: VHEE, root };
            let v = self
                .chain
                .world
                .shard(source)
                .map(|t| t.get(&key))
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            s.netted.insert((source, root), value_u64(&v));
        }
        s
    }

    fn record(&mut self, step: &str, result: String, gas: u64) {
        let balances = self
            .people
            .iter()
            .map(|(name, key, shard)| Balance {
                shard: *shard,
                account: (*name).to_string(),
                balance: self.client.account(ShardId(*shard), &key.address(EeId(0))).balance,
            })
            .collect();
        let vhee_real_balance =
            (0..2).map(|s| self.chain.world.real_balance(ShardId(s), VHEE).unwrap_or_default()).collect();
        self.steps.push(Step { step: step.to_string(), result, gas, balances, vhee_real_balance });
    }

    /// Runs one VHEE op on `shard` in a block of its own.
    fn op(&mut self, step: &str, shard: u32, op: Op, netted: Option<(ShardId, Root)>) -> anyhow::Result<()> {
        let (prepared, refusal) = self.client.prepare_anyway(op, self.snapshot(shard, netted));
        let r = self.chain.run_slot(vec![(ShardId(shard), vec![prepared.transaction(VHEE)])])?.remove(0);
        let tx = &r.outcome.txs[0];
        let result = match &tx.result {
            Ok(()) => {
                self.client.commit(&prepared);
                "ok".to_string()
            }
            Err(e) => format!("refused: {e}"),
        };
        if let (Some(expected), Err(_)) = (refusal, &tx.result) {
            tracing::info!("client predicted: {}", expected.message());
        }
        self.record(step, result, tx.gas_used);
        Ok(())
    }
}

/// Gwei as ETH, exact (`32`, `0.5`).
fn eth(gwei: i128) -> String {
    let whole = gwei / i128::from(GWEI);
    let frac = (gwei % i128::from(GWEI)).abs();
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:09}").trim_end_matches('0'))
    }
}

fn read(dir: &Path, name: &str) -> anyhow::Result<Arc<[u8]>> {
    let p = dir.join(format!("{name}.wasm"));
    Ok(std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?.into())
}

/// Runs the walk-through.
pub fn run(dir: &Path, exec: &ExecArgs, format: Format) -> anyhow::Result<()> {
    let config = exec.config(None)?;
    let (alice, bob, carol, dave) = (
        Keypair::from_seed(b"alice"),
        Keypair::from_seed(b"bob"),
        Keypair::from_seed(b"carol"),
        Keypair::from_seed(b"dave"),
    );
    let mut world = World::new(2, KeyLayout::ColumnMajor)?;
    world.register(EeEntry::new(VHEE, "vhee", Role::Ee, read(dir, "vhee")?))?;
    world.register(EeEntry::new(RELAY, "relay", Role::Ee, read(dir, "relay_ee")?))?;
    world.register(EeEntry::new(META, "meta", Role::Meta, read(dir, "meta_ee")?))?;
    world.set_matrix(RELAY, &[vec![(10 * GWEI) as i64, 0], vec![0, 0]])?;
    world.beacon.deposits =
        vec![alice.deposit(7, ShardId(0), DepositData { ee: VHEE, portion: EeId(0), amount: 32 * GWEI })];
    let runtime = exec.runtime(&config);
    let mut w = Walk {
        chain: Chain::new(world, runtime, config),
        client: VheeClient::new(),
        people: Vec::new(),
        steps: Vec::new(),
    };
    w.people = vec![("alice", alice, 0), ("bob", bob, 0), ("carol", carol, 1), ("dave", dave, 1)];
    let key = |w: &Walk, i: usize| -> Address { w.people[i].1.address(EeId(0)) };
    let sign =
        |w: &Walk, i: usize, op: Op, shard: u32| VheeClient::sign(op, &w.people[i].1, VHEE, ShardId(shard));

    w.record("genesis", "-".into(), 0);
    w.op("1. validator 7 deposits 32 ETH to Alice (shard 0)", 0, Op::Deposit { index: 0 }, None)?;

    let op =
        Op::Transfer { from: key(&w, 0), to: key(&w, 1), amount: 10 * GWEI, nonce: 0, signature: [0; 96] };
    let op = sign(&w, 0, op, 0);
    w.op("2. Alice sends 10 ETH to Bob (signed, nonce 0)", 0, op, None)?;

    let receipts = vec![
        Receipt { from: key(&w, 0), to: key(&w, 2), amount: 5 * GWEI, call_data: vec![] },
        Receipt { from: key(&w, 0), to: key(&w, 3), amount: 3 * GWEI, call_data: b"rent".to_vec() },
    ];
    let root = VheeClient::data_root(&receipts);
    let op = Op::CrossShard {
        from: key(&w, 0),
        target_shard: ShardId(1),
        receipts: receipts.clone(),
        nonce: 1,
        signature: [0; 96],
    };
    let op = sign(&w, 0, op, 0);
    w.op("3. Alice sends 5 ETH to Carol and 3 to Dave on shard 1 (receipts, netted)", 0, op, None)?;

    let claim = |index: u32, rs: &[Receipt], root: Root| Op::Claim {
        source_shard: ShardId(0),
        data_root: root,
        index,
        receipt: rs[index as usize].clone(),
        proof: VheeClient::receipt_proof(rs, index),
    };
    w.op("4. Carol claims her receipt on shard 1", 1, claim(0, &receipts, root), Some((ShardId(0), root)))?;
    w.op("5. Carol claims it again (replay)", 1, claim(0, &receipts, root), Some((ShardId(0), root)))?;
    w.op("6. Dave claims his receipt", 1, claim(1, &receipts, root), Some((ShardId(0), root)))?;

    // Seed 000's 3-vs-4: an EE nets 3 ETH towards receipts worth 2 + 2.
    let two = |to: Address| Receipt { from: to, to, amount: 2 * GWEI, call_data: vec![] };
    let bad = vec![two(key(&w, 2)), two(key(&w, 3))];
    let bad_root = VheeClient::data_root(&bad);
    let out =
        NettingOutput { target_shard: ShardId(1), target_ee: VHEE, amount: 3 * GWEI, data_root: bad_root };
    let tx = ShardTransaction { ee_id: RELAY, data: Relay::Emit(vec![out]).encode() };
    let r = w.chain.run_slot(vec![(ShardId(0), vec![tx])])?.remove(0);
    w.record(
        "7. another EE nets 3 ETH to shard 1 for receipts worth 2 + 2",
        "ok".into(),
        r.outcome.txs[0].gas_used,
    );
    w.op("8. Carol claims 2 of them", 1, claim(0, &bad, bad_root), Some((ShardId(0), bad_root)))?;
    w.op(
        "9. Dave claims the other 2 (over-claim: 4 > 3)",
        1,
        claim(1, &bad, bad_root),
        Some((ShardId(0), bad_root)),
    )?;

    if format == Format::Json {
        return print_json(&w.steps);
    }
    println!("VHEE walk-through (engine {}, balances in ETH; JSON has Gwei)\n", exec.engine);
    let mut t = table(["step", "result", "gas", "alice@0", "bob@0", "carol@1", "dave@1", "VHEE real 0 / 1"]);
    for s in &w.steps {
        let mut row = vec![s.step.clone(), s.result.clone(), s.gas.to_string()];
        row.extend(s.balances.iter().map(|b| eth(i128::from(b.balance))));
        row.push(format!("{} / {}", eth(s.vhee_real_balance[0]), eth(s.vhee_real_balance[1])));
        t.add_row(row);
    }
    println!("{t}");
    Ok(())
}
