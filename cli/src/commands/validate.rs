//! `ee validate`: a stateless validator following a running devnet.
use crate::args::RpcArgs;
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_devnet::{Follower, SlotCheck};
use ee_host::runtime::EngineKind;
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Follow a devnet from genesis as a stateless validator: fetch every shard's block of
/// every slot with its witness over RPC, run it from the roots alone (the node's state is
/// never read), and compare the post-state root with the one the node committed. Exits 1
/// on the first invalid block or root mismatch; with `--until-slot N`, exits 0 once slot N
/// is validated (otherwise it follows until interrupted).
///
/// Example: `ee validate --until-slot 200`, `ee validate --rpc http://127.0.0.1:8645 --format json --until-slot 10`
#[derive(clap::Args)]
pub struct Args {
    /// Stop after validating this slot.
    #[arg(long)]
    pub until_slot: Option<u64>,
    /// Wasm compiler for the EEs (singlepass: linear-time compilation of untrusted code).
    #[arg(long, default_value = "singlepass")]
    pub engine: String,
    /// Give up if no new slot arrives for this many seconds.
    #[arg(long, default_value_t = 60)]
    pub idle_timeout: u64,
    /// The devnet to talk to.
    #[command(flatten)]
    pub rpc: RpcArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// What `ee validate` prints.
#[derive(Serialize)]
struct Summary {
    slots_validated: u64,
    blocks: u64,
    root_mismatches: u64,
    witness_bytes_per_block: f64,
    meta_bytes_per_block: f64,
    slots_per_second: f64,
    error: Option<String>,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let engine =
        EngineKind::parse(&args.engine).with_context(|| format!("unknown engine `{}`", args.engine))?;
    let client = args.rpc.client()?;
    let mut follower = Follower::new(client, engine).context("starting from the node's genesis")?;

    let mut checks: Vec<SlotCheck> = Vec::new();
    let mut idle_since = Instant::now();
    let mut error = None;
    loop {
        if args.until_slot.is_some_and(|n| follower.next_slot() > n) {
            break;
        }
        match follower.step() {
            Ok(Some(check)) => {
                tracing::info!(slot = check.slot, micros = check.micros, "slot validated");
                checks.push(check);
                idle_since = Instant::now();
            }
            Ok(None) => {
                if idle_since.elapsed() > Duration::from_secs(args.idle_timeout) {
                    error = Some(format!("no new slot for {} s", args.idle_timeout));
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    let blocks: u64 = checks.iter().map(|c| c.blocks.len() as u64).sum();
    let per_block = |f: fn(&ee_devnet::follower::BlockCheck) -> usize| {
        let total: usize = checks.iter().flat_map(|c| &c.blocks).map(f).sum();
        if blocks == 0 { 0.0 } else { total as f64 / blocks as f64 }
    };
    let busy: u64 = checks.iter().map(|c| c.micros).sum();
    let summary = Summary {
        slots_validated: checks.len() as u64,
        blocks,
        root_mismatches: u64::from(error.as_deref().is_some_and(|e| e.contains("validated root"))),
        witness_bytes_per_block: per_block(|b| b.witness_bytes),
        meta_bytes_per_block: per_block(|b| b.meta_bytes),
        slots_per_second: if busy == 0 { 0.0 } else { checks.len() as f64 / (busy as f64 / 1e6) },
        error: error.clone(),
    };
    if args.format == Format::Json {
        print_json(out, &summary)?;
    } else {
        let mut t = table(["validated", ""]);
        t.add_row(vec!["slots".to_string(), summary.slots_validated.to_string()]);
        t.add_row(vec!["blocks".to_string(), summary.blocks.to_string()]);
        t.add_row(vec!["root mismatches".to_string(), summary.root_mismatches.to_string()]);
        t.add_row(vec![
            "witness bytes per block".to_string(),
            format!("{:.0}", summary.witness_bytes_per_block),
        ]);
        t.add_row(vec![
            "meta-EE proof bytes per block".to_string(),
            format!("{:.0}", summary.meta_bytes_per_block),
        ]);
        t.add_row(vec!["slots/s (fetch + validate)".to_string(), format!("{:.1}", summary.slots_per_second)]);
        writeln!(out, "{t}")?;
    }
    match error {
        None => Ok(ExitCode::SUCCESS),
        Some(e) => {
            anyhow::bail!("stopped at slot {}: {e}", follower.next_slot())
        }
    }
}
