//! The devnet's JSON-RPC methods, from `ee-client`'s one table: the provider in `index.js`
//! sends what [`encode_request`] builds and returns what [`decode_response`] reads, so a
//! parameter of the wrong type is refused before sending and a result's 64-bit integers
//! stay exact.
use crate::convert::{from_js, to_js};
use crate::error::{JsFailure, Kind, fail};
use ee_client::api::{ParamReader, ResultWith, decode_response as decode_body};
use ee_client::{ErrorCode, Method};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// One method of the table, as `methods()` lists it.
#[derive(Serialize)]
struct MethodInfo {
    name: &'static str,
    params: &'static [&'static str],
    doc_params: &'static str,
    returns: &'static str,
}

/// Every method of the devnet's table: `{name, params, doc_params, returns}`.
#[wasm_bindgen]
pub fn methods() -> Result<JsValue, JsValue> {
    let list: Vec<MethodInfo> = Method::ALL
        .iter()
        .map(|m| MethodInfo {
            name: m.name(),
            params: m.param_names(),
            doc_params: m.params(),
            returns: m.returns(),
        })
        .collect();
    to_js(&list)
}

/// The devnet's error codes: `{code, name, meaning}`.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Code {
        code: i32,
        name: String,
        meaning: &'static str,
    }
    let list: Vec<Code> = ErrorCode::ALL
        .iter()
        .map(|c| Code { code: c.code(), name: format!("{c:?}"), meaning: c.meaning() })
        .collect();
    to_js(&list)
}

fn method(name: &str) -> Result<Method, JsValue> {
    Method::from_name(name).ok_or_else(|| fail(Kind::Input, format!("unknown method `{name}`")))
}

struct JsParams {
    values: std::vec::IntoIter<JsValue>,
}

impl ParamReader for JsParams {
    type Error = JsValue;
    fn read<T: Serialize + DeserializeOwned>(&mut self, name: &'static str) -> Result<Value, JsValue> {
        let v = self.values.next().unwrap_or(JsValue::UNDEFINED);
        let typed: T = from_js(v, &format!("parameter `{name}`"))?;
        serde_json::to_value(typed).map_err(|e| fail(Kind::Input, format!("parameter `{name}`: {e}")))
    }
}

/// The JSON-RPC request body calling `method` with positional `params` (each read as its
/// Rust type: numbers or bigints for integers, hex strings for bytes).
#[wasm_bindgen(js_name = encodeRequest)]
pub fn encode_request(method_name: &str, id: u32, params: Vec<JsValue>) -> Result<String, JsValue> {
    let m = method(method_name)?;
    let expected = m.param_names().len();
    if params.len() != expected {
        return Err(fail(
            Kind::Input,
            format!("{method_name}: expected {expected} parameters ({}), got {}", m.params(), params.len()),
        ));
    }
    let params = m.read_params(&mut JsParams { values: params.into_iter() })?;
    Ok(serde_json::json!({"jsonrpc": "2.0", "id": id, "method": m.name(), "params": params}).to_string())
}

struct Decode<'a> {
    body: &'a str,
}

impl ResultWith for Decode<'_> {
    type Output = Result<JsValue, JsValue>;
    fn with<R: Serialize + DeserializeOwned>(self) -> Self::Output {
        let r: R = decode_body(self.body).map_err(JsFailure::from)?;
        to_js(&r)
    }
}

/// The result of `method` in the JSON-RPC response `body`, typed by the table (64-bit
/// integers as bigint); throws `{kind: "rpc", code, name}` for an error response and
/// `{kind: "transport"}` for anything else that is not the method's result.
#[wasm_bindgen(js_name = decodeResponse)]
pub fn decode_response(method_name: &str, body: &str) -> Result<JsValue, JsValue> {
    method(method_name)?.with_result(Decode { body })
}
