//! Why the umbrella EE refuses an operation (the transaction aborts with the message:
//! no state change, no output).
use core::fmt;
use ee_sdk::SpawnStatus;

/// A refused umbrella operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UmbrellaError {
    /// The transaction data is not a SCALE `UmbrellaTx`.
    Malformed,
    /// The witness does not prove its leaves against the EE's pre-state root.
    WitnessInvalid,
    /// The operation touched a leaf its witness does not carry.
    WitnessMissing,
    /// No deposit receipt with that index for this EE on this shard.
    NoSuchDeposit,
    /// The deposit receipt's signature does not verify.
    BadDepositSignature,
    /// A signature does not verify.
    BadSignature,
    /// The nonce was already used.
    AlreadyUsed,
    /// The nonce is ahead of the account's.
    WrongNonce,
    /// The balance does not cover the amount.
    Insufficient,
    /// A balance would overflow.
    Overflow,
    /// A zero amount (withdrawals).
    ZeroAmount,
    /// Code empty, larger than `MAX_CODE`, or not the hash the operation names.
    BadCode,
    /// A contract with that id already exists.
    ContractExists,
    /// No contract with that id.
    NoSuchContract,
    /// More than `MAX_SLOTS` slots, or a slot declared twice.
    BadSlots,
    /// The contract did not finish (its status).
    ContractFailed(SpawnStatus),
    /// The contract's result is not a SCALE `ContractResult`, writes an undeclared slot,
    /// or makes more than `MAX_PAYMENTS` payments.
    ContractMisbehaved,
    /// The contract paid out more than its balance.
    ContractOverspent,
    /// A payee EE or shard that does not exist, or this EE on this shard.
    BadTarget,
}

impl UmbrellaError {
    /// The abort message.
    pub fn message(self) -> &'static str {
        match self {
            UmbrellaError::Malformed => "umbrella: data is not an UmbrellaTx",
            UmbrellaError::WitnessInvalid => "umbrella: witness does not match the pre-state root",
            UmbrellaError::WitnessMissing => "umbrella: a touched leaf is not in the witness",
            UmbrellaError::NoSuchDeposit => "umbrella: no such deposit receipt for this EE and shard",
            UmbrellaError::BadDepositSignature => "umbrella: deposit signature does not verify",
            UmbrellaError::BadSignature => "umbrella: signature does not verify",
            UmbrellaError::AlreadyUsed => "umbrella: nonce already used",
            UmbrellaError::WrongNonce => "umbrella: wrong nonce",
            UmbrellaError::Insufficient => "umbrella: balance does not cover the amount",
            UmbrellaError::Overflow => "umbrella: balance overflow",
            UmbrellaError::ZeroAmount => "umbrella: zero amount",
            UmbrellaError::BadCode => "umbrella: code is empty, too large or not the named hash",
            UmbrellaError::ContractExists => "umbrella: contract already exists",
            UmbrellaError::NoSuchContract => "umbrella: no such contract",
            UmbrellaError::BadSlots => "umbrella: too many or repeated storage slots",
            UmbrellaError::ContractFailed(SpawnStatus::Refused) => {
                "umbrella: contract code refused by the host"
            }
            UmbrellaError::ContractFailed(SpawnStatus::OutOfGas) => "umbrella: contract ran out of gas",
            UmbrellaError::ContractFailed(SpawnStatus::StackExhausted) => {
                "umbrella: contract exhausted its stack"
            }
            UmbrellaError::ContractFailed(SpawnStatus::TooDeep) => "umbrella: calls nest too deep",
            UmbrellaError::ContractFailed(_) => "umbrella: contract trapped or aborted",
            UmbrellaError::ContractMisbehaved => {
                "umbrella: contract result malformed or writes undeclared slots"
            }
            UmbrellaError::ContractOverspent => "umbrella: contract paid out more than its balance",
            UmbrellaError::BadTarget => "umbrella: unknown or invalid payee",
        }
    }
}

impl fmt::Display for UmbrellaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl From<ee_sdk::stateless::Missing> for UmbrellaError {
    fn from(_: ee_sdk::stateless::Missing) -> Self {
        UmbrellaError::WitnessMissing
    }
}

impl From<ee_sdk::stateless::AccountError> for UmbrellaError {
    fn from(e: ee_sdk::stateless::AccountError) -> Self {
        use ee_sdk::stateless::AccountError as A;
        match e {
            A::Missing => UmbrellaError::WitnessMissing,
            A::Overflow => UmbrellaError::Overflow,
            A::Insufficient => UmbrellaError::Insufficient,
            A::AlreadyUsed => UmbrellaError::AlreadyUsed,
            A::NonceAhead => UmbrellaError::WrongNonce,
        }
    }
}
