//! The `ee` toolchain for EE authors: new, build, check, inspect, gas. Outputs are
//! snapshot-tested (insta); every bad input is a clear message and a non-zero exit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ee_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ee")).current_dir(dir).args(args).output().expect("ee runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A scratch directory, removed when dropped (the `new` test builds a whole crate in it:
/// ~0.5 GB that used to stay behind in the temp directory after every run).
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("ee-toolchain-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn wat(dir: &Path, name: &str, src: &str) {
    std::fs::write(dir.join(name), wat::parse_str(src).unwrap()).unwrap();
}

/// A small valid EE with named functions: prints one netting output, hashes its data.
const GOOD: &str = r#"(module
    (import "env" "block_data_size" (func $size (result i32)))
    (import "env" "block_data_copy" (func $copy (param i32 i32 i32)))
    (import "env" "sha256" (func $sha256 (param i32 i32 i32)))
    (import "env" "print_output" (func $print (param i32 i32)))
    (memory (export "memory") 1)
    (data (i32.const 512) "\01\00\00\00\02\00\00\00\05\00\00\00\00\00\00\00")
    (func $hash_data (local $n i32)
        (local.set $n (call $size))
        (call $copy (i32.const 0) (i32.const 0) (local.get $n))
        (call $sha256 (i32.const 0) (local.get $n) (i32.const 256)))
    (func $emit
        (memory.size) drop
        (call $print (i32.const 512) (i32.const 48)))
    (func (export "main") (call $hash_data) (call $emit)))"#;

fn fixtures(dir: &Path) {
    wat(dir, "good.wasm", GOOD);
    wat(
        dir,
        "float.wasm",
        r#"(module (memory (export "memory") 1) (func (export "main") (drop (f32.const 1.5))))"#,
    );
    wat(
        dir,
        "unknown.wasm",
        r#"(module (import "env" "teleport" (func (param i32))) (memory (export "memory") 1) (func (export "main")))"#,
    );
    wat(dir, "nomain.wasm", r#"(module (memory (export "memory") 1) (func (export "start")))"#);
    std::fs::write(dir.join("notwasm.wasm"), b"#!/bin/sh\necho hi\n").unwrap();
    let good = wat::parse_str(GOOD).unwrap();
    std::fs::write(dir.join("truncated.wasm"), &good[..good.len() - 9]).unwrap();
}

#[test]
fn check_reports_pass_or_every_reason() {
    let dir = scratch("check");
    fixtures(&dir);
    let out = ee_in(&dir, &["check", "good.wasm"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("check_pass", stdout(&out));

    let bad = ["float.wasm", "unknown.wasm", "nomain.wasm", "notwasm.wasm", "truncated.wasm", "missing.wasm"];
    let mut args = vec!["check"];
    args.extend(bad);
    let out = ee_in(&dir, &args);
    assert_eq!(out.status.code(), Some(1), "any failure exits 1");
    insta::assert_snapshot!("check_failures", stdout(&out));

    let out = ee_in(&dir, &["check", "good.wasm", "unknown.wasm", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!("check_json", v);
}

#[test]
fn inspect_lists_sections_and_named_functions() {
    let dir = scratch("inspect");
    fixtures(&dir);
    let out = ee_in(&dir, &["inspect", "good.wasm", "--top", "3"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("inspect_table", stdout(&out));
    let out = ee_in(&dir, &["inspect", "good.wasm", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!("inspect_json", v);
    for bad in ["notwasm.wasm", "truncated.wasm", "missing.wasm"] {
        let out = ee_in(&dir, &["inspect", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: "), "{bad}: {err}");
    }
}

#[test]
fn gas_profiles_per_transaction_host_function_and_category() {
    let dir = scratch("gas");
    fixtures(&dir);
    let meta = ee_integration::ees_dir().join("meta_ee.wasm");
    let scenario = format!(
        r#"{{ "shards": 2, "ees": [ {{ "id": 3, "name": "good" }}, {{ "id": 9, "role": "meta", "wasm": "{}" }} ],
             "blocks": [ {{ "shard": 0, "transactions": [ {{ "ee": 3, "data": "0x0102" }}, {{ "ee": 3, "data": "0x" }} ] }} ] }}"#,
        meta.display()
    );
    std::fs::write(dir.join("scenario.json"), scenario).unwrap();
    for engine in ["singlepass", "cranelift"] {
        let out = ee_in(&dir, &["gas", "good.wasm", "--scenario", "scenario.json", "--engine", engine]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        insta::assert_snapshot!("gas_table", stdout(&out).replace(engine, "ENGINE"));
        let out = ee_in(
            &dir,
            &["gas", "good.wasm", "--scenario", "scenario.json", "--engine", engine, "--format", "json"],
        );
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["engine"] = "ENGINE".into();
        // The categories split exactly the instruction gas of the ordinary run.
        let split: u64 = v["categories"].as_array().unwrap().iter().map(|c| c["gas"].as_u64().unwrap()).sum();
        assert_eq!(split, v["instruction_gas"].as_u64().unwrap(), "{engine}");
        // So do the functions (the EE runs once per transaction, both succeed), and they
        // are named from the module's name section.
        assert_eq!(v["function_total"].as_u64().unwrap(), split, "{engine}");
        let functions = v["functions"].as_array().unwrap();
        assert!(functions.iter().any(|f| f["name"] == "hash_data"), "{functions:?}");
        insta::assert_json_snapshot!("gas_json", v);
    }
    let out = ee_in(&dir, &["gas", "float.wasm", "--scenario", "scenario.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("floating point is not allowed"));
}

#[test]
fn new_build_check_and_the_scaffold_s_own_tests_work_in_a_fresh_directory() {
    let dir = scratch("new");
    let out = ee_in(&dir, &["new", "demo-ee"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = ee_in(&dir, &["new", "demo-ee"]);
    assert_eq!(out.status.code(), Some(1), "refuses to overwrite");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = ee_in(&dir, &["new", "9lives"]);
    assert_eq!(out.status.code(), Some(1));
    // No absolute paths: the crate moves with the repository.
    for file in ["demo-ee/Cargo.toml", "demo-ee/.cargo/config.toml", "demo-ee/tests/scenario.json"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(!text.contains(env!("CARGO_MANIFEST_DIR")) && !text.contains("\"/"), "{file}:\n{text}");
        assert!(text.contains("\"../"), "{file}:\n{text}");
    }

    let out = ee_in(&dir, &["build", "demo-ee", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let built: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(built[0]["name"], "demo_ee");
    assert!(
        built[0]["bytes"].as_u64().unwrap() < built[0]["original_bytes"].as_u64().unwrap(),
        "chisel shrinks it"
    );
    assert_eq!(built[0]["exports"], serde_json::json!(["memory", "main"]));
    let out = ee_in(&dir, &["check", "demo-ee/target/ees/demo_ee.wasm"]);
    assert_eq!(stdout(&out), "demo-ee/target/ees/demo_ee.wasm: pass\n");
    // A release EE carries no panic locations; `--panic-locations` compiles them in.
    let release = std::fs::read(dir.join("demo-ee/target/ees/demo_ee.wasm")).unwrap();
    assert!(!contains(&release, b".rs"), "no source paths in a release EE");
    let out = ee_in(&dir, &["build", "demo-ee", "--panic-locations", "--out-name", "demo_debug"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let debug = std::fs::read(dir.join("demo-ee/target/ees/demo_debug.wasm")).unwrap();
    assert!(contains(&debug, b"panic at ") && contains(&debug, b".rs") && debug.len() > release.len());

    // The scaffold's own native and wasm tests pass as created.
    let out = Command::new("cargo")
        .arg("test")
        .current_dir(dir.join("demo-ee"))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("test builds_checks_and_runs_as_wasm ... ok"), "{text}");
    assert!(text.contains("test hashes_the_data_into_the_state_root ... ok"), "{text}");

    let out = ee_in(&dir, &["build", "demo-ee", "--budget", "budget.json"]);
    assert_eq!(out.status.code(), Some(1), "a missing budget file is an error");
    std::fs::write(dir.join("budget.json"), r#"{ "demo_ee": 100 }"#).unwrap();
    let out = ee_in(&dir, &["build", "demo-ee", "--budget", "budget.json"]);
    assert_eq!(out.status.code(), Some(1), "over budget");
    assert!(String::from_utf8_lossy(&out.stderr).contains("over its budget of 100"));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every EE `scripts/build-ees.sh` built is a release EE: no panic location (file paths),
/// no `core::fmt` message pieces, and compiler_builtins' copy loops replaced by ee-sdk's.
#[test]
fn release_ees_carry_no_panic_strings() {
    let mut seen = 0;
    for entry in std::fs::read_dir(ee_integration::ees_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "wasm") {
            continue;
        }
        let wasm = std::fs::read(&path).unwrap();
        for needle in [&b".rs"[..], b"/rustc/", b"index out of bounds", b"00010203"] {
            assert!(
                !contains(&wasm, needle),
                "{} contains {:?}",
                path.display(),
                String::from_utf8_lossy(needle)
            );
        }
        seen += 1;
    }
    assert!(seen >= 12, "{seen} EEs built");
}

/// `ee inspect` on an EE built by `ee build`: the artifact has no name section, and the
/// names come from `<name>.names.json` beside it — demangled, with code summed per crate;
/// a names file of another build is not used.
#[test]
fn inspect_names_built_ees_from_the_names_file() {
    let meta = ee_integration::ees_dir().join("meta_ee.wasm");
    let out = ee_in(Path::new("."), &["inspect", meta.to_str().unwrap(), "--top", "10", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["names"].as_str().unwrap().ends_with("meta_ee.names.json"), "{}", v["names"]);
    assert!(!v["sections"].as_array().unwrap().iter().any(|s| s["name"] == "custom:name"), "stripped");
    let largest = v["largest"].as_array().unwrap();
    assert_eq!(largest.len(), 10);
    assert!(largest.iter().all(|f| f["name"].is_string()), "{largest:?}");
    // `meta_ee::run` is inlined into the entry (`ee_sdk::entry!`'s `main`) by wasm-opt.
    assert_eq!(largest[0]["name"], "meta_ee::main", "{largest:?}");
    let crates: Vec<&str> =
        v["crates"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(crates.contains(&"meta_ee") && crates.contains(&"alloc"), "{crates:?}");
    let table = ee_in(Path::new("."), &["inspect", meta.to_str().unwrap(), "--top", "10"]);
    assert!(stdout(&table).contains("meta_ee::main"), "{}", stdout(&table));
    // Another build's names beside this module are ignored.
    let dir = scratch("inspect-names");
    std::fs::copy(&meta, dir.join("meta_ee.wasm")).unwrap();
    std::fs::copy(ee_integration::ees_dir().join("vhee.names.json"), dir.join("meta_ee.names.json")).unwrap();
    let out = ee_in(&dir, &["inspect", "meta_ee.wasm", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["names"], "none");
    assert!(v["largest"][0]["name"].is_null());
}
