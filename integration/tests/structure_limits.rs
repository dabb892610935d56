//! Compile-time and instantiation bombs are refused at load, before any compiler sees
//! them: one module per bound of `limits::structure`, each just over it (refused, naming
//! the bound) and the largest that passes (accepted). The modules of the hardening
//! review — 10,000 functions × 50,000 locals, 100,000 nested blocks, 100,000 functions, a
//! table of 10,000,000 elements, 100,000 data segments, 1,000,000 globals, 100,000
//! exports — are refused in milliseconds.
use ee_host::abi::Role;
use ee_host::limits::{Limits, structure};
use ee_host::runtime::gatekeeper::{self, Problem};
use ee_integration::wat_ee::locals_bomb;
use std::time::Instant;

/// A module with the EE's required exports around `body` (module fields).
fn module(fields: &str) -> Vec<u8> {
    wat::parse_str(format!(r#"(module (memory (export "memory") 1) (func (export "main")) {fields})"#))
        .unwrap()
}

fn structure_problem(code: &[u8]) -> Option<(String, u64, u64)> {
    let started = Instant::now();
    let r = gatekeeper::check(code, Role::Ee, &Limits::default());
    let took = started.elapsed();
    assert!(took.as_secs() < 5, "the gatekeeper took {took:?}");
    match r {
        Ok(_) => None,
        Err(e) => e.0.into_iter().find_map(|p| match p {
            Problem::Structure { what, found, max } => Some((what, found, max)),
            _ => None,
        }),
    }
}

fn repeat(s: &str, n: u64) -> String {
    s.repeat(n as usize)
}

/// `(fields at the limit, fields over it, the bound's name)` for every bound.
fn cases() -> Vec<(String, String, &'static str)> {
    let funcs = |n: u64| repeat("(func)", n - 1); // main is one
    let locals = |n: u64| format!("(func {})", repeat("(local i32)", n));
    let nested = |n: u64| format!("(func {}{})", repeat("(block ", n), repeat(")", n));
    let br_table = |n: u64| format!("(func (block (br_table {} (i32.const 0))))", repeat("0 ", n));
    vec![
        (funcs(structure::MAX_FUNCTIONS), funcs(structure::MAX_FUNCTIONS + 1), "functions"),
        (
            locals(structure::MAX_LOCALS_PER_FUNCTION),
            locals(structure::MAX_LOCALS_PER_FUNCTION + 1),
            "locals of one function",
        ),
        (
            repeat(&locals(1024), structure::MAX_TOTAL_LOCALS / 1024),
            repeat(&locals(1024), structure::MAX_TOTAL_LOCALS / 1024) + &locals(1),
            "locals of all functions",
        ),
        (
            // A body: its locals vector (1 byte here), the operators, `end`.
            format!("(func {})", repeat("nop ", structure::MAX_FUNCTION_BODY_BYTES - 2)),
            format!("(func {})", repeat("nop ", structure::MAX_FUNCTION_BODY_BYTES - 1)),
            "bytes of one function body",
        ),
        (nested(structure::MAX_NESTING_DEPTH), nested(structure::MAX_NESTING_DEPTH + 1), "nesting of blocks"),
        (
            br_table(structure::MAX_BR_TABLE_TARGETS),
            br_table(structure::MAX_BR_TABLE_TARGETS + 1),
            "targets of one br_table",
        ),
        (
            format!("(table {} funcref)", structure::MAX_TABLE_ELEMENTS),
            format!("(table {} funcref)", structure::MAX_TABLE_ELEMENTS + 1),
            "table elements",
        ),
        (
            format!(
                "(table {n} funcref) (elem (i32.const 0) func {})",
                repeat("0 ", structure::MAX_TABLE_ELEMENTS),
                n = structure::MAX_TABLE_ELEMENTS
            ),
            format!(
                "(table {n} funcref) (elem (i32.const 0) func {}) (elem (i32.const 0) func 0)",
                repeat("0 ", structure::MAX_TABLE_ELEMENTS),
                n = structure::MAX_TABLE_ELEMENTS
            ),
            "elements in element segments",
        ),
        (
            repeat("(data (i32.const 0) \"x\")", structure::MAX_DATA_SEGMENTS),
            repeat("(data (i32.const 0) \"x\")", structure::MAX_DATA_SEGMENTS + 1),
            "data segments",
        ),
        (
            repeat("(global i32 (i32.const 0))", structure::MAX_GLOBALS),
            repeat("(global i32 (i32.const 0))", structure::MAX_GLOBALS + 1),
            "globals",
        ),
        (
            (1..structure::MAX_EXPORTS - 1).map(|i| format!("(export \"e{i}\" (func 0))")).collect(),
            (1..structure::MAX_EXPORTS).map(|i| format!("(export \"e{i}\" (func 0))")).collect(),
            "exports",
        ),
        (
            repeat("(type (func))", structure::MAX_TYPES),
            repeat("(type (func))", structure::MAX_TYPES + 1),
            "function types",
        ),
    ]
}

#[test]
fn every_bound_refuses_one_over_and_accepts_the_limit() {
    for (at, over, what) in cases() {
        assert_eq!(structure_problem(&module(&at)), None, "{what}: at the limit");
        let problem =
            structure_problem(&module(&over)).unwrap_or_else(|| panic!("{what}: over the limit passed"));
        assert_eq!(problem.0, what);
        assert_eq!(problem.1, problem.2 + 1, "{what}: {problem:?}");
    }
}

#[test]
fn the_reviews_bombs_are_refused_quickly() {
    let started = Instant::now();
    let problem = structure_problem(&locals_bomb(10_000, 50_000));
    println!("10,000 functions × 50,000 locals: refused in {:?}: {problem:?}", started.elapsed());
    assert!(problem.is_some());
    let problem = structure_problem(&locals_bomb(100, 50_000));
    assert_eq!(problem.map(|p| p.0), Some("locals of one function".to_string()));
    assert_eq!(structure_problem(&locals_bomb(64, 1_024)), None, "the largest total that passes");
    let bombs: Vec<(&str, String)> = vec![
        ("60,000 nested blocks", format!("(func {}{})", repeat("(block ", 60_000), repeat(")", 60_000))),
        ("100,000 nested blocks", format!("(func {}{})", repeat("(block ", 100_000), repeat(")", 100_000))),
        ("100,000 functions", repeat("(func)", 100_000)),
        ("a table of 10,000,000 elements", "(table 10000000 10000000 funcref)".into()),
        ("100,000 data segments", repeat("(data (i32.const 0) \"\")", 100_000)),
        ("1,000,000 globals", repeat("(global i32 (i32.const 0))", 1_000_000)),
        ("100,000 exports", (0..100_000).map(|i| format!("(export \"e{i}\" (func 0))")).collect()),
    ];
    for (name, fields) in bombs {
        let code = module(&fields);
        let started = Instant::now();
        let problem = structure_problem(&code);
        println!("{name}: {} bytes, refused in {:?}: {problem:?}", code.len(), started.elapsed());
        assert!(problem.is_some(), "{name} passed the gatekeeper");
    }
}
