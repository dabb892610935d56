//! What nodes send each other: gossip payloads (SCALE) and the catch-up protocol's
//! request and response (CBOR over libp2p request/response).
pub use crate::node::{BeaconOp, BeaconOpKind};
use ee_sdk::ShardTransaction;
use ee_sdk::codec::{Decode, Encode};

/// The catch-up protocol's name.
pub const SYNC_PROTOCOL: &str = "/ee-devnet/sync/1";

/// A transaction gossiped to the node owning its shard (topic `tx`).
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct TxGossip {
    /// Its shard.
    pub shard: u32,
    /// The transaction.
    pub tx: ShardTransaction,
    /// Which sending of it this is: the forwarding node sends it again every second
    /// until a block commits it (a node that was not yet subscribed, or was down, gets
    /// it then); gossip message ids are content hashes, so each sending differs here.
    pub attempt: u32,
}

/// What a node committed in a slot (topic `status`, after every commit): how nodes find
/// out that one of them holds another history than most.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct SlotStatus {
    /// The slot.
    pub slot: u64,
    /// sha256 of the SCALE pair (crosslinked roots after it, `Node::beacon_digest`).
    pub roots: [u8; 32],
    /// The publishing node's libp2p peer id (bytes): agreeing nodes' statuses must not
    /// be one message to gossipsub, whose message ids are content hashes. Must be the
    /// message's signed source.
    pub node: Vec<u8>,
}

/// "Send me committed slot `slot`" — or, if you have not committed it, the blocks you
/// hold for it of the shards `missing`.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SyncRequest {
    /// The slot.
    pub slot: u64,
    /// The shards whose held blocks to send if the slot is not committed (empty: every
    /// shard). A committed slot is sent whole.
    #[serde(default)]
    pub missing: Vec<u32>,
}

/// A committed slot, or that the peer has not committed it (and the blocks it holds for
/// it, if it is the slot the peer is collecting: how nodes that missed a block's gossip
/// still commit it, and settle on one set of blocks at a slot's end).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SyncResponse {
    /// The slot asked for.
    pub slot: u64,
    /// Whether the peer committed it (if not, `roots` and `ops` are empty).
    pub committed: bool,
    /// Its blocks (SCALE `ShardBlock`) by shard; a missing shard had no block. Not
    /// committed: the blocks the peer holds for the slot so far (its own and the valid
    /// foreign ones), none if it is not collecting that slot.
    pub blocks: Vec<(u32, serde_bytes::ByteBuf)>,
    /// The crosslinked roots after it, hex, if the peer recorded them.
    pub roots: Option<Vec<String>>,
    /// The beacon operations (SCALE [`BeaconOp`]) applied at its start.
    #[serde(default)]
    pub ops: Vec<serde_bytes::ByteBuf>,
}

impl SyncResponse {
    /// The answer for a slot not committed.
    pub fn not_committed(slot: u64) -> Self {
        SyncResponse { slot, committed: false, blocks: Vec::new(), roots: None, ops: Vec::new() }
    }
}
