//! # relay-ee
//!
//! Its data is a [`Relay`]: either call another EE synchronously with some input and keep
//! `sha256(return data)` as its state root (so callers can observe what came back), or
//! print netting outputs verbatim (e.g. a cross-EE payment whose `data_root` names
//! receipts another EE will honour).
#![cfg_attr(not(test), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use ee_sdk::codec::{Decode, Encode};
use ee_sdk::{EeId, NettingOutput, env};

/// What to do.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub enum Relay {
    /// `call_ee(ee, input)`; the state root becomes `sha256(return data)`.
    Call {
        /// The callee.
        ee: EeId,
        /// Its input.
        input: Vec<u8>,
    },
    /// Print these netting outputs.
    Emit(Vec<NettingOutput>),
}

/// Runs one relay.
pub fn run() -> Result<(), &'static str> {
    match env::decode_block_data::<Relay>("relay-ee: data is not a Relay") {
        Relay::Call { ee, input } => {
            let returned = env::call_ee(ee, &input);
            env::save_post_state_root(&env::sha256(&returned));
        }
        Relay::Emit(outputs) => {
            for o in &outputs {
                env::emit(o);
            }
        }
    }
    Ok(())
}

ee_sdk::entry!(run);
