//! `ee inspect WASM`: section sizes and the largest functions.
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_host::runtime::inspect::{Function, layout};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Show a module's section sizes and its largest functions (named from the name section
/// when present; `ee build` strips it, build with `strip = false` to keep names).
///
/// Example: `ee inspect target/ees/meta_ee.wasm --top 10`
#[derive(clap::Args)]
pub struct Args {
    /// The module.
    pub file: PathBuf,
    /// How many functions to list.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Serialize)]
struct Report<'a> {
    file: String,
    size: usize,
    sections: &'a [ee_host::runtime::inspect::Section],
    functions: usize,
    largest: &'a [Function],
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let code = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let l = layout(&code)
        .with_context(|| format!("{} is not a valid WebAssembly module", args.file.display()))?;
    let top = &l.functions[..args.top.min(l.functions.len())];
    let report = Report {
        file: args.file.display().to_string(),
        size: l.size,
        sections: &l.sections,
        functions: l.functions.len(),
        largest: top,
    };
    if args.format == Format::Json {
        print_json(out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{}: {} bytes, {} functions\n", report.file, report.size, report.functions)?;
    let mut t = table(["section", "bytes", "share"]);
    for s in &l.sections {
        t.add_row(vec![
            s.name.clone(),
            s.bytes.to_string(),
            format!("{:.1}%", 100.0 * s.bytes as f64 / l.size.max(1) as f64),
        ]);
    }
    writeln!(out, "{t}")?;
    let mut t = table(["function", "name", "bytes"]);
    for f in top {
        t.add_row(vec![
            f.index.to_string(),
            f.name.clone().unwrap_or_else(|| "-".into()),
            f.bytes.to_string(),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(ExitCode::SUCCESS)
}
