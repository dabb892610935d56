//! `ee keygen`: make a BLS key file.
use anyhow::Context;
use ee_client::{KeyFile, SecretKey};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Make a BLS12-381 key file for `ee deploy` (JSON: secret, public, validator). A random
/// key by default (register it at genesis with `ee devnet --validator PUBLIC`); `--dev N`
/// writes the well-known key of the devnet's validator N.
///
/// Example: `ee keygen --dev 0 --out dev0.key`, `ee keygen --out my.key`
#[derive(clap::Args)]
pub struct Args {
    /// Write here (mode 0600) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The devnet's well-known key of genesis validator 0 (10,000 ETH) or 1 (1 ETH).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=1))]
    pub dev: Option<u64>,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let key = match args.dev {
        Some(i) => ee_client::keys::dev_key(i),
        None => {
            let mut ikm = [0u8; 32];
            getrandom::fill(&mut ikm).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            SecretKey::from_ikm(&ikm).context("key generation")?
        }
    };
    let file = KeyFile::new(&key, args.dev);
    let text = serde_json::to_string_pretty(&file)? + "\n";
    match &args.out {
        None => write!(out, "{text}")?,
        Some(p) => {
            if p.exists() && !args.force {
                anyhow::bail!("{} exists (use --force to overwrite)", p.display());
            }
            write_private(p, &text).with_context(|| format!("writing {}", p.display()))?;
            writeln!(out, "{}: public key {}", p.display(), file.public)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_private(path: &PathBuf, text: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(path)?;
    // `mode` applies only to a new file; an overwritten one is narrowed too.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(text.as_bytes())
}
