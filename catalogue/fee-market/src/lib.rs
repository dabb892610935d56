//! # fee-market-ee
//!
//! Seed 002's fee market: "a relayer market that allows any relayer to package your
//! transactions and just requires the block producer to make one call to the fee market EE
//! at the end of a block. This call transfers funds from the relayers to the block
//! producer verifying that the hash of the transactions have included" — through the
//! host's lookback functions (`lookback_count`, `lookback_hash`).
//!
//! * Relayers fund accounts (BLS keys) with beacon deposits ([`Op::Deposit`]).
//! * A relayer packages users' transactions and signs a [`Bid`]: the hashes of those
//!   transactions, a fee and its account nonce.
//! * The producer includes the transactions, then one [`Op::Collect`] naming where each
//!   bid's transactions sit in the block; the EE checks each against `lookback_hash`, the
//!   signature, the nonce (a bid pays once) and the relayer's balance, and moves the fees
//!   to the producer's account. One refused claim refuses the whole call.
//! * Accounts cash out with a signed [`Op::Withdraw`]: a netting output to another EE or
//!   shard, netted by the meta-EE like any other.
//!
//! Stateless like the VHEE: each transaction carries the witness of the leaves it touches
//! ([`ee_sdk::stateless`]). Value is conserved: the sum of accounts on a shard is what
//! deposits brought in minus what withdrawals sent out.
#![cfg_attr(not(any(test, feature = "client")), no_std)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod logic;
pub mod types;

pub use error::FeeError;
pub use types::*;

impl ee_sdk::stateless::StatelessTx for FeeTx {
    fn witness(&self) -> &ee_sdk::stateless::Witness {
        &self.witness
    }
}

/// The EE's entry: decode, verify the witness, execute, save the new root; a refusal
/// aborts with its message.
pub fn run() -> Result<(), &'static str> {
    ee_sdk::stateless::run_tx(FeeError::Malformed, FeeError::WitnessInvalid, |tx: &FeeTx, leaves, host| {
        logic::execute(&tx.op, leaves, host)
    })
    .map_err(FeeError::message)
}

ee_sdk::entry!(run);
