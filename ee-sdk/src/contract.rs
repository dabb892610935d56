//! The interface of contracts run as children by an umbrella EE (`catalogue/umbrella`):
//! what a contract's `main` reads as its data and sets as its return data. A contract is
//! an ordinary `no_std` crate built with `ee build` whose imports stay within the `Child`
//! role (its data, return data, `sha256`, `debug_log`, `abort`, `spawn`); it depends on
//! this crate alone.
use crate::types::{BlsPublicKey, Root};
use alloc::vec::Vec;
use parity_scale_codec::{Decode, Encode};

/// Most payments one contract run may make.
pub const MAX_PAYMENTS: usize = 16;

/// What a contract's `main` reads as its data (SCALE).
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct ContractCall {
    /// The calling account.
    pub caller: BlsPublicKey,
    /// The contract's id.
    pub contract: Root,
    /// Gwei the caller sent with the call (already in `balance`).
    pub value: u64,
    /// The contract's balance, `value` included.
    pub balance: u64,
    /// The caller's input.
    pub input: Vec<u8>,
    /// The declared storage slots and their values (zero if never written).
    pub storage: Vec<(Root, Root)>,
}

/// What a contract sets as its return data (SCALE).
#[derive(Encode, Decode, Clone, Debug, Default, PartialEq, Eq)]
pub struct ContractResult {
    /// Slots to write (each must be declared by the call).
    pub storage: Vec<(Root, Root)>,
    /// Payments from the contract's balance to accounts (at most [`MAX_PAYMENTS`]).
    pub payments: Vec<(BlsPublicKey, u64)>,
    /// Returned to the caller as the transaction's return data.
    pub output: Vec<u8>,
}
