//! # ee-host
//!
//! The Phase 2 host: runs execution environments (EEs) on a metered wasmer runtime
//! against sharded state, with the netting meta-EE last in every block.
//!
//! | module | what |
//! |---|---|
//! | [`abi`] | the host ABI generated from `ee_sdk::for_each_host_fn!` (gas keys, import check, docs) |
//! | [`crypto`] | BLS12-381 verification behind `bls_verify` |
//! | `devnet` | the local test network: redb store, JSON-RPC, block production (feature `devnet`) |
//! | [`gas`] | cost table (data) and host-call profile |
//! | [`limits`] | every resource bound |
//! | [`logic`] | the one implementation of every host function |
//! | [`state`] | shard trees (sha256 SMT), beacon state, the world |
//! | [`exec`] | ordered block execution, the block producer/slot driver |
//! | `runtime` | wasmer: gatekeeper, metering, stack limit, linker, module cache (feature `runtime`) |
//! | `native` | native test backend exporting the ABI symbols (feature `native`) |
//! | [`scenario`] | JSON scenarios for `ee run` / `ee demo` |
//! | `scout` | ewasm Scout's YAML vectors, run unmodified (feature `runtime`) |
//! | [`sim`] | the long-running simulator behind `ee sim` (stateful and stateless on every block) |
//!
//! See `ARCHITECTURE.md` at the repository root for how the pieces fit.
#![warn(missing_docs)]

pub mod abi;
pub mod crypto;
#[cfg(feature = "devnet")]
pub mod devnet;
pub mod exec;
pub mod gas;
pub mod limits;
pub mod logic;
#[cfg(feature = "native")]
pub mod native;
#[cfg(feature = "runtime")]
pub mod runtime;
pub mod scenario;
#[cfg(feature = "runtime")]
pub mod scout;
pub mod sim;
pub mod state;

pub use ee_sdk;
