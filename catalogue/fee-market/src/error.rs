//! Why the fee market refuses an operation. A refused operation aborts the transaction
//! with the error's message: no state change, no output.
use core::fmt;

/// A refused fee-market operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeError {
    /// The transaction data is not a SCALE `FeeTx`.
    Malformed,
    /// The witness does not prove its leaves against the EE's pre-state root.
    WitnessInvalid,
    /// The operation touched a leaf its witness does not carry.
    WitnessMissing,
    /// No deposit receipt with that index for this EE on this shard (or already claimed).
    NoSuchDeposit,
    /// The deposit receipt's signature does not verify.
    BadDepositSignature,
    /// A bid with no transactions, or more than `MAX_BID_TXS`; or a collection with no
    /// claims or more than `MAX_CLAIMS`.
    BadSize,
    /// A claim's positions do not pair up with its bid's transactions.
    PositionsMismatch,
    /// A bid's transaction is not at the claimed position earlier in this block.
    NotIncluded,
    /// The same transaction claimed twice in one collection.
    DuplicateTx,
    /// A signature (bid or withdrawal) does not verify.
    BadSignature,
    /// The bid or withdrawal was already used (its nonce is behind the account's).
    AlreadyClaimed,
    /// A nonce ahead of the account's.
    WrongNonce,
    /// The relayer's (or withdrawing account's) balance does not cover the amount.
    Unfunded,
    /// A zero fee or amount.
    ZeroAmount,
    /// A payee EE or shard that does not exist, or this EE on this shard.
    BadTarget,
    /// A balance would overflow.
    Overflow,
}

impl FeeError {
    /// The abort message.
    pub fn message(self) -> &'static str {
        match self {
            FeeError::Malformed => "fee-market: data is not a FeeTx",
            FeeError::WitnessInvalid => "fee-market: witness does not match the pre-state root",
            FeeError::WitnessMissing => "fee-market: a touched leaf is not in the witness",
            FeeError::NoSuchDeposit => "fee-market: no such deposit receipt for this EE and shard",
            FeeError::BadDepositSignature => "fee-market: deposit signature does not verify",
            FeeError::BadSize => "fee-market: empty or oversized bid or collection",
            FeeError::PositionsMismatch => "fee-market: positions do not match the bid's transactions",
            FeeError::NotIncluded => "fee-market: a bid's transaction was not included earlier in this block",
            FeeError::DuplicateTx => "fee-market: a transaction is claimed twice",
            FeeError::BadSignature => "fee-market: signature does not verify",
            FeeError::AlreadyClaimed => "fee-market: bid or withdrawal already used",
            FeeError::WrongNonce => "fee-market: wrong nonce",
            FeeError::Unfunded => "fee-market: balance does not cover the amount",
            FeeError::ZeroAmount => "fee-market: zero amount",
            FeeError::BadTarget => "fee-market: unknown or invalid payee",
            FeeError::Overflow => "fee-market: balance overflow",
        }
    }
}

impl fmt::Display for FeeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl From<ee_sdk::stateless::Missing> for FeeError {
    fn from(_: ee_sdk::stateless::Missing) -> Self {
        FeeError::WitnessMissing
    }
}

impl From<ee_sdk::stateless::AccountError> for FeeError {
    fn from(e: ee_sdk::stateless::AccountError) -> Self {
        use ee_sdk::stateless::AccountError as A;
        match e {
            A::Missing => FeeError::WitnessMissing,
            A::Overflow => FeeError::Overflow,
            A::Insufficient => FeeError::Unfunded,
            A::AlreadyUsed => FeeError::AlreadyClaimed,
            A::NonceAhead => FeeError::WrongNonce,
        }
    }
}
