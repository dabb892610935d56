//! A network of `ee devnet --node` processes on loopback (`docs/NETWORK.md`): cross-shard
//! transfers between shards of different nodes, a node killed with `kill -9` under load
//! and restarted, a node paused (cut off) and resumed, nodes gossiping tampered blocks,
//! withholding a slot's blocks or claiming an empty committed slot — every node's committed
//! blocks and roots compared slot by slot.
use ee_client::tx::transfer_data;
use ee_client::{ErrorCode, HttpTransport, TxRequest};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

type Client = ee_client::Client<HttpTransport>;

const BALANCE: i64 = 1_000_000_000_000;
const SLOT_MS: u64 = 600;

/// The tests run one at a time: each starts several nodes on a 2-core machine.
static SERIAL: Mutex<()> = Mutex::new(());

/// A node process, killed when dropped.
struct NodeProc {
    child: std::process::Child,
    rpc: String,
    p2p: String,
    log: PathBuf,
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeProc {
    fn client(&self) -> Client {
        Client::connect(&self.rpc).unwrap()
    }

    fn signal(&self, sig: &str) {
        let ok = std::process::Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill {sig}");
    }
}

fn genesis(dir: &Path, shards: u32) -> PathBuf {
    let out = dir.join("genesis.json");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ee"))
        .args(["net", "genesis", "--shards", &shards.to_string(), "--slot-ms", &SLOT_MS.to_string()])
        .args(["--start-in-ms", "4000", "--out"])
        .arg(&out)
        .arg("--ees-dir")
        .arg(ee_integration::ees_dir())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    out
}

/// Starts node `name` producing `owned`, dialling `peers`; returns once it serves RPC.
fn spawn(dir: &Path, name: &str, owned: &str, peers: &[&str], extra: &[&str]) -> NodeProc {
    let log = dir.join(format!("{name}.log"));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ee"));
    cmd.env("EE_LOG", "info,libp2p_gossipsub=warn,libp2p_swarm=warn")
        .args(["devnet", "--node", "--no-explorer", "--rpc", "127.0.0.1:0", "--shards-owned", owned])
        .arg("--genesis")
        .arg(dir.join("genesis.json"))
        .arg("--db")
        .arg(dir.join(format!("{name}.redb")))
        .arg("--ees-dir")
        .arg(ee_integration::ees_dir())
        .args(extra);
    for p in peers {
        cmd.args(["--peer", p]);
    }
    let log_file = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
    let mut child = cmd.stdout(std::process::Stdio::piped()).stderr(log_file).spawn().unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut field = |prefix: &str| {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let log_text = std::fs::read_to_string(&log).unwrap_or_default();
        line.strip_prefix(prefix).unwrap_or_else(|| panic!("`{line}`; log:\n{log_text}")).trim().to_string()
    };
    let rpc = field("rpc: ");
    let p2p = field("p2p: ");
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    NodeProc { child, rpc, p2p, log }
}

fn transfer(shard: u32, amount: u64, to: u32) -> TxRequest {
    TxRequest::new(shard, 1, &transfer_data(&[(amount, to, None)]))
}

/// Waits until `client`'s next slot is at least `slot`.
fn wait_slot(client: &Client, slot: u64) {
    let until = Instant::now() + Duration::from_secs(60);
    while client.head().map_or(0, |h| h.slot) < slot {
        assert!(Instant::now() < until, "slot {slot} not reached");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Each slot's post-root per shard (`None`: the shard had no block), as `client` committed
/// them, for slots `0..slots`.
fn roots(client: &Client, slots: u64, shards: u32) -> Vec<Vec<Option<String>>> {
    (0..slots)
        .map(|slot| {
            (0..shards)
                .map(|shard| match client.get_block(slot, shard) {
                    Ok(b) => Some(b.post_root),
                    Err(e) if e.code() == Some(ErrorCode::NotFound) => None,
                    Err(e) => panic!("slot {slot} shard {shard}: {e}"),
                })
                .collect()
        })
        .collect()
}

/// A network of `extra.len()` nodes `a`, `b`, … owning two shards each, each dialling the
/// nodes before it, node `i` started with the options `extra[i]`.
fn network(dir: &Path, extra: &[&[&str]]) -> Vec<NodeProc> {
    genesis(dir, 2 * extra.len() as u32);
    let mut nodes: Vec<NodeProc> = Vec::new();
    for (i, options) in extra.iter().enumerate() {
        let peers: Vec<String> = nodes.iter().map(|n| n.p2p.clone()).collect();
        let peers: Vec<&str> = peers.iter().map(String::as_str).collect();
        let name = ((b'a' + i as u8) as char).to_string();
        nodes.push(spawn(dir, &name, &format!("{}-{}", 2 * i, 2 * i + 1), &peers, options));
    }
    nodes
}

/// Asserts the transfer EE's value is conserved on `client`'s node (`shards` × the
/// genesis balance, fees included).
fn conserved(client: &Client, shards: i64) {
    conserved_besides(client, shards, 0);
}

/// [`conserved`], where other EEs paid `other_fees` of the chain's fees.
fn conserved_besides(client: &Client, shards: i64, other_fees: i64) {
    let m = client.get_matrix(1).unwrap();
    let fees = client.head().unwrap().fees as i64 - other_fees;
    assert_eq!(m.iter().flatten().sum::<i64>() + fees, shards * BALANCE, "value conserved");
}

/// Asserts two nodes' roots are equal, naming the first slot and shard where not.
fn agree(x: &[Vec<Option<String>>], y: &[Vec<Option<String>>], who: &str) {
    for (slot, (rx, ry)) in x.iter().zip(y).enumerate() {
        for (shard, (a, b)) in rx.iter().zip(ry).enumerate() {
            assert_eq!(a, b, "{who} disagree at slot {slot} shard {shard}");
        }
    }
    assert_eq!(x.len(), y.len());
}

/// Waits two slots past the first node's head on every node; asserts they committed the
/// same blocks with the same roots in every slot before; returns that slot and the roots.
fn all_agree(clients: &[&Client], shards: u32) -> (u64, Vec<Vec<Option<String>>>) {
    let end = clients[0].head().unwrap().slot + 2;
    for client in clients {
        wait_slot(client, end);
    }
    let first = roots(clients[0], end, shards);
    for (i, client) in clients.iter().enumerate().skip(1) {
        agree(&first, &roots(client, end, shards), &format!("nodes 0 and {i}"));
    }
    (end, first)
}

/// Sends `txs` (source shard, amount, target shard) through `via` and waits for each.
fn send_all(via: &Client, watch: &Client, txs: &[(u32, u64, u32)], expected: &mut [Vec<i64>]) {
    let hashes: Vec<String> =
        txs.iter().map(|(s, a, t)| via.send_transaction(transfer(*s, *a, *t)).unwrap().hash).collect();
    for (h, (s, a, t)) in hashes.iter().zip(txs) {
        let loc = watch.wait_for(h, Duration::from_secs(60)).unwrap();
        assert!(loc.result.ok, "{:?}", loc.result);
        assert_eq!(loc.shard, *s);
        expected[*s as usize][*t as usize] += *a as i64;
    }
}

#[test]
fn three_nodes_net_transfers_survive_a_kill_and_a_pause_and_agree() {
    let _one = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    genesis(dir, 6);
    // Shards 0-1 on a, 2-3 on b, 4-5 on c: shard s belongs to node s / 2.
    let a = spawn(dir, "a", "0-1", &[], &[]);
    let b = spawn(dir, "b", "2-3", &[&a.p2p], &[]);
    let c = spawn(dir, "c", "4-5", &[&a.p2p, &b.p2p], &[]);
    let (ca, cb, cc) = (a.client(), b.client(), c.client());
    let mut expected = vec![vec![0i64; 6]; 6];

    // Every transfer goes from a shard of one node to a shard of another, submitted to
    // a node that owns neither: it is forwarded by gossip to the source shard's owner.
    let cross: Vec<(u32, u64, u32)> =
        (0..12u32).map(|k| (k % 6, 1_000 + u64::from(k), (k % 6 + 2) % 6)).collect();
    let (to_a, rest): (Vec<_>, Vec<_>) = cross.iter().partition(|(s, _, _)| s / 2 == 2);
    send_all(&ca, &cb, &to_a, &mut expected); // c's shards, through a, watched on b
    let (to_b, to_c): (Vec<_>, Vec<_>) = rest.iter().partition(|(s, _, _)| s / 2 == 0);
    send_all(&cb, &cc, &to_b, &mut expected); // a's shards, through b
    send_all(&cc, &ca, &to_c, &mut expected); // b's shards, through c

    // kill -9 b under load: transfers on a's and c's shards go on.
    let load: Vec<(u32, u64, u32)> = [0u32, 1, 4, 5].iter().map(|s| (*s, 77, (s + 3) % 6)).collect();
    let hashes: Vec<_> =
        load.iter().map(|(s, am, t)| ca.send_transaction(transfer(*s, *am, *t)).unwrap().hash).collect();
    let mut b = b;
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    let killed_at = ca.head().unwrap().slot;
    for (h, (s, am, t)) in hashes.iter().zip(&load) {
        assert!(ca.wait_for(h, Duration::from_secs(60)).unwrap().result.ok);
        expected[*s as usize][*t as usize] += *am as i64;
    }
    // A validator deposit into the VHEE while b is down (`ee vhee deposit`: the deposit,
    // applied by a and c at its slot, then the VHEE's claim on a's shard): b applies it
    // when it catches that slot up, the operation coming with the slot.
    let key = dir.join("dev0.key");
    let key = key.to_str().unwrap();
    assert!(ee(&["keygen", "--dev", "0", "--out", key]).0);
    let deposit =
        ["vhee", "deposit", "--key", key, "--validator", "0", "--shard", "0", "--amount", "7000000000"];
    let (ok, out, err) = ee(&[&deposit[..], &["--rpc", &a.rpc, "--format", "json"]].concat());
    assert!(ok, "{out}{err}");
    let claimed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(claimed["result"], "ok", "{claimed}");
    // The VHEE paid the claim's fee.
    let vhee_fee = claimed["fee"].as_i64().unwrap();
    // The chain does not halt: four more slots without b.
    wait_slot(&ca, killed_at + 4);
    wait_slot(&cc, killed_at + 4);
    // b restarts from its store and catches up from a and c.
    let b = spawn(dir, "b", "2-3", &[&a.p2p, &c.p2p], &[]);
    let cb = b.client();
    let restarted_at = ca.head().unwrap().slot;
    wait_slot(&cb, restarted_at);
    // Restarted, it takes its first slots from its peers: beacon operations for them may
    // have been gossiped while it was down.
    wait_log(&b.log, "operations may have been missed: catching this slot up");
    // b produces again: transfers on its shards, through a.
    send_all(&ca, &cc, &[(2, 55, 0), (3, 66, 5)], &mut expected);

    // c is paused (cut off from everyone) for five slots, then resumed: it takes the
    // slots it missed from its peers.
    c.signal("-STOP");
    let paused_at = ca.head().unwrap().slot;
    wait_slot(&ca, paused_at + 5);
    c.signal("-CONT");
    wait_slot(&cc, ca.head().unwrap().slot);
    send_all(&cb, &ca, &[(4, 11, 1), (5, 12, 2), (0, 13, 4)], &mut expected);

    // Every node committed the same blocks with the same roots, slot by slot.
    let (end, ra) = all_agree(&[&ca, &cb, &cc], 6);
    // b's shards had no block while it was down; the others did.
    let down = killed_at + 1..killed_at + 4;
    assert!(down.clone().all(|s| ra[s as usize][2].is_none() && ra[s as usize][3].is_none()), "{ra:?}");
    assert!(down.clone().all(|s| ra[s as usize][0].is_some() && ra[s as usize][5].is_some()));
    // `ee validate` replays every slot statelessly from genesis against any node — the
    // slots without b's or c's blocks included.
    for node in [&b, &c] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ee"))
            .args([
                "validate",
                "--rpc",
                &node.rpc,
                "--until-slot",
                &(end - 1).to_string(),
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(report["slots_validated"], end, "{report}");
        assert_eq!(report["root_mismatches"], 0, "{report}");
        let present = ra.iter().flatten().filter(|r| r.is_some()).count();
        assert_eq!(report["blocks"], present, "every block there is validated: {report}");
    }
    for (client, owned) in [(&ca, [0, 1]), (&cb, [2, 3]), (&cc, [4, 5])] {
        let net = client.get_network().unwrap();
        assert_eq!(net.owned, owned);
        assert!(net.network.is_some() && net.peers == 2, "{net:?}");
        assert_eq!(net.rejected, 0, "no honest block is rejected: {net:?}");
    }
    // The deposit is in every node's beacon state, at the same index and slot.
    let deposits = ca.list_deposits().unwrap();
    assert_eq!(deposits.len(), 1);
    assert!(deposits[0].slot > killed_at && deposits[0].slot < killed_at + 4, "applied while b was down");
    assert_eq!(cb.list_deposits().unwrap(), deposits);
    assert_eq!(cc.list_deposits().unwrap(), deposits);
    // Netted on every node, value conserved.
    for (name, client) in [("a", &ca), ("b", &cb), ("c", &cc)] {
        let m = client.get_matrix(1).unwrap();
        for (s, row) in m.iter().enumerate() {
            for (t, v) in row.iter().enumerate() {
                if s != t {
                    assert_eq!(*v, expected[s][t], "node {name}: m[{s}][{t}]");
                }
            }
        }
        conserved_besides(client, 6, vhee_fee);
    }
}

#[test]
fn nodes_gossiping_tampered_blocks_are_rejected_and_the_others_go_on() {
    let _one = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let nodes = network(dir, &[&[], &[], &["--fault", "tamper-witness"], &["--fault", "no-meta"]]);
    let (a, b, d) = (&nodes[0], &nodes[1], &nodes[3]);
    let (ca, cb, cd) = (a.client(), b.client(), d.client());
    let mut expected = vec![vec![0i64; 8]; 8];
    send_all(&ca, &cb, &[(2, 500, 0), (3, 600, 7)], &mut expected);
    // A transfer in d's block: without the meta-EE's transaction, a block with outputs
    // is invalid (an empty block needs none). d commits it; the others must not.
    let on_d = cd.send_transaction(transfer(6, 900, 1)).unwrap().hash;
    let at = cd.wait_for(&on_d, Duration::from_secs(60)).unwrap().slot;
    send_all(&cb, &ca, &[(0, 700, 3), (1, 800, 5)], &mut expected);
    let end = ca.head().unwrap().slot.max(at + 1) + 2;
    wait_slot(&ca, end);
    wait_slot(&cb, end);
    let ra = roots(&ca, end, 8);
    agree(&ra, &roots(&cb, end, 8), "the honest nodes");
    for (slot, shards) in ra.iter().enumerate() {
        assert!(
            shards[4..6].iter().all(Option::is_none),
            "slot {slot}: a tampered witness was accepted: {shards:?}"
        );
    }
    assert_eq!(ra[at as usize][6], None, "d's block without the meta-EE was applied");
    assert!(ra.iter().any(|s| s[0].is_some() && s[2].is_some()), "the honest nodes produced");
    for node in [a, b] {
        let log = std::fs::read_to_string(&node.log).unwrap();
        let rejected = |shard: u32, why: &str| {
            log.lines().any(|l| {
                l.contains("gossiped block rejected")
                    && l.contains(&format!("shard={shard} "))
                    && l.contains(why)
            })
        };
        assert!(rejected(4, "witness") && rejected(6, "meta-EE"), "{}:\n{log}", node.log.display());
        let missing = node.client().get_transaction(on_d.clone()).unwrap_err();
        assert_eq!(missing.code(), Some(ErrorCode::NotFound), "d's transfer is committed only on d");
    }
    for client in [&ca, &cb] {
        let net = client.get_network().unwrap();
        assert!(net.rejected >= 2, "c's and d's blocks are counted as rejected: {net:?}");
        let m = client.get_matrix(1).unwrap();
        assert_eq!(m[2][0], 500);
        assert_eq!(m[0][3], 700);
        conserved(client, 8);
    }
    // d committed a transfer nobody else has: outnumbered in the statuses, it finds it
    // diverged and stops taking part, still answering RPC. (c's own blocks are empty: its
    // history, tampered gossip aside, is the others'.)
    wait_log(&d.log, "this node's roots differ from its peers'");
    assert_eq!(cd.head().unwrap().shards, 8, "d still answers");
}

/// Runs the `ee` binary; (success, stdout, stderr).
fn ee(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ee")).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn ee_net_up_starts_a_network_that_ee_net_down_stops() {
    let _one = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("net");
    let net = net.to_str().unwrap();
    let base = 20_000 + (std::process::id() % 20_000) as u16;
    let (p2p, rpc) = (base.to_string(), (base + 100).to_string());
    let ees = ee_integration::ees_dir();
    let up = ["net", "up", "--nodes", "2", "--shards", "4", "--slot-ms", "500", "--dir", net];
    let ports = ["--p2p-port", &p2p, "--rpc-port", &rpc, "--ees-dir", ees.to_str().unwrap()];
    let (ok, out, err) = ee(&[&up[..], &ports[..]].concat());
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("node 1: rpc: http://127.0.0.1:{}", base + 101)), "{out}");
    let pids: Vec<u32> = std::fs::read_to_string(dir.path().join("net/pids"))
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2);
    for (i, owned) in [(0u16, [0, 1]), (1, [2, 3])] {
        let client = Client::connect(&format!("http://127.0.0.1:{}", base + 100 + i)).unwrap();
        wait_slot(&client, 2);
        assert_eq!(client.get_network().unwrap().owned, owned);
    }
    // A deployment sent to node 0 with `ee deploy`: every node registers it at the slot
    // node 0 named, and it takes a transaction on node 1's shard sent through node 0.
    let key = dir.path().join("dev0.key");
    let key = key.to_str().unwrap();
    assert!(ee(&["keygen", "--dev", "0", "--out", key]).0);
    let rpc0 = format!("http://127.0.0.1:{base_rpc}", base_rpc = base + 100);
    let wasm = ees.join("transfer_ee.wasm");
    let deploy =
        ["deploy", wasm.to_str().unwrap(), "--key", key, "--rpc", &rpc0, "--execute", "--format", "json"];
    let (ok, out, err) = ee(&deploy);
    assert!(ok, "{out}{err}");
    let deployed: serde_json::Value = serde_json::from_str(&out).unwrap();
    let (id, at) = (deployed["ee"].as_u64().unwrap() as u32, deployed["activation_slot"].as_u64().unwrap());
    assert_eq!(deployed["applied"], false);
    let clients: Vec<Client> =
        (0..2).map(|i| Client::connect(&format!("http://127.0.0.1:{}", base + 100 + i)).unwrap()).collect();
    for c in &clients {
        wait_slot(c, at + 1);
    }
    let (e0, e1) = (clients[0].get_ee(id).unwrap(), clients[1].get_ee(id).unwrap());
    assert_eq!(e0, e1);
    assert_eq!((e0.registered_at, e0.code_hash.as_str()), (at, deployed["code_hash"].as_str().unwrap()));
    // It holds no ETH yet: EE 1 sends it some on shard 2 first, then it moves some on.
    let fund = clients[0]
        .send_transaction(TxRequest::new(2, 1, &transfer_data(&[(1_000_000, 2, Some(id))])))
        .unwrap();
    assert!(clients[1].wait_for(&fund.hash, Duration::from_secs(30)).unwrap().result.ok);
    let sent =
        clients[0].send_transaction(TxRequest::new(2, id, &transfer_data(&[(1_000, 3, None)]))).unwrap();
    let loc = clients[1].wait_for(&sent.hash, Duration::from_secs(30)).unwrap();
    assert!(loc.result.ok, "{loc:?}");
    let end = clients[1].head().unwrap().slot;
    wait_slot(&clients[0], end);
    assert_eq!(clients[0].get_transaction(sent.hash.clone()).unwrap().slot, loc.slot);
    for c in &clients {
        assert_eq!(c.get_matrix(id).unwrap()[2][3], 1_000);
    }
    // Running already: a second `up` on the folder refuses.
    let (ok, _, err) = ee(&[&up[..], &ports[..]].concat());
    assert!(!ok && err.contains("net down"), "{err}");
    let (ok, out, err) = ee(&["net", "down", "--dir", net]);
    assert!(ok && out.contains("stopped 2 nodes"), "{out}{err}");
    assert!(!dir.path().join("net/pids").exists());
    let until = Instant::now() + Duration::from_secs(10);
    for pid in pids {
        let alive = || {
            Path::new(&format!("/proc/{pid}/stat")).exists()
                && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z ")
        };
        while alive() {
            assert!(Instant::now() < until, "node {pid} still runs after `ee net down`");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    // The whole network again from its stores (`ee net up` on the same folder): both
    // nodes go on from where they stopped and agree, the deployed EE still there.
    let (ok, out, err) = ee(&[&up[..], &ports[..]].concat());
    assert!(ok, "{out}{err}");
    let clients: Vec<Client> =
        (0..2).map(|i| Client::connect(&format!("http://127.0.0.1:{}", base + 100 + i)).unwrap()).collect();
    let (_, ra) = all_agree(&[&clients[0], &clients[1]], 4);
    assert!(ra.len() as u64 > at + 4, "{} slots", ra.len());
    assert_eq!(clients[1].get_ee(id).unwrap(), e0);
    let (ok, out, err) = ee(&["net", "down", "--dir", net]);
    assert!(ok && out.contains("stopped 2 nodes"), "{out}{err}");
}

#[test]
fn a_partitioned_node_commits_nothing_alone_and_catches_up_when_it_heals() {
    let _one = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // a and b gossip none of their blocks of slot 5 (every message lost), so none of
    // the three has every block before the slot's end; c is cut off from everyone for
    // slots 8 to 12.
    let withhold: &[&str] = &["--fault", "withhold:5"];
    let nodes = network(dir, &[withhold, withhold, &["--fault", "isolate:8:5"]]);
    let (a, b, c) = (&nodes[0], &nodes[1], &nodes[2]);
    let (ca, cb, cc) = (a.client(), b.client(), c.client());
    let mut expected = vec![vec![0i64; 6]; 6];
    send_all(&ca, &cc, &[(4, 10, 0), (0, 20, 4)], &mut expected);
    wait_slot(&ca, 9);
    // During the partition: a transfer on a's shard goes on; one on c's shard, sent to a,
    // waits for c (a forwards it again every second) and commits after the partition.
    let cut_off = cc.head().unwrap().slot;
    let on_c = ca.send_transaction(transfer(5, 30, 1)).unwrap().hash;
    send_all(&ca, &cb, &[(1, 40, 3)], &mut expected);
    let loc = ca.wait_for(&on_c, Duration::from_secs(60)).unwrap();
    assert!(loc.result.ok && loc.slot >= 13, "committed in slot {}, after the partition", loc.slot);
    expected[5][1] += 30;
    let (_, ra) = all_agree(&[&ca, &cb, &cc], 6);
    // Each asked the others for the blocks of slot 5 that did not come: every node has
    // all of them.
    assert!(ra[5][..4].iter().all(Option::is_some), "{ra:?}");
    assert!((9..12).all(|s| ra[s][4].is_none() && ra[s][5].is_none() && ra[s][0].is_some()), "{ra:?}");
    let net = cc.get_network().unwrap();
    assert!(net.caught_up >= 3, "c took the slots it missed from its peers: {net:?}");
    assert!(cut_off <= 9, "c committed nothing alone while cut off (it was at slot {cut_off})");
    for client in [&ca, &cb, &cc] {
        let m = client.get_matrix(1).unwrap();
        for (s, t) in [(4, 0), (0, 4), (1, 3), (5, 1)] {
            assert_eq!(m[s][t], expected[s][t], "m[{s}][{t}]");
        }
        conserved(client, 6);
    }
}

#[test]
fn a_peer_claiming_an_empty_committed_slot_is_not_followed() {
    let _one = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // c gossips none of its blocks of slot 5 and answers every ask for slot 5 with an
    // empty committed version, which validates anywhere: a and b, missing c's blocks,
    // must not take it in place of their own.
    let nodes = network(dir.path(), &[&[], &[], &["--fault", "lie:5"]]);
    let (ca, cb) = (nodes[0].client(), nodes[1].client());
    wait_slot(&ca, 8);
    wait_slot(&cb, 8);
    let ra = roots(&ca, 8, 6);
    agree(&ra, &roots(&cb, 8, 6), "the honest nodes");
    assert!(ra[5][..4].iter().all(Option::is_some), "a's and b's blocks of slot 5 committed: {:?}", ra[5]);
    assert!(ra[5][4..].iter().all(Option::is_none), "c's withheld blocks absent: {:?}", ra[5]);
    wait_log(&nodes[0].log, "lacks this node's blocks: refused");
}

/// Waits until `log` has a line containing `text`.
fn wait_log(log: &Path, text: &str) {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let body = std::fs::read_to_string(log).unwrap_or_default();
        if body.contains(text) {
            return;
        }
        assert!(Instant::now() < until, "no `{text}` in {}:\n{body}", log.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_node_that_diverged_is_found_out_by_the_statuses_and_resyncs_from_genesis() {
    let _one = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // c commits slot 8 without the others' blocks: another history than theirs.
    let nodes = network(dir.path(), &[&[], &[], &["--fault", "skip-foreign:8", "--resync"]]);
    let (a, c) = (&nodes[0], &nodes[2]);
    let (ca, cb, cc) = (a.client(), nodes[1].client(), c.client());
    // Transfers on a's shards in every slot, so the blocks c leaves out change the state.
    let mut expected = vec![vec![0i64; 6]; 6];
    for k in 0..14u64 {
        let slot = ca.head().unwrap().slot;
        send_all(&ca, &cb, &[(k as u32 % 2, 5 + k, 2)], &mut expected);
        wait_slot(&ca, slot + 1);
    }
    wait_log(&c.log, "diverged from the network at slot 8: starting again from genesis");
    // c starts again on the same addresses and catches up from genesis.
    wait_slot(&cc, ca.head().unwrap().slot);
    let (_, ra) = all_agree(&[&ca, &cb, &cc], 6);
    assert!(ra[8][0].is_some() || ra[8][1].is_some(), "a's block of slot 8 is in the network's history");
    assert!(cc.get_network().unwrap().caught_up >= 8);
    for client in [&ca, &cb, &cc] {
        assert_eq!(
            client.get_matrix(1).unwrap()[0][2] + client.get_matrix(1).unwrap()[1][2],
            expected[0][2] + expected[1][2]
        );
        conserved(client, 6);
    }
}
