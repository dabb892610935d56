//! Gas bounds what costs time without being an operator (`ee_host::gas::resources`): the
//! locals a call zeroes, the targets of a `br_table`, grown memory pages and
//! instantiation (memory, tables, data, globals, exports). Each case compares the gas of
//! two modules that differ only in the resource, on both engines, and shows that a
//! transaction spending the resource in a loop runs out of gas. Assertions are on gas;
//! times are printed.
use ee_host::exec::TxError;
use ee_host::gas::CostTable;
use ee_host::limits::Limits;
use ee_host::runtime::EngineKind;
use ee_integration::wat_ee::run_once;
use std::time::Instant;

fn gas_of(engine: EngineKind, wat_text: &str) -> u64 {
    let (result, gas, _) = run_once(engine, wat_text, Limits::default());
    assert_eq!(result, Ok(()), "{engine:?}");
    gas
}

/// `main` runs `body` `n` times in a loop, with `fields` beside it.
fn looping(fields: &str, body: &str, n: u32) -> String {
    format!(
        r#"(module (memory (export "memory") 1) {fields}
            (func (export "main") (local $i i32)
                (loop
                    {body}
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br_if 0 (i32.lt_u (local.get $i) (i32.const {n}))))))"#
    )
}

fn locals(n: usize) -> String {
    "(local i64)".repeat(n)
}

#[test]
fn a_call_pays_for_the_locals_its_callee_zeroes() {
    let price = CostTable::default().resources.local;
    for &engine in EngineKind::all() {
        let heavy = gas_of(engine, &looping(&format!("(func $f {})", locals(1000)), "(call $f)", 100));
        let light = gas_of(engine, &looping("(func $f)", "(call $f)", 100));
        assert_eq!(heavy - light, 100 * 1000 * price, "{engine:?}");
        // call_indirect pays for the most locals of any function in the table.
        let table = format!(
            "(type $t (func)) (table 2 funcref) (elem (i32.const 0) $f $g) (func $f) (func $g {})",
            locals(1000)
        );
        let indirect = gas_of(engine, &looping(&table, "(call_indirect (type $t) (i32.const 0))", 100));
        let table0 = "(type $t (func)) (table 2 funcref) (elem (i32.const 0) $f $g) (func $f) (func $g)";
        let indirect0 = gas_of(engine, &looping(table0, "(call_indirect (type $t) (i32.const 0))", 100));
        assert_eq!(indirect - indirect0, 100 * 1000 * price, "{engine:?}");
    }
}

#[test]
fn a_loop_of_calls_to_a_function_with_the_most_locals_runs_out_of_gas() {
    let limits = Limits { tx_gas: 50_000_000, ..Limits::default() };
    let src = looping(&format!("(func $f {})", locals(1023)), "(call $f)", u32::MAX);
    for &engine in EngineKind::all() {
        let started = Instant::now();
        let (result, gas, _) = run_once(engine, &src, limits.clone());
        println!("{engine:?}: 1,023-local calls until out of gas: {:?}", started.elapsed());
        assert_eq!(result, Err(TxError::OutOfGas), "{engine:?}");
        assert_eq!(gas, limits.tx_gas, "{engine:?}");
    }
}

#[test]
fn a_br_table_pays_per_target() {
    let price = CostTable::default().resources.br_table_target;
    let table = |n: usize| format!("(block (br_table {} (i32.const 0)))", "0 ".repeat(n));
    for &engine in EngineKind::all() {
        let big = gas_of(engine, &looping("", &table(4000), 100));
        let small = gas_of(engine, &looping("", &table(1), 100));
        assert_eq!(big - small, 100 * 3999 * price, "{engine:?}");
    }
}

#[test]
fn grown_pages_are_paid_for() {
    let costs = CostTable::default();
    let grow = |pages: u32| {
        format!(
            r#"(module (memory (export "memory") 1) (func (export "main") (drop (memory.grow (i32.const {pages})))))"#
        )
    };
    for &engine in EngineKind::all() {
        let grown = gas_of(engine, &grow(200));
        let none = gas_of(engine, &grow(0));
        assert_eq!(grown - none, 200 * costs.resources.memory_page, "{engine:?}");
        // A grow that fails (past the limit) adds no pages and costs only the operator.
        let refused = gas_of(engine, &grow(100_000));
        assert_eq!(refused, none, "{engine:?}");
        // Too little gas for the pages: out of gas, when main returns...
        let limits = Limits { tx_gas: none + 100 * costs.resources.memory_page, ..Limits::default() };
        let (result, gas, _) = run_once(engine, grow(200), limits.clone());
        assert_eq!((result, gas), (Err(TxError::OutOfGas), limits.tx_gas), "{engine:?}");
        // ...or at the next host call, before the call runs.
        let src = r#"(module
            (import "env" "block_data_size" (func $size (result i32)))
            (memory (export "memory") 1)
            (func (export "main") (drop (memory.grow (i32.const 200))) (drop (call $size)) unreachable))"#;
        let (result, _, _) = run_once(engine, src, limits.clone());
        assert_eq!(result, Err(TxError::OutOfGas), "{engine:?}");
    }
}

#[test]
fn instantiation_is_paid_for_before_it_happens() {
    let r = CostTable::default().resources;
    let module =
        |fields: &str| format!(r#"(module (memory (export "memory") 1) (func (export "main")) {fields})"#);
    let data = format!(r#"(data (i32.const 0) "{}")"#, "x".repeat(1000));
    for &engine in EngineKind::all() {
        let plain = gas_of(engine, &module(""));
        assert!(plain >= r.instance + r.memory_page + 2 * r.export, "{engine:?}: {plain}");
        let started = Instant::now();
        let table = gas_of(engine, &module("(table 16384 funcref)"));
        println!("{engine:?}: a 16,384-slot table: {:?}", started.elapsed());
        assert_eq!(table - plain, 16_384 * r.table_element, "{engine:?}");
        assert_eq!(gas_of(engine, &module(&data)) - plain, 1000 * r.data_byte + r.data_segment, "{engine:?}");
        let globals = "(global i32 (i32.const 0))".repeat(10);
        assert_eq!(gas_of(engine, &module(&globals)) - plain, 10 * r.global, "{engine:?}");
        // main's own locals are zeroed when the host calls it.
        let main_locals =
            format!(r#"(module (memory (export "memory") 1) (func (export "main") {}))"#, locals(500));
        assert_eq!(gas_of(engine, &main_locals) - plain, 500 * r.local, "{engine:?}");
        // Too little gas to instantiate: out of gas, nothing created.
        let limits = Limits { tx_gas: r.instance + 16_000 * r.table_element, ..Limits::default() };
        let (result, gas, _) = run_once(engine, module("(table 16384 funcref)"), limits.clone());
        assert_eq!((result, gas), (Err(TxError::OutOfGas), limits.tx_gas), "{engine:?}");
    }
}

#[test]
fn a_failed_transaction_reports_its_times_and_gas_split() {
    use ee_host::abi::Role;
    use ee_integration::wat_ee::{EE, wat_chain};
    use ee_sdk::{ShardId, ShardTransaction};
    let src = r#"(module (memory (export "memory") 1) (func (export "main") (loop (br 0))))"#;
    let limits = Limits { tx_gas: 5_000_000, ..Limits::default() };
    let r = CostTable::default().resources;
    for &engine in EngineKind::all() {
        let mut c = wat_chain(engine, src, Role::Ee, limits.clone());
        let tx = ShardTransaction { ee_id: EE, data: vec![] };
        let block = c.run_slot(vec![(ShardId(0), vec![tx])]).unwrap().remove(0);
        let t = &block.outcome.txs[0];
        assert_eq!(t.result, Err(TxError::OutOfGas), "{engine:?}");
        assert_eq!(t.stats.resource_gas, r.instance + r.memory_page + 2 * r.export, "{engine:?}");
        assert!(!t.stats.cached, "{engine:?}: compiled for this run");
        println!(
            "{engine:?}: failed after {} µs running, {} µs compiling",
            t.stats.execute_us, t.stats.compile_us
        );
    }
}
