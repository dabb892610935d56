//! # ee-client-js
//!
//! The wasm half of the JavaScript package (`client/js`): [`ee_client`] compiled with
//! `wasm-bindgen`. The package's `index.js` wraps it in a provider object with async
//! methods (JavaScript's `fetch` is the transport), typed error classes and a VHEE helper;
//! everything that must agree with the node — the method table, SCALE codecs, BLS
//! signatures, transaction building and proof checks — is this Rust, not a JavaScript
//! re-implementation.
//!
//! | module | exports |
//! |---|---|
//! | [`rpc`] | `methods`, `encodeRequest`, `decodeResponse`: requests and results typed by ee-client's method table |
//! | [`codec`] | `decodeBlock`, `decodeWitness`, `decodeNettingOutput`, `decodeNettingReport`, `decodeMetaTransaction`, `decodeDepositReceipt`, `decodeTransferData` |
//! | [`keys`] | `SecretKey` (KeyGen, seeds, key files, signing), `verify` |
//! | [`tx`] | `txHash`, `transferData`, `deployScript`, `depositReceipt` |
//! | [`vhee`] | `vheeOp`, `vheeSign`, `vheePrepare`, `vheeAccountKey`, `vheeCheckAccount`, `vheeReceiptsRoot`, `vheeClaimOp` |
//!
//! Conventions: 64-bit integers (slots, gas, fees, amounts, balances) are `bigint` in
//! JavaScript, 32-bit ones (shards, EE ids, indices) are `number`; byte strings are hex
//! (no `0x` written, `0x` accepted) in JSON-shaped values and `Uint8Array` elsewhere.
//! Every failure is thrown as a plain object `{kind, message, code?, name?}` that
//! `index.js` turns into its error classes ([`error`]).
#![warn(missing_docs)]

pub mod codec;
pub mod error;
pub mod keys;
pub mod rpc;
pub mod tx;
pub mod vhee;

mod convert;

use wasm_bindgen::prelude::*;

/// The package's version (the workspace's).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
