//! `ee` commands: the demo reproduces seed 000, and bad input gives a clear message and
//! exit code 1 — in-process through `ee_cli::run_captured`, plus one run of the real
//! binary.
use ee_cli::Outcome;
use serde_json::Value;
use std::process::Command;

fn ee(args: &[&str]) -> Outcome {
    ee_cli::run_captured(args.iter().copied())
}

fn matrices(v: &Value, key: &str) -> Vec<(String, Value)> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap().to_string(), m["rows"].clone()))
        .collect()
}

#[test]
fn demo_json_reproduces_seed_000() {
    let dir = ee_integration::ees_dir();
    for engine in ["singlepass", "cranelift"] {
        let out = ee(&["demo", "--format", "json", "--engine", engine, "--ees-dir", dir.to_str().unwrap()]);
        assert!(out.success(), "{:?}", out.error);
        let v: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
        let start = serde_json::json!([[3, 0], [0, 0]]);
        let end = serde_json::json!([[2, 1], [0, 0]]);
        assert_eq!(matrices(&v, "initial"), vec![("EE0".into(), start.clone()), ("EE1".into(), start)]);
        assert_eq!(matrices(&v, "final"), vec![("EE0".into(), end.clone()), ("EE1".into(), end)]);
        let netting = v["blocks"][0]["netting"].as_array().unwrap();
        assert_eq!(netting.len(), 2);
        assert!(netting.iter().all(|r| r["status"] == "accepted"));
        assert_eq!(v["total_supply"], 6);
        assert_eq!(v["engine"], engine);
    }
}

#[test]
fn run_table_output_names_every_transaction_and_decision() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/seed000.json");
    let out = ee(&["run", path.to_str().unwrap()]);
    assert!(out.success(), "{:?}", out.error);
    let text = out.stdout;
    for needle in
        ["EE0 (0)", "EE1 (1)", "meta-EE (2)", "accepted", "Final matrices", "Total over all matrices: 6"]
    {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn bad_scenarios_fail_with_a_message() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let cases = [
        ("malformed.json", "{ not json", "scenario is not valid"),
        ("unknown-field.json", r#"{"shards": 1, "ees": [], "blocks": [], "surprise": 1}"#, "unknown field"),
        (
            "missing-wasm.json",
            r#"{"shards": 1, "ees": [{"id": 0, "role": "meta", "wasm": "nope.wasm"}], "blocks": []}"#,
            "nope.wasm",
        ),
        (
            "bad-matrix.json",
            r#"{"shards": 2, "ees": [{"id": 0, "role": "meta", "wasm": "../x"}, {"id": 1, "wasm": "../x", "matrix": [[1]]}], "blocks": []}"#,
            "x",
        ),
    ];
    for (name, text, needle) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = ee(&["run", path.to_str().unwrap()]);
        assert_eq!(out.code, 1, "{name}");
        let err = out.error.unwrap_or_default();
        assert!(err.contains(needle), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    }
    let out = ee(&["run"]);
    assert_eq!(out.code, 2, "usage errors exit 2");
    // The real binary: the same exit codes, data on stdout, the reason on stderr.
    let bin = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_ee")).args(args).output().expect("ee runs");
    assert_eq!(bin(&["run"]).status.code(), Some(2), "usage errors exit 2");
    let missing = bin(&["run", "/nonexistent/scenario.json"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(missing.stdout.is_empty() && String::from_utf8_lossy(&missing.stderr).contains("scenario.json"));
}

#[test]
fn abi_json_lists_every_host_function() {
    let out = ee(&["abi", "--format", "json"]);
    assert!(out.success());
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), ee_host::abi::HostFn::ALL.len());
}

#[test]
fn vhee_demo_walks_through_claims_replays_and_over_claims() {
    let dir = ee_integration::ees_dir();
    let out = ee(&["demo", "vhee", "--format", "json", "--ees-dir", dir.to_str().unwrap()]);
    assert!(out.success(), "{:?}", out.error);
    let steps: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let results: Vec<&str> = steps.iter().map(|s| s["result"].as_str().unwrap()).collect();
    assert_eq!(results.len(), 10);
    assert_eq!(results[5], "refused: aborted: receipt already claimed");
    assert_eq!(results[9], "refused: aborted: claim exceeds what was netted for the data root");
    assert!(
        results.iter().enumerate().all(|(i, r)| i == 5 || i == 9 || *r == "ok" || *r == "-"),
        "{results:?}"
    );
    let last = &steps[9]["balances"];
    let balance = |i: usize| last[i]["balance"].as_u64().unwrap();
    let gwei = 1_000_000_000;
    assert_eq!((balance(0), balance(1), balance(2), balance(3)), (14 * gwei, 10 * gwei, 7 * gwei, 3 * gwei));
}

#[test]
fn sim_writes_a_series_and_charts_and_is_the_same_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("series.csv");
    let plots = dir.path().join("plots");
    let base = ["sim", "--native", "--shards", "4", "--ees", "8", "--blocks", "5", "--format", "json"];
    let mut args = base.to_vec();
    args.extend(["--threads", "1", "--series", csv.to_str().unwrap(), "--plot", plots.to_str().unwrap()]);
    let one = ee(&args);
    assert!(one.success(), "{:?}", one.error);
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "header and one row per slot:\n{text}");
    assert!(lines[0].starts_with("slot,transactions,accepted_outputs"));
    assert!(lines[5].starts_with("4,"));
    for (file, title) in [
        ("proof-bytes.svg", "Witness bytes per slot"),
        ("known-minimum.svg", "known minimum"),
        ("diagonal-drift.svg", "Diagonal drift"),
    ] {
        let svg = std::fs::read_to_string(plots.join(file)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains(title) && svg.contains("<polyline"), "{file}");
    }
    let mut args = base.to_vec();
    args.extend(["--threads", "3"]);
    let three = ee(&args);
    assert!(three.success(), "{:?}", three.error);
    let roots = |o: &Outcome| serde_json::from_str::<Value>(&o.stdout).unwrap()["final_roots"].clone();
    assert_eq!(roots(&one), roots(&three));
    assert_eq!(roots(&one).as_array().map(Vec::len), Some(4));
}

#[test]
fn sim_compares_netting_variants_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("series.csv");
    let plots = dir.path().join("plots");
    let base = ["sim", "--native", "--shards", "4", "--ees", "8", "--blocks", "4", "--threads", "2"];
    let mut args = base.to_vec();
    args.extend(["--compare", "a,b,zero-capital,reserve", "--format", "json"]);
    args.extend(["--series", csv.to_str().unwrap(), "--plot", plots.to_str().unwrap()]);
    let out = ee(&args);
    assert!(out.success(), "{:?}", out.error);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let reports = json["reports"].as_array().unwrap();
    let names: Vec<&str> =
        reports.iter().map(|r| r["config"]["netting"]["variant"].as_str().unwrap()).collect();
    assert_eq!(names, ["a", "b", "zero-capital", "reserve"]);
    for r in reports {
        assert_eq!(r["root_mismatches"], 0);
        assert_eq!(r["supply_conserved"], true);
        assert!(r["accepted_outputs"].as_u64().unwrap() > 0);
    }
    assert_eq!(reports[3]["capital_locked"], 4u64 * 8 * 1_000_000_000, "1 ETH per shard per EE");
    assert_eq!(reports[1]["capital_locked"], 0);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("variant,slot,"), "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("zero-capital,")).count(), 4);
    let svg = std::fs::read_to_string(plots.join("foreign-proof-bytes.svg")).unwrap();
    assert!(svg.contains("by netting variant") && svg.contains("zero-capital") && svg.contains("log scale"));

    // The table has a column per variant; a fixed read order is named in its header.
    let mut args = base.to_vec();
    args.extend(["--compare", "b,reserve", "--fixed-order", "7"]);
    let out = ee(&args);
    assert!(out.success(), "{:?}", out.error);
    assert!(out.stdout.contains("fixed read order (seed 7)"), "{}", out.stdout);
    let header = out.stdout.lines().find(|l| l.contains("figure")).unwrap();
    assert!(header.contains(" b ") && header.contains("reserve"), "{header}");

    // Unknown variants and --netting with --compare are refused by the parser.
    let mut args = base.to_vec();
    args.extend(["--netting", "c"]);
    let out = ee(&args);
    assert_eq!(out.code, 2);
    let error = out.error.unwrap_or_default();
    assert!(error.contains("unknown netting variant `c`"), "{error}");
    let mut args = base.to_vec();
    args.extend(["--netting", "a", "--compare", "b"]);
    assert_eq!(ee(&args).code, 2);
}

#[test]
fn sim_mixes_vhee_users_into_every_slot_under_every_variant() {
    for seed in ["1", "2", "3"] {
        let args = [
            "sim",
            "--native",
            "--shards",
            "3",
            "--ees",
            "6",
            "--blocks",
            "10",
            "--seed",
            seed,
            "--vhee-users",
            "3",
            "--compare",
            "a,b,zero-capital,reserve",
            "--format",
            "json",
        ];
        let out = ee(&args);
        assert!(out.success(), "seed {seed}: {:?}\n{}", out.error, out.stdout);
        let json: Value = serde_json::from_str(&out.stdout).unwrap();
        for r in json["reports"].as_array().unwrap() {
            let users = &r["users"];
            // 3 shards × 10 slots: one VHEE transaction per block, all accepted.
            let ops: u64 = ["deposit", "transfer", "cross_shard", "claim"]
                .iter()
                .map(|k| users[*k].as_u64().unwrap_or(0))
                .sum();
            assert_eq!(ops, 30, "seed {seed}: {users}");
            assert!(users["deposit"].as_u64().unwrap() >= 3, "every account starts with a deposit");
            assert!(users["claim"].as_u64().unwrap() > 0, "receipts are claimed: {users}");
            assert_eq!(r["ledger_matches_state"], true);
            assert_eq!(r["supply_conserved"], true, "deposits are counted as minted");
        }
    }
}

#[test]
fn key_files_are_read_bounded_and_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.key");
    std::fs::write(&big, vec![b' '; 70 * 1024]).unwrap();
    let garbage = dir.path().join("garbage.key");
    std::fs::write(&garbage, b"{\"secret\": 1}").unwrap();
    for (file, want) in [(&big, "larger than a key file"), (&garbage, "is not a key file")] {
        let out = ee(&["bls", "sign", "--key", file.to_str().unwrap(), "--message", "00"]);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(out.error.as_deref().unwrap_or("").contains(want), "{out:?}");
        let wasm = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/ees/relay_ee.wasm");
        let out = ee(&["deploy", wasm, "--key", file.to_str().unwrap()]);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(out.error.as_deref().unwrap_or("").contains(want), "{out:?}");
    }
    let good = dir.path().join("good.key");
    assert!(ee(&["keygen", "--dev", "0", "--out", good.to_str().unwrap()]).success());
    let signed = ee(&["bls", "sign", "--key", good.to_str().unwrap(), "--message", "6869"]);
    assert!(signed.success(), "{signed:?}");
    assert_eq!(signed.stdout.trim().len(), 192, "a 96-byte signature in hex");
}

/// Two `ee run` processes filling one module cache at once leave it whole: a third run
/// loads every module from it (no entry fails its check) and prints exactly what a run
/// without the cache prints.
#[test]
fn processes_share_the_module_cache_without_corrupting_it() {
    let cache = tempfile::tempdir().unwrap();
    let scenario = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/umbrella.json");
    let scenario = scenario.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ee"));
        c.args(["run", scenario, "--format", "json", "-v"]).args(extra).env("EE_CACHE_DIR", cache.path());
        c
    };
    let both: Vec<_> =
        (0..2).map(|_| run(&[]).stdout(std::process::Stdio::null()).spawn().unwrap()).collect();
    for mut child in both {
        assert!(child.wait().unwrap().success());
    }
    let names: Vec<String> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().filter(|n| n.ends_with(".module")).count() >= 3, "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with(".tmp")), "{names:?}");
    let third = run(&[]).output().unwrap();
    let stderr = String::from_utf8_lossy(&third.stderr);
    assert!(third.status.success() && !stderr.contains("failed its check"), "{stderr}");
    let fresh = run(&["--no-cache"]).output().unwrap();
    // Timings differ; everything else is the same.
    let strip = |out: &[u8]| -> Value {
        fn walk(v: &mut Value) {
            match v {
                Value::Object(m) => {
                    m.retain(|k, _| !k.ends_with("_us"));
                    m.values_mut().for_each(walk);
                }
                Value::Array(a) => a.iter_mut().for_each(walk),
                _ => {}
            }
        }
        let mut v: Value = serde_json::from_slice(out).unwrap();
        walk(&mut v);
        v
    };
    assert_eq!(strip(&third.stdout), strip(&fresh.stdout));
}

/// Files a user names are read only if they are regular files, with a bound: `/dev/zero`
/// and a FIFO are refused at once (a FIFO used to hang, `/dev/zero` to eat memory), with
/// one clear message each and every cause printed once.
#[test]
fn inputs_must_be_bounded_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = ee(&["run", "/dev/zero"]);
    assert_eq!(out.code, 1);
    assert!(out.error.as_deref().unwrap().contains("/dev/zero is not a regular file"), "{:?}", out.error);
    let fifo = dir.path().join("fifo.wasm");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let scenario = dir.path().join("s.json");
    let meta = ee_integration::ees_dir().join("meta_ee.wasm");
    std::fs::write(
        &scenario,
        format!(
            r#"{{"shards": 1, "ees": [{{"id": 0, "name": "x", "wasm": "fifo.wasm"}},
                {{"id": 9, "role": "meta", "wasm": "{}"}}], "blocks": []}}"#,
            meta.display()
        ),
    )
    .unwrap();
    for args in [
        vec!["run", scenario.to_str().unwrap()],
        vec!["inspect", fifo.to_str().unwrap()],
        vec!["check", fifo.to_str().unwrap()],
        vec!["deploy", fifo.to_str().unwrap(), "--key", fifo.to_str().unwrap()],
    ] {
        let out = ee(&args);
        let text = format!("{}{}", out.error.unwrap_or_default(), out.stdout);
        assert!(text.contains("is not a regular file"), "{args:?}: {text}");
    }
    let missing = ee(&["run", "/nonexistent/scenario.json"]).error.unwrap();
    assert_eq!(missing.matches("No such file").count(), 1, "{missing}");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{").unwrap();
    // Something that is not a module: one line, status 1.
    let out = ee(&["inspect", bad.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    let err = out.error.unwrap();
    assert!(err.contains("is not a WebAssembly module") && !err.contains('\n'), "{err}");
    let err = ee(&["run", bad.to_str().unwrap()]).error.unwrap();
    assert_eq!(err.matches("EOF while parsing").count(), 1, "{err}");
    // A closed port: the URL and what happened.
    let out = ee(&["status", "--rpc", "http://127.0.0.1:1"]);
    let err = out.error.unwrap();
    assert!(err.contains("http://127.0.0.1:1") && err.contains("connection refused"), "{err}");
}

/// `ee … | head -1`: the reader going away ends the command quietly with status 141
/// (SIGPIPE's), not an error message or a panic.
#[test]
fn a_closed_pipe_ends_commands_quietly() {
    for args in [&["abi"][..], &["costs"], &["abi", "--format", "json"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ee"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
        assert!(matches!(out.status.code(), Some(0 | 141)), "{args:?}: {:?}", out.status);
    }
}
