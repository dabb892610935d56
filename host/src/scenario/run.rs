//! Running a scenario and its report (what `ee run` and `ee demo` print).
use super::{Scenario, ScenarioError};
use crate::exec::{Chain, ChainError, EeRunner, ExecConfig};
use crate::report::{ReportContext, block_report};
use crate::state::World;
use ee_types::report::{BlockReport, MatrixReport};
use serde::Serialize;

/// An EE's state root on a shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EeRootReport {
    /// The shard.
    pub shard: u32,
    /// The EE.
    pub ee: u32,
    /// Its root (hex).
    pub root: String,
}

/// A whole run.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// Scenario name.
    pub scenario: String,
    /// Engine (or `native`).
    pub engine: String,
    /// Shard count.
    pub shards: u32,
    /// Matrices before the first block.
    pub initial: Vec<MatrixReport>,
    /// Every block.
    pub blocks: Vec<BlockReport>,
    /// Matrices after the last block.
    #[serde(rename = "final")]
    pub final_: Vec<MatrixReport>,
    /// Crosslinked shard roots at the end.
    pub shard_roots: Vec<String>,
    /// Every non-zero EE state root at the end.
    pub ee_roots: Vec<EeRootReport>,
    /// Sum of every cell of every matrix (unchanged by netting).
    pub total_supply: i128,
}

/// Every registered non-meta EE's matrix.
pub fn matrices(world: &World, scenario: &Scenario) -> Result<Vec<MatrixReport>, ChainError> {
    let meta = world.beacon.meta_ee().map(|m| m.id);
    let mut out = Vec::new();
    for id in world.beacon.ees.keys().filter(|id| Some(**id) != meta) {
        out.push(MatrixReport { ee: id.0, name: scenario.ee_name(id.0), rows: world.matrix(*id)? });
    }
    Ok(out)
}

fn ee_roots(world: &World) -> Result<Vec<EeRootReport>, crate::state::StateError> {
    let mut out = Vec::new();
    for shard in 0..world.shard_count() {
        for ee in world.beacon.ees.keys() {
            let root = world.ee_root(ee_sdk::ShardId(shard), *ee)?;
            if root != [0; 32] {
                out.push(EeRootReport { shard, ee: ee.0, root: hex::encode(root) });
            }
        }
    }
    Ok(out)
}

/// Runs every block of `scenario` on `chain` and reports.
pub fn run_scenario<R: EeRunner>(
    scenario: &Scenario,
    chain: &mut Chain<R>,
    engine: &str,
) -> Result<RunReport, ScenarioError> {
    let chain_err = |e: ChainError| ScenarioError::Invalid(e.to_string());
    let initial = matrices(&chain.world, scenario).map_err(chain_err)?;
    let mut blocks = Vec::new();
    for slot in scenario.slots()? {
        for r in chain.run_slot(slot).map_err(chain_err)? {
            blocks.push(block_report(&r, ReportContext::default(), |ee| scenario.ee_name(ee.0)));
        }
    }
    Ok(RunReport {
        scenario: scenario.name.clone().unwrap_or_else(|| "scenario".into()),
        engine: engine.to_string(),
        shards: scenario.shards,
        initial,
        blocks,
        final_: matrices(&chain.world, scenario).map_err(chain_err)?,
        shard_roots: chain.world.beacon.shard_roots.iter().map(hex::encode).collect(),
        ee_roots: ee_roots(&chain.world).map_err(|e| ScenarioError::Invalid(e.to_string()))?,
        total_supply: chain.world.total_supply().map_err(|e| ScenarioError::Invalid(e.to_string()))?,
    })
}

/// Builds a chain for `scenario` with `runner`, using the scenario's limits if it has any.
pub fn chain_for<R: EeRunner>(
    scenario: &Scenario,
    world: World,
    runner: R,
    mut config: ExecConfig,
) -> Chain<R> {
    if let Some(l) = &scenario.limits {
        config.limits = l.clone();
    }
    Chain::new(world, runner, config)
}
