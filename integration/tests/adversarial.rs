//! The adversarial EE corpus: every module of the hardening review that an EE author or
//! a deployer can send — compile-time and instantiation bombs, unmetered-work loops,
//! memory bombs, recursion, forbidden imports, a start function — plus every host
//! function called with hostile pointers and lengths. Each case runs on both engines
//! (refused at load, or run to its expected end with nothing left behind) and through a
//! devnet deployment (refused with the same reason, or deployed and run in a block while
//! the node goes on producing). The timing of each case is printed.
use ee_client::keys::dev_key;
use ee_client::{NewExecutionScript, TxRequest};
use ee_devnet::{DevnetError, Genesis, Node, NodeConfig};
use ee_host::abi::{HostFn, Kind, Role};
use ee_host::exec::TxError;
use ee_host::limits::{Limits, structure};
use ee_host::runtime::{EngineKind, Runtime};
use ee_integration::built_wasm;
use ee_integration::wat_ee::{locals_bomb, run_once};
use ee_sdk::codec::Encode;
use std::time::Instant;

/// How a case must end.
#[derive(Clone, Debug)]
enum Expect {
    /// Refused at load; the reason contains this text.
    Refused(&'static str),
    /// Runs out of gas, using all of it.
    OutOfGas,
    /// Hits the deterministic stack limit.
    Stack,
    /// Runs; whatever it ends with (success or a typed failure) is the same on every
    /// engine and leaves nothing behind.
    Contained,
}

struct Case {
    name: String,
    code: Vec<u8>,
    expect: Expect,
}

fn case(name: &str, wat: String, expect: Expect) -> Case {
    Case { name: name.into(), code: wat::parse_str(&wat).expect("corpus WAT parses"), expect }
}

/// A module with the EE's exports: `main` runs `main_body`, after `fields`.
fn ee(fields: &str, main_body: &str) -> String {
    format!(r#"(module {fields} (memory (export "memory") 1) (func (export "main") {main_body}))"#)
}

fn forever(body: &str) -> String {
    format!("(loop {body} (br 0))")
}

fn corpus() -> Vec<Case> {
    let r = |s: &str, n: u64| s.repeat(n as usize);
    let mut cases = vec![
        // Locals zeroed per call, not charged (was: > 120 s on singlepass).
        case("50,000 locals, called in a loop", ee(&format!("(func $f {})", r("(local i32)", 50_000)), &forever("(call $f)")), Expect::Refused("locals of one function")),
        case("1,024 locals, called in a loop", ee(&format!("(func $f {})", r("(local i32)", 1_023)), &forever("(call $f)")), Expect::OutOfGas),
        // Compile-time bombs.
        Case { name: "10,000 functions × 50,000 locals".into(), code: locals_bomb(10_000, 50_000), expect: Expect::Refused("functions") },
        Case { name: "64,000 functions × 50,000 locals".into(), code: locals_bomb(64_000, 50_000), expect: Expect::Refused("functions") },
        case("80,000 nested blocks", ee(&format!("(func {}{})", r("(block ", 80_000), r(")", 80_000)), ""), Expect::Refused("nesting of blocks")),
        case("100,000 small functions", ee(&r("(func)", 100_000), ""), Expect::Refused("functions")),
        // Instantiation bombs.
        case("a table of 10,000,000 elements", ee("(table 10000000 10000000 funcref)", ""), Expect::Refused("table elements")),
        case("100,000 exports", ee(&(0..100_000).map(|i| format!(r#"(export "e{i}" (func 0))"#)).collect::<String>(), ""), Expect::Refused("exports")),
        case("4,000,000 table elements in segments", ee(&format!("(table 16 funcref) (elem (i32.const 0) func {})", r("0 ", 4_000_000)), ""), Expect::Refused("elements in element segments")),
        case("100,000 data segments", ee(&r(r#"(data (i32.const 0) "x")"#, 100_000), ""), Expect::Refused("data segments")),
        case("1,000,000 globals", ee(&r("(global i32 (i32.const 0))", 1_000_000), ""), Expect::Refused("globals")),
        case("the largest table allowed, instantiated in a loop of self-calls",
            format!(r#"(module (import "env" "call_ee" (func $call (param i32 i32 i32) (result i32)))
                (import "env" "ee_id" (func $me (result i32)))
                (memory (export "memory") 1) (table {} funcref)
                (func (export "main") {}))"#, structure::MAX_TABLE_ELEMENTS, forever("(drop (call $call (call $me) (i32.const 0) (i32.const 0)))")),
            Expect::Contained),
        // Memory bombs.
        case("initial memory past the limit", "(module (memory (export \"memory\") 100000) (func (export \"main\")))".into(), Expect::Refused("memory")),
        case("memory.grow in a loop", ee("", &forever("(drop (memory.grow (i32.const 1)))")), Expect::OutOfGas),
        case("grow then touch every page", ee("", "(local $p i32) (drop (memory.grow (i32.const 255))) (loop (i32.store (local.get $p) (i32.const 1)) (local.set $p (i32.add (local.get $p) (i32.const 4096))) (br_if 0 (i32.lt_u (local.get $p) (i32.const 16777216))))"), Expect::Contained),
        // Recursion and loops.
        case("unbounded recursion", ee("(func $f (call $f))", "(call $f)"), Expect::Stack),
        case("an empty infinite loop", ee("", &forever("")), Expect::OutOfGas),
        case("a br_table of 4,096 targets in a loop", ee("", &forever(&format!("(block (br_table {} (i32.const 1)))", r("0 ", 4_095)))), Expect::OutOfGas),
        // What a module may not contain.
        case("a start function", "(module (memory (export \"memory\") 1) (func $s) (start $s) (func (export \"main\")))".into(), Expect::Refused("start")),
        case("a WASI import", ee(r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#, ""), Expect::Refused("wasi_snapshot_preview1")),
        case("a meta-EE-only import", ee(r#"(import "env" "get_outputs_size" (func (param i32) (result i32)))"#, ""), Expect::Refused("get_outputs_size")),
        case("floats", ee("", "(drop (f64.add (f64.const 1) (f64.const 2)))"), Expect::Refused("float")),
        case("no main", "(module (memory (export \"memory\") 1))".into(), Expect::Refused("main")),
        // The log of children counts against the parent (was: 917 MB in one transaction).
        case("a log in a loop of self-calls",
            r#"(module (import "env" "call_ee" (func $call (param i32 i32 i32) (result i32)))
                (import "env" "debug_log" (func $log (param i32 i32)))
                (import "env" "ee_id" (func $me (result i32)))
                (memory (export "memory") 1)
                (func (export "main") (loop (call $log (i32.const 0) (i32.const 60000)) (drop (call $call (call $me) (i32.const 0) (i32.const 0))) (br 0))))"#.into(),
            Expect::Contained),
        case("pushNewDeposit in a loop",
            r#"(module (import "env" "eth2_pushNewDeposit" (func $d (param i32 i32)))
                (memory (export "memory") 1)
                (func (export "main") (loop (call $d (i32.const 0) (i32.const 1024)) (br 0))))"#.into(),
            Expect::Contained),
    ];
    // Every host function an EE may import, with hostile pointers and lengths: lengths
    // beyond any memory (refused by gas or bounds before anything is read) and
    // affordable lengths at the end of the address space.
    for &f in HostFn::ALL.iter().filter(|f| f.allowed(Role::Ee)) {
        for (style, len) in [("huge", "-1"), ("affordable", "64")] {
            let params: Vec<&str> = f.wasm_params().map(|t| t.name()).collect();
            let args: String = f
                .params()
                .iter()
                .map(|(_, k)| match k {
                    Kind::U64 | Kind::I64 => "(i64.const -1) ".to_string(),
                    Kind::Len | Kind::U32 => format!("(i32.const {len}) "),
                    _ => "(i32.const -16) ".to_string(),
                })
                .collect();
            let result = f.wasm_result().map_or(String::new(), |t| format!("(result {})", t.name()));
            let call = format!("(call $f {args})");
            let body = if f.wasm_result().is_some() { format!("(drop {call})") } else { call };
            let import = format!(
                r#"(import "{}" "{}" (func $f (param {}) {result}))"#,
                ee_host::abi::MODULE,
                f.name(),
                params.join(" ")
            );
            let name = format!("{} with hostile pointers, {style} lengths", f.name());
            cases.push(case(&name, ee(&import, &body), Expect::Contained));
        }
    }
    cases
}

fn limits() -> Limits {
    Limits { tx_gas: 50_000_000, ..Limits::default() }
}

#[test]
fn every_case_ends_as_expected_on_both_engines() {
    for c in corpus() {
        let code = &c.code;
        let mut ends = Vec::new();
        for &engine in EngineKind::all() {
            let started = Instant::now();
            let loaded = Runtime::new(engine, Default::default(), limits()).load(code, Role::Ee).map(|_| ());
            match (&c.expect, loaded) {
                (Expect::Refused(why), Err(e)) => {
                    assert!(
                        e.to_string().contains(why),
                        "{}: {engine:?}: refused for {e}, not {why}",
                        c.name
                    );
                    println!("{engine:?} {}: refused in {:?}", c.name, started.elapsed());
                    continue;
                }
                (Expect::Refused(_), Ok(())) => panic!("{}: {engine:?}: loaded", c.name),
                (_, Err(e)) => panic!("{}: {engine:?}: refused: {e}", c.name),
                (_, Ok(())) => {}
            }
            let (result, gas, _) = run_once(engine, code, limits());
            println!("{engine:?} {}: {result:?}, {gas} gas, {:?}", c.name, started.elapsed());
            match c.expect {
                Expect::OutOfGas => {
                    assert_eq!((&result, gas), (&Err(TxError::OutOfGas), limits().tx_gas), "{}", c.name)
                }
                Expect::Stack => assert_eq!(result, Err(TxError::StackExhausted), "{}", c.name),
                _ => {}
            }
            ends.push((result, gas));
        }
        assert!(ends.windows(2).all(|w| w[0] == w[1]), "{}: engines disagree: {ends:?}", c.name);
    }
}

#[test]
fn every_case_is_refused_or_contained_by_a_devnet() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::new(dir.path().join("devnet.redb"));
    config.shards = 2;
    config.ee_deposit = 1;
    config.exec.limits = Limits { gas_price: 0, ..limits() };
    let genesis = Genesis {
        meta_ee: built_wasm("meta_ee"),
        vhee: built_wasm("vhee"),
        vhee_float: Genesis::VHEE_FLOAT,
        transfer_ee: built_wasm("transfer_ee"),
        transfer_balance: 1_000_000,
        validators: Genesis::dev_validators(),
    };
    let node = Node::open(config, Some(genesis)).unwrap();
    for c in corpus() {
        let started = Instant::now();
        let script = NewExecutionScript::signed(0, node.head().unwrap().slot, c.code, &dev_key(0)).encode();
        let deployed = node.deploy(&script, true);
        let ee = match (&c.expect, deployed) {
            (Expect::Refused(why), Err(e)) => {
                let named = matches!(&e, DevnetError::InvalidCode(m) if m.contains(why));
                assert!(named || matches!(e, DevnetError::CodeTooLarge { .. }), "{}: {e}", c.name);
                println!("devnet {}: refused in {:?}: {e}", c.name, started.elapsed());
                continue;
            }
            (Expect::Refused(_), Ok(_)) => panic!("{}: deployed", c.name),
            (_, Err(e)) => panic!("{}: refused: {e}", c.name),
            (_, Ok(d)) => d.ee,
        };
        // The case calls itself as EE 7 where it uses call_ee: whatever EE 7 is here, the
        // call is contained.
        let accepted = node.submit(&TxRequest::new(0, ee, &[1, 2, 3])).unwrap();
        node.produce_slot().unwrap();
        let loc = node.transaction_location(&accepted.hash).unwrap();
        println!("devnet {}: {:?} in {:?}", c.name, loc.result.error, started.elapsed());
        match c.expect {
            Expect::OutOfGas => assert_eq!(loc.result.error.as_deref(), Some("out of gas"), "{}", c.name),
            Expect::Stack => assert!(loc.result.error.is_some(), "{}", c.name),
            _ => {}
        }
    }
    assert_eq!(node.matrix(1).unwrap().iter().flatten().sum::<i64>(), 2 * 1_000_000, "value conserved");
}
