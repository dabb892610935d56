//! # ee-cli
//!
//! The `ee` command-line tool, as a library: [`Cli`] is the clap parser, every
//! subcommand is a module of [`commands`] with an `Args` type and a `run(args, out)`
//! that writes its data to `out` (stdout in the binary, a buffer in tests), and
//! [`args`] holds the flags several commands share.
//!
//! Data goes to `out` (`--format table|json`), logs and progress to stderr. Exit codes:
//! 0 success, 1 failure (the message says why), 2 usage error.
#![warn(missing_docs)]

pub mod args;
pub mod commands;
pub mod following;
pub mod output;
pub mod plot;

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// Build, check, measure, run and deploy Ethereum 2 Phase 2 execution environments.
#[derive(Parser)]
#[command(name = "ee", version, about, long_about = None)]
pub struct Cli {
    /// Log verbosity on stderr (-v: info, -vv: debug, including EEs' debug_log).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand (one module of [`commands`] each).
#[derive(Subcommand)]
#[allow(missing_docs)]
pub enum Command {
    New(commands::new::Args),
    Build(commands::build::Args),
    Check(commands::check::Args),
    Inspect(commands::inspect::Args),
    Gas(commands::gas::Args),
    Run(commands::run::Args),
    Demo(commands::demo::Args),
    Sim(commands::sim::Args),
    Abi(commands::abi::Args),
    Costs(commands::costs::Args),
    Devnet(commands::devnet::Args),
    Net(commands::net::Args),
    Keygen(commands::keygen::Args),
    Bls(commands::bls::Args),
    Deploy(commands::deploy::Args),
    Send(commands::send::Args),
    Status(commands::status::Args),
    Validate(commands::validate::Args),
    Vhee(commands::vhee::Args),
    Token(commands::token::Args),
    Checkin(commands::checkin::Args),
    Umbrella(commands::umbrella::Args),
}

impl Command {
    /// Runs the command, writing its data to `out`.
    pub fn run(self, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
        match self {
            Command::New(a) => commands::new::run(a, out),
            Command::Build(a) => commands::build::run(a, out),
            Command::Check(a) => commands::check::run(a, out),
            Command::Inspect(a) => commands::inspect::run(a, out),
            Command::Gas(a) => commands::gas::run(a, out),
            Command::Run(a) => commands::run::run(a, out),
            Command::Demo(a) => commands::demo::run(a, out),
            Command::Sim(a) => commands::sim::run(a, out),
            Command::Abi(a) => commands::abi::run(a, out),
            Command::Costs(a) => commands::costs::run(a, out),
            Command::Devnet(a) => commands::devnet::run(a, out),
            Command::Net(a) => commands::net::run(a, out),
            Command::Keygen(a) => commands::keygen::run(a, out),
            Command::Bls(a) => commands::bls::run(a, out),
            Command::Deploy(a) => commands::deploy::run(a, out),
            Command::Send(a) => commands::send::run(a, out),
            Command::Status(a) => commands::status::run(a, out),
            Command::Validate(a) => commands::validate::run(a, out),
            Command::Vhee(a) => commands::vhee::run(a, out),
            Command::Token(a) => commands::token::run(a, out),
            Command::Checkin(a) => commands::checkin::run(a, out),
            Command::Umbrella(a) => commands::umbrella::run(a, out),
        }
    }
}

/// Whether `e` comes from writing to a closed pipe.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// What an in-process run of `ee` produced.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code the binary would return (2 for usage errors).
    pub code: u8,
    /// What it wrote to stdout.
    pub stdout: String,
    /// The error message (stderr), if it failed.
    pub error: Option<String>,
}

impl Outcome {
    /// Whether it exited 0.
    pub fn success(&self) -> bool {
        self.code == 0
    }
}

/// Runs `ee` in-process with `args` (without the program name), as the binary would but
/// capturing stdout and the error: what tests call.
pub fn run_captured<I, T>(args: I) -> Outcome
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(
        std::iter::once(OsString::from("ee")).chain(args.into_iter().map(Into::into)),
    ) {
        Ok(cli) => cli,
        // `--help` and `--version` are data (stdout, exit 0); anything else is a usage error.
        Err(e) if !e.use_stderr() => return Outcome { code: 0, stdout: e.to_string(), error: None },
        Err(e) => return Outcome { code: 2, stdout: String::new(), error: Some(e.to_string()) },
    };
    let mut out = Vec::new();
    let (code, error) = match cli.command.run(&mut out) {
        Ok(code) if code == ExitCode::SUCCESS => (0, None),
        Ok(_) => (1, None),
        Err(e) => (1, Some(format!("error: {e:#}"))),
    };
    Outcome { code, stdout: String::from_utf8_lossy(&out).into_owned(), error }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn usage_errors_exit_2_in_process() {
        let o = run_captured(["run"]);
        assert_eq!(o.code, 2, "{o:?}");
        let o = run_captured(["no-such-command"]);
        assert_eq!(o.code, 2, "{o:?}");
    }
}
