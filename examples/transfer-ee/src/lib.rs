//! # transfer-ee
//!
//! The smallest useful EE, playing EE0 and EE1 of seed 000's worked example: its
//! transaction data is a SCALE `Vec<Transfer>` (`[{ amount, shard, ee }]`) and it prints one
//! [`NettingOutput`] per entry, leaving the balance checks to the meta-EE.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use ee_sdk::{NettingOutput, Transfer, env};

/// Prints one netting output per requested transfer.
pub fn run() -> Result<(), &'static str> {
    let transfers: Vec<Transfer> = env::decode_block_data("transfer-ee: data is not Vec<Transfer>");
    let me = env::ee_id();
    for t in transfers {
        env::emit(&NettingOutput {
            target_shard: t.shard,
            target_ee: t.ee.unwrap_or(me),
            amount: t.amount,
            data_root: [0; 32],
        });
    }
    Ok(())
}

ee_sdk::entry!(run);
