//! # umbrella-ee
//!
//! Seed 002's umbrella execution environment: "takes advantage of wasm-spawning-wasm to
//! allow users to deploy arbitrary code. It maintains the account structure and balance
//! tracking to facilitate transactions to these user contracts."
//!
//! * Accounts are BLS keys funded by beacon deposits ([`Op::Deposit`]) and cashed out by
//!   signed withdrawals ([`Op::Withdraw`], a netting output).
//! * [`Op::Deploy`] stores a contract's code hash under an id derived from the deployer
//!   and its nonce. The code itself is not kept in the tree: like all state of a
//!   stateless EE it travels with the transactions that need it, checked against the hash.
//! * [`Op::Call`] moves the call's value to the contract, spawns its code as a child
//!   instance (the host's `spawn`: its own memory, metered from the transaction's gas,
//!   imports limited to its data and return data) with a [`ContractCall`] holding the
//!   declared storage slots, then applies the [`ContractResult`]: storage writes to
//!   declared slots and payments out of the contract's balance. All or nothing.
//! * Stateless: every transaction carries the witness of the leaves it touches
//!   ([`ee_sdk::stateless`]); value is conserved — accounts plus contract balances equal
//!   deposits minus withdrawals.
//!
//! `catalogue/counter-contract` is the example contract.
#![cfg_attr(not(any(test, feature = "client")), no_std)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod logic;
pub mod types;

pub use error::UmbrellaError;
pub use types::*;

impl ee_sdk::stateless::StatelessTx for UmbrellaTx {
    fn witness(&self) -> &ee_sdk::stateless::Witness {
        &self.witness
    }
}

/// The EE's entry: decode, verify the witness, execute, save the new root; a refusal
/// aborts with its message.
pub fn run() -> Result<(), &'static str> {
    ee_sdk::stateless::run_tx(
        UmbrellaError::Malformed,
        UmbrellaError::WitnessInvalid,
        |tx: &UmbrellaTx, leaves, host| logic::execute(&tx.op, &tx.code, leaves, host),
    )
    .map_err(UmbrellaError::message)
}

ee_sdk::entry!(run);
