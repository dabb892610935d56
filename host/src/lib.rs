//! # ee-host
//!
//! The Phase 2 host core: runs execution environments (EEs) on a metered wasmer runtime
//! against sharded state, with the netting meta-EE last in every block; the stateful
//! producer and the stateless validator; the native test backend; and the drivers that
//! tools share. No CLI, server, database or async runtime: those are `ee-cli` and
//! `ee-devnet`.
//!
//! | module | what |
//! |---|---|
//! | [`abi`] | the host side of the SDK's ABI table: kinds ([`abi::HostKind`]), gas keys, import check, docs |
//! | [`limits`] | every resource bound |
//! | [`parallel`] | work over threads, result order kept (a slot's shards) |
//! | [`gas`] | cost table (data) and host-call profile |
//! | [`crypto`] | BLS12-381 verification behind `bls_verify` |
//! | [`state`] | shard trees (sha256 SMT), beacon state, the world, witnesses |
//! | [`logic`] | the one implementation of every host function; [`EeRunner`] |
//! | [`exec`] | ordered block execution, the block producer ([`Chain`]), the stateless executor |
//! | `runtime` | wasmer: gatekeeper, metering, stack limit, linker, module cache (feature `runtime`) |
//! | `native` | native test backend exporting the ABI symbols (feature `native`) |
//! | [`genesis`] | [`GenesisSpec`]: the one description every chain starts from |
//! | [`report`] | a block result as the [`ee_types::report::BlockReport`] every tool prints |
//! | [`scenario`] | JSON scenarios for `ee run` / `ee demo` |
//! | `scout` | ewasm Scout's YAML vectors, run unmodified (feature `runtime`) |
//! | [`sim`] | the simulator behind `ee sim` (stateful and stateless on every block) |
//!
//! Layering (no module uses one below it in this list): `abi`, `limits`, `parallel` → `gas`,
//! `crypto`, `state` → `logic` → `exec`, `runtime`, `native` → `genesis`, `report` →
//! `scenario`, `scout`, `sim`. See `ARCHITECTURE.md` at the repository root.
#![warn(missing_docs)]

pub mod abi;
pub mod crypto;
pub mod exec;
pub mod files;
pub mod gas;
pub mod genesis;
pub mod limits;
pub mod logic;
#[cfg(feature = "native")]
pub mod native;
pub mod parallel;
pub mod report;
#[cfg(feature = "runtime")]
pub mod runtime;
pub mod scenario;
#[cfg(feature = "runtime")]
pub mod scout;
pub mod sim;
pub mod state;

pub use abi::{HostFn, Role};
pub use ee_sdk;
pub use exec::{BlockResult, Chain, ExecConfig, validate_block};
pub use gas::CostTable;
pub use genesis::{GenesisEe, GenesisSpec};
pub use limits::Limits;
pub use logic::{EeRunner, TxError};
#[cfg(feature = "native")]
pub use native::NativeRunner;
#[cfg(feature = "runtime")]
pub use runtime::{EngineKind, Runtime};
pub use state::World;
