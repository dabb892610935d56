//! The catalogue on the devnet, as a user meets it: the token and data check-in EEs are
//! deployed over JSON-RPC like any EE binary, and transactions built by their clients
//! (with witnesses against the new EE's empty trees) are accepted and executed. The
//! devnet names each transaction by the hash `lookback_hash` gives.
use data_checkin_ee::client::{ChainView as CheckinView, CheckinClient, checkin};
use ee_client::keys::dev_key;
use ee_client::{HttpTransport, NewExecutionScript, TxRequest};
use ee_devnet::{Node, NodeConfig, ServeConfig, serve};
use ee_integration::built_wasm;
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, ShardId, ShardTransaction};
use std::sync::Arc;
use std::time::Duration;
use token_ee::Op;
use token_ee::client::{ChainView, Keypair, TokenClient, sign};

type Client = ee_client::Client<HttpTransport>;

fn deploy(client: &Client, name: &str) -> u32 {
    let script =
        NewExecutionScript::signed(0, client.head().unwrap().slot, built_wasm(name).to_vec(), &dev_key(0));
    let deployed = client.deploy_bytes(&script.encode(), true).unwrap();
    assert!(deployed.applied, "{name}");
    deployed.ee
}

/// Sends `tx` on `shard`, checks the devnet names it by the host's hash, waits for it and
/// returns its error (None: it succeeded).
fn run(client: &Client, shard: u32, tx: ShardTransaction) -> Option<String> {
    let accepted = client.send_transaction(TxRequest::new(shard, tx.ee_id.0, &tx.data)).unwrap();
    assert_eq!(accepted.hash, hex::encode(ee_host::exec::tx_hash(ShardId(shard), &tx)));
    client.wait_for(&accepted.hash, Duration::from_secs(60)).unwrap().result.error
}

#[test]
fn catalogue_ees_deploy_and_run_on_the_devnet() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::new(dir.path().join("devnet.redb"));
    config.shards = 2;
    config.slot_ms = 40;
    config.exec.limits.gas_price = 0;
    let genesis = ee_integration::devnet_genesis(1_000_000);
    let node = Arc::new(Node::open(config, Some(genesis)).unwrap());
    let devnet = serve(node.clone(), ServeConfig::new("127.0.0.1:0".parse().unwrap(), &node)).unwrap();
    let client = Client::connect(&devnet.url()).unwrap();

    let token = EeId(deploy(&client, "token_ee"));
    let checkin_ee = EeId(deploy(&client, "data_checkin_ee"));
    assert_eq!(client.get_ee(token.0).unwrap().code_bytes, built_wasm("token_ee").len());

    // Tokens: the issuer mints for Alice, Alice pays Bob; a replayed mint is refused.
    let (issuer, alice, bob) =
        (Keypair::from_seed(b"issuer"), Keypair::from_seed(b"alice"), Keypair::from_seed(b"bob"));
    let t = issuer.public;
    let view = ChainView { shard: ShardId(0), shard_count: 2, ee: token, ..ChainView::default() };
    let mut tokens = TokenClient::new();
    let mint = sign(
        Op::Mint { token: t, to: alice.public, amount: 500, nonce: 0, signature: [0; 96] },
        &issuer,
        token,
        ShardId(0),
    );
    let p = tokens.prepare(mint, &view).unwrap();
    assert_eq!(run(&client, 0, p.transaction(token)), None);
    tokens.commit(&p);
    let replay = p.transaction(token);
    // The devnet refuses the same transaction twice (by hash) before it reaches the EE.
    let again = client.send_transaction(TxRequest::new(0, token.0, &replay.data));
    assert!(matches!(again, Err(ee_client::ClientError::Rpc { .. })), "{again:?}");
    let pay = Op::Transfer {
        token: t,
        from: alice.public,
        to: bob.public,
        amount: 120,
        nonce: 0,
        signature: [0; 96],
    };
    let p = tokens.prepare(sign(pay, &alice, token, ShardId(0)), &view).unwrap();
    assert_eq!(run(&client, 0, p.transaction(token)), None);
    tokens.commit(&p);
    assert_eq!(tokens.balance(ShardId(0), &t, &bob.public), 120);
    // A second mint with the used nonce (a new transaction) is refused by the EE.
    let reused = sign(
        Op::Mint { token: t, to: bob.public, amount: 9, nonce: 0, signature: [0; 96] },
        &issuer,
        token,
        ShardId(0),
    );
    let witness = tokens.witness(ShardId(0), {
        let nowhere = ChainView::default();
        let env = &mut ee_sdk::client::ClientEnv::new(&nowhere);
        vec![
            token_ee::logic::nonce_key(env, &t),
            token_ee::logic::supply_key(env, &t),
            token_ee::logic::balance_key(env, &t, &bob.public),
        ]
    });
    let tx = ShardTransaction { ee_id: token, data: token_ee::TokenTx { op: reused, witness }.encode() };
    let refused = run(&client, 0, tx).expect("a reused nonce is refused");
    assert!(refused.contains(token_ee::TokenError::AlreadyUsed.message()), "{refused}");

    // A rollup operator checks in two roots on shard 1.
    let operator = Keypair::from_seed(b"operator");
    let cview = CheckinView { shard: ShardId(1), shard_count: 2, ee: checkin_ee, ..CheckinView::default() };
    let mut checkins = CheckinClient::new();
    for seq in 1..=2u64 {
        let p = checkins
            .prepare(checkin(&operator, [7; 32], seq, [seq as u8; 32], checkin_ee, ShardId(1)), &cview)
            .unwrap();
        assert_eq!(run(&client, 1, p.transaction(checkin_ee)), None, "check-in {seq}");
        checkins.commit(&p);
    }
    drop(devnet);
}
