//! Rust values to and from JavaScript values: 64-bit integers as `bigint`, maps as plain
//! objects.
use crate::error::{Kind, fail};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// `v` as a JavaScript value (64-bit integers as `bigint`).
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    let s = serde_wasm_bindgen::Serializer::new()
        .serialize_large_number_types_as_bigints(true)
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    v.serialize(&s).map_err(|e| fail(Kind::Transport, e.to_string()))
}

/// A JavaScript value read as `T` (numbers or `bigint`s for integers); `what` names it in
/// the error.
pub fn from_js<T: DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(v).map_err(|e| fail(Kind::Input, format!("{what}: {e}")))
}

/// Hex text (`0x` accepted) as exactly `N` bytes.
pub fn hex_array<const N: usize>(text: &str, what: &str) -> Result<[u8; N], JsValue> {
    let bytes = hex_bytes(text, what)?;
    let len = bytes.len();
    bytes.try_into().map_err(|_| fail(Kind::Input, format!("{what}: {len} bytes, expected {N}")))
}

/// Hex text (`0x` accepted) as bytes.
pub fn hex_bytes(text: &str, what: &str) -> Result<Vec<u8>, JsValue> {
    hex::decode(text.trim_start_matches("0x"))
        .map_err(|e| fail(Kind::Input, format!("{what}: not hex ({e})")))
}
