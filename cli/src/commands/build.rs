//! `ee build [PATH]`: EE crates to minified wasm, with a size table.
use crate::output::{Format, print_json, table};
use anyhow::{Context, bail};
use ee_host::abi::Role;
use ee_host::limits::Limits;
use ee_host::runtime::gatekeeper;
use ee_host::runtime::inspect::{NameMap, with_function_names_only, without_custom_sections};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Build EE crates for wasm32v1-none (the `ee` profile: opt-level z, LTO, panic = abort,
/// one codegen unit, stripped), minify them with chisel (trimexports, dropnames, snip,
/// checkfloat, checkstartfunc) and `wasm-opt -Oz` (binaryen; the smaller of its output and
/// chisel's is kept; `--no-wasm-opt` skips it), into `<target>/ees/`. PATH is
/// an EE crate, or a workspace whose every EE crate (a library depending on `ee-sdk` that
/// declares `[package.metadata.ee-build] ee = true` or has a `cdylib` crate type, unless its
/// `[package.metadata.ee-build]` has `skip = "why"`) is built, each on its own so that it
/// carries only its own features. The wasm is linked with `cargo rustc --crate-type cdylib`,
/// so a workspace's EE crates stay plain `rlib`s in native builds (no native shared library
/// per EE). Prints name, sizes,
/// imports, exports and code hash; `--budget` fails when an EE is larger than allowed.
///
/// Example: `ee build`, `ee build examples/proof-ee --features pure-sha256 --out-name proof_ee_pure`
#[derive(clap::Args)]
pub struct Args {
    /// An EE crate or a workspace (default: the current directory).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Only these packages (of a workspace).
    #[arg(short, long)]
    pub package: Vec<String>,
    /// Cargo features to enable.
    #[arg(long)]
    pub features: Option<String>,
    /// Output file name (without `.wasm`; one package only).
    #[arg(long)]
    pub out_name: Option<String>,
    /// Cargo target directory (default: the workspace's).
    #[arg(long)]
    pub target_dir: Option<PathBuf>,
    /// Skip `wasm-opt -Oz` (binaryen), which otherwise runs after chisel (its output is kept
    /// only when smaller).
    #[arg(long)]
    pub no_wasm_opt: bool,
    /// Report panics as "panic at <file>:<line>" (ee-sdk's `panic-location` feature)
    /// instead of "panic": for debugging; every panic site's location is compiled in.
    #[arg(long)]
    pub panic_locations: bool,
    /// JSON file of `{ "<name>": <max bytes> }`: fail when a built EE is larger.
    #[arg(long)]
    pub budget: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One built EE.
#[derive(Serialize)]
pub struct Built {
    name: String,
    wasm: PathBuf,
    original_bytes: u64,
    bytes: u64,
    imports: usize,
    exports: Vec<String>,
    code_hash: String,
    budget: Option<u64>,
}

struct Package {
    name: String,
    lib_name: String,
    manifest: PathBuf,
}

/// The EE crates under `path` (a package: itself; a workspace: every EE member) and the
/// target directory.
fn packages(path: &Path) -> anyhow::Result<(Vec<Package>, PathBuf)> {
    let manifest = if path.is_dir() { path.join("Cargo.toml") } else { path.to_path_buf() };
    let out = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--no-deps", "--manifest-path"])
        .arg(&manifest)
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed for {}: {}",
            manifest.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).context("parsing cargo metadata")?;
    let target = PathBuf::from(meta["target_directory"].as_str().unwrap_or("target"));
    let canonical = |p: &str| std::fs::canonicalize(p).ok();
    let wanted = std::fs::canonicalize(&manifest).ok();
    let all: Vec<&serde_json::Value> = meta["packages"].as_array().into_iter().flatten().collect();
    let this_package =
        all.iter().any(|p| canonical(p["manifest_path"].as_str().unwrap_or_default()) == wanted);
    let list = |v: &serde_json::Value, key: &str| v[key].as_array().cloned().unwrap_or_default();
    let mut found = Vec::new();
    for p in all {
        let manifest_path = p["manifest_path"].as_str().unwrap_or_default();
        if this_package && canonical(manifest_path) != wanted {
            continue;
        }
        // A cdylib that links the SDK but is no EE (the JS package's wasm) says so.
        if p["metadata"]["ee-build"]["skip"].as_str().is_some() {
            continue;
        }
        let depends_on_sdk = list(p, "dependencies").iter().any(|d| d["name"] == "ee-sdk");
        let declared = p["metadata"]["ee-build"]["ee"].as_bool() == Some(true);
        let lib = list(p, "targets").into_iter().find(|t| {
            let kinds = list(t, "crate_types");
            kinds.iter().any(|c| c == "cdylib")
                || (declared && kinds.iter().any(|c| c == "lib" || c == "rlib"))
        });
        if let (true, Some(lib)) = (depends_on_sdk, lib) {
            found.push(Package {
                name: p["name"].as_str().unwrap_or_default().to_string(),
                lib_name: lib["name"].as_str().unwrap_or_default().replace('-', "_"),
                manifest: PathBuf::from(manifest_path),
            });
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((found, target))
}

fn tool(name: &str, hint: &str) -> anyhow::Result<()> {
    match Command::new(name).arg("--version").output() {
        Ok(_) => Ok(()),
        Err(_) => bail!("`{name}` not found on PATH; {hint}"),
    }
}

/// Runs chisel's `modules` on `input` into `output`.
fn chisel(modules: &[&str], input: &Path, output: &Path) -> anyhow::Result<()> {
    let out = Command::new("chisel")
        .args(["-m", &modules.join(",")])
        .args(["-c", "trimexports.preset=ewasm", "-c", "checkstartfunc.require_start=false"])
        .arg(input)
        .arg("-o")
        .arg(output)
        .output()
        .context("running chisel")?;
    if !out.status.success() {
        bail!(
            "chisel failed on {}: {}{}",
            input.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// Where the function names of a built EE are kept: `<name>.names.json` beside it.
pub fn names_path(wasm: &Path) -> PathBuf {
    wasm.with_extension("names.json")
}

/// Builds, minifies and measures one package.
fn build_one(p: &Package, args: &Args, target: &Path) -> anyhow::Result<Built> {
    let mut cargo = Command::new("cargo");
    cargo
        .args(["rustc", "--lib", "--crate-type", "cdylib", "--profile", "ee", "--target", "wasm32v1-none"])
        .arg("--manifest-path")
        .arg(&p.manifest)
        .args(["-p", &p.name])
        .arg("--target-dir")
        .arg(target);
    if let Some(f) = &args.features {
        cargo.args(["--features", f]);
    }
    if args.panic_locations {
        cargo.args(["--features", "ee-sdk/panic-location"]);
    }
    // Keep the name section through minification (the profile strips it) so the names can
    // be saved beside the artifact; the code is the same, and the names are dropped last.
    cargo.args(["--", "-C", "strip=none"]);
    let status = cargo.status().context("running cargo")?;
    if !status.success() {
        bail!("cargo build of {} failed", p.name);
    }
    let raw = target.join("wasm32v1-none/ee").join(format!("{}.wasm", p.lib_name));
    let out_dir = target.join("ees");
    std::fs::create_dir_all(&out_dir)?;
    let out_name = args.out_name.clone().unwrap_or_else(|| p.lib_name.clone());
    let wasm = out_dir.join(format!("{out_name}.wasm"));
    // Minified with the function names kept (the only name subsection chisel's parser
    // reads; it keeps them in step as it removes functions); the names go to
    // `<name>.names.json` and the artifact is the same module without custom sections.
    let named_in = std::fs::read(&raw)?;
    let plain = target.join("wasm32v1-none/ee").join(format!("{out_name}.plain.wasm"));
    std::fs::write(
        &plain,
        without_custom_sections(&named_in).with_context(|| format!("{} is malformed", raw.display()))?,
    )?;
    let named = target.join("wasm32v1-none/ee").join(format!("{out_name}.named.wasm"));
    std::fs::write(
        &named,
        with_function_names_only(&named_in).with_context(|| format!("{} is malformed", raw.display()))?,
    )?;
    chisel(&["trimexports", "snip", "checkfloat", "checkstartfunc"], &named, &named)?;
    let names_file = names_path(&wasm);
    let _ = std::fs::remove_file(&names_file);
    if !args.no_wasm_opt {
        // `-g` keeps the names; the MVP feature set plus mutable globals is wasm32v1-none's,
        // so binaryen adds no instruction the host would refuse.
        let optimized = named.with_extension("oz.wasm");
        let out = Command::new("wasm-opt")
            .args(["-Oz", "-g", "--mvp-features", "--enable-mutable-globals"])
            .arg(&named)
            .arg("-o")
            .arg(&optimized)
            .output()
            .context("running wasm-opt")?;
        if !out.status.success() {
            bail!("wasm-opt failed on {}: {}", named.display(), String::from_utf8_lossy(&out.stderr).trim());
        }
        let code_size = |path: &Path| -> anyhow::Result<usize> {
            Ok(without_custom_sections(&std::fs::read(path)?)
                .with_context(|| format!("{} is malformed", path.display()))?
                .len())
        };
        if code_size(&optimized)? < code_size(&named)? {
            std::fs::rename(&optimized, &named)?;
        } else {
            std::fs::remove_file(&optimized)?;
        }
    }
    let named_out = std::fs::read(&named)?;
    let final_code = without_custom_sections(&named_out).context("chisel's output is malformed")?;
    std::fs::write(&wasm, &final_code)?;
    let mut functions =
        NameMap::of(&named_out).with_context(|| format!("reading the names of {}", named.display()))?;
    // The exported entry is `ee_sdk::entry!`'s unmangled `main` in the EE's crate root (with
    // what the optimisers inlined into it): name it by that path, so it counts as the EE's.
    for name in functions.values_mut().filter(|n| *n == "main") {
        *name = format!("{}::main", p.lib_name);
    }
    let names = NameMap { code_hash: hex::encode(Sha256::digest(&final_code)), functions };
    std::fs::write(&names_file, serde_json::to_string(&names)?)?;
    let code = std::fs::read(&wasm)?;
    let facts = gatekeeper::check(&code, Role::Meta, &Limits::default())
        .or_else(|_| gatekeeper::check(&code, Role::Ee, &Limits::default()));
    let (imports, exports) = match facts {
        Ok(f) => (f.imports.len(), f.exports),
        Err(e) => bail!("{} does not pass `ee check`: {e}", wasm.display()),
    };
    Ok(Built {
        name: out_name,
        original_bytes: std::fs::metadata(&plain)?.len(),
        bytes: code.len() as u64,
        imports,
        exports,
        code_hash: hex::encode(Sha256::digest(&code)),
        wasm,
        budget: None,
    })
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    tool("chisel", "install it with `cargo install --locked chisel` (scripts/bootstrap.sh does)")?;
    if !args.no_wasm_opt {
        tool(
            "wasm-opt",
            "install binaryen's with `cargo install --locked wasm-opt --version 0.116.1` (scripts/bootstrap.sh does), or pass --no-wasm-opt",
        )?;
    }
    let (mut pkgs, target) = packages(&args.path)?;
    let target = args.target_dir.clone().unwrap_or(target);
    if !args.package.is_empty() {
        pkgs.retain(|p| args.package.contains(&p.name));
    }
    if pkgs.is_empty() {
        bail!(
            "no EE crate (a library depending on ee-sdk, marked `[package.metadata.ee-build] ee = true` or a cdylib) at {}",
            args.path.display()
        );
    }
    if args.out_name.is_some() && pkgs.len() > 1 {
        bail!("--out-name needs a single package");
    }
    let budget: BTreeMap<String, u64> = match &args.budget {
        Some(p) => serde_json::from_str(&crate::args::read_input_text(p)?)
            .with_context(|| format!("{} must be a JSON object of name: max bytes", p.display()))?,
        None => BTreeMap::new(),
    };
    let mut built = Vec::new();
    for p in &pkgs {
        let mut b = build_one(p, &args, &target)?;
        b.budget = budget.get(&b.name).copied();
        built.push(b);
    }
    let over: Vec<&Built> = built.iter().filter(|b| b.budget.is_some_and(|max| b.bytes > max)).collect();
    if args.format == Format::Json {
        print_json(out, &built)?;
    } else {
        let mut t = table(["EE", "built", "minified", "change", "imports", "exports", "code hash", "budget"]);
        for b in &built {
            let change = 100.0 * (b.bytes as f64 - b.original_bytes as f64) / b.original_bytes.max(1) as f64;
            t.add_row(vec![
                b.name.clone(),
                b.original_bytes.to_string(),
                b.bytes.to_string(),
                format!("{change:+.1}%"),
                b.imports.to_string(),
                b.exports.join(","),
                b.code_hash[..16].to_string(),
                b.budget.map_or("-".into(), |m| format!("{m}{}", if b.bytes > m { " EXCEEDED" } else { "" })),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    for b in &over {
        eprintln!("error: {} is {} bytes, over its budget of {}", b.name, b.bytes, b.budget.unwrap_or(0));
    }
    Ok(if over.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
