//! `ee net`: a local multi-node network (`docs/NETWORK.md`) — its genesis file, and
//! starting and stopping N `ee devnet --node` processes on loopback. One module per verb.
pub mod bench;
pub mod down;
pub mod genesis;
pub mod up;

use std::io::Write;
use std::process::ExitCode;

/// A multi-node network on this machine: `ee net genesis` writes the shared genesis
/// file; `ee net up` starts N node processes on loopback (distinct ports and data
/// directories, shards split evenly, every node peering with every other) and returns;
/// `ee net down` stops them. Each node is an `ee devnet --node` with its own JSON-RPC.
///
/// Example: `ee net up --nodes 4 --shards 16 --dir .ee-net && ee status --rpc http://127.0.0.1:8700 && ee net down --dir .ee-net`
#[derive(clap::Args)]
pub struct Args {
    /// The verb.
    #[command(subcommand)]
    pub verb: Verb,
}

/// What to do.
#[derive(clap::Subcommand)]
pub enum Verb {
    /// Write a genesis file for a new network.
    Genesis(genesis::Args),
    /// Start a local network of node processes.
    Up(up::Args),
    /// Stop the node processes `ee net up` started.
    Down(down::Args),
    /// Measure slots, transactions and gossip of networks of 1, 2, 4, … nodes.
    Bench(bench::Args),
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match args.verb {
        Verb::Genesis(a) => genesis::run(a, out),
        Verb::Up(a) => up::run(a, out),
        Verb::Down(a) => down::run(a, out),
        Verb::Bench(a) => bench::run(a, out),
    }
}
