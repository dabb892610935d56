//! # vhee
//!
//! The EE of seed 000 that "holds balances for standardized accounts": BLS12-381 keyed
//! accounts `{balance, nonce}` in funds of two dimensions — one tree per shard (its state
//! root on that shard), and inside it one *portion* per `ee_id`.
//!
//! * All account funds on shard `s` are backed by the VHEE's own balance matrix:
//!   `Σ accounts on s + unclaimed receipts to s = real_balance(s, VHEE)`.
//! * Stateless: every transaction carries a compiled multiproof of the keys it touches
//!   against the VHEE's pre-state root on that shard; the VHEE verifies it in wasm (sha256
//!   through the host), applies the operation to those leaves and saves the root the proof
//!   gives for the new values.
//! * Operations ([`types::Op`]): claim a validator deposit, signed transfer, pay another EE
//!   (a direct cross-EE transfer netted by the meta-EE), cross-shard transfer with a
//!   receipt root, claim a receipt, and — for EEs calling in with `call_ee` — moves within
//!   the caller's own portion and balance reads.
//! * Replay protection for receipts is a sparse bitfield in the VHEE's tree plus a running
//!   total per `(source shard, data root)` capped at what the meta-EE netted (see
//!   ARCHITECTURE.md).
//!
//! [`logic::execute`] is the state transition over two traits, [`logic::View`] (the
//! leaves) and [`ee_sdk::Env`] (the host functions), so the wasm entry and the native
//! [`client`] (which keeps full trees and builds transactions with their proofs) run the
//! same code.
#![cfg_attr(not(any(test, feature = "client")), no_std)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod keys;
pub mod logic;
pub mod receipts;
#[cfg(feature = "walkthrough")]
pub mod sim_users;
pub mod types;
#[cfg(feature = "walkthrough")]
pub mod walkthrough;

pub use error::VheeError;
pub use types::*;

use ee_sdk::proof::HostSha256;
use ee_sdk::stateless::{ApplyError, Leaves, Witness, WitnessLeaves};
use ee_sdk::{Root, env};
use logic::View;

/// The leaves a transaction carries, verified against the pre-state root (the SDK's).
impl View for WitnessLeaves {
    fn get(&mut self, key: &Root) -> Result<Root, VheeError> {
        Leaves::get(self, key).map_err(|_| VheeError::WitnessMissing)
    }
    fn set(&mut self, key: Root, value: Root) -> Result<(), VheeError> {
        Leaves::set(self, key, value).map_err(|_| VheeError::WitnessMissing)
    }
}

/// The VHEE's entry: verify the witness, execute the operation, save the new root.
pub fn run() -> Result<(), VheeError> {
    let tx: VheeTx = env::decode_block_data("vhee: data is not a VheeTx");
    let pre = env::pre_state_root();
    let mut host = ee_sdk::HostEnv;
    let new_root = apply::<HostSha256>(&tx, &pre, &mut host)?;
    if new_root != pre {
        env::save_post_state_root(&new_root);
    }
    Ok(())
}

/// Verifies `tx`'s witness against `pre`, executes its operation, and returns the new root.
pub fn apply<H: ee_sdk::proof::Hasher + Default>(
    tx: &VheeTx,
    pre: &Root,
    host: &mut impl ee_sdk::Env,
) -> Result<Root, VheeError> {
    let witness = Witness { proof: tx.proof.clone(), leaves: tx.leaves.clone() };
    ee_sdk::stateless::apply::<H, VheeError>(pre, &witness, |leaves| {
        logic::execute::<H>(&tx.op, leaves, host)
    })
    .map_err(|e| match e {
        ApplyError::WitnessInvalid => VheeError::WitnessInvalid,
        ApplyError::Op(e) => e,
    })
}

ee_sdk::entry!(run);
