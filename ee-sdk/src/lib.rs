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
//! * [`Env`]: the host functions an EE's logic uses, as a trait — implemented by
//!   [`HostEnv`] (the real host) and by off-chain clients, so both run the same logic.
//! * [`contract`]: what an umbrella EE's contracts read and return (their interface).
//! * [`scout`]: safe wrappers over ewasm Scout's ABI, for EEs written the Scout way.
//! * [`sort`]: a heap sort small enough for EEs' wasm.
//! * `bls` (feature `bls`): pure-Rust BLS12-381 keys and signatures for clients.
//! * `client` (features `bls` and `pure-sha256`): a view of the chain serving the host
//!   functions to an EE's state transition run natively, and key pairs — how EE clients
//!   build witnesses.
//! * [`entry!`]: exports `main` on EE targets only (wasm32 without an OS).
//! * `proof` (feature `proof`): sparse-Merkle multiproof verification in the EE, hashing
//!   with the host's metered `sha256` (or, feature `pure-sha256`, in wasm, to compare).
//! * `receipts` (feature `proof`): seed 000's user-level receipt trees, for any receipt
//!   type, and the claimed-bit key.
//! * `stateless` (feature `proof`): the witness pattern of stateful EEs — a transaction's
//!   proven leaves, one state transition over a `Leaves` trait, full trees for clients.
//!
//! On EE targets (`wasm32v1-none`: wasm32 without an OS) the `runtime` feature (default)
//! installs a bump allocator and a panic handler that aborts the transaction with the
//! panic location. On `wasm32-unknown-unknown` (clients, e.g. the JavaScript package) the
//! crate is an ordinary library.
//!
//! Natively the same imports are resolved by `ee-host`'s `native` feature, which runs the
//! host's real logic, so `cargo test` exercises an EE against the host it will run on.
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod abi;
#[cfg(feature = "bls")]
pub mod bls;
#[cfg(all(feature = "bls", feature = "pure-sha256"))]
pub mod client;
pub mod contract;
pub mod env;
#[cfg(feature = "proof")]
pub mod proof;
pub mod raw;
#[cfg(feature = "proof")]
pub mod receipts;
pub mod scout;
pub mod sort;
#[cfg(feature = "proof")]
pub mod stateless;
pub mod types;

mod entry;
#[cfg_attr(not(all(target_arch = "wasm32", target_os = "none", feature = "runtime")), allow(dead_code))]
mod mem;
#[cfg(all(target_arch = "wasm32", target_os = "none", feature = "runtime"))]
mod runtime;

pub use abi::{HostFn, Role};
pub use entry::Outcome;
pub use env::{Env, HostEnv};
pub use parity_scale_codec as codec;
pub use types::*;
