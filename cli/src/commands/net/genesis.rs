//! `ee net genesis`: write a network's genesis file.
use crate::args::{EesArgs, read_ee};
use anyhow::Context;
use ee_devnet::Genesis;
use ee_devnet::net::NetGenesis;
use ee_devnet::net::genesis::code_hash;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

/// The genesis every node of a network is started with: shards, slot length, the
/// wall-clock start of slot 0, the genesis EEs by code hash (of this build's `target/ees`)
/// and the validators (the devnet's two dev validators and any `--validator`).
#[derive(clap::Args)]
pub struct Args {
    /// Where to write it.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Shards.
    #[arg(long, default_value_t = 16)]
    pub shards: u32,
    /// Slot length in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub slot_ms: u64,
    /// Slot 0 starts this many milliseconds from now.
    #[arg(long, default_value_t = 3000)]
    pub start_in_ms: u64,
    /// Transfer-EE balance per shard at genesis (Gwei).
    #[arg(long, default_value_t = 1_000_000_000_000)]
    pub transfer_balance: i64,
    /// Extra validators (hex BLS public keys, 10,000 ETH each; indices 2, 3, …).
    #[arg(long = "validator")]
    pub validators: Vec<String>,
    /// Where the built EEs are.
    #[command(flatten)]
    pub ees: EesArgs,
}

/// Builds the genesis `args` describe.
pub fn genesis(args: &Args) -> anyhow::Result<NetGenesis> {
    if args.shards == 0 || args.shards > ee_host::limits::MAX_SHARDS {
        anyhow::bail!("{} shards: choose 1 to {}", args.shards, ee_host::limits::MAX_SHARDS);
    }
    if args.slot_ms == 0 {
        anyhow::bail!("--slot-ms must be positive");
    }
    let dir = args.ees.dir()?;
    let hash = |name: &str| read_ee(&dir, name).map(|c| code_hash(&c));
    let mut validators: Vec<(String, u64)> =
        Genesis::dev_validators().iter().map(|v| (hex::encode(v.pubkey), v.balance)).collect();
    for v in &args.validators {
        let key = hex::decode(v.trim_start_matches("0x")).ok().filter(|b| b.len() == 48);
        let key = key.with_context(|| format!("--validator {v}: not a 48-byte hex public key"))?;
        validators.push((hex::encode(key), 10_000 * 1_000_000_000));
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as u64;
    Ok(NetGenesis {
        shards: args.shards,
        slot_ms: args.slot_ms,
        genesis_time_ms: now + args.start_in_ms,
        transfer_balance: args.transfer_balance,
        meta_ee: hash("meta_ee")?,
        vhee: hash("vhee")?,
        transfer_ee: hash("transfer_ee")?,
        validators,
    })
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let g = genesis(&args)?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    g.write(&args.out)?;
    writeln!(
        out,
        "genesis: {} (network {}, {} shards, {} ms slots)",
        args.out.display(),
        g.network_id(),
        g.shards,
        g.slot_ms
    )?;
    Ok(ExitCode::SUCCESS)
}
