//! `ee devnet --node`: one node of a multi-node network (`docs/NETWORK.md`).
use super::{Args, default_explorer, node_config};
use crate::args::read_ee;
use anyhow::Context;
use ee_devnet::net::{Multiaddr, NetConfig, NetError, NetGenesis};
use ee_devnet::{Genesis, Node, ServeConfig, serve};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How one run of the node ended.
enum End {
    /// Stopped (Ctrl-C, `--slots`) or failed and stopped serving.
    Done(anyhow::Result<()>),
    /// Diverged from the network with `--resync`: start again from genesis on the same
    /// addresses.
    Resync { slot: u64, rpc: SocketAddr, p2p: Multiaddr },
}

/// Runs the node; with `--resync`, again from genesis each time it diverges.
pub(super) fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let g = NetGenesis::read(args.genesis.as_ref().context("--node needs --genesis")?)?;
    let owned = args.shards_owned.clone().context("--node needs --shards-owned")?;
    if let Some(s) = owned.0.iter().find(|s| **s >= g.shards) {
        anyhow::bail!("--shards-owned names shard {s}; the network has {} shards", g.shards);
    }
    let mut rpc = args.rpc;
    let mut p2p: Multiaddr =
        args.p2p.parse().with_context(|| format!("--p2p {}: not a multiaddr", args.p2p))?;
    loop {
        match once(&args, &g, rpc, p2p, out)? {
            End::Done(result) => return result.map(|()| ExitCode::SUCCESS),
            End::Resync { slot, rpc: r, p2p: p } => {
                eprintln!("diverged from the network at slot {slot}: starting again from genesis (--resync)");
                std::fs::remove_file(&args.db).with_context(|| format!("removing {}", args.db.display()))?;
                (rpc, p2p) = (r, p);
            }
        }
    }
}

/// One run: opens (or creates) the store, serves RPC on `rpc`, joins the network on `p2p`.
fn once(
    args: &Args,
    g: &NetGenesis,
    rpc: SocketAddr,
    p2p: Multiaddr,
    out: &mut dyn Write,
) -> anyhow::Result<End> {
    // Blocks are produced at the start of a slot and must reach the other nodes, and be
    // validated there, before its collect deadline (half the slot).
    let config = node_config(args, g.shards, g.slot_ms, g.slot_ms / 4)?;
    let dir = args.ees.dir()?;
    let read = |file: &str| read_ee(&dir, file);
    let (meta_ee, vhee, transfer_ee) = (read("meta_ee")?, read("vhee")?, read("transfer_ee")?);
    g.check_codes(&meta_ee, &vhee, &transfer_ee)?;
    let genesis = Genesis {
        meta_ee,
        vhee,
        vhee_float: Genesis::VHEE_FLOAT,
        transfer_ee,
        transfer_balance: g.transfer_balance,
        validators: g.validators()?,
    };
    // The store must hold this network: the same genesis roots.
    let expected: Vec<String> =
        genesis.spec(g.shards).build()?.beacon.shard_roots.iter().map(hex::encode).collect();
    let node = Node::open(config, Some(genesis)).with_context(|| format!("opening {}", args.db.display()))?;
    if node.chain_config()?.genesis_roots != expected {
        anyhow::bail!("{} holds another network's chain; use another --db", args.db.display());
    }
    let node = Arc::new(node);
    let head = node.head()?;
    let mut serve_config = ServeConfig::new(rpc, &node);
    serve_config.produce = false;
    if !args.no_explorer {
        serve_config.explorer = Some(args.explorer.clone().unwrap_or_else(default_explorer));
    }
    let devnet = serve(node.clone(), serve_config)?;
    let peers = args
        .peers
        .iter()
        .map(|p| p.parse::<Multiaddr>().with_context(|| format!("--peer {p}: not a multiaddr")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let owned = args.shards_owned.clone().context("--node needs --shards-owned")?;
    let mut net_config = NetConfig::new(g.clone(), owned.0.clone(), p2p, peers);
    net_config.max_slots = args.slots;
    if let Some(f) = &args.fault {
        let fault = ee_devnet::net::Fault::parse(f).with_context(|| {
            format!("--fault {f}: tamper-witness, no-meta, skip-foreign:SLOT, withhold:SLOT, lie:SLOT or isolate:FROM_SLOT:SLOTS")
        })?;
        net_config.fault = Some(fault);
    }
    let net = ee_devnet::net::start(node, net_config, devnet.runtime())?;
    let bound = (devnet.addr(), net.listen_addr().clone());
    writeln!(out, "rpc: {}", devnet.url())?;
    writeln!(out, "p2p: {}", net.listen_addr())?;
    writeln!(out, "db: {}", args.db.display())?;
    writeln!(
        out,
        "node of network {}: produces shards {owned} of {}, {} ms slots, next slot {}",
        g.network_id(),
        g.shards,
        g.slot_ms,
        head.slot
    )?;
    out.flush()?;
    net.stop_on_ctrl_c(devnet.runtime());
    let stats = net.stats().clone();
    let result = net.wait();
    let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
    eprintln!(
        "stopped after {} slots ({} caught up): {} transactions, {} foreign blocks rejected, {} shard-slots without a block; gossip {} B out, {} B in",
        n(&stats.slots),
        n(&stats.caught_up),
        n(&stats.txs),
        n(&stats.rejected),
        n(&stats.absent),
        n(&stats.gossip_out),
        n(&stats.gossip_in)
    );
    match result {
        Ok(_) => Ok(End::Done(Ok(()))),
        Err(NetError::Diverged { slot }) if args.resync => {
            Ok(End::Resync { slot, rpc: bound.0, p2p: bound.1 })
        }
        Err(e) if args.slots.is_none() => {
            // As a halted lone devnet: keep answering from the committed state.
            tracing::error!(error = %e, "the node stopped taking part in the network");
            eprintln!("node stopped: {e}\nstill serving its committed state over RPC; Ctrl-C to stop");
            devnet.block_until_ctrl_c();
            Ok(End::Done(Err(e.into())))
        }
        Err(e) => Ok(End::Done(Err(e.into()))),
    }
}
