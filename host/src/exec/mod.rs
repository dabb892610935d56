//! Ordered block execution (DESIGN §2–§3).
//!
//! * [`source`]: where a block's pre-state comes from — [`StatefulSource`] reads full
//!   state and records every key it serves (the witness a stateless node will need);
//!   [`StatelessSource`] serves only what verified witnesses contain.
//! * [`overlay`]: the block's and the running transaction's writes over that source, so a
//!   failed transaction leaves nothing behind.
//! * [`EeRunner`] (from `logic`): how an EE's code is run (wasmer or native).
//! * [`block`]: [`BlockExecutor`], transactions in order, the meta-EE last.
//! * [`chain`]: [`Chain`], the stateful block producer: builds the meta-EE's transaction
//!   and the witnesses, runs every shard's block of a slot against the slot-start state,
//!   commits and crosslinks.
//! * [`stateless`]: [`validate_block`], the stateless executor: roots and witnesses only.
pub mod block;
pub mod chain;
pub mod overlay;
pub mod report;
pub mod source;
pub mod stateless;

pub use crate::logic::{EeRunner, RunStats, TxError};
pub use block::{BlockError, BlockExecutor, BlockOutcome, NettingReceipt, tx_hash};
pub use chain::{BlockResult, Chain, ChainError, ExecConfig, WitnessStats};
pub use report::TxReport;
pub use source::{Recorded, StateSource, StatefulSource, StatelessSource};
pub use stateless::{StatelessError, Validated, validate_block};
