//! `ee net down`: stop the nodes `ee net up` started.
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Stop the node processes listed in `DIR/pids` (SIGTERM; each commits slots atomically,
/// so a later `ee net up` resumes the network) and remove the list.
#[derive(clap::Args)]
pub struct Args {
    /// The network's folder.
    #[arg(long, default_value = ".ee-net")]
    pub dir: PathBuf,
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let pids = args.dir.join("pids");
    let text = std::fs::read_to_string(&pids)
        .map_err(|e| anyhow::anyhow!("{}: {e} (is a network running there?)", pids.display()))?;
    let mut stopped = 0;
    for pid in text.lines().filter_map(|l| l.trim().parse::<u32>().ok()) {
        let ok = std::process::Command::new("kill").arg(pid.to_string()).status().is_ok_and(|s| s.success());
        stopped += u32::from(ok);
    }
    std::fs::remove_file(&pids)?;
    writeln!(out, "stopped {stopped} nodes")?;
    Ok(ExitCode::SUCCESS)
}
