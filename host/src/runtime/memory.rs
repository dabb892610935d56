//! [`GuestMemory`] over a wasmer memory view, bounds-checked before any allocation.
use crate::logic::{GuestMemory, HostError};
use wasmer::MemoryView;

/// An instance's linear memory during one host call.
pub struct WasmMemory<'v> {
    view: &'v MemoryView<'v>,
}

impl<'v> WasmMemory<'v> {
    /// Wraps a view.
    pub fn new(view: &'v MemoryView<'v>) -> Self {
        WasmMemory { view }
    }

    fn check(&self, ptr: u64, len: u64) -> Result<(), HostError> {
        match ptr.checked_add(len) {
            Some(end) if end <= self.view.data_size() => Ok(()),
            _ => Err(HostError::MemoryAccess { ptr, len }),
        }
    }
}

impl GuestMemory for WasmMemory<'_> {
    fn read(&self, ptr: u64, len: u32) -> Result<Vec<u8>, HostError> {
        self.check(ptr, u64::from(len))?;
        let mut buf = vec![0u8; len as usize];
        self.view.read(ptr, &mut buf).map_err(|_| HostError::MemoryAccess { ptr, len: u64::from(len) })?;
        Ok(buf)
    }

    fn write(&mut self, ptr: u64, data: &[u8]) -> Result<(), HostError> {
        let len = data.len() as u64;
        self.check(ptr, len)?;
        self.view.write(ptr, data).map_err(|_| HostError::MemoryAccess { ptr, len })
    }
}
