//! `ee run vectors.yaml`: ewasm Scout's test vectors.
use crate::args::ExecArgs;
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_host::scout::{BlockRun, Outcome, Vectors, run as run_vectors};
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(Serialize)]
struct Report<'a> {
    file: String,
    engine: &'a str,
    repeat: u32,
    passed: bool,
    diff: String,
    /// Per block: median and minimum execution time over the repeats.
    blocks: Vec<BlockTimes>,
    outcome: &'a Outcome,
}

#[derive(Serialize)]
struct BlockTimes {
    #[serde(flatten)]
    run: BlockRun,
    /// Median over the repeats of instantiate + execute (µs).
    median_us: u64,
    /// Minimum of the same.
    min_us: u64,
}

/// Runs the vectors `repeat` times and reports; exit 1 on any mismatch.
pub fn run(
    out: &mut dyn Write,
    path: &Path,
    exec: &ExecArgs,
    repeat: u32,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let vectors = Vectors::load(path).with_context(|| format!("loading {}", path.display()))?;
    let config = exec.config(None)?;
    let runtime =
        exec.runtime(&config).with_libraries(vectors.libraries.clone()).context("linking libraries")?;
    let mut outcomes = Vec::new();
    for _ in 0..repeat.max(1) {
        outcomes.push(run_vectors(&vectors, &runtime, &config)?);
    }
    let first = &outcomes[0];
    let blocks = first
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut times: Vec<u64> =
                outcomes.iter().map(|o| o.blocks[i].instantiate_us + o.blocks[i].execute_us).collect();
            times.sort_unstable();
            BlockTimes { run: b.clone(), median_us: times[times.len() / 2], min_us: times[0] }
        })
        .collect::<Vec<_>>();
    let passed = outcomes.iter().all(Outcome::passed);
    let report = Report {
        file: path.display().to_string(),
        engine: exec.engine.0.name(),
        repeat: repeat.max(1),
        passed,
        diff: first.diff(),
        blocks,
        outcome: first,
    };
    if format == Format::Json {
        print_json(out, &report)?;
    } else {
        writeln!(
            out,
            "{} — engine {}, {} run(s); block µs = instantiate + execute, compile once per EE (cached)\n",
            report.file, report.engine, report.repeat
        )?;
        let mut t =
            table(["block", "env", "result", "gas", "compile µs", "block µs (median)", "block µs (min)"]);
        for b in &report.blocks {
            t.add_row(vec![
                b.run.index.to_string(),
                b.run.env.to_string(),
                b.run.error.clone().unwrap_or_else(|| "ok".into()),
                b.run.gas.to_string(),
                b.run.compile_us.to_string(),
                b.median_us.to_string(),
                b.min_us.to_string(),
            ]);
        }
        writeln!(out, "{t}")?;
        if passed {
            writeln!(out, "\npost-state and deposits match")?;
        } else {
            writeln!(out, "\nMISMATCH\n{}", report.diff)?;
        }
    }
    Ok(if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
