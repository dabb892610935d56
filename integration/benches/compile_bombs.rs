//! The slowest modules to compile that the gatekeeper's structure limits still let
//! through (`limits::structure`), on each engine: what one deployment can cost a node
//! before it runs a single instruction. Prints a table; `cargo bench -p ee-integration
//! --bench compile_bombs`.
use ee_host::abi::Role;
use ee_host::limits::{Limits, MAX_CODE_BYTES, structure};
use ee_host::runtime::{EngineKind, Runtime, gatekeeper};
use std::sync::Arc;
use std::time::Instant;

fn wrap(fields: &str) -> Vec<u8> {
    wat::parse_str(format!(r#"(module (memory (export "memory") 1) (func (export "main")) {fields})"#))
        .unwrap()
}

/// A body of `n` operator groups keeping `locals` i64 locals live and mixed.
fn busy_body(locals: u64, n: u64) -> String {
    let mut body = String::new();
    for i in 0..n {
        let (a, b, c) = (i % locals, (i * 7 + 3) % locals, (i * 13 + 5) % locals);
        body.push_str(&format!(
            "(local.set {c} (i64.add (local.get {a}) (i64.mul (local.get {b}) (local.get {c}))))"
        ));
    }
    body
}

fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let max_fn = structure::MAX_FUNCTIONS - 1;
    let per_fn_locals = structure::MAX_TOTAL_LOCALS / max_fn;
    let mut out = Vec::new();
    // Every function at its share of the locals, bodies filling the code-size bound.
    let per_fn_ops = (MAX_CODE_BYTES as u64 / max_fn) / 12;
    let f = format!(
        "(func {} {})",
        "(local i64)".repeat(per_fn_locals as usize),
        busy_body(per_fn_locals, per_fn_ops)
    );
    out.push(("4,095 functions × 16 locals, 8 MiB of arithmetic", wrap(&f.repeat(max_fn as usize))));
    // Few functions with the most locals each, all live.
    let n = structure::MAX_TOTAL_LOCALS / structure::MAX_LOCALS_PER_FUNCTION;
    let f = format!(
        "(func {} {})",
        "(local i64)".repeat(structure::MAX_LOCALS_PER_FUNCTION as usize),
        busy_body(structure::MAX_LOCALS_PER_FUNCTION, 9_000)
    );
    out.push(("64 functions × 1,024 live locals", wrap(&f.repeat(n as usize))));
    // Deep nesting with a wide br_table at the bottom, repeated to the body bound.
    let depth = structure::MAX_NESTING_DEPTH as usize - 1;
    let targets = "0 ".repeat(structure::MAX_BR_TABLE_TARGETS as usize - 1);
    let one = format!("{}(br_table {targets} (i32.const 0)){}", "(block ".repeat(depth), ")".repeat(depth));
    let reps = (structure::MAX_FUNCTION_BODY_BYTES as usize - 16) / (one.len() / 2).max(1);
    let f = format!("(func {})", one.repeat(reps.clamp(1, 20)));
    out.push(("nesting 255 deep with 4,096-way br_tables, 80 functions", wrap(&f.repeat(80))));
    out
}

fn main() {
    println!(
        "{:<58} {:>10} {:>12} {:>12}",
        "module (passes the gatekeeper)", "bytes", "singlepass", "cranelift"
    );
    for (name, code) in cases() {
        if let Err(e) = gatekeeper::check(&code, Role::Ee, &Limits::default()) {
            println!("{name}: refused ({e}); not a bomb under the limits");
            continue;
        }
        let mut row = format!("{name:<58} {:>10}", code.len());
        for &engine in EngineKind::all() {
            let rt = Runtime::new(engine, Arc::new(Default::default()), Limits::default());
            let started = Instant::now();
            let r = rt.validate(&code, Role::Ee);
            let took = started.elapsed();
            row.push_str(&format!(
                " {:>12}",
                if r.is_ok() { format!("{:.2} s", took.as_secs_f64()) } else { "refused".into() }
            ));
        }
        println!("{row}");
    }
}
