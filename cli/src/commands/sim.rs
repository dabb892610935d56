//! `ee sim`: the long-running simulator — stateful producer and stateless validator on
//! every block, with proof, gas and speed figures.
use crate::args::{EesArgs, ExecArgs, read_ee};
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_host::native::NativeRunner;
use ee_host::sim::{self, Mix, Shape, SimCode, SimConfig, SimReport};
use ee_host::state::KeyLayout;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// Simulate many shards and EEs: one block per shard per slot from a seeded workload, the
/// stateful producer and the stateless validator on every block, and the figures of
/// DESIGN §7. Exits 1 if any stateless root or outcome differs, supply is not conserved, a
/// real balance goes negative, or the workload's ledger disagrees with the state.
///
/// Example: `ee sim --shards 64 --ees 1024 --blocks 200 --seed 1 --format json`
#[derive(clap::Args)]
pub struct Args {
    /// Shards.
    #[arg(long, default_value_t = 4)]
    pub shards: u32,
    /// Transfer EEs (funds start on shard `ee % shards`).
    #[arg(long, default_value_t = 16)]
    pub ees: u32,
    /// Slots to run (one block per shard per slot).
    #[arg(long, default_value_t = 20)]
    pub blocks: u32,
    /// User transactions per block.
    #[arg(long, default_value_t = 8)]
    pub tx_per_block: u32,
    /// Most transfers per transaction.
    #[arg(long, default_value_t = 3)]
    pub transfers: u32,
    /// Workload seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Workload mix, cross_shard:cross_ee:self_balanced weights.
    #[arg(long, default_value = "50:35:15", value_parser = Mix::parse)]
    pub mix: Mix,
    /// Shard-tree key layout.
    #[arg(long, value_enum, default_value_t = LayoutArg::ColumnMajor)]
    pub layout: LayoutArg,
    /// Threads producing and validating a slot's blocks (default: every core); the
    /// figures and roots are the same for any count.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// How value and traffic spread: `uniform`, `hot-spot:N` (EEs 0..N hold 100× and take
    /// part in 80% of transfers) or `skewed` (half the cross-shard value goes to shard 0).
    #[arg(long, default_value = "uniform", value_parser = Shape::parse)]
    pub shape: Shape,
    /// Write one CSV row per slot here (witness bytes, known-minimum hits, gas, diagonal
    /// and off-diagonal sums, …).
    #[arg(long, value_name = "FILE.csv")]
    pub series: Option<std::path::PathBuf>,
    /// Write SVG charts of the series into this directory: witness bytes per slot, the
    /// known minimum's hit rate, diagonal drift.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<std::path::PathBuf>,
    /// Run the EEs natively (same host logic, no wasm) instead of the built wasm.
    #[arg(long)]
    pub native: bool,
    /// Where the built EEs are (for wasm runs).
    #[command(flatten)]
    pub built: EesArgs,
    /// Engine, prices and limits.
    #[command(flatten)]
    pub exec: ExecArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `--layout` values.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LayoutArg {
    /// tag ‖ column at the root, EE at the leaves.
    ColumnMajor,
    /// sha256 of the key.
    Hashed,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let config = SimConfig {
        shards: args.shards,
        ees: args.ees,
        slots: args.blocks,
        tx_per_block: args.tx_per_block,
        transfers_per_tx: args.transfers,
        seed: args.seed,
        mix: args.mix,
        layout: match args.layout {
            LayoutArg::ColumnMajor => KeyLayout::ColumnMajor,
            LayoutArg::Hashed => KeyLayout::Hashed,
        },
        shape: args.shape,
        threads: args
            .threads
            .map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), |t| t as usize),
        ..SimConfig::default()
    };
    let exec = args.exec.config(None)?;
    let code = if args.native {
        SimCode { transfer: Arc::from(&[][..]), meta: Arc::from(&[][..]) }
    } else {
        let dir = args.built.dir()?;
        SimCode { transfer: read_ee(&dir, "transfer_ee")?, meta: read_ee(&dir, "meta_ee")? }
    };
    let world = sim::genesis(&config, &code)?;
    let bar = ProgressBar::new(u64::from(config.slots));
    bar.set_style(
        ProgressStyle::with_template("{spinner} slot {pos}/{len} [{bar:30}] {elapsed_precise} eta {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let progress = |slot: u32| bar.set_position(u64::from(slot));
    let report = if args.native {
        let mut runner = NativeRunner::new().with(sim::META_EE, meta_ee::ee_main);
        for e in 0..config.ees {
            runner.insert(ee_sdk::EeId(e), transfer_ee::ee_main);
        }
        let validator = runner.clone();
        sim::run(&config, world, runner, &validator, exec, progress)?
    } else {
        let runtime = args.exec.runtime(&exec);
        sim::run(&config, world, &runtime, &runtime, exec, progress)?
    };
    bar.finish_and_clear();
    let runner = if args.native { "native" } else { args.exec.engine.0.name() };
    if let Some(path) = &args.series {
        let mut csv = String::from(ee_host::sim::SlotFigures::CSV_HEADER);
        csv.push('\n');
        for row in &report.series {
            csv.push_str(&row.csv_row());
            csv.push('\n');
        }
        std::fs::write(path, csv).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("series: {} ({} slots)", path.display(), report.series.len());
    }
    if let Some(dir) = &args.plot {
        let label = format!("{} shards × {} EEs, seed {}, {runner}", config.shards, config.ees, config.seed);
        for path in crate::plot::write(dir, &label, &report.series)? {
            eprintln!("plot: {}", path.display());
        }
    }
    print(out, &report, args.format, runner)?;
    // Any broken invariant fails the run, not only a root mismatch.
    Ok(
        if report.root_mismatches == 0
            && report.outcome_mismatches == 0
            && report.supply_conserved
            && report.ledger_matches_state
            && report.negative_real_balances == 0
        {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

fn print(out: &mut dyn Write, r: &SimReport, format: Format, runner: &str) -> anyhow::Result<()> {
    if format == Format::Json {
        return print_json(out, r);
    }
    let c = &r.config;
    writeln!(
        out,
        "{} shards × {} EEs, {} slots ({} blocks), {} tx/block, seed {}, {:?}, {runner}, {:?} layout, {} thread{}\n",
        c.shards,
        c.ees,
        c.slots,
        r.blocks,
        c.tx_per_block,
        c.seed,
        c.shape,
        c.layout,
        c.threads,
        if c.threads == 1 { "" } else { "s" }
    )?;
    let p = &r.proofs;
    let mut t = table(["figure", "value"]);
    let rows: Vec<(&str, String)> = vec![
        ("root mismatches (stateful vs stateless)", r.root_mismatches.to_string()),
        ("gas/receipt mismatches", r.outcome_mismatches.to_string()),
        ("supply conserved", r.supply_conserved.to_string()),
        ("negative real balances", r.negative_real_balances.to_string()),
        ("ledger matches state", r.ledger_matches_state.to_string()),
        ("transactions (failed)", format!("{} ({})", r.transactions, r.failed_transactions)),
        ("outputs accepted / rejected", format!("{} / {}", r.accepted_outputs, r.rejected_outputs)),
        ("witness bytes per block (own + foreign)", format!("{:.0}", p.bytes_per_block)),
        ("own witness per block: leaves (64 B) + proof + framing", {
            let b = r.blocks.max(1) as f64;
            let leaves = p.own_leaves as f64 * 64.0 / b;
            let proof = p.own_proof_bytes as f64 / b;
            let own = p.own_bytes as f64 / b;
            format!(
                "{leaves:.0} + {proof:.0} + {:.0} B ({:.1} leaves)",
                own - leaves - proof,
                p.own_leaves as f64 / b
            )
        }),
        (
            "own keys: balance cells / EE roots / other",
            format!(
                "{} / {} / {}",
                p.own_balance_keys,
                p.own_ee_root_keys,
                p.own_leaves.saturating_sub(p.own_balance_keys + p.own_ee_root_keys)
            ),
        ),
        ("foreign proof bytes per block", format!("{:.0}", p.foreign_bytes_per_block)),
        ("foreign proof bytes per net-outgoing EE", format!("{:.0}", p.foreign_bytes_per_net_outgoing_ee)),
        ("foreign proof bytes per proven EE", format!("{:.0}", p.foreign_bytes_per_proven_ee)),
        ("foreign proof bytes per foreign shard", format!("{:.0}", p.foreign_bytes_per_foreign_shard)),
        ("net-outgoing EE-blocks", p.net_outgoing_ees.to_string()),
        ("EE-blocks needing a proof", p.proven_ees.to_string()),
        ("cells proven / full-column cells", format!("{} / {}", p.foreign_cells, p.full_proof_cells)),
        ("full proofs avoided by known minimum", p.known_min_saves.to_string()),
        ("gas per block (max)", format!("{:.0} ({})", r.gas.per_block, r.gas.max_block)),
        ("meta-EE gas per block", format!("{:.0}", r.gas.meta_per_block)),
        ("blocks/s (both executors)", format!("{:.1}", r.time.blocks_per_second)),
        (
            "stateful / stateless ms per block",
            format!("{:.2} / {:.2}", r.time.stateful_ms_per_block, r.time.stateless_ms_per_block),
        ),
    ];
    for (k, v) in rows {
        t.add_row(vec![k.to_string(), v]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}
