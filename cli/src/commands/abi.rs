//! `ee abi`: the host ABI reference, generated from the ABI table.
use crate::output::{Format, print_json, table};
use ee_host::abi::{HostFn, docs};
use ee_host::gas::CostTable;
use std::io::Write;
use std::process::ExitCode;

/// Print the host ABI (every host function, its signature, roles and gas).
///
/// Example: `ee abi --markdown > docs/ABI.md`
#[derive(clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print the Markdown reference (docs/ABI.md) instead.
    #[arg(long, conflicts_with = "format")]
    pub markdown: bool,
}

#[derive(serde::Serialize)]
struct Entry {
    module: &'static str,
    name: &'static str,
    signature: String,
    roles: Vec<String>,
    base_gas: u64,
    per_byte_gas: u64,
    aliases: Vec<String>,
    docs: String,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let costs = CostTable::default();
    if args.markdown {
        write!(out, "{}", docs::markdown(&costs))?;
        return Ok(ExitCode::SUCCESS);
    }
    let entries: Vec<Entry> = HostFn::ALL
        .iter()
        .map(|&f| Entry {
            module: f.module(),
            name: f.name(),
            signature: docs::wasm_signature(f),
            roles: f.roles().iter().map(ToString::to_string).collect(),
            base_gas: costs.host(f).base,
            per_byte_gas: costs.host(f).per_byte,
            aliases: f.aliases().iter().map(|(m, n)| format!("{m}.{n}")).collect(),
            docs: f.docs().lines().map(str::trim).collect::<Vec<_>>().join(" ").trim().to_string(),
        })
        .collect();
    match args.format {
        Format::Json => print_json(out, &entries)?,
        Format::Table => {
            let mut t = table(["import", "signature", "roles", "base", "per byte"]);
            for e in &entries {
                t.add_row(vec![
                    format!("{}.{}", e.module, e.name),
                    e.signature.clone(),
                    e.roles.join(","),
                    e.base_gas.to_string(),
                    e.per_byte_gas.to_string(),
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
