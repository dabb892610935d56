//! The multi-node devnet (`ee devnet --node`, `docs/NETWORK.md`): nodes of one genesis
//! file on libp2p — gossipsub topics per shard for blocks, one for forwarded
//! transactions, one for beacon operations (deployments, deposits), request/response for
//! catching up — each producing the shards it owns and validating every other block
//! statelessly before applying it.
//!
//! | module | what |
//! |---|---|
//! | [`genesis`] | the shared genesis file, whose hash names the network |
//! | [`wire`] | gossip payloads and the catch-up protocol's messages |
//! | `p2p` | the libp2p swarm task |
//! | `slots` | the slot loop: produce, gossip, collect and validate, commit; catch up |
pub mod genesis;
mod p2p;
mod slots;
pub mod wire;

pub use genesis::{GenesisFileError, NetGenesis};
pub use libp2p::Multiaddr;
pub use p2p::MAX_MESSAGE_BYTES;

pub use crate::node::NetStats;
use crate::node::{DevnetError, Node};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Gossip events waiting for the slot loop; past this, blocks and statuses are dropped
/// (reported `Ignore`) until it catches up.
const EVENTS: usize = 4096;

/// Why a network node stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The node failed.
    #[error(transparent)]
    Node(#[from] DevnetError),
    /// The libp2p swarm could not be set up.
    #[error("network: {0}")]
    P2p(String),
    /// A peer's committed slot did not validate here.
    #[error("catching up: {0}")]
    CatchUp(String),
    /// This node's roots differ from its peers': after taking a slot from a peer, or in
    /// the statuses more peers gossiped for a slot than agree with it. Its store holds a
    /// history the network does not (a block committed here that others missed, or one
    /// it missed). Restart it with a fresh `--db` (`--resync` does that by itself).
    #[error("slot {slot}: this node's roots differ from its peers'; restart it with a fresh --db")]
    Diverged {
        /// The slot.
        slot: u64,
    },
}

/// How a node takes part in a network.
#[derive(Clone, Debug)]
pub struct NetConfig {
    /// The shared genesis.
    pub genesis: NetGenesis,
    /// The shards whose blocks this node produces.
    pub owned: Vec<u32>,
    /// Where to listen (e.g. `/ip4/127.0.0.1/tcp/0`).
    pub listen: Multiaddr,
    /// Peers to dial (and redial while they are down).
    pub peers: Vec<Multiaddr>,
    /// Stop after committing this many slots.
    pub max_slots: Option<u64>,
    /// Percent of a slot after which missing foreign blocks are asked of the peers.
    pub collect_percent: u64,
    /// Percent of a slot after which a node that was not running at its start sits it
    /// out and catches it up afterwards.
    pub join_percent: u64,
    /// Misbehave (tests of the others' validation): gossip tampered blocks.
    pub fault: Option<Fault>,
}

/// How a deliberately faulty node tampers with the blocks it gossips (it commits its
/// honest blocks itself), for tests that the other nodes reject them and keep going.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Flip a byte of the block's witness.
    TamperWitness,
    /// Leave out the meta-EE's transaction.
    NoMeta,
    /// Commit slot `slot` without the foreign blocks (as if none had come): this node's
    /// history then differs from the others', which its peers' statuses reveal.
    SkipForeign {
        /// The slot.
        slot: u64,
    },
    /// Cut this node off from every peer from slot `from` for `slots` slots (a partition
    /// of one node), then join again. Its blocks are honest.
    Isolate {
        /// The first slot cut off.
        from: u64,
        /// How many slots.
        slots: u64,
    },
    /// Gossip no block of slot `slot` (as if every message were lost) but commit them and
    /// give them to peers that ask: the others must still commit them, from the answers.
    Withhold {
        /// The slot.
        slot: u64,
    },
    /// Gossip no block of slot `slot` and answer every ask for it with an empty committed
    /// version (which validates anywhere): the others must not take it in place of their
    /// own blocks.
    Lie {
        /// The slot.
        slot: u64,
    },
}

impl Fault {
    /// Parses `tamper-witness`, `no-meta`, `skip-foreign:SLOT`, `withhold:SLOT`, `lie:SLOT`
    /// or `isolate:FROM:SLOTS`.
    pub fn parse(s: &str) -> Option<Fault> {
        match s {
            "tamper-witness" => Some(Fault::TamperWitness),
            "no-meta" => Some(Fault::NoMeta),
            _ if s.starts_with("skip-foreign:") => {
                Some(Fault::SkipForeign { slot: s.strip_prefix("skip-foreign:")?.parse().ok()? })
            }
            _ if s.starts_with("withhold:") => {
                Some(Fault::Withhold { slot: s.strip_prefix("withhold:")?.parse().ok()? })
            }
            _ if s.starts_with("lie:") => Some(Fault::Lie { slot: s.strip_prefix("lie:")?.parse().ok()? }),
            _ => {
                let mut parts = s.strip_prefix("isolate:")?.split(':');
                let from = parts.next()?.parse().ok()?;
                let slots = parts.next()?.parse().ok()?;
                parts.next().is_none().then_some(Fault::Isolate { from, slots })
            }
        }
    }

    /// Whether this node gossips none of its blocks of `slot` (`withhold`, `lie`).
    pub fn withholds(self, slot: u64) -> bool {
        matches!(self, Fault::Withhold { slot: s } | Fault::Lie { slot: s } if s == slot)
    }

    /// The tampered block.
    pub fn apply(self, mut block: ee_sdk::ShardBlock) -> ee_sdk::ShardBlock {
        match self {
            Fault::TamperWitness => match block.witness.last_mut() {
                Some(b) => *b ^= 1,
                None => block.witness.push(1),
            },
            Fault::NoMeta => {
                block.transactions.pop();
            }
            Fault::Isolate { .. }
            | Fault::SkipForeign { .. }
            | Fault::Withhold { .. }
            | Fault::Lie { .. } => {}
        }
        block
    }
}

impl NetConfig {
    /// Defaults: collect until half the slot, join within its first quarter.
    pub fn new(genesis: NetGenesis, owned: Vec<u32>, listen: Multiaddr, peers: Vec<Multiaddr>) -> Self {
        NetConfig {
            genesis,
            owned,
            listen,
            peers,
            max_slots: None,
            collect_percent: 50,
            join_percent: 25,
            fault: None,
        }
    }
}

/// A node on a network: its swarm task and its slot loop.
pub struct NetNode {
    stop: Arc<AtomicBool>,
    stats: Arc<NetStats>,
    listen: Multiaddr,
    slots: Option<JoinHandle<Result<u64, NetError>>>,
}

/// Joins `node` to the network of `config.genesis`: starts the swarm on `runtime` and
/// the slot loop on a thread of its own. The node must have been opened from the same
/// genesis.
pub fn start(
    node: Arc<Node>,
    config: NetConfig,
    runtime: &tokio::runtime::Runtime,
) -> Result<NetNode, NetError> {
    let network = config.genesis.network_id();
    let topics = p2p::Topics::new(&network, node.shards());
    let (commands, command_rx) = futures::channel::mpsc::unbounded();
    let (event_tx, events) = std::sync::mpsc::sync_channel(EVENTS);
    let forward_commands = commands.clone();
    let announce_commands = commands.clone();
    let stats = Arc::new(NetStats::default());
    node.join_network(
        &config.owned,
        &network,
        stats.clone(),
        Box::new(move |shard, tx| {
            let msg = wire::TxGossip { shard: shard.0, tx: tx.clone(), attempt: 0 };
            let _ = forward_commands.unbounded_send(p2p::Command::PublishTx(msg));
        }),
        Box::new(move |op| {
            let _ = announce_commands.unbounded_send(p2p::Command::PublishOp(op.clone()));
        }),
        {
            let genesis = config.genesis.clone();
            Box::new(move || genesis.slot_at(slots::now_ms()))
        },
    )?;
    let swarm = {
        let _guard = runtime.enter();
        p2p::swarm(config.listen.clone(), &topics).map_err(NetError::P2p)?
    };
    let (listening_tx, listening) = std::sync::mpsc::channel();
    let held = Arc::new(slots::Held::default());
    runtime.spawn(p2p::run(p2p::Task {
        swarm,
        topics,
        peers: config.peers.clone(),
        node: node.clone(),
        commands: command_rx,
        reports: commands.clone(),
        events: event_tx,
        stats: stats.clone(),
        listening: listening_tx,
        fault: config.fault,
        held: held.clone(),
    }));
    let listen = listening
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| NetError::P2p(format!("not listening on {}", config.listen)))?;
    let stop = Arc::new(AtomicBool::new(false));
    let slots = slots::Slots {
        node,
        config,
        commands,
        events,
        stop: stop.clone(),
        stats: stats.clone(),
        buffered: Default::default(),
        isolated: false,
        mine: Default::default(),
        theirs: Default::default(),
        diverged: None,
        missed_until: None,
        caught_up: None,
        held,
    };
    let slots = std::thread::Builder::new()
        .name("ee-net-slots".into())
        .spawn(move || slots.run())
        .map_err(|e| NetError::P2p(e.to_string()))?;
    Ok(NetNode { stop, stats, listen, slots: Some(slots) })
}

impl NetNode {
    /// The address peers dial (the listen address, with the port chosen).
    pub fn listen_addr(&self) -> &Multiaddr {
        &self.listen
    }

    /// The counters.
    pub fn stats(&self) -> &Arc<NetStats> {
        &self.stats
    }

    /// Stops the slot loop on Ctrl-C.
    pub fn stop_on_ctrl_c(&self, runtime: &tokio::runtime::Runtime) {
        let stop = self.stop.clone();
        runtime.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::Relaxed);
            }
        });
    }

    /// A flag that stops the slot loop when set.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Waits for the slot loop to end (stop flag, `max_slots`, or a failure); the slots
    /// it committed.
    pub fn wait(mut self) -> Result<u64, NetError> {
        match self.slots.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(NetError::P2p("the slot loop panicked".into())),
            None => Ok(0),
        }
    }
}

impl Drop for NetNode {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.slots.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fault;

    #[test]
    fn faults_parse_and_junk_does_not() {
        assert_eq!(Fault::parse("tamper-witness"), Some(Fault::TamperWitness));
        assert_eq!(Fault::parse("no-meta"), Some(Fault::NoMeta));
        assert_eq!(Fault::parse("skip-foreign:8"), Some(Fault::SkipForeign { slot: 8 }));
        assert_eq!(Fault::parse("withhold:5"), Some(Fault::Withhold { slot: 5 }));
        assert_eq!(Fault::parse("lie:5"), Some(Fault::Lie { slot: 5 }));
        assert!(Fault::Withhold { slot: 5 }.withholds(5) && Fault::Lie { slot: 5 }.withholds(5));
        assert!(!Fault::Withhold { slot: 5 }.withholds(6) && !Fault::NoMeta.withholds(5));
        assert_eq!(Fault::parse("isolate:8:5"), Some(Fault::Isolate { from: 8, slots: 5 }));
        for junk in ["", "withhold", "withhold:", "withhold:x", "isolate:8", "isolate:8:5:1", "mute"] {
            assert_eq!(Fault::parse(junk), None, "{junk}");
        }
    }
}
