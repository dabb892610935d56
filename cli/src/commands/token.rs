//! `ee token`: the generic-asset EE on a devnet — mint, transfers, allowances, cross-shard
//! transfers and their claims, balances — with this client's followed copy of its trees.
use crate::following::{CatalogueArgs, Report, Session, keypair, pubkey, who};
use anyhow::{Context, bail};
use ee_client::catalogue::token::client::{TokenClient, claims, sign};
use ee_client::catalogue::token::{Op, TokenError};
use ee_sdk::ShardId;
use ee_sdk::codec::{DecodeAll, Encode};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Use a token EE (`ee deploy target/ees/token_ee.wasm`) on a devnet. A token is named by
/// its issuer's public key; accounts by theirs. The client keeps a copy of the EE's trees
/// (`--state`), replayed from the chain and checked against its roots, builds each
/// operation's witness from it, refuses locally what the EE would refuse, then sends,
/// waits and prints the balances moved.
///
/// Example: `ee keygen --out issuer.key && ee token --ee 3 mint --key issuer.key --to-key issuer.key --amount 1000 --shard 0`
#[derive(clap::Args)]
pub struct Args {
    /// The operation.
    #[command(subcommand)]
    pub op: TokenOp,
    /// EE id, state file, devnet, wait, format.
    #[command(flatten)]
    pub common: CatalogueArgs,
}

/// A token operation.
#[derive(clap::Subcommand)]
pub enum TokenOp {
    /// Replays what the chain committed into the state file and prints the roots.
    Sync,
    /// A holder's balance (and nonce) on a shard.
    Balance {
        /// The token (its issuer's public key, hex).
        #[arg(long)]
        token: String,
        /// The holder's key file …
        #[arg(long, conflicts_with = "holder")]
        key: Option<PathBuf>,
        /// … or public key (hex).
        #[arg(long)]
        holder: Option<String>,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
    /// The issuer (`--key`) creates units of its token for an account.
    Mint {
        /// The issuer's key file (the token is its public key).
        #[arg(long)]
        key: PathBuf,
        /// The credited account (hex public key) …
        #[arg(long, conflicts_with = "to_key")]
        to: Option<String>,
        /// … or its key file.
        #[arg(long)]
        to_key: Option<PathBuf>,
        /// Units.
        #[arg(long)]
        amount: u64,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
    /// A signed transfer on one shard.
    Transfer {
        /// The sender's key file.
        #[arg(long)]
        key: PathBuf,
        /// The token (issuer's public key, hex).
        #[arg(long)]
        token: String,
        /// The receiver (hex public key).
        #[arg(long)]
        to: String,
        /// Units.
        #[arg(long)]
        amount: u64,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
    /// The owner lets a spender move up to `--amount` of its tokens.
    Approve {
        /// The owner's key file.
        #[arg(long)]
        key: PathBuf,
        /// The token.
        #[arg(long)]
        token: String,
        /// Who may spend (hex public key).
        #[arg(long)]
        spender: String,
        /// Units allowed (replaces an earlier allowance).
        #[arg(long)]
        amount: u64,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
    /// The spender moves an owner's tokens within its allowance.
    TransferFrom {
        /// The spender's key file.
        #[arg(long)]
        key: PathBuf,
        /// The token.
        #[arg(long)]
        token: String,
        /// Whose tokens (hex public key).
        #[arg(long)]
        owner: String,
        /// The receiver (hex public key).
        #[arg(long)]
        to: String,
        /// Units.
        #[arg(long)]
        amount: u64,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
    /// Sends tokens to accounts on another shard; writes the claims to `--out`.
    SendCross {
        /// The sender's key file.
        #[arg(long)]
        key: PathBuf,
        /// The token.
        #[arg(long)]
        token: String,
        /// The shard it is sent from.
        #[arg(long)]
        shard: u32,
        /// The shard the receipts are claimed on.
        #[arg(long)]
        to_shard: u32,
        /// `PUBKEY:UNITS`; repeat for several receivers.
        #[arg(long = "receipt", required = true)]
        receipts: Vec<String>,
        /// The claims file to write (JSON).
        #[arg(long)]
        out: PathBuf,
    },
    /// Claims receipt `--index` of a claims file on its target shard (anyone may), once
    /// the meta-EE accepted the message (waits for it up to `--wait`).
    Claim {
        /// The file `send-cross` wrote.
        #[arg(long)]
        claims: PathBuf,
        /// Which receipt.
        #[arg(long)]
        index: usize,
    },
}

/// What `send-cross` writes and `claim` reads.
#[derive(Serialize, Deserialize)]
struct ClaimsFile {
    ee: u32,
    source_shard: u32,
    target_shard: u32,
    data_root: String,
    /// SCALE `Op::Claim`s (hex), one per receipt.
    claims: Vec<String>,
}

fn refused(e: TokenError) -> anyhow::Error {
    anyhow::anyhow!("the token EE would refuse it: {} (nothing was sent)", e.message())
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut s = Session::<TokenClient>::open(&args.common)?;
    let ee = s.follower.ee;
    let short = |k: &[u8; 48]| hex::encode(&k[..6]);
    let balance_row = |s: &Session<TokenClient>, shard: u32, token: &[u8; 48], holder: &[u8; 48]| {
        let c = &s.follower.client;
        (
            format!("{} on shard {shard}", short(holder)),
            format!(
                "{} units (nonce {})",
                c.balance(ShardId(shard), token, holder),
                c.nonce(ShardId(shard), holder)
            ),
        )
    };
    // Signs `op` for `shard`, prepares it on the followed trees and sends it.
    let send = |s: &mut Session<TokenClient>, op: Op, key: Option<&ee_sdk::client::Keypair>, shard: u32| {
        let op = match key {
            Some(k) => sign(op, k, ee, ShardId(shard)),
            None => op,
        };
        let claim = match &op {
            Op::Claim { source_shard, data_root, .. } => Some((*source_shard, *data_root)),
            _ => None,
        };
        let view = s.follower.view(&s.client, ShardId(shard))?;
        let view = s.follower.with_claim(&s.client, view, claim)?;
        let prepared = s.follower.client.prepare(op, &view).map_err(refused)?;
        s.send(shard, &prepared.transaction(ee))
    };
    let report = match args.op {
        TokenOp::Sync => s.sync_report(),
        TokenOp::Balance { token, key, holder, shard } => {
            let (token, holder) = (pubkey(&token)?, who(key.as_deref(), holder.as_deref(), "the holder")?);
            Report::new("balance", None, vec![balance_row(&s, shard, &token, &holder)])
        }
        TokenOp::Mint { key, to, to_key, amount, shard } => {
            let issuer = keypair(&key)?;
            let to = who(to_key.as_deref(), to.as_deref(), "the credited account (--to or --to-key)")?;
            let nonce = s.follower.client.nonce(ShardId(shard), &issuer.public);
            let op = Op::Mint { token: issuer.public, to, amount, nonce, signature: [0; 96] };
            let sent = send(&mut s, op, Some(&issuer), shard)?;
            let t = issuer.public;
            let minted = s.follower.client.minted(ShardId(shard), &t);
            Report::new(
                format!("mint {amount} of token {}", short(&t)),
                Some(sent),
                vec![balance_row(&s, shard, &t, &to), ("minted on the shard".into(), minted.to_string())],
            )
        }
        TokenOp::Transfer { key, token, to, amount, shard } => {
            let (from, token, to) = (keypair(&key)?, pubkey(&token)?, pubkey(&to)?);
            let nonce = s.follower.client.nonce(ShardId(shard), &from.public);
            let op = Op::Transfer { token, from: from.public, to, amount, nonce, signature: [0; 96] };
            let sent = send(&mut s, op, Some(&from), shard)?;
            Report::new(
                "transfer",
                Some(sent),
                vec![balance_row(&s, shard, &token, &from.public), balance_row(&s, shard, &token, &to)],
            )
        }
        TokenOp::Approve { key, token, spender, amount, shard } => {
            let (owner, token, spender) = (keypair(&key)?, pubkey(&token)?, pubkey(&spender)?);
            let nonce = s.follower.client.nonce(ShardId(shard), &owner.public);
            let op = Op::Approve { token, owner: owner.public, spender, amount, nonce, signature: [0; 96] };
            let sent = send(&mut s, op, Some(&owner), shard)?;
            let left = s.follower.client.allowance(ShardId(shard), &token, &owner.public, &spender);
            Report::new(
                "approve",
                Some(sent),
                vec![(format!("allowance of {}", short(&spender)), left.to_string())],
            )
        }
        TokenOp::TransferFrom { key, token, owner, to, amount, shard } => {
            let (spender, token, owner, to) =
                (keypair(&key)?, pubkey(&token)?, pubkey(&owner)?, pubkey(&to)?);
            let nonce = s.follower.client.nonce(ShardId(shard), &spender.public);
            let op = Op::TransferFrom {
                token,
                spender: spender.public,
                owner,
                to,
                amount,
                nonce,
                signature: [0; 96],
            };
            let sent = send(&mut s, op, Some(&spender), shard)?;
            let left = s.follower.client.allowance(ShardId(shard), &token, &owner, &spender.public);
            Report::new(
                "transfer-from",
                Some(sent),
                vec![
                    balance_row(&s, shard, &token, &owner),
                    balance_row(&s, shard, &token, &to),
                    (format!("allowance of {}", short(&spender.public)), left.to_string()),
                ],
            )
        }
        TokenOp::SendCross { key, token, shard, to_shard, receipts, out: file } => {
            let (from, token) = (keypair(&key)?, pubkey(&token)?);
            let to = receipts
                .iter()
                .map(|r| {
                    let (k, a) =
                        r.split_once(':').with_context(|| format!("`{r}`: expected PUBKEY:UNITS"))?;
                    Ok((pubkey(k)?, a.parse::<u64>().with_context(|| format!("`{a}`: units"))?))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let nonce = s.follower.client.nonce(ShardId(shard), &from.public);
            let op = Op::CrossShard {
                token,
                from: from.public,
                target_shard: ShardId(to_shard),
                to,
                nonce,
                signature: [0; 96],
            };
            let (root, list) = claims(ShardId(shard), &op).context("the receipts do not form a tree")?;
            let sent = send(&mut s, op, Some(&from), shard)?;
            if sent.error.is_none() {
                let saved = ClaimsFile {
                    ee: ee.0,
                    source_shard: shard,
                    target_shard: to_shard,
                    data_root: hex::encode(root),
                    claims: list.iter().map(|c| hex::encode(c.encode())).collect(),
                };
                std::fs::write(&file, serde_json::to_string_pretty(&saved)?)
                    .with_context(|| format!("writing {}", file.display()))?;
            }
            Report::new(
                format!("cross-shard to shard {to_shard}, claims in {}", file.display()),
                Some(sent),
                vec![balance_row(&s, shard, &token, &from.public)],
            )
        }
        TokenOp::Claim { claims: path, index } => {
            let text = crate::args::read_input_text(&path)?;
            let file: ClaimsFile =
                serde_json::from_str(&text).context("a claims file of `ee token send-cross`")?;
            if file.ee != ee.0 {
                bail!("{} holds claims of token EE {}, not {}", path.display(), file.ee, ee.0);
            }
            let hex_op = file.claims.get(index).with_context(|| format!("no claim {index}"))?;
            let op = Op::decode_all(&mut &hex::decode(hex_op)?[..]).context("a SCALE claim")?;
            let Op::Claim { receipt, data_root, .. } = &op else { bail!("claim {index} is not a claim") };
            let (token, to) = (receipt.token, receipt.to);
            // The meta-EE accepts the message in the sending slot; the target reads it
            // once that slot is committed.
            let deadline = Instant::now().checked_add(Duration::from_secs(args.common.net.wait));
            while s.client.get_messages(
                file.source_shard,
                file.target_shard,
                ee.0,
                ee.0,
                ee_client::Hex(data_root.to_vec()),
            )? == 0
            {
                if deadline.is_some_and(|d| Instant::now() > d) {
                    bail!("the meta-EE on shard {} has not accepted the message yet", file.source_shard);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let sent = send(&mut s, op, None, file.target_shard)?;
            Report::new(
                format!("claim {index}"),
                Some(sent),
                vec![balance_row(&s, file.target_shard, &token, &to)],
            )
        }
    };
    report.print(args.common.net.format, out)
}
