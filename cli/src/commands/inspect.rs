//! `ee inspect WASM`: section sizes, the largest functions and code per crate.
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_host::runtime::inspect::{CrateSize, Function, NameMap, layout};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Show a module's section sizes, its largest functions and code size per crate. Names
/// come from the name section when present, else from the `<module>.names.json` that
/// `ee build` writes beside the stripped artifact (used only if it names this exact
/// module), demangled.
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
    /// Where the names came from: `name section`, a names file, or `none`.
    names: String,
    crates: &'a [CrateSize],
}

/// The names `ee build` kept beside `file` (`<name>.names.json`) if they are this code's,
/// and where they came from (the file, or `none`).
pub fn names_file(file: &std::path::Path, code: &[u8]) -> (Option<NameMap>, String) {
    let path = crate::commands::build::names_path(file);
    match crate::args::read_input_text(&path).ok().and_then(|t| serde_json::from_str::<NameMap>(&t).ok()) {
        Some(map) if map.code_hash == hex::encode(<sha2::Sha256 as sha2::Digest>::digest(code)) => {
            (Some(map), path.display().to_string())
        }
        Some(_) => {
            tracing::warn!("{} names another build of this module; ignored", path.display());
            (None, "none".to_string())
        }
        None => (None, "none".to_string()),
    }
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let code = crate::args::read_input(&args.file)?;
    if !code.starts_with(b"\0asm") {
        anyhow::bail!("{} is not a WebAssembly module (no \\0asm header)", args.file.display());
    }
    let mut l = layout(&code)
        .with_context(|| format!("{} is not a valid WebAssembly module", args.file.display()))?;
    let names = if l.functions.iter().any(|f| f.name.is_some()) {
        "name section".to_string()
    } else {
        let (map, source) = names_file(&args.file, &code);
        if let Some(map) = map {
            l.apply_names(&map);
        }
        source
    };
    let crates = l.by_crate();
    let top = &l.functions[..args.top.min(l.functions.len())];
    let report = Report {
        file: args.file.display().to_string(),
        size: l.size,
        sections: &l.sections,
        functions: l.functions.len(),
        largest: top,
        names,
        crates: &crates,
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
    writeln!(out, "names from: {}", report.names)?;
    let mut t = table(["crate", "functions", "bytes", "share of code"]);
    let code_bytes: usize = crates.iter().map(|c| c.bytes).sum();
    for c in &crates {
        t.add_row(vec![
            c.name.clone(),
            c.functions.to_string(),
            c.bytes.to_string(),
            format!("{:.1}%", 100.0 * c.bytes as f64 / code_bytes.max(1) as f64),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(ExitCode::SUCCESS)
}
