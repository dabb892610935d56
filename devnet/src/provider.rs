//! The state provider's copy of EE state beyond the shard trees: the VHEE's account trees,
//! kept by re-running every VHEE transaction the chain committed (the same state
//! transition, natively) and persisted as leaves with each slot, so `ee_getProof` serves
//! proofs of accounts against the committed roots.
use crate::genesis::VHEE_EE;
use ee_client::types::Hex;
use ee_host::exec::BlockResult;
use ee_host::state::keys::value_u64;
use ee_host::state::{StateKey, World};
use ee_sdk::codec::DecodeAll;
use ee_sdk::{EeId, Root, ShardId, ShardTransaction};
use std::collections::BTreeMap;
use vhee::client::{ProvenLeaves, Snapshot, VheeClient};
use vhee::{Op, VheeTx};

/// `netted` records a block's claims read: (source shard, data root) → amount, per shard.
pub type NettedReads = BTreeMap<ShardId, BTreeMap<(ShardId, Root), u64>>;

/// The VHEE's trees as the state provider keeps them.
pub struct VheeState {
    client: VheeClient,
    /// Why the copy no longer follows the chain, if it does not (e.g. the VHEE was changed
    /// through `call_ee`, which is not replayed).
    stale: Option<String>,
}

impl VheeState {
    /// Trees rebuilt from persisted leaves, checked against the chain's roots.
    pub fn restore(world: &World, leaves: BTreeMap<u32, Vec<(Root, Root)>>) -> Self {
        let mut client = VheeClient::new();
        for (shard, ls) in leaves {
            client.restore(ShardId(shard), ls);
        }
        let mut state = VheeState { client, stale: None };
        state.check(world);
        state
    }

    fn check(&mut self, world: &World) {
        if !world.beacon.ees.contains_key(&VHEE_EE) {
            return;
        }
        for s in 0..world.shard_count() {
            let chain = world.ee_root(ShardId(s), VHEE_EE).unwrap_or_default();
            if self.stale.is_none() && self.client.root(ShardId(s)) != chain {
                self.stale = Some(format!("the VHEE's tree on shard {s} differs from the chain's root"));
                tracing::warn!(shard = s, "state provider: VHEE copy is stale");
            }
        }
    }

    /// The `netted` records the claims among `blocks` will read, from the world before the
    /// slot (the crosslinked state the chain reads them from).
    pub fn netted_reads(world: &World, blocks: &[(ShardId, Vec<ShardTransaction>)]) -> NettedReads {
        let mut reads = NettedReads::new();
        for (shard, txs) in blocks {
            for tx in txs.iter().filter(|t| t.ee_id == VHEE_EE) {
                let Ok(VheeTx { op: Op::Claim { source_shard, data_root, .. }, .. }) =
                    VheeTx::decode_all(&mut &tx.data[..])
                else {
                    continue;
                };
                let key = StateKey::Netted { target_shard: *shard, target_ee: VHEE_EE, root: data_root };
                let v =
                    world.shard(source_shard).and_then(|t| t.get(&key)).map(|v| value_u64(&v)).unwrap_or(0);
                reads.entry(*shard).or_default().insert((source_shard, data_root), v);
            }
        }
        reads
    }

    /// Replays the committed VHEE transactions of `results` (in block order) on the
    /// copy; returns the changed leaves per shard, to persist with the slot.
    pub fn apply(
        &mut self,
        world: &World,
        results: &[BlockResult],
        reads: &NettedReads,
    ) -> BTreeMap<u32, Vec<(Root, Root)>> {
        let mut changed: BTreeMap<u32, BTreeMap<Root, Root>> = BTreeMap::new();
        if self.stale.is_some() {
            return BTreeMap::new();
        }
        let ees: std::collections::BTreeSet<EeId> = world.beacon.ees.keys().copied().collect();
        for r in results {
            let shard = r.block.shard;
            for (tx, report) in r.block.transactions.iter().zip(&r.outcome.txs) {
                if tx.ee_id != VHEE_EE || !report.ok() {
                    continue;
                }
                let Ok(vtx) = VheeTx::decode_all(&mut &tx.data[..]) else { continue };
                let snapshot = Snapshot {
                    shard,
                    shard_count: world.shard_count(),
                    vhee: VHEE_EE,
                    caller: None,
                    ees: ees.clone(),
                    netted: reads.get(&shard).cloned().unwrap_or_default(),
                    deposits: world.beacon.deposits.clone(),
                    ..Snapshot::default()
                };
                match self.client.prepare(vtx.op, snapshot) {
                    Ok(p) => {
                        changed.entry(shard.0).or_default().extend(p.writes().iter().map(|(k, v)| (*k, *v)));
                        self.client.commit(&p);
                    }
                    Err(e) => {
                        self.stale =
                            Some(format!("replaying a committed VHEE transaction failed: {}", e.message()));
                        return BTreeMap::new();
                    }
                }
            }
        }
        self.check(world);
        changed.into_iter().map(|(s, m)| (s, m.into_iter().collect())).collect()
    }

    /// `keys`' values on `shard` and their proof against the committed root.
    pub fn prove(&self, shard: ShardId, keys: &[Root]) -> Result<(Root, ProvenLeaves), String> {
        if let Some(why) = &self.stale {
            return Err(why.clone());
        }
        Ok((self.client.root(shard), self.client.prove(shard, keys)))
    }
}

/// A 32-byte key from hex.
pub fn key_of(h: &Hex) -> Result<Root, String> {
    h.0.clone().try_into().map_err(|_| "a key is 32 bytes".to_string())
}
