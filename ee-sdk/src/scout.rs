//! Safe wrappers over ewasm Scout's ABI (the `eth2_*`, `debug_*` and `bignum_*` entries of
//! the table), for EEs written the Scout way. They are the same metered host functions
//! Scout-era binaries import directly.
use crate::env::{host_bytes, len32};
use crate::raw;
use crate::types::Root;
use alloc::vec::Vec;

/// `eth2_loadPreStateRoot`.
pub fn load_pre_state_root() -> Root {
    let mut root = [0u8; 32];
    // SAFETY: 32 writable bytes.
    unsafe { raw::eth2_loadPreStateRoot(root.as_mut_ptr()) };
    root
}

/// `eth2_blockDataSize` + `eth2_blockDataCopy`.
pub fn block_data() -> Vec<u8> {
    // SAFETY: the host writes exactly the size it reported.
    unsafe { host_bytes(raw::eth2_blockDataSize(), |dst, len| raw::eth2_blockDataCopy(dst, 0, len)) }
}

/// `eth2_savePostStateRoot`.
pub fn save_post_state_root(root: &Root) {
    // SAFETY: 32 readable bytes.
    unsafe { raw::eth2_savePostStateRoot(root.as_ptr()) }
}

/// `eth2_pushNewDeposit`.
pub fn push_new_deposit(deposit: &[u8]) {
    // SAFETY: readable for its length.
    unsafe { raw::eth2_pushNewDeposit(deposit.as_ptr(), len32(deposit)) }
}

/// `eth2_useTicks`.
pub fn use_ticks(ticks: u32) {
    // SAFETY: no pointers.
    unsafe { raw::eth2_useTicks(ticks) }
}

/// `debug_print32`.
pub fn print32(value: u32) {
    // SAFETY: no pointers.
    unsafe { raw::debug_print32(value) }
}

/// `debug_print64`.
pub fn print64(value: u64) {
    // SAFETY: no pointers.
    unsafe { raw::debug_print64(value) }
}

/// `debug_printMem`.
pub fn print_mem(bytes: &[u8]) {
    // SAFETY: readable for its length.
    unsafe { raw::debug_printMem(bytes.as_ptr(), len32(bytes)) }
}

/// `debug_printMemHex`.
pub fn print_mem_hex(bytes: &[u8]) {
    // SAFETY: readable for its length.
    unsafe { raw::debug_printMemHex(bytes.as_ptr(), len32(bytes)) }
}

/// `bignum_add256`: `a + b` on 32-byte big-endian numbers (traps on overflow).
pub fn add256(a: &Root, b: &Root) -> Root {
    let mut c = [0u8; 32];
    // SAFETY: two 32-byte inputs, one 32-byte output.
    unsafe { raw::bignum_add256(a.as_ptr(), b.as_ptr(), c.as_mut_ptr()) };
    c
}

/// `bignum_sub256`: `a - b` on 32-byte big-endian numbers (traps on underflow).
pub fn sub256(a: &Root, b: &Root) -> Root {
    let mut c = [0u8; 32];
    // SAFETY: two 32-byte inputs, one 32-byte output.
    unsafe { raw::bignum_sub256(a.as_ptr(), b.as_ptr(), c.as_mut_ptr()) };
    c
}
