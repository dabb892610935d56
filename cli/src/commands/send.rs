//! `ee send`: submit a transaction to a devnet.
use crate::args::RpcArgs;
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_client::TxRequest;
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, ShardId, Transfer};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// Submit a transaction to a shard's mempool: raw `--data`, or `--transfer` entries for
/// transfer-EE style EEs (SCALE `Vec<Transfer>`). `--witness` first asks the node's state
/// provider what the transaction needs (witness bytes, gas); `--wait` waits for its block.
///
/// Example: `ee send --shard 0 --ee 1 --transfer 5000@2 --wait`
#[derive(clap::Args)]
pub struct Args {
    /// Shard.
    #[arg(long)]
    pub shard: u32,
    /// EE.
    #[arg(long)]
    pub ee: u32,
    /// Transaction data (hex).
    #[arg(long, conflicts_with = "transfer", required_unless_present = "transfer")]
    pub data: Option<String>,
    /// A transfer `AMOUNT@SHARD[:EE]` (repeatable).
    #[arg(long, value_parser = parse_transfer)]
    pub transfer: Vec<Transfer>,
    /// Print the state provider's witness report before sending.
    #[arg(long)]
    pub witness: bool,
    /// Wait (up to this many seconds) for the transaction's block.
    #[arg(long, num_args = 0..=1, default_missing_value = "30")]
    pub wait: Option<u64>,
    /// The devnet to talk to.
    #[command(flatten)]
    pub rpc: RpcArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn parse_transfer(s: &str) -> Result<Transfer, String> {
    let err = || format!("`{s}`: expected AMOUNT@SHARD or AMOUNT@SHARD:EE");
    let (amount, rest) = s.split_once('@').ok_or_else(err)?;
    let (shard, ee) = match rest.split_once(':') {
        Some((sh, ee)) => (sh, Some(ee.parse().map_err(|_| err())?)),
        None => (rest, None),
    };
    Ok(Transfer {
        amount: amount.parse().map_err(|_| err())?,
        shard: ShardId(shard.parse().map_err(|_| err())?),
        ee: ee.map(EeId),
    })
}

#[derive(Serialize)]
struct Report {
    hash: String,
    shard: u32,
    witness: Option<ee_client::WitnessInfo>,
    committed: Option<ee_client::TxLocation>,
    /// The meta-EE's decisions on this EE's outputs in that block.
    receipts: Vec<ee_client::ReceiptReport>,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let data = match &args.data {
        Some(d) => d.clone(),
        None => hex::encode(args.transfer.encode()),
    };
    let req = TxRequest { shard: args.shard, ee: args.ee, data };
    let client = args.rpc.client()?;
    let witness = if args.witness { Some(client.get_witness(req.clone())?) } else { None };
    let accepted = client.send_transaction(req)?;
    let committed = match args.wait {
        Some(secs) => Some(client.wait_for(&accepted.hash, Duration::from_secs(secs)).context("waiting")?),
        None => None,
    };
    let receipts = match &committed {
        Some(c) => {
            client.get_receipts(c.slot, c.shard)?.into_iter().filter(|r| r.source_ee == args.ee).collect()
        }
        None => Vec::new(),
    };
    let failed = committed.as_ref().is_some_and(|c| c.result.error.is_some());
    let report = Report { hash: accepted.hash, shard: accepted.shard, witness, committed, receipts };
    if args.format == Format::Json {
        print_json(out, &report)?;
    } else {
        writeln!(
            out,
            "sent {} to shard {} (mempool position {})",
            report.hash, report.shard, accepted.position
        )?;
        if let Some(w) = &report.witness {
            let mut t = table(["state provider", ""]);
            t.add_row(vec!["would succeed".to_string(), w.ok.to_string()]);
            t.add_row(vec!["gas".to_string(), w.gas.to_string()]);
            t.add_row(vec!["witness bytes".to_string(), w.witness_bytes.to_string()]);
            t.add_row(vec!["meta-EE multiproof bytes".to_string(), w.multiproof_bytes.to_string()]);
            if let Some(e) = &w.error {
                t.add_row(vec!["error".to_string(), e.clone()]);
            }
            writeln!(out, "{t}")?;
        }
        if let Some(c) = &report.committed {
            writeln!(
                out,
                "committed in slot {} shard {} at index {}: {} ({} gas, {} outputs)",
                c.slot,
                c.shard,
                c.index,
                c.result.error.as_deref().unwrap_or("ok"),
                c.result.gas,
                c.result.outputs
            )?;
            for r in &report.receipts {
                let target =
                    r.target.map_or("undecodable".into(), |(s, e, a)| format!("{a} to shard {s} EE {e}"));
                writeln!(
                    out,
                    "  EE {} output {}: {target}: {}",
                    r.source_ee,
                    r.index,
                    r.rejected.as_deref().unwrap_or("accepted")
                )?;
            }
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
