//! The token EE's state transition over its leaves and the host. Leaves (keys are sha256
//! of a domain tag and the parts):
//!
//! * `token/nonce ‖ key` → the key's signed uses (an account leaf; its balance unused);
//! * `token/balance ‖ token ‖ holder` → units held on this shard;
//! * `token/allowance ‖ token ‖ owner ‖ spender` → units the spender may move;
//! * `token/supply ‖ token` → units minted on this shard;
//! * `token/claimed ‖ source shard ‖ root ‖ index` → 1 once that receipt was claimed.
use crate::error::TokenError;
use crate::types::{MAX_RECEIPTS, Op, TokenId, TokenReceipt, nonce_and_signature};
use alloc::vec::Vec;
use ee_sdk::codec::Encode;
use ee_sdk::proof::Hasher;
use ee_sdk::stateless::{self, Account, Leaves, leaf_key};
use ee_sdk::{BlsPublicKey, Env, NettingOutput, Root};

/// The nonce leaf of `key`.
pub fn nonce_key(host: &mut impl Env, key: &BlsPublicKey) -> Root {
    leaf_key(host, &[b"token/nonce", key])
}

/// The balance leaf of `holder` in `token`.
pub fn balance_key(host: &mut impl Env, token: &TokenId, holder: &BlsPublicKey) -> Root {
    leaf_key(host, &[b"token/balance", token, holder])
}

/// The allowance leaf of `spender` over `owner`'s `token`.
pub fn allowance_key(
    host: &mut impl Env,
    token: &TokenId,
    owner: &BlsPublicKey,
    spender: &BlsPublicKey,
) -> Root {
    leaf_key(host, &[b"token/allowance", token, owner, spender])
}

/// The leaf of units of `token` minted on this shard.
pub fn supply_key(host: &mut impl Env, token: &TokenId) -> Root {
    leaf_key(host, &[b"token/supply", token])
}

fn units(leaves: &mut impl Leaves, key: &Root) -> Result<u64, TokenError> {
    Ok(stateless::account(leaves, key)?.balance)
}

fn set_units(leaves: &mut impl Leaves, key: Root, value: u64) -> Result<(), TokenError> {
    leaves.set(key, Account { balance: value, nonce: 0 }.to_value())?;
    Ok(())
}

fn add(leaves: &mut impl Leaves, key: Root, amount: u64) -> Result<(), TokenError> {
    Ok(stateless::credit(leaves, key, amount)?)
}

fn sub(leaves: &mut impl Leaves, key: Root, amount: u64) -> Result<(), TokenError> {
    let have = units(leaves, &key)?;
    set_units(leaves, key, have.checked_sub(amount).ok_or(TokenError::Insufficient)?)
}

/// The receipts of a cross-shard transfer.
pub fn receipts(
    token: &TokenId,
    from: &BlsPublicKey,
    to: &[(BlsPublicKey, u64)],
    nonce: u64,
) -> Vec<TokenReceipt> {
    to.iter()
        .map(|(to, amount)| TokenReceipt { token: *token, from: *from, to: *to, amount: *amount, nonce })
        .collect()
}

/// Executes `op`. `H` hashes receipt trees (the host's sha256 in wasm).
pub fn execute<H: Hasher + Default>(
    op: &Op,
    leaves: &mut impl Leaves,
    host: &mut impl Env,
) -> Result<(), TokenError> {
    if let Some((signer, msg)) = op.signed_by(host.ee_id(), host.shard_id()) {
        let (nonce, signature) = nonce_and_signature(op);
        if !host.bls_verify(&signer, &msg, signature) {
            return Err(TokenError::BadSignature);
        }
        let nk = nonce_key(host, &signer);
        stateless::debit_signed(leaves, nk, 0, nonce)?;
    }
    match op {
        Op::Mint { token, to, amount, .. } => {
            if *amount == 0 {
                return Err(TokenError::ZeroAmount);
            }
            let sk = supply_key(host, token);
            add(leaves, sk, *amount)?;
            let bk = balance_key(host, token, to);
            add(leaves, bk, *amount)
        }
        Op::Transfer { token, from, to, amount, .. } => {
            if *amount == 0 {
                return Err(TokenError::ZeroAmount);
            }
            let fk = balance_key(host, token, from);
            sub(leaves, fk, *amount)?;
            let tk = balance_key(host, token, to);
            add(leaves, tk, *amount)
        }
        Op::Approve { token, owner, spender, amount, .. } => {
            let ak = allowance_key(host, token, owner, spender);
            set_units(leaves, ak, *amount)
        }
        Op::TransferFrom { token, spender, owner, to, amount, .. } => {
            if *amount == 0 {
                return Err(TokenError::ZeroAmount);
            }
            let ak = allowance_key(host, token, owner, spender);
            let allowed = units(leaves, &ak)?;
            set_units(leaves, ak, allowed.checked_sub(*amount).ok_or(TokenError::AllowanceExceeded)?)?;
            let fk = balance_key(host, token, owner);
            sub(leaves, fk, *amount)?;
            let tk = balance_key(host, token, to);
            add(leaves, tk, *amount)
        }
        Op::CrossShard { token, from, target_shard, to, nonce, .. } => {
            if target_shard.0 >= host.shard_count() || *target_shard == host.shard_id() {
                return Err(TokenError::BadTarget);
            }
            if to.is_empty() || to.len() > MAX_RECEIPTS {
                return Err(TokenError::ReceiptCount);
            }
            let mut total = 0u64;
            for (_, amount) in to {
                if *amount == 0 {
                    return Err(TokenError::ZeroAmount);
                }
                total = total.checked_add(*amount).ok_or(TokenError::Overflow)?;
            }
            let fk = balance_key(host, token, from);
            sub(leaves, fk, total)?;
            let rs = receipts(token, from, to, *nonce);
            let data_root = ee_sdk::receipts::data_root::<H, _>(host, &rs).ok_or(TokenError::Malformed)?;
            let me = host.ee_id();
            host.emit(&NettingOutput { target_shard: *target_shard, target_ee: me, amount: 0, data_root });
            Ok(())
        }
        Op::Claim { source_shard, data_root, index, receipt, proof } => {
            if source_shard.0 >= host.shard_count() || *source_shard == host.shard_id() {
                return Err(TokenError::BadTarget);
            }
            let leaf = ee_sdk::receipts::leaf(host, receipt);
            if !ee_sdk::receipts::verify::<H>(data_root, *index, leaf, proof) {
                return Err(TokenError::ReceiptNotInRoot);
            }
            let me = host.ee_id();
            if host.message_count(*source_shard, me, data_root) == 0 {
                return Err(TokenError::NotSent);
            }
            let bit = ee_sdk::receipts::claimed_key(host, b"token/claimed", *source_shard, data_root, *index);
            if leaves.get(&bit)? != [0; 32] {
                return Err(TokenError::AlreadyClaimed);
            }
            let mut one = [0u8; 32];
            one[0] = 1;
            leaves.set(bit, one)?;
            let bk = balance_key(host, &receipt.token, &receipt.to);
            add(leaves, bk, receipt.amount)
        }
        Op::Balance { token, holder } => {
            let bk = balance_key(host, token, holder);
            let b = units(leaves, &bk)?;
            host.set_return_data(&b.encode());
            Ok(())
        }
    }
}
