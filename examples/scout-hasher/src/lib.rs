//! # scout-hasher
//!
//! A stateful EE using only Scout's ABI: every block sets the state root to
//! `sha256(pre-state root ‖ block data)`, computed in wasm as Scout-era EEs did (Scout had
//! no hash host function), and accounts for it with `eth2_useTicks`.
//! `scenarios/scout/hasher.yaml` runs it.
#![cfg_attr(not(test), no_std)]

use ee_sdk::scout;
use sha2::{Digest, Sha256};

/// Runs once per block.
pub fn run() -> Result<(), &'static str> {
    let pre = scout::load_pre_state_root();
    let data = scout::block_data();
    scout::use_ticks(1_000 + 10 * data.len() as u32);
    let mut h = Sha256::new();
    h.update(pre);
    h.update(&data);
    let post: [u8; 32] = h.finalize().into();
    scout::save_post_state_root(&post);
    Ok(())
}

ee_sdk::entry!(run);
