//! # ee-sdk
//!
//! The crate every execution environment (EE) links against.
//!
//! * [`abi`]: the host ABI, declared **once** as an x-macro ([`for_each_host_fn!`]); the
//!   host generates its linker, gas keys, import checks and docs from the same table.
//! * [`raw`]: the `extern "C"` imports generated from that table (unsafe, pointer-based).
//! * [`env`]: the safe API over [`raw`] that EE code should use.
//! * [`types`]: SCALE-encoded types shared by EEs and the host (blocks, outputs, the netting
//!   output, the meta-EE's transaction and receipts).
//! * [`scout`]: safe wrappers over ewasm Scout's ABI, for EEs written the Scout way.
//! * [`entry!`]: exports `main` on wasm32 only.
//! * `proof` (feature `proof`): sparse-Merkle multiproof verification in the EE, hashing
//!   with the host's metered `sha256` (or, feature `pure-sha256`, in wasm, to compare).
//!
//! On `wasm32` the `runtime` feature (default) installs a bump allocator and a panic handler
//! that aborts the transaction with the panic location.
//!
//! Natively the same imports are resolved by `ee-host`'s `native` feature, which runs the
//! host's real logic, so `cargo test` exercises an EE against the host it will run on.
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod abi;
pub mod env;
#[cfg(feature = "proof")]
pub mod proof;
pub mod raw;
pub mod scout;
pub mod types;

mod entry;
#[cfg(all(target_arch = "wasm32", feature = "runtime"))]
mod runtime;

pub use entry::Outcome;
pub use parity_scale_codec as codec;
pub use types::*;
