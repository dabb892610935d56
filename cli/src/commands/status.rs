//! `ee status`: what a devnet holds.
use crate::args::RpcArgs;
use crate::output::{Format, matrix_table, print_block, print_json, short_hex, table};
use anyhow::Context;
use std::io::Write;
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
    /// The devnet to talk to.
    #[command(flatten)]
    pub rpc: RpcArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let client = args.rpc.client()?;
    let json = args.format == Format::Json;
    if let Some(id) = args.ee {
        let ee = client.get_ee(id)?;
        let matrix = client.get_matrix(id)?;
        if json {
            print_json(out, &serde_json::json!({ "ee": ee, "matrix": matrix }))?;
        } else {
            writeln!(
                out,
                "EE {} `{}` ({}), {} code bytes, code hash {}, deposit {} Gwei",
                ee.id, ee.name, ee.role, ee.code_bytes, ee.code_hash, ee.deposit
            )?;
            writeln!(out, "Balance matrix (row r = shard[r].balances, column c = funds for shard c):")?;
            writeln!(out, "{}", matrix_table(&format!("{} (EE {})", ee.name, ee.id), &matrix))?;
        }
    } else if let Some(b) = &args.block {
        let (slot, shard) = b.split_once(':').context("--block is SLOT:SHARD")?;
        let block = client.get_block(slot.parse().context("slot")?, shard.parse().context("shard")?)?;
        if json {
            print_json(out, &block)?;
        } else {
            print_block(out, &block)?;
        }
    } else if let Some(h) = &args.tx {
        let loc = client.get_transaction(h.clone())?;
        if json {
            print_json(out, &loc)?;
        } else {
            writeln!(
                out,
                "slot {} shard {} index {}: EE {}, {} gas, {} outputs, {}",
                loc.slot,
                loc.shard,
                loc.index,
                loc.result.ee,
                loc.result.gas,
                loc.result.outputs,
                loc.result.error.as_deref().unwrap_or("ok")
            )?;
        }
    } else if let Some(i) = args.validator {
        let v = client.get_validator(i)?;
        if json {
            print_json(out, &v)?;
        } else {
            writeln!(out, "validator {}: {} Gwei unlocked, key {}", v.index, v.balance, v.pubkey)?;
        }
    } else {
        let head = client.head()?;
        if json {
            print_json(out, &head)?;
        } else {
            writeln!(
                out,
                "next slot {} ({} ms slots), {} EEs, {} transactions committed",
                head.slot, head.slot_ms, head.ees, head.committed_txs
            )?;
            // A network node (`ee devnet --node`) says which shards it produces; a node
            // without the method (an older build) is simply a lone devnet here.
            let net = client.get_network().ok().filter(|n| n.network.is_some());
            if let Some(n) = &net {
                writeln!(
                    out,
                    "node of network {}: {} peers; {} slots caught up, {} foreign blocks rejected, {} shard-slots without a block",
                    n.network.as_deref().unwrap_or_default(),
                    n.peers,
                    n.caught_up,
                    n.rejected,
                    n.absent
                )?;
            }
            let mut t = table(["shard", "root", "pending", "produced by"]);
            for (s, (root, pending)) in head.shard_roots.iter().zip(&head.pending).enumerate() {
                let by = match &net {
                    Some(n) if n.owned.contains(&(s as u32)) => "this node",
                    Some(_) => "another node",
                    None => "this node",
                };
                t.add_row(vec![s.to_string(), short_hex(root), pending.to_string(), by.to_string()]);
            }
            writeln!(out, "{t}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
