//! The network's genesis file: what every node of one network must agree on before the
//! first slot — shards, slot length, the wall-clock time of slot 0, the genesis EEs (by
//! code hash) and validators. Its hash names the network: nodes of another genesis
//! share no gossip topic with it.
use crate::types::Validator;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Why a genesis file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenesisFileError {
    /// It could not be read (missing, not a regular file, over the input bound).
    #[error(transparent)]
    Read(#[from] ee_host::files::FileError),
    /// It could not be written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// It is not a genesis file.
    #[error("{path}: not a genesis file: {error}")]
    Malformed {
        /// The file.
        path: String,
        /// Why.
        error: String,
    },
    /// A genesis EE's code is not the one the file names.
    #[error(
        "the {name} EE's code hashes to {found}, the genesis file says {expected}: build the EEs from the same source as the network's other nodes"
    )]
    CodeHash {
        /// Which genesis EE.
        name: &'static str,
        /// What the file says.
        expected: String,
        /// What the local build hashes to.
        found: String,
    },
}

/// A network's genesis (JSON).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NetGenesis {
    /// Shards.
    pub shards: u32,
    /// Slot length (ms).
    pub slot_ms: u64,
    /// Wall-clock start of slot 0 (ms since the Unix epoch).
    pub genesis_time_ms: u64,
    /// The transfer EE's balance per shard (Gwei).
    pub transfer_balance: i64,
    /// sha256 of the meta-EE's code (hex).
    pub meta_ee: String,
    /// sha256 of the VHEE's code (hex).
    pub vhee: String,
    /// sha256 of the transfer EE's code (hex).
    pub transfer_ee: String,
    /// Validators: BLS public key (hex) and balance (Gwei), index = position.
    pub validators: Vec<(String, u64)>,
}

/// sha256 of `code`, hex.
pub fn code_hash(code: &[u8]) -> String {
    hex::encode(Sha256::digest(code))
}

impl NetGenesis {
    /// Reads a genesis file.
    pub fn read(path: &Path) -> Result<NetGenesis, GenesisFileError> {
        // A user's file: bounded and regular, as every file `ee` reads.
        let bytes = ee_host::files::read_bounded(path, ee_host::files::MAX_INPUT_BYTES)?;
        let text = String::from_utf8(bytes).map_err(|e| GenesisFileError::Malformed {
            path: path.display().to_string(),
            error: e.to_string(),
        })?;
        let g: NetGenesis = serde_json::from_str(&text).map_err(|e| GenesisFileError::Malformed {
            path: path.display().to_string(),
            error: e.to_string(),
        })?;
        if g.shards == 0 || g.shards > ee_host::limits::MAX_SHARDS || g.slot_ms == 0 {
            return Err(GenesisFileError::Malformed {
                path: path.display().to_string(),
                error: format!("shards must be 1 to {} and slot_ms positive", ee_host::limits::MAX_SHARDS),
            });
        }
        Ok(g)
    }

    /// Writes it (pretty JSON).
    pub fn write(&self, path: &Path) -> Result<(), GenesisFileError> {
        let text = serde_json::to_string_pretty(self).expect("a genesis serialises");
        std::fs::write(path, text + "\n")
            .map_err(|error| GenesisFileError::Io { path: path.display().to_string(), error })
    }

    /// The network's name: the first 16 hex digits of the sha256 of its canonical JSON.
    pub fn network_id(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("a genesis serialises");
        hex::encode(&Sha256::digest(canonical)[..8])
    }

    /// Checks the local build's genesis EEs against the file.
    pub fn check_codes(&self, meta: &[u8], vhee: &[u8], transfer: &[u8]) -> Result<(), GenesisFileError> {
        for (name, expected, code) in [
            ("meta", &self.meta_ee, meta),
            ("VHEE", &self.vhee, vhee),
            ("transfer", &self.transfer_ee, transfer),
        ] {
            let found = code_hash(code);
            if &found != expected {
                return Err(GenesisFileError::CodeHash { name, expected: expected.clone(), found });
            }
        }
        Ok(())
    }

    /// The validators, decoded.
    pub fn validators(&self) -> Result<Vec<Validator>, GenesisFileError> {
        self.validators
            .iter()
            .map(|(key, balance)| {
                let bytes = hex::decode(key.trim_start_matches("0x")).ok();
                let pubkey =
                    bytes.and_then(|b| b.try_into().ok()).ok_or_else(|| GenesisFileError::Malformed {
                        path: "genesis".into(),
                        error: format!("validator key `{key}` is not 48 hex-encoded bytes"),
                    })?;
                Ok(Validator { pubkey, balance: *balance })
            })
            .collect()
    }

    /// The slot under way at `ms` (ms since the Unix epoch; slot 0 before the genesis).
    pub fn slot_at(&self, ms: u64) -> u64 {
        ms.saturating_sub(self.genesis_time_ms) / self.slot_ms.max(1)
    }

    /// The start of `slot` (ms since the Unix epoch).
    pub fn slot_start_ms(&self, slot: u64) -> u64 {
        self.genesis_time_ms.saturating_add(slot.saturating_mul(self.slot_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_genesis_files_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        // Not a regular file.
        assert!(matches!(NetGenesis::read(dir.path()), Err(GenesisFileError::Read(_))));
        let file = dir.path().join("genesis.json");
        std::fs::write(&file, b"{\"shards\": 4").unwrap();
        assert!(matches!(NetGenesis::read(&file), Err(GenesisFileError::Malformed { .. })));
        let g = NetGenesis {
            shards: 0,
            slot_ms: 1000,
            genesis_time_ms: 0,
            transfer_balance: 1,
            meta_ee: String::new(),
            vhee: String::new(),
            transfer_ee: String::new(),
            validators: Vec::new(),
        };
        g.write(&file).unwrap();
        assert!(matches!(NetGenesis::read(&file), Err(GenesisFileError::Malformed { .. })));
        NetGenesis { shards: 4, ..g.clone() }.write(&file).unwrap();
        assert_eq!(NetGenesis::read(&file).unwrap().shards, 4);
    }
}
