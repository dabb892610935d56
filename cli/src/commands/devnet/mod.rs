//! `ee devnet`: run the local test network ([`node`]: `--node`, one node of a network).
mod node;

use crate::args::{EesArgs, read_ee};
use anyhow::Context;
use ee_devnet::{Genesis, Node, NodeConfig, Validator};
use ee_devnet::{ServeConfig, serve};
use ee_host::runtime::EngineKind;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Run a local Phase 2 network: every shard and the beacon state in one process. Each slot
/// produces a block per shard from its mempool (the meta-EE last), crosslinks the shard
/// roots and commits it all to a redb file in one transaction, so a restart (even after
/// `kill -9`) resumes at the last committed slot. Serves JSON-RPC on loopback
/// (`docs/DEVNET.md`).
///
/// Genesis: EE 1 is the transfer EE with `--transfer-balance` on every shard, the meta-EE
/// is EE 4294967295 (`ee_sdk::META_EE`); deployments take 2, 3, …; validator 0 (`ee keygen --dev 0`) holds 10,000 ETH, validator 1 holds 1 ETH.
///
/// With `--node`, the process is one node of a multi-node network instead
/// (`docs/NETWORK.md`): it produces the blocks of `--shards-owned`, gossips them over
/// libp2p, validates every other node's blocks statelessly before applying them, and
/// answers RPC for all shards. `ee net up` starts a whole local network.
///
/// Example: `ee devnet`, `ee devnet --shards 64 --slot-ms 500 --db /tmp/net.redb`,
/// `ee devnet --node --genesis net/genesis.json --shards-owned 0-3 --p2p /ip4/127.0.0.1/tcp/9700 --peer /ip4/127.0.0.1/tcp/9701`
#[derive(clap::Args)]
pub struct Args {
    /// Run as one node of a multi-node network (needs --genesis and --shards-owned).
    #[arg(long, requires_all = ["genesis", "shards_owned"], conflicts_with_all = ["shards", "validators"])]
    pub node: bool,
    /// The network's genesis file (`ee net genesis`): shards, slot length, start time,
    /// genesis EEs and validators.
    #[arg(long, requires = "node")]
    pub genesis: Option<PathBuf>,
    /// Shards whose blocks this node produces: `0-3`, `0,2,5-7`.
    #[arg(long, requires = "node", value_parser = parse_shard_set)]
    pub shards_owned: Option<ShardSet>,
    /// libp2p listen address (port 0 picks a free one; printed as `p2p: …`).
    #[arg(long, default_value = "/ip4/127.0.0.1/tcp/0")]
    pub p2p: String,
    /// A peer to dial, and redial while it is down (repeatable), e.g.
    /// `/ip4/127.0.0.1/tcp/9701`.
    #[arg(long = "peer", requires = "node")]
    pub peers: Vec<String>,
    /// For tests of the other nodes: gossip tampered blocks (`tamper-witness`, `no-meta`)
    /// while committing honest ones, commit a slot without the foreign blocks
    /// (`skip-foreign:SLOT`), gossip none of a slot's blocks (`withhold:SLOT`; `lie:SLOT`
    /// also answers asks for it with an empty committed version), or cut this
    /// node off from every peer for a while (`isolate:FROM_SLOT:SLOTS`).
    #[arg(long, hide = true, requires = "node")]
    pub fault: Option<String>,
    /// After diverging from the network (more peers committed another history), start
    /// again from genesis — the store deleted — and catch up from the peers (`--node`).
    #[arg(long, requires = "node")]
    pub resync: bool,
    /// Shards (for a new network; a resumed one keeps its own).
    #[arg(long)]
    pub shards: Option<u32>,
    /// Slot length in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub slot_ms: u64,
    /// Wall-time budget of a slot's block production in milliseconds [default: the slot
    /// length]: past it, blocks take no further transactions (they wait for the next
    /// slot); 0 for gas limits only.
    #[arg(long)]
    pub slot_budget_ms: Option<u64>,
    /// The redb file holding blocks and state.
    #[arg(long, default_value = ".ee-devnet/devnet.redb")]
    pub db: PathBuf,
    /// JSON-RPC address (loopback only; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8645")]
    pub rpc: SocketAddr,
    /// Wasm compiler for EEs: singlepass (linear-time compilation of untrusted code) or
    /// cranelift.
    #[arg(long, default_value = "singlepass")]
    pub engine: String,
    /// Stop after producing this many slots.
    #[arg(long)]
    pub slots: Option<u64>,
    /// Transfer-EE balance per shard at genesis (Gwei).
    #[arg(long, default_value_t = 1_000_000_000_000)]
    pub transfer_balance: i64,
    /// Extra genesis validators (hex BLS public keys, 10,000 ETH each; indices 2, 3, …).
    #[arg(long = "validator")]
    pub validators: Vec<String>,
    /// Most user transactions per block.
    #[arg(long, default_value_t = 512)]
    pub max_block_txs: usize,
    /// Validate every produced block statelessly before committing it (a block that fails
    /// halts the node).
    #[arg(long)]
    pub validate: bool,
    /// The JavaScript package's folder whose explorer `GET /` serves on the RPC port
    /// (built by `scripts/build-js.sh`) [default: this checkout's `client/js`].
    #[arg(long, conflicts_with = "no_explorer")]
    pub explorer: Option<PathBuf>,
    /// Serve JSON-RPC only, no explorer.
    #[arg(long)]
    pub no_explorer: bool,
    /// Compile every module afresh: no compiled-module cache on disk (by default
    /// `$EE_CACHE_DIR`, else `$XDG_CACHE_HOME/ee/modules`, else `~/.cache/ee/modules`,
    /// shared with the other `ee` commands).
    #[arg(long)]
    pub no_cache: bool,
    /// Where the built EEs are.
    #[command(flatten)]
    pub ees: EesArgs,
}

/// This checkout's JavaScript package (`client/js`), where `scripts/build-js.sh` builds it.
pub(crate) fn default_explorer() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../client/js"))
}

/// A set of shards given as ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardSet(pub Vec<u32>);

impl std::fmt::Display for ShardSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        let mut i = 0;
        while i < self.0.len() {
            let mut j = i;
            while j + 1 < self.0.len() && self.0[j + 1] == self.0[j] + 1 {
                j += 1;
            }
            parts.push(if i == j { self.0[i].to_string() } else { format!("{}-{}", self.0[i], self.0[j]) });
            i = j + 1;
        }
        f.write_str(&parts.join(","))
    }
}

/// Parses `0-3,5,7-8` (sorted, without repeats).
pub fn parse_shard_set(s: &str) -> Result<ShardSet, String> {
    let mut shards = std::collections::BTreeSet::new();
    for part in s.split(',').map(str::trim) {
        let err = || format!("`{part}`: expected a shard or a range FIRST-LAST");
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().map_err(|_| err())?, b.parse::<u32>().map_err(|_| err())?),
            None => {
                let a = part.parse::<u32>().map_err(|_| err())?;
                (a, a)
            }
        };
        if a > b || b - a > ee_host::limits::MAX_SHARDS {
            return Err(err());
        }
        shards.extend(a..=b);
    }
    Ok(ShardSet(shards.into_iter().collect()))
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    if args.node {
        return node::run(args, out);
    }
    let config = node_config(&args, args.shards.unwrap_or(4), args.slot_ms, args.slot_ms)?;
    // The genesis EEs are only needed for a new network; `Node::open` decides by whether
    // the store holds a committed head (an empty file left by a failed first start does not).
    let genesis = match genesis(&args) {
        Ok(g) => Some(g),
        Err(e) if args.db.exists() => {
            tracing::debug!("no genesis EEs ({e:#}); resuming {}", args.db.display());
            None
        }
        Err(e) => return Err(e),
    };
    let node = Node::open(config, genesis).with_context(|| format!("opening {}", args.db.display()))?;
    let fresh = node.created();
    if let Some(asked) = args.shards
        && asked != node.shards()
    {
        anyhow::bail!(
            "{} holds a {}-shard network; use another --db for {asked} shards",
            args.db.display(),
            node.shards()
        );
    }
    let node = Arc::new(node);
    let head = node.head()?;
    let mut serve_config = ServeConfig::new(args.rpc, &node);
    serve_config.max_slots = args.slots;
    if !args.no_explorer {
        serve_config.explorer = Some(args.explorer.clone().unwrap_or_else(default_explorer));
    }
    let explorer_built =
        serve_config.explorer.as_ref().is_some_and(|d| d.join("pkg/ee_client_bg.wasm").is_file());
    let devnet = serve(node, serve_config)?;
    // Parseable lines first (scripts and tests read `rpc: `), then the guide.
    writeln!(out, "rpc: {}", devnet.url())?;
    writeln!(out, "db: {}", args.db.display())?;
    match (&args.no_explorer, explorer_built) {
        (true, _) => writeln!(out, "explorer: off")?,
        (false, true) => writeln!(out, "explorer: {}/", devnet.url().trim_end_matches('/'))?,
        (false, false) => writeln!(out, "explorer: not built (run scripts/build-js.sh)")?,
    }
    writeln!(
        out,
        "{} {} shards, {} ms slots, {} EEs, next slot {}",
        if fresh { "created" } else { "resumed" },
        head.shards,
        head.slot_ms,
        head.ees,
        head.slot
    )?;
    writeln!(
        out,
        "deploy with: ee keygen --dev 0 --out dev0.key && ee deploy my_ee.wasm --key dev0.key --rpc {}",
        devnet.url()
    )?;
    let produced = devnet.wait(true)?;
    eprintln!("stopped after {produced} slots");
    Ok(ExitCode::SUCCESS)
}

/// The node's configuration from the options, for `shards` shards of `slot_ms`, with a
/// production budget of `budget_ms` unless `--slot-budget-ms` says otherwise.
pub(crate) fn node_config(
    args: &Args,
    shards: u32,
    slot_ms: u64,
    budget_ms: u64,
) -> anyhow::Result<NodeConfig> {
    let engine =
        EngineKind::parse(&args.engine).with_context(|| format!("unknown engine `{}`", args.engine))?;
    let mut config = NodeConfig::new(args.db.clone());
    config.shards = shards;
    config.slot_ms = slot_ms;
    config.slot_budget_ms = match args.slot_budget_ms.unwrap_or(budget_ms) {
        0 => None,
        ms => Some(ms),
    };
    config.engine = engine;
    config.max_block_txs = args.max_block_txs;
    config.validate = args.validate;
    if !args.no_cache {
        config.module_cache = ee_host::runtime::disk_cache::DiskCache::default_dir();
    }
    Ok(config)
}

fn genesis(args: &Args) -> anyhow::Result<Genesis> {
    let dir = args.ees.dir()?;
    let read = |file: &str| read_ee(&dir, file.trim_end_matches(".wasm"));
    let mut validators = Genesis::dev_validators();
    for v in &args.validators {
        let pubkey: [u8; 48] = hex::decode(v.trim_start_matches("0x"))
            .ok()
            .and_then(|b| b.try_into().ok())
            .with_context(|| format!("--validator {v}: not a 48-byte hex public key"))?;
        validators.push(Validator { pubkey, balance: 10_000 * 1_000_000_000 });
    }
    Ok(Genesis {
        meta_ee: read("meta_ee.wasm")?,
        vhee: read("vhee.wasm")?,
        vhee_float: Genesis::VHEE_FLOAT,
        transfer_ee: read("transfer_ee.wasm")?,
        transfer_balance: args.transfer_balance,
        validators,
    })
}
