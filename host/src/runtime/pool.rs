//! Instance memories kept for reuse, so a transaction's memory does not page-fault in.
//!
//! Every transaction runs in a fresh instance, and a fresh wasm memory is a fresh
//! anonymous mapping: each 4 KiB page the EE touches costs the host a page fault (the
//! meta-EE netting 10,000 outputs touches about 440 pages, some 0.3 ms on this machine,
//! a quarter of its run). Like wasmtime's pooling allocator, the host keeps memories whose
//! instances are gone and hands them to the next instance with the same memory type,
//! already mapped:
//!
//! - **Zeroed on return.** When an instance's store drops its memory, its resident pages
//!   (found with `mincore`) are cleared with `memset` (they stay mapped; that is the
//!   point), the others are dropped with `madvise(MADV_DONTNEED)` (they read as zero,
//!   including anything swapped out), and every page the memory grew into is made
//!   inaccessible again with `mprotect(PROT_NONE)`. The next instance sees exactly what a
//!   fresh memory shows: the initial pages, all zero, and a trap beyond them; growing
//!   makes the kept pages accessible again, already mapped and zero.
//! - **Bounded.** At most [`MAX_POOLED`] memories are kept, and one whose resident pages
//!   exceed [`MAX_KEPT_RESIDENT`] is dropped entirely instead (its pages given back).
//! - **Only where it is safe.** Linux, static-style memories (reserved to the 4 GiB bound
//!   with guard pages, so a memory never moves when it grows), not shared. Anything else
//!   gets wasmer's own memory.
//!
//! Compiled code reads a memory's base and length from the instance's `VMMemoryDefinition`;
//! a pooled memory owns its own definition, so the wrapper copies it into the instance's
//! after creation and after every growth.
use std::ptr::NonNull;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmer::{MemoryStyle, MemoryType, Pages};
use wasmer_vm::{LinearMemory, MemoryError, VMMemory, VMMemoryDefinition, VMOwnedMemory};

/// Most memories kept at once.
pub const MAX_POOLED: usize = 32;
/// A memory with more resident bytes than this is not kept.
pub const MAX_KEPT_RESIDENT: usize = 4 << 20;

/// Pool entries: (initial pages, maximum pages, the memory, reset to size 0 and zeroed).
type Entry = (u32, Option<u32>, VMOwnedMemory);

static POOL: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
static REUSED: AtomicU64 = AtomicU64::new(0);

/// How many instances got a pooled memory since the process started.
pub fn reused() -> u64 {
    REUSED.load(Ordering::Relaxed)
}

/// Whether a memory of this type and style is pooled.
pub fn poolable(ty: &MemoryType, style: &MemoryStyle) -> bool {
    cfg!(target_os = "linux") && !ty.shared && matches!(style, MemoryStyle::Static)
}

/// A memory for an instance whose definition lives at `location`: one from the pool if
/// there is one of this type, else a new one.
///
/// # Safety
/// `location` must be valid for as long as the returned memory lives (wasmer's contract
/// for `Tunables::create_vm_memory`).
pub unsafe fn take(
    ty: &MemoryType,
    style: &MemoryStyle,
    location: NonNull<VMMemoryDefinition>,
) -> Result<VMMemory, MemoryError> {
    let key = (ty.minimum.0, ty.maximum.map(|m| m.0));
    let pooled = {
        let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
        pool.iter().position(|(min, max, _)| (*min, *max) == key).map(|i| pool.swap_remove(i).2)
    };
    // Back to its initial pages: reset left it at size 0 (all zero, inaccessible beyond
    // the initial pages). Should that fail, a fresh memory is made instead.
    let reused = pooled.and_then(|mut m| m.grow(ty.minimum).ok().map(|_| m));
    let inner = match reused {
        Some(m) => {
            REUSED.fetch_add(1, Ordering::Relaxed);
            m
        }
        None => VMOwnedMemory::new(ty, style)?,
    };
    let memory = Pooled { inner: Some(inner), location, initial: ty.minimum.0, maximum: key.1 };
    memory.publish();
    Ok(VMMemory::from_custom(Box::new(memory) as Box<dyn LinearMemory + Send + Sync>))
}

/// A pooled memory in use by one instance.
#[derive(Debug)]
struct Pooled {
    inner: Option<VMOwnedMemory>,
    location: NonNull<VMMemoryDefinition>,
    initial: u32,
    maximum: Option<u32>,
}

// SAFETY: `location` is the instance's definition, owned by the same store as this memory
// and only touched by the thread running that store, as wasmer's own memories do.
unsafe impl Send for Pooled {}
// SAFETY: as above; the memory is not shared (shared memories are never pooled).
unsafe impl Sync for Pooled {}

impl Pooled {
    fn inner(&self) -> &VMOwnedMemory {
        self.inner.as_ref().expect("present until dropped")
    }

    /// Copies the memory's base and length into the instance's definition.
    fn publish(&self) {
        // SAFETY: both definitions are valid (`take`'s contract; the inner one is owned);
        // the instance's is written field by field through the raw pointer, without a
        // reference to memory wasmer may not have initialised yet.
        unsafe {
            let own = self.inner().vmmemory().as_ref();
            let vm = self.location.as_ptr();
            (*vm).base = own.base;
            (*vm).current_length = own.current_length;
        }
    }
}

impl LinearMemory for Pooled {
    fn ty(&self) -> MemoryType {
        self.inner().ty()
    }

    fn size(&self) -> Pages {
        self.inner().size()
    }

    fn style(&self) -> MemoryStyle {
        self.inner().style()
    }

    fn grow(&mut self, delta: Pages) -> Result<Pages, MemoryError> {
        let grown = self.inner.as_mut().expect("present until dropped").grow(delta);
        self.publish();
        grown
    }

    fn vmmemory(&self) -> NonNull<VMMemoryDefinition> {
        self.location
    }

    fn try_clone(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        Err(MemoryError::MemoryNotShared)
    }

    fn copy(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        Err(MemoryError::UnsupportedOperation { message: "a pooled memory is not copied".into() })
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(mut inner) = self.inner.take() else { return };
        if POOL.lock().unwrap_or_else(|e| e.into_inner()).len() >= MAX_POOLED {
            return; // Full: no point clearing it.
        }
        // SAFETY: the definition is the memory's own; nothing else uses it any more.
        let (base, len) = unsafe {
            let d = inner.vmmemory().as_ref();
            (d.base, d.current_length)
        };
        let initial = Pages(self.initial).bytes().0.min(len);
        // SAFETY: `[base, base + len)` is the memory's accessible range and nothing runs on
        // it any more.
        let kept = unsafe { clear(base, initial, len) };
        if !kept || inner.reset().is_err() {
            return;
        }
        let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < MAX_POOLED {
            pool.push((self.initial, self.maximum, inner));
        }
    }
}

/// Zeroes `[base, base + len)`, keeping its resident pages mapped and dropping the others,
/// then makes `[base + initial, base + len)` inaccessible again. False if the memory should
/// not be kept (too much resident, or a call failed: then it is simply unmapped by its own
/// drop).
///
/// # Safety
/// `[base, base + len)` must be a mapping this memory owns, unused by anyone else.
#[cfg(target_os = "linux")]
unsafe fn clear(base: *mut u8, initial: usize, len: usize) -> bool {
    // SAFETY: sysconf has no preconditions.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    if ![base as usize, initial, len].iter().all(|n| n.is_multiple_of(page)) {
        return false;
    }
    // SAFETY (all calls below): the ranges lie within the caller's mapping.
    unsafe {
        let pages = len / page;
        let mut resident = vec![0u8; pages];
        if libc::mincore(base.cast(), len, resident.as_mut_ptr()) != 0 {
            return false;
        }
        if resident.iter().filter(|&&r| r & 1 != 0).count() * page > MAX_KEPT_RESIDENT {
            return false;
        }
        let mut i = 0;
        while i < pages {
            let on = resident[i] & 1 != 0;
            let start = i;
            while i < pages && (resident[i] & 1 != 0) == on {
                i += 1;
            }
            let (at, n) = (base.add(start * page), (i - start) * page);
            if on {
                std::ptr::write_bytes(at, 0, n);
            } else if libc::madvise(at.cast(), n, libc::MADV_DONTNEED) != 0 {
                return false;
            }
        }
        if len > initial && libc::mprotect(base.add(initial).cast(), len - initial, libc::PROT_NONE) != 0 {
            return false;
        }
    }
    true
}

#[cfg(not(target_os = "linux"))]
unsafe fn clear(_: *mut u8, _: usize, _: usize) -> bool {
    false
}
