//! Wasm-spawning-wasm: an EE runs code blobs as child instances. Adversarial children —
//! an infinite loop, a memory bomb, deep recursion, forbidden imports, floats, a child
//! spawning itself — are each contained: the parent gets a status, the gas the child used
//! stays charged to it, and the host goes on. Every case runs with the parent native (its
//! children on wasmer) and with the parent itself in wasm, on both engines.
use ee_host::abi::Role;
use ee_host::exec::{BlockExecutor, EeRunner, ExecConfig, StatefulSource, TxError};
use ee_host::native::NativeRunner;
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::state::{EeEntry, KeyLayout, World};
use ee_sdk::{EeId, ShardId, ShardTransaction, SpawnStatus};
use std::sync::Arc;

const PARENT: EeId = EeId(5);

/// The parent's data: `gas (u64 LE) ‖ code length (u32 LE) ‖ code ‖ input`.
fn data(gas: u64, code: &[u8], input: &[u8]) -> Vec<u8> {
    let mut d = gas.to_le_bytes().to_vec();
    d.extend_from_slice(&(code.len() as u32).to_le_bytes());
    d.extend_from_slice(code);
    d.extend_from_slice(input);
    d
}

/// The native parent: spawns the child, logs `status <n>` and, on success, the child's
/// return data (lossy UTF-8).
fn native_parent() {
    let d = ee_sdk::env::block_data();
    let gas = u64::from_le_bytes(d[..8].try_into().unwrap());
    let len = u32::from_le_bytes(d[8..12].try_into().unwrap()) as usize;
    let (code, input) = d[12..].split_at(len);
    match ee_sdk::env::spawn(code, input, gas) {
        Ok(ret) => {
            ee_sdk::env::log("status 0");
            ee_sdk::env::log(&String::from_utf8_lossy(&ret));
        }
        Err(s) => ee_sdk::env::log(&format!("status {}", s as u32)),
    }
}

/// The same parent in wasm (logs the status as `status <digit>`).
const WASM_PARENT: &str = r#"
(module
  (import "env" "block_data_size" (func $size (result i32)))
  (import "env" "block_data_copy" (func $copy (param i32 i32 i32)))
  (import "env" "spawn" (func $spawn (param i32 i32 i32 i32 i64) (result i32)))
  (import "env" "return_data_size" (func $rsize (result i32)))
  (import "env" "return_data_copy" (func $rcopy (param i32 i32)))
  (import "env" "debug_log" (func $log (param i32 i32)))
  (memory (export "memory") 4)
  (data (i32.const 0) "status 0")
  (func (export "main")
    (local $n i32) (local $len i32) (local $status i32) (local $r i32)
    (local.set $n (call $size))
    (call $copy (i32.const 1024) (i32.const 0) (local.get $n))
    (local.set $len (i32.load (i32.const 1032)))
    (local.set $status
      (call $spawn
        (i32.const 1036) (local.get $len)
        (i32.add (i32.const 1036) (local.get $len))
        (i32.sub (local.get $n) (i32.add (i32.const 12) (local.get $len)))
        (i64.load (i32.const 1024))))
    (i32.store8 (i32.const 7) (i32.add (i32.const 48) (local.get $status)))
    (call $log (i32.const 0) (i32.const 8))
    (if (i32.eqz (local.get $status))
      (then
        (local.set $r (call $rsize))
        (call $rcopy (i32.const 128) (local.get $r))
        (call $log (i32.const 128) (local.get $r))))))
"#;

/// Returns its input doubled (each byte twice): a well-behaved child.
const ECHO: &str = r#"
(module
  (import "env" "block_data_size" (func $size (result i32)))
  (import "env" "block_data_copy" (func $copy (param i32 i32 i32)))
  (import "env" "set_return_data" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "main")
    (local $n i32)
    (local.set $n (call $size))
    (call $copy (i32.const 0) (i32.const 0) (local.get $n))
    (call $copy (local.get $n) (i32.const 0) (local.get $n))
    (call $ret (i32.const 0) (i32.mul (local.get $n) (i32.const 2)))))
"#;

const INFINITE_LOOP: &str = r#"(module (memory (export "memory") 1) (func (export "main") (loop (br 0))))"#;

/// Grows memory without end, then traps when growth is refused.
const MEMORY_BOMB: &str = r#"
(module (memory (export "memory") 1)
  (func (export "main")
    (loop (br_if 0 (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    unreachable))"#;

/// Declares more memory than any EE may have.
const HUGE_MEMORY: &str = r#"(module (memory (export "memory") 4096) (func (export "main")))"#;

const DEEP_RECURSION: &str = r#"
(module (memory (export "memory") 1)
  (func $f (call $f))
  (func (export "main") (call $f)))"#;

/// Imports state access no child may have.
const FORBIDDEN_IMPORT: &str = r#"
(module
  (import "env" "save_post_state_root" (func $save (param i32)))
  (memory (export "memory") 1)
  (func (export "main") (call $save (i32.const 0))))"#;

const FLOATS: &str = r#"
(module (memory (export "memory") 1)
  (func (export "main") (drop (f64.add (f64.const 1) (f64.const 2)))))"#;

/// Spawns its own input as code (itself), then returns one byte: 100 + the status its
/// child got if that failed, else the child's byte + 1.
const SELF_SPAWN: &str = r#"
(module
  (import "env" "block_data_size" (func $size (result i32)))
  (import "env" "block_data_copy" (func $copy (param i32 i32 i32)))
  (import "env" "spawn" (func $spawn (param i32 i32 i32 i32 i64) (result i32)))
  (import "env" "return_data_copy" (func $rcopy (param i32 i32)))
  (import "env" "set_return_data" (func $ret (param i32 i32)))
  (memory (export "memory") 2)
  (func (export "main")
    (local $n i32) (local $s i32)
    (local.set $n (call $size))
    (call $copy (i32.const 16) (i32.const 0) (local.get $n))
    (local.set $s (call $spawn (i32.const 16) (local.get $n) (i32.const 16) (local.get $n) (i64.const 0)))
    (if (i32.eqz (local.get $s))
      (then
        (call $rcopy (i32.const 0) (i32.const 1))
        (i32.store8 (i32.const 0) (i32.add (i32.load8_u (i32.const 0)) (i32.const 1))))
      (else (i32.store8 (i32.const 0) (i32.add (i32.const 100) (local.get $s)))))
    (call $ret (i32.const 0) (i32.const 1))))"#;

fn wasm(src: &str) -> Vec<u8> {
    wat::parse_str(src).unwrap()
}

#[derive(Clone, Copy, Debug)]
enum Parent {
    Native(EngineKind),
    Wasm(EngineKind),
}

fn parents() -> Vec<Parent> {
    EngineKind::all().iter().flat_map(|&e| [Parent::Native(e), Parent::Wasm(e)]).collect()
}

struct Run {
    result: Result<(), TxError>,
    logs: Vec<String>,
    gas_used: u64,
}

/// Runs the parent on `data` in a fresh block; then runs an ordinary transaction after
/// it, to show the host carries on.
fn run(parent: Parent, data: Vec<u8>) -> Run {
    let cfg = ExecConfig::default();
    let runtime = |e| Runtime::new(e, cfg.costs.clone(), cfg.limits.clone());
    let (code, runner): (Arc<[u8]>, Box<dyn EeRunner>) = match parent {
        Parent::Native(e) => (
            Arc::from(&[][..]),
            Box::new(NativeRunner::new().with(PARENT, native_parent).with_children(runtime(e))),
        ),
        Parent::Wasm(e) => (wasm(WASM_PARENT).into(), Box::new(runtime(e))),
    };
    let mut world = World::new(1, KeyLayout::ColumnMajor).unwrap();
    world.register(EeEntry::new(PARENT, "parent", Role::Ee, code)).unwrap();
    let mut source = StatefulSource::new(&world, ShardId(0));
    let mut exec =
        BlockExecutor::new(&world.beacon, ShardId(0), 0, &mut source, &*runner, &cfg.costs, &cfg.limits)
            .unwrap();
    let r = exec.run(&ShardTransaction { ee_id: PARENT, data: data.clone() }).unwrap().clone();
    let again = exec.run(&ShardTransaction { ee_id: PARENT, data: data_echo() }).unwrap();
    assert_eq!(again.result, Ok(()), "{parent:?}: the host goes on after the child");
    Run { result: r.result, logs: r.logs, gas_used: r.gas_used }
}

fn data_echo() -> Vec<u8> {
    data(0, &wasm(ECHO), b"ok")
}

fn status(s: SpawnStatus) -> String {
    format!("status {}", s as u32)
}

#[test]
fn a_well_behaved_child_returns_its_data_to_the_parent() {
    for p in parents() {
        let r = run(p, data(0, &wasm(ECHO), b"abc"));
        assert_eq!(r.result, Ok(()), "{p:?}");
        assert_eq!(r.logs, vec![status(SpawnStatus::Ok), "abcabc".to_string()], "{p:?}");
    }
}

#[test]
fn an_infinite_loop_uses_up_its_budget_and_the_parent_pays_for_it() {
    for p in parents() {
        let r = run(p, data(200_000, &wasm(INFINITE_LOOP), b""));
        assert_eq!(r.result, Ok(()), "{p:?}");
        assert_eq!(r.logs, vec![status(SpawnStatus::OutOfGas)], "{p:?}");
        assert!(r.gas_used >= 200_000, "{p:?}: the child's gas is the parent's ({})", r.gas_used);
        // Without a cap the child takes everything and the parent cannot finish.
        let r = run(p, data(0, &wasm(INFINITE_LOOP), b""));
        assert_eq!(r.result, Err(TxError::OutOfGas), "{p:?}");
    }
}

#[test]
fn memory_bombs_are_contained() {
    for p in parents() {
        let r = run(p, data(50_000_000, &wasm(MEMORY_BOMB), b""));
        assert_eq!(r.logs, vec![status(SpawnStatus::Failed)], "{p:?}: growth stops at the page limit");
        let r = run(p, data(0, &wasm(HUGE_MEMORY), b""));
        assert_eq!(r.logs, vec![status(SpawnStatus::Refused)], "{p:?}");
    }
}

#[test]
fn deep_recursion_exhausts_the_childs_stack_not_the_hosts() {
    for p in parents() {
        let r = run(p, data(50_000_000, &wasm(DEEP_RECURSION), b""));
        assert_eq!(r.result, Ok(()), "{p:?}");
        assert_eq!(r.logs, vec![status(SpawnStatus::StackExhausted)], "{p:?}");
    }
}

#[test]
fn forbidden_imports_floats_and_garbage_are_refused_before_running() {
    for p in parents() {
        for code in [wasm(FORBIDDEN_IMPORT), wasm(FLOATS), b"\0asm not really".to_vec(), vec![]] {
            let r = run(p, data(0, &code, b""));
            assert_eq!(r.result, Ok(()), "{p:?}");
            assert_eq!(r.logs, vec![status(SpawnStatus::Refused)], "{p:?}");
        }
    }
}

#[test]
fn a_child_spawning_itself_stops_at_the_depth_limit() {
    for p in parents() {
        let code = wasm(SELF_SPAWN);
        let r = run(p, data(0, &code, &code));
        assert_eq!(r.result, Ok(()), "{p:?}");
        // Children at depths 1..=4; the fourth is refused a fifth (100 + TooDeep), and each
        // level above adds one.
        let innermost = 100 + SpawnStatus::TooDeep as u8;
        assert_eq!(r.logs, vec![status(SpawnStatus::Ok), char::from(innermost + 3).to_string()], "{p:?}");
    }
}

#[test]
fn a_runner_without_wasm_refuses_children() {
    let cfg = ExecConfig::default();
    let mut world = World::new(1, KeyLayout::ColumnMajor).unwrap();
    world.register(EeEntry::new(PARENT, "parent", Role::Ee, Arc::from(&[][..]))).unwrap();
    let runner = NativeRunner::new().with(PARENT, native_parent);
    let mut source = StatefulSource::new(&world, ShardId(0));
    let mut exec =
        BlockExecutor::new(&world.beacon, ShardId(0), 0, &mut source, &runner, &cfg.costs, &cfg.limits)
            .unwrap();
    let r = exec.run(&ShardTransaction { ee_id: PARENT, data: data_echo() }).unwrap();
    assert_eq!(r.logs, vec![status(SpawnStatus::Refused)]);
}

#[test]
fn no_registered_ee_has_the_child_role() {
    let mut world = World::new(1, KeyLayout::ColumnMajor).unwrap();
    let child = EeEntry::new(EeId(1), "child", Role::Child, Arc::from(&[][..]));
    assert!(matches!(world.register(child), Err(ee_host::state::WorldError::ChildRole(1))));
}

/// `Runtime::run_child`: what a client replaying an umbrella call runs — a child outside
/// any block, with the same gatekeeper, metering and depth limit — on both engines.
#[test]
fn a_child_runs_outside_a_block_for_clients() {
    for &engine in EngineKind::all() {
        let rt = Runtime::new(engine, Arc::new(Default::default()), ee_host::limits::Limits::default());
        assert_eq!(rt.run_child(&wasm(ECHO), b"ab", 1_000_000), Ok(b"abab".to_vec()), "{engine:?}");
        assert_eq!(
            rt.run_child(&wasm(INFINITE_LOOP), b"", 100_000),
            Err(SpawnStatus::OutOfGas),
            "{engine:?}"
        );
        assert_eq!(rt.run_child(&wasm(FORBIDDEN_IMPORT), b"", 100_000), Err(SpawnStatus::Refused));
        assert_eq!(rt.run_child(b"\0asm garbage", b"", 100_000), Err(SpawnStatus::Refused));
        // Itself, through `spawn`: the depth limit holds outside a block too.
        let code = wasm(SELF_SPAWN);
        let out = rt.run_child(&code, &code, 1_000_000_000).expect("the outermost child succeeds");
        assert_eq!(out, vec![107], "{engine:?}: 100 + TooDeep at the deepest level, + 1 per level above");
        // The counter contract, as `ee umbrella` runs it.
        let counter = ee_integration::built_wasm("counter_contract");
        let call = ee_sdk::contract::ContractCall {
            caller: [1; 48],
            contract: [2; 32],
            value: 0,
            balance: 0,
            input: ee_sdk::codec::Encode::encode(&counter_contract::CounterCall::Add(3)),
            storage: vec![(counter_contract::COUNT, [0; 32]), (counter_contract::OWNER, [0; 32])],
        };
        let out =
            rt.run_child(&counter, &ee_sdk::codec::Encode::encode(&call), 10_000_000).expect("counter runs");
        let result: ee_sdk::contract::ContractResult =
            ee_sdk::codec::DecodeAll::decode_all(&mut &out[..]).expect("a ContractResult");
        assert!(result.storage.iter().any(|(k, v)| *k == counter_contract::COUNT && v[0] == 3), "{result:?}");
    }
}
