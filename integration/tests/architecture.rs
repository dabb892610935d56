//! The workspace's floors stay apart: no crate depends (in any way, dev-dependencies
//! included) on a crate that depends on it; no module of a crate uses a module that uses
//! it back; the client builds without the runtime and the core without the tools.
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cargo(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO")).args(args).current_dir(root()).output().expect("cargo runs");
    assert!(out.status.success(), "cargo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A cycle in `graph`, if there is one (as the path around it).
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|p| p == n).unwrap();
                let mut c = path[start..].to_vec();
                c.push(n.to_string());
                return Some(c);
            }
            _ => {}
        }
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    graph.keys().find_map(|n| visit(n, graph, &mut state, &mut Vec::new()))
}

#[test]
fn the_crate_graph_has_no_loop_even_through_dev_dependencies() {
    let meta: Value =
        serde_json::from_str(&cargo(&["metadata", "--format-version", "1", "--no-deps"])).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let names: BTreeSet<String> = packages.iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in packages {
        let name = p["name"].as_str().unwrap().to_string();
        let deps =
            p["dependencies"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap().to_string());
        // A package's dev-dependency on itself (to turn on its own features) is no loop.
        let edges = deps.filter(|d| names.contains(d) && *d != name).collect();
        graph.insert(name, edges);
    }
    assert!(graph.len() >= 10, "{graph:?}");
    assert_eq!(cycle(&graph), None);
    // And every edge goes down the floors of ARCHITECTURE.md.
    let floors: &[&[&str]] = &[
        &["ee-sdk", "blake2b-rs", "ee-types"],
        &["ee-host"],
        &[
            "meta-ee",
            "transfer-ee",
            "proof-ee",
            "relay-ee",
            "scout-hello",
            "scout-hasher",
            "fee-market-ee",
            "umbrella-ee",
            "data-checkin-ee",
            "token-ee",
            "counter-contract",
        ],
        &["vhee"],
        &["ee-client"],
        &["ee-client-js"],
        &["ee-devnet"],
        &["ee-integration"],
        &["ee-cli"],
    ];
    let floor =
        |p: &str| floors.iter().position(|f| f.contains(&p)).unwrap_or_else(|| panic!("{p} has no floor"));
    for (p, deps) in &graph {
        for d in deps {
            assert!(floor(d) < floor(p), "{p} (floor {}) depends on {d} (floor {})", floor(p), floor(d));
        }
    }
}

#[test]
fn path_heads_reads_plain_and_grouped_paths() {
    assert_eq!(path_heads("logic::{HostError, X}"), vec!["logic"]);
    assert_eq!(path_heads("{abi::Role, state::{World, keys}, limits}"), vec!["abi", "state", "limits"]);
}

/// The first path segment(s) after `crate::`: `a` in `a::b`, `a` and `b` in `{a::x, b}`.
fn path_heads(rest: &str) -> Vec<String> {
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    let Some(group) = rest.strip_prefix('{') else { return vec![ident(rest)] };
    let (mut depth, mut heads, mut start) = (0usize, Vec::new(), true);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => start = true,
            c if start && !c.is_whitespace() => {
                heads.push(ident(&group[i..]));
                start = false;
            }
            _ => {}
        }
    }
    heads
}

/// Top-level modules of a crate's `src` and the modules each of them uses (`crate::…`,
/// grouped `crate::{…}`, and `super::…` from a top-level module's own file).
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let module_of = |p: &Path| -> String {
        let rel = p.strip_prefix(src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
        first.trim_end_matches(".rs").to_string()
    };
    let modules: BTreeSet<String> = files.iter().map(|p| module_of(p)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let from = module_of(f);
        if from == "lib" || from == "main" {
            continue;
        }
        // Code only: doc links to other modules are no dependency.
        let text: String = std::fs::read_to_string(f)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        // `super::` in a top-level module's own file means the crate root.
        let rel = f.strip_prefix(src).unwrap();
        let top_file = rel.components().count() == 1
            || rel.file_name().is_some_and(|n| n == "mod.rs") && rel.components().count() == 2;
        let prefixes: &[&str] = if top_file { &["crate::", "super::"] } else { &["crate::"] };
        for prefix in prefixes {
            for (i, _) in text.match_indices(prefix) {
                if prefix == &"super::" && i > 0 && text[..i].ends_with("super::") {
                    continue;
                }
                for name in path_heads(&text[i + prefix.len()..]) {
                    if name != from && modules.contains(&name) {
                        graph.entry(from.clone()).or_default().insert(name);
                    }
                }
            }
        }
        graph.entry(from).or_default();
    }
    graph
}

#[test]
fn no_module_uses_a_module_that_uses_it_back() {
    let meta: Value =
        serde_json::from_str(&cargo(&["metadata", "--format-version", "1", "--no-deps"])).unwrap();
    let mut checked = 0;
    for p in meta["packages"].as_array().unwrap() {
        let manifest = PathBuf::from(p["manifest_path"].as_str().unwrap());
        let src = manifest.parent().unwrap().join("src");
        if !src.is_dir() {
            continue;
        }
        let graph = module_graph(&src);
        assert_eq!(cycle(&graph), None, "module loop in {}", src.display());
        checked += 1;
    }
    assert!(checked >= 10);
    // The host's floors, lowest first: no module uses one further up.
    let host = module_graph(&root().join("host/src"));
    let floors = [
        &["abi", "files", "limits", "parallel"][..],
        &["gas", "crypto", "state"],
        &["logic"],
        &["exec", "runtime", "native"],
        &["genesis", "report"],
        &["scenario", "scout", "sim"],
    ];
    let floor =
        |m: &str| floors.iter().position(|f| f.contains(&m)).unwrap_or_else(|| panic!("{m} has no floor"));
    for (from, tos) in &host {
        for to in tos {
            assert!(floor(to) <= floor(from), "ee-host: `{from}` uses `{to}`, a higher floor");
        }
    }
}

fn tree(package: &str) -> String {
    cargo(&["tree", "-p", package, "-e", "normal", "--prefix", "none", "--format", "{p}"])
}

#[test]
fn the_client_pulls_in_no_runtime_and_the_core_no_tools() {
    let client = tree("ee-client");
    for banned in ["wasmer", "ee-host", "tokio", "redb", "jsonrpsee"] {
        assert!(
            !client.lines().any(|l| l.starts_with(&format!("{banned} "))),
            "ee-client depends on {banned}"
        );
    }
    let host = tree("ee-host");
    for banned in
        ["clap", "jsonrpsee", "redb", "tokio", "comfy-table", "indicatif", "ureq", "ee-client", "bls12_381"]
    {
        assert!(!host.lines().any(|l| l.starts_with(&format!("{banned} "))), "ee-host depends on {banned}");
    }
    assert!(host.lines().any(|l| l.starts_with("wasmer ")), "the check reads the tree: {host}");
}

/// The units (package, target, mode, features, profile) a cargo command would build, and
/// the indices of their dependencies, from cargo's unit graph.
fn unit_graph(args: &[&str]) -> Vec<(String, Vec<usize>)> {
    let mut all = args.to_vec();
    all.extend(["-Z", "unstable-options", "--unit-graph"]);
    let out = Command::new(env!("CARGO"))
        .args(&all)
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo {all:?}: {}", String::from_utf8_lossy(&out.stderr));
    let g: Value = serde_json::from_slice(&out.stdout).unwrap();
    g["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let key = format!(
                "{} {} {} {:?} {} {} {}",
                u["pkg_id"],
                u["target"]["name"],
                u["mode"],
                u["features"],
                u["profile"]["name"],
                u["profile"]["opt_level"],
                u["platform"]
            );
            let deps =
                u["dependencies"].as_array().unwrap().iter().map(|d| d["index"].as_u64().unwrap() as usize);
            (key, deps.collect())
        })
        .collect()
}

/// The README's two commands share one build: every unit `scripts/demo.sh` compiles (the
/// `ee` binary, so wasmer and its compilers) is, with the same features and the same
/// dependencies, a unit of `scripts/test.sh`'s build, which therefore compiles none of
/// them again.
#[test]
fn the_demo_build_is_part_of_the_test_build() {
    let demo = unit_graph(&["build", "--release", "-p", "ee-cli", "--bin", "ee"]);
    let test = unit_graph(&["test", "--workspace", "--release", "--all-targets", "--no-run"]);
    let in_test: BTreeSet<&str> = test.iter().map(|(k, _)| k.as_str()).collect();
    // A unit is shared if it is identical and all its dependencies are shared.
    fn shared(
        i: usize,
        g: &[(String, Vec<usize>)],
        in_test: &BTreeSet<&str>,
        memo: &mut Vec<Option<bool>>,
    ) -> bool {
        if let Some(v) = memo[i] {
            return v;
        }
        memo[i] = Some(true);
        let v = in_test.contains(g[i].0.as_str()) && g[i].1.iter().all(|&d| shared(d, g, in_test, memo));
        memo[i] = Some(v);
        v
    }
    let mut memo = vec![None; demo.len()];
    let rebuilt: Vec<&str> = (0..demo.len())
        .filter(|&i| !shared(i, &demo, &in_test, &mut memo))
        .map(|i| demo[i].0.as_str())
        .collect();
    assert!(demo.iter().any(|(k, _)| k.contains("wasmer-compiler-cranelift")), "the graph is read");
    assert!(rebuilt.is_empty(), "the test build would compile these again:\n{}", rebuilt.join("\n"));
}
