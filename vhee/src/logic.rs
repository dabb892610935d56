//! The VHEE's state transition, over the leaves it may touch ([`View`]) and the host
//! functions it needs ([`ee_sdk::Env`]). The wasm entry runs it on a transaction's verified
//! witness; the client runs it on full trees to build that witness.
use crate::error::VheeError;
use crate::keys;
use crate::receipts;
use crate::types::{Account, Address, MAX_RECEIPTS, Op};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::proof::Hasher;
use ee_sdk::{DepositData, Env, NettingOutput, Root};

/// The VHEE's tree as an operation sees it.
pub trait View {
    /// Reads a key (zero if absent).
    fn get(&mut self, key: &Root) -> Result<Root, VheeError>;
    /// Writes a key.
    fn set(&mut self, key: Root, value: Root) -> Result<(), VheeError>;
}

fn load(view: &mut impl View, host: &mut impl Env, address: &Address) -> Result<(Root, Account), VheeError> {
    let key = keys::account(host, address);
    Ok((key, Account::from_value(&view.get(&key)?)))
}

fn credit(view: &mut impl View, host: &mut impl Env, to: &Address, amount: u64) -> Result<(), VheeError> {
    let (key, mut acc) = load(view, host, to)?;
    acc.balance = acc.balance.checked_add(amount).ok_or(VheeError::Overflow)?;
    view.set(key, acc.to_value())
}

/// Debits `from` by `amount`; a signed debit also checks and bumps the nonce.
fn debit(
    view: &mut impl View,
    host: &mut impl Env,
    from: &Address,
    amount: u64,
    nonce: Option<u64>,
) -> Result<(), VheeError> {
    if amount == 0 {
        return Err(VheeError::ZeroAmount);
    }
    let (key, mut acc) = load(view, host, from)?;
    if let Some(n) = nonce {
        if acc.nonce != n {
            return Err(VheeError::WrongNonce);
        }
        acc.nonce = acc.nonce.checked_add(1).ok_or(VheeError::Overflow)?;
    }
    acc.balance = acc.balance.checked_sub(amount).ok_or(VheeError::InsufficientFunds)?;
    view.set(key, acc.to_value())
}

/// Checks a signed operation's signature against `from.key`.
fn check_signature(op: &Op, host: &mut impl Env, from: &Address, signature: &[u8]) -> Result<(), VheeError> {
    let msg = op.signing_message(host.ee_id(), host.shard_id()).ok_or(VheeError::Malformed)?;
    if host.bls_verify(&from.key, &msg, signature) { Ok(()) } else { Err(VheeError::BadSignature) }
}

/// Executes `op`. `H` hashes the receipt trees (the host's sha256 in wasm).
pub fn execute<H: Hasher + Default>(
    op: &Op,
    view: &mut impl View,
    host: &mut impl Env,
) -> Result<(), VheeError> {
    match op {
        Op::Deposit { index } => {
            let receipt = host.deposit_claim(*index).ok_or(VheeError::NoSuchDeposit)?;
            let data = DepositData::decode_all(&mut &receipt.data[..]).map_err(|_| VheeError::Malformed)?;
            if !host.bls_verify(&receipt.pubkey, &receipt.signing_message(), &receipt.signature) {
                return Err(VheeError::BadDepositSignature);
            }
            credit(view, host, &Address { portion: data.portion, key: receipt.pubkey }, data.amount)
        }
        Op::Transfer { from, to, amount, nonce, signature } => {
            check_signature(op, host, from, signature)?;
            debit(view, host, from, *amount, Some(*nonce))?;
            credit(view, host, to, *amount)
        }
        Op::PayEe { from, target_shard, target_ee, amount, nonce, signature } => {
            if target_shard.0 >= host.shard_count() || !host.ee_exists(*target_ee) {
                return Err(VheeError::UnknownTarget);
            }
            if *target_shard == host.shard_id() && *target_ee == host.ee_id() {
                return Err(VheeError::SelfPayment);
            }
            check_signature(op, host, from, signature)?;
            debit(view, host, from, *amount, Some(*nonce))?;
            host.emit(&NettingOutput {
                target_shard: *target_shard,
                target_ee: *target_ee,
                amount: *amount,
                data_root: [0; 32],
            });
            Ok(())
        }
        Op::CrossShard { from, target_shard, receipts, nonce, signature } => {
            if target_shard.0 >= host.shard_count() {
                return Err(VheeError::UnknownTarget);
            }
            if *target_shard == host.shard_id() {
                return Err(VheeError::SameShard);
            }
            if receipts.is_empty() || receipts.len() > MAX_RECEIPTS {
                return Err(VheeError::ReceiptCount);
            }
            let mut total = 0u64;
            for r in receipts {
                if r.from != *from {
                    return Err(VheeError::ReceiptFrom);
                }
                if r.amount == 0 {
                    return Err(VheeError::ZeroAmount);
                }
                total = total.checked_add(r.amount).ok_or(VheeError::Overflow)?;
            }
            check_signature(op, host, from, signature)?;
            debit(view, host, from, total, Some(*nonce))?;
            let data_root = receipts::data_root::<H>(host, receipts)?;
            let me = host.ee_id();
            host.emit(&NettingOutput {
                target_shard: *target_shard,
                target_ee: me,
                amount: total,
                data_root,
            });
            Ok(())
        }
        Op::Claim { source_shard, data_root, index, receipt, proof } => {
            if source_shard.0 >= host.shard_count() {
                return Err(VheeError::UnknownTarget);
            }
            let leaf = receipts::leaf(host, receipt);
            if !receipts::verify::<H>(data_root, *index, leaf, proof) {
                return Err(VheeError::ReceiptNotInRoot);
            }
            let bit = keys::claimed_receipt(host, *source_shard, data_root, *index);
            if view.get(&bit)? != [0; 32] {
                return Err(VheeError::AlreadyClaimed);
            }
            let total_key = keys::claimed_total(host, *source_shard, data_root);
            let claimed = Account::from_value(&view.get(&total_key)?).balance;
            let total = claimed.checked_add(receipt.amount).ok_or(VheeError::Overflow)?;
            if total > host.netted_get(*source_shard, host.ee_id(), data_root) {
                return Err(VheeError::OverClaim);
            }
            let mut one = [0u8; 32];
            one[0] = 1;
            view.set(bit, one)?;
            view.set(total_key, Account { balance: total, nonce: 0 }.to_value())?;
            credit(view, host, &receipt.to, receipt.amount)
        }
        Op::PortionTransfer { portion, from, to, amount } => {
            let caller = host.caller_ee().ok_or(VheeError::NotCalled)?;
            if caller != *portion {
                return Err(VheeError::PortionNotWritable);
            }
            debit(view, host, &Address { portion: *portion, key: *from }, *amount, None)?;
            credit(view, host, &Address { portion: *portion, key: *to }, *amount)
        }
        Op::Balance { address } => {
            let (_, acc) = load(view, host, address)?;
            host.set_return_data(&acc.encode());
            Ok(())
        }
    }
}
