//! The devnet over its JSON-RPC: deployment of a built EE, cross-shard transfers with
//! matrices and receipts read back, refusals that change nothing,
//! a restart, the state provider, and a bounded loopback load test. (The `ee` binary's
//! side — `ee devnet` under `kill -9`, the CLI round trip — is in `ee-cli`'s tests.)
use ee_client::keys::dev_key;
use ee_client::tx::transfer_data;
use ee_client::{ClientError, HeadInfo, HttpTransport, Method, NewExecutionScript, TxRequest};
use ee_devnet::{Devnet, Genesis, Node, NodeConfig, ServeConfig, ServeError, TRANSFER_EE, serve};
use ee_integration::built_wasm;
use ee_sdk::codec::Encode;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const BALANCE: i64 = 1_000_000_000_000;

fn genesis() -> Genesis {
    ee_integration::devnet_genesis(BALANCE)
}

fn open(dir: &Path, shards: u32, slot_ms: u64) -> Arc<Node> {
    open_priced(dir, shards, slot_ms, NodeConfig::new(dir.join("x")).exec.limits.gas_price)
}

/// A node charging `gas_price` Gwei per 1,000 gas (0: no fees).
fn open_priced(dir: &Path, shards: u32, slot_ms: u64, gas_price: u64) -> Arc<Node> {
    let mut config = NodeConfig::new(dir.join("devnet.redb"));
    config.shards = shards;
    config.slot_ms = slot_ms;
    config.exec.limits.gas_price = gas_price;
    Arc::new(Node::open(config, Some(genesis())).expect("node opens"))
}

fn start(node: Arc<Node>, produce: bool) -> (Devnet, Client) {
    let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap(), &node);
    config.produce = produce;
    let devnet = serve(node, config).expect("serves");
    let client = Client::connect(&devnet.url()).expect("client");
    (devnet, client)
}

type Client = ee_client::Client<HttpTransport>;

fn transfer(shard: u32, ee: u32, amount: u64, to: u32) -> TxRequest {
    TxRequest::new(shard, ee, &transfer_data(&[(amount, to, None)]))
}

fn rpc_code(r: Result<impl std::fmt::Debug, ClientError>) -> i32 {
    match r {
        Err(ClientError::Rpc { code, .. }) => code,
        other => panic!("expected an RPC error, got {other:?}"),
    }
}

fn total(m: &[Vec<i64>]) -> i64 {
    m.iter().flatten().sum()
}

#[test]
fn deploys_a_built_ee_and_nets_cross_shard_transfers_over_rpc() {
    let dir = tempfile::tempdir().unwrap();
    // Without fees, so the matrices show the netting alone (fees: `fees_are_paid_…`).
    let (devnet, client) = start(open_priced(dir.path(), 4, 40, 0), true);

    // Deploy the freshly built transfer EE as a new EE, signed by validator 0.
    let code = built_wasm("transfer_ee").to_vec();
    let before = client.get_validator(0).unwrap().balance;
    let script =
        NewExecutionScript::signed(0, client.head().unwrap().slot, code.clone(), &dev_key(0)).encode();
    let estimate = client.deploy_bytes(&script, false).unwrap();
    assert!(!estimate.applied);
    assert_eq!(
        client.head().unwrap().ees,
        3,
        "an estimate changes nothing (genesis: the meta-EE, the VHEE, the transfer EE)"
    );
    let deployed = client.deploy_bytes(&script, true).unwrap();
    assert_eq!((deployed.ee, deployed.applied, deployed.code_bytes), (2, true, code.len()));
    let info = client.get_ee(2).unwrap();
    assert_eq!(info.code_hash, deployed.code_hash);
    assert_eq!(info.deployer, Some(0));
    assert_eq!(client.get_validator(0).unwrap().balance, before - deployed.deposit);
    assert_eq!(client.get_matrix(2).unwrap(), vec![vec![0; 4]; 4]);

    // The state provider answers for a pending transaction against the committed root.
    let t1 = transfer(0, TRANSFER_EE.0, 5_000, 2);
    let w = client.get_witness(t1.clone()).unwrap();
    assert!(w.ok && w.gas > 0 && w.witness_bytes > 0, "{w:?}");
    assert_eq!(w.pre_root, client.head().unwrap().shard_roots[0]);

    // Cross-shard transfers of the funded genesis EE, and one of the new (empty) EE.
    let sent = [
        t1,
        transfer(1, TRANSFER_EE.0, 7_000, 3),
        transfer(3, TRANSFER_EE.0, 1_000, 0),
        transfer(2, 2, 9, 1),
    ];
    let hashes: Vec<String> = sent.iter().map(|t| client.send_transaction(t.clone()).unwrap().hash).collect();
    let located: Vec<_> =
        hashes.iter().map(|h| client.wait_for(h, Duration::from_secs(60)).unwrap()).collect();
    for (loc, tx) in located.iter().zip(&sent) {
        assert_eq!(loc.shard, tx.shard);
        assert_eq!((loc.result.error.as_deref(), loc.result.outputs), (None, 1), "{loc:?}");
    }

    let m = client.get_matrix(TRANSFER_EE.0).unwrap();
    assert_eq!(
        (m[0][0], m[0][2], m[1][1], m[1][3], m[3][3], m[3][0]),
        (BALANCE - 5_000, 5_000, BALANCE - 7_000, 7_000, BALANCE - 1_000, 1_000)
    );
    assert_eq!(total(&m), 4 * BALANCE, "netting conserves value");
    assert_eq!(client.get_matrix(2).unwrap(), vec![vec![0; 4]; 4], "an unfunded EE's payment is refused");

    // Receipts: the meta-EE accepted the funded transfers and rejected the unfunded one.
    let receipts = client.get_receipts(located[0].slot, 0).unwrap();
    assert!(
        receipts.iter().any(|r| r.source_ee == 1 && r.target == Some((2, 1, 5_000)) && r.rejected.is_none()),
        "{receipts:?}"
    );
    let receipts = client.get_receipts(located[3].slot, 2).unwrap();
    let refused = receipts.iter().find(|r| r.source_ee == 2).expect("a decision on EE 2's output");
    assert_eq!(refused.target, Some((1, 2, 9)));
    assert!(refused.rejected.is_some(), "{refused:?}");

    // Blocks chain: each block's pre-root is the previous post-root; the last is the head.
    let head = client.head().unwrap();
    for shard in 0..4 {
        let mut root = None;
        for slot in 0..head.slot {
            let b = client.get_block(slot, shard).unwrap();
            if let Some(r) = root {
                assert_eq!(b.pre_root, r, "slot {slot} shard {shard}");
            }
            root = Some(b.post_root);
        }
    }
    assert_eq!(rpc_code(client.get_transaction("00".repeat(32))), 12, "unknown transactions are not found");
    devnet.stop();
}

/// Everything observable about the node's state.
fn snapshot(client: &Client) -> (u64, Vec<String>, u32, u64, u64, Vec<Vec<i64>>) {
    let HeadInfo { slot, shard_roots, ees, .. } = client.head().unwrap();
    let v0 = client.get_validator(0).unwrap().balance;
    let v1 = client.get_validator(1).unwrap().balance;
    (slot, shard_roots, ees, v0, v1, client.get_matrix(TRANSFER_EE.0).unwrap())
}

/// A raw HTTP POST to the server; returns status code and body.
fn post(addr: std::net::SocketAddr, body: &[u8]) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // The server may answer (413) and close before the whole body is written.
    let _ = s.write_all(head.as_bytes()).and_then(|_| s.write_all(body));
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
    (status, body)
}

#[test]
fn refusals_have_clear_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), 2, 1000);
    let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap(), &node);
    config.produce = false;
    let devnet = serve(node.clone(), config).unwrap();
    let client = Client::connect(&devnet.url()).unwrap();
    node.produce_slot().unwrap();

    let code = built_wasm("transfer_ee").to_vec();
    let good = NewExecutionScript::signed(0, 1, code.clone(), &dev_key(0));
    client.deploy_bytes(&good.encode(), true).unwrap();
    let state = snapshot(&client);

    let refuse = |bytes: Vec<u8>, code: i32, words: &str| {
        for apply in [false, true] {
            match client.deploy_bytes(&bytes, apply) {
                Err(ClientError::Rpc { code: c, message }) => {
                    assert_eq!(c, code, "{message}");
                    assert!(message.contains(words), "`{message}` should mention `{words}`");
                }
                other => panic!("expected refusal `{words}`, got {other:?}"),
            }
            assert_eq!(snapshot(&client), state, "a refused deploy ({words}) changed state");
        }
    };
    // Bad signature: a flipped bit, and a signature by another key.
    let mut bad = good.clone();
    bad.signature[5] ^= 1;
    refuse(bad.encode(), 1, "bad signature");
    let mut other = NewExecutionScript::signed(0, 2, code.clone(), &dev_key(7));
    other.pubkey = good.pubkey;
    refuse(other.encode(), 1, "bad signature");
    // A valid signature by a key that is not the sender's.
    refuse(NewExecutionScript::signed(0, 2, code.clone(), &dev_key(1)).encode(), 3, "another key");
    refuse(NewExecutionScript::signed(9, 2, code.clone(), &dev_key(0)).encode(), 2, "unknown sender");
    // Replayed deploy.
    refuse(good.encode(), 4, "replayed");
    // Invalid wasm: not wasm; a float; a forbidden import — the reasons of `ee check`.
    refuse(
        NewExecutionScript::signed(0, 3, b"\0asm garbage".to_vec(), &dev_key(0)).encode(),
        5,
        "invalid wasm",
    );
    let float = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func (export "main") (drop (f32.const 1))))"#,
    )
    .unwrap();
    refuse(NewExecutionScript::signed(0, 3, float, &dev_key(0)).encode(), 5, "float");
    let import = wat::parse_str(
        r#"(module (import "env" "abort" (func)) (memory (export "memory") 1) (func (export "main")))"#,
    )
    .unwrap();
    refuse(NewExecutionScript::signed(0, 3, import, &dev_key(0)).encode(), 5, "abort");
    // Insufficient deposit: validator 1 holds 1 ETH.
    refuse(NewExecutionScript::signed(1, 3, code.clone(), &dev_key(1)).encode(), 6, "insufficient deposit");
    // Not a NewExecutionScript at all.
    refuse(vec![1, 2, 3], -32602, "malformed");

    // Transactions: unknown shard / EE, the meta-EE, non-hex data, oversized data, duplicates.
    assert_eq!(rpc_code(client.send_transaction(transfer(2, 1, 1, 0))), 7);
    assert_eq!(rpc_code(client.send_transaction(transfer(0, 42, 1, 0))), 8);
    assert_eq!(
        rpc_code(client.send_transaction(transfer(0, ee_sdk::META_EE.0, 1, 0))),
        8,
        "the meta-EE takes no user transactions"
    );
    assert_eq!(rpc_code(client.send_transaction(TxRequest { shard: 0, ee: 1, data: "zz".into() })), -32602);
    let huge = TxRequest { shard: 0, ee: 1, data: "00".repeat(200_000) };
    assert_eq!(rpc_code(client.send_transaction(huge.clone())), 9);
    let t = transfer(0, 1, 5, 1);
    client.send_transaction(t.clone()).unwrap();
    assert_eq!(rpc_code(client.send_transaction(t.clone())), 11, "a pending duplicate");
    node.produce_slot().unwrap();
    assert_eq!(rpc_code(client.send_transaction(t.clone())), 11, "a committed duplicate");
    let state = snapshot(&client);

    // Malformed JSON-RPC and oversized requests: errors, nothing changes.
    let addr = devnet.addr();
    let (status, body) = post(addr, b"{this is not json");
    assert!(body.contains("-32700"), "{status} {body}");
    let (_, body) = post(addr, br#"{"jsonrpc":"2.0","id":1,"method":"ee_getBlock","params":["x"]}"#);
    assert!(body.contains("-32602"), "{body}");
    let (_, body) = post(addr, br#"{"jsonrpc":"2.0","id":1,"method":"ee_mint","params":[]}"#);
    assert!(body.contains("-32601"), "{body}");
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ee_deploy","params":["{}"]}}"#,
        "00".repeat(700 * 1024)
    );
    let (status, body) = post(addr, big.as_bytes());
    assert_eq!(status, 413, "{body}");
    assert_eq!(snapshot(&client), state);
    // Through the client, a deployment too large for the node says so, for both sizes
    // (the node answers 413, or closes before reading a very large body).
    for kib in [700usize, 7 * 1024] {
        let err = client.deploy_bytes(&vec![0; kib * 1024], true).unwrap_err().to_string();
        assert!(err.contains("too large"), "{kib} KiB: {err}");
    }
    assert_eq!(snapshot(&client), state);

    // Only loopback is served.
    let err = serve(node.clone(), ServeConfig::new("0.0.0.0:0".parse().unwrap(), &node)).err().unwrap();
    assert!(matches!(err, ServeError::NotLoopback(_)), "{err}");
    devnet.stop();
}

/// Sustained loopback throughput: `EE_LOAD_TXS` transfers (default 6,000) from 2 client
/// threads, all committed; prints transactions/s. Bounded in count and time.
fn load(shards: u32, batched: bool) {
    let count: u64 = std::env::var("EE_LOAD_TXS").ok().and_then(|v| v.parse().ok()).unwrap_or(6_000);
    let dir = tempfile::tempdir().unwrap();
    let (devnet, client) = start(open(dir.path(), shards, 50), true);
    let url = devnet.url();
    let started = Instant::now();
    let senders: Vec<_> = (0..2u64)
        .map(|t| {
            let url = url.clone();
            std::thread::spawn(move || {
                let client = Client::connect(&url).unwrap();
                let txs: Vec<TxRequest> = (t..count)
                    .step_by(2)
                    .map(|i| {
                        let from = (i % u64::from(shards)) as u32;
                        transfer(from, 1, 1 + i, (from + 1) % shards)
                    })
                    .collect();
                if batched {
                    for r in client.send_transactions(&txs).unwrap() {
                        r.unwrap();
                    }
                } else {
                    for tx in txs {
                        client.send_transaction(tx).unwrap();
                    }
                }
            })
        })
        .collect();
    for s in senders {
        s.join().unwrap();
    }
    let sent_in = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(300);
    let head = loop {
        let head = client.head().unwrap();
        if head.committed_txs >= count {
            break head;
        }
        assert!(Instant::now() < deadline, "load: {} of {count} committed in 300 s", head.committed_txs);
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    assert_eq!(head.committed_txs, count);
    assert!(head.fees > 0, "transactions paid for their gas");
    assert_eq!(
        total(&client.get_matrix(1).unwrap()) + head.fees as i64,
        i64::from(shards) * BALANCE,
        "value conserved, fees included"
    );
    println!(
        "devnet load, {shards} shards, {}: {count} transfers submitted in {:.2} s ({:.0} tx/s accepted), committed in {:.2} s: {:.0} tx/s sustained over {} slots",
        if batched { "batches of 64" } else { "one request per transaction" },
        sent_in.as_secs_f64(),
        count as f64 / sent_in.as_secs_f64(),
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        head.slot
    );
    devnet.stop();
}

#[test]
fn load_4_shards() {
    load(4, false);
}

#[test]
fn load_64_shards() {
    load(64, false);
}

#[test]
fn load_4_shards_batched() {
    load(4, true);
}

#[test]
fn load_64_shards_batched() {
    load(64, true);
}

/// A JSON-RPC batch answers each call on its own (a bad one among good ones fails
/// alone), in order; a batch over the limit is refused whole, with nothing queued.
#[test]
fn batches_answer_every_call_and_have_a_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (devnet, client) = start(open(dir.path(), 2, 1000), false);
    let mut txs: Vec<TxRequest> = (0..5).map(|i| transfer(0, 1, 100 + i, 1)).collect();
    txs[2] = TxRequest::new(7, 1, b"");
    let results = client.send_transactions(&txs).unwrap();
    assert_eq!(results.len(), 5);
    for (i, r) in results.iter().enumerate() {
        match (i, r) {
            (2, Err(e)) => assert_eq!(e.code(), Some(ee_client::ErrorCode::UnknownShard), "{e}"),
            (2, Ok(a)) => panic!("shard 7 accepted: {a:?}"),
            (_, r) => assert_eq!(r.as_ref().unwrap().shard, 0),
        }
    }
    assert_eq!(client.head().unwrap().pending, vec![4, 0]);
    let too_many: Vec<Vec<serde_json::Value>> = (0..=ee_client::api::MAX_BATCH as u64)
        .map(|i| vec![serde_json::to_value(transfer(1, 1, 1000 + i, 0)).unwrap()])
        .collect();
    let refused = client.call_batch::<ee_client::TxAccepted>(ee_client::Method::send_transaction, too_many);
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(client.head().unwrap().pending, vec![4, 0], "nothing of the refused batch was queued");
    // Longer lists are split by `send_transactions`.
    let many: Vec<TxRequest> = (0..150).map(|i| transfer(1, 1, 2000 + i, 0)).collect();
    assert!(client.send_transactions(&many).unwrap().iter().all(Result::is_ok));
    assert_eq!(client.head().unwrap().pending, vec![4, 150]);
    devnet.stop();
}

/// Connections that send their headers and part of a body, then go quiet, hold the
/// server's connection slots only until the idle timeout: filling every slot with them
/// locks clients out for seconds (HTTP 429), not for as long as the attacker likes.
#[test]
fn half_sent_requests_time_out() {
    let dir = tempfile::tempdir().unwrap();
    let (devnet, client) = start(open(dir.path(), 2, 1000), false);
    let addr = devnet.addr();
    let started = Instant::now();
    // More than the slots: the surplus is refused at once, the rest hold every slot.
    let idle: Vec<std::net::TcpStream> = (0..ee_devnet::server::MAX_CONNECTIONS + 16)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            let head =
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
            s.write_all(head.as_bytes()).and_then(|_| s.write_all(b"{\"jsonrpc\"")).unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut locked_out = false;
    let served = loop {
        match client.head() {
            Ok(h) => break h,
            Err(e) => {
                assert!(e.to_string().contains("429"), "{e}");
                locked_out = true;
                assert!(started.elapsed() < ee_devnet::server::IDLE_TIMEOUT * 4, "still locked out: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    let after = started.elapsed();
    println!(
        "locked out: {locked_out}; served again after {after:?} with {} half-sent connections",
        idle.len()
    );
    assert!(locked_out, "the half-sent connections held every slot");
    assert!(after >= ee_devnet::server::IDLE_TIMEOUT / 2, "{after:?}");
    assert_eq!(served.shards, 2);
    drop(idle);
    devnet.stop();
}

/// With a disk cache, an applied deployment is compiled at deploy time into it (the
/// first block using the EE loads it instead of compiling); an estimate is not kept.
#[test]
fn deployments_are_compiled_into_the_disk_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("modules");
    let mut config = NodeConfig::new(dir.path().join("devnet.redb"));
    config.shards = 2;
    config.module_cache = Some(cache.clone());
    let node = Arc::new(Node::open(config, Some(genesis())).unwrap());
    let entries = || {
        std::fs::read_dir(&cache)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "module"))
            .count()
    };
    let before = entries();
    let script =
        |code: &str| NewExecutionScript::signed(0, 0, built_wasm(code).to_vec(), &dev_key(0)).encode();
    node.deploy(&script("relay_ee"), false).unwrap();
    assert_eq!(entries(), before, "an estimate keeps nothing");
    node.deploy(&script("relay_ee"), true).unwrap();
    assert_eq!(entries(), before + 1, "the deployed EE is compiled into the cache");
}

/// A store file truncated to nothing is refused with a message, not taken for a new
/// devnet (redb would initialise it).
#[test]
fn an_empty_store_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devnet.redb");
    std::fs::write(&path, b"").unwrap();
    let err = Node::open(NodeConfig::new(path.clone()), Some(genesis())).err().expect("refused");
    assert!(err.to_string().contains("empty file"), "{err}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0, "left as it was");
}

#[test]
fn a_restarted_node_resumes_with_the_same_roots() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), 3, 1000);
    node.submit(&transfer(0, 1, 10, 1)).unwrap();
    node.produce_slot().unwrap();
    node.produce_slot().unwrap();
    let head = node.head().unwrap();
    let pending = transfer(1, 1, 11, 2);
    node.submit(&pending).unwrap();
    drop(node);
    let mut config = NodeConfig::new(dir.path().join("devnet.redb"));
    config.shards = 3;
    let node = Node::open(config, None).unwrap();
    let again = node.head().unwrap();
    assert_eq!((again.slot, &again.shard_roots, again.committed_txs), (head.slot, &head.shard_roots, 1));
    assert_eq!(again.pending, vec![0, 0, 0], "mempools are not persisted");
    assert_eq!(node.matrix(1).unwrap()[0][1], 10);
}

/// `docs/DEVNET.md`'s method and error-code tables are generated from `ee-client`'s
/// tables (regenerate with `EE_UPDATE_DOCS=1 cargo test -p ee-integration --test devnet docs`).
#[test]
fn docs_list_every_method_and_error_code() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/DEVNET.md");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let sections = [
        (
            "<!-- methods: generated from client/src/api.rs -->\n",
            "<!-- /methods -->",
            ee_client::api::methods_markdown(),
        ),
        (
            "<!-- errors: generated from client/src/error.rs -->\n",
            "<!-- /errors -->",
            ee_client::error::error_codes_markdown(),
        ),
    ];
    for (open, close, generated) in sections {
        let start = text.find(open).unwrap_or_else(|| panic!("marker {open}")) + open.len();
        let end = text.find(close).unwrap_or_else(|| panic!("marker {close}"));
        if std::env::var_os("EE_UPDATE_DOCS").is_some() {
            text = format!("{}{generated}{}", &text[..start], &text[end..]);
        } else {
            assert!(
                text[start..end] == generated,
                "docs/DEVNET.md is out of date ({open}): EE_UPDATE_DOCS=1"
            );
        }
    }
    if std::env::var_os("EE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, text).unwrap();
    }
}

/// Every method in the table is served (and nothing else is).
#[test]
fn every_method_in_the_table_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let (devnet, _client) = start(open(dir.path(), 1, 1000), false);
    for m in Method::ALL {
        let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{}","params":[]}}"#, m.name());
        let (status, reply) = post(devnet.addr(), body.as_bytes());
        assert_eq!(status, 200);
        assert!(!reply.contains("-32601"), "{} is in the method table but not served: {reply}", m.name());
    }
    devnet.stop();
}

/// The state provider's post-root (recomputed from the witness alone) is the root the
/// block holding just that transaction commits.
#[test]
fn state_provider_predicts_the_committed_root() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), 4, 1000);
    node.produce_slot().unwrap();
    for (i, to) in [1u32, 2, 3].into_iter().enumerate() {
        let tx = transfer(0, TRANSFER_EE.0, 100 + i as u64, to);
        let w = node.witness(&tx).unwrap();
        assert!(w.ok, "{w:?}");
        assert_ne!(w.pre_root, w.post_root, "a transfer changes the shard");
        let accepted = node.submit(&tx).unwrap();
        let slot = node.produce_slot().unwrap();
        let block = node.block(slot, 0).unwrap();
        assert_eq!((block.pre_root, block.post_root), (w.pre_root, w.post_root));
        assert_eq!(node.transaction_location(&accepted.hash).unwrap().result.gas, w.gas);
    }
}

/// A store file left without a committed genesis (a first start killed early) is
/// initialised on the next start instead of refusing to run.
#[test]
fn an_empty_store_file_gets_its_genesis() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("devnet.redb");
    drop(ee_devnet::store::Store::open(&db).unwrap());
    assert!(db.exists());
    let mut config = NodeConfig::new(db);
    config.shards = 2;
    let node = Node::open(config, Some(genesis())).unwrap();
    assert!(node.created());
    assert_eq!(node.head().unwrap().shards, 2);
}

/// A node whose blocks hold fewer transfers than are pending defers the rest to later
/// slots, in order: none is lost and each commits once.
#[test]
fn deferred_transactions_commit_in_later_slots_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::new(dir.path().join("devnet.redb"));
    config.shards = 2;
    config.engine = ee_host::runtime::EngineKind::Singlepass;
    // Room for about two transfer-EE transactions per block besides the meta-EE's share.
    config.exec.limits.block_gas = config.exec.limits.meta_gas_base + 300_000;
    let node = Node::open(config, Some(genesis())).unwrap();
    let sent: Vec<String> =
        (0..7u64).map(|i| node.submit(&transfer(0, TRANSFER_EE.0, 10 + i, 1)).unwrap().hash).collect();
    let mut slots = 0;
    while node.head().unwrap().committed_txs < 7 {
        node.produce_slot().unwrap();
        slots += 1;
        assert!(slots < 20, "everything commits eventually");
    }
    assert!(slots >= 3, "the blocks were full: {slots} slots");
    let located: Vec<(u64, u32)> =
        sent.iter().map(|h| node.transaction_location(h).map(|l| (l.slot, l.index)).unwrap()).collect();
    let mut ordered = located.clone();
    ordered.sort();
    assert_eq!(located, ordered, "submission order kept across slots");
    let m = node.matrix(TRANSFER_EE.0).unwrap();
    assert_eq!(m[0][1], (10..17).sum::<i64>());
    assert_eq!(node.head().unwrap().pending, vec![0, 0]);
}

/// Fees on the devnet: a transaction's gas is paid from its EE's balance on the shard into
/// the shard's fee pool; value is conserved with the fees; an EE that cannot pay has its
/// transaction dropped and nothing changes.
#[test]
fn fees_are_paid_from_the_ee_balance_and_conserved() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), 2, 1000);
    let price = node.head().unwrap().gas_price;
    assert!(price > 0, "the devnet charges");
    let paid = node.submit(&transfer(0, TRANSFER_EE.0, 500, 1)).unwrap().hash;
    let deployed = node
        .deploy(
            &NewExecutionScript::signed(0, 0, built_wasm("transfer_ee").to_vec(), &dev_key(0)).encode(),
            true,
        )
        .unwrap();
    node.produce_slot().unwrap();
    let unfunded = node.submit(&transfer(0, deployed.ee, 9, 1)).unwrap().hash;
    node.produce_slot().unwrap();

    let loc = node.transaction_location(&paid).unwrap();
    let fee = loc.result.fee;
    assert_eq!(fee, loc.result.gas * price / 1000, "fee = gas × price");
    assert!(fee > 0);
    let m = node.matrix(TRANSFER_EE.0).unwrap();
    assert_eq!((m[0][0], m[0][1]), (BALANCE - 500 - fee as i64, 500));
    let head = node.head().unwrap();
    assert_eq!(head.fees, fee);
    assert_eq!(total(&m) + head.fees as i64, 2 * BALANCE, "value conserved with fees");
    let block = node.block(loc.slot, 0).unwrap();
    assert_eq!(block.fees, fee);

    // The new EE has nothing to pay with.
    match node.transaction_location(&unfunded) {
        Err(ee_devnet::DevnetError::Dropped(why)) => assert!(why.contains("cannot pay"), "{why}"),
        other => panic!("expected the unfunded transaction to be dropped, got {other:?}"),
    }
    assert_eq!(node.matrix(deployed.ee).unwrap(), vec![vec![0; 2]; 2]);
    assert_eq!(node.head().unwrap().pending, vec![0, 0]);
}

/// A stateless validator follows the node over RPC from genesis: every block of every
/// slot validated from roots and witnesses, through a deployment, fees and a dropped
/// transaction, with the node validating its own blocks too; a tampered block is refused.
#[test]
fn a_stateless_follower_validates_every_block_over_rpc() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::new(dir.path().join("devnet.redb"));
    config.shards = 3;
    config.validate = true;
    let node = Arc::new(Node::open(config, Some(genesis())).unwrap());
    let (devnet, client) = start(node.clone(), false);
    for slot in 0..12u64 {
        for s in 0..3 {
            node.submit(&transfer(s, TRANSFER_EE.0, 100 + slot, (s + 1) % 3)).unwrap();
        }
        if slot == 4 {
            let code = built_wasm("transfer_ee").to_vec();
            client.deploy_script(&NewExecutionScript::signed(0, slot, code, &dev_key(0)), true).unwrap();
        }
        if slot == 6 {
            node.submit(&transfer(1, 2, 5, 0)).unwrap(); // the new EE cannot pay: dropped
        }
        node.produce_slot().unwrap();
    }
    let mut follower = ee_devnet::Follower::new(
        Client::connect(&devnet.url()).unwrap(),
        ee_host::runtime::EngineKind::Singlepass,
    )
    .unwrap();
    let mut slots = 0;
    while let Some(check) = follower.step().unwrap() {
        assert_eq!(check.slot, slots);
        assert_eq!(check.blocks.len(), 3);
        slots += 1;
    }
    assert_eq!(slots, 12);
    let head = client.head().unwrap();
    assert_eq!(
        follower.roots().iter().map(hex::encode).collect::<Vec<_>>(),
        head.shard_roots,
        "the follower's own roots"
    );

    // A node serving a tampered block (one transfer's amount changed) is caught.
    struct Tamper(HttpTransport);
    impl ee_client::Transport for Tamper {
        fn post(&self, body: &str) -> Result<String, ClientError> {
            let reply = self.0.post(body)?;
            if !body.contains("ee_getRawBlock") || !body.contains("[3,0]") {
                return Ok(reply);
            }
            let mut v: serde_json::Value = serde_json::from_str(&reply).unwrap();
            let mut block = hex::decode(v["result"].as_str().unwrap()).unwrap();
            let at = block.len() / 3;
            block[at] ^= 1;
            v["result"] = serde_json::Value::String(hex::encode(block));
            Ok(v.to_string())
        }
    }
    let tampered = ee_client::Client::new(Tamper(HttpTransport::new(&devnet.url()).unwrap()));
    let mut follower = ee_devnet::Follower::new(tampered, ee_host::runtime::EngineKind::Singlepass).unwrap();
    let mut outcome = Ok(());
    for _ in 0..12 {
        match follower.step() {
            Ok(_) => {}
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    let err = outcome.expect_err("the tampered block is refused");
    assert_eq!(follower.next_slot(), 3, "stopped at the tampered slot: {err}");
    devnet.stop();
}

/// Beacon deposits: a validator's signed receipt is accepted once, moves its balance, and
/// the VHEE claims it; every refusal has its code and changes nothing.
#[test]
fn deposits_are_checked_and_refusals_change_nothing() {
    use ee_sdk::{DepositData, DepositReceipt, EeId, ShardId};
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), 2, 1000);
    let v0 = dev_key(0);
    let signed = |validator: u64, key: &ee_client::SecretKey, data: DepositData, target: u32| {
        let mut r = DepositReceipt {
            validator_index: validator,
            target: ShardId(target),
            data: data.encode(),
            pubkey: key.public(),
            signature: [0; 96],
        };
        r.signature = key.sign(&r.signing_message());
        r
    };
    let gwei = 1_000_000_000u64;
    let good = signed(0, &v0, DepositData { ee: ee_devnet::VHEE_EE, portion: EeId(0), amount: 7 * gwei }, 1);
    let before = node.validator(0).unwrap().balance;
    let accepted = node.deposit(&good.encode()).unwrap();
    assert_eq!(accepted.index, 0);
    assert_eq!(node.validator(0).unwrap().balance, before - 7 * gwei);
    let state = || {
        (
            node.deposits().unwrap().len(),
            node.validator(0).unwrap().balance,
            node.validator(1).unwrap().balance,
        )
    };
    let after = state();
    let code = |bytes: Vec<u8>| match node.deposit(&bytes) {
        Err(e) => e.code().code(),
        Ok(a) => panic!("accepted {a:?}"),
    };
    assert_eq!(code(good.encode()), 4, "a replay");
    let mut bad = good.clone();
    bad.signature[3] ^= 1;
    assert_eq!(code(bad.encode()), 1, "a bad signature");
    assert_eq!(
        code(signed(1, &v0, DepositData { ee: ee_devnet::VHEE_EE, portion: EeId(0), amount: 1 }, 0).encode()),
        3,
        "not validator 1's key"
    );
    assert_eq!(
        code(signed(9, &v0, DepositData { ee: ee_devnet::VHEE_EE, portion: EeId(0), amount: 1 }, 0).encode()),
        2,
        "no validator 9"
    );
    assert_eq!(
        code(
            signed(
                1,
                &dev_key(1),
                DepositData { ee: ee_devnet::VHEE_EE, portion: EeId(0), amount: 5 * gwei },
                0
            )
            .encode()
        ),
        6,
        "validator 1 holds 1 ETH"
    );
    assert_eq!(
        code(signed(0, &v0, DepositData { ee: ee_sdk::META_EE, portion: EeId(0), amount: 1 }, 0).encode()),
        8,
        "not into the meta-EE"
    );
    assert_eq!(
        code(signed(0, &v0, DepositData { ee: ee_devnet::VHEE_EE, portion: EeId(0), amount: 1 }, 5).encode()),
        7,
        "no shard 5"
    );
    assert_eq!(code(vec![1, 2, 3]), -32602, "not a receipt");
    assert_eq!(state(), after, "refusals change nothing");

    // The VHEE claims the accepted one on shard 1, and the state provider proves the account.
    let client_key = ee_client::vhee::Keypair::from_secret(v0);
    let (devnet, client) = start(node.clone(), false);
    let vhee = ee_client::vhee::Vhee::new(&client, ee_devnet::VHEE_EE);
    let (prepared, refused) =
        vhee.prepare(ee_client::vhee::Op::Deposit { index: 0 }, ShardId(1), None).unwrap();
    assert!(refused.is_none());
    let tx = prepared.transaction(ee_devnet::VHEE_EE);
    let hash = client.send_transaction(TxRequest::new(1, ee_devnet::VHEE_EE.0, &tx.data)).unwrap().hash;
    node.produce_slot().unwrap();
    let committed = client.get_transaction(hash).unwrap();
    assert!(committed.result.ok, "{committed:?}");
    assert_eq!(vhee.account(ShardId(1), &client_key.address(EeId(0))).unwrap().balance, 7 * gwei);
    let vhee_matrix = node.matrix(ee_devnet::VHEE_EE.0).unwrap();
    assert_eq!(
        vhee_matrix[1][1],
        Genesis::VHEE_FLOAT + 7 * gwei as i64 - committed.result.fee as i64,
        "the deposit entered the VHEE's cell, less its fee"
    );
    devnet.stop();
}

/// Producer and stateless validator side by side on the same slots (figures printed; the
/// assertion is only that the validator agrees): the producer makes `SLOTS` slots of 32
/// transfers per shard back to back, then a follower validates them over RPC.
#[test]
fn producer_and_follower_throughput() {
    const SLOTS: u64 = 30;
    for shards in [4u32, 16] {
        let dir = tempfile::tempdir().unwrap();
        let mut config = NodeConfig::new(dir.path().join("devnet.redb"));
        config.shards = shards;
        let node = Arc::new(Node::open(config, Some(genesis())).unwrap());
        let (devnet, client) = start(node.clone(), false);
        let mut producing = Duration::ZERO;
        for slot in 0..SLOTS {
            for s in 0..shards {
                for i in 0..32u64 {
                    node.submit(&transfer(s, TRANSFER_EE.0, 1 + i + 100 * slot, (s + 1) % shards)).unwrap();
                }
            }
            let t = Instant::now();
            node.produce_slot().unwrap();
            producing += t.elapsed();
        }
        let mut follower = ee_devnet::Follower::new(
            Client::connect(&devnet.url()).unwrap(),
            ee_host::runtime::EngineKind::Singlepass,
        )
        .unwrap();
        let t = Instant::now();
        let mut validated = 0;
        while follower.step().unwrap().is_some() {
            validated += 1;
        }
        let following = t.elapsed();
        assert_eq!(validated, SLOTS);
        assert_eq!(
            follower.roots().iter().map(hex::encode).collect::<Vec<_>>(),
            client.head().unwrap().shard_roots
        );
        println!(
            "{shards} shards, 32 transfers per block: producer {:.1} slots/s, stateless follower over RPC {:.1} slots/s",
            SLOTS as f64 / producing.as_secs_f64(),
            SLOTS as f64 / following.as_secs_f64()
        );
        devnet.stop();
    }
}

/// Block production runs EEs under the state's read lock, so `ee_head` answers while the
/// producer runs the slowest transactions the limits allow (an EE that loops until its
/// 2·10⁹ gas runs out, ~1 s each here); and the slot's wall-time budget cuts a block of
/// such transactions after the first instead of running the five its gas would allow.
#[test]
fn reads_are_answered_while_the_slowest_transactions_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::new(dir.path().join("devnet.redb"));
    config.shards = 2;
    config.slot_ms = 100;
    config.slot_budget_ms = Some(100);
    config.exec.limits.gas_price = 0;
    config.exec.limits.tx_gas = 2_000_000_000;
    let node = Arc::new(Node::open(config, Some(genesis())).unwrap());
    let (devnet, client) = start(node, true);
    let burner = ee_integration::wat_ee::wasm(
        r#"(module (memory (export "memory") 1) (func (export "main") (loop (br 0))))"#,
    );
    let script =
        NewExecutionScript::signed(0, client.head().unwrap().slot, burner.to_vec(), &dev_key(0)).encode();
    let ee = client.deploy_bytes(&script, true).unwrap().ee;
    let txs: Vec<TxRequest> = (0..3u8).map(|i| TxRequest::new(0, ee, &[i])).collect();
    let hashes: Vec<String> = txs.into_iter().map(|t| client.send_transaction(t).unwrap().hash).collect();

    // Poll the head until the three have run, recording each answer's latency.
    let started = Instant::now();
    let mut latencies = Vec::new();
    while hashes.iter().any(|h| client.get_transaction(h.clone()).is_err()) {
        assert!(started.elapsed() < Duration::from_secs(120), "the burners never finished");
        let asked = Instant::now();
        client.head().unwrap();
        latencies.push(asked.elapsed());
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = started.elapsed();
    latencies.sort();
    let worst = *latencies.last().unwrap();
    let median = latencies[latencies.len() / 2];
    println!(
        "3 transactions of 2e9 gas took {took:?}; {} ee_head answers meanwhile, median {median:?}, worst {worst:?}",
        latencies.len()
    );
    let mut per_block = Vec::new();
    for h in &hashes {
        let loc = client.wait_for(h, Duration::from_secs(5)).unwrap();
        assert_eq!(loc.result.error.as_deref(), Some("out of gas"), "{loc:?}");
        assert_eq!(loc.result.gas, 2_000_000_000);
        per_block.push(client.get_block(loc.slot, 0).unwrap());
    }
    // Each ran in a block of its own: the budget cut the block after it.
    for b in &per_block {
        assert_eq!(b.transactions.len(), 2, "one burner and the meta-EE: {:?}", b.transactions);
    }
    assert!(per_block.iter().any(|b| b.deferred >= 1), "the others waited for the next slot");
    // The producer was busy for most of `took`: reads that waited for it would take
    // about a transaction's time; they took a small fraction of it.
    let per_tx = took / 3;
    assert!(worst < per_tx / 4, "ee_head waited {worst:?} while a transaction took ~{per_tx:?}");
    assert!(latencies.len() >= 20, "only {} answers in {took:?}", latencies.len());
    devnet.stop();
}
