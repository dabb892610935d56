//! Running a scenario and its report (what `ee run` and `ee demo` print).
use super::{Scenario, ScenarioError};
use crate::exec::{BlockResult, Chain, ChainError, EeRunner, ExecConfig, TxReport};
use crate::state::World;
use ee_sdk::NettingStatus;
use serde::Serialize;

/// One EE's matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixReport {
    /// The EE.
    pub ee: u32,
    /// Its name.
    pub name: String,
    /// `rows[row][column]`.
    pub rows: Vec<Vec<i64>>,
}

/// One host function's use in a transaction.
#[derive(Clone, Debug, Serialize)]
pub struct HostCallReport {
    /// Function name.
    pub function: String,
    /// Calls.
    pub calls: u64,
    /// Gas charged.
    pub gas: u64,
}

/// One transaction's result.
#[derive(Clone, Debug, Serialize)]
pub struct TxReportJson {
    /// Position in the block.
    pub index: usize,
    /// EE id.
    pub ee: u32,
    /// EE name.
    pub name: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// Why it failed.
    pub error: Option<String>,
    /// Gas used.
    pub gas_used: u64,
    /// Of which host calls.
    pub host_gas: u64,
    /// Outputs printed.
    pub outputs: usize,
    /// Compile time (µs, 0 if cached).
    pub compile_us: u64,
    /// Instantiate time (µs).
    pub instantiate_us: u64,
    /// Execute time (µs).
    pub execute_us: u64,
    /// Host calls per function.
    pub host_calls: Vec<HostCallReport>,
    /// Debug log lines.
    pub logs: Vec<String>,
}

/// One netting receipt of the meta-EE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReceiptReport {
    /// EE that printed the output.
    pub source_ee: u32,
    /// Index among its outputs.
    pub index: u32,
    /// Target shard (if the output decoded).
    pub target_shard: Option<u32>,
    /// Target EE.
    pub target_ee: Option<u32>,
    /// Amount.
    pub amount: Option<u64>,
    /// `accepted` or `rejected`.
    pub status: String,
    /// Why it was rejected.
    pub reason: Option<String>,
}

/// One block's result.
#[derive(Clone, Debug, Serialize)]
pub struct BlockReport {
    /// Slot.
    pub slot: u64,
    /// Shard.
    pub shard: u32,
    /// Shard root before.
    pub pre_root: String,
    /// Shard root after.
    pub post_root: String,
    /// Total gas of the block.
    pub gas: u64,
    /// Every transaction (the meta-EE's last).
    pub transactions: Vec<TxReportJson>,
    /// The meta-EE's accept/reject report.
    pub netting: Vec<ReceiptReport>,
}

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

fn tx_json(t: &TxReport, scenario: &Scenario) -> TxReportJson {
    TxReportJson {
        index: t.index,
        ee: t.ee.0,
        name: scenario.ee_name(t.ee.0),
        ok: t.ok(),
        error: t.result.as_ref().err().map(ToString::to_string),
        gas_used: t.gas_used,
        host_gas: t.profile.total_gas(),
        outputs: t.outputs,
        compile_us: t.stats.compile_us,
        instantiate_us: t.stats.instantiate_us,
        execute_us: t.stats.execute_us,
        host_calls: t
            .profile
            .entries()
            .map(|(f, calls, gas)| HostCallReport { function: f.name().to_string(), calls, gas })
            .collect(),
        logs: t.logs.clone(),
    }
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

/// The receipts of a block as report rows.
pub fn receipts_json(r: &BlockResult) -> Vec<ReceiptReport> {
    r.outcome
        .receipts
        .iter()
        .map(|rc| {
            let (status, reason) = match rc.status {
                NettingStatus::Accepted => ("accepted".to_string(), None),
                NettingStatus::Rejected(why) => ("rejected".to_string(), Some(format!("{why:?}"))),
            };
            ReceiptReport {
                source_ee: rc.source_ee.0,
                index: rc.index,
                target_shard: rc.output.map(|o| o.target_shard.0),
                target_ee: rc.output.map(|o| o.target_ee.0),
                amount: rc.output.map(|o| o.amount),
                status,
                reason,
            }
        })
        .collect()
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
        let number = chain.world.beacon.slot;
        for r in chain.run_slot(slot).map_err(chain_err)? {
            blocks.push(BlockReport {
                slot: number,
                shard: r.block.shard.0,
                pre_root: hex::encode(r.pre_root),
                post_root: hex::encode(r.post_root),
                gas: r.outcome.txs.iter().map(|t| t.gas_used).sum(),
                transactions: r.outcome.txs.iter().map(|t| tx_json(t, scenario)).collect(),
                netting: receipts_json(&r),
            });
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
