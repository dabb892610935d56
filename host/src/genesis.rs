//! One genesis description that every chain is built from: `ee run` scenarios, `ee sim`,
//! Scout vectors, the devnet, the demos and the tests.
//!
//! A [`GenesisSpec`] lists the shards, the key layout, the EEs (id, name, role, code, an
//! optional balance matrix and EE state roots), the meta-EE and the beacon state's deposit
//! receipts; [`GenesisSpec::build`] checks it and makes the [`World`]. The meta-EE's id is
//! [`META_EE`] unless the spec fixes another (scenario files may).
use crate::abi::Role;
use crate::state::{EeEntry, KeyLayout, StateError, StateKey, World, WorldError};
use ee_sdk::{DepositReceipt, EeId, META_EE, NettingRules, NettingVariant, Root, ShardId};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One genesis EE.
#[derive(Clone, Debug)]
pub struct GenesisEe {
    /// Its id.
    pub id: EeId,
    /// Display name (not consensus).
    pub name: String,
    /// Its role (one meta-EE at most).
    pub role: Role,
    /// Wasm code (empty for EEs run by the native backend).
    pub code: Arc<[u8]>,
    /// Initial balance matrix `m[row][column]` (default: all zero).
    pub matrix: Option<Vec<Vec<i64>>>,
    /// Its state root per shard (default: zero).
    pub roots: Vec<(ShardId, Root)>,
    /// Deposit locked by its deployer (Gwei).
    pub deposit: u64,
    /// Its reserve on every shard (the `reserve` netting variant; default: none).
    pub reserves: Option<Vec<u64>>,
}

impl GenesisEe {
    /// An ordinary EE with `code`.
    pub fn new(id: EeId, name: impl Into<String>, code: Arc<[u8]>) -> Self {
        GenesisEe {
            id,
            name: name.into(),
            role: Role::Ee,
            code,
            matrix: None,
            roots: Vec::new(),
            deposit: 0,
            reserves: None,
        }
    }

    /// The same EE with a reserve of `reserves[s]` Gwei on every shard `s` (value on top of
    /// its matrix: take it from the matrix to keep a supply).
    pub fn with_reserves(mut self, reserves: Vec<u64>) -> Self {
        self.reserves = Some(reserves);
        self
    }

    /// The same EE with an initial balance matrix.
    pub fn with_matrix(mut self, matrix: Vec<Vec<i64>>) -> Self {
        self.matrix = Some(matrix);
        self
    }

    /// The registry entry.
    pub fn entry(&self) -> EeEntry {
        let mut e = EeEntry::new(self.id, self.name.clone(), self.role, self.code.clone());
        e.deposit = self.deposit;
        e
    }
}

/// Why a genesis spec cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenesisError {
    /// The world refused it (shard count, duplicate ids, matrix shape or sign).
    #[error(transparent)]
    World(#[from] WorldError),
    /// A state root could not be written.
    #[error(transparent)]
    State(#[from] StateError),
    /// Reserves only mean something under the `reserve` netting variant.
    #[error("EE {0} has reserves but the chain does not net by the reserve variant")]
    ReservesWithoutVariant(u32),
}

/// Everything a chain starts with.
#[derive(Clone, Debug)]
pub struct GenesisSpec {
    /// Number of shards.
    pub shards: u32,
    /// Key layout of the shard trees.
    pub layout: KeyLayout,
    /// Every genesis EE, the meta-EE included.
    pub ees: Vec<GenesisEe>,
    /// The beacon state's validator deposit receipts.
    pub deposits: Vec<DepositReceipt>,
    /// The netting rules (default: version B, producer-chosen read order).
    pub netting: NettingRules,
}

impl GenesisSpec {
    /// `shards` empty shards with the column-major layout and no EEs.
    pub fn new(shards: u32) -> Self {
        GenesisSpec {
            shards,
            layout: KeyLayout::ColumnMajor,
            ees: Vec::new(),
            deposits: Vec::new(),
            netting: NettingRules::default(),
        }
    }

    /// The same spec netting by `rules`.
    pub fn netting(mut self, rules: NettingRules) -> Self {
        self.netting = rules;
        self
    }

    /// Sets the key layout.
    pub fn layout(mut self, layout: KeyLayout) -> Self {
        self.layout = layout;
        self
    }

    /// Adds an EE.
    pub fn ee(mut self, ee: GenesisEe) -> Self {
        self.ees.push(ee);
        self
    }

    /// Adds the meta-EE with `code` under [`META_EE`].
    pub fn meta(self, code: Arc<[u8]>) -> Self {
        self.meta_at(META_EE, code)
    }

    /// Adds the meta-EE with `code` under `id` (a scenario file's choice).
    pub fn meta_at(self, id: EeId, code: Arc<[u8]>) -> Self {
        self.ee(GenesisEe { role: Role::Meta, ..GenesisEe::new(id, "meta-EE", code) })
    }

    /// Adds deposit receipts to the beacon state.
    pub fn deposits(mut self, deposits: impl IntoIterator<Item = DepositReceipt>) -> Self {
        self.deposits.extend(deposits);
        self
    }

    /// The meta-EE's id, if the spec has one.
    pub fn meta_id(&self) -> Option<EeId> {
        self.ees.iter().find(|e| e.role == Role::Meta).map(|e| e.id)
    }

    /// Registers every EE, sets matrices and roots, adds the deposits, and crosslinks.
    pub fn build(&self) -> Result<World, GenesisError> {
        let mut world = World::new(self.shards, self.layout)?;
        for ee in &self.ees {
            world.register(ee.entry())?;
        }
        world.beacon.netting = self.netting;
        for ee in &self.ees {
            if let Some(m) = &ee.matrix {
                world.set_matrix(ee.id, m)?;
            }
            if let Some(r) = &ee.reserves {
                if self.netting.variant != NettingVariant::Reserve {
                    return Err(GenesisError::ReservesWithoutVariant(ee.id.0));
                }
                world.set_reserves(ee.id, r)?;
            }
        }
        let mut roots: BTreeMap<ShardId, BTreeMap<StateKey, Root>> = BTreeMap::new();
        for ee in &self.ees {
            for (shard, root) in &ee.roots {
                roots.entry(*shard).or_default().insert(StateKey::EeRoot(ee.id), *root);
            }
        }
        for (shard, writes) in &roots {
            world.commit(*shard, writes)?;
        }
        world.crosslink();
        world.beacon.deposits = self.deposits.clone();
        Ok(world)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_registry_matrices_roots_and_deposits() {
        let code: Arc<[u8]> = Arc::from(&[][..]);
        let mut ee = GenesisEe::new(EeId(3), "EE3", code.clone()).with_matrix(vec![vec![5, 0], vec![0, 1]]);
        ee.roots.push((ShardId(1), [9; 32]));
        let world = GenesisSpec::new(2).ee(ee).meta(code).build().unwrap();
        assert_eq!(world.beacon.meta_ee().map(|m| m.id), Some(META_EE));
        assert_eq!(world.matrix(EeId(3)).unwrap(), vec![vec![5, 0], vec![0, 1]]);
        assert_eq!(world.ee_root(ShardId(1), EeId(3)).unwrap(), [9; 32]);
        assert_eq!(world.beacon.shard_roots[1], world.shard(ShardId(1)).unwrap().root(), "crosslinked");
    }

    #[test]
    fn refuses_what_the_world_refuses() {
        let code: Arc<[u8]> = Arc::from(&[][..]);
        let two = GenesisSpec::new(2).meta(code.clone()).meta_at(EeId(1), code.clone());
        assert!(matches!(two.build(), Err(GenesisError::World(WorldError::SecondMetaEe(_)))));
        let shape = GenesisSpec::new(2).ee(GenesisEe::new(EeId(0), "x", code).with_matrix(vec![vec![1]]));
        assert!(matches!(shape.build(), Err(GenesisError::World(WorldError::MatrixShape { .. }))));
    }
}
