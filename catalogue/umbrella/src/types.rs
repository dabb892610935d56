//! The umbrella EE's SCALE types: operations users sign, and the interface between the EE
//! and the contracts it spawns.
use alloc::vec::Vec;
use ee_sdk::codec::{Decode, Encode};
use ee_sdk::stateless::Witness;
use ee_sdk::{BlsPublicKey, BlsSignature, EeId, Root, ShardId};

/// A user account: the SDK's balance-and-nonce leaf, keyed by a BLS public key.
pub use ee_sdk::stateless::Account;

/// A contract's id: sha256("umbrella/contract" ‖ deployer ‖ deployer's nonce, LE).
pub type ContractId = Root;

/// Most storage slots one call may declare.
pub const MAX_SLOTS: usize = 64;

/// Largest contract code, in bytes.
pub const MAX_CODE: usize = 48 * 1024;

/// The interface between the umbrella and its contracts lives in the SDK, so a contract
/// depends on `ee-sdk` alone.
pub use ee_sdk::contract::{ContractCall, ContractResult, MAX_PAYMENTS};

/// One umbrella operation.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub enum Op {
    /// Claims beacon deposit receipt `index` (naming this EE) for the account of the
    /// receipt's `pubkey`.
    Deposit {
        /// Index in the beacon state's deposit receipts.
        index: u64,
    },
    /// Deploys the transaction's code as a new contract (id from the deployer and nonce).
    Deploy {
        /// The deploying account.
        deployer: BlsPublicKey,
        /// sha256 of the code the transaction carries.
        code_hash: Root,
        /// The deployer's nonce.
        nonce: u64,
        /// Signature of [`Op::signing_message`].
        signature: BlsSignature,
    },
    /// Calls a contract: moves `value` from the caller to the contract, spawns the
    /// contract's code (carried by the transaction, checked against its hash) with a
    /// [`ContractCall`], then applies its [`ContractResult`]. All or nothing.
    Call {
        /// The calling account.
        caller: BlsPublicKey,
        /// The contract.
        contract: ContractId,
        /// Gwei sent with the call.
        value: u64,
        /// Input for the contract.
        input: Vec<u8>,
        /// Storage slots the contract may read and write (at most [`MAX_SLOTS`]).
        slots: Vec<Root>,
        /// The caller's nonce.
        nonce: u64,
        /// Signature.
        signature: BlsSignature,
    },
    /// Signed withdrawal to another EE or shard (a netting output).
    Withdraw {
        /// The paying account.
        account: BlsPublicKey,
        /// Shard of the payee.
        target_shard: ShardId,
        /// The payee EE.
        target_ee: EeId,
        /// Gwei.
        amount: u64,
        /// Nonce.
        nonce: u64,
        /// Signature.
        signature: BlsSignature,
    },
}

impl Op {
    /// What a signed operation's key signs: a domain tag, the EE's id and shard, then the
    /// operation without its signature (`None` for deposits).
    pub fn signing_message(&self, ee: EeId, shard: ShardId) -> Option<Vec<u8>> {
        let prefix = (b"umbrella-op", ee, shard);
        match self {
            Op::Deposit { .. } => None,
            Op::Deploy { deployer, code_hash, nonce, .. } => {
                Some((prefix, 1u8, deployer, code_hash, nonce).encode())
            }
            Op::Call { caller, contract, value, input, slots, nonce, .. } => {
                Some((prefix, 2u8, caller, contract, value, input, slots, nonce).encode())
            }
            Op::Withdraw { account, target_shard, target_ee, amount, nonce, .. } => {
                Some((prefix, 3u8, account, target_shard, target_ee, amount, nonce).encode())
            }
        }
    }

    /// A copy with `signature` set (signed operations).
    pub fn with_signature(mut self, sig: BlsSignature) -> Self {
        match &mut self {
            Op::Deploy { signature, .. } | Op::Call { signature, .. } | Op::Withdraw { signature, .. } => {
                *signature = sig
            }
            Op::Deposit { .. } => {}
        }
        self
    }
}

/// An umbrella transaction.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct UmbrellaTx {
    /// The operation.
    pub op: Op,
    /// Code the operation needs: the deployed code (`Deploy`) or the called contract's
    /// (`Call`; witness data, checked against the contract's code hash). Empty otherwise.
    pub code: Vec<u8>,
    /// Proven leaves against the EE's pre-state root on this shard.
    pub witness: Witness,
}
