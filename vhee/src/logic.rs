//! The VHEE's state transition, over the leaves it may touch ([`View`]) and the host
//! functions it needs ([`Host`]). The wasm entry runs it on a transaction's verified
//! witness; the client runs it on full trees to build that witness.
use crate::keys;
use crate::receipts;
use crate::types::{Account, Address, MAX_RECEIPTS, Op};
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::proof::Hasher;
use ee_sdk::{DepositData, DepositReceipt, EeId, NettingOutput, Root, ShardId};

/// Why a VHEE operation is refused. The transaction aborts with [`VheeError::message`]:
/// no state change, no output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VheeError {
    /// The transaction or an embedded structure does not decode.
    Malformed,
    /// The witness does not match the VHEE's pre-state root (or repeats a key).
    WitnessInvalid,
    /// The operation touches a key the witness does not contain.
    WitnessMissing,
    /// The signature does not verify for the paying account's key.
    BadSignature,
    /// The nonce is not the account's current nonce (a replay or a gap).
    WrongNonce,
    /// The paying account's balance is too low.
    InsufficientFunds,
    /// A balance, nonce or total would overflow.
    Overflow,
    /// A zero amount.
    ZeroAmount,
    /// The target shard or EE does not exist.
    UnknownTarget,
    /// Paying the VHEE itself on the same shard.
    SelfPayment,
    /// A cross-shard transfer to this same shard.
    SameShard,
    /// No receipts, or more than `MAX_RECEIPTS`.
    ReceiptCount,
    /// A receipt whose `from` is not the paying account.
    ReceiptFrom,
    /// The receipt is not under the data root.
    ReceiptNotInRoot,
    /// The receipt was claimed before.
    AlreadyClaimed,
    /// Claiming it would credit more than the meta-EE netted for the data root.
    OverClaim,
    /// A portion operation from outside `call_ee`.
    NotCalled,
    /// A portion operation on another EE's portion.
    PortionNotWritable,
    /// The deposit's signature does not verify.
    BadDepositSignature,
}

impl VheeError {
    /// The abort message.
    pub fn message(&self) -> &'static str {
        match self {
            VheeError::Malformed => "malformed transaction",
            VheeError::WitnessInvalid => "witness does not match the pre-state root",
            VheeError::WitnessMissing => "witness does not cover a touched key",
            VheeError::BadSignature => "bad signature",
            VheeError::WrongNonce => "wrong nonce",
            VheeError::InsufficientFunds => "insufficient funds",
            VheeError::Overflow => "overflow",
            VheeError::ZeroAmount => "zero amount",
            VheeError::UnknownTarget => "unknown target shard or EE",
            VheeError::SelfPayment => "payment to the VHEE itself on the same shard",
            VheeError::SameShard => "cross-shard transfer to the same shard",
            VheeError::ReceiptCount => "receipt count out of range",
            VheeError::ReceiptFrom => "receipt not from the paying account",
            VheeError::ReceiptNotInRoot => "receipt not under the data root",
            VheeError::AlreadyClaimed => "receipt already claimed",
            VheeError::OverClaim => "claim exceeds what was netted for the data root",
            VheeError::NotCalled => "portion operations need a calling EE",
            VheeError::PortionNotWritable => "portion not writable by the calling EE",
            VheeError::BadDepositSignature => "bad deposit signature",
        }
    }
}

impl AsRef<str> for VheeError {
    fn as_ref(&self) -> &str {
        self.message()
    }
}

/// The VHEE's tree as an operation sees it.
pub trait View {
    /// Reads a key (zero if absent).
    fn get(&mut self, key: &Root) -> Result<Root, VheeError>;
    /// Writes a key.
    fn set(&mut self, key: Root, value: Root) -> Result<(), VheeError>;
}

/// What the VHEE needs from the host.
pub trait Host {
    /// The shard.
    fn shard(&self) -> ShardId;
    /// Shard count.
    fn shard_count(&self) -> u32;
    /// The VHEE's own id.
    fn me(&self) -> EeId;
    /// The EE calling through `call_ee`, if any.
    fn caller(&self) -> Option<EeId>;
    /// Whether an EE is registered.
    fn ee_exists(&mut self, ee: EeId) -> bool;
    /// sha256.
    fn sha256(&mut self, data: &[u8]) -> Root;
    /// BLS12-381 verification.
    fn bls_verify(&mut self, pk: &[u8], msg: &[u8], sig: &[u8]) -> bool;
    /// What the meta-EE on `source` netted towards this shard's VHEE for `root`.
    fn netted(&mut self, source: ShardId, root: &Root) -> u64;
    /// Claims beacon deposit `index` for the VHEE.
    fn claim_deposit(&mut self, index: u64) -> Result<DepositReceipt, VheeError>;
    /// Prints a netting output.
    fn emit(&mut self, out: &NettingOutput);
    /// Sets the return data.
    fn set_return(&mut self, data: &[u8]);
}

fn load(view: &mut impl View, host: &mut impl Host, address: &Address) -> Result<(Root, Account), VheeError> {
    let key = keys::account(host, address);
    Ok((key, Account::from_value(&view.get(&key)?)))
}

fn credit(view: &mut impl View, host: &mut impl Host, to: &Address, amount: u64) -> Result<(), VheeError> {
    let (key, mut acc) = load(view, host, to)?;
    acc.balance = acc.balance.checked_add(amount).ok_or(VheeError::Overflow)?;
    view.set(key, acc.to_value())
}

/// Debits `from` by `amount`; a signed debit also checks and bumps the nonce.
fn debit(
    view: &mut impl View,
    host: &mut impl Host,
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
fn check_signature(op: &Op, host: &mut impl Host, from: &Address, signature: &[u8]) -> Result<(), VheeError> {
    let msg = op.signing_message(host.me(), host.shard()).ok_or(VheeError::Malformed)?;
    if host.bls_verify(&from.key, &msg, signature) { Ok(()) } else { Err(VheeError::BadSignature) }
}

/// Executes `op`. `H` hashes the receipt trees (the host's sha256 in wasm).
pub fn execute<H: Hasher + Default>(
    op: &Op,
    view: &mut impl View,
    host: &mut impl Host,
) -> Result<(), VheeError> {
    match op {
        Op::Deposit { index } => {
            let receipt = host.claim_deposit(*index)?;
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
            if *target_shard == host.shard() && *target_ee == host.me() {
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
            if *target_shard == host.shard() {
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
            let me = host.me();
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
            if total > host.netted(*source_shard, data_root) {
                return Err(VheeError::OverClaim);
            }
            let mut one = [0u8; 32];
            one[0] = 1;
            view.set(bit, one)?;
            view.set(total_key, Account { balance: total, nonce: 0 }.to_value())?;
            credit(view, host, &receipt.to, receipt.amount)
        }
        Op::PortionTransfer { portion, from, to, amount } => {
            let caller = host.caller().ok_or(VheeError::NotCalled)?;
            if caller != *portion {
                return Err(VheeError::PortionNotWritable);
            }
            debit(view, host, &Address { portion: *portion, key: *from }, *amount, None)?;
            credit(view, host, &Address { portion: *portion, key: *to }, *amount)
        }
        Op::Balance { address } => {
            let (_, acc) = load(view, host, address)?;
            host.set_return(&acc.encode());
            Ok(())
        }
    }
}
