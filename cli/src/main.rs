//! `ee`: the command-line tool for Phase 2 execution environments.
//!
//! Data goes to stdout (`--format table|json`), logs and progress to stderr. Exit codes:
//! 0 success, 1 failure (the message says why), 2 usage error.
mod commands;
mod output;

use clap::{Parser, Subcommand};

/// Build, check, measure, run and deploy Ethereum 2 Phase 2 execution environments.
#[derive(Parser)]
#[command(name = "ee", version, about, long_about = None)]
struct Cli {
    /// Log verbosity on stderr (-v: info, -vv: debug, including EEs' debug_log).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    Keygen(commands::keygen::Args),
    Deploy(commands::deploy::Args),
    Send(commands::send::Args),
    Status(commands::status::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::New(a) => commands::new::run(a),
        Command::Build(a) => commands::build::run(a),
        Command::Check(a) => commands::check::run(a),
        Command::Inspect(a) => commands::inspect::run(a),
        Command::Gas(a) => commands::gas::run(a),
        Command::Run(a) => commands::run::run(a),
        Command::Demo(a) => commands::demo::run(a),
        Command::Abi(a) => commands::abi::run(a),
        Command::Costs(a) => commands::costs::run(a),
        Command::Sim(a) => commands::sim::run(a),
        Command::Devnet(a) => commands::devnet::run(a),
        Command::Keygen(a) => commands::keygen::run(a),
        Command::Deploy(a) => commands::deploy::run(a),
        Command::Send(a) => commands::send::run(a),
        Command::Status(a) => commands::status::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("EE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
