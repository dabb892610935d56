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
///
/// Example: `ee demo --format json`, `ee demo vhee`
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
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let dir = args.ees.dir()?;
    if args.which == Which::Vhee {
        vhee_walkthrough(out, &dir, &args.exec, args.format)?;
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
