//! `ee run SCENARIO`: runs a JSON scenario and prints matrices, gas and the meta-EE's
//! accept/reject report.
use super::shared::ExecArgs;
use crate::output::{Format, matrix_table, print_json, short_hex, table};
use anyhow::Context;
use ee_host::scenario::{MatrixReport, RunReport, Scenario, chain_for, run_scenario};
use std::path::PathBuf;
use std::process::ExitCode;

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
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if matches!(args.scenario.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
        return super::scout::run(&args.scenario, &args.exec, args.repeat, args.format);
    }
    let scenario = Scenario::from_path(&args.scenario)
        .with_context(|| format!("loading {}", args.scenario.display()))?;
    let report = execute(&scenario, &args.exec)?;
    print(&report, args.format)?;
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
pub fn print(report: &RunReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        return print_json(report);
    }
    println!("{} — engine {}, {} shards\n", report.scenario, report.engine, report.shards);
    println!("Initial matrices (row r = shard[r].balances, column c = funds for shard c):");
    print_matrices(&report.initial);
    for b in &report.blocks {
        println!(
            "\nBlock slot {} shard {}: root {} → {}, gas {}",
            b.slot,
            b.shard,
            short_hex(&b.pre_root),
            short_hex(&b.post_root),
            b.gas
        );
        let mut t = table(["#", "EE", "result", "gas", "host gas", "outputs", "compile µs", "exec µs"]);
        for tx in &b.transactions {
            t.add_row(vec![
                tx.index.to_string(),
                format!("{} ({})", tx.name, tx.ee),
                tx.error.clone().unwrap_or_else(|| "ok".into()),
                tx.gas_used.to_string(),
                tx.host_gas.to_string(),
                tx.outputs.to_string(),
                tx.compile_us.to_string(),
                tx.execute_us.to_string(),
            ]);
        }
        println!("{t}");
        if !b.netting.is_empty() {
            let mut t = table(["from EE", "output", "to shard", "to EE", "amount", "meta-EE"]);
            for r in &b.netting {
                let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
                t.add_row(vec![
                    r.source_ee.to_string(),
                    r.index.to_string(),
                    opt(r.target_shard.map(u64::from)),
                    opt(r.target_ee.map(u64::from)),
                    opt(r.amount),
                    match &r.reason {
                        Some(why) => format!("rejected: {why}"),
                        None => r.status.clone(),
                    },
                ]);
            }
            println!("{t}");
        }
    }
    println!("\nFinal matrices:");
    print_matrices(&report.final_);
    println!("\nTotal over all matrices: {}", report.total_supply);
    Ok(())
}

fn print_matrices(ms: &[MatrixReport]) {
    for m in ms {
        println!("{}", matrix_table(&format!("{} (EE {})", m.name, m.ee), &m.rows));
    }
}
