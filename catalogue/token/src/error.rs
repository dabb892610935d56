//! Why the token EE refuses an operation (the transaction aborts with the message:
//! nothing changes).
use core::fmt;

/// A refused token operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// The data is not a SCALE `TokenTx`.
    Malformed,
    /// The witness does not prove its leaves against the EE's pre-state root.
    WitnessInvalid,
    /// A touched leaf is not in the witness.
    WitnessMissing,
    /// The signature does not verify (a mint not signed by the token's issuer included).
    BadSignature,
    /// The nonce was already used.
    AlreadyUsed,
    /// The nonce is ahead of the signer's.
    WrongNonce,
    /// The balance does not cover the amount.
    Insufficient,
    /// More than the spender's allowance.
    AllowanceExceeded,
    /// A zero amount.
    ZeroAmount,
    /// A balance or total would overflow.
    Overflow,
    /// A target or source shard that does not exist, or this one.
    BadTarget,
    /// No receipts, or more than `MAX_RECEIPTS`.
    ReceiptCount,
    /// The receipt is not under the claimed root.
    ReceiptNotInRoot,
    /// This EE on the source shard never sent that root (another EE may have: a root is
    /// only trusted when the meta-EE's message record names this EE as its source).
    NotSent,
    /// The receipt was claimed before.
    AlreadyClaimed,
}

impl TokenError {
    /// The abort message.
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Malformed => "token: data is not a TokenTx",
            TokenError::WitnessInvalid => "token: witness does not match the pre-state root",
            TokenError::WitnessMissing => "token: a touched leaf is not in the witness",
            TokenError::BadSignature => "token: signature does not verify",
            TokenError::AlreadyUsed => "token: nonce already used",
            TokenError::WrongNonce => "token: wrong nonce",
            TokenError::Insufficient => "token: balance does not cover the amount",
            TokenError::AllowanceExceeded => "token: more than the allowance",
            TokenError::ZeroAmount => "token: zero amount",
            TokenError::Overflow => "token: overflow",
            TokenError::BadTarget => "token: unknown or invalid shard",
            TokenError::ReceiptCount => "token: no receipts, or too many",
            TokenError::ReceiptNotInRoot => "token: receipt not under the root",
            TokenError::NotSent => "token: this EE did not send that root",
            TokenError::AlreadyClaimed => "token: receipt already claimed",
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl From<ee_sdk::stateless::Missing> for TokenError {
    fn from(_: ee_sdk::stateless::Missing) -> Self {
        TokenError::WitnessMissing
    }
}

impl From<ee_sdk::stateless::AccountError> for TokenError {
    fn from(e: ee_sdk::stateless::AccountError) -> Self {
        use ee_sdk::stateless::AccountError as A;
        match e {
            A::Missing => TokenError::WitnessMissing,
            A::Overflow => TokenError::Overflow,
            A::Insufficient => TokenError::Insufficient,
            A::AlreadyUsed => TokenError::AlreadyUsed,
            A::NonceAhead => TokenError::WrongNonce,
        }
    }
}
