//! Builds an EE from fuzz input (`wasm-encoder`): it imports every host function its role
//! may import (under the primary name or an alias) with the table's signature, and its
//! `main` calls them with arbitrary `i32`/`i64` arguments — biased towards the values that
//! matter at the host's boundaries (zero, lengths and pointers into and around the
//! memory, the top of the address space, ids of registered EEs) — in straight lines,
//! loops and self-recursion, between `memory.grow`s and stores.
use ee_host::HostFn;
use ee_host::Role;
use ee_sdk::abi::{Kind, WasmType};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataSection, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, ImportSection, Instruction, MemArg, MemArgTarget, MemorySection, MemoryType, Module,
    TypeSection, ValType,
};

/// One generated EE and what to run it with.
#[derive(Clone, Debug)]
pub struct HostProgram {
    /// The role it is built (and run) for.
    pub role: Role,
    /// The module.
    pub module: Vec<u8>,
    /// Its transaction data (the child's input for role `Child`).
    pub data: Vec<u8>,
    /// Role `Meta`: data of the printer EE's transaction before it (48-byte outputs).
    pub printed: Vec<u8>,
}

/// Most operations in one `main`.
const MAX_OPS: usize = 48;

/// What the argument generator knows about the module's memory.
struct Mem {
    /// Where the data segment starts and how long it is.
    data_at: u32,
    data_len: u32,
    /// Initial size in bytes.
    bytes: u32,
}

fn i32_arg(u: &mut Unstructured<'_>, kind: Kind, mem: &Mem) -> Result<i32> {
    let near = |u: &mut Unstructured<'_>, base: u32| -> Result<i32> {
        Ok(base.wrapping_sub(u.int_in_range(0..=64)?) as i32)
    };
    Ok(match u.int_in_range(0..=11u8)? {
        0 => 0,
        1 => u.int_in_range(1..=64)?,
        2 => (mem.data_at + u.int_in_range(0..=mem.data_len)?) as i32,
        3 => mem.data_len as i32,
        4 => 32,
        5 => near(u, mem.bytes)?,
        6 => near(u, 65_536)?,
        7 => near(u, u32::MAX)?,
        8 => i32::MIN,
        9 => match kind {
            // Ids: registered EEs (0, 1, 2), the meta-EE, and one past them.
            Kind::U32 => *u.choose(&[0, 1, 2, 3, -1])?,
            Kind::Len => u.int_in_range(0..=4096)?,
            _ => (mem.bytes - 32) as i32,
        },
        10 => u.int_in_range(0..=(1 << 20))?,
        _ => u.arbitrary()?,
    })
}

fn i64_arg(u: &mut Unstructured<'_>) -> Result<i64> {
    Ok(match u.int_in_range(0..=8u8)? {
        0 => 0,
        1 => u.int_in_range(1..=1000)?,
        2 => -1,
        3 => i64::MIN,
        4 => i64::MAX,
        5 => u32::MAX as i64,
        6 => -u.int_in_range(1..=1000i64)?,
        7 => u.int_in_range(0..=10_000_000)?,
        _ => u.arbitrary()?,
    })
}

/// The imports of a role: every allowed function once, with its wasm signature.
fn imports(role: Role) -> Vec<HostFn> {
    HostFn::ALL.iter().copied().filter(|f| f.allowed(role)).collect()
}

fn val(t: WasmType) -> ValType {
    match t {
        WasmType::I32 => ValType::I32,
        WasmType::I64 => ValType::I64,
    }
}

/// Pushes `f`'s arguments.
fn push_args(u: &mut Unstructured<'_>, f: HostFn, mem: &Mem, body: &mut Function) -> Result<()> {
    for &(_, kind) in f.params() {
        match kind.wasm_type() {
            Some(WasmType::I32) => {
                body.instruction(&Instruction::I32Const(i32_arg(u, kind, mem)?));
            }
            Some(WasmType::I64) => {
                body.instruction(&Instruction::I64Const(i64_arg(u)?));
            }
            None => {}
        }
    }
    Ok(())
}

/// Builds a program from `u`.
pub fn program(u: &mut Unstructured<'_>) -> Result<HostProgram> {
    let role = *u.choose(&[Role::Ee, Role::Ee, Role::Ee, Role::Meta, Role::Child])?;
    // The functions it imports and calls: a few (real EEs import what they use), now and
    // then every one its role may import.
    let allowed = imports(role);
    let fns: Vec<HostFn> = if u.ratio(1, 8)? {
        allowed
    } else {
        let mut picked = Vec::new();
        for _ in 0..u.int_in_range(1..=6)? {
            let f = *u.choose(&allowed)?;
            if !picked.contains(&f) {
                picked.push(f);
            }
        }
        picked
    };

    let mut types = TypeSection::new();
    types.ty().function([], []); // 0: main
    let mut import_section = ImportSection::new();
    for (i, f) in fns.iter().enumerate() {
        let params: Vec<ValType> = f.wasm_params().map(val).collect();
        let results: Vec<ValType> = f.wasm_result().map(val).into_iter().collect();
        types.ty().function(params, results);
        let (module, name) = if !f.aliases().is_empty() && u.ratio(1, 4)? {
            *u.choose(f.aliases())?
        } else {
            (f.module(), f.name())
        };
        import_section.import(module, name, EntityType::Function(i as u32 + 1));
    }
    let main_index = fns.len() as u32;

    let pages = u.int_in_range(1..=3u32)?;
    let maximum = if u.ratio(1, 3)? { Some(u64::from(pages + u.int_in_range(0..=8u32)?)) } else { None };
    let data_at: u32 = *u.choose(&[0u32, 8, 1024, 65_536 - 2048])?;
    let data_len = u.int_in_range(0..=2048u32)?;
    let data: Vec<u8> = u.bytes(data_len as usize)?.to_vec();
    let mem = Mem { data_at, data_len: data.len() as u32, bytes: pages * 65_536 };

    let mut body = Function::new([(1, ValType::I32)]);
    let ops = u.int_in_range(0..=MAX_OPS)?;
    for _ in 0..ops {
        if u.is_empty() {
            break;
        }
        let pick = |u: &mut Unstructured<'_>| -> Result<(u32, HostFn)> {
            let i = u.choose_index(fns.len())?;
            Ok((i as u32, fns[i]))
        };
        match u.int_in_range(0..=15u8)? {
            0..=9 => {
                let (i, f) = pick(u)?;
                push_args(u, f, &mem, &mut body)?;
                body.instruction(&Instruction::Call(i));
                if f.wasm_result().is_some() {
                    body.instruction(&Instruction::Drop);
                }
            }
            10 | 11 => {
                // Repeat one call: `for local0 in 0..n`.
                let (i, f) = pick(u)?;
                let n: i32 = *u.choose(&[2, 16, 1000, 1_000_000])?;
                body.instruction(&Instruction::I32Const(0));
                body.instruction(&Instruction::LocalSet(0));
                body.instruction(&Instruction::Loop(BlockType::Empty));
                push_args(u, f, &mem, &mut body)?;
                body.instruction(&Instruction::Call(i));
                if f.wasm_result().is_some() {
                    body.instruction(&Instruction::Drop);
                }
                body.instruction(&Instruction::LocalGet(0));
                body.instruction(&Instruction::I32Const(1));
                body.instruction(&Instruction::I32Add);
                body.instruction(&Instruction::LocalTee(0));
                body.instruction(&Instruction::I32Const(n));
                body.instruction(&Instruction::I32LtU);
                body.instruction(&Instruction::BrIf(0));
                body.instruction(&Instruction::End);
            }
            12 => {
                body.instruction(&Instruction::I32Const(*u.choose(&[0, 1, 4, 300, 70_000, -1])?));
                body.instruction(&Instruction::MemoryGrow(0));
                body.instruction(&Instruction::Drop);
            }
            13 | 14 => {
                // Arbitrary memory contents where later calls read.
                body.instruction(&Instruction::I32Const(i32_arg(u, Kind::InPtr, &mem)?));
                body.instruction(&Instruction::I64Const(i64_arg(u)?));
                body.instruction(&Instruction::I64Store(MemArg {
                    offset: 0,
                    align: 0,
                    target: MemArgTarget::Memory(0),
                    ordering: None,
                }));
            }
            _ => {
                // Self-recursion: exhausts the stack budget (or the gas) on both engines.
                if u.ratio(1, 4)? {
                    body.instruction(&Instruction::Call(main_index));
                }
            }
        }
    }
    body.instruction(&Instruction::End);

    let mut functions = FunctionSection::new();
    functions.function(0);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: u64::from(pages),
        maximum,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("main", ExportKind::Func, main_index);
    exports.export("memory", ExportKind::Memory, 0);
    let mut code = CodeSection::new();
    code.function(&body);
    let mut data_section = DataSection::new();
    data_section.active(0, &ConstExpr::i32_const(data_at as i32), data.iter().copied());

    let mut module = Module::new();
    module
        .section(&types)
        .section(&import_section)
        .section(&functions)
        .section(&memories)
        .section(&exports)
        .section(&code)
        .section(&data_section);

    let tx_len = u.int_in_range(0..=512usize)?;
    let tx = u.bytes(tx_len.min(u.len()))?.to_vec();
    let printed = if role == Role::Meta {
        let n = u.int_in_range(0..=4usize)?;
        printed_outputs(u, n)?
    } else {
        Vec::new()
    };
    Ok(HostProgram { role, module: module.finish(), data: tx, printed })
}

/// `n` SCALE `NettingOutput`s (48 bytes each) for the printer EE: mostly to shards and EEs
/// that exist, with small amounts.
fn printed_outputs(u: &mut Unstructured<'_>, n: usize) -> Result<Vec<u8>> {
    use ee_sdk::codec::Encode;
    let mut out = Vec::new();
    for _ in 0..n {
        let o = ee_sdk::NettingOutput {
            target_shard: ee_sdk::ShardId(u.int_in_range(0..=2)?),
            target_ee: ee_sdk::EeId(*u.choose(&[0, 1, 2, 7])?),
            amount: *u.choose(&[0, 1, 5, 1000, u64::MAX])?,
            data_root: if u.arbitrary()? { [7; 32] } else { [0; 32] },
        };
        out.extend(o.encode());
    }
    Ok(out)
}

/// The printer EE (EE 2 in the host-call world): prints its data as 48-byte outputs.
pub fn printer() -> Vec<u8> {
    wat::parse_str(
        r#"(module
          (import "env" "block_data_size" (func $size (result i32)))
          (import "env" "block_data_copy" (func $copy (param i32 i32 i32)))
          (import "env" "print_output" (func $print (param i32 i32)))
          (memory (export "memory") 1)
          (func (export "main") (local $n i32) (local $i i32)
            (local.set $n (call $size))
            (if (i32.gt_u (local.get $n) (i32.const 49152)) (then unreachable))
            (call $copy (i32.const 0) (i32.const 0) (local.get $n))
            (block (loop
              (br_if 1 (i32.gt_u (i32.add (local.get $i) (i32.const 48)) (local.get $n)))
              (call $print (local.get $i) (i32.const 48))
              (local.set $i (i32.add (local.get $i) (i32.const 48)))
              (br 0)))))"#,
    )
    .expect("printer WAT parses")
}
