//! `ee net up`: start a local network of node processes.
use super::genesis;
use crate::args::EesArgs;
use crate::commands::devnet::ShardSet;
use anyhow::Context;
use ee_devnet::net::NetGenesis;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

/// Start `--nodes` `ee devnet --node` processes on loopback: node `i` listens for peers
/// on `--p2p-port + i` and for JSON-RPC on `--rpc-port + i`, keeps its chain in
/// `DIR/node-i/devnet.redb`, its stdout in `DIR/node-i/out` and its log in `DIR/node-i/log`, produces an even share of
/// the shards, dials every other node, and runs with `--resync` (a node the others find
/// diverged starts again from genesis). The genesis is `DIR/genesis.json` (written on
/// the first `up`; a later `up` resumes the same network); the process ids go to
/// `DIR/pids` for `ee net down`. Returns once every node serves RPC.
#[derive(clap::Args)]
pub struct Args {
    /// Nodes.
    #[arg(long, default_value_t = 4)]
    pub nodes: u32,
    /// Shards (for a new network).
    #[arg(long, default_value_t = 16)]
    pub shards: u32,
    /// Slot length in milliseconds (for a new network).
    #[arg(long, default_value_t = 1000)]
    pub slot_ms: u64,
    /// The network's folder.
    #[arg(long, default_value = ".ee-net")]
    pub dir: PathBuf,
    /// First node's libp2p port.
    #[arg(long, default_value_t = 9700)]
    pub p2p_port: u16,
    /// First node's JSON-RPC port.
    #[arg(long, default_value_t = 8700)]
    pub rpc_port: u16,
    /// Wasm compiler for EEs.
    #[arg(long, default_value = "singlepass")]
    pub engine: String,
    /// Where the built EEs are.
    #[command(flatten)]
    pub ees: EesArgs,
}

/// The shards node `i` of `nodes` produces: an even split, the first nodes taking one
/// more when it does not divide.
pub fn share(i: u32, nodes: u32, shards: u32) -> ShardSet {
    let (base, extra) = (shards / nodes, shards % nodes);
    let first = i * base + i.min(extra);
    let n = base + u32::from(i < extra);
    ShardSet((first..first + n).collect())
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    if args.nodes == 0 {
        anyhow::bail!("--nodes must be positive");
    }
    std::fs::create_dir_all(&args.dir)?;
    let pids = args.dir.join("pids");
    if pids.exists() {
        anyhow::bail!(
            "{} exists: the network may be running (`ee net down --dir {}` first)",
            pids.display(),
            args.dir.display()
        );
    }
    let genesis_file = args.dir.join("genesis.json");
    let g = if genesis_file.exists() {
        NetGenesis::read(&genesis_file)?
    } else {
        let g = genesis::genesis(&genesis::Args {
            out: genesis_file.clone(),
            shards: args.shards,
            slot_ms: args.slot_ms,
            start_in_ms: 3000 + 500 * u64::from(args.nodes),
            transfer_balance: 1_000_000_000_000,
            validators: Vec::new(),
            ees: EesArgs { ees_dir: args.ees.ees_dir.clone() },
        })?;
        g.write(&genesis_file)?;
        g
    };
    if args.nodes > g.shards {
        anyhow::bail!("{} nodes for {} shards: every node needs a shard", args.nodes, g.shards);
    }
    let nodes = Launch {
        dir: &args.dir,
        genesis_file: &genesis_file,
        genesis: &g,
        nodes: args.nodes,
        p2p_port: args.p2p_port,
        rpc_port: args.rpc_port,
        engine: &args.engine,
        ees_dir: &args.ees.dir()?,
    }
    .start(Some(&pids))?;
    let lines: Vec<String> = nodes
        .iter()
        .map(|n| {
            format!(
                "node {}: rpc: {}, shards {}, log {}",
                n.index,
                n.rpc,
                share(n.index, args.nodes, g.shards),
                n.dir.join("log").display()
            )
        })
        .collect();
    // The nodes outlive this command.
    std::mem::forget(nodes);
    writeln!(
        out,
        "network {} up: {} nodes, {} shards, {} ms slots",
        g.network_id(),
        args.nodes,
        g.shards,
        g.slot_ms
    )?;
    for l in lines {
        writeln!(out, "{l}")?;
    }
    writeln!(out, "stop with: ee net down --dir {}", args.dir.display())?;
    Ok(ExitCode::SUCCESS)
}

/// How to start a local network's node processes.
pub struct Launch<'a> {
    /// The network's folder (`node-i/` per node).
    pub dir: &'a Path,
    /// Its genesis file.
    pub genesis_file: &'a Path,
    /// Its genesis.
    pub genesis: &'a NetGenesis,
    /// Nodes.
    pub nodes: u32,
    /// Node `i` listens for peers on `p2p_port + i` …
    pub p2p_port: u16,
    /// … and for JSON-RPC on `rpc_port + i`.
    pub rpc_port: u16,
    /// Wasm compiler.
    pub engine: &'a str,
    /// Built EEs.
    pub ees_dir: &'a Path,
}

/// A started node process (killed when dropped, unless forgotten).
pub struct Started {
    /// Its index.
    pub index: u32,
    /// Its folder.
    pub dir: PathBuf,
    /// Its JSON-RPC URL.
    pub rpc: String,
    child: std::process::Child,
}

impl Drop for Started {
    fn drop(&mut self) {
        // SIGTERM (as `ee net down`), then reap.
        let _ = std::process::Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

impl Launch<'_> {
    /// Starts every node; each process id is appended to `pids` as it starts. Returns
    /// once every node serves RPC.
    pub fn start(&self, pids: Option<&Path>) -> anyhow::Result<Vec<Started>> {
        let exe = std::env::current_exe()?;
        let mut started = Vec::new();
        for i in 0..self.nodes {
            let dir = self.dir.join(format!("node-{i}"));
            std::fs::create_dir_all(&dir)?;
            let log = std::fs::File::create(dir.join("log"))?;
            let port = |base: u16| base.checked_add(i as u16).context("port out of range");
            let mut cmd = std::process::Command::new(&exe);
            if std::env::var_os("EE_LOG").is_none() {
                // A line per slot in the log; libp2p's own chatter only when it matters.
                cmd.env("EE_LOG", "info,libp2p_gossipsub=warn,libp2p_swarm=warn");
            }
            cmd.args(["devnet", "--node", "--resync", "--no-explorer", "--engine", self.engine])
                .arg("--genesis")
                .arg(self.genesis_file)
                .args(["--shards-owned", &share(i, self.nodes, self.genesis.shards).to_string()])
                .arg("--db")
                .arg(dir.join("devnet.redb"))
                .arg("--ees-dir")
                .arg(self.ees_dir)
                .args(["--rpc", &format!("127.0.0.1:{}", port(self.rpc_port)?)])
                .args(["--p2p", &format!("/ip4/127.0.0.1/tcp/{}", port(self.p2p_port)?)]);
            for j in (0..self.nodes).filter(|j| *j != i) {
                let peer = self.p2p_port.checked_add(j as u16).context("port out of range")?;
                cmd.args(["--peer", &format!("/ip4/127.0.0.1/tcp/{peer}")]);
            }
            let child = cmd
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(dir.join("out"))?)
                .stderr(log)
                .spawn()
                .with_context(|| format!("starting node {i}"))?;
            if let Some(pids) = pids {
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(pids)?
                    .write_all(format!("{}\n", child.id()).as_bytes())?;
            }
            started.push(Started { index: i, dir, rpc: String::new(), child });
        }
        for n in &mut started {
            let line = first_line(&mut n.child, &n.dir.join("out"), &n.dir.join("log"))
                .with_context(|| format!("node {} did not start", n.index))?;
            n.rpc = line.trim_start_matches("rpc: ").to_string();
        }
        Ok(started)
    }
}

/// The node's `rpc: URL` line, from the file its stdout goes to (it exits on failure:
/// then its log says why).
fn first_line(child: &mut std::process::Child, out: &Path, log: &Path) -> anyhow::Result<String> {
    let until = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < until {
        let text = std::fs::read_to_string(out).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.starts_with("rpc: ")) {
            return Ok(line.to_string());
        }
        if child.try_wait()?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    anyhow::bail!("see {}", log.display())
}
