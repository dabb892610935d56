//! # ee-types
//!
//! The types the host, the devnet and the clients share without depending on each other:
//! [`report`], the report of an executed block. (The host derives it from a block result,
//! the devnet stores and serves it, `ee run` and `ee status` print it; `ee-client`
//! re-exports it.)
#![warn(missing_docs)]

pub mod report;

pub use report::{BlockReport, Decision, HostCallReport, MatrixReport, ReceiptReport, TxReport};
