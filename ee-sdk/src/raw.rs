//! Raw host imports, generated from [`for_each_host_fn!`](crate::for_each_host_fn).
//!
//! Every function is `unsafe`: pointers must be valid for the stated lengths. Prefer the
//! safe wrappers in [`env`](crate::env).
//!
//! On wasm32 each function is imported from module `env` under its table name; aliases in
//! module `env` (ewasm Scout's `eth2_*` names) are declared too, so Scout-style EEs import
//! exactly what Scout-era binaries did. Natively every symbol — alias or not — is renamed
//! to `__ee_host_<table name>` so it cannot clash with libc (`abort`) and is provided by
//! `ee-host`'s `native` feature. The ABI is `C-unwind` so that the native backend can
//! unwind out of an EE when a host call fails, exactly as a wasm trap would end the
//! instance.
#![allow(non_snake_case)]

use crate::abi::{GuestKind, kinds};

/// Declares one import: `$import` is the wasm import name, `$name` the table entry.
macro_rules! raw_import {
    ($import:ident = $name:ident ($($p:ident: $k:ident),*) -> $r:ident; $(#[$meta:meta])*) => {
        #[link(wasm_import_module = "env")]
        unsafe extern "C-unwind" {
            $(#[$meta])*
            #[cfg_attr(not(target_arch = "wasm32"), link_name = concat!("__ee_host_", stringify!($name)))]
            pub fn $import($($p: <kinds::$k as GuestKind>::Guest),*) -> <kinds::$r as GuestKind>::Guest;
        }
    };
}

/// Declares the `env` aliases of an entry (other modules are the host's business only).
macro_rules! raw_aliases {
    ($name:ident $sig:tt { roles: $roles:tt, gas: $gas:tt, aliases: [$($am:ident :: $an:ident),*] }) => {
        $(raw_aliases!(@one $am $an $name $sig);)*
    };
    (@one env $an:ident $name:ident ($($sig:tt)*)) => {
        raw_import!($an = $name $($sig)*; #[doc = concat!("Alias of [`", stringify!($name), "`].")]);
    };
    (@one $am:ident $an:ident $name:ident $sig:tt) => {};
}

macro_rules! declare_raw_imports {
    ($( $(#[doc = $doc:literal])* fn $name:ident($($p:ident: $k:ident),*) -> $r:ident $info:tt; )*) => {
        $(
            raw_import!($name = $name ($($p: $k),*) -> $r; $(#[doc = $doc])*);
            raw_aliases!($name (($($p: $k),*) -> $r) $info);
        )*
    };
}

crate::for_each_host_fn!(declare_raw_imports);
