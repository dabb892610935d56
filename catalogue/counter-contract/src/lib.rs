//! # counter-contract
//!
//! The umbrella EE's example contract, run as a child instance (`spawn`). It reads a
//! [`ContractCall`] and returns a [`ContractResult`]:
//!
//! * [`CounterCall::Add`] adds to the counter in slot [`COUNT`]; the first caller becomes
//!   the owner (sha256 of its key in slot [`OWNER`]); any value sent stays in the contract;
//! * [`CounterCall::Payout`] pays from the contract's balance — the owner only.
//!
//! Both slots must be declared by the call. The output is the counter after the call
//! (u64, LE).
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

extern crate alloc;

use alloc::vec;
use ee_sdk::codec::{Decode, DecodeAll, Encode};
use ee_sdk::contract::{ContractCall, ContractResult};
use ee_sdk::{BlsPublicKey, Root, env};

/// The counter's slot.
pub const COUNT: Root = [0; 32];
/// The owner's slot (sha256 of the owner's key).
pub const OWNER: Root = [1; 32];

/// The contract's input.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub enum CounterCall {
    /// Adds to the counter.
    Add(u64),
    /// Pays `amount` of the contract's balance to `to` (owner only).
    Payout {
        /// The account paid.
        to: BlsPublicKey,
        /// Gwei.
        amount: u64,
    },
}

fn slot(call: &ContractCall, slot: &Root) -> Result<Root, &'static str> {
    call.storage
        .iter()
        .find(|(s, _)| s == slot)
        .map(|(_, v)| *v)
        .ok_or("counter: slots 0 and 1 must be declared")
}

/// The contract's logic: `sha256` is the host's in wasm (or any sha256 natively).
pub fn execute(call: &ContractCall, sha256: impl Fn(&[u8]) -> Root) -> Result<ContractResult, &'static str> {
    let input =
        CounterCall::decode_all(&mut &call.input[..]).map_err(|_| "counter: input is not a CounterCall")?;
    let count_value = slot(call, &COUNT)?;
    let owner = slot(call, &OWNER)?;
    let mut count_bytes = [0u8; 8];
    count_bytes.copy_from_slice(&count_value[..8]);
    let mut count = u64::from_le_bytes(count_bytes);
    let me = sha256(&call.caller);
    let mut result = ContractResult::default();
    match input {
        CounterCall::Add(n) => {
            count = count.checked_add(n).ok_or("counter: overflow")?;
            let mut v = [0u8; 32];
            v[..8].copy_from_slice(&count.to_le_bytes());
            result.storage.push((COUNT, v));
            if owner == [0; 32] {
                result.storage.push((OWNER, me));
            }
        }
        CounterCall::Payout { to, amount } => {
            if owner != me {
                return Err("counter: only the owner pays out");
            }
            if amount > call.balance {
                return Err("counter: not enough balance");
            }
            result.payments = vec![(to, amount)];
        }
    }
    result.output = count.to_le_bytes().to_vec();
    Ok(result)
}

/// The child's entry: decode the call, run, return the result.
pub fn run() -> Result<(), &'static str> {
    let call = ContractCall::decode_all(&mut &env::block_data()[..])
        .map_err(|_| "counter: data is not a ContractCall")?;
    let result = execute(&call, env::sha256)?;
    env::set_return_data(&result.encode());
    Ok(())
}

ee_sdk::entry!(run);
