//! `ee gas WASM --scenario FILE`: a profiler's table of where an EE's gas goes.
use crate::args::ExecArgs;
use crate::output::{Format, print_json, table};
use anyhow::{Context, bail};
use ee_host::abi::Role;
use ee_host::exec::TxReport;
use ee_host::gas::OpCategory;
use ee_host::scenario::{Scenario, chain_for};
use ee_sdk::EeId;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Run a scenario with WASM as one of its EEs and report that EE's gas: per transaction,
/// per host function (calls and gas), per instruction category and per function (the
/// costliest `--functions`, named from the module's name section or the names file `ee
/// build` keeps beside it). The EE is `--ee`, or
/// else the scenario's only non-meta EE without a `wasm` path, or the first non-meta EE.
///
/// Example: `ee gas target/ees/transfer_ee.wasm --scenario scenarios/seed000.json --ee 0`
#[derive(clap::Args)]
pub struct Args {
    /// The EE to measure.
    pub wasm: PathBuf,
    /// Scenario (JSON) to run it in.
    #[arg(long)]
    pub scenario: PathBuf,
    /// The scenario's EE id the WASM plays.
    #[arg(long)]
    pub ee: Option<u32>,
    /// How many of the costliest functions to list.
    #[arg(long, default_value_t = 15)]
    pub functions: usize,
    /// Engine, prices and limits.
    #[command(flatten)]
    pub exec: ExecArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Serialize)]
struct TxGas {
    block: usize,
    index: usize,
    ok: bool,
    gas: u64,
    instruction_gas: u64,
    /// Instantiation and memory pages (`gas::resources`).
    resource_gas: u64,
    host_gas: u64,
}

#[derive(Serialize)]
struct Calls {
    function: String,
    calls: u64,
    gas: u64,
}

#[derive(Serialize)]
struct Category {
    category: &'static str,
    gas: u64,
}

#[derive(Serialize)]
struct FunctionGas {
    /// Function index (imports first, as in the name section).
    index: u32,
    name: Option<String>,
    gas: u64,
}

#[derive(Serialize)]
struct Report {
    ee: u32,
    wasm: String,
    engine: String,
    total_gas: u64,
    instruction_gas: u64,
    resource_gas: u64,
    host_gas: u64,
    transactions: Vec<TxGas>,
    host_functions: Vec<Calls>,
    categories: Vec<Category>,
    /// Instruction gas of every function over every run of this code in the scenario (a
    /// producer runs the meta-EE twice per block: a dry run, then the real one).
    function_total: u64,
    /// The costliest functions' part of it.
    functions: Vec<FunctionGas>,
}

fn pick(scenario: &Scenario, explicit: Option<u32>) -> anyhow::Result<u32> {
    if let Some(e) = explicit {
        return match scenario.ees.iter().find(|s| s.id == e) {
            Some(_) => Ok(e),
            None => bail!("the scenario has no EE {e}"),
        };
    }
    let candidates: Vec<_> = scenario.ees.iter().filter(|s| s.role != Role::Meta).collect();
    let without_wasm: Vec<_> = candidates.iter().filter(|s| s.wasm.is_none()).collect();
    match (without_wasm.as_slice(), candidates.first()) {
        ([one], _) => Ok(one.id),
        (_, Some(first)) => Ok(first.id),
        _ => bail!("the scenario has no EE to measure"),
    }
}

/// Runs the scenario on `runtime`, returning the reports of `ee`'s transactions.
fn reports(
    scenario: &Scenario,
    code: &Arc<[u8]>,
    ee: u32,
    runtime: &ee_host::runtime::Runtime,
    config: ee_host::exec::ExecConfig,
) -> anyhow::Result<Vec<(usize, TxReport)>> {
    let world = scenario
        .build_world(|spec| if spec.id == ee { Ok(code.clone()) } else { Scenario::read_wasm(spec) })?;
    let mut chain = chain_for(scenario, world, runtime, config);
    let mut out = Vec::new();
    let mut block = 0;
    for slot in scenario.slots()? {
        for r in chain.run_slot(slot)? {
            out.extend(r.outcome.txs.into_iter().filter(|t| t.ee == EeId(ee)).map(|t| (block, t)));
            block += 1;
        }
    }
    Ok(out)
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::from_path(&args.scenario)
        .with_context(|| format!("loading {}", args.scenario.display()))?;
    let code: Arc<[u8]> = crate::args::read_input(&args.wasm)?.into();
    let ee = pick(&scenario, args.ee)?;
    let role = scenario.ees.iter().find(|s| s.id == ee).map_or(Role::Ee, |s| s.role);
    let config = args.exec.config(scenario.limits.as_ref())?;
    let runtime = args.exec.runtime(&config);
    runtime.load(&code, role).map_err(|e| anyhow::anyhow!("{} is refused: {e}", args.wasm.display()))?;
    let measured = reports(&scenario, &code, ee, &runtime, config.clone())?;
    // The category split comes from a profiling run (its counters cost gas of their own,
    // hence the larger limit); totals come from the ordinary run above.
    let mut profiled_config = config.clone();
    profiled_config.limits.tx_gas = profiled_config.limits.tx_gas.saturating_mul(4);
    let profiler = args.exec.runtime(&profiled_config).profiling();
    let profiled = reports(&scenario, &code, ee, &profiler, profiled_config)?;
    // Per function: every run of the code in the scenario (it may play more than one EE).
    let names = match ee_host::runtime::inspect::NameMap::of(&code) {
        Ok(n) if !n.is_empty() => n,
        _ => {
            crate::commands::inspect::names_file(&args.wasm, &code).0.map(|m| m.functions).unwrap_or_default()
        }
    };
    let per_function = profiler.function_gas(&code);
    let function_total: u64 = per_function.values().sum();
    let mut functions: Vec<FunctionGas> = per_function
        .into_iter()
        .map(|(index, gas)| FunctionGas { index, name: names.get(&index).cloned(), gas })
        .collect();
    functions.sort_by(|a, b| b.gas.cmp(&a.gas).then(a.index.cmp(&b.index)));
    functions.truncate(args.functions);

    let mut calls: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut transactions = Vec::new();
    for (block, t) in &measured {
        let host = t.profile.total_gas();
        for (f, n, g) in t.profile.entries() {
            let e = calls.entry(f.name().to_string()).or_default();
            e.0 += n;
            e.1 += g;
        }
        transactions.push(TxGas {
            block: *block,
            index: t.index,
            ok: t.ok(),
            gas: t.gas_used,
            instruction_gas: t.gas_used.saturating_sub(host).saturating_sub(t.stats.resource_gas),
            resource_gas: t.stats.resource_gas,
            host_gas: host,
        });
    }
    let mut per_category = [0u64; 13];
    for (_, t) in profiled.iter().filter(|(_, t)| t.ok()) {
        for (i, g) in t.stats.category_gas.iter().enumerate() {
            per_category[i] += g;
        }
    }
    let report = Report {
        ee,
        wasm: args.wasm.display().to_string(),
        engine: args.exec.engine.0.name().to_string(),
        total_gas: transactions.iter().map(|t| t.gas).sum(),
        instruction_gas: transactions.iter().map(|t| t.instruction_gas).sum(),
        resource_gas: transactions.iter().map(|t| t.resource_gas).sum(),
        host_gas: transactions.iter().map(|t| t.host_gas).sum(),
        transactions,
        host_functions: calls
            .into_iter()
            .map(|(function, (calls, gas))| Calls { function, calls, gas })
            .collect(),
        categories: OpCategory::ALL
            .iter()
            .map(|c| Category { category: c.name(), gas: per_category[c.index()] })
            .filter(|c| c.gas > 0)
            .collect(),
        function_total,
        functions,
    };
    if args.format == Format::Json {
        print_json(out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "EE {} ({}) — {} transactions, {} gas: {} instructions + {} instantiation and memory + {} host calls\n",
        report.ee,
        report.wasm,
        report.transactions.len(),
        report.total_gas,
        report.instruction_gas,
        report.resource_gas,
        report.host_gas
    )?;
    let share = |g: u64| format!("{:.1}%", 100.0 * g as f64 / report.total_gas.max(1) as f64);
    let mut t = table(["block", "tx", "result", "gas", "instructions", "instance+memory", "host calls"]);
    for x in &report.transactions {
        t.add_row(vec![
            x.block.to_string(),
            x.index.to_string(),
            if x.ok { "ok".into() } else { "failed".to_string() },
            x.gas.to_string(),
            x.instruction_gas.to_string(),
            x.resource_gas.to_string(),
            x.host_gas.to_string(),
        ]);
    }
    writeln!(out, "{t}")?;
    let mut t = table(["host function", "calls", "gas", "share"]);
    for c in &report.host_functions {
        t.add_row(vec![c.function.clone(), c.calls.to_string(), c.gas.to_string(), share(c.gas)]);
    }
    writeln!(out, "{t}")?;
    let mut t = table(["instruction category", "gas", "share"]);
    for c in &report.categories {
        t.add_row(vec![c.category.to_string(), c.gas.to_string(), share(c.gas)]);
    }
    writeln!(out, "{t}")?;
    let mut t = table(["function", "name", "instruction gas", "share"]);
    for f in &report.functions {
        t.add_row(vec![
            f.index.to_string(),
            f.name.clone().unwrap_or_else(|| "-".into()),
            f.gas.to_string(),
            format!("{:.1}%", 100.0 * f.gas as f64 / report.function_total.max(1) as f64),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(ExitCode::SUCCESS)
}
