//! The catalogue's scenarios (`scenarios/fee-market.json`, `umbrella.json`, `data-checkin.json`,
//! `token.json`):
//! generated here from the EEs' clients (transactions with their witnesses, deposits), kept
//! current by this test (regenerate with `EE_UPDATE_DOCS=1 cargo test -p ee-integration
//! --test catalogue_scenarios`), and run the way `ee run` runs them: every transaction
//! succeeds, and the run is the same on both engines.
use counter_contract::{COUNT, CounterCall, OWNER};
use ee_host::exec::{ExecConfig, tx_hash};
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::scenario::{Scenario, chain_for, run_scenario};
use ee_integration::built_wasm;
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, Root, ShardId, ShardTransaction, Transfer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

const USERS: EeId = EeId(1);
const META: u32 = 2;
const MARKET: EeId = EeId(30);
const UMBRELLA: EeId = EeId(40);

fn scenarios() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

fn tx_json(tx: &ShardTransaction) -> Value {
    json!({ "ee": tx.ee_id.0, "data": format!("0x{}", hex::encode(&tx.data)) })
}

fn ees(extra: (EeId, &str, &str)) -> Value {
    json!([
        { "id": USERS.0, "name": "users (transfer EE)", "wasm": "../target/ees/transfer_ee.wasm" },
        { "id": extra.0.0, "name": extra.1, "wasm": format!("../target/ees/{}.wasm", extra.2) },
        { "id": META, "name": "meta-EE", "role": "meta", "wasm": "../target/ees/meta_ee.wasm" }
    ])
}

/// Relayers deposit; three users' transactions; the producer collects two bids; the
/// producer withdraws its fees to the users' EE on shard 1.
fn fee_market() -> Value {
    use fee_market_ee::client::{ChainView, FeeClient, Keypair, bid, withdraw};
    use fee_market_ee::{Claim, Op};
    let (r1, r2, producer) =
        (Keypair::from_seed(b"relayer 1"), Keypair::from_seed(b"relayer 2"), Keypair::from_seed(b"producer"));
    let deposits = vec![r1.deposit(0, ShardId(0), MARKET, 1_000), r2.deposit(1, ShardId(0), MARKET, 500)];
    let view = |before: &[ShardTransaction]| ChainView {
        shard: ShardId(0),
        shard_count: 2,
        ee: MARKET,
        ees: [USERS, MARKET, EeId(META)].into(),
        tx_hashes: before.iter().map(|t| tx_hash(ShardId(0), t)).collect(),
        deposits: deposits.clone(),
        ..ChainView::default()
    };
    let mut client = FeeClient::new();
    let mut step = |op: Op, before: &[ShardTransaction]| {
        let p = client.prepare(op, &view(before)).unwrap();
        client.commit(&p);
        p.transaction(MARKET)
    };
    let d0 = step(Op::Deposit { index: 0 }, &[]);
    let d1 = step(Op::Deposit { index: 1 }, &[]);
    let users: Vec<ShardTransaction> = (1..=3u64)
        .map(|n| ShardTransaction {
            ee_id: USERS,
            data: vec![Transfer { amount: 0, shard: ShardId(0), ee: None }; n as usize].encode(),
        })
        .collect();
    let h: Vec<Root> = users.iter().map(|t| tx_hash(ShardId(0), t)).collect();
    let claims = vec![
        Claim { bid: bid(&r1, vec![h[0], h[2]], 30, 0, MARKET, ShardId(0)), positions: vec![0, 2] },
        Claim { bid: bid(&r2, vec![h[1]], 5, 0, MARKET, ShardId(0)), positions: vec![1] },
    ];
    let collect = step(Op::Collect { producer: producer.public, claims }, &users);
    let out = step(withdraw(&producer, (ShardId(1), USERS), 35, 0, MARKET, ShardId(0)), &[]);
    let mut block = users.iter().map(tx_json).collect::<Vec<_>>();
    block.push(tx_json(&collect));
    json!({
        "name": "fee market: relayers deposit, the producer collects two bids through lookback and withdraws",
        "shards": 2,
        "ees": ees((MARKET, "fee market", "fee_market_ee")),
        "deposits": deposits.iter().map(|d| format!("0x{}", hex::encode(d.encode()))).collect::<Vec<_>>(),
        "blocks": [
            { "shard": 0, "transactions": [tx_json(&d0), tx_json(&d1)] },
            { "shard": 0, "transactions": block },
            { "shard": 0, "transactions": [tx_json(&out)] }
        ]
    })
}

/// Alice and Bob deposit; Alice deploys the counter; Bob adds with value and becomes its
/// owner; Alice adds; Bob pays out to Alice.
fn umbrella() -> Value {
    use umbrella_ee::Op;
    use umbrella_ee::client::{ChainView, Keypair, UmbrellaClient, sign};
    let (alice, bob) = (Keypair::from_seed(b"alice"), Keypair::from_seed(b"bob"));
    let deposits =
        vec![alice.deposit(0, ShardId(0), UMBRELLA, 1_000), bob.deposit(1, ShardId(0), UMBRELLA, 300)];
    let view = ChainView {
        shard: ShardId(0),
        shard_count: 2,
        ee: UMBRELLA,
        ees: [USERS, UMBRELLA, EeId(META)].into(),
        deposits: deposits.clone(),
        children: Some(ee_integration::run_counter),
        ..ChainView::default()
    };
    let code = built_wasm("counter_contract").to_vec();
    let hash: Root = Sha256::digest(&code).into();
    let mut client = UmbrellaClient::new();
    let mut step = |op: Op, key: Option<&Keypair>, code: Vec<u8>| {
        let op = match key {
            Some(k) => sign(op, k, UMBRELLA, ShardId(0)),
            None => op,
        };
        let p = client.prepare(op, code, &view).unwrap();
        client.commit(&p);
        tx_json(&p.transaction(UMBRELLA))
    };
    let contract = UmbrellaClient::contract_id(&alice.public, 0);
    let call = |caller: &Keypair, value: u64, input: CounterCall, nonce: u64| Op::Call {
        caller: caller.public,
        contract,
        value,
        input: input.encode(),
        slots: vec![COUNT, OWNER],
        nonce,
        signature: [0; 96],
    };
    let txs = vec![
        step(Op::Deposit { index: 0 }, None, vec![]),
        step(Op::Deposit { index: 1 }, None, vec![]),
        step(
            Op::Deploy { deployer: alice.public, code_hash: hash, nonce: 0, signature: [0; 96] },
            Some(&alice),
            code.clone(),
        ),
        step(call(&bob, 100, CounterCall::Add(5), 0), Some(&bob), code.clone()),
        step(call(&alice, 50, CounterCall::Add(2), 1), Some(&alice), code.clone()),
        step(
            call(&bob, 0, CounterCall::Payout { to: alice.public, amount: 120 }, 1),
            Some(&bob),
            code.clone(),
        ),
    ];
    json!({
        "name": "umbrella: deploy the counter contract, call it with value, pay out (wasm-spawning-wasm)",
        "shards": 2,
        "ees": ees((UMBRELLA, "umbrella", "umbrella_ee")),
        "deposits": deposits.iter().map(|d| format!("0x{}", hex::encode(d.encode()))).collect::<Vec<_>>(),
        "blocks": txs.into_iter().map(|t| json!({ "shard": 0, "transactions": [t] })).collect::<Vec<_>>()
    })
}

/// A rollup operator checks in three state roots of its chain on shard 1.
fn data_checkin() -> Value {
    use data_checkin_ee::client::{ChainView, CheckinClient, Keypair, checkin};
    const CHECKIN: EeId = EeId(50);
    let operator = Keypair::from_seed(b"rollup operator");
    let view = ChainView { shard: ShardId(1), shard_count: 2, ee: CHECKIN, ..ChainView::default() };
    let mut client = CheckinClient::new();
    let blocks: Vec<Value> = (1..=3u64)
        .map(|seq| {
            let root: Root = Sha256::digest(format!("rollup state {seq}")).into();
            let p = client
                .prepare(checkin(&operator, [0x42; 32], seq, root, CHECKIN, ShardId(1)), &view)
                .unwrap();
            client.commit(&p);
            json!({ "shard": 1, "transactions": [tx_json(&p.transaction(CHECKIN))] })
        })
        .collect();
    json!({
        "name": "data check-in: a rollup operator commits three state roots on shard 1",
        "shards": 2,
        "ees": ees((CHECKIN, "data check-in", "data_checkin_ee")),
        "blocks": blocks
    })
}

/// The issuer mints for Alice on shard 0; Alice pays Bob there, then sends Bob tokens on
/// shard 1 (a message), where Bob claims them.
fn token() -> Value {
    use token_ee::Op;
    use token_ee::client::{ChainView, Keypair, TokenClient, claims, sign};
    const TOKEN: EeId = EeId(60);
    let (issuer, alice, bob) =
        (Keypair::from_seed(b"issuer"), Keypair::from_seed(b"alice"), Keypair::from_seed(b"bob"));
    let t = issuer.public;
    let mut client = TokenClient::new();
    let view =
        |shard: u32| ChainView { shard: ShardId(shard), shard_count: 2, ee: TOKEN, ..ChainView::default() };
    let mut step = |shard: u32, op: Op, view: ChainView| {
        let p = client.prepare(op, &view).unwrap();
        client.commit(&p);
        json!({ "shard": shard, "transactions": [tx_json(&p.transaction(TOKEN))] })
    };
    let s0 = |op: Op, k: &Keypair| sign(op, k, TOKEN, ShardId(0));
    let cross = s0(
        Op::CrossShard {
            token: t,
            from: alice.public,
            target_shard: ShardId(1),
            to: vec![(bob.public, 300)],
            nonce: 1,
            signature: [0; 96],
        },
        &alice,
    );
    let (root, claim) = claims(ShardId(0), &cross).unwrap();
    let mut claim_view = view(1);
    claim_view.messages.insert((ShardId(0), TOKEN, root), 1);
    let blocks = vec![
        step(
            0,
            s0(Op::Mint { token: t, to: alice.public, amount: 1_000, nonce: 0, signature: [0; 96] }, &issuer),
            view(0),
        ),
        step(
            0,
            s0(
                Op::Transfer {
                    token: t,
                    from: alice.public,
                    to: bob.public,
                    amount: 100,
                    nonce: 0,
                    signature: [0; 96],
                },
                &alice,
            ),
            view(0),
        ),
        step(0, cross, view(0)),
        step(1, claim[0].clone(), claim_view),
    ];
    json!({
        "name": "token: mint, transfer, send across shards as a message, claim",
        "shards": 2,
        "ees": ees((TOKEN, "token", "token_ee")),
        "blocks": blocks
    })
}

fn check(name: &str, scenario: Value) {
    let path = scenarios().join(name);
    let text = serde_json::to_string_pretty(&scenario).unwrap() + "\n";
    if std::env::var_os("EE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "{name} is out of date: EE_UPDATE_DOCS=1 cargo test -p ee-integration --test catalogue_scenarios"
    );
    let s = Scenario::from_path(&path).unwrap();
    let mut roots = Vec::new();
    for &engine in EngineKind::all() {
        let world = s.build_world(Scenario::read_wasm).unwrap();
        let config = ExecConfig::default();
        let runtime = Runtime::new(engine, config.costs.clone(), config.limits.clone());
        let mut chain = chain_for(&s, world, runtime, config);
        let report = run_scenario(&s, &mut chain, engine.name()).unwrap();
        for b in &report.blocks {
            for t in &b.transactions {
                assert!(
                    t.ok,
                    "{name} on {}: block {} tx {} failed: {:?}",
                    engine.name(),
                    b.slot,
                    t.index,
                    t.error
                );
            }
            assert_eq!((b.deferred, b.dropped), (0, 0));
        }
        roots.push(report.shard_roots.clone());
    }
    assert!(roots.windows(2).all(|w| w[0] == w[1]), "{name}: both engines reach the same roots");
}

#[test]
fn the_fee_market_scenario_is_current_and_runs() {
    check("fee-market.json", fee_market());
}

#[test]
fn the_umbrella_scenario_is_current_and_runs() {
    check("umbrella.json", umbrella());
}

#[test]
fn the_data_checkin_scenario_is_current_and_runs() {
    check("data-checkin.json", data_checkin());
}

#[test]
fn the_token_scenario_is_current_and_runs() {
    check("token.json", token());
}
