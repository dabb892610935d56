//! The instrumenting rewrite (`runtime::instrument`) charges exactly what wasmer's own
//! `Metering` middleware charges, which it replaced: random structured programs (nested
//! blocks, loops, `if`/`else`, `br`/`br_if`/`br_table` to any label including the
//! function's, early `return`, calls, explicit traps) are run both ways on both engines
//! with a generous and with a short budget, and must end alike: the same result, the same
//! remaining gas (or both out of gas) and the same computed value.
use ee_host::gas::{CostTable, ModulePricer};
use ee_host::runtime::instrument::{Plan, instrument};
use proptest::prelude::*;
use std::sync::Arc;
use wasmer::sys::{CompilerConfig, EngineBuilder};
use wasmer::{Engine, Instance, Module, Store, Value, imports};
use wasmer_middlewares::Metering;
use wasmer_middlewares::metering::{MeteringPoints, get_remaining_points, set_remaining_points};

/// A small deterministic generator (the proptest seed drives it).
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Statements for a body with `labels` enclosing labels (the function's included), in
/// function `f` of `functions`.
fn statements(g: &mut Gen, labels: u32, f: u32, functions: u32, size: &mut u32, out: &mut String) {
    let count = 1 + g.next(4);
    for _ in 0..count {
        if *size == 0 {
            return;
        }
        *size -= 1;
        let d = |g: &mut Gen| g.next(u64::from(labels));
        match g.next(12) {
            0 | 1 => out.push_str(&format!(
                "(global.set $x (i32.add (global.get $x) (i32.const {})))",
                g.next(9) + 1
            )),
            2 => out.push_str("(global.set $x (i32.mul (global.get $x) (i32.const 3)))"),
            3 => {
                out.push_str("(block ");
                statements(g, labels + 1, f, functions, size, out);
                out.push(')');
            }
            4 => {
                // Every entry of the loop spends the function's fuel: it terminates.
                out.push_str(
                    "(block (loop (br_if 1 (i32.le_s (local.tee $fuel (i32.sub (local.get $fuel) (i32.const 1))) (i32.const 0))) ",
                );
                statements(g, labels + 2, f, functions, size, out);
                out.push_str("(br 0)))");
            }
            5 => {
                out.push_str("(if (i32.and (global.get $x) (i32.const 1)) (then ");
                statements(g, labels + 1, f, functions, size, out);
                out.push_str(") (else ");
                statements(g, labels + 1, f, functions, size, out);
                out.push_str("))");
            }
            6 => out.push_str(&format!("(br_if {} (i32.and (global.get $x) (i32.const 2)))", d(g))),
            7 => out.push_str(&format!(
                "(br_table {} {} {} (i32.rem_u (global.get $x) (i32.const 3)))",
                d(g),
                d(g),
                d(g)
            )),
            8 | 9 if f + 1 < functions => {
                let callee = f + 1 + g.next(u64::from(functions - f - 1)) as u32;
                out.push_str(&format!("(call $f{callee})"));
            }
            10 => out.push_str(&format!("(br {})", d(g))),
            11 if g.next(4) == 0 => out.push_str("(return)"),
            11 if g.next(8) == 0 => out.push_str(
                "(if (i32.eq (i32.rem_u (global.get $x) (i32.const 5)) (i32.const 4)) (then unreachable))",
            ),
            _ => out.push_str("(global.set $x (i32.xor (global.get $x) (i32.const 5)))"),
        }
    }
}

fn program(seed: u64) -> String {
    let mut g = Gen(seed | 1);
    let functions = 1 + g.next(4) as u32;
    let mut src = String::from(
        "(module (global $x (export \"x\") (mut i32) (i32.const 1)) (memory (export \"memory\") 1)",
    );
    for f in 0..functions {
        src.push_str(&format!("(func $f{f} (local $fuel i32) (local.set $fuel (i32.const 4)) "));
        let mut size = 24;
        statements(&mut g, 1, f, functions, &mut size, &mut src);
        src.push(')');
    }
    src.push_str("(func (export \"main\") (call $f0)))");
    src
}

#[derive(Debug, PartialEq)]
struct Outcome {
    ok: bool,
    points: MeteringPoints,
    x: i32,
}

/// The price function wasmer's middleware takes.
type Price = Box<dyn Fn(&wasmer::wasmparser::Operator) -> u64 + Send + Sync>;

fn engine(singlepass: bool, metering: Option<Arc<Metering<Price>>>) -> Engine {
    macro_rules! build {
        ($c:expr) => {{
            let mut c = $c;
            if let Some(m) = metering {
                c.push_middleware(m);
            }
            EngineBuilder::new(c).engine().into()
        }};
    }
    if singlepass {
        build!(wasmer::sys::Singlepass::default())
    } else {
        build!(wasmer::sys::Cranelift::default())
    }
}

fn run((engine, module): &(Engine, Module), budget: u64) -> Outcome {
    let mut store = Store::new(engine.clone());
    let instance = Instance::new(&mut store, module, &imports! {}).expect("instantiates");
    set_remaining_points(&mut store, &instance, budget);
    let main = instance.exports.get_typed_function::<(), ()>(&store, "main").expect("main");
    let ok = main.call(&mut store).is_ok();
    let points = get_remaining_points(&mut store, &instance);
    let x = match instance.exports.get_global("x").expect("x").get(&mut store) {
        Value::I32(v) => v,
        other => panic!("{other:?}"),
    };
    Outcome { ok, points, x }
}

/// A plan that meters and limits nothing else (no call is stack-counted).
fn metering_only(pricer: &ModulePricer) -> Plan<'_> {
    Plan { pricer, call_weights: &[], indirect_weight: 0, stack_budget: u32::MAX, profile: false }
}

fn compare(seed: u64, singlepass: bool) {
    let src = program(seed);
    let code = wat::parse_str(&src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    let pricer = ModulePricer::new(&CostTable::default(), Vec::new(), 0);
    let priced = pricer.clone();
    let cost: Price = Box::new(move |op| priced.cost(op));
    let old = engine(singlepass, Some(Arc::new(Metering::new(0, cost))));
    let old = (old.clone(), Module::new(&old, &code).expect("compiles"));
    let plan = metering_only(&pricer);
    let rewritten = instrument(&code, &plan).expect("instruments");
    let new = engine(singlepass, None);
    let new = (new.clone(), Module::new(&new, &rewritten).expect("compiles"));
    let full = run(&old, 1 << 40);
    assert_eq!(run(&new, 1 << 40), full, "{src}");
    let MeteringPoints::Remaining(left) = full.points else { panic!("ran out of 2^40 gas: {src}") };
    let used = (1u64 << 40) - left;
    for budget in [used / 2, used.saturating_sub(1), used] {
        let (new, old) = (run(&new, budget), run(&old, budget));
        if old.points == MeteringPoints::Exhausted {
            // Out of gas is caught at the next check, not at the next accounting point:
            // straight-line code between them may have run (its effects are discarded
            // with the failed transaction), the outcome and the gas are the same.
            assert_eq!((new.ok, new.points), (old.ok, old.points), "budget {budget}: {src}");
        } else {
            assert_eq!(new, old, "budget {budget}: {src}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_rewrite_charges_what_wasmers_metering_charges(seed in any::<u64>()) {
        compare(seed, true);
    }
}

#[test]
fn the_rewrite_charges_what_wasmers_metering_charges_on_cranelift() {
    for seed in 1..=12u64 {
        compare(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15), false);
    }
}

#[test]
fn generated_programs_exercise_every_construct() {
    let all: String = (1..=48u64).map(program).collect();
    for construct in ["(br_table", "(br_if", "(return)", "(loop", "(call $f", "unreachable", "(else"] {
        assert!(all.contains(construct), "no program has {construct}");
    }
}

#[test]
fn with_free_branches_a_loop_behind_a_forward_branch_still_runs_out_of_gas() {
    // With `branch` priced 0, a loop's back edge may have nothing to charge; what the loop
    // body subtracted was reached by a forward branch that skips the last check written
    // above it. The back edge must still check (found in review).
    let src = r#"(module (global (export "x") (mut i32) (i32.const 0)) (memory (export "memory") 1) (func $f)
        (func (export "main")
            (loop $L
                (block $B
                    (br_if $B (i32.const 1))
                    (call $f))
                (br $L))))"#;
    let mut table = CostTable::default();
    table.operators.branch = 0;
    let pricer = ModulePricer::new(&table, Vec::new(), 0);
    let plan = metering_only(&pricer);
    let code = instrument(&wat::parse_str(src).unwrap(), &plan).unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for singlepass in [true, false] {
            let e = engine(singlepass, None);
            let module = Module::new(&e, &code).expect("compiles");
            done.send(run(&(e, module), 100_000)).unwrap();
        }
    });
    for _ in 0..2 {
        let outcome =
            finished.recv_timeout(std::time::Duration::from_secs(60)).expect("the loop ran out of gas");
        assert_eq!((outcome.ok, outcome.points), (false, MeteringPoints::Exhausted));
    }
}
