//! `ee status`: what a devnet holds.
use super::shared::RpcArgs;
use crate::output::{Format, matrix_table, print_json, short_hex, table};
use anyhow::Context;
use std::process::ExitCode;

/// Show a devnet's head (slot, shard roots, pending transactions), or with options an EE
/// and its balance matrix, a block with its transactions and netting receipts, a
/// transaction, or a validator.
///
/// Example: `ee status`, `ee status --ee 1`, `ee status --block 3:0`, `ee status --tx HASH`
#[derive(clap::Args)]
pub struct Args {
    /// Show this EE and its balance matrix.
    #[arg(long)]
    pub ee: Option<u32>,
    /// Show block `SLOT:SHARD`.
    #[arg(long)]
    pub block: Option<String>,
    /// Show a transaction by hash.
    #[arg(long)]
    pub tx: Option<String>,
    /// Show a validator.
    #[arg(long)]
    pub validator: Option<u64>,
    #[command(flatten)]
    pub rpc: RpcArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let client = args.rpc.client()?;
    let json = args.format == Format::Json;
    if let Some(id) = args.ee {
        let ee = client.ee(id)?;
        let matrix = client.matrix(id)?;
        if json {
            print_json(&serde_json::json!({ "ee": ee, "matrix": matrix }))?;
        } else {
            println!(
                "EE {} `{}` ({}), {} code bytes, code hash {}, deposit {} Gwei",
                ee.id, ee.name, ee.role, ee.code_bytes, ee.code_hash, ee.deposit
            );
            println!("Balance matrix (row r = shard[r].balances, column c = funds for shard c):");
            println!("{}", matrix_table(&format!("{} (EE {})", ee.name, ee.id), &matrix));
        }
    } else if let Some(b) = &args.block {
        let (slot, shard) = b.split_once(':').context("--block is SLOT:SHARD")?;
        let block = client.block(slot.parse().context("slot")?, shard.parse().context("shard")?)?;
        if json {
            print_json(&block)?;
        } else {
            println!(
                "slot {} shard {}: {} → {}, hash {}, witness {} bytes",
                block.slot,
                block.shard,
                short_hex(&block.pre_root),
                short_hex(&block.post_root),
                short_hex(&block.hash),
                block.witness_bytes
            );
            let mut t = table(["#", "hash", "EE", "gas", "outputs", "result"]);
            for (i, tx) in block.transactions.iter().enumerate() {
                t.add_row(vec![
                    i.to_string(),
                    short_hex(&hex::encode(tx.hash)),
                    tx.ee.to_string(),
                    tx.gas.to_string(),
                    tx.outputs.to_string(),
                    tx.error.clone().unwrap_or_else(|| "ok".into()),
                ]);
            }
            println!("{t}");
            let mut t = table(["source EE", "output", "target (shard, EE, amount)", "decision"]);
            for r in &block.receipts {
                let target = r.target.map_or("undecodable".into(), |(s, e, a)| format!("({s}, {e}, {a})"));
                t.add_row(vec![
                    r.source_ee.to_string(),
                    r.index.to_string(),
                    target,
                    r.rejected.clone().unwrap_or_else(|| "accepted".into()),
                ]);
            }
            println!("{t}");
        }
    } else if let Some(h) = &args.tx {
        let loc = client.transaction(h)?;
        if json {
            print_json(&loc)?;
        } else {
            println!(
                "slot {} shard {} index {}: EE {}, {} gas, {} outputs, {}",
                loc.slot,
                loc.shard,
                loc.index,
                loc.result.ee,
                loc.result.gas,
                loc.result.outputs,
                loc.result.error.as_deref().unwrap_or("ok")
            );
        }
    } else if let Some(i) = args.validator {
        let v = client.validator(i)?;
        if json {
            print_json(&v)?;
        } else {
            println!("validator {}: {} Gwei unlocked, key {}", v.index, v.balance, v.pubkey);
        }
    } else {
        let head = client.head()?;
        if json {
            print_json(&head)?;
        } else {
            println!(
                "next slot {} ({} ms slots), {} EEs, {} transactions committed",
                head.slot, head.slot_ms, head.ees, head.committed_txs
            );
            let mut t = table(["shard", "root", "pending"]);
            for (s, (root, pending)) in head.shard_roots.iter().zip(&head.pending).enumerate() {
                t.add_row(vec![s.to_string(), short_hex(root), pending.to_string()]);
            }
            println!("{t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
