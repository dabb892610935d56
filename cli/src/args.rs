//! Options and helpers several commands share.
use anyhow::Context;
use ee_host::exec::ExecConfig;
use ee_host::gas::CostTable;
use ee_host::limits::Limits;
use ee_host::runtime::disk_cache::DiskCache;
use ee_host::runtime::{EngineKind, Runtime};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Engine, prices and limits.
#[derive(clap::Args, Clone, Debug)]
pub struct ExecArgs {
    /// Wasm compiler: singlepass (fast compile) or cranelift (fast code; default).
    #[arg(long, value_parser = parse_engine, default_value_t = EngineName(EngineKind::default()))]
    pub engine: EngineName,
    /// Gas limit per transaction (default: the host's).
    #[arg(long)]
    pub gas_limit: Option<u64>,
    /// Cost table JSON overriding the default prices (see `ee costs`).
    #[arg(long)]
    pub costs: Option<PathBuf>,
    /// Compile every module afresh: no compiled-module cache on disk (by default
    /// `$EE_CACHE_DIR`, else `$XDG_CACHE_HOME/ee/modules`, else `~/.cache/ee/modules`).
    #[arg(long)]
    pub no_cache: bool,
}

/// An engine name for clap.
#[derive(Clone, Copy, Debug)]
pub struct EngineName(pub EngineKind);

impl std::fmt::Display for EngineName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name())
    }
}

fn parse_engine(s: &str) -> Result<EngineName, String> {
    EngineKind::parse(s).map(EngineName).ok_or_else(|| {
        let names: Vec<_> = EngineKind::all().iter().map(|e| e.name()).collect();
        format!("unknown engine `{s}` (one of: {})", names.join(", "))
    })
}

impl ExecArgs {
    /// The execution config these options describe, on top of `limits`.
    pub fn config(&self, limits: Option<&Limits>) -> anyhow::Result<ExecConfig> {
        let costs = match &self.costs {
            Some(p) => {
                let text = read_input_text(p)?;
                CostTable::from_json(&text).with_context(|| format!("cost table {}", p.display()))?
            }
            None => CostTable::default(),
        };
        let mut limits = limits.cloned().unwrap_or_default();
        if let Some(g) = self.gas_limit {
            limits.tx_gas = g;
        }
        Ok(ExecConfig { costs: Arc::new(costs), limits })
    }

    /// A runtime for `config`, with the disk cache unless `--no-cache`.
    pub fn runtime(&self, config: &ExecConfig) -> Runtime {
        let runtime = Runtime::new(self.engine.0, config.costs.clone(), config.limits.clone());
        match module_cache(self.no_cache) {
            Some(cache) => runtime.with_disk_cache(cache),
            None => runtime,
        }
    }
}

/// The compiled-module cache on disk at its default place, unless `off` (a directory
/// that cannot be used is reported on stderr and skipped: the cache only saves time).
pub fn module_cache(off: bool) -> Option<Arc<DiskCache>> {
    if off {
        return None;
    }
    let dir = DiskCache::default_dir()?;
    match DiskCache::open(&dir, ee_host::runtime::disk_cache::DEFAULT_MAX_BYTES) {
        Ok(c) => Some(Arc::new(c)),
        Err(e) => {
            tracing::warn!("{e}; compiling without a module cache");
            None
        }
    }
}

/// Where the built EEs are.
#[derive(clap::Args, Clone, Debug)]
pub struct EesArgs {
    /// Directory of the built EEs (default: `$EE_WASM_DIR`, target/ees next to this
    /// binary, then ./target/ees).
    #[arg(long)]
    pub ees_dir: Option<PathBuf>,
}

impl EesArgs {
    /// The directory ([`ees_dir`]).
    pub fn dir(&self) -> anyhow::Result<PathBuf> {
        ees_dir(self.ees_dir.clone())
    }

    /// Reads the built EE `name` from it.
    pub fn read(&self, name: &str) -> anyhow::Result<Arc<[u8]>> {
        read_ee(&self.dir()?, name)
    }
}

/// Where built EEs live: `--ees-dir`, `$EE_WASM_DIR`, `<exe>/../ees` (target/ees for a
/// cargo-built `ee`), then `./target/ees`.
pub fn ees_dir(explicit: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(d) = explicit.or_else(|| std::env::var_os("EE_WASM_DIR").map(PathBuf::from)) {
        return Ok(d);
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent().and_then(|p| p.parent())
    {
        candidates.push(dir.join("ees"));
    }
    candidates.push(PathBuf::from("target/ees"));
    candidates.iter().find(|d| d.join("meta_ee.wasm").is_file()).cloned().with_context(|| {
        format!(
            "built EEs not found (looked in {}); run `cargo make build-ees` or pass --ees-dir",
            candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        )
    })
}

/// Reads the built EE `name` (`<dir>/<name>.wasm`).
pub fn read_ee(dir: &Path, name: &str) -> anyhow::Result<Arc<[u8]>> {
    Ok(read_input(&dir.join(format!("{name}.wasm")))?.into())
}

/// Reads a file a user names (a module, a scenario, a cost table, …): a regular file of at
/// most [`ee_host::files::MAX_INPUT_BYTES`], read with that bound.
pub fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    Ok(ee_host::files::read_bounded(path, ee_host::files::MAX_INPUT_BYTES)?)
}

/// [`read_input`] as UTF-8 text.
pub fn read_input_text(path: &Path) -> anyhow::Result<String> {
    Ok(ee_host::files::read_text_bounded(path, ee_host::files::MAX_INPUT_BYTES)?)
}

/// Largest key file read: an `ee keygen` file is about 250 bytes.
pub const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Reads and parses an `ee keygen` key file, at most [`MAX_KEY_FILE_BYTES`] of it (what
/// `ee deploy`, `ee vhee` and `ee bls sign` take).
pub fn read_key_file(path: &Path) -> anyhow::Result<ee_client::KeyFile> {
    let text = match ee_host::files::read_text_bounded(path, MAX_KEY_FILE_BYTES) {
        Err(ee_host::files::FileError::TooLarge { .. }) => {
            anyhow::bail!("{} is larger than a key file ({MAX_KEY_FILE_BYTES} bytes at most)", path.display())
        }
        r => r?,
    };
    serde_json::from_str(&text).with_context(|| format!("{} is not a key file", path.display()))
}

/// The devnet to talk to.
#[derive(clap::Args, Clone, Debug)]
pub struct RpcArgs {
    /// The devnet's JSON-RPC URL.
    #[arg(long, env = "EE_RPC", default_value = "http://127.0.0.1:8645", global = true)]
    pub rpc: String,
}

/// What every command sending transactions takes: the devnet, how long to wait for a
/// transaction, and the output format.
#[derive(clap::Args)]
pub struct SendArgs {
    /// Seconds to wait for the transaction.
    #[arg(long, global = true, default_value_t = 60)]
    pub wait: u64,
    /// The devnet to talk to.
    #[command(flatten)]
    pub rpc: RpcArgs,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = crate::output::Format::Table)]
    pub format: crate::output::Format,
}

impl RpcArgs {
    /// A client for it.
    pub fn client(&self) -> anyhow::Result<ee_client::Client<ee_client::HttpTransport>> {
        ee_client::Client::connect(&self.rpc).with_context(|| format!("connecting to {}", self.rpc))
    }
}
