//! VHEE users for `ee sim --vhee-users N` (feature `walkthrough`): `N` BLS-keyed accounts
//! per shard that deposit, transfer, send cross-shard receipts and claim them, next to the
//! simulator's transfer EEs ([`ee_host::sim::Users`]).
//!
//! Every slot each shard's block gets one VHEE transaction, first in the block, in this
//! order of preference: a claim of a receipt netted to this shard in an earlier slot; a
//! validator deposit for an account holding less than 1 ETH (its beacon receipt is added
//! to the beacon state); else a signed transfer to another account of the shard or a
//! cross-shard transfer with one or two receipts to accounts of another shard. The
//! [`VheeClient`] holds the VHEE's trees and builds every witness; it applies a
//! transaction when preparing it, so a VHEE transaction the chain does not accept stops
//! the simulation with the reason.
use crate::client::{Keypair, Snapshot, VheeClient};
use crate::{Address, Op, Receipt};
use ee_host::exec::BlockResult;
use ee_host::state::keys::value_u64;
use ee_host::state::{StateKey, World};
use ee_sdk::{DepositData, EeId, NettingStatus, Root, ShardId, ShardTransaction};
use std::collections::BTreeMap;

const GWEI: u64 = 1_000_000_000;

/// A receipt waiting to be claimed on its target shard.
struct Pending {
    target: ShardId,
    source: ShardId,
    root: Root,
    receipts: Vec<Receipt>,
    index: u32,
    /// The slot whose block sent it (claimable from the next one).
    sent: u32,
}

/// A cross-shard transfer's target, receipt root and receipts (a claim's source and root).
type Sent = (ShardId, Root, Vec<Receipt>);

/// What a shard's VHEE transaction of this slot was.
struct InFlight {
    tx: ShardTransaction,
    kind: &'static str,
    /// For a cross-shard transfer: its target, root and receipts.
    receipts: Option<Sent>,
}

/// The VHEE's users in a simulation.
pub struct VheeUsers {
    vhee: EeId,
    client: VheeClient,
    /// `keys[shard][i]`.
    keys: Vec<Vec<Keypair>>,
    pending: Vec<Pending>,
    in_flight: BTreeMap<ShardId, InFlight>,
    rng: u64,
    slot: u32,
    deposits: u64,
    counts: BTreeMap<String, u64>,
}

impl VheeUsers {
    /// `per_shard` accounts on each of `shards` shards of the VHEE registered as `vhee`,
    /// drawing from `seed`.
    pub fn new(vhee: EeId, shards: u32, per_shard: u32, seed: u64) -> Self {
        let keys = (0..shards)
            .map(|s| {
                (0..per_shard)
                    .map(|i| Keypair::from_seed(format!("sim user {seed} {s} {i}").as_bytes()))
                    .collect()
            })
            .collect();
        VheeUsers {
            vhee,
            client: VheeClient::new(),
            keys,
            pending: Vec::new(),
            in_flight: BTreeMap::new(),
            rng: seed ^ 0x005E_ED0F_FEE5,
            slot: 0,
            deposits: 0,
            counts: BTreeMap::new(),
        }
    }

    fn next(&mut self, below: u64) -> u64 {
        // splitmix64: deterministic, no dependency.
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % below.max(1)
    }

    fn address(&self, shard: usize, i: usize) -> Address {
        self.keys[shard][i].address(EeId(0))
    }

    fn snapshot(&self, world: &World, shard: ShardId, netted: Option<(ShardId, Root)>) -> Snapshot {
        let mut s = Snapshot {
            shard,
            shard_count: world.shard_count(),
            vhee: self.vhee,
            ees: world.beacon.ees.keys().copied().collect(),
            deposits: world.beacon.deposits.clone(),
            ..Snapshot::default()
        };
        if let Some((source, root)) = netted {
            let key = StateKey::Netted { target_shard: shard, target_ee: self.vhee, root };
            let v = world.shard(source).and_then(|t| t.get(&key)).unwrap_or_default();
            s.netted.insert((source, root), value_u64(&v));
        }
        s
    }

    /// The operation for `shard` this slot (and, for a cross-shard transfer, its receipts).
    fn choose(&mut self, world: &mut World, shard: usize) -> (Op, &'static str, Option<Sent>) {
        let s = ShardId(shard as u32);
        if let Some(i) = self.pending.iter().position(|p| p.target == s && p.sent < self.slot) {
            let p = self.pending.remove(i);
            let op = Op::Claim {
                source_shard: p.source,
                data_root: p.root,
                index: p.index,
                receipt: p.receipts[p.index as usize].clone(),
                proof: VheeClient::receipt_proof(&p.receipts, p.index),
            };
            return (op, "claim", Some((p.source, p.root, Vec::new())));
        }
        let n = self.keys[shard].len();
        let balance = |u: &Self, i: usize| u.client.account(s, &u.address(shard, i)).balance;
        let poorest = (0..n).min_by_key(|&i| balance(self, i)).unwrap_or(0);
        if balance(self, poorest) < GWEI {
            let data = DepositData { ee: self.vhee, portion: EeId(0), amount: 32 * GWEI };
            let receipt = self.keys[shard][poorest].deposit(self.deposits, s, data);
            self.deposits += 1;
            world.beacon.deposits.push(receipt);
            return (Op::Deposit { index: world.beacon.deposits.len() as u64 - 1 }, "deposit", None);
        }
        let from = self.next(n as u64) as usize;
        let from_address = self.address(shard, from);
        let account = self.client.account(s, &from_address);
        let shards = self.keys.len();
        let op = if n > 1 && self.next(2) == 0 {
            let to = (from + 1 + self.next(n as u64 - 1) as usize) % n;
            let amount = account.balance / 8 + 1;
            (
                Op::Transfer {
                    from: from_address,
                    to: self.address(shard, to),
                    amount,
                    nonce: account.nonce,
                    signature: [0; 96],
                },
                "transfer",
                None,
            )
        } else {
            let target = (shard + 1 + self.next(shards as u64 - 1) as usize) % shards;
            let count = 1 + self.next(2) as usize;
            let receipts: Vec<Receipt> = (0..count)
                .map(|_| {
                    let to = self.next(self.keys[target].len() as u64) as usize;
                    Receipt {
                        from: from_address,
                        to: self.address(target, to),
                        amount: account.balance / 16 + 1,
                        call_data: vec![],
                    }
                })
                .collect();
            let root = VheeClient::data_root(&receipts);
            let op = Op::CrossShard {
                from: from_address,
                target_shard: ShardId(target as u32),
                receipts: receipts.clone(),
                nonce: account.nonce,
                signature: [0; 96],
            };
            (op, "cross_shard", Some((ShardId(target as u32), root, receipts)))
        };
        let signed = VheeClient::sign(op.0, &self.keys[shard][from], self.vhee, s);
        (signed, op.1, op.2)
    }
}

impl ee_host::sim::Users for VheeUsers {
    fn ees(&self) -> Vec<EeId> {
        vec![self.vhee]
    }

    fn slot(
        &mut self,
        world: &mut World,
        slot: u32,
    ) -> Result<Vec<(ShardId, Vec<ShardTransaction>)>, String> {
        self.slot = slot;
        let mut blocks = Vec::new();
        for shard in 0..self.keys.len() {
            if self.keys[shard].is_empty() {
                continue;
            }
            let s = ShardId(shard as u32);
            let (op, kind, extra) = self.choose(world, shard);
            let netted =
                if kind == "claim" { extra.as_ref().map(|(src, root, _)| (*src, *root)) } else { None };
            let snapshot = self.snapshot(world, s, netted);
            let prepared = self
                .client
                .prepare(op, snapshot)
                .map_err(|e| format!("shard {shard}: {kind}: {}", e.message()))?;
            self.client.commit(&prepared);
            let tx = prepared.transaction(self.vhee);
            let receipts = if kind == "cross_shard" { extra } else { None };
            self.in_flight.insert(s, InFlight { tx: tx.clone(), kind, receipts });
            blocks.push((s, vec![tx]));
        }
        Ok(blocks)
    }

    fn committed(&mut self, _world: &World, results: &[BlockResult]) -> Result<(), String> {
        for r in results {
            let Some(flight) = self.in_flight.remove(&r.block.shard) else { continue };
            let shard = r.block.shard.0;
            let included = r.block.transactions.first() == Some(&flight.tx);
            match r.outcome.txs.first() {
                Some(t) if included && t.ok() => {}
                Some(t) if included => {
                    return Err(format!("shard {shard}: {} failed: {:?}", flight.kind, t.result));
                }
                _ => return Err(format!("shard {shard}: {} was left out of its block", flight.kind)),
            }
            *self.counts.entry(flight.kind.to_string()).or_default() += 1;
            if let Some((target, root, receipts)) = flight.receipts {
                let netted = r.outcome.receipts.iter().any(|rc| {
                    rc.source_ee == self.vhee
                        && rc.status == NettingStatus::Accepted
                        && rc.output.is_some_and(|o| o.data_root == root)
                });
                if !netted {
                    // The VHEE's column could not cover it: its receipts cannot be claimed.
                    *self.counts.entry("cross_shard_not_netted".to_string()).or_default() += 1;
                    continue;
                }
                for index in 0..receipts.len() as u32 {
                    self.pending.push(Pending {
                        target,
                        source: r.block.shard,
                        root,
                        receipts: receipts.clone(),
                        index,
                        sent: self.slot,
                    });
                }
            }
        }
        Ok(())
    }

    fn figures(&self) -> BTreeMap<String, u64> {
        let mut f = self.counts.clone();
        f.insert("receipts_unclaimed".into(), self.pending.len() as u64);
        f
    }
}
