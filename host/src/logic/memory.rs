//! Access to the calling EE's memory, abstracted so one host logic serves both the wasmer
//! runtime (bounds-checked linear memory) and the native test backend.
use super::HostError;

/// An EE's memory as seen by a host function. Addresses are guest addresses.
pub trait GuestMemory {
    /// Reads `len` bytes at `ptr`; `MemoryAccess` if any byte is out of bounds.
    fn read(&self, ptr: u64, len: u32) -> Result<Vec<u8>, HostError>;
    /// Writes `data` at `ptr`; `MemoryAccess` if any byte is out of bounds.
    fn write(&mut self, ptr: u64, data: &[u8]) -> Result<(), HostError>;
    /// Reads exactly 32 bytes.
    fn read32(&self, ptr: u64) -> Result<[u8; 32], HostError> {
        let v = self.read(ptr, 32)?;
        Ok(v.try_into().expect("read returned 32 bytes"))
    }
}

/// The host side of the ABI's size-then-copy protocol: the EE asked for `len` bytes at
/// `dst` after the host reported `bytes.len()`; anything else is `CopyLength`, naming
/// `function`.
pub(super) fn copy_exact(
    function: crate::abi::HostFn,
    mem: &mut dyn GuestMemory,
    dst: u64,
    len: u32,
    bytes: &[u8],
) -> Result<(), HostError> {
    if bytes.len() != len as usize {
        return Err(HostError::CopyLength { function, expected: bytes.len(), got: len });
    }
    mem.write(dst, bytes)
}
