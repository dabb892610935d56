//! The `ee` binary with a devnet: `ee devnet` as a child process killed with `kill -9`
//! during block production, and the CLI round trip (keygen, deploy, send, status) run
//! in-process against it.
use ee_client::tx::transfer_data;
use ee_client::{HttpTransport, TxRequest};
use ee_devnet::{Node, NodeConfig};
use std::path::Path;
use std::time::Duration;

type Client = ee_client::Client<HttpTransport>;

const BALANCE: i64 = 1_000_000_000_000;

fn transfer(shard: u32, ee: u32, amount: u64, to: u32) -> TxRequest {
    TxRequest::new(shard, ee, &transfer_data(&[(amount, to, None)]))
}

fn total(m: &[Vec<i64>]) -> i64 {
    m.iter().flatten().sum()
}

/// Starts `ee devnet` as a child process and returns it with its RPC URL.
fn spawn_devnet(db: &Path) -> (Running, String) {
    spawn_devnet_with(db, &["--slot-ms", "1"])
}

/// A devnet child process, killed when dropped (a failing test must not leave it running).
struct Running(std::process::Child);

impl Running {
    fn kill(&mut self) -> std::io::Result<()> {
        self.0.kill()
    }
    fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.0.wait()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ee devnet` (4 shards) with `extra` options.
fn spawn_devnet_with(db: &Path, extra: &[&str]) -> (Running, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ee"));
    cmd.args(["devnet", "--shards", "4", "--rpc", "127.0.0.1:0"])
        .args(extra)
        .arg("--db")
        .arg(db)
        .arg("--ees-dir")
        .arg(ee_integration::ees_dir())
        .stderr(std::process::Stdio::inherit());
    started(cmd)
}

/// Spawns `cmd` (an `ee devnet`), reads the RPC URL from its first line and keeps
/// draining its output.
fn started(mut cmd: std::process::Command) -> (Running, String) {
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().expect("ee devnet starts");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    // Keep reading so the child never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let url = line.strip_prefix("rpc: ").unwrap_or_else(|| panic!("first line `{line}`")).trim().to_string();
    (Running(child), url)
}

/// `kill -9` rounds: with 1 ms slots the producer is committing almost all the time.
const ROUNDS: u64 = 16;

#[test]
fn survives_sigkill_during_block_production() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("devnet.redb");
    let mut committed: Vec<(String, u64, u32, u32)> = Vec::new();
    let mut last_slot = 0;
    let mut rng = 0x9e37_79b9_u64;
    for round in 0..ROUNDS {
        let (mut child, url) = spawn_devnet(&db);
        let client = Client::connect(&url).unwrap();
        let head = client.head().unwrap();
        assert!(head.slot >= last_slot, "round {round}: head went back from {last_slot} to {}", head.slot);
        // No committed transaction is lost, and it is where it was.
        for (hash, slot, shard, index) in &committed {
            let loc = client
                .get_transaction(hash.clone())
                .unwrap_or_else(|e| panic!("round {round}: lost {hash}: {e}"));
            assert_eq!((loc.slot, loc.shard, loc.index), (*slot, *shard, *index));
        }
        // Traffic, then a kill at a pseudo-random moment while slots are being produced.
        let hashes: Vec<String> = (0..40)
            .map(|i| {
                client
                    .send_transaction(transfer((i % 4) as u32, 1, 1 + round * 100 + i, ((i + 1) % 4) as u32))
                    .unwrap()
                    .hash
            })
            .collect();
        for h in &hashes[..20] {
            let loc = client.wait_for(h, Duration::from_secs(30)).unwrap();
            committed.push((h.clone(), loc.slot, loc.shard, loc.index));
        }
        last_slot = client.head().unwrap().slot;
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(Duration::from_millis(rng % 40));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    // Reopen in-process: the rebuilt trees give the stored roots (`open` checks), blocks
    // chain root to root, and value is conserved.
    let mut config = NodeConfig::new(db);
    config.shards = 4;
    let node = Node::open(config, None).expect("consistent after the kills");
    let head = node.head().unwrap();
    assert!(head.slot >= last_slot);
    for shard in 0..4 {
        let mut prev = node.block(0, shard).unwrap().pre_root;
        for slot in 0..head.slot {
            let b = node.block(slot, shard).unwrap();
            assert_eq!(b.pre_root, prev, "slot {slot} shard {shard}");
            prev = b.post_root;
        }
        assert_eq!(prev, head.shard_roots[shard as usize]);
    }
    assert_eq!(
        total(&node.matrix(1).unwrap()) + head.fees as i64,
        4 * BALANCE,
        "value conserved, fees included"
    );
    assert!(head.committed_txs >= committed.len() as u64);
}

/// Runs `ee` in-process (the devnet itself is a child process).
fn ee(args: &[&str]) -> (bool, String, String) {
    let out = ee_cli::run_captured(args.iter().copied());
    (out.success(), out.stdout, out.error.unwrap_or_default())
}

/// The CLI round trip: keygen, deploy (dry run, then --execute), send --wait, status.
#[test]
fn cli_keygen_deploy_send_status() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = spawn_devnet(&dir.path().join("devnet.redb"));
    let key = dir.path().join("dev0.key");
    let key = key.to_str().unwrap();
    let wasm = ee_integration::ees_dir().join("transfer_ee.wasm");
    let wasm = wasm.to_str().unwrap();
    let (ok, out, err) = ee(&["keygen", "--dev", "0", "--out", key]);
    assert!(ok && out.contains("public key"), "{out}{err}");
    let (ok, _, err) = ee(&["keygen", "--dev", "0", "--out", key]);
    assert!(!ok && err.contains("exists"), "keygen does not overwrite: {err}");

    let (ok, out, err) = ee(&["deploy", wasm, "--key", key, "--rpc", &url, "--format", "json"]);
    assert!(ok, "{err}");
    let dry: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((dry["applied"].as_bool(), dry["ee"].as_u64()), (Some(false), Some(2)));
    let client = Client::connect(&url).unwrap();
    assert_eq!(
        client.head().unwrap().ees,
        3,
        "a dry run deploys nothing (genesis: the meta-EE, the VHEE, the transfer EE)"
    );
    let (ok, out, err) = ee(&["deploy", wasm, "--key", key, "--rpc", &url, "--execute"]);
    assert!(ok && out.contains("deployed as EE 2"), "{out}{err}");
    assert_eq!(client.get_ee(2).unwrap().code_hash, dry["code_hash"].as_str().unwrap());

    // Invalid code is refused locally with the reasons of `ee check`, before any RPC.
    let bad = dir.path().join("bad.wasm");
    std::fs::write(&bad, b"\0asm\x01\0\0\0\x05").unwrap();
    let (ok, _, err) = ee(&["deploy", bad.to_str().unwrap(), "--key", key, "--rpc", &url, "--execute"]);
    assert!(!ok && err.contains("would be refused"), "{err}");

    let (ok, out, err) = ee(&[
        "send",
        "--rpc",
        &url,
        "--shard",
        "0",
        "--ee",
        "1",
        "--transfer",
        "5000@2",
        "--witness",
        "--wait",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let sent: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sent["witness"]["ok"].as_bool(), Some(true));
    assert!(sent["committed"]["result"]["error"].is_null(), "{out}");
    assert_eq!(sent["receipts"][0]["rejected"], serde_json::Value::Null, "{out}");
    assert_eq!(sent["committed"]["result"]["hash"], sent["hash"], "hashes are hex strings in JSON");

    // A wait longer than any clock holds is no deadline, not a crash.
    let (ok, _, err) = ee(&[
        "send",
        "--rpc",
        &url,
        "--shard",
        "1",
        "--ee",
        "1",
        "--transfer",
        "7@0",
        "--wait",
        "18446744073709551615",
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = ee(&["status", "--rpc", &url, "--ee", "1", "--format", "json"]);
    assert!(ok, "{err}");
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["matrix"][0][2].as_i64(), Some(5_000));
    let (ok, out, _) = ee(&["status", "--rpc", &url]);
    assert!(ok && out.contains("transactions committed"), "{out}");
    let (ok, _, err) = ee(&["status", "--rpc", &url, "--tx", &"ab".repeat(32)]);
    assert!(!ok && err.contains("not found"), "{err}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `ee validate` follows a real devnet process through 200+ slots of mixed load — transfers
/// on every shard, a deployment, a transaction whose EE cannot pay — from genesis, with 0
/// root mismatches; the devnet validates its own blocks too (`--validate`).
#[test]
fn ee_validate_follows_200_slots_of_mixed_load() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) =
        spawn_devnet_with(&dir.path().join("devnet.redb"), &["--slot-ms", "5", "--validate"]);
    let client = Client::connect(&url).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (url, stop) = (url.clone(), stop.clone());
        std::thread::spawn(move || {
            let client = Client::connect(&url).unwrap();
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = client.send_transaction(transfer((i % 4) as u32, 1, 1 + i, ((i / 4 + 1) % 4) as u32));
                i += 1;
                if i.is_multiple_of(8) {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            i
        })
    };
    let key = dir.path().join("dev0.key");
    let key = key.to_str().unwrap();
    let wasm = ee_integration::ees_dir().join("transfer_ee.wasm");
    assert!(ee(&["keygen", "--dev", "0", "--out", key]).0);
    let (ok, _, err) = ee(&["deploy", wasm.to_str().unwrap(), "--key", key, "--rpc", &url, "--execute"]);
    assert!(ok, "{err}");
    let _ = client.send_transaction(transfer(2, 2, 9, 1)); // EE 2 has nothing to pay fees with
    while client.head().unwrap().slot < 205 {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent = load.join().unwrap();
    let (ok, out, err) = ee(&["validate", "--rpc", &url, "--until-slot", "200", "--format", "json"]);
    assert!(ok, "{err}\n{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["slots_validated"], 201);
    assert_eq!(v["blocks"], 201 * 4);
    assert_eq!(v["root_mismatches"], 0);
    let head = client.head().unwrap();
    assert!(head.committed_txs > 200 && sent > 200, "mixed load: {} committed of {sent}", head.committed_txs);
    eprintln!(
        "ee validate: {} slots at {:.1} slots/s, {:.0} witness bytes and {:.0} proof bytes per block; producer at {} ms slots",
        v["slots_validated"],
        v["slots_per_second"].as_f64().unwrap(),
        v["witness_bytes_per_block"].as_f64().unwrap(),
        v["meta_bytes_per_block"].as_f64().unwrap(),
        5
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The VHEE story over RPC on a real devnet process (`ee demo devnet --rpc`): exact
/// balances after every step, the replay and the over-claim refused, every fee the gas
/// times the price, and a stateless validator following the whole chain.
#[test]
fn the_vhee_walk_through_runs_on_a_real_devnet() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) =
        spawn_devnet_with(&dir.path().join("devnet.redb"), &["--slot-ms", "20", "--validate"]);
    let ees = ee_integration::ees_dir();
    let (ok, out, err) =
        ee(&["demo", "devnet", "--rpc", &url, "--ees-dir", ees.to_str().unwrap(), "--format", "json"]);
    assert!(ok, "{err}\n{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = v["steps"].as_array().unwrap();
    let eth = 1_000_000_000u64;
    let balances: Vec<Vec<u64>> = steps
        .iter()
        .map(|s| s["balances"].as_array().unwrap().iter().map(|b| b[2].as_u64().unwrap() / eth).collect())
        .collect();
    // alice@0, bob@0, carol@1, dave@1 (in ETH) after each of the nine steps.
    assert_eq!(
        balances,
        vec![
            vec![32, 0, 0, 0],
            vec![22, 10, 0, 0],
            vec![14, 10, 0, 0],
            vec![14, 10, 5, 0],
            vec![14, 10, 5, 0],
            vec![14, 10, 5, 3],
            vec![14, 10, 5, 3],
            vec![14, 10, 7, 3],
            vec![14, 10, 7, 3],
        ]
    );
    let results: Vec<&str> = steps.iter().map(|s| s["result"].as_str().unwrap()).collect();
    assert_eq!(results[4], "refused: aborted: receipt already claimed");
    assert_eq!(results[8], "refused: aborted: claim exceeds what was netted for the data root");
    assert!(results.iter().enumerate().all(|(i, r)| i == 4 || i == 8 || *r == "ok"), "{results:?}");
    let client = Client::connect(&url).unwrap();
    let price = client.head().unwrap().gas_price;
    let mut total = 0;
    for s in steps {
        let (gas, fee, so_far) =
            (s["gas"].as_u64().unwrap(), s["fee"].as_u64().unwrap(), s["fees_total"].as_u64().unwrap());
        assert_eq!(fee, gas * price / 1000, "fee = gas × price");
        assert!(fee > 0 && so_far >= total + fee, "fees accumulate: {so_far}");
        total = so_far;
    }
    assert!(v["slots_validated"].as_u64().unwrap() > 5);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `ee vhee`: a validator's deposit, a balance, a transfer, a cross-shard transfer with a
/// receipts file, its claim, and the refused replay — on a real devnet process.
#[test]
fn ee_vhee_commands_move_funds_on_a_real_devnet() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = spawn_devnet_with(&dir.path().join("devnet.redb"), &["--slot-ms", "20"]);
    let key = dir.path().join("v0.key");
    let key = key.to_str().unwrap();
    assert!(ee(&["keygen", "--dev", "0", "--out", key]).0);
    let bob = hex::encode(ee_client::keys::dev_key(1).public());
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["vhee"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--rpc", &url, "--format", "json"]);
        let (ok, out, err) = ee(&all);
        assert!(ok, "ee {all:?}: {err}\n{out}");
        serde_json::from_str(&out).unwrap()
    };
    let d = json(&["deposit", "--key", key, "--validator", "0", "--shard", "1", "--amount", "5000000"]);
    assert_eq!(d["balances"][0]["balance"], 5_000_000);
    let t = json(&["transfer", "--key", key, "--shard", "1", "--to", &bob, "--amount", "1500000"]);
    assert_eq!(
        (t["balances"][0]["balance"].as_u64(), t["balances"][1]["balance"].as_u64()),
        (Some(3_500_000), Some(1_500_000))
    );
    let receipts = dir.path().join("receipts.json");
    let r = receipts.to_str().unwrap();
    let c = json(&[
        "send-cross",
        "--key",
        key,
        "--shard",
        "1",
        "--to-shard",
        "0",
        "--receipt",
        &format!("{bob}:700000"),
        "--out",
        r,
    ]);
    assert_eq!(c["balances"][0]["balance"], 2_800_000);
    // The claim needs the netting crosslinked: wait two slots.
    let client = Client::connect(&url).unwrap();
    let slot = client.head().unwrap().slot;
    while client.head().unwrap().slot < slot + 2 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let claimed = json(&["claim", "--receipts", r, "--index", "0"]);
    assert_eq!(
        (claimed["result"].as_str(), claimed["balances"][0]["balance"].as_u64()),
        (Some("ok"), Some(700_000))
    );
    let b = json(&["balance", "--address", &bob, "--shard", "0"]);
    assert_eq!(b["balances"][0]["balance"], 700_000);
    let (ok, out, _) =
        ee(&["vhee", "claim", "--receipts", r, "--index", "0", "--rpc", &url, "--format", "json"]);
    assert!(!ok, "a replayed claim fails: {out}");
    assert!(out.contains("receipt already claimed"), "{out}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `ee token`, `ee checkin` and `ee umbrella`: catalogue EEs deployed with `ee deploy`
/// and used through their commands with followed copies of their trees — mint, transfer,
/// allowance, a cross-shard transfer and its claim; a check-in and its verified inclusion
/// proof; a deposit, a contract deployed and called; refusals caught locally with nothing
/// sent; tampered and foreign state files refused; second copies synced from genesis
/// agreeing with the first — on a real devnet process.
#[test]
fn ee_token_checkin_and_umbrella_commands_on_a_real_devnet() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = spawn_devnet_with(&dir.path().join("devnet.redb"), &["--slot-ms", "20"]);
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (deployer, issuer, alice, bob) =
        (path("d.key"), path("issuer.key"), path("alice.key"), path("bob.key"));
    assert!(ee(&["keygen", "--dev", "0", "--out", &deployer]).0);
    for k in [&issuer, &alice, &bob] {
        assert!(ee(&["keygen", "--out", k]).0);
    }
    let public = |k: &str| {
        let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(k).unwrap()).unwrap();
        file["public"].as_str().unwrap().trim_start_matches("0x").to_string()
    };
    let (issuer_pk, alice_pk, bob_pk) = (public(&issuer), public(&alice), public(&bob));
    let deploy = |name: &str| -> String {
        let wasm = ee_integration::ees_dir().join(format!("{name}.wasm"));
        let (ok, out, err) = ee(&[
            "deploy",
            wasm.to_str().unwrap(),
            "--key",
            &deployer,
            "--rpc",
            &url,
            "--execute",
            "--format",
            "json",
        ]);
        assert!(ok, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["ee"].as_u64().unwrap().to_string()
    };
    let (token, checkin) = (deploy("token_ee"), deploy("data_checkin_ee"));
    // The EEs pay their transactions' fees: the transfer EE pays them on shards 0 and 1.
    for id in [&token, &checkin] {
        for shard in ["0", "1"] {
            let (ok, _, err) = ee(&[
                "send",
                "--rpc",
                &url,
                "--shard",
                shard,
                "--ee",
                "1",
                "--transfer",
                &format!("1000000000@{shard}:{id}"),
                "--wait",
            ]);
            assert!(ok, "{err}");
        }
    }
    let state = path("token.json");
    let run = |cmd: &str, id: &str, state: &str, args: &[&str]| -> (bool, serde_json::Value, String) {
        let mut all = vec![cmd, "--ee", id, "--state", state, "--rpc", &url, "--format", "json"];
        all.extend_from_slice(args);
        let (ok, out, err) = ee(&all);
        (ok, serde_json::from_str(&out).unwrap_or_default(), err)
    };
    let token_ok = |args: &[&str]| -> serde_json::Value {
        let (ok, v, err) = run("token", &token, &state, args);
        assert!(ok, "ee token {args:?}: {err}\n{v}");
        assert_eq!(v["result"], "ok", "{v}");
        v
    };
    let m = token_ok(&["mint", "--key", &issuer, "--to-key", &alice, "--amount", "1000", "--shard", "0"]);
    assert_eq!(m["rows"][0][1], "1000 units (nonce 0)", "{m}");
    assert_eq!(m["rows"][1][1], "1000", "minted on shard 0");
    let t = token_ok(&[
        "transfer", "--key", &alice, "--token", &issuer_pk, "--to", &bob_pk, "--amount", "250", "--shard",
        "0",
    ]);
    assert_eq!(
        (t["rows"][0][1].as_str(), t["rows"][1][1].as_str()),
        (Some("750 units (nonce 1)"), Some("250 units (nonce 0)"))
    );
    token_ok(&[
        "approve",
        "--key",
        &alice,
        "--token",
        &issuer_pk,
        "--spender",
        &bob_pk,
        "--amount",
        "100",
        "--shard",
        "0",
    ]);
    let tf = token_ok(&[
        "transfer-from",
        "--key",
        &bob,
        "--token",
        &issuer_pk,
        "--owner",
        &alice_pk,
        "--to",
        &bob_pk,
        "--amount",
        "60",
        "--shard",
        "0",
    ]);
    assert_eq!(tf["rows"][0][1], "690 units (nonce 2)", "{tf}");
    assert_eq!(tf["rows"][2][1], "40", "allowance left");
    // Over the balance: refused by the local replay of the EE, nothing sent.
    let committed = Client::connect(&url).unwrap().head().unwrap().committed_txs;
    let (ok, _, err) = run(
        "token",
        &token,
        &state,
        &[
            "transfer", "--key", &alice, "--token", &issuer_pk, "--to", &bob_pk, "--amount", "5000",
            "--shard", "0",
        ],
    );
    assert!(!ok && err.contains("would refuse it") && err.contains("nothing was sent"), "{err}");
    // Cross-shard: Alice sends 100 to Bob on shard 1; the claim waits for the message.
    let claims = path("claims.json");
    let c = token_ok(&[
        "send-cross",
        "--key",
        &alice,
        "--token",
        &issuer_pk,
        "--shard",
        "0",
        "--to-shard",
        "1",
        "--receipt",
        &format!("{bob_pk}:100"),
        "--out",
        &claims,
    ]);
    assert_eq!(c["rows"][0][1], "590 units (nonce 3)", "{c}");
    let cl = token_ok(&["claim", "--claims", &claims, "--index", "0"]);
    assert_eq!(cl["rows"][0][1], "100 units (nonce 0)", "{cl}");
    let (ok, _, err) = run("token", &token, &state, &["claim", "--claims", &claims, "--index", "0"]);
    assert!(!ok && err.contains("would refuse it"), "a second claim: {err}");
    assert!(Client::connect(&url).unwrap().head().unwrap().committed_txs >= committed + 2);
    let b = token_ok(&["balance", "--token", &issuer_pk, "--holder", &bob_pk, "--shard", "1"]);
    assert_eq!(b["rows"][0][1], "100 units (nonce 0)");
    // A fresh copy replays the chain from the EE's registration and agrees.
    let (ok, again, err) = run("token", &token, &path("other.json"), &["sync"]);
    assert!(ok, "{err}");
    let (_, first, _) = run("token", &token, &state, &["sync"]);
    assert_eq!(again["rows"], first["rows"], "same roots from an independent replay");
    assert!(again["operation"].as_str().unwrap().contains("replayed 6 transactions"), "{again}");
    // A tampered copy is caught by the roots check, and left as it was.
    let text = std::fs::read_to_string(&state).unwrap();
    let mut file: serde_json::Value = serde_json::from_str(&text).unwrap();
    file["trees"]["0"][0][1] = serde_json::json!("11".repeat(32));
    std::fs::write(&state, file.to_string()).unwrap();
    let (ok, _, err) = run("token", &token, &state, &["sync"]);
    assert!(!ok && err.contains("differs from the chain's"), "{err}");
    std::fs::write(&state, &text).unwrap();
    // A state file of another EE is refused.
    let (ok, _, err) = run("checkin", &checkin, &state, &["sync"]);
    assert!(!ok && err.contains("holds token EE"), "{err}");

    // Check-ins: two roots of a chain, the latest queried with its proof.
    let cstate = path("checkin.json");
    let chain = "07".repeat(32);
    for (seq, data) in [(1, "aa"), (2, "bb")] {
        let root = data.repeat(32);
        let (ok, v, err) = run(
            "checkin",
            &checkin,
            &cstate,
            &["commit", "--key", &alice, "--chain", &chain, "--root", &root, "--shard", "1"],
        );
        assert!(ok && v["result"] == "ok", "{err}{v}");
        assert_eq!(v["rows"][0][1], seq.to_string());
    }
    let (ok, q, err) = run(
        "checkin",
        &checkin,
        &cstate,
        &["query", "--operator", &alice_pk, "--chain", &chain, "--shard", "1"],
    );
    assert!(ok, "{err}");
    assert_eq!(q["rows"][0][1], "bb".repeat(32), "{q}");
    assert!(q["operation"].as_str().unwrap().contains("verified against the chain's root"));
    let (ok, q1, _) = run(
        "checkin",
        &checkin,
        &cstate,
        &["query", "--operator", &alice_pk, "--chain", &chain, "--shard", "1", "--seq", "1"],
    );
    assert!(ok && q1["rows"][0][1] == "aa".repeat(32), "{q1}");
    let (ok, _, err) = run(
        "checkin",
        &checkin,
        &cstate,
        &["query", "--operator", &alice_pk, "--chain", &chain, "--shard", "1", "--seq", "3"],
    );
    assert!(!ok && err.contains("no check-in 3"), "{err}");

    // The umbrella: validator 0 deposits, deploys the counter contract and calls it twice
    // (the contract runs locally on the chain's runtime to build each witness).
    let umbrella = deploy("umbrella_ee");
    let ustate = path("umbrella.json");
    let counter = ee_integration::ees_dir().join("counter_contract.wasm");
    let counter = counter.to_str().unwrap();
    let umbrella_ok = |args: &[&str]| -> serde_json::Value {
        let (ok, v, err) = run("umbrella", &umbrella, &ustate, args);
        assert!(ok && v["result"] == "ok", "ee umbrella {args:?}: {err}\n{v}");
        v
    };
    let d = umbrella_ok(&[
        "deposit",
        "--key",
        &deployer,
        "--validator",
        "0",
        "--amount",
        "10000000000",
        "--shard",
        "0",
    ]);
    assert_eq!(d["rows"][0][1], "10000000000 Gwei (nonce 0)", "{d}");
    let dep = umbrella_ok(&["deploy", "--key", &deployer, "--code", counter, "--shard", "0"]);
    let contract = dep["rows"][0][1].as_str().unwrap().to_string();
    let (zero, one) = ("00".repeat(32), "01".repeat(32));
    let add = |n: u8| format!("00{n:02x}00000000000000");
    let call = |n: u8| {
        umbrella_ok(&[
            "call",
            "--key",
            &deployer,
            "--contract",
            &contract,
            "--code",
            counter,
            "--input",
            &add(n),
            "--slot",
            &zero,
            "--slot",
            &one,
            "--value",
            "1000",
            "--shard",
            "0",
        ])
    };
    call(5);
    let c = call(2);
    assert_eq!(c["rows"][1][1], "2000 Gwei", "the contract keeps the value sent: {c}");
    assert_eq!(c["rows"][2][1], format!("07{}", "00".repeat(31)), "the counter: {c}");
    // The wrong code for the contract: refused locally, nothing sent.
    let wrong = ee_integration::ees_dir().join("token_ee.wasm");
    let (ok, _, err) = run(
        "umbrella",
        &umbrella,
        &ustate,
        &[
            "call",
            "--key",
            &deployer,
            "--contract",
            &contract,
            "--code",
            wrong.to_str().unwrap(),
            "--slot",
            &zero,
            "--slot",
            &one,
            "--shard",
            "0",
        ],
    );
    assert!(!ok && err.contains("would refuse it"), "{err}");
    let (ok, again, err) = run("umbrella", &umbrella, &path("umbrella2.json"), &["sync"]);
    assert!(ok, "{err}");
    let (_, first, _) = run("umbrella", &umbrella, &ustate, &["sync"]);
    assert_eq!(again["rows"], first["rows"], "an independent replay, contracts run again, agrees");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A store that cannot grow (a full disk, here a file-size limit: `ulimit -f`, with
/// SIGXFSZ ignored so writes fail with EFBIG) halts the node: the process stays up, reads
/// answer from the last committed state, transactions get -32603 (as `docs/DEVNET.md`
/// says), and Ctrl-C ends it with a failure status and the reason.
#[test]
fn a_full_disk_halts_the_node_which_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("devnet.redb");
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        // dash counts `ulimit -f` in 512-byte blocks: 6 MiB.
        .arg(r#"ulimit -f 12288; trap "" XFSZ; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_ee"))
        .args([
            "devnet",
            "--shards",
            "2",
            "--rpc",
            "127.0.0.1:0",
            "--slot-ms",
            "20",
            "--no-cache",
            "--no-explorer",
        ])
        .arg("--db")
        .arg(&db)
        .arg("--ees-dir")
        .arg(ee_integration::ees_dir())
        .stderr(std::process::Stdio::piped());
    let (mut child, url) = started(cmd);
    let mut err = child.0.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    let client = Client::connect(&url).unwrap();
    // Blocks of 100 kB transactions (the transfer EE refuses them, but blocks keep them)
    // until the store cannot take a slot.
    let started = std::time::Instant::now();
    let mut n = 0u32;
    let code = loop {
        assert!(started.elapsed() < Duration::from_secs(120), "the store never filled");
        let mut data = vec![0u8; 100_000];
        data[..4].copy_from_slice(&n.to_le_bytes());
        n += 1;
        match client.send_transaction(TxRequest::new(n % 2, 1, &data)) {
            Ok(_) => {}
            Err(ee_client::ClientError::Rpc { code: -32603, .. }) => break -32603,
            Err(e) if e.code() == Some(ee_client::ErrorCode::MempoolFull) => {
                // Let the producer catch up.
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("{e}"),
        }
    };
    let size = std::fs::metadata(&db).unwrap().len();
    println!("halted after {n} transactions of 100 kB, store {size} bytes: code {code}");
    // Still up: reads answer from the committed state, and keep answering the same.
    let head = client.head().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(client.head().unwrap().slot, head.slot, "no slot after the halt");
    assert_eq!(client.get_block(head.slot - 1, 0).unwrap().slot, head.slot - 1);
    assert!(child.0.try_wait().unwrap().is_none(), "the process exited");
    // Ctrl-C ends it with the reason and a failure status.
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &child.0.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    let stderr = stderr.join().unwrap();
    assert!(!status.success(), "{status:?}");
    assert!(stderr.contains("node halted"), "{stderr}");
}
