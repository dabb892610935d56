//! `ee run SCENARIO`: runs a JSON scenario and prints matrices, gas and the meta-EE's
//! accept/reject report.
use crate::args::ExecArgs;
use crate::output::{Format, print_block, print_json, print_matrices};
use anyhow::Context;
use ee_host::scenario::{RunReport, Scenario, chain_for, run_scenario};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

mod scout;

/// Run a scenario: JSON (shards, EEs with wasm paths and initial matrices, blocks) or
/// ewasm Scout's YAML test vectors (`.yaml`/`.yml`), which fail (exit 1, with a diff) when
/// the post-state or the deposits do not match.
///
/// Example: `ee run scenarios/seed000.json --format json`,
/// `ee run scenarios/scout/hasher.yaml --repeat 100`
#[derive(clap::Args)]
pub struct Args {
    /// Scenario file (wasm paths inside are relative to it).
    pub scenario: PathBuf,
    /// Engine, prices and limits.
    #[command(flatten)]
    pub exec: ExecArgs,
    /// Scout vectors: run them this many times (fresh state, warm module cache) and report
    /// the median per-block time.
    #[arg(long, default_value_t = 1)]
    pub repeat: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    if matches!(args.scenario.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
        return scout::run(out, &args.scenario, &args.exec, args.repeat, args.format);
    }
    let scenario = Scenario::from_path(&args.scenario)
        .with_context(|| format!("loading {}", args.scenario.display()))?;
    let report = execute(&scenario, &args.exec)?;
    print(out, &report, args.format)?;
    Ok(ExitCode::SUCCESS)
}

/// Builds the world for `scenario` from its wasm files and runs it.
pub fn execute(scenario: &Scenario, exec: &ExecArgs) -> anyhow::Result<RunReport> {
    let config = exec.config(scenario.limits.as_ref())?;
    let world = scenario.build_world(Scenario::read_wasm)?;
    let runtime = exec.runtime(&config);
    let mut chain = chain_for(scenario, world, runtime, config);
    Ok(run_scenario(scenario, &mut chain, exec.engine.0.name())?)
}

/// Prints a run report in `format`.
pub fn print(out: &mut dyn Write, report: &RunReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        return print_json(out, report);
    }
    writeln!(out, "{} — engine {}, {} shards\n", report.scenario, report.engine, report.shards)?;
    writeln!(out, "Initial matrices (row r = shard[r].balances, column c = funds for shard c):")?;
    print_matrices(out, &report.initial)?;
    for b in &report.blocks {
        print_block(out, b)?;
    }
    writeln!(out, "\nFinal matrices:")?;
    print_matrices(out, &report.final_)?;
    writeln!(out, "\nTotal over all matrices: {}", report.total_supply)?;
    Ok(())
}
