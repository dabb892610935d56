//! The libp2p side of a node: one swarm (TCP, noise, yamux) running gossipsub — a topic
//! per shard for its blocks, one for forwarded transactions — and the catch-up
//! request/response protocol. It runs as a task on the node's tokio runtime; the slot
//! loop talks to it through [`Command`]s and receives [`Event`]s.
use super::wire::{BeaconOp, SYNC_PROTOCOL, SlotStatus, SyncRequest, SyncResponse, TxGossip};
use super::{Fault, NetStats};
use crate::node::Node;
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::{ShardBlock, ShardId};
use futures::StreamExt;
use futures::channel::mpsc;
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance, MessageId, TopicHash};
use libp2p::request_response::{self, OutboundRequestId, ProtocolSupport};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{Multiaddr, PeerId, StreamProtocol, Swarm, noise, tcp, yamux};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Largest gossip message (a block with its witness): 16 MiB.
pub const MAX_MESSAGE_BYTES: usize = 16 << 20;

/// Sendings of a forwarded transaction before the forwarding node gives up on it.
pub const MAX_FORWARDS: u32 = 60;

/// What the slot loop asks of the swarm.
pub(crate) enum Command {
    /// Gossip a block.
    PublishBlock(Vec<u8>, u32),
    /// Gossip what this node committed in a slot.
    PublishStatus(SlotStatus),
    /// Gossip a beacon operation this node accepted.
    PublishOp(BeaconOp),
    /// Gossip a transaction to the owner of its shard (and again every second while it
    /// is pending here, up to [`MAX_FORWARDS`] times).
    PublishTx(TxGossip),
    /// Tell gossipsub whether a received block was valid (only then is it forwarded).
    Report(MessageId, PeerId, MessageAcceptance),
    /// Ask every connected peer for a slot; the answers go to the sender.
    Request(SyncRequest, std::sync::mpsc::Sender<Answer>),
    /// Cut this node off (drop every connection, dial none, refuse incoming ones) or
    /// join again — the `isolate` fault, a partition of this node.
    Isolate(bool),
}

/// Answers to a [`Command::Request`].
pub(crate) enum Answer {
    /// How many peers were asked (sent first).
    Asked(usize),
    /// A peer's response.
    Response(SyncResponse),
    /// A request that failed.
    Failed,
}

/// What the swarm tells the slot loop.
pub(crate) enum Event {
    /// A block arrived by gossip (not yet validated).
    Block { block: ShardBlock, id: MessageId, source: PeerId },
    /// A peer's status: what it committed in a slot.
    Status { peer: PeerId, status: SlotStatus },
}

#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    gossipsub: gossipsub::Behaviour,
    sync: request_response::cbor::Behaviour<SyncRequest, SyncResponse>,
}

/// The topics of one network.
pub(crate) struct Topics {
    blocks: Vec<IdentTopic>,
    tx: IdentTopic,
    status: IdentTopic,
    beacon: IdentTopic,
}

impl Topics {
    pub(crate) fn new(network: &str, shards: u32) -> Self {
        Topics {
            blocks: (0..shards).map(|s| IdentTopic::new(format!("/ee-devnet/{network}/block/{s}"))).collect(),
            tx: IdentTopic::new(format!("/ee-devnet/{network}/tx")),
            status: IdentTopic::new(format!("/ee-devnet/{network}/status")),
            beacon: IdentTopic::new(format!("/ee-devnet/{network}/beacon")),
        }
    }

    fn block_shard(&self, topic: &TopicHash) -> Option<u32> {
        self.blocks.iter().position(|t| &t.hash() == topic).map(|i| i as u32)
    }
}

/// Builds the swarm, listening on `listen` and subscribed to every topic.
pub(crate) fn swarm(listen: Multiaddr, topics: &Topics) -> Result<Swarm<Behaviour>, String> {
    let mut swarm = libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)
        .map_err(|e| format!("transport: {e}"))?
        .with_behaviour(|key| {
            let config = gossipsub::ConfigBuilder::default()
                .heartbeat_interval(Duration::from_millis(250))
                // A block waits for its verdict (the slot loop validates it when its slot
                // opens, up to `LOOKAHEAD` slots later) in the message cache: keep it
                // there 8 s, or the verdict comes too late to forward it.
                .history_length(32)
                .max_transmit_size(MAX_MESSAGE_BYTES)
                // Content-addressed: the same block or transaction from two peers is one
                // message.
                .message_id_fn(|m: &gossipsub::Message| MessageId::from(Sha256::digest(&m.data).to_vec()))
                // Blocks are forwarded only once the slot loop validated them.
                .validate_messages()
                .build()
                .map_err(|e| e.to_string())?;
            let gossipsub =
                gossipsub::Behaviour::new(gossipsub::MessageAuthenticity::Signed(key.clone()), config)?;
            let codec = request_response::cbor::codec::Codec::default()
                .set_response_size_maximum(MAX_MESSAGE_BYTES as u64 * 4);
            let sync = request_response::cbor::Behaviour::with_codec(
                codec,
                [(StreamProtocol::new(SYNC_PROTOCOL), ProtocolSupport::Full)],
                request_response::Config::default().with_request_timeout(Duration::from_secs(10)),
            );
            Ok(Behaviour { gossipsub, sync })
        })
        .map_err(|e| format!("behaviour: {e}"))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3600)))
        .build();
    for t in topics.blocks.iter().chain([&topics.tx, &topics.status, &topics.beacon]) {
        swarm.behaviour_mut().gossipsub.subscribe(t).map_err(|e| format!("subscribe: {e}"))?;
    }
    swarm.listen_on(listen).map_err(|e| format!("listen: {e}"))?;
    Ok(swarm)
}

/// What the swarm task runs with.
pub(crate) struct Task {
    pub(crate) swarm: Swarm<Behaviour>,
    pub(crate) topics: Topics,
    /// Peers to dial and redial.
    pub(crate) peers: Vec<Multiaddr>,
    pub(crate) node: Arc<Node>,
    pub(crate) commands: mpsc::UnboundedReceiver<Command>,
    /// Where verdicts reached off the swarm's thread go (into `commands`).
    pub(crate) reports: mpsc::UnboundedSender<Command>,
    pub(crate) events: std::sync::mpsc::SyncSender<Event>,
    pub(crate) stats: Arc<NetStats>,
    /// Where the address listened on goes.
    pub(crate) listening: std::sync::mpsc::Sender<Multiaddr>,
    pub(crate) fault: Option<Fault>,
    /// The blocks the slot loop holds for its open slot (served to peers that ask).
    pub(crate) held: Arc<super::slots::Held>,
}

/// The swarm task: runs until the command channel closes.
pub(crate) async fn run(task: Task) {
    let Task { mut swarm, topics, peers, node, mut commands, reports, events, stats, listening, fault, held } =
        task;
    let mut redial = tokio::time::interval(Duration::from_secs(1));
    // Configured peers by address, with the peer id once a connection we dialled is up.
    let mut dialled: BTreeMap<Multiaddr, Option<PeerId>> = peers.into_iter().map(|a| (a, None)).collect();
    let mut requests: HashMap<OutboundRequestId, std::sync::mpsc::Sender<Answer>> = HashMap::new();
    // Forwarded transactions still pending here, with the hash the node knows them by.
    let mut forwarded: Vec<(String, TxGossip)> = Vec::new();
    let mut isolated = false;
    loop {
        tokio::select! {
            _ = redial.tick(), if !isolated => {
                forwarded.retain_mut(|(hash, msg)| {
                    if !node.is_pending(hash).unwrap_or(false) || msg.attempt + 1 >= MAX_FORWARDS {
                        let _ = node.forwarded_done(hash);
                        return false;
                    }
                    msg.attempt += 1;
                    publish_tx(&mut swarm, &topics, msg, &stats);
                    true
                });
                for (addr, peer) in &dialled {
                    if peer.is_none_or(|p| !swarm.is_connected(&p))
                        && let Err(e) = swarm.dial(addr.clone())
                    {
                        tracing::debug!(%addr, error = %e, "dial failed");
                    }
                }
            }
            command = commands.next() => {
                let Some(command) = command else { break };
                match command {
                    Command::PublishBlock(data, shard) => {
                        let n = data.len() as u64;
                        match swarm.behaviour_mut().gossipsub.publish(topics.blocks[shard as usize].clone(), data) {
                            Ok(_) => {
                                stats.gossip_out.fetch_add(n, Ordering::Relaxed);
                                stats.own_block_bytes.fetch_add(n, Ordering::Relaxed);
                            }
                            // Alone on the network (no peer subscribed) is not a fault.
                            Err(e) => tracing::debug!(shard, error = %e, "block not gossiped"),
                        }
                    }
                    Command::PublishStatus(mut status) => {
                        status.node = swarm.local_peer_id().to_bytes();
                        let data = status.encode();
                        let n = data.len() as u64;
                        if swarm.behaviour_mut().gossipsub.publish(topics.status.clone(), data).is_ok() {
                            stats.gossip_out.fetch_add(n, Ordering::Relaxed);
                        }
                    }
                    Command::PublishOp(op) => {
                        let data = op.encode();
                        let n = data.len() as u64;
                        match swarm.behaviour_mut().gossipsub.publish(topics.beacon.clone(), data) {
                            Ok(_) => {
                                stats.gossip_out.fetch_add(n, Ordering::Relaxed);
                            }
                            Err(e) => tracing::warn!(slot = op.slot, error = %e, "beacon operation not gossiped"),
                        }
                    }
                    Command::PublishTx(msg) => {
                        publish_tx(&mut swarm, &topics, &msg, &stats);
                        let hash = hex::encode(ee_host::exec::tx_hash(ShardId(msg.shard), &msg.tx));
                        forwarded.push((hash, msg));
                    }
                    Command::Isolate(on) => {
                        isolated = on;
                        if on {
                            let connected: Vec<PeerId> = swarm.connected_peers().copied().collect();
                            for p in connected {
                                let _ = swarm.disconnect_peer_id(p);
                            }
                        }
                        tracing::warn!(isolated = on, "partition (fault injection)");
                    }
                    Command::Report(id, source, acceptance) => {
                        swarm.behaviour_mut().gossipsub.report_message_validation_result(&id, &source, acceptance);
                    }
                    Command::Request(request, reply) => {
                        let connected: Vec<PeerId> = swarm.connected_peers().copied().collect();
                        let _ = reply.send(Answer::Asked(connected.len()));
                        for peer in connected {
                            let id = swarm.behaviour_mut().sync.send_request(&peer, request.clone());
                            requests.insert(id, reply.clone());
                        }
                    }
                }
            }
            event = swarm.select_next_some() => match event {
                SwarmEvent::NewListenAddr { address, .. } => {
                    let _ = listening.send(address);
                }
                SwarmEvent::ConnectionEstablished { peer_id, .. } if isolated => {
                    let _ = swarm.disconnect_peer_id(peer_id);
                }
                SwarmEvent::ConnectionEstablished { peer_id, endpoint, .. } => {
                    let peers = swarm.connected_peers().count() as u64;
                    stats.peers.store(peers, Ordering::Relaxed);
                    stats.max_peers.fetch_max(peers, Ordering::Relaxed);
                    if let Some(slot) = dialled.get_mut(endpoint.get_remote_address()) {
                        *slot = Some(peer_id);
                    }
                    tracing::info!(%peer_id, addr = %endpoint.get_remote_address(), "peer connected");
                }
                SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } => {
                    stats.peers.store(swarm.connected_peers().count() as u64, Ordering::Relaxed);
                    tracing::info!(%peer_id, "peer disconnected");
                }
                SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(gossipsub::Event::Message {
                    propagation_source,
                    message_id,
                    message,
                })) => {
                    stats.gossip_in.fetch_add(message.data.len() as u64, Ordering::Relaxed);
                    let acceptance = on_message(&node, &reports, &topics, &events, message, &message_id, propagation_source);
                    if let Some(a) = acceptance {
                        swarm.behaviour_mut().gossipsub.report_message_validation_result(&message_id, &propagation_source, a);
                    }
                }
                SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message { message, .. })) => {
                    match message {
                        request_response::Message::Request { request, channel, .. } => {
                            // A node whose slot loop stopped (diverged, failed) no longer
                            // vouches for its history.
                            let response = if stats.stopped.load(Ordering::Relaxed) {
                                SyncResponse::not_committed(request.slot)
                            } else {
                                sync_response(&node, &held, &request, fault)
                            };
                            let _ = swarm.behaviour_mut().sync.send_response(channel, response);
                        }
                        request_response::Message::Response { request_id, response } => {
                            if let Some(reply) = requests.remove(&request_id) {
                                let _ = reply.send(Answer::Response(response));
                            }
                        }
                    }
                }
                SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::OutboundFailure { request_id, error, .. })) => {
                    tracing::debug!(%error, "catch-up request failed");
                    if let Some(reply) = requests.remove(&request_id) {
                        let _ = reply.send(Answer::Failed);
                    }
                }
                _ => {}
            }
        }
    }
}

fn publish_tx(swarm: &mut Swarm<Behaviour>, topics: &Topics, msg: &TxGossip, stats: &NetStats) {
    let data = msg.encode();
    let n = data.len() as u64;
    match swarm.behaviour_mut().gossipsub.publish(topics.tx.clone(), data) {
        Ok(_) => {
            stats.gossip_out.fetch_add(n, Ordering::Relaxed);
        }
        Err(e) => tracing::debug!(error = %e, attempt = msg.attempt, "transaction not gossiped"),
    }
}

/// Handles a gossip message; returns the verdict to report now (`None`: the slot loop
/// reports it once it validated the block).
fn on_message(
    node: &Arc<Node>,
    reports: &mpsc::UnboundedSender<Command>,
    topics: &Topics,
    events: &std::sync::mpsc::SyncSender<Event>,
    message: gossipsub::Message,
    id: &MessageId,
    source: PeerId,
) -> Option<MessageAcceptance> {
    if message.topic == topics.status.hash() {
        let (Some(peer), Ok(status)) = (message.source, SlotStatus::decode_all(&mut &message.data[..]))
        else {
            return Some(MessageAcceptance::Reject);
        };
        if status.node != peer.to_bytes() {
            // A status in another node's name.
            return Some(MessageAcceptance::Reject);
        }
        if events.try_send(Event::Status { peer, status }).is_err() {
            return Some(MessageAcceptance::Ignore);
        }
        return Some(MessageAcceptance::Accept);
    }
    if message.topic == topics.beacon.hash() {
        let Ok(op) = BeaconOp::decode_all(&mut &message.data[..]) else {
            return Some(MessageAcceptance::Reject);
        };
        // Checking it (two BLS verifications, the gatekeeper over the code) and compiling
        // the code take long: off the swarm's thread; the verdict is reported after.
        let (node, reports, id) = (node.clone(), reports.clone(), id.clone());
        tokio::task::spawn_blocking(move || {
            let slot = op.slot;
            let verdict = match node.accept_beacon_op(op.clone()) {
                Ok(()) => MessageAcceptance::Accept,
                Err(crate::DevnetError::Duplicate(_) | crate::DevnetError::Busy) => MessageAcceptance::Ignore,
                Err(e) => {
                    tracing::warn!(slot, error = %e, "gossiped beacon operation refused");
                    MessageAcceptance::Reject
                }
            };
            let accepted = matches!(verdict, MessageAcceptance::Accept);
            let _ = reports.unbounded_send(Command::Report(id, source, verdict));
            if accepted {
                node.precompile(&op);
            }
        });
        return None;
    }
    if message.topic == topics.tx.hash() {
        let Ok(TxGossip { shard, tx, .. }) = TxGossip::decode_all(&mut &message.data[..]) else {
            return Some(MessageAcceptance::Reject);
        };
        if shard >= node.shards() {
            return Some(MessageAcceptance::Reject);
        }
        if !node.owns(shard) {
            // Not ours: pass it on towards the owner.
            return Some(MessageAcceptance::Accept);
        }
        return Some(match node.accept_forwarded(ShardId(shard), &tx) {
            Ok(_) => MessageAcceptance::Accept,
            Err(crate::DevnetError::Duplicate(_)) => MessageAcceptance::Ignore,
            Err(e) => {
                tracing::debug!(shard, error = %e, "forwarded transaction refused");
                MessageAcceptance::Reject
            }
        });
    }
    let Some(shard) = topics.block_shard(&message.topic) else {
        return Some(MessageAcceptance::Ignore);
    };
    match ShardBlock::decode_all(&mut &message.data[..]) {
        Ok(block) if block.shard.0 == shard => {
            // A slot loop that is behind does not queue without bound.
            match events.try_send(Event::Block { block, id: id.clone(), source }) {
                Ok(()) => None,
                Err(_) => Some(MessageAcceptance::Ignore),
            }
        }
        _ => Some(MessageAcceptance::Reject),
    }
}

/// A committed slot for a peer; for a slot not committed here, the blocks this node holds
/// for it if it is the open one (a faulty node serves its own shards' blocks tampered, as
/// it gossiped them).
fn sync_response(
    node: &Node,
    held: &super::slots::Held,
    request: &SyncRequest,
    fault: Option<Fault>,
) -> SyncResponse {
    let slot = request.slot;
    if fault == Some(Fault::Lie { slot }) {
        // Claims to have committed the slot with no block at all (which validates).
        return SyncResponse { committed: true, roots: None, ..SyncResponse::not_committed(slot) };
    }
    // What this node holds is read first: committing clears it, and the committed slot is
    // then found below.
    let shards = node.shards() as usize;
    let held = if request.missing.len() > shards {
        Vec::new()
    } else {
        let mut wanted = vec![request.missing.is_empty(); shards];
        for s in &request.missing {
            if let Some(w) = wanted.get_mut(*s as usize) {
                *w = true;
            }
        }
        held.get(slot, |s| wanted.get(s as usize).copied().unwrap_or(false))
    };
    // Blocks are decoded only to tamper with them: an honest node sends them as stored.
    let tamper = |shard: u32, bytes: Vec<u8>| match fault {
        Some(f) if node.owns(shard) => match ShardBlock::decode_all(&mut &bytes[..]) {
            Ok(block) => f.apply(block).encode(),
            Err(_) => bytes,
        },
        _ => bytes,
    };
    match node.slot_blocks(slot) {
        Ok(Some(s)) => SyncResponse {
            slot,
            committed: true,
            blocks: s
                .blocks
                .into_iter()
                .map(|(shard, b)| (shard, serde_bytes::ByteBuf::from(tamper(shard, b))))
                .collect(),
            roots: s.roots.map(|r| r.iter().map(hex::encode).collect()),
            ops: s.ops.into_iter().map(serde_bytes::ByteBuf::from).collect(),
        },
        Ok(None) => SyncResponse {
            blocks: held
                .into_iter()
                .map(|(shard, b)| (shard, serde_bytes::ByteBuf::from(tamper(shard, b))))
                .collect(),
            ..SyncResponse::not_committed(slot)
        },
        Err(e) => {
            tracing::warn!(slot, error = %e, "cannot serve a committed slot");
            SyncResponse::not_committed(slot)
        }
    }
}
