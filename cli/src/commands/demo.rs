//! `ee demo`: seed 000's worked example from the built wasm EEs.
use super::run::{execute, print};
use super::shared::{ExecArgs, ees_dir};
use crate::output::Format;
use ee_host::scenario::Scenario;
use std::path::PathBuf;
use std::process::ExitCode;

/// The seed-000 scenario (wasm names are resolved in the EE directory).
const SEED_000: &str = include_str!("../../../../../scenarios/seed000.json");

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
    /// Directory of the built EEs (default: target/ees next to this binary).
    #[arg(long)]
    pub ees_dir: Option<PathBuf>,
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
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = ees_dir(args.ees_dir)?;
    if args.which == Which::Vhee {
        super::demo_vhee::run(&dir, &args.exec, args.format)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut scenario = Scenario::from_json(SEED_000)?;
    for ee in &mut scenario.ees {
        if let Some(w) = &ee.wasm {
            ee.wasm = Some(dir.join(w.file_name().unwrap_or(w.as_os_str())));
        }
    }
    let report = execute(&scenario, &args.exec)?;
    print(&report, args.format)?;
    Ok(ExitCode::SUCCESS)
}
