//! Everything a stateful node holds: the beacon state and every shard's full tree.
use super::StateError;
use super::beacon::{BeaconState, EeEntry};
use super::keys::{KeyLayout, StateKey, Value, cell_value, value_cell};
use super::shard::ShardState;
use crate::abi::Role;
use ee_sdk::{EeId, Root, ShardId};
use std::collections::BTreeMap;

use crate::limits::MAX_SHARDS;

/// Errors setting up or changing the world.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorldError {
    /// Shard count outside `1..=MAX_SHARDS`.
    #[error("shard count {0} is outside 1..={MAX_SHARDS}")]
    ShardCount(u32),
    /// An EE id registered twice.
    #[error("EE {0} is already registered")]
    DuplicateEe(u32),
    /// A second meta-EE.
    #[error("a meta-EE is already registered (EE {0})")]
    SecondMetaEe(u32),
    /// An EE registered with the `child` role, which only spawned instances have.
    #[error("EE {0}: `child` is the role of spawned instances, not of registered EEs")]
    ChildRole(u32),
    /// An EE that is not registered.
    #[error("EE {0} is not registered")]
    UnknownEe(u32),
    /// A matrix that is not `shards × shards`.
    #[error("matrix of EE {ee} must be {shards}×{shards}")]
    MatrixShape {
        /// The EE.
        ee: u32,
        /// The shard count.
        shards: u32,
    },
    /// An off-diagonal cell below zero: the netting's lower bounds rely on them never
    /// being negative.
    #[error("matrix of EE {ee}: off-diagonal cell [{row}][{column}] = {value} is negative")]
    NegativeOffDiagonal {
        /// The EE.
        ee: u32,
        /// Row (shard storing the cell).
        row: u32,
        /// Column.
        column: u32,
        /// The value.
        value: i64,
    },
    /// A column whose sum (the real balance) is negative.
    #[error("matrix of EE {ee}: column {column} sums to {sum} < 0")]
    NegativeColumn {
        /// The EE.
        ee: u32,
        /// Column.
        column: u32,
        /// Its sum.
        sum: i128,
    },
    /// State access failed.
    #[error(transparent)]
    State(#[from] StateError),
}

/// The beacon state plus every shard's full state.
pub struct World {
    /// The beacon state (registry and crosslinked roots).
    pub beacon: BeaconState,
    shards: Vec<ShardState>,
}

impl World {
    /// A world of `shard_count` empty shards.
    pub fn new(shard_count: u32, layout: KeyLayout) -> Result<Self, WorldError> {
        if shard_count == 0 || shard_count > MAX_SHARDS {
            return Err(WorldError::ShardCount(shard_count));
        }
        let shards: Vec<_> = (0..shard_count).map(|s| ShardState::new(ShardId(s), layout)).collect();
        let beacon = BeaconState {
            slot: 0,
            ees: BTreeMap::new(),
            shard_roots: shards.iter().map(ShardState::root).collect(),
            deposits: Vec::new(),
            netting: ee_sdk::NettingRules::default(),
        };
        Ok(World { beacon, shards })
    }

    /// Number of shards.
    pub fn shard_count(&self) -> u32 {
        self.shards.len() as u32
    }

    /// One shard's state.
    pub fn shard(&self, s: ShardId) -> Result<&ShardState, StateError> {
        self.shards.get(s.0 as usize).ok_or(StateError::UnknownShard(s.0))
    }

    /// Registers an EE.
    pub fn register(&mut self, entry: EeEntry) -> Result<(), WorldError> {
        if self.beacon.ees.contains_key(&entry.id) {
            return Err(WorldError::DuplicateEe(entry.id.0));
        }
        if entry.role == Role::Child {
            return Err(WorldError::ChildRole(entry.id.0));
        }
        if entry.role == Role::Meta
            && let Some(meta) = self.beacon.meta_ee()
        {
            return Err(WorldError::SecondMetaEe(meta.id.0));
        }
        self.beacon.ees.insert(entry.id, entry);
        Ok(())
    }

    /// Sets an EE's whole balance matrix (genesis). Off-diagonal cells must be ≥ 0 and
    /// every column must sum to ≥ 0. Crosslinks the new roots.
    pub fn set_matrix(&mut self, ee: EeId, matrix: &[Vec<i64>]) -> Result<(), WorldError> {
        let n = self.shard_count();
        if !self.beacon.ees.contains_key(&ee) {
            return Err(WorldError::UnknownEe(ee.0));
        }
        if matrix.len() != n as usize || matrix.iter().any(|r| r.len() != n as usize) {
            return Err(WorldError::MatrixShape { ee: ee.0, shards: n });
        }
        for c in 0..n as usize {
            let mut sum = 0i128;
            for (r, row) in matrix.iter().enumerate() {
                let value = row[c];
                if r != c && value < 0 {
                    return Err(WorldError::NegativeOffDiagonal {
                        ee: ee.0,
                        row: r as u32,
                        column: c as u32,
                        value,
                    });
                }
                sum += i128::from(value);
            }
            if sum < 0 {
                return Err(WorldError::NegativeColumn { ee: ee.0, column: c as u32, sum });
            }
        }
        for (r, row) in matrix.iter().enumerate() {
            let mut writes = BTreeMap::new();
            for (c, &v) in row.iter().enumerate() {
                let key = StateKey::Balance { column: ShardId(c as u32), ee };
                // Zero is absence: only write zeros over existing cells.
                if v != 0 || self.shards[r].get(&key)? != [0; 32] {
                    writes.insert(key, cell_value(v));
                }
            }
            self.shards[r].apply(&writes)?;
        }
        self.crosslink();
        Ok(())
    }

    /// Cell `shard[row].balances[column][ee]` in the current state.
    pub fn cell(&self, row: ShardId, column: ShardId, ee: EeId) -> Result<i64, StateError> {
        Ok(value_cell(&self.shard(row)?.get(&StateKey::Balance { column, ee })?))
    }

    /// `ee`'s balance matrix: `m[row][column]`.
    pub fn matrix(&self, ee: EeId) -> Result<Vec<Vec<i64>>, StateError> {
        let n = self.shard_count();
        (0..n).map(|r| (0..n).map(|c| self.cell(ShardId(r), ShardId(c), ee)).collect()).collect()
    }

    /// `real_balance(s, ee) = Σ_r M_ee[r][s]`, plus `ee`'s reserve on `s` (zero unless the
    /// chain nets by the `reserve` variant).
    pub fn real_balance(&self, s: ShardId, ee: EeId) -> Result<i128, StateError> {
        let column: i128 = (0..self.shard_count())
            .map(|r| self.cell(ShardId(r), s, ee).map(i128::from))
            .sum::<Result<_, _>>()?;
        Ok(column + i128::from(self.reserve(s, ee)?))
    }

    /// `ee`'s reserve on shard `s` (the `reserve` netting variant).
    pub fn reserve(&self, s: ShardId, ee: EeId) -> Result<u64, StateError> {
        Ok(super::keys::value_u64(&self.shard(s)?.get(&StateKey::Reserve(ee))?))
    }

    /// Funds `ee`'s reserve on every shard (genesis): `reserves[s]` Gwei on shard `s`. The
    /// caller takes the value from the EE's cells so that the supply is what it means to
    /// be. Crosslinks the new roots.
    pub fn set_reserves(&mut self, ee: EeId, reserves: &[u64]) -> Result<(), WorldError> {
        if !self.beacon.ees.contains_key(&ee) {
            return Err(WorldError::UnknownEe(ee.0));
        }
        if reserves.len() != self.shards.len() {
            return Err(WorldError::MatrixShape { ee: ee.0, shards: self.shard_count() });
        }
        for (shard, &value) in self.shards.iter_mut().zip(reserves) {
            let writes = BTreeMap::from([(StateKey::Reserve(ee), super::keys::u64_value(value))]);
            shard.apply(&writes)?;
        }
        self.crosslink();
        Ok(())
    }

    /// Sum of every cell of every registered EE's matrix, plus their reserves (conserved by
    /// netting).
    pub fn total_supply(&self) -> Result<i128, StateError> {
        let mut total = 0i128;
        for ee in self.beacon.ees.keys() {
            for row in self.matrix(*ee)? {
                total += row.iter().map(|&v| i128::from(v)).sum::<i128>();
            }
            for s in 0..self.shard_count() {
                total += i128::from(self.reserve(ShardId(s), *ee)?);
            }
        }
        Ok(total)
    }

    /// Fees collected in shard `s`'s fee pool (Gwei).
    pub fn fee_pool(&self, s: ShardId) -> Result<u64, StateError> {
        Ok(super::keys::value_u64(&self.shard(s)?.get(&StateKey::FeePool)?))
    }

    /// Fees collected on every shard (Gwei). With fees, what netting and fees conserve is
    /// `total_supply() + fees_collected()`.
    pub fn fees_collected(&self) -> Result<u128, StateError> {
        (0..self.shard_count()).map(|s| self.fee_pool(ShardId(s)).map(u128::from)).sum()
    }

    /// An EE's state root on a shard.
    pub fn ee_root(&self, s: ShardId, ee: EeId) -> Result<Value, StateError> {
        self.shard(s)?.get(&StateKey::EeRoot(ee))
    }

    /// Applies a block's writes to shard `s`; returns its new root. The beacon state keeps
    /// the old root until [`World::crosslink`].
    pub fn commit(&mut self, s: ShardId, writes: &BTreeMap<StateKey, Value>) -> Result<Root, StateError> {
        let shard = self.shards.get_mut(s.0 as usize).ok_or(StateError::UnknownShard(s.0))?;
        shard.apply(writes)
    }

    /// [`World::commit`] of several distinct shards on up to `threads` threads (each
    /// shard's tree is its own); the roots in the order given.
    pub fn commit_many(
        &mut self,
        commits: &[(ShardId, &BTreeMap<StateKey, Value>)],
        threads: usize,
    ) -> Result<Vec<Root>, StateError> {
        if threads <= 1 || commits.len() <= 1 {
            return commits.iter().map(|(s, w)| self.commit(*s, w)).collect();
        }
        let mut slots: Vec<Option<&mut ShardState>> = self.shards.iter_mut().map(Some).collect();
        let mut jobs: Vec<(&mut ShardState, &BTreeMap<StateKey, Value>)> = Vec::with_capacity(commits.len());
        for (s, w) in commits {
            let shard =
                slots.get_mut(s.0 as usize).ok_or(StateError::UnknownShard(s.0))?.take().ok_or_else(
                    || StateError::Witness(format!("shard {} committed twice in one slot", s.0)),
                )?;
            jobs.push((shard, *w));
        }
        crate::parallel::map_in_order(jobs, threads, |(shard, w)| shard.apply(w)).into_iter().collect()
    }

    /// Restores shard `s`'s leaves by tree path (from a persisted copy).
    pub fn restore(&mut self, s: ShardId, leaves: Vec<(Root, Value)>) -> Result<Root, StateError> {
        let shard = self.shards.get_mut(s.0 as usize).ok_or(StateError::UnknownShard(s.0))?;
        shard.apply_paths(leaves)
    }

    /// The key layout of the shard trees.
    pub fn layout(&self) -> KeyLayout {
        self.shards[0].layout()
    }

    /// Crosslinks every shard's current root into the beacon state.
    pub fn crosslink(&mut self) {
        for (root, shard) in self.beacon.shard_roots.iter_mut().zip(&self.shards) {
            *root = shard.root();
        }
    }

    /// Ends the slot: crosslinks and advances the slot number.
    pub fn end_slot(&mut self) {
        self.crosslink();
        self.beacon.slot += 1;
    }
}
