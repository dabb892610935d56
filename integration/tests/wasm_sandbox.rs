//! The wasm tier's sandbox guarantees: bad modules are refused at load with a clear
//! reason, misbehaving EEs end their own transaction (no outputs, no state change), and the
//! host never panics. Every case runs on both engines.

use ee_host::abi::{HostFn, Role};
use ee_host::exec::{EeRunner, ExecConfig, TxError};
use ee_host::limits::Limits;
use ee_host::logic::HostError;
use ee_host::runtime::{EngineKind, Problem, Runtime};
use ee_host::state::{EeEntry, KeyLayout, World};
use ee_integration::wat_ee::{EE, run_once, wasm, wat_chain};
use ee_integration::*;
use ee_sdk::{ShardId, ShardTransaction};
use std::sync::Arc;

fn load_problems(engine: EngineKind, wat_text: &str, role: Role) -> Vec<Problem> {
    let rt = Runtime::new(engine, Default::default(), Limits::default());
    match rt.load(&wasm(wat_text), role) {
        Ok(_) => panic!("module should be refused"),
        Err(e) => e.0,
    }
}

#[test]
fn trapping_ee_leaves_no_outputs_and_no_state_change() {
    let src = r#"(module
        (import "env" "print_output" (func $out (param i32 i32)))
        (import "env" "save_post_state_root" (func $save (param i32)))
        (memory (export "memory") 1)
        (data (i32.const 0) "hello, netting")
        (func (export "main")
            (call $out (i32.const 0) (i32.const 5))
            (call $save (i32.const 0))
            unreachable))"#;
    for &engine in EngineKind::all() {
        let (result, _, _) = run_once(engine, src, Limits::default());
        assert!(
            matches!(result, Err(TxError::Trap(ref m)) if m.contains("unreachable")),
            "{engine:?}: {result:?}"
        );
    }
}

#[test]
fn abort_is_a_clear_error_with_the_message() {
    let src = r#"(module
        (import "env" "abort" (func $abort (param i32 i32)))
        (memory (export "memory") 1)
        (data (i32.const 0) "nope")
        (func (export "main") (call $abort (i32.const 0) (i32.const 4))))"#;
    for &engine in EngineKind::all() {
        let (result, _, _) = run_once(engine, src, Limits::default());
        assert_eq!(result, Err(TxError::Host(HostError::Aborted("nope".into()))), "{engine:?}");
    }
}

#[test]
fn infinite_loop_runs_out_of_gas() {
    let src = r#"(module (memory (export "memory") 1) (func (export "main") (loop (br 0))))"#;
    let limits = Limits { tx_gas: 2_000_000, ..Limits::default() };
    for &engine in EngineKind::all() {
        let (result, gas, _) = run_once(engine, src, limits.clone());
        assert_eq!(result, Err(TxError::OutOfGas), "{engine:?}");
        assert_eq!(gas, 2_000_000, "{engine:?}: all gas is used");
    }
}

#[test]
fn host_calls_are_metered_even_without_instructions_to_speak_of() {
    // 1000 sha256 calls over 1 KiB: host gas dominates and is charged per byte.
    let src = r#"(module
        (import "env" "sha256" (func $h (param i32 i32 i32)))
        (memory (export "memory") 1)
        (func (export "main") (local $i i32)
            (loop
                (call $h (i32.const 0) (i32.const 1024) (i32.const 2048))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if 0 (i32.lt_u (local.get $i) (i32.const 1000))))))"#;
    let costs = ee_host::gas::CostTable::default();
    let per_call = costs.host_call(HostFn::sha256, 1024 + 32);
    for &engine in EngineKind::all() {
        let (result, gas, _) = run_once(engine, src, Limits::default());
        assert!(result.is_ok(), "{engine:?}: {result:?}");
        assert!(gas >= 1000 * per_call, "{engine:?}: {gas} < {}", 1000 * per_call);
        let instance = costs.resources.instance + costs.resources.memory_page + 2 * costs.resources.export;
        assert!(gas < 1000 * per_call + instance + 50_000, "{engine:?}: instruction gas should be small");
        // Starving it of gas stops it inside a host call.
        let limits = Limits { tx_gas: 100 * per_call, ..Limits::default() };
        let (result, gas, _) = run_once(engine, src, limits);
        assert_eq!(result, Err(TxError::OutOfGas), "{engine:?}");
        assert_eq!(gas, 100 * per_call, "{engine:?}");
    }
}

#[test]
fn out_of_bounds_pointers_trap_without_host_panic() {
    let cases = [
        ("print_output", "(param i32 i32)", "(call $f (i32.const 65530) (i32.const 100))"),
        ("print_output", "(param i32 i32)", "(call $f (i32.const -1) (i32.const 2))"),
        ("block_data_copy", "(param i32 i32 i32)", "(call $f (i32.const 65535) (i32.const 0) (i32.const 3))"),
        ("load_pre_state_root", "(param i32)", "(call $f (i32.const 65520))"),
        ("sha256", "(param i32 i32 i32)", "(call $f (i32.const 100) (i32.const 65500) (i32.const 0))"),
        ("sha256", "(param i32 i32 i32)", "(call $f (i32.const 0) (i32.const 32) (i32.const 65530))"),
        ("debug_log", "(param i32 i32)", "(call $f (i32.const 0) (i32.const 65537))"),
    ];
    for &engine in EngineKind::all() {
        for (name, sig, call) in cases {
            let src = format!(
                r#"(module (import "env" "{name}" (func $f {sig})) (memory (export "memory") 1)
                   (func (export "main") {call}))"#
            );
            let (result, _, _) = run_once(engine, &src, Limits::default());
            assert!(
                matches!(result, Err(TxError::Host(HostError::MemoryAccess { .. }))),
                "{engine:?} {name}: {result:?}"
            );
        }
    }
}

#[test]
fn block_data_copy_outside_the_data_is_refused() {
    let src = r#"(module (import "env" "block_data_copy" (func $f (param i32 i32 i32)))
        (memory (export "memory") 1) (func (export "main") (call $f (i32.const 0) (i32.const 2) (i32.const 2))))"#;
    for &engine in EngineKind::all() {
        let (result, _, _) = run_once(engine, src, Limits::default());
        assert_eq!(
            result,
            Err(TxError::Host(HostError::DataRange { offset: 2, len: 2, size: 3 })),
            "{engine:?}"
        );
    }
}

#[test]
fn unbounded_recursion_hits_the_deterministic_stack_limit() {
    let src = r#"(module (memory (export "memory") 1)
        (func $f (param i64) (local i64 i64 i64) (call $f (local.get 0)))
        (func (export "main") (call $f (i64.const 1))))"#;
    for &engine in EngineKind::all() {
        let (result, gas_a, _) = run_once(engine, src, Limits::default());
        assert_eq!(result, Err(TxError::StackExhausted), "{engine:?}");
        let (_, gas_b, _) = run_once(engine, src, Limits::default());
        assert_eq!(gas_a, gas_b, "{engine:?}: deterministic");
    }
    // The same depth on both engines: the gas to reach the limit agrees.
    let gas: Vec<u64> = EngineKind::all().iter().map(|&e| run_once(e, src, Limits::default()).1).collect();
    assert!(gas.windows(2).all(|w| w[0] == w[1]), "{gas:?}");
}

#[test]
fn memory_cannot_grow_past_the_page_limit() {
    // memory.grow past the cap returns -1 (as the spec allows); growing within it works.
    let src = r#"(module (memory (export "memory") 1)
        (func (export "main")
            (if (i32.ne (memory.grow (i32.const 10)) (i32.const 1)) (then unreachable))
            (if (i32.ne (memory.grow (i32.const 1000)) (i32.const -1)) (then unreachable))))"#;
    let limits = Limits { memory_pages: 32, ..Limits::default() };
    for &engine in EngineKind::all() {
        let (result, _, _) = run_once(engine, src, limits.clone());
        assert_eq!(result, Ok(()), "{engine:?}");
    }
}

#[test]
fn bad_modules_are_refused_at_load_with_reasons() {
    let main = r#"(memory (export "memory") 1) (func (export "main"))"#;
    type Expect = Box<dyn Fn(&Problem) -> bool>;
    let cases: Vec<(String, Role, Expect)> = vec![
        (
            format!(r#"(module (import "env" "does_not_exist" (func)) {main})"#),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::UnknownImport { name, .. } if name == "does_not_exist")),
        ),
        (
            format!(r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) {main})"#),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::UnknownImport { module, .. } if module == "wasi_snapshot_preview1")),
        ),
        (
            format!(r#"(module (import "env" "get_outputs_size" (func (param i32) (result i32))) {main})"#),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::ForbiddenImport { function: HostFn::get_outputs_size, role: Role::Ee })),
        ),
        (
            format!(r#"(module (import "env" "balance_add" (func (param i32 i32 i64))) {main})"#),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::ForbiddenImport { function: HostFn::balance_add, .. })),
        ),
        (
            format!(r#"(module (import "env" "print_output" (func (param i32))) {main})"#),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::ImportSignature { function: HostFn::print_output, .. })),
        ),
        (
            format!(r#"(module (global (export "wasmer_metering_remaining_points") i64 (i64.const 7)) {main})"#),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::ReservedExport(n) if n == "wasmer_metering_remaining_points")),
        ),
        (
            r#"(module (memory (export "memory") 1) (func (export "main") (drop (f64.add (f64.const 1) (f64.const 2)))))"#.into(),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::Float(m) if m.contains("F64"))),
        ),
        (
            r#"(module (memory (export "memory") 1) (func (export "main") (local f32)))"#.into(),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::Float(_))),
        ),
        (
            r#"(module (memory (export "memory") 1) (func (export "main") (drop (i32x4.splat (i32.const 1)))))"#.into(),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::Invalid(m) if m.contains("SIMD"))),
        ),
        (
            r#"(module (memory (export "memory") 1) (func (export "main") (memory.fill (i32.const 0) (i32.const 0) (i32.const 10))))"#.into(),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::Invalid(m) if m.contains("bulk memory"))),
        ),
        (
            r#"(module (memory (export "memory") 1) (func (export "main") (result i32) (i32.const 0)))"#.into(),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::MainSignature(s) if s.contains("i32"))),
        ),
        (
            r#"(module (memory (export "memory") 1) (func $s) (start $s) (func (export "main")))"#.into(),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::StartFunction)),
        ),
        (
            r#"(module (memory (export "memory") 1))"#.into(),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::MissingExport("main"))),
        ),
        (
            r#"(module (func (export "main")))"#.into(),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::MissingExport("memory"))),
        ),
        (
            r#"(module (memory (export "memory") 5000) (func (export "main")))"#.into(),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::MemoryTooLarge { pages: 5000, .. })),
        ),
        (
            r#"(module (import "env" "memory" (memory 1)) (func (export "main")))"#.to_string(),
            Role::Ee,
            Box::new(|p| matches!(p, Problem::NonFunctionImport { kind: "memory", .. })),
        ),
    ];
    for &engine in EngineKind::all() {
        for (src, role, expect) in &cases {
            let problems = load_problems(engine, src, *role);
            assert!(problems.iter().any(expect), "{engine:?} {src}: {problems:?}");
            for p in &problems {
                assert!(!p.to_string().is_empty());
            }
        }
    }
}

#[test]
fn garbage_and_truncated_modules_are_refused() {
    let good = built_wasm("transfer_ee");
    let rt = Runtime::new(EngineKind::Singlepass, Default::default(), Limits::default());
    for bytes in [&b"not wasm at all"[..], &good[..good.len() / 2], &good[..7], &[][..]] {
        let err = rt.load(bytes, Role::Ee).err().expect("refused");
        assert!(matches!(err.0[0], Problem::Invalid(_)), "{err}");
    }
    // Just the 8-byte header is a valid, empty module: refused for what it lacks.
    let err = rt.load(&good[..8], Role::Ee).err().expect("refused");
    assert!(err.0.contains(&Problem::MissingExport("main")), "{err}");
    assert!(err.0.contains(&Problem::MissingExport("memory")), "{err}");
}

#[test]
fn the_linker_provides_exactly_the_table_for_each_role() {
    // A module importing every function its role may use, with the table's signatures,
    // must instantiate and run: if the linker forgot one or got a signature wrong,
    // instantiation would fail.
    for role in [Role::Ee, Role::Meta] {
        let mut imports = String::new();
        for (i, f) in HostFn::ALL.iter().filter(|f| f.allowed(role)).enumerate() {
            let params: Vec<_> = f.wasm_params().map(|t| t.name()).collect();
            let result = f.wasm_result().map(|t| format!("(result {})", t.name())).unwrap_or_default();
            imports += &format!(
                "(import \"{}\" \"{}\" (func $f{i} (param {}) {result}))\n",
                f.module(),
                f.name(),
                params.join(" ")
            );
            for (m, n) in f.aliases() {
                imports +=
                    &format!("(import \"{m}\" \"{n}\" (func (param {}) {result}))\n", params.join(" "));
            }
        }
        let src = format!("(module {imports} (memory (export \"memory\") 1) (func (export \"main\")))");
        for &engine in EngineKind::all() {
            let rt = Runtime::new(engine, Default::default(), Limits::default());
            rt.load(&wasm(&src), role).unwrap_or_else(|e| panic!("{role} {engine:?}: {e}"));
            let mut w = World::new(1, KeyLayout::ColumnMajor).unwrap();
            w.register(EeEntry::new(EE, "all", role, wasm(&src))).unwrap();
            let rt_dyn: Box<dyn EeRunner> = Box::new(rt);
            let mut source = ee_host::exec::StatefulSource::new(&w, ShardId(0));
            let cfg = ExecConfig::default();
            let mut exec = ee_host::exec::BlockExecutor::new(
                &w.beacon,
                ShardId(0),
                0,
                &mut source,
                &rt_dyn,
                &cfg.costs,
                &cfg.limits,
            )
            .unwrap();
            let report = exec.run(&ShardTransaction { ee_id: EE, data: vec![] }).unwrap();
            assert!(report.ok(), "{role} {engine:?}: {:?}", report.result);
        }
    }
}

#[test]
fn compiled_modules_are_cached_by_code_engine_and_costs() {
    let code = built_wasm("transfer_ee");
    let rt = Runtime::new(EngineKind::Singlepass, Default::default(), Limits::default());
    let (_, cached) = rt.load(&code, Role::Ee).unwrap();
    assert!(!cached);
    let (_, cached) = rt.load(&code, Role::Ee).unwrap();
    assert!(cached);
    assert_eq!(rt.cached_modules(), 1);
    let mut other = ee_host::gas::CostTable::default();
    other.operators.call = 11;
    let rt2 = Runtime::new(EngineKind::Singlepass, Arc::new(other), Limits::default());
    let (_, cached) = rt2.load(&code, Role::Ee).unwrap();
    assert!(!cached, "a different cost table is a different artifact");
}

#[test]
fn a_second_meta_ee_transaction_or_a_transaction_after_it_is_refused() {
    let mut c = wat_chain(EngineKind::Singlepass, "", Role::Meta, Limits::default());
    let meta_tx = ShardTransaction {
        ee_id: META,
        data: ee_sdk::codec::Encode::encode(&ee_sdk::MetaTransaction::default()),
    };
    let err = c.run_slot(vec![(ShardId(0), vec![meta_tx])]).unwrap_err();
    assert!(err.to_string().contains("after the meta-EE"), "{err}");
}

/// Deposit receipts (`eth2_pushNewDeposit`) are bounded per block like outputs, counted
/// across the block's transactions: a loop of pushes in each of several transactions
/// stops at the block's cap, the transaction that reaches it fails alone.
#[test]
fn deposits_have_a_per_block_cap() {
    let src = r#"(module
        (import "env" "eth2_pushNewDeposit" (func $push (param i32 i32)))
        (import "env" "block_data_copy" (func $copy (param i32 i32 i32)))
        (memory (export "memory") 1)
        (func (export "main") (local $n i32)
            (call $copy (i32.const 0) (i32.const 0) (i32.const 1))
            (local.set $n (i32.load8_u (i32.const 0)))
            (block (loop
                (br_if 1 (i32.eqz (local.get $n)))
                (call $push (i32.const 16) (i32.const 8))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br 0)))))"#;
    let limits = Limits { block_outputs: 10, outputs_per_tx: 8, ..Limits::default() };
    for &engine in EngineKind::all() {
        let mut c = wat_chain(engine, src, Role::Ee, limits.clone());
        let txs = (0..3).map(|i| ShardTransaction { ee_id: EE, data: vec![4, i] }).collect();
        let r = c.run_slot(vec![(ShardId(0), txs)]).unwrap().into_iter().next().unwrap();
        let results: Vec<_> = r.outcome.txs.iter().take(3).map(|t| t.result.clone()).collect();
        assert_eq!(results[..2], [Ok(()), Ok(())], "{engine:?}");
        assert_eq!(results[2], Err(TxError::Host(HostError::BlockDepositCount { max: 10 })), "{engine:?}");
        assert_eq!(r.outcome.deposits.len(), 8, "the failed transaction's pushes are discarded");
    }
}

/// A size-then-copy call with the wrong length names the function called.
#[test]
fn a_wrong_copy_length_names_its_function() {
    let src = r#"(module
        (import "env" "return_data_copy" (func $copy (param i32 i32)))
        (memory (export "memory") 1)
        (func (export "main") (call $copy (i32.const 0) (i32.const 5))))"#;
    for &engine in EngineKind::all() {
        let (result, _, _) = run_once(engine, src, Limits::default());
        let expected = HostError::CopyLength { function: HostFn::return_data_copy, expected: 0, got: 5 };
        assert_eq!(result, Err(TxError::Host(expected.clone())), "{engine:?}");
        assert_eq!(expected.to_string(), "env.return_data_copy length 5 != the size the host reported (0)");
    }
}

#[test]
fn a_helper_chain_deeper_than_the_stack_budget_is_refused_at_load() {
    // main -> h0 -> h1 -> … -> h9, no recursion: the limiter instruments none of these
    // calls, so the whole chain (its entry margin) must fit the budget ahead of time.
    let mut funcs = String::new();
    for i in 0..10 {
        let call = if i < 9 { format!("(call $h{})", i + 1) } else { String::new() };
        funcs.push_str(&format!("(func $h{i} (local i64 i64 i64 i64 i64 i64 i64 i64) {call})\n"));
    }
    let src = format!(r#"(module (memory (export "memory") 1) {funcs} (func (export "main") (call $h0)))"#);
    // Each frame weighs 16 + 8 locals + its operand stack: the chain is about 250 units.
    let tight = Limits { stack_units: 200, ..Limits::default() };
    for &engine in EngineKind::all() {
        let rt = Runtime::new(engine, Default::default(), tight.clone());
        let Err(refused) = rt.load(&wasm(&src), Role::Ee) else { panic!("{engine:?}: loaded") };
        let problems = refused.0;
        assert!(
            problems.iter().any(|p| matches!(p, Problem::Structure { what, found, max: 200 }
                if what.contains("deepest call chain") && *found > 200)),
            "{engine:?}: {problems:?}"
        );
        // Within the default budget it loads and runs.
        let (result, _, _) = run_once(engine, &src, Limits::default());
        assert_eq!(result, Ok(()), "{engine:?}");
    }
}

#[test]
fn recursion_below_uncounted_helpers_still_hits_the_limit_at_one_depth() {
    // main -> a -> b -> f (recursive): a and b are not instrumented, f's calls are; the
    // margin (main, a, b) is taken off the budget, so the limit is reached at the same
    // depth, and for the same gas, on both engines.
    let src = r#"(module (memory (export "memory") 1)
        (func $f (param i64) (local i64 i64 i64) (call $f (local.get 0)))
        (func $b (local i64 i64) (call $f (i64.const 1)))
        (func $a (local i64) (call $b))
        (func (export "main") (call $a)))"#;
    let gas: Vec<u64> = EngineKind::all()
        .iter()
        .map(|&e| {
            let (result, gas, _) = run_once(e, src, Limits::default());
            assert_eq!(result, Err(TxError::StackExhausted), "{e:?}");
            gas
        })
        .collect();
    assert!(gas.windows(2).all(|w| w[0] == w[1]), "{gas:?}");
}

/// Checks that memory is exactly a fresh one (2 pages, all zero), then dirties it all,
/// grown by 3 pages: the next instance that gets this memory from the pool must not see it.
const DIRTY_THEN_GROW: &str = r#"(module (memory (export "memory") 2)
    (func (export "main") (local $i i32) (local $end i32)
        (if (i32.ne (memory.size) (i32.const 2)) (then unreachable))
        (local.set $end (i32.const 131072))
        (block $done (loop $scan
            (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
            (if (i64.ne (i64.load (local.get $i)) (i64.const 0)) (then unreachable))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $scan)))
        (if (i32.ne (memory.grow (i32.const 3)) (i32.const 2)) (then unreachable))
        (local.set $end (i32.const 327680))
        (local.set $i (i32.const 0))
        (block $done (loop $fill
            (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
            (i64.store (local.get $i) (i64.const -1))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $fill)))))"#;

#[test]
fn a_reused_instance_memory_is_as_fresh_zeroed_and_bounded() {
    // Reads just past the initial 2 pages: a trap on a fresh memory, so on a reused one
    // that an earlier instance grew to 5 pages as well.
    let past_initial = r#"(module (memory (export "memory") 2)
        (func (export "main") (drop (i64.load (i32.const 131072)))))"#;
    let reused_before = ee_host::runtime::pool::reused();
    for &engine in EngineKind::all() {
        for round in 0..4 {
            let (result, _, _) = run_once(engine, DIRTY_THEN_GROW, Limits::default());
            assert_eq!(result, Ok(()), "{engine:?} round {round}: memory not as fresh");
            let (result, _, _) = run_once(engine, past_initial, Limits::default());
            assert!(matches!(result, Err(TxError::Trap(_))), "{engine:?} round {round}: {result:?}");
        }
    }
    if cfg!(target_os = "linux") {
        assert!(ee_host::runtime::pool::reused() > reused_before, "the pool was never used");
    }
}

#[test]
fn a_trap_the_module_did_not_raise_costs_all_its_gas_an_explicit_one_what_ran() {
    // The same loop of work, then an explicit trap (`unreachable`, a Rust panic) or one
    // the module did not ask for (an out-of-bounds load, a division by zero). The gas
    // counter lives in a local between flushes, so after an implicit trap the host cannot
    // know what ran since the last one: such a trap costs the whole limit.
    let ending = |end: &str| {
        format!(
            r#"(module (memory (export "memory") 1)
                (func (export "main") (local $i i32)
                    (loop
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br_if 0 (i32.lt_u (local.get $i) (i32.const 10000))))
                    {end}))"#
        )
    };
    let limits = Limits { tx_gas: 5_000_000, ..Limits::default() };
    let mut explicit = Vec::new();
    for &engine in EngineKind::all() {
        let (result, gas, _) = run_once(engine, ending("unreachable"), limits.clone());
        assert!(
            matches!(result, Err(TxError::Trap(ref m)) if m.contains("unreachable")),
            "{engine:?}: {result:?}"
        );
        assert!(gas > 10_000 && gas < 1_000_000, "{engine:?}: the loop ran and was charged ({gas})");
        explicit.push(gas);
        for implicit in
            ["(drop (i32.load (i32.const 70000)))", "(drop (i32.div_u (local.get $i) (i32.const 0)))"]
        {
            let (result, gas, _) = run_once(engine, ending(implicit), limits.clone());
            assert!(matches!(result, Err(TxError::Trap(_))), "{engine:?} {implicit}: {result:?}");
            assert_eq!(gas, 5_000_000, "{engine:?} {implicit}: all the gas");
        }
    }
    assert!(explicit.windows(2).all(|w| w[0] == w[1]), "engines agree: {explicit:?}");
}
