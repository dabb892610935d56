//! Errors as JavaScript sees them: a plain object `{kind, message, code?, name?}`, thrown;
//! `index.js` maps `kind` to its error classes (`InvalidInputError`, `RpcError`,
//! `TransportError`, `ProofError`, `RefusedError`, `DecodeError`).
use ee_client::{ClientError, ErrorCode};
use wasm_bindgen::JsValue;

/// What kind of failure (the `kind` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The caller passed something malformed (bad hex, wrong type, unknown method);
    /// nothing was sent.
    Input,
    /// The node answered with a JSON-RPC error (`code`, `name`).
    Rpc,
    /// The answer was not a JSON-RPC response of the expected shape.
    Transport,
    /// A state provider's answer does not verify.
    Proof,
    /// The VHEE would refuse the operation (nothing was sent).
    Refused,
    /// Bytes that are not the SCALE encoding asked for.
    Decode,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Input => "input",
            Kind::Rpc => "rpc",
            Kind::Transport => "transport",
            Kind::Proof => "proof",
            Kind::Refused => "refused",
            Kind::Decode => "decode",
        }
    }
}

/// A failure on its way to JavaScript.
#[derive(Clone, Debug, serde::Serialize)]
pub struct JsFailure {
    /// `input`, `rpc`, `transport`, `proof`, `refused` or `decode`.
    pub kind: &'static str,
    /// What went wrong.
    pub message: String,
    /// The JSON-RPC code (`rpc` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// The code's name in the devnet's error table, e.g. `NotFound` (`rpc` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl JsFailure {
    /// A failure of `kind`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        JsFailure { kind: kind.name(), message: message.into(), code: None, name: None }
    }
}

impl From<ClientError> for JsFailure {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Rpc { code, message } => JsFailure {
                kind: Kind::Rpc.name(),
                message,
                code: Some(code),
                name: ErrorCode::from_code(code).map(|c| format!("{c:?}")),
            },
            other => JsFailure::new(Kind::Transport, other.to_string()),
        }
    }
}

impl From<JsFailure> for JsValue {
    fn from(f: JsFailure) -> JsValue {
        serde_wasm_bindgen::to_value(&f).unwrap_or_else(|_| JsValue::from_str(&f.message))
    }
}

/// Shorthand: a thrown failure of `kind`.
pub fn fail(kind: Kind, message: impl Into<String>) -> JsValue {
    JsFailure::new(kind, message).into()
}
