//! `ee deploy`: deploy an EE to a devnet.
use crate::args::RpcArgs;
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_client::NewExecutionScript;
use ee_host::abi::Role;
use ee_host::limits::Limits;
use ee_host::runtime::gatekeeper;
use ee_sdk::codec::Encode;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Deploy an EE: sign a `NewExecutionScript {sender, slot, code, pubkey, signature}` with
/// the key file and send it. Dry run by default: the node validates it exactly as a real
/// deployment (signature, sender, replay, the checks of `ee check`, compilation, deposit)
/// and reports the would-be EE id, code hash, gas and deposit without changing anything.
/// `--execute` submits it.
///
/// Example: `ee deploy target/ees/transfer_ee.wasm --key dev0.key` then the same with
/// `--execute`
#[derive(clap::Args)]
pub struct Args {
    /// The EE's wasm.
    pub wasm: PathBuf,
    /// Key file (`ee keygen`).
    #[arg(long)]
    pub key: PathBuf,
    /// Validator index depositing (default: the key file's `validator`).
    #[arg(long)]
    pub sender: Option<u64>,
    /// Submit the deployment (default: dry run).
    #[arg(long)]
    pub execute: bool,
    /// The devnet to talk to.
    #[command(flatten)]
    pub rpc: RpcArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let code = crate::args::read_input(&args.wasm)?;
    if let Err(e) = gatekeeper::check(&code, Role::Ee, &Limits::default()) {
        eprintln!("{}: fail", args.wasm.display());
        for p in &e.0 {
            eprintln!("  - {p}");
        }
        anyhow::bail!("{} would be refused (see `ee check`)", args.wasm.display());
    }
    let keyfile = crate::args::read_key_file(&args.key)?;
    let key = keyfile.key()?;
    let sender =
        args.sender.or(keyfile.validator).context("the key file names no validator: pass --sender")?;
    let client = args.rpc.client()?;
    let slot = client.head()?.slot;
    let script = NewExecutionScript::signed(sender, slot, code, &key).encode();
    let result = client.deploy_bytes(&script, args.execute)?;
    if args.format == Format::Json {
        print_json(out, &result)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = table(["", ""]);
    t.add_row(vec!["file".to_string(), args.wasm.display().to_string()]);
    t.add_row(vec!["EE id".to_string(), result.ee.to_string()]);
    t.add_row(vec!["code bytes".to_string(), result.code_bytes.to_string()]);
    t.add_row(vec!["code hash".to_string(), result.code_hash.clone()]);
    t.add_row(vec!["gas".to_string(), result.gas.to_string()]);
    t.add_row(vec!["deposit (Gwei)".to_string(), result.deposit.to_string()]);
    t.add_row(vec!["sender".to_string(), sender.to_string()]);
    writeln!(out, "{t}")?;
    if result.applied {
        writeln!(out, "deployed as EE {}", result.ee)?;
    } else if let Some(slot) = result.activation_slot {
        writeln!(
            out,
            "scheduled: every node of the network registers it as EE {} at the start of slot {slot} \
             (unless another deployment takes that id first: check `ee_getEe`)",
            result.ee
        )?;
    } else {
        writeln!(out, "dry run: valid; pass --execute to deploy")?;
    }
    Ok(ExitCode::SUCCESS)
}
