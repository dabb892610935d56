//! The stateless executor (DESIGN §3): validates a block from roots alone.
//!
//! It knows the beacon state (EE registry and the latest crosslinked roots) and the
//! shard's pre-state root. The block's own witness is verified before anything runs; the
//! meta-EE's `multiproof_load` verifies the foreign proofs; a read or write outside them
//! invalidates the block; the post-state root is computed from the witness.
use super::block::{BlockError, BlockExecutor, BlockOutcome};
use super::source::StatelessSource;
use crate::gas::CostTable;
use crate::limits::Limits;
use crate::logic::HostError;
use crate::logic::{EeRunner, TxError};
use crate::state::{BeaconState, KeyLayout, StateError};
use ee_sdk::{Root, ShardBlock};

/// Why a block fails stateless validation. The validator's state (its roots) is
/// untouched in every case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatelessError {
    /// The block is malformed.
    #[error(transparent)]
    Block(#[from] BlockError),
    /// The block witness is malformed, for another shard, larger than the limit, or does
    /// not match the pre-state root.
    #[error("block witness rejected: {0}")]
    Witness(StateError),
    /// A transaction needed state the witnesses do not provide, or a multiproof it loaded
    /// was invalid.
    #[error("transaction {index}: {error}")]
    Uncovered {
        /// Position of the transaction.
        index: usize,
        /// What was missing or wrong.
        error: StateError,
    },
}

/// A validated block.
#[derive(Debug)]
pub struct Validated {
    /// The post-state root computed from the witness.
    pub post_root: Root,
    /// What the block did (same shape as the producer's).
    pub outcome: BlockOutcome,
}

/// Runs `block` on roots only: the shard's `pre_root` and the crosslinked `roots` of every
/// shard; `beacon` supplies the EE registry.
#[allow(clippy::too_many_arguments)]
pub fn validate_block(
    beacon: &BeaconState,
    roots: &[Root],
    pre_root: Root,
    layout: KeyLayout,
    block: &ShardBlock,
    runner: &dyn EeRunner,
    costs: &CostTable,
    limits: &Limits,
) -> Result<Validated, StatelessError> {
    if block.witness.len() > limits.witness_bytes as usize {
        return Err(StatelessError::Witness(StateError::Witness(format!(
            "{} bytes exceed the limit of {}",
            block.witness.len(),
            limits.witness_bytes
        ))));
    }
    let mut source = StatelessSource::new(block.shard, layout, pre_root, roots, &block.witness)
        .map_err(StatelessError::Witness)?;
    let outcome = {
        let mut exec =
            BlockExecutor::new(beacon, block.shard, block.slot, &mut source, runner, costs, limits)?;
        for tx in &block.transactions {
            let report = exec.run(tx)?;
            if let Err(TxError::Host(HostError::State(error))) = &report.result
                && matches!(error, StateError::NotInWitness { .. } | StateError::Witness(_))
            {
                return Err(StatelessError::Uncovered { index: report.index, error: error.clone() });
            }
        }
        exec.finish()?
    };
    let post_root = source.post_root(&outcome.writes).map_err(StatelessError::Witness)?;
    Ok(Validated { post_root, outcome })
}
