//! What the fuzz targets share: where the built EEs and the work files are, the seeding
//! mode every target has, the host-call module generator and the chain fixtures.
//!
//! **Seeding.** Every target writes its own seed inputs, built from the project's own
//! types, scenario files and built EEs, when run with `EE_FUZZ_SEEDS=<dir>`: it writes
//! `<dir>/seed-<name>` files and exits before fuzzing (`scripts/fuzz.sh` does this for
//! every target before running it).
pub mod chain;
pub mod hostgen;

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The workspace root (this crate is `<root>/fuzz`).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("fuzz/ has a parent").to_path_buf()
}

/// Where the built EEs are: `$EE_FUZZ_EES`, else `<root>/target/ees` (`scripts/build-ees.sh`).
pub fn ees_dir() -> PathBuf {
    std::env::var_os("EE_FUZZ_EES").map(PathBuf::from).unwrap_or_else(|| workspace().join("target/ees"))
}

/// The built EE `name` (`meta_ee`, `transfer_ee`, …). Panics, naming the fix, when absent:
/// the targets that run real EEs need them.
pub fn ee(name: &str) -> Arc<[u8]> {
    let path = ees_dir().join(format!("{name}.wasm"));
    match std::fs::read(&path) {
        Ok(b) => b.into(),
        Err(e) => panic!("{}: {e} (build the EEs first: scripts/build-ees.sh)", path.display()),
    }
}

/// Every built EE as `(file stem, code)`, sorted (none if they are not built).
pub fn all_ees() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(dir) = std::fs::read_dir(ees_dir()) {
        for e in dir.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "wasm")
                && let (Some(stem), Ok(bytes)) = (p.file_stem(), std::fs::read(&p))
            {
                out.push((stem.to_string_lossy().into_owned(), bytes));
            }
        }
    }
    out.sort();
    out
}

/// A fresh directory for this process's work files: `$EE_FUZZ_WORK/<what>-<pid>`, else
/// `<root>/fuzz/target/work/<what>-<pid>` (the script clears `fuzz/target/work` first).
pub fn work_dir(what: &str) -> PathBuf {
    let base = std::env::var_os("EE_FUZZ_WORK")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/work"));
    let dir = base.join(format!("{what}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// The seeding mode: with `EE_FUZZ_SEEDS=<dir>` set, writes `make()`'s inputs as
/// `<dir>/seed-<name>` and exits; otherwise does nothing.
pub fn seed_mode(make: impl FnOnce() -> Vec<(String, Vec<u8>)>) {
    let Some(dir) = std::env::var_os("EE_FUZZ_SEEDS") else { return };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let seeds = make();
    for (name, bytes) in &seeds {
        let safe: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
            .collect();
        let path = dir.join(format!("seed-{safe}"));
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    eprintln!("wrote {} seeds to {}", seeds.len(), dir.display());
    std::process::exit(0);
}

/// `tag` followed by `bytes`: how targets that take several kinds of input select one.
pub fn tagged(tag: u8, bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.push(tag);
    v.extend_from_slice(bytes);
    v
}

/// Small wasm modules for the loaders' seeds (WAT), as `(name, role tag, wasm)`: role tag
/// 0 = EE, 1 = meta, 2 = child, 3 = library.
pub fn wat_seeds() -> Vec<(&'static str, u8, Vec<u8>)> {
    let cases: &[(&str, u8, &str)] = &[
        ("minimal", 0, r#"(module (memory (export "memory") 1) (func (export "main")))"#),
        (
            "data-and-loop",
            0,
            r#"(module
                (import "env" "block_data_size" (func $size (result i32)))
                (import "env" "block_data_copy" (func $copy (param i32 i32 i32)))
                (import "env" "print_output" (func $print (param i32 i32)))
                (import "env" "sha256" (func $sha (param i32 i32 i32)))
                (memory (export "memory") 1 4)
                (global $g (mut i32) (i32.const 0))
                (data (i32.const 64) "hello")
                (func $helper (param i64 i32) (result i64)
                  local.get 0 local.get 1 i64.extend_i32_u i64.add i32.wrap_i64 i64.extend8_s)
                (func (export "main") (local i32)
                  (call $copy (i32.const 0) (i32.const 0) (call $size))
                  (call $sha (i32.const 0) (i32.const 5) (i32.const 128))
                  (block (loop
                    (br_if 1 (i32.ge_u (local.get 0) (i32.const 3)))
                    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
                    (drop (call $helper (i64.const 7) (local.get 0)))
                    (br 0)))
                  (call $print (i32.const 64) (i32.const 5))
                  (global.set $g (i32.const 1))))"#,
        ),
        (
            "table-and-indirect",
            0,
            r#"(module (memory (export "memory") 1)
                (type $t (func (result i32)))
                (table 2 funcref) (elem (i32.const 0) $a $b)
                (func $a (result i32) i32.const 1) (func $b (result i32) i32.const 2)
                (func (export "main") (drop (call_indirect (type $t) (i32.const 1)))))"#,
        ),
        (
            "meta-balances",
            1,
            r#"(module
                (import "env" "balance_get" (func $get (param i32 i32 i32) (result i64)))
                (import "env" "balance_add" (func $add (param i32 i32 i64)))
                (import "env" "get_outputs_size" (func $osize (param i32) (result i32)))
                (memory (export "memory") 1)
                (func (export "main")
                  (call $add (i32.const 0) (i32.const 0) (call $get (i32.const 0) (i32.const 0) (i32.const 0)))
                  (drop (call $osize (i32.const 0)))))"#,
        ),
        (
            "child-return",
            2,
            r#"(module
                (import "env" "set_return_data" (func $ret (param i32 i32)))
                (memory (export "memory") 1)
                (data (i32.const 0) "ok")
                (func (export "main") (call $ret (i32.const 0) (i32.const 2))))"#,
        ),
        (
            "library-add",
            3,
            r#"(module (memory (export "mem") 1)
                (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#,
        ),
        (
            "float-refused",
            0,
            r#"(module (memory (export "memory") 1) (func (export "main") (drop (f32.const 1))))"#,
        ),
        (
            "start-refused",
            0,
            r#"(module (memory (export "memory") 1) (func $s) (start $s) (func (export "main")))"#,
        ),
        (
            "meta-import-refused-for-ee",
            0,
            r#"(module (import "env" "balance_add" (func (param i32 i32 i64)))
                (memory (export "memory") 1) (func (export "main")))"#,
        ),
        (
            "deep-blocks",
            0,
            r#"(module (memory (export "memory") 1) (func (export "main")
                (block (block (block (block (block (loop (br_table 0 1 2 3 4 5 (i32.const 3))))))))))"#,
        ),
        (
            "stack-recursion",
            0,
            r#"(module (memory (export "memory") 1)
                (func $f (param i64) (result i64) (call $f (local.get 0)))
                (func (export "main") (drop (call $f (i64.const 1)))))"#,
        ),
    ];
    cases.iter().map(|(n, tag, wat)| (*n, *tag, wat::parse_str(wat).expect("seed WAT parses"))).collect()
}
