//! # ee-client
//!
//! Everything a program needs to talk to a Phase 2 EE network, without the host runtime:
//! no wasmer, no tokio, no database — it builds for `wasm32-unknown-unknown`, where the
//! JavaScript package wraps it.
//!
//! | module | what |
//! |---|---|
//! | [`api`] | the devnet's JSON-RPC methods, declared once: names, typed parameters and results, docs, the server-side [`api::Api`] trait and dispatcher, the typed [`Client`] methods |
//! | [`types`] | the wire types of those methods |
//! | [`report`] | (from `ee-types`) the report of an executed block (transactions, gas, fees, the meta-EE's decisions) that `ee run`, `ee status` and the devnet all print |
//! | `keys` | (feature `keys`, default) BLS12-381 key files (`ee keygen`) and keys (pure Rust, byte-identical to the host's `blst`) |
//! | `deploy` | (feature `keys`) seed 004's signed `NewExecutionScript` |
//! | [`tx`] | transaction hashes and transfer-EE transaction data |
//! | `vhee` | (feature `vhee`, default) VHEE accounts, deposits and signed operations over RPC |
//! | [`error`] | [`ClientError`], [`ErrorCode`] |
//!
//! [`Client`] is generic over a [`Transport`]; `Client::connect(url)` (feature `http`,
//! default, not on wasm32) speaks HTTP with a blocking, TLS-free client.
#![warn(missing_docs)]

pub mod api;
#[cfg(feature = "catalogue")]
pub mod catalogue;
#[cfg(feature = "keys")]
pub mod deploy;
pub mod error;
#[cfg(feature = "keys")]
pub mod keys;
pub use ee_types::report;
pub mod tx;
pub mod types;
#[cfg(feature = "vhee")]
pub mod vhee;

#[cfg(all(feature = "http", not(target_arch = "wasm32")))]
mod http;

pub use api::{Client, Method, Transport};
#[cfg(feature = "keys")]
pub use deploy::NewExecutionScript;
pub use error::{ClientError, ErrorCode, RpcError};
#[cfg(all(feature = "http", not(target_arch = "wasm32")))]
pub use http::HttpTransport;
#[cfg(feature = "keys")]
pub use keys::{KeyFile, SecretKey};
pub use report::{BlockReport, HostCallReport, MatrixReport, ReceiptReport, TxReport};
pub use tx::tx_hash;
pub use types::*;
