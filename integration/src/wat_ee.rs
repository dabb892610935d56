//! One EE written in WAT, run in a chain with the built meta-EE: how the sandbox and
//! resource-gas tests try adversarial modules on each engine.
use crate::{META, built_wasm};
use ee_host::abi::Role;
use ee_host::exec::{Chain, ExecConfig, TxError};
use ee_host::limits::Limits;
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::state::{EeEntry, KeyLayout, World};
use ee_sdk::{EeId, ShardId, ShardTransaction};
use std::sync::Arc;

/// The WAT EE's id.
pub const EE: EeId = EeId(7);

/// `wat` assembled, or passed through if it is already a binary module (panics on a
/// test's own bad WAT).
pub fn wasm(wat: impl AsRef<[u8]>) -> Arc<[u8]> {
    wat::parse_bytes(wat.as_ref()).expect("test WAT parses").as_ref().into()
}

/// A chain of two shards with the built meta-EE and one WAT EE ([`EE`]) of `role`.
pub fn wat_chain(engine: EngineKind, wat: impl AsRef<[u8]>, role: Role, limits: Limits) -> Chain<Runtime> {
    let mut w = World::new(2, KeyLayout::ColumnMajor).unwrap();
    w.register(EeEntry::new(META, "meta", Role::Meta, built_wasm("meta_ee"))).unwrap();
    if role != Role::Meta {
        w.register(EeEntry::new(EE, "wat", role, wasm(wat))).unwrap();
    }
    let config = ExecConfig { limits, ..Default::default() };
    let rt = Runtime::new(engine, config.costs.clone(), config.limits.clone());
    Chain::new(w, rt, config)
}

/// Runs the WAT EE once on shard 0 (plus the meta-EE) and returns its result, its gas
/// and the chain. A failed transaction is checked to have left nothing behind: no
/// outputs, no receipts, the same state root.
pub fn run_once(
    engine: EngineKind,
    wat: impl AsRef<[u8]>,
    limits: Limits,
) -> (Result<(), TxError>, u64, Chain<Runtime>) {
    let mut c = wat_chain(engine, wat, Role::Ee, limits);
    let root_before = c.world.shard(ShardId(0)).unwrap().root();
    let r =
        c.run_slot(vec![(ShardId(0), vec![ShardTransaction { ee_id: EE, data: vec![1, 2, 3] }])]).unwrap();
    let r = r.into_iter().next().unwrap();
    let tx = &r.outcome.txs[0];
    if tx.result.is_err() {
        assert_eq!(tx.outputs, 0);
        assert!(r.outcome.outputs.is_empty(), "outputs of a failed tx must be discarded");
        assert!(r.outcome.receipts.is_empty());
        assert_eq!(c.world.shard(ShardId(0)).unwrap().root(), root_before, "state must be unchanged");
    }
    (tx.result.clone(), tx.gas_used, c)
}

/// Appends `n` as unsigned LEB128.
pub fn leb(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Appends a section of `id` holding `content`.
pub fn section(id: u8, content: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(content.len() as u64, out);
    out.extend_from_slice(content);
}

/// A binary module of `functions` functions of type `[] -> []`, each declaring `locals`
/// i64 locals in one entry (what text cannot write compactly: spelling out 500 million
/// locals would take gigabytes), the first exported as `main`, and an exported memory.
pub fn locals_bomb(functions: u64, locals: u64) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    section(1, &[1, 0x60, 0, 0], &mut m);
    let mut funcs = Vec::new();
    leb(functions, &mut funcs);
    funcs.extend(std::iter::repeat_n(0u8, functions as usize));
    section(3, &funcs, &mut m);
    section(5, &[1, 0, 1], &mut m);
    let mut exports = vec![2, 6];
    exports.extend_from_slice(b"memory");
    exports.extend_from_slice(&[2, 0, 4]);
    exports.extend_from_slice(b"main");
    exports.extend_from_slice(&[0, 0]);
    section(7, &exports, &mut m);
    let mut body = vec![1];
    leb(locals, &mut body);
    body.extend_from_slice(&[0x7e, 0x0b]);
    let mut code = Vec::new();
    leb(functions, &mut code);
    for _ in 0..functions {
        leb(body.len() as u64, &mut code);
        code.extend_from_slice(&body);
    }
    section(10, &code, &mut m);
    m
}
