//! The host ABI as the host sees it, generated from [`ee_sdk::for_each_host_fn!`].
//!
//! [`HostFn`] is the gas cost key and the identity of every host function; [`HostFn::lookup`]
//! is the allowed-import check; [`docs::markdown`] renders the reference. The wasmer linker
//! (`runtime::imports`) and the native backend (`native`) expand the same table, so none of
//! these can drift from the SDK's imports.
pub mod docs;

use serde::Serialize;
use std::fmt;

/// The role an EE plays; decides which host functions it may import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// An ordinary execution environment.
    Ee,
    /// The netting meta-EE (runs last in every block; reads outputs, writes balances).
    Meta,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Ee => "ee",
            Role::Meta => "meta",
        })
    }
}

/// ABI parameter/result kinds (see `ee_sdk::abi`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// Pointer to input bytes (length in a following `Len`).
    InPtr,
    /// Pointer to output bytes (length in a following `Len`).
    OutPtr,
    /// Metered byte count.
    Len,
    /// Pointer to 32 input bytes.
    In32,
    /// Pointer to 32 output bytes.
    Out32,
    /// `u32` (wasm i32).
    U32,
    /// `u64` (wasm i64).
    U64,
    /// `i64` (wasm i64).
    I64,
}

impl Kind {
    /// The wasm value type of this kind (`i32` or `i64`).
    pub fn wasm_type(self) -> &'static str {
        match self {
            Kind::U64 | Kind::I64 => "i64",
            _ => "i32",
        }
    }
}

/// Default price of a host function: `base + per_byte × metered bytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct HostGas {
    /// Charged on every call.
    pub base: u64,
    /// Charged per metered byte (`Len` arguments, 32 per `In32`/`Out32`).
    pub per_byte: u64,
}

macro_rules! define_host_fns {
    ($(
        $(#[doc = $doc:literal])*
        module $module:literal fn $name:ident ( $($p:ident : $k:ident),* ) $(-> $r:ident)? ;
        roles($($role:ident),*) gas($base:literal, $per:literal)
        aliases[$(($am:literal, $an:literal)),*] ;
    )*) => {
        /// Every host function of the ABI table; also the host-call gas cost key.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum HostFn {
            $(
                $(#[doc = $doc])*
                $name,
            )*
        }

        impl HostFn {
            /// All host functions, in table order.
            pub const ALL: &'static [HostFn] = &[$(HostFn::$name),*];

            /// The function's import name in its primary module.
            pub fn name(self) -> &'static str {
                match self { $(HostFn::$name => stringify!($name),)* }
            }

            /// The function's primary import module.
            pub fn module(self) -> &'static str {
                match self { $(HostFn::$name => $module,)* }
            }

            /// Further `(module, name)` pairs the function is importable under.
            pub fn aliases(self) -> &'static [(&'static str, &'static str)] {
                match self { $(HostFn::$name => &[$(($am, $an)),*],)* }
            }

            /// Roles allowed to import the function.
            pub fn roles(self) -> &'static [Role] {
                match self { $(HostFn::$name => &[$(Role::$role),*],)* }
            }

            /// Default gas price from the ABI table.
            pub fn default_gas(self) -> HostGas {
                match self { $(HostFn::$name => HostGas { base: $base, per_byte: $per },)* }
            }

            /// Parameter names and kinds.
            pub fn params(self) -> &'static [(&'static str, Kind)] {
                match self { $(HostFn::$name => &[$((stringify!($p), Kind::$k)),*],)* }
            }

            /// Result kind, if any.
            pub fn result(self) -> Option<Kind> {
                match self { $(HostFn::$name => { None $(.or(Some(Kind::$r)))? })* }
            }

            /// Documentation from the table.
            pub fn docs(self) -> &'static str {
                match self { $(HostFn::$name => concat!($($doc, "\n"),*),)* }
            }
        }
    };
}

ee_sdk::for_each_host_fn!(define_host_fns);

impl HostFn {
    /// Whether an EE of `role` may import this function.
    pub fn allowed(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// Finds the function imported as `module.name` (primary name or alias).
    pub fn lookup(module: &str, name: &str) -> Option<HostFn> {
        HostFn::ALL.iter().copied().find(|f| {
            (f.module() == module && f.name() == name)
                || f.aliases().iter().any(|&(m, n)| m == module && n == name)
        })
    }

    /// Position in [`HostFn::ALL`] (for per-function counters).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Wasm signature as text, e.g. `(i32, i32) -> ()`.
    pub fn wasm_signature(self) -> String {
        let params: Vec<_> = self.params().iter().map(|(_, k)| k.wasm_type()).collect();
        let result = self.result().map_or("()", Kind::wasm_type);
        format!("({}) -> {}", params.join(", "), result)
    }
}

impl fmt::Display for HostFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.module(), self.name())
    }
}

impl Serialize for HostFn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Bytes a call is metered for: every `Len` argument, plus 32 per `In32`/`Out32`.
#[doc(hidden)]
#[macro_export]
macro_rules! metered_bytes {
    (Len, $v:expr) => {
        u64::from($v)
    };
    (In32, $v:expr) => {
        32u64
    };
    (Out32, $v:expr) => {
        32u64
    };
    ($other:ident, $v:expr) => {
        0u64
    };
}

/// Host-side Rust type of an ABI kind (pointers are guest addresses as `u64`).
#[doc(hidden)]
#[macro_export]
macro_rules! host_ty {
    (InPtr) => {
        u64
    };
    (OutPtr) => {
        u64
    };
    (In32) => {
        u64
    };
    (Out32) => {
        u64
    };
    (Len) => {
        u32
    };
    (U32) => {
        u32
    };
    (U64) => {
        u64
    };
    (I64) => {
        i64
    };
}

/// Host-side result type (`()` when the entry has none).
#[doc(hidden)]
#[macro_export]
macro_rules! host_ret {
    () => {
        ()
    };
    ($k:ident) => {
        $crate::host_ty!($k)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for f in HostFn::ALL {
            assert!(seen.insert((f.module(), f.name())), "duplicate import {f}");
            for alias in f.aliases() {
                assert!(seen.insert(*alias), "duplicate alias {alias:?}");
            }
        }
    }

    #[test]
    fn lookup_finds_every_entry_and_nothing_else() {
        for &f in HostFn::ALL {
            assert_eq!(HostFn::lookup(f.module(), f.name()), Some(f));
        }
        assert_eq!(HostFn::lookup("env", "no_such_function"), None);
        assert_eq!(HostFn::lookup("wasi_snapshot_preview1", "fd_write"), None);
    }

    #[test]
    fn meta_only_functions_are_refused_to_ordinary_ees() {
        for f in [HostFn::get_outputs_size, HostFn::get_outputs_copy, HostFn::balance_add] {
            assert!(f.allowed(Role::Meta));
            assert!(!f.allowed(Role::Ee), "{f} must be meta-only");
        }
        assert!(HostFn::print_output.allowed(Role::Ee));
    }

    #[test]
    fn every_entry_is_documented() {
        for f in HostFn::ALL {
            assert!(!f.docs().trim().is_empty(), "{f} has no docs");
        }
    }
}
