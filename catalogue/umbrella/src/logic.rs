//! The umbrella EE's state transition over its leaves ([`Leaves`]) and the host
//! ([`Env`]): the wasm entry runs it on a verified witness, the client on a full tree.
//!
//! Leaves (keys are sha256 of a domain tag and the parts):
//! * `umbrella/account ‖ key` → the account of a BLS key;
//! * `umbrella/code ‖ contract` → the contract's code hash (zero: no contract);
//! * `umbrella/balance ‖ contract` → the contract's balance (an account leaf, nonce 0);
//! * `umbrella/storage ‖ contract ‖ slot` → a 32-byte storage value.
use crate::error::UmbrellaError;
use crate::types::{ContractCall, ContractId, ContractResult, MAX_CODE, MAX_PAYMENTS, MAX_SLOTS, Op};
use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::stateless::{self, Leaves, leaf_key};
use ee_sdk::{BlsPublicKey, DepositData, Env, Root};

/// The leaf of `key`'s account.
pub fn account_key(host: &mut impl Env, key: &BlsPublicKey) -> Root {
    leaf_key(host, &[b"umbrella/account", key])
}

/// The id of the contract `deployer` deploys with `nonce`.
pub fn contract_id(host: &mut impl Env, deployer: &BlsPublicKey, nonce: u64) -> ContractId {
    leaf_key(host, &[b"umbrella/contract", deployer, &nonce.to_le_bytes()])
}

/// The leaf holding `contract`'s code hash.
pub fn code_key(host: &mut impl Env, contract: &ContractId) -> Root {
    leaf_key(host, &[b"umbrella/code", contract])
}

/// The leaf holding `contract`'s balance.
pub fn balance_key(host: &mut impl Env, contract: &ContractId) -> Root {
    leaf_key(host, &[b"umbrella/balance", contract])
}

/// The leaf of `contract`'s storage `slot`.
pub fn storage_key(host: &mut impl Env, contract: &ContractId, slot: &Root) -> Root {
    leaf_key(host, &[b"umbrella/storage", contract, slot])
}

fn check_signature(
    op: &Op,
    host: &mut impl Env,
    key: &BlsPublicKey,
    sig: &[u8],
) -> Result<(), UmbrellaError> {
    let msg = op.signing_message(host.ee_id(), host.shard_id()).ok_or(UmbrellaError::Malformed)?;
    if host.bls_verify(key, &msg, sig) { Ok(()) } else { Err(UmbrellaError::BadSignature) }
}

/// Executes `op` with `code` (the transaction's code, where the operation needs one).
pub fn execute(
    op: &Op,
    code: &[u8],
    leaves: &mut impl Leaves,
    host: &mut impl Env,
) -> Result<(), UmbrellaError> {
    match op {
        Op::Deposit { index } => {
            let receipt = host.deposit_claim(*index).ok_or(UmbrellaError::NoSuchDeposit)?;
            let data =
                DepositData::decode_all(&mut &receipt.data[..]).map_err(|_| UmbrellaError::Malformed)?;
            if !host.bls_verify(&receipt.pubkey, &receipt.signing_message(), &receipt.signature) {
                return Err(UmbrellaError::BadDepositSignature);
            }
            let k = account_key(host, &receipt.pubkey);
            Ok(stateless::credit(leaves, k, data.amount)?)
        }
        Op::Deploy { deployer, code_hash, nonce, signature } => {
            if code.is_empty() || code.len() > MAX_CODE || host.sha256(code) != *code_hash {
                return Err(UmbrellaError::BadCode);
            }
            check_signature(op, host, deployer, signature)?;
            let k = account_key(host, deployer);
            stateless::debit_signed(leaves, k, 0, *nonce)?;
            let id = contract_id(host, deployer, *nonce);
            let ck = code_key(host, &id);
            if leaves.get(&ck)? != [0; 32] {
                return Err(UmbrellaError::ContractExists);
            }
            leaves.set(ck, *code_hash)?;
            host.set_return_data(&id);
            Ok(())
        }
        Op::Call { caller, contract, value, input, slots, nonce, signature } => {
            if slots.len() > MAX_SLOTS || slots.iter().collect::<BTreeSet<_>>().len() != slots.len() {
                return Err(UmbrellaError::BadSlots);
            }
            check_signature(op, host, caller, signature)?;
            let ck = code_key(host, contract);
            let code_hash = leaves.get(&ck)?;
            if code_hash == [0; 32] {
                return Err(UmbrellaError::NoSuchContract);
            }
            if host.sha256(code) != code_hash {
                return Err(UmbrellaError::BadCode);
            }
            let k = account_key(host, caller);
            stateless::debit_signed(leaves, k, *value, *nonce)?;
            let bk = balance_key(host, contract);
            stateless::credit(leaves, bk, *value)?;
            let balance = stateless::account(leaves, &bk)?.balance;
            let mut storage = Vec::with_capacity(slots.len());
            for slot in slots {
                let sk = storage_key(host, contract, slot);
                storage.push((*slot, leaves.get(&sk)?));
            }
            let call = ContractCall {
                caller: *caller,
                contract: *contract,
                value: *value,
                balance,
                input: input.clone(),
                storage,
            };
            let ret = host.spawn(code, &call.encode(), 0).map_err(UmbrellaError::ContractFailed)?;
            let result =
                ContractResult::decode_all(&mut &ret[..]).map_err(|_| UmbrellaError::ContractMisbehaved)?;
            if result.payments.len() > MAX_PAYMENTS {
                return Err(UmbrellaError::ContractMisbehaved);
            }
            for (slot, value) in &result.storage {
                if !slots.contains(slot) {
                    return Err(UmbrellaError::ContractMisbehaved);
                }
                let sk = storage_key(host, contract, slot);
                leaves.set(sk, *value)?;
            }
            let mut left = balance;
            for (to, amount) in &result.payments {
                left = left.checked_sub(*amount).ok_or(UmbrellaError::ContractOverspent)?;
                let k = account_key(host, to);
                stateless::credit(leaves, k, *amount)?;
            }
            leaves.set(bk, stateless::Account { balance: left, nonce: 0 }.to_value())?;
            host.set_return_data(&result.output);
            Ok(())
        }
        Op::Withdraw { account, target_shard, target_ee, amount, nonce, signature } => {
            if !stateless::payee_ok(host, *target_shard, *target_ee) {
                return Err(UmbrellaError::BadTarget);
            }
            if *amount == 0 {
                return Err(UmbrellaError::ZeroAmount);
            }
            check_signature(op, host, account, signature)?;
            let k = account_key(host, account);
            stateless::debit_signed(leaves, k, *amount, *nonce)?;
            stateless::pay_out(host, *target_shard, *target_ee, *amount);
            Ok(())
        }
    }
}
