//! The VHEE's SCALE types: what users sign and send.
use alloc::vec::Vec;
use ee_sdk::codec::{Decode, Encode};
use ee_sdk::{BlsPublicKey, BlsSignature, EeId, Root, ShardId};

/// An account: a key inside one `ee_id` portion of the VHEE on some shard.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[codec(crate = ee_sdk::codec)]
pub struct Address {
    /// The portion (the `ee_id` dimension of seed 000's funds).
    pub portion: EeId,
    /// The owner's BLS public key.
    pub key: BlsPublicKey,
}

/// An account's state: the SDK's balance-and-nonce leaf (balance LE ‖ nonce LE ‖ zeros;
/// all-zero is an account that never existed).
pub use ee_sdk::stateless::Account;

/// A user-level receipt (seed 000): one leaf of the tree whose root a cross-shard
/// netting output carries.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct Receipt {
    /// The paying account.
    pub from: Address,
    /// The account credited on the target shard.
    pub to: Address,
    /// Gwei.
    pub amount: u64,
    /// Opaque data for the recipient.
    pub call_data: Vec<u8>,
}

/// One VHEE operation.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub enum Op {
    /// Claims beacon deposit receipt `index` (validator deposit): the host credits the
    /// VHEE's matrix, the VHEE checks the validator's signature and credits the account of
    /// `pubkey` in the deposit's portion.
    Deposit {
        /// Index in the beacon state's deposit receipts.
        index: u64,
    },
    /// Signed transfer between two accounts on this shard (any portions).
    Transfer {
        /// Paying account.
        from: Address,
        /// Credited account.
        to: Address,
        /// Gwei.
        amount: u64,
        /// `from`'s current nonce.
        nonce: u64,
        /// `from.key`'s signature of [`Op::signing_message`].
        signature: BlsSignature,
    },
    /// Signed payment from an account to another EE (a direct cross-EE transfer): the VHEE
    /// prints a netting output to `(target_shard, target_ee)`, netted by the meta-EE.
    PayEe {
        /// Paying account.
        from: Address,
        /// Shard of the payee.
        target_shard: ShardId,
        /// The payee EE.
        target_ee: EeId,
        /// Gwei.
        amount: u64,
        /// `from`'s current nonce.
        nonce: u64,
        /// Signature.
        signature: BlsSignature,
    },
    /// Signed cross-shard transfer: debits `from` by the receipts' total and prints one
    /// netting output to `(target_shard, VHEE)` carrying the receipts' root.
    CrossShard {
        /// Paying account (every receipt's `from`).
        from: Address,
        /// Shard the receipts are claimed on.
        target_shard: ShardId,
        /// The receipts (at most [`MAX_RECEIPTS`]).
        receipts: Vec<Receipt>,
        /// `from`'s current nonce.
        nonce: u64,
        /// Signature.
        signature: BlsSignature,
    },
    /// Claims receipt `index` of the tree with root `data_root` that the meta-EE on
    /// `source_shard` netted to this shard's VHEE. Anyone may submit it; the receipt's `to`
    /// is credited.
    Claim {
        /// Where the receipts were sent from.
        source_shard: ShardId,
        /// Their root.
        data_root: Root,
        /// This receipt's index in the tree.
        index: u32,
        /// The receipt.
        receipt: Receipt,
        /// Compiled proof of `index → sha256(receipt)` against `data_root`.
        proof: Vec<u8>,
    },
    /// From an EE calling in with `call_ee`: moves funds between two accounts of the
    /// caller's own portion, without signatures (the caller EE is their authority).
    PortionTransfer {
        /// The portion: must be the calling EE's own.
        portion: EeId,
        /// Paying key.
        from: BlsPublicKey,
        /// Credited key.
        to: BlsPublicKey,
        /// Gwei.
        amount: u64,
    },
    /// Returns the SCALE [`Account`] of `address` as return data (for EEs calling in).
    Balance {
        /// The account.
        address: Address,
    },
}

/// Most receipts in one cross-shard transfer.
pub const MAX_RECEIPTS: usize = 256;

/// A VHEE transaction: the operation plus the witness of every key it touches.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct VheeTx {
    /// The operation.
    pub op: Op,
    /// Compiled multiproof of `leaves` against the VHEE's pre-state root on this shard.
    pub proof: Vec<u8>,
    /// `(key, value)` of every touched key, in the tree's path order.
    pub leaves: Vec<(Root, Root)>,
}

impl Op {
    /// What a signed operation's key signs: a domain tag, the VHEE's id and shard (so a
    /// signature is valid for one VHEE on one shard), then the operation without its
    /// signature. `None` for unsigned operations.
    pub fn signing_message(&self, vhee: EeId, shard: ShardId) -> Option<Vec<u8>> {
        let prefix = (b"vhee-op", vhee, shard);
        match self {
            Op::Transfer { from, to, amount, nonce, .. } => {
                Some((prefix, 1u8, from, to, amount, nonce).encode())
            }
            Op::PayEe { from, target_shard, target_ee, amount, nonce, .. } => {
                Some((prefix, 2u8, from, target_shard, target_ee, amount, nonce).encode())
            }
            Op::CrossShard { from, target_shard, receipts, nonce, .. } => {
                Some((prefix, 3u8, from, target_shard, receipts, nonce).encode())
            }
            _ => None,
        }
    }

    /// A copy with `signature` set (for signed operations).
    pub fn with_signature(mut self, sig: BlsSignature) -> Self {
        match &mut self {
            Op::Transfer { signature, .. }
            | Op::PayEe { signature, .. }
            | Op::CrossShard { signature, .. } => *signature = sig,
            _ => {}
        }
        self
    }
}
