//! Raw host imports, generated from [`for_each_host_fn!`](crate::for_each_host_fn).
//!
//! Every function is `unsafe`: pointers must be valid for the stated lengths. Prefer the
//! safe wrappers in [`env`](crate::env).
//!
//! On wasm32 each function is imported from its table module (e.g. `env.print_output`).
//! Natively the symbol is renamed to `__ee_host_<name>` so it cannot clash with libc
//! (`abort`) and is provided by `ee-host`'s `native` feature. The ABI is `C-unwind` so that
//! the native backend can unwind out of an EE when a host call fails, exactly as a wasm trap
//! would end the instance.
#![allow(non_snake_case)]

/// Maps an ABI kind to the Rust type an EE passes.
#[doc(hidden)]
#[macro_export]
macro_rules! sdk_ty {
    (InPtr) => { *const u8 };
    (OutPtr) => { *mut u8 };
    (In32) => { *const u8 };
    (Out32) => { *mut u8 };
    (Len) => { u32 };
    (U32) => { u32 };
    (U64) => { u64 };
    (I64) => { i64 };
}

macro_rules! declare_raw_imports {
    ($(
        $(#[doc = $doc:literal])*
        module $module:literal fn $name:ident ( $($p:ident : $k:ident),* ) $(-> $r:ident)? ;
        roles($($role:ident),*) gas($base:literal, $per:literal)
        aliases[$(($am:literal, $an:literal)),*] ;
    )*) => {
        $(
            #[link(wasm_import_module = $module)]
            unsafe extern "C-unwind" {
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!("Roles: ", $(stringify!($role), " ",)* ". Gas: ",
                    stringify!($base), " + ", stringify!($per), " per byte.")]
                #[cfg_attr(not(target_arch = "wasm32"),
                    link_name = concat!("__ee_host_", stringify!($name)))]
                pub fn $name($($p: $crate::sdk_ty!($k)),*) $(-> $crate::sdk_ty!($r))?;
            }
        )*
    };
}

crate::for_each_host_fn!(declare_raw_imports);
