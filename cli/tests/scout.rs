//! ewasm Scout compatibility: Scout's YAML format and ABI (all three namespaces and
//! libraries), with every bad input a clear error and a non-zero exit.

use ee_cli::Outcome;
use ee_host::exec::ExecConfig;
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::scout::{Vectors, run};
use std::path::{Path, PathBuf};

/// Runs `ee` in-process.
fn ee(args: &[&str]) -> Outcome {
    ee_cli::run_captured(args.iter().copied())
}

fn repo(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(p)
}

/// A scratch directory for one test, removed when it goes out of scope.
struct Scratch(tempfile::TempDir);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

fn scratch(name: &str) -> Scratch {
    Scratch(tempfile::Builder::new().prefix(&format!("ee-scout-{name}-")).tempdir().unwrap())
}

fn write_wat(dir: &Path, name: &str, src: &str) {
    std::fs::write(dir.join(name), wat::parse_str(src).unwrap()).unwrap();
}

/// A one-EE vector file: `script` runs on `blocks` (hex data) from `pre` to `post`.
fn yaml(dir: &Path, script: &str, blocks: &[&str], pre: &str, post: &str, extra: &str) -> PathBuf {
    let blocks: String = blocks.iter().map(|d| format!("  - env: 0\n    data: \"{d}\"\n")).collect();
    let text = format!(
        "beacon_state:\n  execution_scripts:\n    - {script}\n{extra}shard_pre_state:\n  exec_env_states:\n    - \"{pre}\"\nshard_blocks:\n{blocks}shard_post_state:\n  exec_env_states:\n    - \"{post}\"\n"
    );
    let path = dir.join("vectors.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn run_file(path: &Path, engine: EngineKind) -> ee_host::scout::Outcome {
    let vectors = Vectors::load(path).unwrap();
    let config = ExecConfig::default();
    let rt = Runtime::new(engine, config.costs.clone(), config.limits.clone())
        .with_libraries(vectors.libraries.clone())
        .unwrap();
    run(&vectors, &rt, &config).unwrap()
}

#[test]
fn the_project_vectors_pass_on_both_engines_and_through_the_cli() {
    for file in ["scenarios/scout/hello.yaml", "scenarios/scout/hasher.yaml"] {
        for &engine in EngineKind::all() {
            let outcome = run_file(&repo(file), engine);
            assert!(outcome.passed(), "{file} {engine:?}:\n{}", outcome.diff());
        }
        let out = ee(&["run", repo(file).to_str().unwrap(), "--repeat", "3", "--format", "json"]);
        assert_eq!(out.code, 0, "{}{:?}", out.stdout, out.error);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(v["passed"], true);
        assert_eq!(v["repeat"], 3);
    }
}

#[test]
fn a_wrong_expected_root_fails_with_a_readable_diff() {
    let text = std::fs::read_to_string(repo("scenarios/scout/hasher.yaml")).unwrap();
    let good = text.lines().rev().find(|l| l.trim().starts_with("- \"") && !l.contains(ZERO)).unwrap().trim();
    let bad_root = "1111111111111111111111111111111111111111111111111111111111111111";
    let dir = scratch("wrong-root");
    let path = dir.join("hasher.yaml");
    let text = text
        .replace("../../target", repo("target").to_str().unwrap())
        .replace(good, &format!("- \"{bad_root}\""));
    std::fs::write(&path, text).unwrap();
    let out = ee(&["run", path.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    let stdout = &out.stdout;
    assert!(stdout.contains("MISMATCH"), "{stdout}");
    assert!(stdout.contains(&format!("- expected {bad_root}")), "{stdout}");
    assert!(stdout.contains("+ actual   "), "{stdout}");
}

#[test]
fn a_missing_deposit_fails() {
    let text = std::fs::read_to_string(repo("scenarios/scout/hello.yaml")).unwrap();
    let dir = scratch("deposit");
    let path = dir.join("hello.yaml");
    let text =
        text.replace("../../target", repo("target").to_str().unwrap()).replace("amount: 0", "amount: 32");
    std::fs::write(&path, text).unwrap();
    let out = ee(&["run", path.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("deposit receipt not pushed"));
}

#[test]
fn every_scout_namespace_and_libraries_link() {
    // post = pre + data (bignum), through the eth2/bignum/debug modules and a library.
    let dir = scratch("namespaces");
    write_wat(
        &dir,
        "lib.wasm",
        r#"(module (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))"#,
    );
    write_wat(
        &dir,
        "ee.wasm",
        r#"(module
            (import "eth2" "loadPreStateRoot" (func $pre (param i32)))
            (import "eth2" "blockDataSize" (func $size (result i32)))
            (import "eth2" "blockDataCopy" (func $copy (param i32 i32 i32)))
            (import "eth2" "savePostStateRoot" (func $save (param i32)))
            (import "eth2" "useTicks" (func $ticks (param i32)))
            (import "bignum" "add256" (func $add (param i32 i32 i32)))
            (import "debug" "print32" (func $p32 (param i32)))
            (import "env" "debug_printMemHex" (func $hex (param i32 i32)))
            (import "mylib" "double" (func $double (param i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "main")
                (call $ticks (i32.const 100))
                (call $pre (i32.const 0))
                (call $copy (i32.const 32) (i32.const 0) (call $size))
                (call $add (i32.const 0) (i32.const 32) (i32.const 64))
                (call $p32 (call $double (i32.const 21)))
                (call $hex (i32.const 64) (i32.const 32))
                (call $save (i32.const 64))))"#,
    );
    let one = format!("{}01", &ZERO[..62]);
    let three = format!("{}03", &ZERO[..62]);
    let path = yaml(
        &dir,
        "ee.wasm",
        &[&one, &format!("{}02", &ZERO[..62])],
        ZERO,
        &three,
        "  libraries:\n    - name: mylib\n      file: lib.wasm\n",
    );
    for &engine in EngineKind::all() {
        let outcome = run_file(&path, engine);
        assert!(outcome.passed(), "{engine:?}:\n{}", outcome.diff());
    }
}

/// Runs a one-EE vector through the CLI; returns (exit code, stdout + stderr).
fn cli_failure(name: &str, wat_src: &str, data: &str, extra_args: &[&str]) -> (Option<i32>, String) {
    let dir = scratch(name);
    write_wat(&dir, "ee.wasm", wat_src);
    let path = yaml(&dir, "ee.wasm", &[data], ZERO, ZERO, "");
    let mut args = vec!["run", path.to_str().unwrap()];
    args.extend_from_slice(extra_args);
    let out = ee(&args);
    (Some(i32::from(out.code)), format!("{}{}", out.stdout, out.error.unwrap_or_default()))
}

#[test]
fn bad_inputs_are_clear_errors_with_a_non_zero_exit() {
    let main = |body: &str, imports: &str| {
        format!(r#"(module {imports} (memory (export "memory") 1) (func (export "main") {body}))"#)
    };
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "main-signature",
            r#"(module (memory (export "memory") 1) (func (export "main") (result i32) (i32.const 0)))"#
                .into(),
            "",
            "export `main` must be a function [] -> [], found () -> i32",
        ),
        (
            "copy-range",
            main(
                "(call $copy (i32.const 0) (i32.const 1) (i32.const 4))",
                r#"(import "env" "eth2_blockDataCopy" (func $copy (param i32 i32 i32)))"#,
            ),
            "aabbcc",
            "block data range 1+4 exceeds data size 3",
        ),
        (
            "bignum-overflow",
            main(
                "(i64.store (i32.const 0) (i64.const -1)) (i64.store (i32.const 8) (i64.const -1)) (i64.store (i32.const 16) (i64.const -1)) (i64.store (i32.const 24) (i64.const -1)) (call $add (i32.const 0) (i32.const 0) (i32.const 64))",
                r#"(import "bignum" "add256" (func $add (param i32 i32 i32)))"#,
            ),
            "",
            "bignum add256 overflows 256 bits",
        ),
        (
            "bignum-underflow",
            main(
                "(i32.store8 (i32.const 63) (i32.const 1)) (call $sub (i32.const 0) (i32.const 32) (i32.const 64))",
                r#"(import "env" "bignum_sub256" (func $sub (param i32 i32 i32)))"#,
            ),
            "",
            "bignum sub256 overflows 256 bits",
        ),
        (
            "ticks",
            main("(call $ticks (i32.const -1))", r#"(import "eth2" "useTicks" (func $ticks (param i32)))"#),
            "",
            "out of gas",
        ),
        ("unmetered-loop", main("(loop (br 0))", ""), "", "out of gas"),
        (
            "unknown-import",
            main("", r#"(import "eth2" "getBlockHash" (func (param i32)))"#),
            "",
            "unknown import eth2.getBlockHash",
        ),
    ];
    for (name, src, data, needle) in cases {
        let (code, text) = cli_failure(name, &src, data, &["--gas-limit", "50000000"]);
        assert_eq!(code, Some(1), "{name}: {text}");
        assert!(text.contains(needle), "{name}: {needle:?} not in:\n{text}");
        assert!(!text.contains("panicked"), "{name}: {text}");
    }
}

#[test]
fn malformed_files_fail_before_running() {
    let dir = scratch("malformed");
    let cases = [
        ("syntax.yaml", "beacon_state: [unclosed", "malformed vectors"),
        ("missing.yaml", "beacon_state:\n  execution_scripts: []\n", "malformed vectors"),
        (
            "nofile.yaml",
            &format!(
                "beacon_state:\n  execution_scripts: [nope.wasm]\nshard_pre_state:\n  exec_env_states: [\"{ZERO}\"]\nshard_blocks: []\nshard_post_state:\n  exec_env_states: [\"{ZERO}\"]\n"
            ),
            "nope.wasm",
        ),
        (
            "badhex.yaml",
            &format!(
                "beacon_state:\n  execution_scripts: []\nshard_pre_state:\n  exec_env_states: [\"zz\"]\nshard_blocks: []\nshard_post_state:\n  exec_env_states: [\"{ZERO}\"]\n"
            ),
            "bad hex",
        ),
    ];
    for (name, text, needle) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = ee(&["run", path.to_str().unwrap()]);
        assert_eq!(out.code, 1, "{name}");
        let err = out.error.unwrap_or_default();
        assert!(err.contains(needle), "{name}: {err}");
    }
    // A library that imports something is refused.
    write_wat(&dir, "lib.wasm", r#"(module (import "env" "abort" (func (param i32 i32))))"#);
    write_wat(&dir, "ee.wasm", r#"(module (memory (export "memory") 1) (func (export "main")))"#);
    let path =
        yaml(&dir, "ee.wasm", &[], ZERO, ZERO, "  libraries:\n    - name: lib\n      file: lib.wasm\n");
    let out = ee(&["run", path.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(out.error.unwrap_or_default().contains("libraries may not import anything"));
    // A library named like a host module (`env`, `debug`, …) or like another library.
    write_wat(&dir, "lib.wasm", r#"(module (func (export "f")))"#);
    for (libs, needle) in [
        ("    - name: env\n      file: lib.wasm\n", "library name `env` is not free"),
        ("    - name: debug\n      file: lib.wasm\n", "library name `debug` is not free"),
        (
            "    - name: a\n      file: lib.wasm\n    - name: a\n      file: lib.wasm\n",
            "two libraries are named `a`",
        ),
    ] {
        let path = yaml(&dir, "ee.wasm", &[], ZERO, ZERO, &format!("  libraries:\n{libs}"));
        let out = ee(&["run", path.to_str().unwrap()]);
        assert_eq!(out.code, 1);
        let err = out.error.unwrap_or_default();
        assert!(err.contains(needle), "{err}");
    }
}

/// Deeply nested YAML is refused before the parser sees it (nested flow collections made
/// the parser's work grow with the square of the file's size: 8.6 s for 120 kB), and a
/// parse error prints its cause once.
#[test]
fn deeply_nested_yaml_is_refused_at_once() {
    let dir = scratch("nested");
    let n = 100_000;
    let deep = format!(
        "beacon_state:\n  execution_scripts:\n    - x\nshard_blocks:\n  - env: 0\n    data: {}{}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let lines: String = (0..200).map(|i| format!("{}- a\n", " ".repeat(2 * i))).collect();
    for (name, text) in [("flow.yaml", deep), ("block.yaml", lines)] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = ee(&["run", path.to_str().unwrap()]);
        assert_eq!(out.code, 1);
        let err = out.error.unwrap();
        assert!(err.contains("YAML nested deeper than 64 levels"), "{name}: {err}");
    }
    let path = dir.join("bad.yaml");
    std::fs::write(&path, "beacon_state: [1, 2]\n").unwrap();
    let err = ee(&["run", path.to_str().unwrap()]).error.unwrap();
    assert_eq!(err.matches("invalid type").count(), 1, "the cause once: {err}");
}
