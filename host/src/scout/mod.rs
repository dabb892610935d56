//! ewasm Scout's YAML test vectors, run unmodified.
//!
//! ```yaml
//! beacon_state:
//!   execution_scripts: [hello.wasm, stateful.wasm]   # EE 0, EE 1 (paths relative to the file)
//!   libraries: [{ name: lib, file: lib.wasm }]       # optional: import module `lib`
//! shard_pre_state:
//!   exec_env_states: ["00…00", "22ea…42f4"]
//! shard_blocks:
//!   - { env: 0, data: "" }
//!   - { env: 1, data: "5c00…" }
//! shard_post_state:
//!   exec_env_states: ["00…00", "2950…27fc"]
//! deposit_receipts:                                  # optional
//!   - { pubkey: "…", withdrawal_credentials: "…", amount: 32, signature: "…" }
//! ```
//!
//! Every block runs its EE once on one shard, in order, through the same block executor,
//! host logic and metering as any other block. The post-state roots must equal
//! `shard_post_state`, and every expected deposit receipt (SSZ Phase 0 `Deposit`: pubkey ‖
//! withdrawal credentials ‖ amount LE ‖ signature, 184 bytes) must be among those the EEs
//! pushed — as Scout checks, except that here a mismatch is a failure.
mod run;

pub use run::{BlockRun, Outcome, RootCheck, run};

use ee_sdk::Root;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Errors loading or running vectors (not mismatches, which are an [`Outcome`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScoutError {
    /// A file could not be read (missing, not a regular file, too large).
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// The YAML does not parse or lacks a field.
    #[error("malformed vectors: {0}")]
    Yaml(serde_yaml_ng::Error),
    /// A value is malformed (hex, lengths, indices).
    #[error("malformed vectors: {0}")]
    Invalid(String),
    /// A library was refused.
    #[error("library {name}: {error}")]
    Library {
        /// Its name.
        name: String,
        /// Why.
        error: crate::runtime::LoadError,
    },
    /// The world could not be set up.
    #[error(transparent)]
    Genesis(#[from] crate::genesis::GenesisError),
    /// A block could not run.
    #[error(transparent)]
    Block(#[from] crate::exec::BlockError),
    /// State access failed.
    #[error(transparent)]
    State(#[from] crate::state::StateError),
}

#[derive(Deserialize)]
struct File {
    beacon_state: BeaconFile,
    shard_pre_state: StateFile,
    shard_blocks: Vec<BlockFile>,
    shard_post_state: StateFile,
    #[serde(default)]
    deposit_receipts: Vec<DepositFile>,
}

#[derive(Deserialize)]
struct BeaconFile {
    execution_scripts: Vec<String>,
    #[serde(default)]
    libraries: Option<Vec<LibraryFile>>,
}

#[derive(Deserialize)]
struct LibraryFile {
    name: String,
    file: String,
}

#[derive(Deserialize)]
struct StateFile {
    exec_env_states: Vec<String>,
}

#[derive(Deserialize)]
struct BlockFile {
    env: u64,
    data: String,
}

#[derive(Deserialize)]
struct DepositFile {
    pubkey: String,
    withdrawal_credentials: String,
    amount: u64,
    signature: String,
}

/// Loaded vectors.
#[derive(Clone, Debug)]
pub struct Vectors {
    /// Where they came from.
    pub path: PathBuf,
    /// `execution_scripts`: EE `i`'s code (and its path).
    pub scripts: Vec<(PathBuf, Arc<[u8]>)>,
    /// `libraries`: import module name and code.
    pub libraries: Vec<(String, Arc<[u8]>)>,
    /// Pre-state root of every EE.
    pub pre_state: Vec<Root>,
    /// `(env, data)` of every block.
    pub blocks: Vec<(u32, Vec<u8>)>,
    /// Expected post-state root of every EE.
    pub post_state: Vec<Root>,
    /// Expected deposit receipts, SSZ-encoded.
    pub deposits: Vec<Vec<u8>>,
}

fn hex_bytes(s: &str, what: &str) -> Result<Vec<u8>, ScoutError> {
    hex::decode(s.trim().trim_start_matches("0x"))
        .map_err(|e| ScoutError::Invalid(format!("{what}: bad hex: {e}")))
}

fn hex_fixed<const N: usize>(s: &str, what: &str) -> Result<[u8; N], ScoutError> {
    let v = hex_bytes(s, what)?;
    v.clone().try_into().map_err(|_| ScoutError::Invalid(format!("{what}: {} bytes, expected {N}", v.len())))
}

fn read(path: &Path) -> Result<Arc<[u8]>, ScoutError> {
    Ok(crate::files::read_bounded(path, crate::files::MAX_INPUT_BYTES)?.into())
}

/// Deepest nesting a vectors file may have (flow brackets, block indentation, `- `
/// runs): Scout's files use a handful of levels; deeply nested input makes the YAML
/// parser's work grow with the square of its size.
pub const MAX_YAML_NESTING: usize = 64;

/// Refuses YAML nested deeper than `max` before it reaches the parser: flow collections
/// (`[`, `{` outside quotes and comments), block indentation (in columns / 2) and the
/// `- ` items opened on one line.
fn check_nesting(text: &[u8], max: usize) -> Result<(), ScoutError> {
    let too_deep = || ScoutError::Invalid(format!("YAML nested deeper than {max} levels"));
    let mut flow = 0usize;
    for line in text.split(|&b| b == b'\n') {
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let mut rest = &line[indent..];
        let mut items = 0;
        while let Some(r) = rest.strip_prefix(b"- ") {
            items += 1;
            rest = r;
        }
        if indent / 2 + items > max {
            return Err(too_deep());
        }
        let mut quote = None;
        for &b in rest {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'#') => break,
                (None, b'[' | b'{') => {
                    flow += 1;
                    if flow > max {
                        return Err(too_deep());
                    }
                }
                (None, b']' | b'}') => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

impl Vectors {
    /// Reads a YAML file; wasm paths are relative to it.
    pub fn load(path: &Path) -> Result<Vectors, ScoutError> {
        let text = crate::files::read_bounded(path, crate::files::MAX_INPUT_BYTES)?;
        check_nesting(&text, MAX_YAML_NESTING)?;
        let file: File = serde_yaml_ng::from_slice(&text)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let scripts = file
            .beacon_state
            .execution_scripts
            .iter()
            .map(|p| Ok((base.join(p), read(&base.join(p))?)))
            .collect::<Result<Vec<_>, ScoutError>>()?;
        let libraries = file
            .beacon_state
            .libraries
            .unwrap_or_default()
            .iter()
            .map(|l| Ok((l.name.clone(), read(&base.join(&l.file))?)))
            .collect::<Result<Vec<_>, ScoutError>>()?;
        // A library is imported by its name as a module: it may not shadow the host's
        // modules or another library.
        let host_modules: std::collections::BTreeSet<&str> = crate::abi::HostFn::ALL
            .iter()
            .flat_map(|f| f.aliases().iter().map(|(m, _)| *m))
            .chain([crate::abi::MODULE])
            .collect();
        for (i, (name, _)) in libraries.iter().enumerate() {
            if name.is_empty() || host_modules.contains(name.as_str()) {
                return Err(ScoutError::Invalid(format!(
                    "library name `{name}` is not free: the host's imports use {}",
                    host_modules.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                )));
            }
            if libraries[..i].iter().any(|(n, _)| n == name) {
                return Err(ScoutError::Invalid(format!("two libraries are named `{name}`")));
            }
        }
        let roots = |s: &StateFile, what: &str| -> Result<Vec<Root>, ScoutError> {
            s.exec_env_states
                .iter()
                .enumerate()
                .map(|(i, r)| hex_fixed::<32>(r, &format!("{what}[{i}]")))
                .collect()
        };
        let pre_state = roots(&file.shard_pre_state, "shard_pre_state.exec_env_states")?;
        let post_state = roots(&file.shard_post_state, "shard_post_state.exec_env_states")?;
        if pre_state.len() != scripts.len() || post_state.len() != scripts.len() {
            return Err(ScoutError::Invalid(format!(
                "{} execution scripts but {} pre-state and {} post-state roots",
                scripts.len(),
                pre_state.len(),
                post_state.len()
            )));
        }
        let blocks = file
            .shard_blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let env =
                    u32::try_from(b.env).ok().filter(|&e| (e as usize) < scripts.len()).ok_or_else(|| {
                        ScoutError::Invalid(format!("shard_blocks[{i}]: env {} does not exist", b.env))
                    })?;
                Ok((env, hex_bytes(&b.data, &format!("shard_blocks[{i}].data"))?))
            })
            .collect::<Result<Vec<_>, ScoutError>>()?;
        let deposits = file
            .deposit_receipts
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let what = |f: &str| format!("deposit_receipts[{i}].{f}");
                let mut ssz = hex_fixed::<48>(&d.pubkey, &what("pubkey"))?.to_vec();
                ssz.extend(hex_fixed::<32>(&d.withdrawal_credentials, &what("withdrawal_credentials"))?);
                ssz.extend(d.amount.to_le_bytes());
                ssz.extend(hex_fixed::<96>(&d.signature, &what("signature"))?);
                Ok(ssz)
            })
            .collect::<Result<Vec<_>, ScoutError>>()?;
        Ok(Vectors { path: path.to_path_buf(), scripts, libraries, pre_state, blocks, post_state, deposits })
    }
}

// The message shows the cause; it is not also the `source()`, so `{:#}` prints it once.
impl From<serde_yaml_ng::Error> for ScoutError {
    fn from(e: serde_yaml_ng::Error) -> Self {
        ScoutError::Yaml(e)
    }
}
