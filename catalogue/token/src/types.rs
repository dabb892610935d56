//! The token EE's SCALE types.
use alloc::vec::Vec;
use ee_sdk::codec::{Decode, Encode};
use ee_sdk::stateless::Witness;
use ee_sdk::{BlsPublicKey, BlsSignature, EeId, Root, ShardId};

/// A token is named by its issuer's key: only that key mints it.
pub type TokenId = BlsPublicKey;

/// Most receipts one cross-shard transfer may carry.
pub const MAX_RECEIPTS: usize = 64;

/// One leaf of a cross-shard transfer's receipt tree.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct TokenReceipt {
    /// The token.
    pub token: TokenId,
    /// The sender (debited on the source shard).
    pub from: BlsPublicKey,
    /// The account credited on the target shard.
    pub to: BlsPublicKey,
    /// Token units.
    pub amount: u64,
    /// The sender's nonce of the transfer (makes every transfer's root its own).
    pub nonce: u64,
}

/// One token operation. Signed operations are signed by the named signer over
/// [`Op::signing_message`] and consume that key's nonce.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub enum Op {
    /// The issuer (`token`) creates `amount` for `to` on this shard.
    Mint {
        /// The token (its issuer signs).
        token: TokenId,
        /// The credited account.
        to: BlsPublicKey,
        /// Units.
        amount: u64,
        /// The issuer's nonce.
        nonce: u64,
        /// Signature.
        signature: BlsSignature,
    },
    /// `from` sends `amount` to `to` on this shard.
    Transfer {
        /// The token.
        token: TokenId,
        /// The sender (signs).
        from: BlsPublicKey,
        /// The receiver.
        to: BlsPublicKey,
        /// Units.
        amount: u64,
        /// The sender's nonce.
        nonce: u64,
        /// Signature.
        signature: BlsSignature,
    },
    /// `owner` lets `spender` move up to `amount` of its tokens (replacing any earlier
    /// allowance).
    Approve {
        /// The token.
        token: TokenId,
        /// The owner (signs).
        owner: BlsPublicKey,
        /// Who may spend.
        spender: BlsPublicKey,
        /// Units allowed.
        amount: u64,
        /// The owner's nonce.
        nonce: u64,
        /// Signature.
        signature: BlsSignature,
    },
    /// `spender` moves `amount` of `owner`'s tokens to `to` within its allowance.
    TransferFrom {
        /// The token.
        token: TokenId,
        /// The spender (signs).
        spender: BlsPublicKey,
        /// Whose tokens.
        owner: BlsPublicKey,
        /// The receiver.
        to: BlsPublicKey,
        /// Units.
        amount: u64,
        /// The spender's nonce.
        nonce: u64,
        /// Signature.
        signature: BlsSignature,
    },
    /// `from` sends tokens to accounts on `target_shard`: debits the total and prints a
    /// message (a zero-amount netting output) to this EE on that shard carrying the root
    /// of the [`TokenReceipt`]s.
    CrossShard {
        /// The token.
        token: TokenId,
        /// The sender (signs).
        from: BlsPublicKey,
        /// Where the receipts are claimed.
        target_shard: ShardId,
        /// `(receiver, units)`, at most [`MAX_RECEIPTS`].
        to: Vec<(BlsPublicKey, u64)>,
        /// The sender's nonce.
        nonce: u64,
        /// Signature.
        signature: BlsSignature,
    },
    /// Claims receipt `index` of the tree with root `data_root` that this EE on
    /// `source_shard` sent here (anyone may submit it; the receipt's `to` is credited).
    Claim {
        /// Where the receipts were sent from.
        source_shard: ShardId,
        /// Their root.
        data_root: Root,
        /// This receipt's index.
        index: u32,
        /// The receipt.
        receipt: TokenReceipt,
        /// Compiled proof of `index → sha256(receipt)` against `data_root`.
        proof: Vec<u8>,
    },
    /// Returns the SCALE `u64` balance of `holder` in `token` as return data.
    Balance {
        /// The token.
        token: TokenId,
        /// The holder.
        holder: BlsPublicKey,
    },
}

impl Op {
    /// The signing key and the message it signs (a domain tag, the EE's id and shard, then
    /// the operation without its signature); `None` for unsigned operations.
    pub fn signed_by(&self, ee: EeId, shard: ShardId) -> Option<(BlsPublicKey, Vec<u8>)> {
        let prefix = (b"token-op", ee, shard);
        match self {
            Op::Mint { token, to, amount, nonce, .. } => {
                Some((*token, (prefix, 1u8, token, to, amount, nonce).encode()))
            }
            Op::Transfer { token, from, to, amount, nonce, .. } => {
                Some((*from, (prefix, 2u8, token, from, to, amount, nonce).encode()))
            }
            Op::Approve { token, owner, spender, amount, nonce, .. } => {
                Some((*owner, (prefix, 3u8, token, owner, spender, amount, nonce).encode()))
            }
            Op::TransferFrom { token, spender, owner, to, amount, nonce, .. } => {
                Some((*spender, (prefix, 4u8, token, spender, owner, to, amount, nonce).encode()))
            }
            Op::CrossShard { token, from, target_shard, to, nonce, .. } => {
                Some((*from, (prefix, 5u8, token, from, target_shard, to, nonce).encode()))
            }
            Op::Claim { .. } | Op::Balance { .. } => None,
        }
    }

    /// A copy with `signature` set (signed operations).
    pub fn with_signature(mut self, sig: BlsSignature) -> Self {
        match &mut self {
            Op::Mint { signature, .. }
            | Op::Transfer { signature, .. }
            | Op::Approve { signature, .. }
            | Op::TransferFrom { signature, .. }
            | Op::CrossShard { signature, .. } => *signature = sig,
            Op::Claim { .. } | Op::Balance { .. } => {}
        }
        self
    }

    fn nonce(&self) -> u64 {
        match self {
            Op::Mint { nonce, .. }
            | Op::Transfer { nonce, .. }
            | Op::Approve { nonce, .. }
            | Op::TransferFrom { nonce, .. }
            | Op::CrossShard { nonce, .. } => *nonce,
            Op::Claim { .. } | Op::Balance { .. } => 0,
        }
    }

    fn signature(&self) -> &[u8] {
        match self {
            Op::Mint { signature, .. }
            | Op::Transfer { signature, .. }
            | Op::Approve { signature, .. }
            | Op::TransferFrom { signature, .. }
            | Op::CrossShard { signature, .. } => signature,
            Op::Claim { .. } | Op::Balance { .. } => &[],
        }
    }
}

/// A token transaction.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct TokenTx {
    /// The operation.
    pub op: Op,
    /// Proven leaves against the EE's pre-state root on this shard.
    pub witness: Witness,
}

impl ee_sdk::stateless::StatelessTx for TokenTx {
    fn witness(&self) -> &Witness {
        &self.witness
    }
}

pub(crate) fn nonce_and_signature(op: &Op) -> (u64, &[u8]) {
    (op.nonce(), op.signature())
}
