//! Safe API over the [raw imports](crate::raw).
//!
//! Every function here is a thin, checked wrapper: buffers are sized by the host's own
//! answer, and a failing host call ends the transaction (a trap on wasm, an unwind in the
//! native backend) instead of returning garbage.
use crate::raw;
use crate::types::{EeId, Root, ShardId};
use alloc::vec;
use alloc::vec::Vec;
use parity_scale_codec::{Decode, DecodeAll, Encode};

/// Length of a slice as the ABI's `u32`, aborting on (native-only) oversize slices.
fn len32(bytes: &[u8]) -> u32 {
    match u32::try_from(bytes.len()) {
        Ok(n) => n,
        Err(_) => abort("buffer longer than u32::MAX"),
    }
}

/// The current transaction's data.
pub fn block_data() -> Vec<u8> {
    // SAFETY: the buffer is exactly `len` bytes.
    unsafe {
        let len = raw::block_data_size();
        let mut buf = vec![0u8; len as usize];
        raw::block_data_copy(buf.as_mut_ptr(), 0, len);
        buf
    }
}

/// Decodes the transaction data as `T` (SCALE, no trailing bytes), aborting with `what` if
/// it does not decode.
pub fn decode_block_data<T: Decode>(what: &str) -> T {
    let data = block_data();
    match T::decode_all(&mut &data[..]) {
        Ok(v) => v,
        Err(_) => abort(what),
    }
}

/// The shard this block runs on.
pub fn shard_id() -> ShardId {
    // SAFETY: no pointers.
    ShardId(unsafe { raw::shard_id() })
}

/// Number of shards.
pub fn shard_count() -> u32 {
    // SAFETY: no pointers.
    unsafe { raw::shard_count() }
}

/// The calling EE's id.
pub fn ee_id() -> EeId {
    // SAFETY: no pointers.
    EeId(unsafe { raw::ee_id() })
}

/// The current slot.
pub fn slot() -> u64 {
    // SAFETY: no pointers.
    unsafe { raw::slot() }
}

/// Whether `ee` is registered on the beacon state.
pub fn ee_exists(ee: EeId) -> bool {
    // SAFETY: no pointers.
    unsafe { raw::ee_exists(ee.0) != 0 }
}

/// The EE's state root on this shard before this transaction.
pub fn pre_state_root() -> Root {
    let mut root = [0u8; 32];
    // SAFETY: 32 writable bytes.
    unsafe { raw::load_pre_state_root(root.as_mut_ptr()) };
    root
}

/// Sets the EE's state root on this shard (applied if the transaction succeeds).
pub fn save_post_state_root(root: &Root) {
    // SAFETY: 32 readable bytes.
    unsafe { raw::save_post_state_root(root.as_ptr()) }
}

/// Appends an output to the block's output buffer (tagged with this EE's id by the host).
pub fn print_output(data: &[u8]) {
    // SAFETY: `data` is readable for its length.
    unsafe { raw::print_output(data.as_ptr(), len32(data)) }
}

/// SCALE-encodes `value` and prints it as an output.
pub fn emit<T: Encode>(value: &T) {
    print_output(&value.encode())
}

/// Outputs `ee` printed earlier in this block (meta-EE only).
pub fn outputs_of(ee: EeId) -> Vec<Vec<u8>> {
    // SAFETY: the buffer is exactly the size the host reported.
    let encoded = unsafe {
        let len = raw::get_outputs_size(ee.0);
        let mut buf = vec![0u8; len as usize];
        raw::get_outputs_copy(ee.0, buf.as_mut_ptr(), len);
        buf
    };
    match Vec::<Vec<u8>>::decode(&mut &encoded[..]) {
        Ok(v) => v,
        Err(_) => abort("host returned malformed outputs"),
    }
}

/// Cell `shard[row].balances[column][ee]` (meta-EE only).
pub fn balance(row: ShardId, column: ShardId, ee: EeId) -> i64 {
    // SAFETY: no pointers.
    unsafe { raw::balance_get(row.0, column.0, ee.0) }
}

/// Adds `delta` to this shard's cell `balances[column][ee]` (meta-EE only).
pub fn balance_add(column: ShardId, ee: EeId, delta: i64) {
    // SAFETY: no pointers.
    unsafe { raw::balance_add(column.0, ee.0, delta) }
}

/// Recorded known minimum of `ee`'s foreign balance on this shard (meta-EE only).
pub fn known_min(ee: EeId) -> u64 {
    // SAFETY: no pointers.
    unsafe { raw::known_min_get(ee.0) }
}

/// Records a known minimum of `ee`'s foreign balance on this shard (meta-EE only).
pub fn set_known_min(ee: EeId, value: u64) {
    // SAFETY: no pointers.
    unsafe { raw::known_min_set(ee.0, value) }
}

/// Loads and verifies a multiproof (meta-EE only).
pub fn load_multiproof(proof: &[u8]) {
    // SAFETY: `proof` is readable for its length.
    unsafe { raw::multiproof_load(proof.as_ptr(), len32(proof)) }
}

/// sha256 of `data`, computed (and metered) by the host.
pub fn sha256(data: &[u8]) -> Root {
    let mut out = [0u8; 32];
    // SAFETY: `data` readable, `out` 32 writable bytes.
    unsafe { raw::sha256(data.as_ptr(), len32(data), out.as_mut_ptr()) };
    out
}

/// Writes `msg` to the host's debug log.
pub fn log(msg: &str) {
    // SAFETY: `msg` is readable for its length.
    unsafe { raw::debug_log(msg.as_ptr(), len32(msg.as_bytes())) }
}

/// Ends the transaction with `msg`: no outputs, no state change.
pub fn abort(msg: &str) -> ! {
    let len = u32::try_from(msg.len()).unwrap_or(0);
    // SAFETY: `msg` is readable for `len` bytes.
    unsafe { raw::abort(msg.as_ptr(), len) };
    // The host never returns from `abort`.
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    unreachable!("host returned from abort")
}
