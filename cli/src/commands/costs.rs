//! `ee costs`: the gas cost table as data (edit it and pass it back with `--costs`).
use ee_host::gas::CostTable;
use std::io::Write;
use std::process::ExitCode;

/// Print the default cost table as JSON (operator prices by category, host-function
/// prices from the ABI table). Pass an edited copy to `ee run --costs FILE`.
///
/// Example: `ee costs > costs.json`
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    writeln!(out, "{}", CostTable::default().to_json())?;
    Ok(ExitCode::SUCCESS)
}
