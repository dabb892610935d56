//! `ee new NAME`: a new EE crate that builds and passes its tests at once.
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Create an EE crate against ee-sdk: the EE (`src/lib.rs`, with the entry macro), a native
/// unit test through the host's real logic, a wasm integration test (ee build + ee check +
/// ee run), the `ee` profile for wasm32v1-none, and a README.
///
/// Example: `ee new my-ee && cd my-ee && cargo test`
#[derive(clap::Args)]
pub struct Args {
    /// Crate name (letters, digits, `-`, `_`).
    pub name: String,
    /// Parent directory (default: the current one).
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
    /// The ee repository to depend on (default: the one this `ee` was built from).
    #[arg(long)]
    pub repo: Option<PathBuf>,
}

const FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../templates/Cargo.toml.tmpl")),
    ("src/lib.rs", include_str!("../templates/lib.rs.tmpl")),
    ("tests/common/mod.rs", include_str!("../templates/common.rs.tmpl")),
    ("tests/native.rs", include_str!("../templates/native.rs.tmpl")),
    ("tests/wasm.rs", include_str!("../templates/wasm.rs.tmpl")),
    ("tests/scenario.json", include_str!("../templates/scenario.json.tmpl")),
    (".cargo/config.toml", include_str!("../templates/config.toml.tmpl")),
    ("README.md", include_str!("../templates/README.md.tmpl")),
    (".gitignore", include_str!("../templates/gitignore.tmpl")),
];

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn default_repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// `to` as a path relative to the directory `from` (both absolute).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (from, to): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    out
}

/// Runs the command.
pub fn run(args: Args, _out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    if !valid_name(&args.name) {
        bail!("`{}` is not a crate name (start with a letter; letters, digits, `-`, `_`)", args.name);
    }
    let repo =
        std::fs::canonicalize(args.repo.unwrap_or_else(default_repo)).context("finding the ee repository")?;
    if !repo.join("ee-sdk/Cargo.toml").exists() {
        bail!("{} is not the ee repository (no ee-sdk/Cargo.toml); pass --repo", repo.display());
    }
    let dir = args.path.join(&args.name);
    if dir.exists() {
        bail!("{} already exists", dir.display());
    }
    let ee_bin = std::fs::canonicalize(std::env::current_exe().context("locating this ee binary")?)?;
    // Paths relative to the new crate, so the crate and the repository can move together
    // (and the files name no one's home directory).
    std::fs::create_dir_all(&args.path).with_context(|| format!("creating {}", args.path.display()))?;
    let here = std::fs::canonicalize(&args.path)?.join(&args.name);
    let (repo_rel, bin_rel) = (relative(&here, &repo), relative(&here, &ee_bin));
    // A scenario's paths are relative to its own directory (tests/).
    let repo_from_tests = relative(&here.join("tests"), &repo);
    let fill = |t: &str| {
        t.replace("{{name}}", &args.name)
            .replace("{{crate}}", &args.name.replace('-', "_"))
            .replace("{{repo_from_tests}}", &repo_from_tests.display().to_string())
            .replace("{{repo}}", &repo_rel.display().to_string())
            .replace("{{ee_bin}}", &bin_rel.display().to_string())
    };
    for (path, template) in FILES {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("files live in a directory"))?;
        std::fs::write(&file, fill(template)).with_context(|| format!("writing {}", file.display()))?;
    }
    eprintln!("created {} — next: cd {} && cargo test", dir.display(), dir.display());
    Ok(ExitCode::SUCCESS)
}
