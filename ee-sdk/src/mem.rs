//! `memcpy`, `memmove` and `memset` for EEs: small word-wise loops that replace
//! compiler_builtins' weak definitions (2.6 kB of the meta-EE's wasm).
//!
//! wasm allows unaligned loads and stores, so the loops move 8-byte words whatever the
//! alignment and finish byte by byte: one metered basic block per 8 bytes. They are not
//! `memory.copy`/`memory.fill`: bulk memory is not part of the EE target (`wasm32v1-none`),
//! and one instruction of unbounded work would escape per-instruction gas.
//!
//! The byte loops and the fill go through `read_volatile`/`write_volatile` (plain loads and
//! stores in wasm) so that LLVM cannot recognise them as a copy or a fill and compile them
//! back into a call of the function they implement; the word copies are unaligned `u64`
//! loads and stores, which it does not rewrite either (were that to change, every EE would
//! recurse on its first copy and every wasm test would fail). The loops are compiled on
//! every target so the native tests check them; only wasm32 EEs export the C names.

/// Copies `n` bytes from `src` to `dst` where the ranges may overlap (C's `memmove`).
///
/// # Safety
/// `src` readable and `dst` writable for `n` bytes.
pub(crate) unsafe fn move_bytes(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY (both loops): the indices stay below `n`, inside the caller's ranges.
    unsafe {
        if (dst as usize).wrapping_sub(src as usize) >= n {
            // `dst` below `src` or not inside `src..src + n`: copying upwards reads every
            // byte before it is overwritten.
            let mut i = 0;
            while n - i >= 8 {
                let word = core::ptr::read_unaligned(src.add(i) as *const u64);
                core::ptr::write_unaligned(dst.add(i) as *mut u64, word);
                i += 8;
            }
            while i < n {
                core::ptr::write_volatile(dst.add(i), core::ptr::read_volatile(src.add(i)));
                i += 1;
            }
        } else {
            // `dst` inside `src..src + n`: copy from the top down.
            let mut i = n;
            while i >= 8 {
                i -= 8;
                let word = core::ptr::read_unaligned(src.add(i) as *const u64);
                core::ptr::write_unaligned(dst.add(i) as *mut u64, word);
            }
            while i > 0 {
                i -= 1;
                core::ptr::write_volatile(dst.add(i), core::ptr::read_volatile(src.add(i)));
            }
        }
    }
}

/// Sets `n` bytes at `dst` to `byte` (C's `memset`): bytes up to an 8-byte boundary, then
/// aligned words, then bytes.
///
/// # Safety
/// `dst` writable for `n` bytes.
pub(crate) unsafe fn fill_bytes(dst: *mut u8, byte: u8, n: usize) {
    let word = u64::from_ne_bytes([byte; 8]);
    let mut i = 0;
    // SAFETY: the indices stay below `n`, inside the caller's range; the word stores are
    // at 8-byte-aligned addresses.
    unsafe {
        while i < n && !(dst.add(i) as usize).is_multiple_of(8) {
            core::ptr::write_volatile(dst.add(i), byte);
            i += 1;
        }
        while n - i >= 8 {
            core::ptr::write_volatile(dst.add(i) as *mut u64, word);
            i += 8;
        }
        while i < n {
            core::ptr::write_volatile(dst.add(i), byte);
            i += 1;
        }
    }
}

/// The C symbols, on EE targets only (natively the platform's libc keeps its own).
#[cfg(all(target_arch = "wasm32", target_os = "none", feature = "runtime"))]
mod symbols {
    /// C's `memcpy`: one body with `memmove`, which copies non-overlapping ranges upwards at
    /// the cost of one comparison.
    ///
    /// # Safety
    /// As C's: `src` readable and `dst` writable for `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the caller's contract, which is stronger than `memmove`'s.
        unsafe { memmove(dst, src, n) }
    }

    /// C's `memmove`.
    ///
    /// # Safety
    /// As C's: `src` readable and `dst` writable for `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the caller's contract.
        unsafe { super::move_bytes(dst, src, n) };
        dst
    }

    /// C's `memset`: the low byte of `c`.
    ///
    /// # Safety
    /// As C's: `dst` writable for `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
        // SAFETY: the caller's contract.
        unsafe { super::fill_bytes(dst, c as u8, n) };
        dst
    }
}

#[cfg(test)]
mod tests {
    use super::{fill_bytes, move_bytes};
    use proptest::prelude::*;

    proptest! {
        /// Any copy within one buffer, overlapping either way or not at all, with any
        /// length and alignment, equals `core::ptr::copy`'s.
        #[test]
        fn moves_as_ptr_copy_does(
            buf in proptest::collection::vec(any::<u8>(), 0..80),
            from in 0usize..80, to in 0usize..80, len in 0usize..80,
        ) {
            let len = len.min(buf.len().saturating_sub(from.max(to)));
            let (from, to) = (from.min(buf.len()), to.min(buf.len()));
            let mut expected = buf.clone();
            let mut got = buf;
            // SAFETY: from + len and to + len are within the buffers.
            unsafe {
                core::ptr::copy(expected.as_ptr().add(from), expected.as_mut_ptr().add(to), len);
                let p = got.as_mut_ptr();
                move_bytes(p.add(to), p.add(from), len);
            }
            prop_assert_eq!(got, expected);
        }

        /// A fill sets exactly its range.
        #[test]
        fn fills_exactly_the_range(len in 0usize..40, at in 0usize..40, n in 0usize..40, byte in any::<u8>()) {
            let mut buf = vec![0xA5u8; len + at + n];
            // SAFETY: at + n is within the buffer.
            unsafe { fill_bytes(buf.as_mut_ptr().add(at), byte, n) };
            for (i, b) in buf.iter().enumerate() {
                prop_assert_eq!(*b, if (at..at + n).contains(&i) { byte } else { 0xA5 });
            }
        }
    }
}
