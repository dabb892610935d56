//! `ee check WASM…`: would the host load these modules? Every reason if not.
use crate::output::{Format, print_json};
use ee_host::abi::Role;
use ee_host::limits::Limits;
use ee_host::runtime::gatekeeper::{self, ModuleFacts};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Check modules against the host's load rules: imports against the ABI table for the
/// role, no floats or SIMD (WebAssembly 1.0 + sign-extension only), exports `main: [] ->
/// []` and `memory`, no start function, memory within the page limit. Prints
/// `<file>: pass` or every reason it fails; exits 1 if any fails.
///
/// Example: `ee check target/ees/transfer_ee.wasm`, `ee check --role meta target/ees/meta_ee.wasm`,
/// `ee check --role child target/ees/counter_contract.wasm`
#[derive(clap::Args)]
pub struct Args {
    /// Modules to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The role they will be registered with.
    #[arg(long, value_enum, default_value_t = RoleArg::Ee)]
    pub role: RoleArg,
    /// Memory limit in 64 KiB pages (default: the host's).
    #[arg(long)]
    pub memory_pages: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `--role` values.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum RoleArg {
    /// An ordinary EE.
    Ee,
    /// The netting meta-EE.
    Meta,
    /// A child run by `spawn` (e.g. an umbrella EE's contract).
    Child,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Ee => Role::Ee,
            RoleArg::Meta => Role::Meta,
            RoleArg::Child => Role::Child,
        }
    }
}

#[derive(Serialize)]
struct FileResult {
    file: String,
    passed: bool,
    problems: Vec<String>,
    facts: Option<ModuleFacts>,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut limits = Limits::default();
    if let Some(p) = args.memory_pages {
        limits.memory_pages = p;
    }
    let results: Vec<FileResult> = args
        .files
        .iter()
        .map(|f| {
            let file = f.display().to_string();
            match crate::args::read_input(f) {
                Err(e) => FileResult { file, passed: false, problems: vec![format!("{e:#}")], facts: None },
                Ok(code) => match gatekeeper::check(&code, args.role.into(), &limits) {
                    Ok(facts) => FileResult { file, passed: true, problems: vec![], facts: Some(facts) },
                    Err(e) => FileResult {
                        file,
                        passed: false,
                        problems: e.0.iter().map(ToString::to_string).collect(),
                        facts: None,
                    },
                },
            }
        })
        .collect();
    if args.format == Format::Json {
        print_json(out, &results)?;
    } else {
        for r in &results {
            if r.passed {
                writeln!(out, "{}: pass", r.file)?;
            } else {
                writeln!(out, "{}: fail", r.file)?;
                for p in &r.problems {
                    writeln!(out, "  - {p}")?;
                }
            }
        }
    }
    Ok(if results.iter().all(|r| r.passed) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
