//! The long-running simulator behind `ee sim` (DESIGN §7): many shards and EEs, one block
//! per shard per slot from a seeded workload, the stateful producer *and* the stateless
//! validator on every block, and the figures of DESIGN §7.
//!
//! * [`workload`]: the seeded transaction generator and its ledger of real balances.
//! * [`report`]: the figures.
//! * [`Users`]: more users from crates above the host (the VHEE's accounts: deposits,
//!   transfers, cross-shard receipts and claims), mixed into every slot.
mod report;
mod workload;

pub use report::{GasFigures, ProofFigures, SimReport, SlotFigures, TimeFigures};
pub use workload::{Mix, Shape, Workload};

use crate::exec::{Chain, EeRunner, ExecConfig, validate_block};
use crate::genesis::{GenesisEe, GenesisSpec};
use crate::state::{KeyLayout, World};
use ee_sdk::{EeId, NettingRules, NettingStatus, NettingVariant, ShardId, ShardTransaction};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Id of the meta-EE in simulations (EEs are `0..ees`): the project-wide [`ee_sdk::META_EE`].
pub use ee_sdk::META_EE;

/// What to simulate.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SimConfig {
    /// Shards.
    pub shards: u32,
    /// Transfer EEs (each starts with its funds on shard `ee % shards`).
    pub ees: u32,
    /// Slots (one block per shard per slot).
    pub slots: u32,
    /// User transactions per block.
    pub tx_per_block: u32,
    /// Most transfers per transaction.
    pub transfers_per_tx: u32,
    /// Workload seed.
    pub seed: u64,
    /// Workload mix.
    pub mix: Mix,
    /// Key layout of the shard trees.
    pub layout: KeyLayout,
    /// Each EE's genesis balance on its home shard (Gwei; hot EEs hold 100×).
    pub initial_balance: i64,
    /// How value and traffic spread over EEs and shards.
    pub shape: Shape,
    /// Threads producing and validating the shards' blocks of a slot (the figures and
    /// roots are the same for any count; only the time changes).
    pub threads: usize,
    /// The netting rules of the chain (under `reserve`, every EE's reserve target on
    /// every shard is funded at genesis from its home balance).
    #[serde(serialize_with = "serialize_rules")]
    pub netting: NettingRules,
}

/// `{ "variant": "zero-capital", "fixed_order": 7, "reserve_target": 0 }`.
fn serialize_rules<S: serde::Serializer>(rules: &NettingRules, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("NettingRules", 3)?;
    st.serialize_field("variant", rules.variant.name())?;
    st.serialize_field("fixed_order", &rules.fixed_order)?;
    st.serialize_field("reserve_target", &rules.reserve_target)?;
    st.end()
}

impl SimConfig {
    /// EE `e`'s genesis reserve on each shard (zero unless netting by `reserve`).
    pub fn reserve(&self) -> u64 {
        if self.netting.variant == NettingVariant::Reserve { self.netting.reserve_target } else { 0 }
    }

    /// EE `e`'s genesis diagonal on its home shard: its balance minus its reserves.
    pub fn home_diagonal(&self, e: u32) -> i128 {
        i128::from(self.shape.genesis_balance(e, self.initial_balance))
            - i128::from(self.reserve()) * i128::from(self.shards)
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            shards: 4,
            ees: 16,
            slots: 10,
            tx_per_block: 8,
            transfers_per_tx: 3,
            seed: 1,
            mix: Mix::default(),
            layout: KeyLayout::ColumnMajor,
            initial_balance: 1_000_000_000_000,
            shape: Shape::Uniform,
            threads: 1,
            netting: NettingRules::default(),
        }
    }
}

/// Errors of a simulation (not mismatches: those are counted in the report).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The configuration cannot run.
    #[error("invalid simulation: {0}")]
    Config(String),
    /// Setting up or running the chain failed.
    #[error(transparent)]
    Chain(#[from] crate::exec::ChainError),
    /// Setting up the world failed.
    #[error(transparent)]
    Genesis(#[from] crate::genesis::GenesisError),
    /// Reading state failed.
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    /// The extra users failed (see [`Users`]).
    #[error("simulated users: {0}")]
    Users(String),
}

/// EE code for a simulation: `(transfer EE, meta-EE)` wasm, or empty for native runs.
pub struct SimCode {
    /// The transfer EE.
    pub transfer: Arc<[u8]>,
    /// The meta-EE.
    pub meta: Arc<[u8]>,
}

/// The genesis world of `config`.
pub fn genesis(config: &SimConfig, code: &SimCode) -> Result<World, SimError> {
    if config.ees == 0 || config.shards < 2 || config.ees == u32::MAX {
        return Err(SimError::Config("need at least 2 shards and 1 EE".into()));
    }
    let n = config.shards as usize;
    let mut genesis =
        GenesisSpec::new(config.shards).layout(config.layout).netting(config.netting).meta(code.meta.clone());
    for e in 0..config.ees {
        let home = (e % config.shards) as usize;
        let mut m = vec![vec![0i64; n]; n];
        m[home][home] = i64::try_from(config.home_diagonal(e))
            .ok()
            .filter(|d| *d >= 0)
            .ok_or_else(|| SimError::Config(format!("EE {e}'s balance does not fund its reserves")))?;
        let mut ee = GenesisEe::new(EeId(e), format!("EE{e}"), code.transfer.clone()).with_matrix(m);
        if config.reserve() > 0 {
            ee = ee.with_reserves(vec![config.reserve(); n]);
        }
        genesis = genesis.ee(ee);
    }
    Ok(genesis.build()?)
}

/// More users than the transfer EEs, supplied by a crate above the host (the host cannot
/// depend on the EEs it runs): e.g. the VHEE's accounts, which need a client holding the
/// VHEE's trees to build their witnesses.
pub trait Users {
    /// The EEs it runs, registered by the caller at genesis; their values join the
    /// ledger and the checks.
    fn ees(&self) -> Vec<EeId>;
    /// The slot's transactions per shard (put first in their blocks). May add beacon
    /// deposit receipts to `world` for them to claim.
    fn slot(&mut self, world: &mut World, slot: u32)
    -> Result<Vec<(ShardId, Vec<ShardTransaction>)>, String>;
    /// The slot's blocks, committed: the users learn what was accepted. An error stops
    /// the simulation (a user transaction failed that the users expected to succeed).
    fn committed(&mut self, world: &World, results: &[crate::exec::BlockResult]) -> Result<(), String>;
    /// Counters for the report (e.g. operations by kind).
    fn figures(&self) -> std::collections::BTreeMap<String, u64>;
}

/// No users beyond the transfer EEs.
pub struct NoUsers;

impl Users for NoUsers {
    fn ees(&self) -> Vec<EeId> {
        Vec::new()
    }
    fn slot(&mut self, _: &mut World, _: u32) -> Result<Vec<(ShardId, Vec<ShardTransaction>)>, String> {
        Ok(Vec::new())
    }
    fn committed(&mut self, _: &World, _: &[crate::exec::BlockResult]) -> Result<(), String> {
        Ok(())
    }
    fn figures(&self) -> std::collections::BTreeMap<String, u64> {
        Default::default()
    }
}

type Validated = Result<crate::exec::Validated, crate::exec::StatelessError>;

/// The stateless executor on every block of a slot, on `config.threads` threads (block `i`
/// on thread `i % threads`), in block order.
fn validate_all<R: EeRunner + Sync>(
    chain: &Chain<R>,
    roots: &[ee_sdk::Root],
    config: &SimConfig,
    results: &[crate::exec::BlockResult],
    validator: &(dyn EeRunner + Sync),
) -> Vec<Validated> {
    let one = |r: &crate::exec::BlockResult| -> Validated {
        validate_block(
            &chain.world.beacon,
            roots,
            r.pre_root,
            config.layout,
            &r.block,
            validator,
            &chain.config.costs,
            &chain.config.limits,
        )
    };
    crate::parallel::map_in_order(results.iter().collect(), config.threads, one)
}

/// Runs the simulation: `producer` runs the stateful chain, `validator` the stateless
/// executor; `progress(slot)` is called after every slot.
pub fn run<R: EeRunner + Sync>(
    config: &SimConfig,
    world: World,
    producer: R,
    validator: &(dyn EeRunner + Sync),
    exec: ExecConfig,
    progress: impl FnMut(u32),
) -> Result<SimReport, SimError> {
    run_with(config, world, producer, validator, exec, &mut NoUsers, progress)
}

/// [`run`] with more `users` in every slot.
pub fn run_with<R: EeRunner + Sync>(
    config: &SimConfig,
    world: World,
    producer: R,
    validator: &(dyn EeRunner + Sync),
    exec: ExecConfig,
    users: &mut dyn Users,
    mut progress: impl FnMut(u32),
) -> Result<SimReport, SimError> {
    let started = Instant::now();
    let supply = world.total_supply()?;
    let extra = users.ees();
    let mut workload = Workload::new(config, &extra);
    let mut chain = Chain::new(world, producer, exec);
    let mut report = SimReport::new(config.clone());
    let (mut stateful_time, mut stateless_time) = (Duration::ZERO, Duration::ZERO);
    let genesis_diagonal: i128 =
        (0..config.ees).map(|e| i128::from(config.shape.genesis_balance(e, config.initial_balance))).sum();
    for slot in 0..config.slots {
        report.start_slot(slot, genesis_diagonal);
        let mut blocks = workload.slot(config);
        for (shard, txs) in users.slot(&mut chain.world, slot).map_err(SimError::Users)? {
            if let Some((_, block)) = blocks.iter_mut().find(|(s, _)| *s == shard) {
                block.splice(0..0, txs);
            }
        }
        let roots = chain.world.beacon.shard_roots.clone();
        let t = Instant::now();
        let results = chain.run_slot_parallel(blocks, config.threads)?;
        stateful_time += t.elapsed();
        let t = Instant::now();
        let validated = validate_all(&chain, &roots, config, &results, validator);
        stateless_time += t.elapsed();
        for (r, validated) in results.iter().zip(validated) {
            match validated {
                Ok(v) => {
                    if v.post_root != r.post_root {
                        report.root_mismatches += 1;
                        tracing::warn!(slot, shard = r.block.shard.0, "stateless post-root differs");
                    }
                    let gas =
                        |o: &crate::exec::BlockOutcome| o.txs.iter().map(|t| t.gas_used).collect::<Vec<_>>();
                    if gas(&v.outcome) != gas(&r.outcome) || v.outcome.receipts != r.outcome.receipts {
                        report.outcome_mismatches += 1;
                        tracing::warn!(slot, shard = r.block.shard.0, "stateless gas or receipts differ");
                    }
                }
                Err(e) => {
                    report.root_mismatches += 1;
                    tracing::warn!(slot, shard = r.block.shard.0, "stateless validation failed: {e}");
                }
            }
            for rc in &r.outcome.receipts {
                if rc.status == NettingStatus::Accepted
                    && let Some(o) = rc.output
                {
                    workload.apply(r.block.shard, rc.source_ee, o.target_shard, o.target_ee, o.amount);
                }
            }
            report.add_block(r);
        }
        users.committed(&chain.world, &results).map_err(SimError::Users)?;
        progress(slot + 1);
    }
    report.time = TimeFigures::new(started.elapsed(), stateful_time, stateless_time, report.blocks);
    let world = &chain.world;
    // Claimed beacon deposits are the only value that enters: the ledger and the supply
    // count them.
    let mut minted = 0i128;
    for (i, d) in world.beacon.deposits.iter().enumerate() {
        let claimed =
            world.shard(d.target)?.get(&crate::state::StateKey::DepositClaimed(i as u64))? != [0; 32];
        if let (true, Ok(data)) =
            (claimed, <ee_sdk::DepositData as ee_sdk::codec::DecodeAll>::decode_all(&mut &d.data[..]))
        {
            minted += i128::from(data.amount);
            workload.credit(d.target, data.ee, data.amount);
        }
    }
    report.supply_conserved = world.total_supply()? == supply + minted;
    let all_ees: Vec<EeId> = (0..config.ees).map(EeId).chain(extra.iter().copied()).collect();
    report.ledger_matches_state = (0..config.shards).all(|s| {
        all_ees
            .iter()
            .all(|&e| world.real_balance(ShardId(s), e).ok() == Some(workload.real_balance(ShardId(s), e)))
    });
    report.users = users.figures();
    report.negative_real_balances = if config.netting.variant == NettingVariant::A {
        // Version A keeps only each EE's total non-negative; its columns may go negative.
        (0..config.ees)
            .filter(|&e| {
                (0..config.shards)
                    .map(|s| world.real_balance(ShardId(s), EeId(e)))
                    .sum::<Result<i128, _>>()
                    .map_or(true, |total| total < 0)
            })
            .count()
    } else {
        (0..config.shards)
            .flat_map(|s| all_ees.iter().map(move |&e| (s, e)))
            .filter(|&(s, e)| world.real_balance(ShardId(s), e).map_or(true, |b| b < 0))
            .count()
    };
    report.capital_locked = u128::from(config.reserve()) * u128::from(config.shards) * u128::from(config.ees);
    report.final_roots = world.beacon.shard_roots.iter().map(hex::encode).collect();
    report.finish();
    Ok(report)
}
