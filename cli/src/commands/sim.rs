//! `ee sim`: the long-running simulator — stateful producer and stateless validator on
//! every block, with proof, gas and speed figures.
use crate::args::{EesArgs, ExecArgs, read_ee};
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_host::native::NativeRunner;
use ee_host::sim::{self, Mix, Shape, SimCode, SimConfig, SimReport};
use ee_host::state::KeyLayout;
use ee_sdk::{NettingRules, NettingVariant};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// Simulate many shards and EEs: one block per shard per slot from a seeded workload, the
/// stateful producer and the stateless validator on every block, and the figures of
/// DESIGN §7. Exits 1 if any stateless root or outcome differs, supply is not conserved, a
/// real balance goes negative, or the workload's ledger disagrees with the state.
///
/// `--compare a,b,zero-capital,reserve` runs the same seeded workload under each netting
/// variant and prints them side by side.
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
    /// Netting rules (ARCHITECTURE.md "Netting variants"): `b` (partial column proofs
    /// and the known minimum), `a` (same-EE moves free, cross-EE outflows against the
    /// EE's total), `zero-capital` (last-slot arrivals join the known minimum) or
    /// `reserve` (a funded reserve per shard and EE absorbs net outflows).
    #[arg(long, default_value = "b", value_parser = parse_variant, conflicts_with = "compare")]
    pub netting: NettingVariant,
    /// Run each of these variants (comma-separated) on the same seeded workload and print
    /// them side by side, e.g. `a,b,zero-capital,reserve`.
    #[arg(long, value_delimiter = ',', value_parser = parse_variant)]
    pub compare: Vec<NettingVariant>,
    /// adiasg's rule on top of any variant: foreign cells are read in a permutation every
    /// validator derives from this seed (and the slot, shard and EE); blocks may neither
    /// choose the order nor prove cells they do not read.
    #[arg(long, value_name = "SEED")]
    pub fixed_order: Option<u64>,
    /// The `reserve` variant's reserve per shard and EE, Gwei (funded at genesis from each
    /// EE's home balance).
    #[arg(long, value_name = "GWEI", default_value_t = 1_000_000_000)]
    pub reserve: u64,
    /// VHEE accounts per shard (0: none): each slot every shard's block also carries one
    /// VHEE transaction — a validator deposit, a signed transfer, a cross-shard transfer
    /// with receipts, or a claim of one — built with its witness by the VHEE client. The
    /// VHEE is registered as the EE after the transfer EEs.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=64))]
    pub vhee_users: u32,
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
    /// tag ‖ EE at the root, column at the leaves (cells and arrival records).
    EeMajor,
}

fn parse_variant(name: &str) -> Result<NettingVariant, String> {
    NettingVariant::from_name(name)
        .ok_or_else(|| format!("unknown netting variant `{name}`: a, b, zero-capital or reserve"))
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let base = SimConfig {
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
            LayoutArg::EeMajor => KeyLayout::EeMajor,
        },
        shape: args.shape,
        threads: args
            .threads
            .map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), |t| t as usize),
        ..SimConfig::default()
    };
    let variants = if args.compare.is_empty() { vec![args.netting] } else { args.compare.clone() };
    let mut reports = Vec::with_capacity(variants.len());
    let mut runner = "native";
    for variant in variants {
        let config = SimConfig {
            netting: NettingRules { variant, fixed_order: args.fixed_order, reserve_target: args.reserve },
            ..base.clone()
        };
        let (report, name) = run_one(&args, config)?;
        runner = name;
        reports.push(report);
    }
    let label = format!("{} shards × {} EEs, seed {}, {runner}", base.shards, base.ees, base.seed);
    if let Some(path) = &args.series {
        write_series(path, &reports)?;
    }
    if let Some(dir) = &args.plot {
        let runs: Vec<crate::plot::Run<'_>> = reports
            .iter()
            .map(|r| crate::plot::Run {
                name: r.config.netting.variant.name().to_string(),
                series: &r.series,
            })
            .collect();
        for path in crate::plot::write(dir, &label, &runs)? {
            eprintln!("plot: {}", path.display());
        }
    }
    match &reports[..] {
        [one] => print(out, one, args.format, runner)?,
        many => print_compare(out, many, args.format, runner)?,
    }
    // Any broken invariant of any variant fails the run, not only a root mismatch.
    Ok(if reports.iter().all(SimReport::holds) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// One CSV for every run: with several, a leading `variant` column tells them apart.
fn write_series(path: &std::path::Path, reports: &[SimReport]) -> anyhow::Result<()> {
    let compare = reports.len() > 1;
    let mut csv = String::new();
    if compare {
        csv.push_str("variant,");
    }
    csv.push_str(ee_host::sim::SlotFigures::CSV_HEADER);
    csv.push('\n');
    for r in reports {
        for row in &r.series {
            if compare {
                csv.push_str(r.config.netting.variant.name());
                csv.push(',');
            }
            csv.push_str(&row.csv_row());
            csv.push('\n');
        }
    }
    std::fs::write(path, csv).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("series: {} ({} rows)", path.display(), reports.iter().map(|r| r.series.len()).sum::<usize>());
    Ok(())
}

/// Runs one configuration; returns its report and the runner's name.
fn run_one(args: &Args, config: SimConfig) -> anyhow::Result<(SimReport, &'static str)> {
    let exec = args.exec.config(None)?;
    let (code, vhee_code) = if args.native {
        (SimCode { transfer: Arc::from(&[][..]), meta: Arc::from(&[][..]) }, Arc::from(&[][..]))
    } else {
        let dir = args.built.dir()?;
        let code = SimCode { transfer: read_ee(&dir, "transfer_ee")?, meta: read_ee(&dir, "meta_ee")? };
        let vhee = if args.vhee_users > 0 { read_ee(&dir, "vhee")? } else { Arc::from(&[][..]) };
        (code, vhee)
    };
    let mut world = sim::genesis(&config, &code)?;
    let vhee_id = ee_sdk::EeId(config.ees);
    let mut users: Box<dyn sim::Users> = if args.vhee_users > 0 {
        let entry = ee_host::state::EeEntry::new(vhee_id, "vhee", ee_sdk::Role::Ee, vhee_code);
        world.register(entry).context("registering the VHEE")?;
        Box::new(vhee::sim_users::VheeUsers::new(vhee_id, config.shards, args.vhee_users, config.seed))
    } else {
        Box::new(sim::NoUsers)
    };
    let bar = ProgressBar::new(u64::from(config.slots));
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} slot {pos}/{len} [{bar:30}] {elapsed_precise} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(config.netting.variant.name());
    let progress = |slot: u32| bar.set_position(u64::from(slot));
    let report = if args.native {
        let mut runner = NativeRunner::new().with(sim::META_EE, meta_ee::ee_main);
        for e in 0..config.ees {
            runner.insert(ee_sdk::EeId(e), transfer_ee::ee_main);
        }
        runner.insert(vhee_id, vhee::ee_main);
        let validator = runner.clone();
        sim::run_with(&config, world, runner, &validator, exec, users.as_mut(), progress)?
    } else {
        let runtime = args.exec.runtime(&exec);
        sim::run_with(&config, world, &runtime, &runtime, exec, users.as_mut(), progress)?
    };
    bar.finish_and_clear();
    Ok((report, if args.native { "native" } else { args.exec.engine.0.name() }))
}

/// The run's header line.
fn header(r: &SimReport, runner: &str) -> String {
    let c = &r.config;
    format!(
        "{} shards × {} EEs, {} slots ({} blocks), {} tx/block, seed {}, {:?}, {runner}, {:?} layout, {} thread{}{}",
        c.shards,
        c.ees,
        c.slots,
        r.blocks,
        c.tx_per_block,
        c.seed,
        c.shape,
        c.layout,
        c.threads,
        if c.threads == 1 { "" } else { "s" },
        c.netting.fixed_order.map_or(String::new(), |seed| format!(", fixed read order (seed {seed})")),
    )
}

/// Every figure of a report, as table rows.
fn figures(r: &SimReport) -> Vec<(&'static str, String)> {
    let p = &r.proofs;
    let b = r.blocks.max(1) as f64;
    vec![
        ("netting variant", r.config.netting.variant.name().to_string()),
        ("root mismatches (stateful vs stateless)", r.root_mismatches.to_string()),
        ("gas/receipt mismatches", r.outcome_mismatches.to_string()),
        ("supply conserved", r.supply_conserved.to_string()),
        ("negative real balances", r.negative_real_balances.to_string()),
        ("ledger matches state", r.ledger_matches_state.to_string()),
        ("transactions (failed)", format!("{} ({})", r.transactions, r.failed_transactions)),
        ("outputs accepted / rejected", format!("{} / {}", r.accepted_outputs, r.rejected_outputs)),
        ("witness bytes per block (own + foreign)", format!("{:.0}", p.bytes_per_block)),
        ("own witness per block: leaves + proof + framing", {
            let leaves = p.own_leaf_bytes as f64 / b;
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
        ("… own cell fell short (seed 001: full proof)", p.needing_cover.to_string()),
        (
            "… proven: full / partial",
            format!("{} / {}", p.full_proofs, p.proven_ees.saturating_sub(p.full_proofs)),
        ),
        ("… covered by known minimum / reserve", format!("{} / {}", p.known_min_saves, p.reserve_saves)),
        ("full proofs avoided", p.full_proofs_avoided.to_string()),
        ("cells proven / full-proof cells", format!("{} / {}", p.foreign_cells, p.full_proof_cells)),
        ("capital locked in reserves (ETH)", format!("{}", r.capital_locked as f64 / 1e9)),
        (
            "VHEE operations",
            if r.users.is_empty() {
                "-".to_string()
            } else {
                r.users.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
            },
        ),
        ("gas per block (max)", format!("{:.0} ({})", r.gas.per_block, r.gas.max_block)),
        ("meta-EE gas per block", format!("{:.0}", r.gas.meta_per_block)),
        ("blocks/s (both executors)", format!("{:.1}", r.time.blocks_per_second)),
        (
            "stateful / stateless ms per block",
            format!("{:.2} / {:.2}", r.time.stateful_ms_per_block, r.time.stateless_ms_per_block),
        ),
    ]
}

fn print(out: &mut dyn Write, r: &SimReport, format: Format, runner: &str) -> anyhow::Result<()> {
    if format == Format::Json {
        return print_json(out, r);
    }
    writeln!(out, "{}\n", header(r, runner))?;
    let mut t = table(["figure", "value"]);
    for (k, v) in figures(r) {
        t.add_row(vec![k.to_string(), v]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

/// Several variants side by side: a column per variant (JSON: `{ "reports": [...] }`).
fn print_compare(
    out: &mut dyn Write,
    reports: &[SimReport],
    format: Format,
    runner: &str,
) -> anyhow::Result<()> {
    if format == Format::Json {
        return print_json(out, &serde_json::json!({ "reports": reports }));
    }
    writeln!(out, "{}\n", header(&reports[0], runner))?;
    let mut columns = vec!["figure".to_string()];
    columns.extend(reports.iter().map(|r| r.config.netting.variant.name().to_string()));
    let mut t = table(columns);
    let all: Vec<Vec<(&str, String)>> = reports.iter().map(figures).collect();
    for (i, (name, _)) in all[0].iter().enumerate().skip(1) {
        let mut row = vec![name.to_string()];
        row.extend(all.iter().map(|f| f[i].1.clone()));
        t.add_row(row);
    }
    writeln!(out, "{t}")?;
    Ok(())
}
