//! wasm32 runtime pieces: a bump allocator and a panic handler.
//!
//! EEs run once per transaction in a fresh instance, so memory is never reused and a bump
//! allocator (no free) is both the smallest and the fastest choice.
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

const PAGE: usize = 65_536;

/// Never-freeing allocator growing wasm memory on demand.
struct Bump {
    next: UnsafeCell<usize>,
    end: UnsafeCell<usize>,
}

// SAFETY: wasm32v1-none is single-threaded.
unsafe impl Sync for Bump {}

unsafe extern "C" {
    static __heap_base: u8;
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded; the cells are only touched here.
        unsafe {
            let next = &mut *self.next.get();
            let end = &mut *self.end.get();
            if *next == 0 {
                *next = &__heap_base as *const u8 as usize;
                *end = core::arch::wasm32::memory_size(0) * PAGE;
            }
            let start = (*next + layout.align() - 1) & !(layout.align() - 1);
            let Some(new_next) = start.checked_add(layout.size()) else {
                return core::ptr::null_mut();
            };
            if new_next > *end {
                let pages = (new_next - *end).div_ceil(PAGE);
                if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                    return core::ptr::null_mut();
                }
                *end += pages * PAGE;
            }
            *next = new_next;
            start as *mut u8
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static ALLOC: Bump = Bump { next: UnsafeCell::new(0), end: UnsafeCell::new(0) };

/// Aborts the transaction with "panic" — or, with the `panic-location` feature
/// (`ee build --panic-locations`), "panic at <file>:<line>". Never `core::fmt`, to keep EEs
/// small; without the feature no panic location reaches the binary either (every panic
/// site's file name and line cost the meta-EE ~2 kB).
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    #[cfg(feature = "panic-location")]
    {
        let mut buf = [0u8; 160];
        let mut n = 0;
        let mut push = |bytes: &[u8]| {
            for &b in bytes {
                if n < buf.len() {
                    // ASCII only, so the message is UTF-8 without a validation pass (whose
                    // code and tables cost the EE ~0.2 kB).
                    buf[n] = if b.is_ascii() { b } else { b'?' };
                    n += 1;
                }
            }
        };
        push(b"panic");
        if let Some(loc) = info.location() {
            push(b" at ");
            push(loc.file().as_bytes());
            push(b":");
            let mut digits = [0u8; 10];
            let mut line = loc.line();
            let mut i = digits.len();
            loop {
                i -= 1;
                digits[i] = b'0' + (line % 10) as u8;
                line /= 10;
                if line == 0 {
                    break;
                }
            }
            push(&digits[i..]);
        }
        // SAFETY: every byte pushed is ASCII.
        let msg = unsafe { core::str::from_utf8_unchecked(&buf[..n]) };
        crate::env::abort(msg)
    }
    #[cfg(not(feature = "panic-location"))]
    {
        let _ = info;
        crate::env::abort("panic")
    }
}
