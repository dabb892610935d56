//! Implementations of the host functions, one per ABI table entry (same names). Gas and
//! role were checked by the generated wrapper in `logic/mod.rs`.
#![allow(non_snake_case)]

use super::memory::copy_exact;
use super::{GuestMemory, HostError, HostLogic, TxError};
use crate::limits::{MAX_ABORT_MESSAGE, MAX_CALL_DEPTH};
use crate::state::StateKey;
use crate::state::keys::{cell_value, recent_value, u64_value, value_cell, value_recent, value_u64};
use ee_sdk::{DepositData, EeId, ShardId};
use parity_scale_codec::{DecodeAll, Encode};
use ruint::aliases::U256;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub(super) fn block_data_size(l: &mut HostLogic, _mem: &mut dyn GuestMemory) -> Result<u32, HostError> {
    Ok(l.data.len() as u32)
}

pub(super) fn block_data_copy(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    dst: u64,
    offset: u32,
    len: u32,
) -> Result<(), HostError> {
    let start = offset as usize;
    let end = start.checked_add(len as usize).filter(|&e| e <= l.data.len());
    let Some(end) = end else {
        return Err(HostError::DataRange { offset, len, size: l.data.len() });
    };
    mem.write(dst, &l.data[start..end])
}

pub(super) fn shard_id(l: &mut HostLogic, _mem: &mut dyn GuestMemory) -> Result<u32, HostError> {
    Ok(l.env.shard.0)
}

pub(super) fn shard_count(l: &mut HostLogic, _mem: &mut dyn GuestMemory) -> Result<u32, HostError> {
    Ok(l.env.shard_count)
}

pub(super) fn ee_id(l: &mut HostLogic, _mem: &mut dyn GuestMemory) -> Result<u32, HostError> {
    Ok(l.env.ee.0)
}

pub(super) fn slot(l: &mut HostLogic, _mem: &mut dyn GuestMemory) -> Result<u64, HostError> {
    Ok(l.env.slot)
}

pub(super) fn ee_exists(l: &mut HostLogic, _mem: &mut dyn GuestMemory, ee: u32) -> Result<u32, HostError> {
    Ok(u32::from(l.beacon.ees.contains_key(&EeId(ee))))
}

pub(super) fn lookback_count(l: &mut HostLogic, _mem: &mut dyn GuestMemory) -> Result<u32, HostError> {
    Ok(l.tx_hashes.len() as u32)
}

pub(super) fn lookback_hash(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    index: u32,
    dst: u64,
) -> Result<(), HostError> {
    let count = l.tx_hashes.len() as u32;
    let hash = l.tx_hashes.get(index as usize).ok_or(HostError::LookbackRange { index, count })?;
    mem.write(dst, hash)
}

pub(super) fn load_pre_state_root(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    dst: u64,
) -> Result<(), HostError> {
    let root = l.state.get_own(&StateKey::EeRoot(l.env.ee))?;
    mem.write(dst, &root)
}

pub(super) fn save_post_state_root(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    src: u64,
) -> Result<(), HostError> {
    let root = mem.read32(src)?;
    l.state.set_own(StateKey::EeRoot(l.env.ee), root)?;
    Ok(())
}

pub(super) fn print_output(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    src: u64,
    len: u32,
) -> Result<(), HostError> {
    let limits = l.limits;
    if len > limits.output_bytes {
        return Err(HostError::OutputTooLarge { len, max: limits.output_bytes });
    }
    let in_tx = l.inherited_outputs + l.staged.len();
    if in_tx >= limits.outputs_per_tx as usize {
        return Err(HostError::TooManyOutputs { max: limits.outputs_per_tx });
    }
    // The block's budgets bound what the meta-EE must read; its own reports (a few per EE
    // it read) are bounded by those outputs and do not count.
    if l.env.role != crate::abi::Role::Meta {
        if l.block_outputs.len() + in_tx >= limits.block_outputs as usize {
            return Err(HostError::BlockOutputCount { max: limits.block_outputs });
        }
        if l.block_output_bytes + l.staged_bytes + u64::from(len) > limits.block_output_bytes {
            return Err(HostError::BlockOutputsFull { max: limits.block_output_bytes });
        }
    }
    let data = mem.read(src, len)?;
    if l.env.role != crate::abi::Role::Meta {
        // The printer prepays the meta-EE's netting of this output.
        l.charge(crate::abi::HostFn::print_output, limits.meta_gas_per_output)?;
    }
    l.staged_bytes += u64::from(len);
    l.staged.push(ee_sdk::Output { ee_id: l.env.ee, data });
    Ok(())
}

/// The SCALE `Vec<Vec<u8>>` of `ee`'s outputs earlier in the block (cached per EE).
///
/// The block's outputs are grouped by EE once, on the first call, so reading every
/// printer's outputs costs one pass over the block, not one per EE.
fn encoded_outputs<'l>(l: &'l mut HostLogic, ee: u32) -> &'l [u8] {
    if l.outputs_cache.is_empty() {
        let mut by_ee: BTreeMap<EeId, Vec<&Vec<u8>>> = BTreeMap::new();
        for o in l.block_outputs {
            by_ee.entry(o.ee_id).or_default().push(&o.data);
        }
        l.outputs_cache = by_ee.into_iter().map(|(e, v)| (e, v.encode())).collect();
    }
    l.outputs_cache.entry(EeId(ee)).or_insert_with(|| Vec::<Vec<u8>>::new().encode())
}

pub(super) fn get_outputs_size(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    ee: u32,
) -> Result<u32, HostError> {
    Ok(encoded_outputs(l, ee).len() as u32)
}

pub(super) fn get_outputs_copy(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    ee: u32,
    dst: u64,
    len: u32,
) -> Result<(), HostError> {
    let encoded = encoded_outputs(l, ee);
    copy_exact(crate::abi::HostFn::get_outputs_copy, mem, dst, len, encoded)
}

fn check_shard(l: &HostLogic, s: u32) -> Result<ShardId, HostError> {
    if s < l.env.shard_count { Ok(ShardId(s)) } else { Err(HostError::UnknownShard(s)) }
}

fn check_ee(l: &HostLogic, ee: u32) -> Result<EeId, HostError> {
    if l.beacon.ees.contains_key(&EeId(ee)) { Ok(EeId(ee)) } else { Err(HostError::UnknownEe(ee)) }
}

pub(super) fn balance_get(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    row: u32,
    column: u32,
    ee: u32,
) -> Result<i64, HostError> {
    let row = check_shard(l, row)?;
    let key = StateKey::Balance { column: check_shard(l, column)?, ee: EeId(ee) };
    let v = if row == l.env.shard { l.state.get_own(&key)? } else { l.state.get_foreign(row, &key)? };
    Ok(value_cell(&v))
}

pub(super) fn balance_add(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    column: u32,
    ee: u32,
    delta: i64,
) -> Result<(), HostError> {
    let key = StateKey::Balance { column: check_shard(l, column)?, ee: check_ee(l, ee)? };
    let current = value_cell(&l.state.get_own(&key)?);
    let next = current.checked_add(delta).ok_or(HostError::BalanceOverflow { column, ee })?;
    l.state.set_own(key, cell_value(next))?;
    Ok(())
}

pub(super) fn known_min_get(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    ee: u32,
) -> Result<u64, HostError> {
    Ok(value_u64(&l.state.get_own(&StateKey::KnownMin(EeId(ee)))?))
}

pub(super) fn known_min_set(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    ee: u32,
    value: u64,
) -> Result<(), HostError> {
    let ee = check_ee(l, ee)?;
    l.state.set_own(StateKey::KnownMin(ee), u64_value(value))?;
    Ok(())
}

pub(super) fn netting_rules(l: &mut HostLogic, mem: &mut dyn GuestMemory, dst: u64) -> Result<(), HostError> {
    let mut out = [0u8; ee_sdk::NETTING_RULES_LEN];
    let encoded = l.beacon.netting.encode();
    out[..encoded.len()].copy_from_slice(&encoded);
    mem.write(dst, &out)
}

pub(super) fn reserve_get(l: &mut HostLogic, _mem: &mut dyn GuestMemory, ee: u32) -> Result<u64, HostError> {
    Ok(value_u64(&l.state.get_own(&StateKey::Reserve(EeId(ee)))?))
}

pub(super) fn reserve_set(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    ee: u32,
    value: u64,
) -> Result<(), HostError> {
    let ee = check_ee(l, ee)?;
    l.state.set_own(StateKey::Reserve(ee), u64_value(value))?;
    Ok(())
}

pub(super) fn recent_get(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    row: u32,
    column: u32,
    ee: u32,
) -> Result<u64, HostError> {
    let row = check_shard(l, row)?;
    let key = StateKey::Recent { column: check_shard(l, column)?, ee: EeId(ee) };
    let v = if row == l.env.shard { l.state.get_own(&key)? } else { l.state.get_foreign(row, &key)? };
    let (slot, amount) = value_recent(&v);
    Ok(if l.env.slot.checked_sub(1) == Some(slot) { amount } else { 0 })
}

pub(super) fn recent_add(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    column: u32,
    ee: u32,
    amount: u64,
) -> Result<(), HostError> {
    let key = StateKey::Recent { column: check_shard(l, column)?, ee: check_ee(l, ee)? };
    if amount == 0 {
        return Ok(());
    }
    let (slot, held) = value_recent(&l.state.get_own(&key)?);
    let held = if slot == l.env.slot { held } else { 0 };
    let next = held.checked_add(amount).ok_or(HostError::BalanceOverflow { column, ee })?;
    l.state.set_own(key, recent_value(l.env.slot, next))?;
    Ok(())
}

pub(super) fn multiproof_load(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    src: u64,
    len: u32,
) -> Result<(), HostError> {
    if len > l.limits.witness_bytes {
        return Err(HostError::WitnessTooLarge { len, max: l.limits.witness_bytes });
    }
    let bytes = mem.read(src, len)?;
    l.state.load_multiproof(&bytes)?;
    Ok(())
}

pub(super) fn sha256(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    src: u64,
    len: u32,
    dst: u64,
) -> Result<(), HostError> {
    let _ = l;
    let data = mem.read(src, len)?;
    let digest: [u8; 32] = Sha256::digest(&data).into();
    mem.write(dst, &digest)
}

pub(super) fn debug_log(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    src: u64,
    len: u32,
) -> Result<(), HostError> {
    let bytes = mem.read(src, len)?;
    log_line(l, ee_text(&bytes));
    Ok(())
}

/// Text an EE supplies (logs, abort messages), made safe for a terminal: invalid UTF-8
/// replaced, control characters (ESC, NUL, CR, newlines, …) written as `\u{1b}` escapes,
/// so no EE can draw on the screen of whoever reads its output.
pub(crate) fn ee_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if !text.chars().any(char::is_control) {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Keeps a debug line while the transaction's log budget lasts (dropped beyond it; the
/// call was charged either way).
fn log_line(l: &mut HostLogic, line: String) {
    tracing::debug!(ee = l.env.ee.0, shard = l.env.shard.0, "{line}");
    let len = u32::try_from(line.len()).unwrap_or(u32::MAX);
    if l.log_bytes.saturating_add(len) <= l.limits.log_bytes {
        l.log_bytes += len;
        l.logs.push(line);
    }
}

pub(super) fn abort(
    _l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    src: u64,
    len: u32,
) -> Result<(), HostError> {
    let bytes = mem.read(src, len.min(MAX_ABORT_MESSAGE))?;
    Err(HostError::Aborted(ee_text(&bytes)))
}

pub(super) fn netted_add(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    target_shard: u32,
    target_ee: u32,
    root: u64,
    amount: u64,
) -> Result<(), HostError> {
    let root = mem.read32(root)?;
    let key =
        StateKey::Netted { target_shard: check_shard(l, target_shard)?, target_ee: EeId(target_ee), root };
    // Saturating: a record can only ever exceed u64 by netting more than that to one root,
    // and failing here would make the whole block's netting fail.
    let next = value_u64(&l.state.get_own(&key)?).saturating_add(amount);
    l.state.set_own(key, u64_value(next))?;
    Ok(())
}

/// A record of shard `source`: the current shard's own (this block's writes included), or
/// another shard's as of its latest crosslink (stateless: from the witness).
fn read_record(l: &mut HostLogic, source: ShardId, key: &StateKey) -> Result<crate::state::Value, HostError> {
    Ok(if source == l.env.shard { l.state.get_own(key)? } else { l.state.get_foreign(source, key)? })
}

pub(super) fn message_add(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    target_shard: u32,
    target_ee: u32,
    source_ee: u32,
    root: u64,
) -> Result<(), HostError> {
    let root = mem.read32(root)?;
    let key = StateKey::Message {
        target_shard: check_shard(l, target_shard)?,
        target_ee: EeId(target_ee),
        source_ee: EeId(source_ee),
        root,
    };
    let next = value_u64(&l.state.get_own(&key)?).saturating_add(1);
    l.state.set_own(key, u64_value(next))?;
    Ok(())
}

pub(super) fn message_count(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    shard: u32,
    source_ee: u32,
    root: u64,
) -> Result<u64, HostError> {
    let root = mem.read32(root)?;
    let source = check_shard(l, shard)?;
    let key = StateKey::Message {
        target_shard: l.env.shard,
        target_ee: l.env.ee,
        source_ee: EeId(source_ee),
        root,
    };
    let v = read_record(l, source, &key)?;
    Ok(value_u64(&v))
}

pub(super) fn netted_get(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    shard: u32,
    ee: u32,
    root: u64,
) -> Result<u64, HostError> {
    let root = mem.read32(root)?;
    let source = check_shard(l, shard)?;
    let key = StateKey::Netted { target_shard: l.env.shard, target_ee: EeId(ee), root };
    let v = read_record(l, source, &key)?;
    Ok(value_u64(&v))
}

pub(super) fn deposit_size(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    index: u64,
) -> Result<u32, HostError> {
    let receipt = usize::try_from(index).ok().and_then(|i| l.beacon.deposits.get(i));
    Ok(receipt.map_or(0, |r| r.encoded_size() as u32))
}

pub(super) fn deposit_claim(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    index: u64,
    dst: u64,
    len: u32,
) -> Result<(), HostError> {
    let refuse = |reason: String| HostError::Deposit { index, reason };
    let receipt = usize::try_from(index)
        .ok()
        .and_then(|i| l.beacon.deposits.get(i))
        .ok_or_else(|| refuse("no such receipt".into()))?;
    if receipt.target != l.env.shard {
        return Err(refuse(format!("targets shard {}, not {}", receipt.target.0, l.env.shard.0)));
    }
    let data = DepositData::decode_all(&mut &receipt.data[..])
        .map_err(|_| refuse("malformed deposit data".into()))?;
    if data.ee != l.env.ee {
        return Err(refuse(format!("is for EE {}", data.ee.0)));
    }
    let claimed = StateKey::DepositClaimed(index);
    if l.state.get_own(&claimed)? != [0; 32] {
        return Err(refuse("already claimed".into()));
    }
    let cell = StateKey::Balance { column: l.env.shard, ee: l.env.ee };
    let current = value_cell(&l.state.get_own(&cell)?);
    let next = i64::try_from(data.amount)
        .ok()
        .and_then(|a| current.checked_add(a))
        .ok_or(HostError::BalanceOverflow { column: l.env.shard.0, ee: l.env.ee.0 })?;
    // Copy first: a wrong `len` fails the call before anything is recorded.
    copy_exact(crate::abi::HostFn::deposit_claim, mem, dst, len, &receipt.encode())?;
    l.state.set_own(cell, cell_value(next))?;
    l.state.set_own(claimed, u64_value(1))?;
    Ok(())
}

pub(super) fn call_ee(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    ee: u32,
    src: u64,
    len: u32,
) -> Result<u32, HostError> {
    if l.depth >= MAX_CALL_DEPTH {
        return Err(HostError::CallDepth { max: MAX_CALL_DEPTH });
    }
    let beacon = l.beacon;
    let entry = beacon.ees.get(&EeId(ee)).ok_or(HostError::UnknownEe(ee))?;
    if entry.role == crate::abi::Role::Meta {
        return Err(HostError::NotCallable(ee));
    }
    let input = mem.read(src, len)?;
    let runner = l.runner;
    let env = super::TxEnv { ee: entry.id, role: entry.role, ..l.env };
    let mut child = l.child(env, &input);
    let result = runner.run(entry, &mut child);
    let gas_left = child.gas_left();
    let effects = child.finish();
    l.gas_left = gas_left;
    l.profile.merge(&effects.profile);
    if let Err(e) = result {
        return Err(match e {
            TxError::OutOfGas => HostError::OutOfGas,
            other => HostError::CallFailed { ee, reason: other.to_string() },
        });
    }
    l.staged_bytes += effects.outputs.iter().map(|o| o.data.len() as u64).sum::<u64>();
    l.staged.extend(effects.outputs);
    l.deposits.extend(effects.deposits);
    l.logs.extend(effects.logs);
    l.log_bytes = effects.log_bytes;
    l.last_return = effects.return_data;
    Ok(l.last_return.len() as u32)
}

pub(super) fn caller_ee(l: &mut HostLogic, _mem: &mut dyn GuestMemory) -> Result<u32, HostError> {
    Ok(l.caller.map_or(u32::MAX, |e| e.0))
}

pub(super) fn set_return_data(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    src: u64,
    len: u32,
) -> Result<(), HostError> {
    if len > l.limits.output_bytes {
        return Err(HostError::OutputTooLarge { len, max: l.limits.output_bytes });
    }
    l.return_data = mem.read(src, len)?;
    Ok(())
}

pub(super) fn return_data_copy(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    dst: u64,
    len: u32,
) -> Result<(), HostError> {
    copy_exact(crate::abi::HostFn::return_data_copy, mem, dst, len, &l.last_return)
}

pub(super) fn return_data_size(l: &mut HostLogic, _mem: &mut dyn GuestMemory) -> Result<u32, HostError> {
    Ok(l.last_return.len() as u32)
}

/// Runs a child instance (see the ABI table). A failing child is a status, not an error:
/// only the parent's own faults (bad pointers, running out of its own gas) fail the call.
pub(super) fn spawn(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    code: u64,
    code_len: u32,
    input: u64,
    input_len: u32,
    gas: u64,
) -> Result<u32, HostError> {
    use ee_sdk::SpawnStatus;
    l.last_return.clear();
    let code = mem.read(code, code_len)?;
    let input = mem.read(input, input_len)?;
    if l.depth >= MAX_CALL_DEPTH {
        return Ok(SpawnStatus::TooDeep as u32);
    }
    let budget = if gas == 0 { l.gas_left } else { gas.min(l.gas_left) };
    let runner = l.runner;
    let env = super::TxEnv { role: crate::abi::Role::Child, ..l.env };
    let mut child = l.child(env, &input);
    child.gas_left = budget;
    let result = runner.spawn(&code, &mut child);
    let used = budget - child.gas_left().min(budget);
    let effects = child.finish();
    l.gas_left -= used;
    l.profile.merge(&effects.profile);
    let status = match result {
        Ok(_) => {
            l.logs.extend(effects.logs);
            l.log_bytes = effects.log_bytes;
            l.last_return = effects.return_data;
            SpawnStatus::Ok
        }
        Err(e) => spawn_status(&e),
    };
    Ok(status as u32)
}

/// The status a parent sees for a child that failed with `e`.
pub(crate) fn spawn_status(e: &TxError) -> ee_sdk::SpawnStatus {
    use ee_sdk::SpawnStatus;
    match e {
        TxError::Load(_) | TxError::Instantiate(_) => SpawnStatus::Refused,
        TxError::OutOfGas => SpawnStatus::OutOfGas,
        TxError::StackExhausted => SpawnStatus::StackExhausted,
        TxError::Host(HostError::CallDepth { .. }) => SpawnStatus::TooDeep,
        _ => SpawnStatus::Failed,
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn bls_verify(
    _l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    pk: u64,
    pk_len: u32,
    msg: u64,
    msg_len: u32,
    sig: u64,
    sig_len: u32,
) -> Result<u32, HostError> {
    let (pk, msg, sig) = (mem.read(pk, pk_len)?, mem.read(msg, msg_len)?, mem.read(sig, sig_len)?);
    Ok(u32::from(crate::crypto::bls_verify(&pk, &msg, &sig)))
}

// --- ewasm Scout's ABI ----------------------------------------------------------------

pub(super) fn eth2_pushNewDeposit(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    src: u64,
    len: u32,
) -> Result<(), HostError> {
    if len > l.limits.output_bytes {
        return Err(HostError::OutputTooLarge { len, max: l.limits.output_bytes });
    }
    let in_tx = l.inherited_deposits + l.deposits.len();
    if in_tx >= l.limits.outputs_per_tx as usize {
        return Err(HostError::TooManyOutputs { max: l.limits.outputs_per_tx });
    }
    // Deposits have the block's budgets of outputs, counted on their own: a loop of
    // pushes across a block's transactions is bounded like one of prints.
    if l.block_deposits + in_tx >= l.limits.block_outputs as usize {
        return Err(HostError::BlockDepositCount { max: l.limits.block_outputs });
    }
    let in_tx_bytes = l.inherited_deposit_bytes + l.deposits.iter().map(|d| d.len() as u64).sum::<u64>();
    if l.block_deposit_bytes + in_tx_bytes + u64::from(len) > l.limits.block_output_bytes {
        return Err(HostError::BlockDepositsFull { max: l.limits.block_output_bytes });
    }
    let deposit = mem.read(src, len)?;
    l.deposits.push(deposit);
    Ok(())
}

pub(super) fn eth2_useTicks(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    ticks: u32,
) -> Result<(), HostError> {
    let ticks = u64::from(ticks);
    if ticks > l.gas_left {
        l.gas_left = 0;
        return Err(HostError::OutOfGas);
    }
    l.gas_left -= ticks;
    Ok(())
}

pub(super) fn debug_print32(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    value: u32,
) -> Result<(), HostError> {
    log_line(l, format!("print32: {value}"));
    Ok(())
}

pub(super) fn debug_print64(
    l: &mut HostLogic,
    _mem: &mut dyn GuestMemory,
    value: u64,
) -> Result<(), HostError> {
    log_line(l, format!("print64: {value}"));
    Ok(())
}

pub(super) fn debug_printMem(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    src: u64,
    len: u32,
) -> Result<(), HostError> {
    let bytes = mem.read(src, len)?;
    log_line(l, format!("printMem: {}", ee_text(&bytes)));
    Ok(())
}

pub(super) fn debug_printMemHex(
    l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    src: u64,
    len: u32,
) -> Result<(), HostError> {
    let bytes = mem.read(src, len)?;
    log_line(l, format!("printMemHex: {}", hex::encode(bytes)));
    Ok(())
}

fn bignum(
    mem: &mut dyn GuestMemory,
    a: u64,
    b: u64,
    c: u64,
    op: &'static str,
    f: fn(U256, U256) -> Option<U256>,
) -> Result<(), HostError> {
    let (x, y) = (U256::from_be_bytes(mem.read32(a)?), U256::from_be_bytes(mem.read32(b)?));
    let z = f(x, y).ok_or(HostError::BignumOverflow(op))?;
    mem.write(c, &z.to_be_bytes::<32>())
}

pub(super) fn bignum_add256(
    _l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    a: u64,
    b: u64,
    c: u64,
) -> Result<(), HostError> {
    bignum(mem, a, b, c, "add256", U256::checked_add)
}

pub(super) fn bignum_sub256(
    _l: &mut HostLogic,
    mem: &mut dyn GuestMemory,
    a: u64,
    b: u64,
    c: u64,
) -> Result<(), HostError> {
    bignum(mem, a, b, c, "sub256", U256::checked_sub)
}

#[cfg(test)]
mod tests {
    use super::ee_text;

    #[test]
    fn ee_text_escapes_what_a_terminal_would_act_on() {
        let fake = b"\x1b[2K\r\x1b[32maccepted\x1b[0m\0\n";
        let text = ee_text(fake);
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert_eq!(text, "\\u{1b}[2K\\u{d}\\u{1b}[32maccepted\\u{1b}[0m\\u{0}\\u{a}");
        assert_eq!(ee_text("plain ünïcode ✓".as_bytes()), "plain ünïcode ✓");
        assert_eq!(ee_text(&[0xff, b'a']), "\u{fffd}a");
    }
}
