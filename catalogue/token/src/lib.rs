//! # token-ee
//!
//! Seed 002's generic-asset EE: ERC-20-like tokens, each named by its issuer's BLS key
//! (only that key mints it), with balances per account per shard, signed transfers,
//! approvals and `TransferFrom`, and cross-shard transfers through receipts.
//!
//! A cross-shard transfer debits the sender and prints a **message** — a netting output
//! of zero ETH carrying the root of its [`TokenReceipt`]s (the SDK's receipt tree,
//! [`ee_sdk::receipts`], the VHEE's too). The meta-EE records accepted messages per source
//! EE (`message_add`); a claim on the target shard checks the receipt under the root, that
//! *this* EE on the source shard sent the root (`message_count`), and the receipt's claimed
//! bit. ETH receipts (the VHEE's) are safe with the unauthenticated `netted_get` because
//! the ETH amount caps them; tokens are not ETH, so a root any other EE sends would mint
//! freely — the message record names the source.
//!
//! Supply is conserved: minted units equal the balances on every shard plus the receipts
//! not yet claimed.
#![cfg_attr(not(any(test, feature = "client")), no_std)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod logic;
pub mod types;

pub use error::TokenError;
pub use types::*;

/// The EE's entry: decode, verify the witness, execute, save the new root.
pub fn run() -> Result<(), &'static str> {
    ee_sdk::stateless::run_tx(
        TokenError::Malformed,
        TokenError::WitnessInvalid,
        |tx: &TokenTx, leaves, host| logic::execute::<ee_sdk::proof::HostSha256>(&tx.op, leaves, host),
    )
    .map_err(TokenError::message)
}

ee_sdk::entry!(run);
