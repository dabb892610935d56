//! `ee keygen`: make a BLS key file.
use anyhow::Context;
use ee_host::crypto::SecretKey;
use ee_host::devnet::KeyFile;
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
    /// The devnet's well-known validator key N (seed `ee-devnet-N`).
    #[arg(long)]
    pub dev: Option<u64>,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = match args.dev {
        Some(i) => SecretKey::from_seed(format!("ee-devnet-{i}").as_bytes()),
        None => {
            let mut ikm = [0u8; 32];
            getrandom::fill(&mut ikm).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            SecretKey::from_ikm(&ikm).context("key generation")?
        }
    };
    let file = KeyFile::new(&key, args.dev);
    let text = serde_json::to_string_pretty(&file)? + "\n";
    match &args.out {
        None => print!("{text}"),
        Some(p) => {
            if p.exists() && !args.force {
                anyhow::bail!("{} exists (use --force to overwrite)", p.display());
            }
            write_private(p, &text).with_context(|| format!("writing {}", p.display()))?;
            println!("{}: public key {}", p.display(), file.public);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_private(path: &PathBuf, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(text.as_bytes())
}
