//! `ee net bench`: throughput and gossip of local networks of 1, 2, 4, … nodes.
use super::genesis;
use super::up::Launch;
use crate::args::EesArgs;
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_client::tx::transfer_data;
use ee_client::{Client, HttpTransport, NetworkInfo, TxRequest};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Measure local networks under load: for each node count, a fresh network of
/// `--shards` shards starts in a temporary folder, transfers between random shards are
/// sent in JSON-RPC batches to every node in turn (most are forwarded by gossip to the
/// node owning their shard) for `--seconds`, and the nodes' counters give slots and
/// transactions committed per second and gossip bytes per slot. Every process shares
/// this machine's cores.
///
/// Example: `ee net bench --nodes 1,2,4 --shards 16 --seconds 20`
#[derive(clap::Args)]
pub struct Args {
    /// Node counts to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4")]
    pub nodes: Vec<u32>,
    /// Shards.
    #[arg(long, default_value_t = 16)]
    pub shards: u32,
    /// Slot length in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub slot_ms: u64,
    /// Seconds of load per network (after a warm-up slot).
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Transfers offered per second, over all nodes.
    #[arg(long, default_value_t = 4000)]
    pub rate: u64,
    /// First node's libp2p port.
    #[arg(long, default_value_t = 9800)]
    pub p2p_port: u16,
    /// First node's JSON-RPC port.
    #[arg(long, default_value_t = 8800)]
    pub rpc_port: u16,
    /// Wasm compiler for EEs.
    #[arg(long, default_value = "singlepass")]
    pub engine: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Where the built EEs are.
    #[command(flatten)]
    pub ees: EesArgs,
}

/// One network's figures.
#[derive(Serialize, Debug)]
pub struct Figures {
    /// Nodes.
    pub nodes: u32,
    /// Shards.
    pub shards: u32,
    /// Slot length (ms).
    pub slot_ms: u64,
    /// Transfers offered per second.
    pub offered_per_s: f64,
    /// Slots committed per second (the slowest node).
    pub slots_per_s: f64,
    /// User transactions committed per second.
    pub tx_per_s: f64,
    /// Shard-slots without a block (all nodes, summed).
    pub absent: u64,
    /// Foreign blocks rejected (all nodes).
    pub rejected: u64,
    /// Block gossip published per slot, all nodes (bytes).
    pub block_bytes_per_slot: f64,
    /// Transaction gossip published per slot, all nodes (bytes).
    pub tx_bytes_per_slot: f64,
    /// Gossip received per slot, all nodes (bytes; each delivery once per receiver).
    pub received_bytes_per_slot: f64,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut all = Vec::new();
    for &n in &args.nodes {
        if n == 0 || n > args.shards {
            anyhow::bail!("{n} nodes for {} shards: every node needs a shard", args.shards);
        }
        eprintln!("{n} node(s), {} shards: starting", args.shards);
        all.push(measure(&args, n)?);
    }
    if args.format == Format::Json {
        print_json(out, &all)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = table([
        "nodes",
        "shards",
        "slot ms",
        "offered tx/s",
        "slots/s",
        "tx/s",
        "absent",
        "rejected",
        "block gossip B/slot",
        "tx gossip B/slot",
        "received B/slot",
    ]);
    for f in &all {
        t.add_row(vec![
            f.nodes.to_string(),
            f.shards.to_string(),
            f.slot_ms.to_string(),
            format!("{:.0}", f.offered_per_s),
            format!("{:.2}", f.slots_per_s),
            format!("{:.0}", f.tx_per_s),
            f.absent.to_string(),
            f.rejected.to_string(),
            format!("{:.0}", f.block_bytes_per_slot),
            format!("{:.0}", f.tx_bytes_per_slot),
            format!("{:.0}", f.received_bytes_per_slot),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(ExitCode::SUCCESS)
}

fn sum(infos: &[NetworkInfo], f: impl Fn(&NetworkInfo) -> u64) -> u64 {
    infos.iter().map(f).sum()
}

fn measure(args: &Args, nodes: u32) -> anyhow::Result<Figures> {
    let dir = tempfile_dir()?;
    let genesis_file = dir.join("genesis.json");
    let g = genesis::genesis(&genesis::Args {
        out: genesis_file.clone(),
        shards: args.shards,
        slot_ms: args.slot_ms,
        start_in_ms: 3000 + 500 * u64::from(nodes),
        transfer_balance: 1_000_000_000_000,
        validators: Vec::new(),
        ees: EesArgs { ees_dir: args.ees.ees_dir.clone() },
    })?;
    g.write(&genesis_file)?;
    let started = Launch {
        dir: &dir,
        genesis_file: &genesis_file,
        genesis: &g,
        nodes,
        p2p_port: args.p2p_port,
        rpc_port: args.rpc_port,
        engine: &args.engine,
        ees_dir: &args.ees.dir()?,
    }
    .start(None)?;
    let clients: Vec<Client<HttpTransport>> =
        started.iter().map(|n| Client::connect(&n.rpc)).collect::<Result<_, _>>()?;
    // Warm-up: wait for slot 1 everywhere (genesis passed, EEs compiled, peers connected).
    let until = Instant::now() + Duration::from_secs(60);
    while clients.iter().any(|c| c.head().map_or(true, |h| h.slot < 1)) {
        anyhow::ensure!(Instant::now() < until, "the network did not reach slot 1");
        std::thread::sleep(Duration::from_millis(50));
    }
    let before: Vec<NetworkInfo> = clients.iter().map(|c| c.get_network()).collect::<Result<_, _>>()?;
    let start = Instant::now();
    let end = start + Duration::from_secs(args.seconds);
    let tick = Duration::from_millis(100);
    let per_tick = (args.rate / 10).max(1) as usize;
    let (mut offered, mut k, mut turn, mut failed) = (0u64, 0u64, 0usize, 0u64);
    while Instant::now() < end {
        let next = Instant::now() + tick;
        let batch: Vec<TxRequest> = (0..per_tick)
            .map(|_| {
                k += 1;
                let from = (k % u64::from(args.shards)) as u32;
                let to = ((k / u64::from(args.shards) + 1 + u64::from(from)) % u64::from(args.shards)) as u32;
                TxRequest::new(from, 1, &transfer_data(&[(1 + k % 1000, to, None)]))
            })
            .collect();
        offered += batch.len() as u64;
        // A full mempool refuses; the refusal is the measurement's, not an error. A node
        // restarting (`--resync` after diverging under overload) drops the connection:
        // counted, and the load goes on to the next node.
        if clients[turn % clients.len()].send_transactions(&batch).is_err() {
            failed += 1;
        }
        turn += 1;
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    let secs = start.elapsed().as_secs_f64();
    let after: Vec<NetworkInfo> = clients
        .iter()
        .map(|c| c.get_network())
        .collect::<Result<_, _>>()
        .context("a node is not answering after the load")?;
    if failed > 0 {
        eprintln!("{failed} batches not delivered (a node was restarting)");
    }
    let delta = |f: &dyn Fn(&NetworkInfo) -> u64| sum(&after, f).saturating_sub(sum(&before, f));
    // A node that started again from genesis (`--resync`) counts from zero: the slowest
    // node's count, of those that did not.
    let kept: Vec<(&NetworkInfo, &NetworkInfo)> =
        after.iter().zip(&before).filter(|(a, b)| a.slots >= b.slots).collect();
    let slots = kept.iter().map(|(a, b)| a.slots - b.slots).min().unwrap_or(0);
    // Each node counts every transaction committed in every shard: one node's count.
    let txs = kept.iter().map(|(a, b)| a.txs - b.txs).min().unwrap_or(0);
    let per_slot = |bytes: u64| if slots == 0 { 0.0 } else { bytes as f64 / slots as f64 };
    let block_bytes = delta(&|i| i.own_block_bytes);
    let figures = Figures {
        nodes,
        shards: args.shards,
        slot_ms: args.slot_ms,
        offered_per_s: offered as f64 / secs,
        slots_per_s: slots as f64 / secs,
        tx_per_s: txs as f64 / secs,
        absent: delta(&|i| i.absent),
        rejected: delta(&|i| i.rejected),
        block_bytes_per_slot: per_slot(block_bytes),
        tx_bytes_per_slot: per_slot(delta(&|i| i.gossip_out).saturating_sub(block_bytes)),
        received_bytes_per_slot: per_slot(delta(&|i| i.gossip_in)),
    };
    drop(started);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(figures)
}

/// A fresh folder under the system's temporary directory.
fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random: {e}"))?;
    let dir = std::env::temp_dir().join(format!("ee-net-bench-{}", hex::encode(bytes)));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
