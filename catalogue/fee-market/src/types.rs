//! The fee market's SCALE types: what relayers sign and producers send.
use alloc::vec::Vec;
use ee_sdk::codec::{Decode, Encode};
use ee_sdk::stateless::Witness;
use ee_sdk::{BlsPublicKey, BlsSignature, EeId, Root, ShardId};

/// An account (a relayer's or a block producer's), keyed by its BLS public key: the SDK's
/// balance-and-nonce leaf.
pub use ee_sdk::stateless::Account;

/// A relayer's offer: "pay `fee` from my account to whoever includes all of `txs` in one
/// block on this shard". Signed once; collectable once (its `nonce`).
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct Bid {
    /// The paying relayer.
    pub relayer: BlsPublicKey,
    /// Hashes of the transactions the relayer packaged (`ee_host`'s and the clients'
    /// `tx_hash`: sha256 of SCALE `(shard, ShardTransaction)`).
    pub txs: Vec<Root>,
    /// Gwei paid for the whole package.
    pub fee: u64,
    /// The relayer account's nonce this bid consumes.
    pub nonce: u64,
    /// The relayer's signature of [`Bid::signing_message`].
    pub signature: BlsSignature,
}

impl Bid {
    /// What the relayer signs: a domain tag, the fee market's id and shard, then the bid
    /// without its signature.
    pub fn signing_message(&self, market: EeId, shard: ShardId) -> Vec<u8> {
        (b"fee-market-bid", market, shard, &self.relayer, &self.txs, self.fee, self.nonce).encode()
    }
}

/// A bid as the producer claims it: where each of its transactions sits in the block.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct Claim {
    /// The relayer's bid.
    pub bid: Bid,
    /// For each of `bid.txs`, its index in the block (what `lookback_hash` reads).
    pub positions: Vec<u32>,
}

/// Most transactions one bid may name.
pub const MAX_BID_TXS: usize = 256;

/// Most bids one collection may claim.
pub const MAX_CLAIMS: usize = 256;

/// One fee-market operation.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub enum Op {
    /// Claims beacon deposit receipt `index` (its `DepositData` names this EE): the host
    /// credits the EE's balance, the EE checks the depositor's signature and credits the
    /// account of the receipt's `pubkey`. How relayers fund themselves.
    Deposit {
        /// Index in the beacon state's deposit receipts.
        index: u64,
    },
    /// The block producer's call at the end of the block: for every claim, checks that
    /// each transaction of the bid was included earlier in this block (lookback), the
    /// relayer's signature and nonce, and moves the fee from the relayer to `producer`.
    /// All or nothing.
    Collect {
        /// The account credited with the fees.
        producer: BlsPublicKey,
        /// The bids claimed (at most [`MAX_CLAIMS`]).
        claims: Vec<Claim>,
    },
    /// Signed withdrawal: debits `account` and prints a netting output paying
    /// `(target_shard, target_ee)` (another EE, or this one on another shard).
    Withdraw {
        /// The paying account.
        account: BlsPublicKey,
        /// Shard of the payee.
        target_shard: ShardId,
        /// The payee EE.
        target_ee: EeId,
        /// Gwei.
        amount: u64,
        /// The account's current nonce.
        nonce: u64,
        /// The account key's signature of [`Op::signing_message`].
        signature: BlsSignature,
    },
    /// Returns the SCALE [`Account`] of `account` as return data (for EEs calling in and
    /// for clients checking a witness).
    Balance {
        /// The account.
        account: BlsPublicKey,
    },
}

impl Op {
    /// What a signed operation's key signs (`None` for unsigned ones; bids sign
    /// [`Bid::signing_message`]).
    pub fn signing_message(&self, market: EeId, shard: ShardId) -> Option<Vec<u8>> {
        match self {
            Op::Withdraw { account, target_shard, target_ee, amount, nonce, .. } => Some(
                (b"fee-market-withdraw", market, shard, account, target_shard, target_ee, amount, nonce)
                    .encode(),
            ),
            _ => None,
        }
    }
}

/// A fee-market transaction: the operation and the witness of every leaf it touches.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct FeeTx {
    /// The operation.
    pub op: Op,
    /// Proven leaves against the EE's pre-state root on this shard.
    pub witness: Witness,
}
