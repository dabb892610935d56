//! `ee demo`: seed 000's worked example from the built wasm EEs.
use super::run::{execute, print};
use crate::args::{EesArgs, ExecArgs, read_ee};
use crate::output::{Format, print_json, table};
use ee_host::scenario::Scenario;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use vhee::walkthrough;

/// The seed-000 scenario (wasm names are resolved in the EE directory).
const SEED_000: &str = include_str!("../../../scenarios/seed000.json");

/// Run a demo from the built wasm EEs.
///
/// `seed000` (default): EE0 and EE1 each send 1 from shard 0 to shard 1; the meta-EE nets
/// both; matrices go from [[3,0],[0,0]] to [[2,1],[0,0]].
/// `vhee`: the VHEE walk-through — deposit, transfer, cross-shard transfer, claim, replayed
/// claim, over-claim — with balances after every step.
/// `devnet`: the same story on a devnet over RPC — validator deposits, signed operations
/// with proofs from the state provider, fees — with a stateless validator following the
/// chain; on the devnet at `--rpc`, or on one started here (4 shards, 50 ms slots).
///
/// Example: `ee demo --format json`, `ee demo vhee`, `ee demo devnet`
#[derive(clap::Args)]
pub struct Args {
    /// Which demo.
    #[arg(value_enum, default_value_t = Which::Seed000)]
    pub which: Which,
    /// Where the built EEs are.
    #[command(flatten)]
    pub ees: EesArgs,
    /// Engine, prices and limits.
    #[command(flatten)]
    pub exec: ExecArgs,
    /// `devnet`: the devnet to run on (default: start one here).
    #[arg(long)]
    pub rpc: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// The demos.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// Seed 000's netting example.
    Seed000,
    /// The VHEE walk-through.
    Vhee,
    /// The VHEE walk-through on a devnet, over RPC.
    Devnet,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let dir = args.ees.dir()?;
    if args.which == Which::Vhee {
        vhee_walkthrough(out, &dir, &args.exec, args.format)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.which == Which::Devnet {
        devnet_walkthrough(out, &dir, args.rpc.as_deref(), args.format)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut scenario = Scenario::from_json(SEED_000)?;
    for ee in &mut scenario.ees {
        if let Some(w) = &ee.wasm {
            ee.wasm = Some(dir.join(w.file_name().unwrap_or(w.as_os_str())));
        }
    }
    let report = execute(&scenario, &args.exec)?;
    print(out, &report, args.format)?;
    Ok(ExitCode::SUCCESS)
}

/// `ee demo vhee`: runs `vhee::walkthrough` on the built EEs and prints its steps.
fn vhee_walkthrough(out: &mut dyn Write, dir: &Path, exec: &ExecArgs, format: Format) -> anyhow::Result<()> {
    let read = |name: &str| read_ee(dir, name);
    let code = walkthrough::Code { vhee: read("vhee")?, relay: read("relay_ee")?, meta: read("meta_ee")? };
    let config = exec.config(None)?;
    let steps = walkthrough::run(&code, exec.runtime(&config), config)?;
    if format == Format::Json {
        return print_json(out, &steps);
    }
    writeln!(out, "VHEE walk-through (engine {}, balances in ETH; JSON has Gwei)\n", exec.engine)?;
    let mut t = table(["step", "result", "gas", "alice@0", "bob@0", "carol@1", "dave@1", "VHEE real 0 / 1"]);
    for s in &steps {
        let mut row = vec![s.step.clone(), s.result.clone(), s.gas.to_string()];
        row.extend(s.balances.iter().map(|b| eth(i128::from(b.balance))));
        row.push(format!("{} / {}", eth(s.vhee_real_balance[0]), eth(s.vhee_real_balance[1])));
        t.add_row(row);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

/// `ee demo devnet`: the VHEE story over RPC, with a stateless validator following.
fn devnet_walkthrough(
    out: &mut dyn Write,
    dir: &Path,
    rpc: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    use ee_devnet::{Genesis, Node, NodeConfig, ServeConfig, TRANSFER_EE, VHEE_EE};
    // A devnet of our own unless one was named (in a temporary directory, validating its
    // own blocks).
    let scratch;
    let own = match rpc {
        Some(_) => None,
        None => {
            scratch = std::env::temp_dir().join(format!("ee-demo-devnet-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&scratch);
            let mut config = NodeConfig::new(scratch.join("devnet.redb"));
            config.slot_ms = 50;
            config.validate = true;
            let genesis = Genesis {
                meta_ee: read_ee(dir, "meta_ee")?,
                vhee: read_ee(dir, "vhee")?,
                vhee_float: Genesis::VHEE_FLOAT,
                transfer_ee: read_ee(dir, "transfer_ee")?,
                transfer_balance: 1_000_000_000_000,
                validators: Genesis::dev_validators(),
            };
            let node = std::sync::Arc::new(Node::open(config, Some(genesis))?);
            let serve = ServeConfig::new("127.0.0.1:0".parse()?, &node);
            Some(ee_devnet::serve(node, serve)?)
        }
    };
    let url = rpc.map(str::to_string).unwrap_or_else(|| own.as_ref().map(|d| d.url()).unwrap_or_default());
    let client = ee_client::Client::connect(&url)?;
    let relay = read_ee(dir, "relay_ee")?.to_vec();
    let steps = ee_client::vhee::walkthrough(&client, VHEE_EE, TRANSFER_EE, relay)?;
    // A stateless validator follows the chain from genesis to here.
    let mut follower = ee_devnet::Follower::new(
        ee_client::Client::connect(&url)?,
        ee_host::runtime::EngineKind::Singlepass,
    )?;
    let mut validated = 0u64;
    while follower.step()?.is_some() {
        validated += 1;
    }
    if format == Format::Json {
        #[derive(serde::Serialize)]
        struct Report<'a> {
            steps: &'a [ee_client::vhee::Step],
            slots_validated: u64,
        }
        return print_json(out, &Report { steps: &steps, slots_validated: validated });
    }
    writeln!(out, "VHEE on a devnet ({url}), balances in ETH, fees in Gwei\n")?;
    let mut header =
        vec!["step".to_string(), "result".into(), "gas".into(), "fee".into(), "fees so far".into()];
    header.extend(
        steps
            .first()
            .map(|s| s.balances.iter().map(|(n, sh, _)| format!("{n}@{sh}")).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    let mut t = table(header);
    for s in &steps {
        let mut row = vec![
            s.step.clone(),
            s.result.clone(),
            s.gas.to_string(),
            s.fee.to_string(),
            s.fees_total.to_string(),
        ];
        row.extend(s.balances.iter().map(|(_, _, b)| eth(i128::from(*b))));
        t.add_row(row);
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "A stateless validator followed {validated} slots from genesis: every block valid, every root equal."
    )?;
    drop(own);
    Ok(())
}

/// Gwei as ETH, exact (`32`, `0.5`).
fn eth(gwei: i128) -> String {
    const GWEI: i128 = 1_000_000_000;
    let (whole, frac) = (gwei / GWEI, (gwei % GWEI).abs());
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:09}").trim_end_matches('0'))
    }
}
