//! The fee market's state transition, over the leaves it may touch
//! ([`ee_sdk::stateless::Leaves`]) and the host functions it needs ([`ee_sdk::Env`]). The
//! wasm entry runs it on a transaction's verified witness; the client runs it on a full
//! tree to build that witness.
use crate::error::FeeError;
use crate::types::{Account, Claim, MAX_BID_TXS, MAX_CLAIMS, Op};
use alloc::collections::BTreeSet;
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::stateless::{self, Leaves};
use ee_sdk::{BlsPublicKey, DepositData, Env, Root};

/// The tree key of `key`'s account: sha256("fee-market/account" ‖ key).
pub fn account_key(host: &mut impl Env, key: &BlsPublicKey) -> Root {
    stateless::leaf_key(host, &[b"fee-market/account", key])
}

fn load(leaves: &mut impl Leaves, host: &mut impl Env, key: &BlsPublicKey) -> Result<Account, FeeError> {
    let k = account_key(host, key);
    Ok(stateless::account(leaves, &k)?)
}

fn credit(
    leaves: &mut impl Leaves,
    host: &mut impl Env,
    key: &BlsPublicKey,
    amount: u64,
) -> Result<(), FeeError> {
    let k = account_key(host, key);
    Ok(stateless::credit(leaves, k, amount)?)
}

/// Debits `key` by `amount` against a signed use numbered `nonce`.
fn debit(
    leaves: &mut impl Leaves,
    host: &mut impl Env,
    key: &BlsPublicKey,
    amount: u64,
    nonce: u64,
) -> Result<(), FeeError> {
    if amount == 0 {
        return Err(FeeError::ZeroAmount);
    }
    let k = account_key(host, key);
    Ok(stateless::debit_signed(leaves, k, amount, nonce)?)
}

/// Checks one claim's inclusion (every transaction at its position, none claimed twice in
/// this collection) and signature.
fn check_claim(claim: &Claim, host: &mut impl Env, seen: &mut BTreeSet<Root>) -> Result<(), FeeError> {
    let bid = &claim.bid;
    if bid.txs.is_empty() || bid.txs.len() > MAX_BID_TXS {
        return Err(FeeError::BadSize);
    }
    if claim.positions.len() != bid.txs.len() {
        return Err(FeeError::PositionsMismatch);
    }
    for (hash, &position) in bid.txs.iter().zip(&claim.positions) {
        if host.lookback_hash(position) != Some(*hash) {
            return Err(FeeError::NotIncluded);
        }
        if !seen.insert(*hash) {
            return Err(FeeError::DuplicateTx);
        }
    }
    let msg = bid.signing_message(host.ee_id(), host.shard_id());
    if !host.bls_verify(&bid.relayer, &msg, &bid.signature) {
        return Err(FeeError::BadSignature);
    }
    Ok(())
}

/// Executes `op`.
pub fn execute(op: &Op, leaves: &mut impl Leaves, host: &mut impl Env) -> Result<(), FeeError> {
    match op {
        Op::Deposit { index } => {
            let receipt = host.deposit_claim(*index).ok_or(FeeError::NoSuchDeposit)?;
            let data = DepositData::decode_all(&mut &receipt.data[..]).map_err(|_| FeeError::Malformed)?;
            if !host.bls_verify(&receipt.pubkey, &receipt.signing_message(), &receipt.signature) {
                return Err(FeeError::BadDepositSignature);
            }
            credit(leaves, host, &receipt.pubkey, data.amount)
        }
        Op::Collect { producer, claims } => {
            if claims.is_empty() || claims.len() > MAX_CLAIMS {
                return Err(FeeError::BadSize);
            }
            let mut seen = BTreeSet::new();
            let mut total = 0u64;
            for claim in claims {
                check_claim(claim, host, &mut seen)?;
                debit(leaves, host, &claim.bid.relayer, claim.bid.fee, claim.bid.nonce)?;
                total = total.checked_add(claim.bid.fee).ok_or(FeeError::Overflow)?;
            }
            credit(leaves, host, producer, total)
        }
        Op::Withdraw { account, target_shard, target_ee, amount, nonce, signature } => {
            if !stateless::payee_ok(host, *target_shard, *target_ee) {
                return Err(FeeError::BadTarget);
            }
            let msg = op.signing_message(host.ee_id(), host.shard_id()).ok_or(FeeError::Malformed)?;
            if !host.bls_verify(account, &msg, signature) {
                return Err(FeeError::BadSignature);
            }
            debit(leaves, host, account, *amount, *nonce)?;
            stateless::pay_out(host, *target_shard, *target_ee, *amount);
            Ok(())
        }
        Op::Balance { account } => {
            let acc = load(leaves, host, account)?;
            host.set_return_data(&acc.encode());
            Ok(())
        }
    }
}
