//! Safe API over the [raw imports](crate::raw).
//!
//! Every function here is a thin, checked wrapper: buffers are sized by the host's own
//! answer, and a failing host call ends the transaction (a trap on wasm, an unwind in the
//! native backend) instead of returning garbage.
use crate::raw;
use crate::types::{DepositReceipt, EeId, NettingOutput, Root, ShardId, SpawnStatus};
use alloc::vec::Vec;
use parity_scale_codec::{Decode, DecodeAll, Encode};

/// Length of a slice as the ABI's `u32`, aborting on (native-only) oversize slices.
pub(crate) fn len32(bytes: &[u8]) -> u32 {
    match u32::try_from(bytes.len()) {
        Ok(n) => n,
        Err(_) => abort("buffer longer than u32::MAX"),
    }
}

/// The ABI's size-then-copy protocol: the host reports how many bytes it has (`size`),
/// then `copy(dst, len)` writes exactly that many into a buffer of that size.
///
/// The buffer is not zeroed first (that `memset` was 5 % of the meta-EE's gas): the host
/// fills all of it.
///
/// # Safety
/// `copy` must write exactly `len` bytes at `dst` or not return (every host `*_copy`
/// function checks that `len` is the size it reported and copies that many bytes, and
/// traps — or, natively, ends the transaction — otherwise).
pub(crate) unsafe fn host_bytes(size: u32, copy: impl FnOnce(*mut u8, u32)) -> Vec<u8> {
    let mut buf: Vec<u8> = Vec::with_capacity(size as usize);
    copy(buf.as_mut_ptr(), size);
    // SAFETY: `copy` returned, so it wrote all `size` bytes (the caller's contract).
    unsafe { buf.set_len(size as usize) };
    buf
}

/// The current transaction's data.
pub fn block_data() -> Vec<u8> {
    // SAFETY: the host writes exactly the size it reported.
    unsafe { host_bytes(raw::block_data_size(), |dst, len| raw::block_data_copy(dst, 0, len)) }
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

/// The outputs one EE printed earlier in the block: the host's SCALE `Vec<Vec<u8>>`
/// buffer, indexed without copying each output.
pub struct Outputs {
    buf: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

impl Outputs {
    /// Indexes a SCALE-encoded `Vec<Vec<u8>>`; `None` if it is malformed.
    pub fn parse(buf: Vec<u8>) -> Option<Outputs> {
        let (count, mut at) = compact_u32(&buf, 0)?;
        let count = count as usize;
        let mut spans = Vec::with_capacity(count.min(buf.len()));
        for _ in 0..count {
            let (len, start) = compact_u32(&buf, at)?;
            let end = start.checked_add(len as usize).filter(|&e| e <= buf.len())?;
            spans.push((start, end));
            at = end;
        }
        (at == buf.len()).then_some(Outputs { buf, spans })
    }

    /// Number of outputs.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Output `i`.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.spans.get(i).map(|&(a, b)| &self.buf[a..b])
    }

    /// All outputs, in print order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.spans.iter().map(|&(a, b)| &self.buf[a..b])
    }
}

/// The SCALE `Compact<u32>` at `bytes[at..]` and the position after it; `None` where the
/// codec's decoder fails (too short, non-canonical, or over `u32`). Read in place: the
/// codec's decoder reads byte by byte through its `Input` trait, which was 7 % of the
/// meta-EE's gas indexing 10,000 outputs.
fn compact_u32(bytes: &[u8], at: usize) -> Option<(u32, usize)> {
    let rest = bytes.get(at..)?;
    let first = *rest.first()?;
    // `n` little-endian bytes from `from`, zero-extended.
    let word = |from: usize, n: usize| -> Option<u32> {
        let mut w = [0u8; 4];
        w[..n].copy_from_slice(rest.get(from..from + n)?);
        Some(u32::from_le_bytes(w))
    };
    // The low two bits say how many bytes follow; each mode must be the shortest form.
    let (value, len, least) = match first & 0b11 {
        0b00 => (u32::from(first >> 2), 1, 0),
        0b01 => (word(0, 2)? >> 2, 2, 1 << 6),
        0b10 => (word(0, 4)? >> 2, 4, 1 << 14),
        // Big-integer mode: `first >> 2` extra bytes past four; a `u32` has none.
        _ if first >> 2 == 0 => (word(1, 4)?, 5, 1 << 30),
        _ => return None,
    };
    (value >= least).then_some((value, at + len))
}

/// Outputs `ee` printed earlier in this block (meta-EE only).
pub fn outputs_of(ee: EeId) -> Outputs {
    // SAFETY: the host writes exactly the size it reported.
    let encoded =
        unsafe { host_bytes(raw::get_outputs_size(ee.0), |dst, len| raw::get_outputs_copy(ee.0, dst, len)) };
    match Outputs::parse(encoded) {
        Some(v) => v,
        None => abort("host returned malformed outputs"),
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

/// The chain's netting rules (meta-EE only); aborts if the host's bytes do not decode.
pub fn netting_rules() -> crate::NettingRules {
    let mut raw_rules = [0u8; crate::NETTING_RULES_LEN];
    // SAFETY: 32 writable bytes.
    unsafe { raw::netting_rules(raw_rules.as_mut_ptr()) };
    match crate::NettingRules::decode(&mut &raw_rules[..]) {
        Ok(rules) => rules,
        Err(_) => abort("malformed netting rules"),
    }
}

/// `ee`'s reserve on this shard (meta-EE only).
pub fn reserve(ee: EeId) -> u64 {
    // SAFETY: no pointers.
    unsafe { raw::reserve_get(ee.0) }
}

/// Sets `ee`'s reserve on this shard (meta-EE only).
pub fn set_reserve(ee: EeId, value: u64) {
    // SAFETY: no pointers.
    unsafe { raw::reserve_set(ee.0, value) }
}

/// What shard `row` added to cell `balances[column][ee]` in the previous slot (meta-EE only).
pub fn recent(row: ShardId, column: ShardId, ee: EeId) -> u64 {
    // SAFETY: no pointers.
    unsafe { raw::recent_get(row.0, column.0, ee.0) }
}

/// Records that this shard's cell `balances[column][ee]` received `amount` in this slot
/// (meta-EE only).
pub fn add_recent(column: ShardId, ee: EeId, amount: u64) {
    // SAFETY: no pointers.
    unsafe { raw::recent_add(column.0, ee.0, amount) }
}

/// Loads and verifies a multiproof (meta-EE only).
pub fn load_multiproof(proof: &[u8]) {
    // SAFETY: `proof` is readable for its length.
    unsafe { raw::multiproof_load(proof.as_ptr(), len32(proof)) }
}

/// Records an accepted output's data root (meta-EE only).
pub fn netted_add(target_shard: ShardId, target_ee: EeId, root: &Root, amount: u64) {
    // SAFETY: 32 readable bytes.
    unsafe { raw::netted_add(target_shard.0, target_ee.0, root.as_ptr(), amount) }
}

/// What the meta-EE on `shard` netted towards `(this shard, ee)` for `root`.
pub fn netted_get(shard: ShardId, ee: EeId, root: &Root) -> u64 {
    // SAFETY: 32 readable bytes.
    unsafe { raw::netted_get(shard.0, ee.0, root.as_ptr()) }
}

/// Claims beacon deposit receipt `index` for this EE (credits its matrix cell) and returns
/// it; `None` if there is no such receipt. The host refuses (ends the transaction) a
/// receipt for another shard or EE, or one already claimed.
pub fn deposit_claim(index: u64) -> Option<DepositReceipt> {
    // SAFETY: no pointers.
    let size = unsafe { raw::deposit_size(index) };
    if size == 0 {
        return None;
    }
    // SAFETY: the host writes exactly the size it reported.
    let bytes = unsafe { host_bytes(size, |dst, len| raw::deposit_claim(index, dst, len)) };
    match DepositReceipt::decode_all(&mut &bytes[..]) {
        Ok(r) => Some(r),
        Err(_) => abort("host returned a malformed deposit receipt"),
    }
}

/// Calls EE `ee` synchronously with `input`; returns its return data.
pub fn call_ee(ee: EeId, input: &[u8]) -> Vec<u8> {
    // SAFETY: `input` is readable for its length; the host writes exactly the size it
    // reported.
    unsafe {
        host_bytes(raw::call_ee(ee.0, input.as_ptr(), len32(input)), |dst, len| {
            raw::return_data_copy(dst, len)
        })
    }
}

/// Runs `code` as a child instance with `input` as its data and at most `gas` gas (0: all
/// that is left); its return data, or why it failed.
pub fn spawn(code: &[u8], input: &[u8], gas: u64) -> Result<Vec<u8>, SpawnStatus> {
    // SAFETY: `code` and `input` are readable for their lengths.
    let code = unsafe { raw::spawn(code.as_ptr(), len32(code), input.as_ptr(), len32(input), gas) };
    match SpawnStatus::from_code(code) {
        Some(SpawnStatus::Ok) => {
            // SAFETY: the host writes exactly the size it reported.
            Ok(unsafe { host_bytes(raw::return_data_size(), |dst, len| raw::return_data_copy(dst, len)) })
        }
        Some(status) => Err(status),
        None => abort("host returned an unknown spawn status"),
    }
}

/// The EE that called this one through `call_ee`, if any.
pub fn caller_ee() -> Option<EeId> {
    // SAFETY: no pointers.
    match unsafe { raw::caller_ee() } {
        u32::MAX => None,
        e => Some(EeId(e)),
    }
}

/// Sets this call's return data.
pub fn set_return_data(data: &[u8]) {
    // SAFETY: `data` is readable for its length.
    unsafe { raw::set_return_data(data.as_ptr(), len32(data)) }
}

/// Whether `signature` is `pubkey`'s BLS12-381 signature of `msg` (Eth2's PoP scheme),
/// verified by the host.
pub fn bls_verify(pubkey: &[u8], msg: &[u8], signature: &[u8]) -> bool {
    // SAFETY: all three are readable for their lengths.
    unsafe {
        raw::bls_verify(
            pubkey.as_ptr(),
            len32(pubkey),
            msg.as_ptr(),
            len32(msg),
            signature.as_ptr(),
            len32(signature),
        ) == 1
    }
}

/// sha256 of `data`, computed (and metered) by the host.
pub fn sha256(data: &[u8]) -> Root {
    let mut out = [0u8; 32];
    // SAFETY: `data` readable, `out` 32 writable bytes.
    unsafe { raw::sha256(data.as_ptr(), len32(data), out.as_mut_ptr()) };
    out
}

/// How many outputs of `source` carrying `root` the meta-EE on `shard` accepted towards
/// this EE on this shard (see the ABI table's `message_count`).
pub fn message_count(shard: ShardId, source: EeId, root: &Root) -> u64 {
    // SAFETY: `root` is 32 readable bytes.
    unsafe { raw::message_count(shard.0, source.0, root.as_ptr()) }
}

/// Records an accepted output of `source` towards `(target_shard, target_ee)` with `root`
/// (meta-EE only).
pub fn message_add(target_shard: ShardId, target_ee: EeId, source: EeId, root: &Root) {
    // SAFETY: `root` is 32 readable bytes.
    unsafe { raw::message_add(target_shard.0, target_ee.0, source.0, root.as_ptr()) }
}

/// Number of transactions included in this block before the current one (lookback).
pub fn lookback_count() -> u32 {
    // SAFETY: no pointers.
    unsafe { raw::lookback_count() }
}

/// The hash of the block's transaction number `index` (lookback), or `None` if the block
/// had no such transaction before this one.
pub fn lookback_hash(index: u32) -> Option<Root> {
    if index >= lookback_count() {
        return None;
    }
    let mut out = [0u8; 32];
    // SAFETY: `out` is 32 writable bytes; `index` is in range.
    unsafe { raw::lookback_hash(index, out.as_mut_ptr()) };
    Some(out)
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

/// What an EE's logic needs from its host, as a trait: implemented by [`HostEnv`] (the
/// real host functions — on wasm32 the imports, natively the `ee-host` test backend) and by
/// clients that run an EE's state transition off-chain to build its transactions (e.g. the
/// VHEE's client, which answers from what it knows of the chain). Writing an EE's logic
/// against `Env` lets the EE and its client run the same code.
pub trait Env {
    /// The shard this block runs on.
    fn shard_id(&self) -> ShardId;
    /// Number of shards.
    fn shard_count(&self) -> u32;
    /// The running EE's id.
    fn ee_id(&self) -> EeId;
    /// The EE that called this one through `call_ee`, if any.
    fn caller_ee(&self) -> Option<EeId>;
    /// Whether `ee` is registered on the beacon state.
    fn ee_exists(&mut self, ee: EeId) -> bool;
    /// sha256 of `data`.
    fn sha256(&mut self, data: &[u8]) -> Root;
    /// Whether `signature` is `pubkey`'s BLS12-381 signature of `msg` (Eth2's PoP scheme).
    fn bls_verify(&mut self, pubkey: &[u8], msg: &[u8], signature: &[u8]) -> bool;
    /// What the meta-EE on `shard` netted towards `(this shard, ee)` for `root`.
    fn netted_get(&mut self, shard: ShardId, ee: EeId, root: &Root) -> u64;
    /// Claims beacon deposit receipt `index` for this EE; `None` if there is none.
    fn deposit_claim(&mut self, index: u64) -> Option<DepositReceipt>;
    /// Appends an output to the block's output buffer.
    fn print_output(&mut self, data: &[u8]);
    /// Sets this call's return data.
    fn set_return_data(&mut self, data: &[u8]);
    /// How many outputs of `source` carrying `root` the meta-EE on `shard` accepted
    /// towards this EE on this shard.
    fn message_count(&mut self, shard: ShardId, source: EeId, root: &Root) -> u64;
    /// Number of transactions included in this block before the current one.
    fn lookback_count(&mut self) -> u32;
    /// The hash of the block's transaction number `index`, if it came before this one.
    fn lookback_hash(&mut self, index: u32) -> Option<Root>;
    /// Runs `code` as a child instance with `input` and at most `gas` gas (0: all that is
    /// left): its return data, or why it failed (wasm-spawning-wasm).
    fn spawn(&mut self, code: &[u8], input: &[u8], gas: u64) -> Result<Vec<u8>, SpawnStatus>;
    /// SCALE-encodes a netting output and prints it.
    fn emit(&mut self, output: &NettingOutput) {
        self.print_output(&output.encode())
    }
}

/// [`Env`] over the real host functions of this module.
#[derive(Clone, Copy, Debug, Default)]
pub struct HostEnv;

impl Env for HostEnv {
    fn shard_id(&self) -> ShardId {
        shard_id()
    }
    fn shard_count(&self) -> u32 {
        shard_count()
    }
    fn ee_id(&self) -> EeId {
        ee_id()
    }
    fn caller_ee(&self) -> Option<EeId> {
        caller_ee()
    }
    fn ee_exists(&mut self, ee: EeId) -> bool {
        ee_exists(ee)
    }
    fn sha256(&mut self, data: &[u8]) -> Root {
        sha256(data)
    }
    fn bls_verify(&mut self, pubkey: &[u8], msg: &[u8], signature: &[u8]) -> bool {
        bls_verify(pubkey, msg, signature)
    }
    fn netted_get(&mut self, shard: ShardId, ee: EeId, root: &Root) -> u64 {
        netted_get(shard, ee, root)
    }
    fn deposit_claim(&mut self, index: u64) -> Option<DepositReceipt> {
        deposit_claim(index)
    }
    fn print_output(&mut self, data: &[u8]) {
        print_output(data)
    }
    fn set_return_data(&mut self, data: &[u8]) {
        set_return_data(data)
    }
    fn message_count(&mut self, shard: ShardId, source: EeId, root: &Root) -> u64 {
        message_count(shard, source, root)
    }
    fn lookback_count(&mut self) -> u32 {
        lookback_count()
    }
    fn lookback_hash(&mut self, index: u32) -> Option<Root> {
        lookback_hash(index)
    }
    fn spawn(&mut self, code: &[u8], input: &[u8], gas: u64) -> Result<Vec<u8>, SpawnStatus> {
        spawn(code, input, gas)
    }
}

#[cfg(test)]
mod tests {
    use super::Outputs;
    use alloc::vec;
    use alloc::vec::Vec;
    use parity_scale_codec::Encode;

    #[test]
    fn outputs_index_a_scale_vec_of_vecs() {
        let items: Vec<Vec<u8>> = vec![vec![1, 2, 3], vec![], vec![9; 70]];
        let o = Outputs::parse(items.encode()).unwrap();
        assert_eq!(o.len(), 3);
        assert_eq!(o.iter().collect::<Vec<_>>(), vec![&[1u8, 2, 3][..], &[][..], &[9u8; 70][..]]);
        assert_eq!(o.get(3), None);
        assert!(Outputs::parse(Vec::<Vec<u8>>::new().encode()).unwrap().is_empty());
    }

    proptest::proptest! {
        /// The in-place reader answers as the codec's `Compact<u32>` decoder for any
        /// bytes at any offset: encodings of any value, then noise.
        #[test]
        fn compact_reads_as_the_codec_decodes(
            value in proptest::prelude::any::<u32>(),
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..8),
            at in 0usize..3,
        ) {
            let encoded = parity_scale_codec::Compact(value).encode();
            proptest::prop_assert_eq!(super::compact_u32(&encoded, 0), Some((value, encoded.len())));
            for bytes in [&encoded[..], &noise[..], &[&noise[..], &encoded[..]].concat()[..]] {
                let expected = bytes.get(at..).and_then(|mut input| {
                    let before = input.len();
                    let v = <parity_scale_codec::Compact<u32> as parity_scale_codec::Decode>::decode(&mut input).ok()?;
                    Some((v.0, at + before - input.len()))
                });
                proptest::prop_assert_eq!(super::compact_u32(bytes, at), expected, "{:?} at {}", bytes, at);
            }
        }
    }

    #[test]
    fn malformed_output_buffers_are_refused() {
        let good = vec![vec![1u8, 2, 3]].encode();
        assert!(Outputs::parse(good[..good.len() - 1].to_vec()).is_none(), "truncated");
        let mut extra = good.clone();
        extra.push(0);
        assert!(Outputs::parse(extra).is_none(), "trailing bytes");
        assert!(Outputs::parse(vec![]).is_none(), "empty");
        assert!(Outputs::parse(vec![0xfe, 0xff, 0xff, 0xff]).is_none(), "huge count");
    }
}
