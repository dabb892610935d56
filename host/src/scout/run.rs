//! Running vectors and comparing the result.
use super::{ScoutError, Vectors};
use crate::exec::{BlockExecutor, ExecConfig, StatefulSource};
use crate::genesis::{GenesisEe, GenesisSpec};
use crate::runtime::Runtime;
use ee_sdk::{EeId, ShardId, ShardTransaction};
use serde::Serialize;

/// One block's run.
#[derive(Clone, Debug, Serialize)]
pub struct BlockRun {
    /// Position in `shard_blocks`.
    pub index: usize,
    /// The EE.
    pub env: u32,
    /// `None` if it succeeded, else why not.
    pub error: Option<String>,
    /// Gas used.
    pub gas: u64,
    /// Instantiation time (µs).
    pub instantiate_us: u64,
    /// Execution time of the EE (µs), compile excluded.
    pub execute_us: u64,
    /// Compile time (µs; 0 when cached).
    pub compile_us: u64,
}

/// One EE's post-state root check.
#[derive(Clone, Debug, Serialize)]
pub struct RootCheck {
    /// The EE.
    pub env: u32,
    /// From the YAML.
    pub expected: String,
    /// Computed.
    pub actual: String,
}

/// The result of running vectors.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Every block.
    pub blocks: Vec<BlockRun>,
    /// Every EE's root.
    pub roots: Vec<RootCheck>,
    /// Expected deposits (hex SSZ) the EEs did not push.
    pub missing_deposits: Vec<String>,
    /// Deposits pushed (hex).
    pub pushed_deposits: Vec<String>,
}

impl Outcome {
    /// Whether every block succeeded, every root matches and every expected deposit was
    /// pushed.
    pub fn passed(&self) -> bool {
        self.blocks.iter().all(|b| b.error.is_none())
            && self.roots.iter().all(|r| r.expected == r.actual)
            && self.missing_deposits.is_empty()
    }

    /// A readable diff of what did not match (empty if it passed).
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for b in self.blocks.iter().filter(|b| b.error.is_some()) {
            out +=
                &format!("block {} (env {}) failed: {}\n", b.index, b.env, b.error.as_deref().unwrap_or(""));
        }
        for r in self.roots.iter().filter(|r| r.expected != r.actual) {
            out += &format!(
                "env {} post-state root\n  - expected {}\n  + actual   {}\n",
                r.env, r.expected, r.actual
            );
        }
        for d in &self.missing_deposits {
            out += &format!("deposit receipt not pushed\n  - expected {d}\n");
        }
        if !self.missing_deposits.is_empty() {
            for d in &self.pushed_deposits {
                out += &format!("  + pushed   {d}\n");
            }
        }
        out
    }
}

/// Runs `vectors` on `runtime` (which must link `vectors.libraries`) with `config`.
pub fn run(vectors: &Vectors, runtime: &Runtime, config: &ExecConfig) -> Result<Outcome, ScoutError> {
    let shard = ShardId(0);
    let mut genesis = GenesisSpec::new(1);
    for (i, (path, code)) in vectors.scripts.iter().enumerate() {
        let name = path.file_name().map_or_else(|| format!("EE{i}"), |n| n.to_string_lossy().into_owned());
        let mut ee = GenesisEe::new(EeId(i as u32), name, code.clone());
        ee.roots = vectors.pre_state.get(i).map(|r| (shard, *r)).into_iter().collect();
        genesis = genesis.ee(ee);
    }
    let mut world = genesis.build()?;
    let mut blocks = Vec::with_capacity(vectors.blocks.len());
    let mut pushed = Vec::new();
    for (index, (env, data)) in vectors.blocks.iter().enumerate() {
        let outcome = {
            let mut source = StatefulSource::new(&world, shard);
            let mut exec = BlockExecutor::new(
                &world.beacon,
                shard,
                index as u64,
                &mut source,
                runtime,
                &config.costs,
                &config.limits,
            )?;
            exec.run(&ShardTransaction { ee_id: EeId(*env), data: data.clone() })?;
            exec.finish()?
        };
        let tx = &outcome.txs[0];
        blocks.push(BlockRun {
            index,
            env: *env,
            error: tx.result.as_ref().err().map(ToString::to_string),
            gas: tx.gas_used,
            instantiate_us: tx.stats.instantiate_us,
            execute_us: tx.stats.execute_us,
            compile_us: tx.stats.compile_us,
        });
        pushed.extend(outcome.deposits);
        world.commit(shard, &outcome.writes)?;
        world.end_slot();
    }
    let roots = (0..vectors.scripts.len())
        .map(|i| {
            Ok(RootCheck {
                env: i as u32,
                expected: hex::encode(vectors.post_state[i]),
                actual: hex::encode(world.ee_root(shard, EeId(i as u32))?),
            })
        })
        .collect::<Result<Vec<_>, ScoutError>>()?;
    let mut available = pushed.clone();
    let mut missing = Vec::new();
    for d in &vectors.deposits {
        match available.iter().position(|p| p == d) {
            Some(i) => {
                available.swap_remove(i);
            }
            None => missing.push(hex::encode(d)),
        }
    }
    Ok(Outcome {
        blocks,
        roots,
        missing_deposits: missing,
        pushed_deposits: pushed.iter().map(hex::encode).collect(),
    })
}
