//! The host ABI as the host sees it: the SDK's table ([`ee_sdk::for_each_host_fn!`]) with
//! the host side of each parameter kind.
//!
//! [`HostFn`] (from the SDK) is the gas cost key and the identity of every host function;
//! [`HostFn::lookup`] is the allowed-import check; [`docs::markdown`] renders the reference.
//! [`HostKind`] is the host's half of the kind vocabulary: for every kind of
//! [`ee_sdk::abi::kinds`], the type the host logic takes, the wasm value type the linker
//! receives, how a native-backend argument converts, and how many bytes a call is metered
//! for. The logic dispatch (`logic`), the wasmer linker (`runtime::imports`) and the native
//! backend (`native`) expand the same table through these traits, so none of them keeps a
//! map of kinds of its own.
pub mod docs;

pub use ee_sdk::abi::{GuestKind, HostFn, HostGas, Kind, MODULE, Role, WasmType, kinds};

use kinds::*;

/// The host's side of an ABI parameter kind.
pub trait HostKind: GuestKind {
    /// The type the host logic takes (guest addresses are `u64`).
    type Host: Copy;
    /// The Rust type of the wasm value the linker receives.
    type Wasm: Copy;
    /// Converts a wasm argument.
    fn from_wasm(v: Self::Wasm) -> Self::Host;
    /// Converts a native-backend argument (a real pointer becomes its address).
    fn from_guest(v: Self::Guest) -> Self::Host;
    /// Bytes a call is metered for by this argument: the value of a `Len`, 32 for an
    /// `In32`/`Out32`, else 0.
    fn metered(_v: Self::Host) -> u64 {
        0
    }
}

/// A kind a host function may return: a plain value, the same on every side. Only these
/// implement it, so a table entry returning a pointer does not compile.
pub trait ResultKind: HostKind {
    /// The logic's result as the wasm function's result.
    fn to_wasm(v: Self::Host) -> Self::Wasm;
    /// The logic's result as the native import's result.
    fn to_guest(v: Self::Host) -> Self::Guest;
}

macro_rules! pointer_kind {
    ($($k:ident metered $bytes:expr;)*) => {$(
        impl HostKind for $k {
            type Host = u64;
            type Wasm = u32;
            fn from_wasm(v: u32) -> u64 {
                u64::from(v)
            }
            fn from_guest(v: Self::Guest) -> u64 {
                v as usize as u64
            }
            fn metered(_v: u64) -> u64 {
                $bytes
            }
        }
    )*};
}

pointer_kind! {
    InPtr metered 0;
    OutPtr metered 0;
    In32 metered 32;
    Out32 metered 32;
}

macro_rules! value_kind {
    ($($k:ident: $t:ty;)*) => {$(
        impl HostKind for $k {
            type Host = $t;
            type Wasm = $t;
            fn from_wasm(v: $t) -> $t {
                v
            }
            fn from_guest(v: $t) -> $t {
                v
            }
        }
        impl ResultKind for $k {
            fn to_wasm(v: $t) -> $t {
                v
            }
            fn to_guest(v: $t) -> $t {
                v
            }
        }
    )*};
}

value_kind! {
    U32: u32;
    U64: u64;
    I64: i64;
    Unit: ();
}

impl HostKind for Len {
    type Host = u32;
    type Wasm = u32;
    fn from_wasm(v: u32) -> u32 {
        v
    }
    fn from_guest(v: u32) -> u32 {
        v
    }
    fn metered(v: u32) -> u64 {
        u64::from(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metering_counts_lengths_and_fixed_32_byte_buffers() {
        assert_eq!(<Len as HostKind>::metered(1000), 1000);
        assert_eq!(<In32 as HostKind>::metered(0x1234), 32);
        assert_eq!(<Out32 as HostKind>::metered(0), 32);
        assert_eq!(<InPtr as HostKind>::metered(0x1234), 0);
        assert_eq!(<U64 as HostKind>::metered(u64::MAX), 0);
    }

    #[test]
    fn wasm_pointers_become_guest_addresses() {
        assert_eq!(<OutPtr as HostKind>::from_wasm(u32::MAX), u64::from(u32::MAX));
        assert_eq!(<I64 as HostKind>::from_wasm(-5), -5);
    }
}
