//! # scout-hello
//!
//! Scout's hello world, using only Scout's ABI (`eth2_*`, `debug_*`): prints, checks that
//! the block is empty, pushes one (all-zero, 184-byte) deposit receipt and keeps its
//! state root. `scenarios/scout/hello.yaml` runs it.
#![cfg_attr(not(test), no_std)]

use ee_sdk::scout;

/// Runs once per block.
pub fn run() -> Result<(), &'static str> {
    let pre = scout::load_pre_state_root();
    scout::print_mem(b"hello world!");
    scout::print32(42);
    scout::print64(99);
    scout::print_mem_hex(&pre);
    if !scout::block_data().is_empty() {
        return Err("hello expects empty blocks");
    }
    scout::push_new_deposit(&[0u8; 184]);
    scout::save_post_state_root(&pre);
    Ok(())
}

ee_sdk::entry!(run);
