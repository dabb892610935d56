//! `ee bls`: sign and verify with `blst`, the library the host verifies with — so a
//! client in another language (the JavaScript package, a wallet) can check its signatures
//! against the host's, both ways.
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Sign or verify BLS12-381 signatures with `blst` (Eth2's proof-of-possession
/// ciphersuite), exactly as the host's `bls_verify` checks them.
///
/// Example: `ee bls sign --key dev0.key --message 68656c6c6f`,
/// `ee bls verify --public PK --message 68656c6c6f --signature SIG`
#[derive(clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// `ee bls sign` or `ee bls verify`.
#[derive(clap::Subcommand)]
pub enum Action {
    /// Print the signature (hex) of a message by a key file's key.
    Sign {
        /// An `ee keygen` key file.
        #[arg(long)]
        key: PathBuf,
        /// The message, hex.
        #[arg(long)]
        message: String,
    },
    /// Exit 0 if the signature verifies, 1 if it does not (prints `valid`/`invalid`).
    Verify {
        /// The 48-byte public key, hex.
        #[arg(long)]
        public: String,
        /// The message, hex.
        #[arg(long)]
        message: String,
        /// The 96-byte signature, hex.
        #[arg(long)]
        signature: String,
    },
}

fn hex_arg(name: &str, text: &str) -> anyhow::Result<Vec<u8>> {
    hex::decode(text.trim_start_matches("0x")).with_context(|| format!("--{name} is not hex"))
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::Sign { key, message } => {
            let secret = crate::args::read_key_file(&key)?.key()?.to_bytes();
            let sk = blst::min_pk::SecretKey::from_bytes(&secret)
                .map_err(|e| anyhow::anyhow!("blst refuses the secret: {e:?}"))?;
            let sig = sk.sign(&hex_arg("message", &message)?, ee_host::crypto::DST, &[]).compress();
            writeln!(out, "{}", hex::encode(sig))?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Verify { public, message, signature } => {
            let ok = ee_host::crypto::bls_verify(
                &hex_arg("public", &public)?,
                &hex_arg("message", &message)?,
                &hex_arg("signature", &signature)?,
            );
            writeln!(out, "{}", if ok { "valid" } else { "invalid" })?;
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}
