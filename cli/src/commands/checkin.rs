//! `ee checkin`: the data check-in EE on a devnet — commit a chain's data root with the
//! next sequence number, and query a check-in with an inclusion proof checked against
//! the chain's root of the EE.
use crate::following::{CatalogueArgs, Report, Session, keypair, root, who};
use anyhow::{Context, bail};
use ee_client::catalogue::data_checkin::CheckinError;
use ee_client::catalogue::data_checkin::client::{CheckinClient, checkin, verify_entry};
use ee_sdk::ShardId;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Use a data check-in EE (`ee deploy target/ees/data_checkin_ee.wasm`) on a devnet: an
/// operator (a rollup's, a Plasma chain's) commits its chain's data roots in sequence; a
/// verifier asks for one with its inclusion proof, which it checks against the EE's state
/// root on the shard as the chain reports it. The client keeps a copy of the EE's trees
/// (`--state`), replayed from the chain.
///
/// Example: `ee checkin --ee 4 commit --key op.key --chain 07…07 --root ab…ab --shard 1`
#[derive(clap::Args)]
pub struct Args {
    /// The operation.
    #[command(subcommand)]
    pub op: CheckinOp,
    /// EE id, state file, devnet, wait, format.
    #[command(flatten)]
    pub common: CatalogueArgs,
}

/// A check-in operation.
#[derive(clap::Subcommand)]
pub enum CheckinOp {
    /// Replays what the chain committed into the state file and prints the roots.
    Sync,
    /// Commits `--root` as the next check-in of `--chain` (signed by `--key`).
    Commit {
        /// The operator's key file.
        #[arg(long)]
        key: PathBuf,
        /// The chain checked in for (32 bytes, hex; any id the operator picks).
        #[arg(long)]
        chain: String,
        /// The data root committed (32 bytes, hex).
        #[arg(long)]
        root: String,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
    /// A check-in and its inclusion proof, verified against the chain's EE root.
    Query {
        /// The operator's key file …
        #[arg(long, conflicts_with = "operator")]
        key: Option<PathBuf>,
        /// … or public key (hex).
        #[arg(long)]
        operator: Option<String>,
        /// The chain (hex).
        #[arg(long)]
        chain: String,
        /// Which check-in (default the latest).
        #[arg(long)]
        seq: Option<u64>,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
}

fn refused(e: CheckinError) -> anyhow::Error {
    anyhow::anyhow!("the check-in EE would refuse it: {} (nothing was sent)", e.message())
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut s = Session::<CheckinClient>::open(&args.common)?;
    let ee = s.follower.ee;
    let report = match args.op {
        CheckinOp::Sync => s.sync_report(),
        CheckinOp::Commit { key, chain, root: data, shard } => {
            let (operator, chain, data) = (keypair(&key)?, root(&chain)?, root(&data)?);
            let seq = s.follower.client.seq(ShardId(shard), &operator.public, &chain) + 1;
            let c = checkin(&operator, chain, seq, data, ee, ShardId(shard));
            let view = s.follower.view(&s.client, ShardId(shard))?;
            let prepared = s.follower.client.prepare(c, &view).map_err(refused)?;
            let sent = s.send(shard, &prepared.transaction(ee))?;
            let now = s.follower.client.seq(ShardId(shard), &operator.public, &chain);
            Report::new(
                format!("check-in {seq} of chain {}", hex::encode(&chain[..6])),
                Some(sent),
                vec![("latest sequence number".into(), now.to_string())],
            )
        }
        CheckinOp::Query { key, operator, chain, seq, shard } => {
            let (operator, chain) =
                (who(key.as_deref(), operator.as_deref(), "the operator")?, root(&chain)?);
            let c = &s.follower.client;
            let latest = c.seq(ShardId(shard), &operator, &chain);
            let seq = seq.unwrap_or(latest);
            if seq == 0 || seq > latest {
                bail!("no check-in {seq} of that chain on shard {shard} (latest {latest})");
            }
            let proof = c.prove_entry(ShardId(shard), &operator, &chain, seq);
            let data = proof.leaves.first().map(|(_, v)| *v).context("an empty proof")?;
            // Checked against the root the chain reports, not the local copy's.
            let roots = s.client.get_roots(ee.0)?;
            let chain_root = roots
                .roots
                .get(shard as usize)
                .and_then(|r| crate::following::root(r).ok())
                .with_context(|| format!("no root of shard {shard}"))?;
            let ok = verify_entry(&chain_root, &operator, &chain, seq, &data, &proof);
            if !ok {
                bail!(
                    "the inclusion proof does not verify against the chain's root {}",
                    hex::encode(chain_root)
                );
            }
            Report::new(
                format!("check-in {seq} of {latest}: verified against the chain's root"),
                None,
                vec![
                    ("data root".into(), hex::encode(data)),
                    ("EE root on the shard".into(), hex::encode(chain_root)),
                    ("proof (SCALE witness)".into(), hex::encode(ee_sdk::codec::Encode::encode(&proof))),
                ],
            )
        }
    };
    report.print(args.common.net.format, out)
}
