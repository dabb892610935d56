//! BLS12-381 keys and signatures (pure Rust, byte-identical to the host's `blst`): the
//! `SecretKey` class and `verify`.
use crate::convert::{hex_array, to_js};
use crate::error::{Kind, fail};
use ee_client::KeyFile;
use ee_client::vhee::Address;
use ee_sdk::EeId;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// An account address: `{portion, key}` (key: 48-byte public key, hex).
#[derive(Clone, Serialize, Deserialize)]
pub struct AddressJs {
    /// The portion (an EE id).
    pub portion: u32,
    /// The owner's public key, hex.
    pub key: String,
}

impl From<Address> for AddressJs {
    fn from(a: Address) -> Self {
        AddressJs { portion: a.portion.0, key: hex::encode(a.key) }
    }
}

impl AddressJs {
    /// As a VHEE address.
    pub fn address(&self) -> Result<Address, JsValue> {
        Ok(Address { portion: EeId(self.portion), key: hex_array(&self.key, "address key")? })
    }
}

/// A BLS12-381 secret key.
#[wasm_bindgen]
pub struct SecretKey(pub(crate) ee_client::SecretKey);

#[wasm_bindgen]
impl SecretKey {
    /// IETF KeyGen from input keying material (at least 32 bytes; `index.js`'s
    /// `SecretKey.generate()` passes `crypto.getRandomValues`).
    #[wasm_bindgen(js_name = fromIkm)]
    pub fn from_ikm(ikm: &[u8]) -> Result<SecretKey, JsValue> {
        ee_client::SecretKey::from_ikm(ikm)
            .map(SecretKey)
            .ok_or_else(|| fail(Kind::Input, "KeyGen needs at least 32 bytes of keying material"))
    }

    /// The key derived from `seed` (any bytes; deterministic — for tests and demos).
    #[wasm_bindgen(js_name = fromSeed)]
    pub fn from_seed(seed: &[u8]) -> SecretKey {
        SecretKey(ee_client::SecretKey::from_seed(seed))
    }

    /// The key whose 32-byte big-endian scalar is `bytes`.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<SecretKey, JsValue> {
        ee_client::SecretKey::from_bytes(bytes).map(SecretKey).ok_or_else(|| {
            fail(Kind::Input, "not a BLS12-381 secret scalar (32 bytes, non-zero, below the order)")
        })
    }

    /// The key in an `ee keygen` key file (JSON text); its public key is checked.
    #[wasm_bindgen(js_name = fromKeyFile)]
    pub fn from_key_file(json: &str) -> Result<SecretKey, JsValue> {
        let file: KeyFile =
            serde_json::from_str(json).map_err(|e| fail(Kind::Input, format!("key file: {e}")))?;
        file.key().map(SecretKey).map_err(|e| fail(Kind::Input, e.to_string()))
    }

    /// The devnet's well-known key of genesis validator `index` (`ee keygen --dev INDEX`).
    #[wasm_bindgen(js_name = devKey)]
    pub fn dev_key(index: u32) -> SecretKey {
        SecretKey(ee_client::keys::dev_key(u64::from(index)))
    }

    /// The 32-byte scalar.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes().to_vec()
    }

    /// An `ee keygen` key file (JSON text) for this key.
    #[wasm_bindgen(js_name = toKeyFile)]
    pub fn to_key_file(&self, validator: Option<u32>) -> String {
        let file = KeyFile::new(&self.0, validator.map(u64::from));
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// The 48-byte compressed public key, hex.
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> String {
        hex::encode(self.0.public())
    }

    /// The 96-byte signature of `message` (the Eth2 proof-of-possession ciphersuite the
    /// host verifies).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.0.sign(message).to_vec()
    }

    /// This key's VHEE account in `portion`: `{portion, key}`.
    pub fn address(&self, portion: u32) -> Result<JsValue, JsValue> {
        to_js(&AddressJs::from(Address { portion: EeId(portion), key: self.0.public() }))
    }
}

/// Whether `signature` (96 bytes) by `public_key` (48 bytes) of `message` verifies.
#[wasm_bindgen]
pub fn verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    ee_sdk::bls::verify(public_key, message, signature)
}
