//! Where a block's pre-state comes from: full state (recording what it serves) or a
//! verified witness (roots only).
use crate::state::witness::{decode, verify};
use crate::state::{KeyLayout, StateError, StateKey, Value, World};
use ee_sdk::{BlockWitness, Root, ShardId, ShardProof};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Pre-state of one shard block: the shard's own tree before the block and every other
/// shard's latest crosslinked tree.
pub trait StateSource {
    /// Reads a key of the block's shard.
    fn own(&mut self, key: &StateKey) -> Result<Value, StateError>;
    /// Announces a write of a key of the block's shard (a stateless source refuses keys
    /// its witness does not cover; a stateful one records them).
    fn touch_own(&mut self, key: &StateKey) -> Result<(), StateError>;
    /// Reads a key of another shard.
    fn foreign(&mut self, shard: ShardId, key: &StateKey) -> Result<Value, StateError>;
    /// Loads a multiproof passed to `multiproof_load` (SCALE `Vec<ShardProof>`).
    fn load_multiproof(&mut self, bytes: &[u8]) -> Result<(), StateError>;
}

/// Keys a [`StatefulSource`] served: what the block's witness must contain.
#[derive(Clone, Debug, Default)]
pub struct Recorded {
    /// Own-shard keys read or written.
    pub own: BTreeSet<StateKey>,
    /// Foreign keys read, per shard.
    pub foreign: BTreeMap<ShardId, BTreeSet<StateKey>>,
}

/// Full-state source over a [`World`] whose trees are at the slot's start. Records every
/// own key read or written and every foreign key read.
pub struct StatefulSource<'w> {
    world: &'w World,
    shard: ShardId,
    recorded: Rc<RefCell<Recorded>>,
}

impl<'w> StatefulSource<'w> {
    /// A source for a block on `shard`.
    pub fn new(world: &'w World, shard: ShardId) -> Self {
        StatefulSource { world, shard, recorded: Rc::default() }
    }

    /// A handle on what this source records (stays valid while the source is lent to a
    /// block executor).
    pub fn recorded(&self) -> Rc<RefCell<Recorded>> {
        self.recorded.clone()
    }
}

impl StateSource for StatefulSource<'_> {
    fn own(&mut self, key: &StateKey) -> Result<Value, StateError> {
        self.recorded.borrow_mut().own.insert(*key);
        self.world.shard(self.shard)?.get(key)
    }

    fn touch_own(&mut self, key: &StateKey) -> Result<(), StateError> {
        self.recorded.borrow_mut().own.insert(*key);
        Ok(())
    }

    fn foreign(&mut self, shard: ShardId, key: &StateKey) -> Result<Value, StateError> {
        let value = self.world.shard(shard)?.get(key)?;
        self.recorded.borrow_mut().foreign.entry(shard).or_default().insert(*key);
        Ok(value)
    }

    /// Verifies the proofs like a stateless node would (against the crosslinked roots), so
    /// a producer cannot emit a block its validators would refuse; reads still come from
    /// full state.
    fn load_multiproof(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        for proof in decode::<Vec<ShardProof>>(bytes, "multiproof")? {
            check_foreign_shard(&proof, self.shard, self.world.beacon.shard_count())?;
            verify(&proof, &self.world.beacon.shard_roots[proof.shard.0 as usize])?;
        }
        Ok(())
    }
}

fn check_foreign_shard(proof: &ShardProof, own: ShardId, shards: u32) -> Result<(), StateError> {
    if proof.shard == own {
        return Err(StateError::Witness(format!(
            "multiproof contains a proof for the block's own shard {}",
            own.0
        )));
    }
    if proof.shard.0 >= shards {
        return Err(StateError::UnknownShard(proof.shard.0));
    }
    Ok(())
}

/// Roots-only source: the block's witness — its own-shard proof verified against the
/// shard's pre-state root, its foreign proofs against the beacon state's latest roots —
/// and foreign proofs loaded through `multiproof_load`, verified likewise. A key outside
/// them is `StateError::NotInWitness`.
pub struct StatelessSource<'b> {
    shard: ShardId,
    layout: KeyLayout,
    pre_root: Root,
    beacon_roots: &'b [Root],
    own_proof: Option<ShardProof>,
    own: BTreeMap<Root, Value>,
    foreign: BTreeMap<(ShardId, Root), Value>,
}

impl<'b> StatelessSource<'b> {
    /// Verifies the block's witness (SCALE `BlockWitness`, or empty): the own proof
    /// against `pre_root`, the foreign ones against `beacon_roots`.
    pub fn new(
        shard: ShardId,
        layout: KeyLayout,
        pre_root: Root,
        beacon_roots: &'b [Root],
        witness: &[u8],
    ) -> Result<Self, StateError> {
        let witness: BlockWitness =
            if witness.is_empty() { BlockWitness::default() } else { decode(witness, "block witness")? };
        let mut own = BTreeMap::new();
        if let Some(proof) = &witness.own {
            if proof.shard != shard {
                return Err(StateError::Witness(format!(
                    "block witness is for shard {}, the block is for shard {}",
                    proof.shard.0, shard.0
                )));
            }
            own = verify(proof, &pre_root)?;
        }
        let mut source = StatelessSource {
            shard,
            layout,
            pre_root,
            beacon_roots,
            own_proof: witness.own,
            own,
            foreign: BTreeMap::new(),
        };
        source.load_foreign(&witness.foreign)?;
        Ok(source)
    }

    /// Verifies foreign proofs and makes their leaves readable (all or nothing).
    fn load_foreign(&mut self, proofs: &[ShardProof]) -> Result<(), StateError> {
        let mut loaded = Vec::new();
        for proof in proofs {
            check_foreign_shard(proof, self.shard, self.beacon_roots.len() as u32)?;
            let leaves = verify(proof, &self.beacon_roots[proof.shard.0 as usize])?;
            loaded.extend(leaves.into_iter().map(|(path, v)| ((proof.shard, path), v)));
        }
        self.foreign.extend(loaded);
        Ok(())
    }

    /// The post-state root after `writes` (all covered by the witness).
    pub fn post_root(&self, writes: &BTreeMap<StateKey, Value>) -> Result<Root, StateError> {
        crate::state::witness::root_after_writes(
            self.shard,
            self.pre_root,
            self.own_proof.as_ref(),
            writes,
            self.layout,
        )
    }

    fn own_path(&self, key: &StateKey) -> Result<Root, StateError> {
        let path: Root = key.path(self.layout).into();
        if self.own.contains_key(&path) {
            Ok(path)
        } else {
            Err(StateError::NotInWitness { shard: self.shard.0, key: *key })
        }
    }
}

impl StateSource for StatelessSource<'_> {
    fn own(&mut self, key: &StateKey) -> Result<Value, StateError> {
        let path = self.own_path(key)?;
        Ok(self.own[&path])
    }

    fn touch_own(&mut self, key: &StateKey) -> Result<(), StateError> {
        self.own_path(key).map(|_| ())
    }

    fn foreign(&mut self, shard: ShardId, key: &StateKey) -> Result<Value, StateError> {
        self.foreign
            .get(&(shard, key.path(self.layout).into()))
            .copied()
            .ok_or(StateError::NotInWitness { shard: shard.0, key: *key })
    }

    fn load_multiproof(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        let proofs: Vec<ShardProof> = decode(bytes, "multiproof")?;
        self.load_foreign(&proofs)
    }
}
