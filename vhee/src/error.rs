//! Why a VHEE operation is refused.

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
    /// The beacon state has no deposit receipt with that index.
    NoSuchDeposit,
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
            VheeError::NoSuchDeposit => "no such deposit receipt",
        }
    }
}

impl AsRef<str> for VheeError {
    fn as_ref(&self) -> &str {
        self.message()
    }
}
