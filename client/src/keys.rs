//! Key files (`ee keygen`) and the BLS12-381 keys in them.
use serde::{Deserialize, Serialize};

/// A BLS12-381 secret key (pure Rust; byte-identical to `blst`'s keys and signatures).
pub use ee_sdk::bls::SecretKey;

/// The devnet's well-known key of genesis validator `index`: `SecretKey::from_seed`
/// of `ee-devnet-<index>`.
pub fn dev_key(index: u64) -> SecretKey {
    SecretKey::from_seed(format!("ee-devnet-{index}").as_bytes())
}

/// A key file: JSON `{"secret", "public", "validator"}`, hex-encoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    /// The 32-byte secret scalar.
    pub secret: String,
    /// The 48-byte compressed public key.
    pub public: String,
    /// The devnet validator index this key belongs to, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<u64>,
}

/// Why a key file is unusable.
#[derive(Debug, thiserror::Error)]
#[error("key file: {0}")]
pub struct KeyFileError(pub String);

impl KeyFile {
    /// The file for `key`.
    pub fn new(key: &SecretKey, validator: Option<u64>) -> Self {
        KeyFile { secret: hex::encode(key.to_bytes()), public: hex::encode(key.public()), validator }
    }

    /// Its secret key, checked against `public`.
    pub fn key(&self) -> Result<SecretKey, KeyFileError> {
        let bytes = hex::decode(self.secret.trim_start_matches("0x"))
            .map_err(|e| KeyFileError(format!("secret: {e}")))?;
        let key = SecretKey::from_bytes(&bytes)
            .ok_or_else(|| KeyFileError("secret is not a BLS12-381 scalar".into()))?;
        if hex::encode(key.public()) != self.public.trim_start_matches("0x") {
            return Err(KeyFileError("public key does not match the secret".into()));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_round_trip_and_refuse_mismatches() {
        let k = dev_key(0);
        let file = KeyFile::new(&k, Some(0));
        let text = serde_json::to_string(&file).unwrap();
        let back: KeyFile = serde_json::from_str(&text).unwrap();
        assert_eq!(back.key().unwrap().public(), k.public());
        let wrong = KeyFile { public: hex::encode(dev_key(1).public()), ..file.clone() };
        assert!(wrong.key().is_err());
        let garbage = KeyFile { secret: "zz".into(), ..file };
        assert!(garbage.key().is_err());
    }
}
