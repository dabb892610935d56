//! Errors: what the node answers ([`RpcError`], [`ErrorCode`]) and what a client call can
//! fail with ([`ClientError`]).
use serde::{Deserialize, Serialize};

/// A JSON-RPC error object as the node sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct RpcError {
    /// The code: an [`ErrorCode`] or a JSON-RPC protocol code.
    pub code: i32,
    /// What went wrong.
    pub message: String,
}

impl RpcError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        RpcError { code: code.code(), message: message.into() }
    }

    /// The code as an [`ErrorCode`], if it is one.
    pub fn kind(&self) -> Option<ErrorCode> {
        ErrorCode::from_code(self.code)
    }
}

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $name:ident = $code:literal, $meaning:literal;)*) => {
        /// The devnet's error codes (`docs/DEVNET.md` lists them from this table).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $name,)*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name),*];

            /// The numeric code.
            pub fn code(self) -> i32 {
                match self { $(ErrorCode::$name => $code,)* }
            }

            /// What it means.
            pub fn meaning(self) -> &'static str {
                match self { $(ErrorCode::$name => $meaning,)* }
            }

            /// The code with this number, if any.
            pub fn from_code(code: i32) -> Option<ErrorCode> {
                match code { $($code => Some(ErrorCode::$name),)* _ => None }
            }
        }
    };
}

error_codes! {
    /// JSON-RPC: the request is not JSON.
    ParseError = -32700, "not JSON";
    /// JSON-RPC: not a request object.
    InvalidRequest = -32600, "not a JSON-RPC request";
    /// JSON-RPC: no such method.
    MethodNotFound = -32601, "no such method";
    /// Malformed parameters.
    InvalidParams = -32602, "malformed parameters (wrong types or count, not hex, not a SCALE `NewExecutionScript`)";
    /// The node failed.
    Internal = -32603, "node fault: a store failure, or a halted node (a slot that failed to commit halts it; every later call then fails until a restart resumes from the store)";
    /// A signature does not verify.
    BadSignature = 1, "bad signature";
    /// The sender is not a validator.
    UnknownSender = 2, "unknown sender";
    /// The signing key is not the sender's.
    SenderKey = 3, "the signing key is not the sender's";
    /// This deployment was applied before.
    Replayed = 4, "replayed deploy";
    /// The code would be refused by the host.
    InvalidCode = 5, "invalid wasm (the reasons of `ee check`)";
    /// The sender cannot lock the deposit.
    InsufficientDeposit = 6, "insufficient deposit";
    /// No such shard.
    UnknownShard = 7, "unknown shard";
    /// No such EE, or one that takes no transactions.
    UnknownEe = 8, "unknown EE, or one that takes no transactions (the meta-EE)";
    /// Transaction data over the limit.
    TooLarge = 9, "transaction data too large";
    /// The shard's mempool is full.
    MempoolFull = 10, "mempool full";
    /// The same transaction is pending or committed.
    Duplicate = 11, "duplicate transaction (pending or committed)";
    /// Nothing there (yet).
    NotFound = 12, "not found (a block, or a transaction not yet committed)";
    /// Code over the deployment size limit.
    CodeTooLarge = 13, "code over the deployment size limit";
    /// Another state-provider preview is running.
    Busy = 14, "busy: another `ee_getWitness` is running (one at a time, so previews never queue in front of block production); retry";
    /// The transaction was dropped by the producer.
    Dropped = 15, "dropped: the transaction made its block un-nettable even alone (e.g. more outputs than the meta-EE can read); it will never be included";
    /// Not available on a node of a multi-node network.
    Unsupported = 16, "reserved: network nodes answered it to deployments and deposits before they gossiped them as beacon operations";
}

/// The error codes as the Markdown table in `docs/DEVNET.md`.
pub fn error_codes_markdown() -> String {
    let mut out = String::from("| code | meaning |\n|---|---|\n");
    for c in ErrorCode::ALL {
        out.push_str(&format!("| {} | {} |\n", c.code(), c.meaning()));
    }
    out
}

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The node answered with an error.
    #[error("{message} (code {code})")]
    Rpc {
        /// The JSON-RPC error code ([`ErrorCode`]).
        code: i32,
        /// Its message.
        message: String,
    },
    /// The node could not be reached or answered nonsense.
    #[error("rpc transport: {0}")]
    Transport(String),
    /// Waiting for a transaction timed out.
    #[error("transaction {0} not committed within the timeout")]
    Timeout(String),
}

impl ClientError {
    /// The node's error code, if the node answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Rpc { code, .. } => ErrorCode::from_code(*code),
            _ => None,
        }
    }
}

impl From<RpcError> for ClientError {
    fn from(e: RpcError) -> Self {
        ClientError::Rpc { code: e.code, message: e.message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for &c in ErrorCode::ALL {
            assert!(seen.insert(c.code()), "{c:?}");
            assert_eq!(ErrorCode::from_code(c.code()), Some(c));
        }
        assert_eq!(ErrorCode::from_code(999), None);
    }
}
