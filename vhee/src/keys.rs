//! Keys of the VHEE's tree on one shard.
//!
//! Root-side byte 31 is a tag; accounts put their portion in bytes 30..=27 (so a portion is
//! one subtree, as seed 000's "portion of the trie associated with the same ee_id") and
//! `sha256(pubkey)` in the rest. Receipt claims are keyed by hashes of where they came from.
use crate::types::Address;
use ee_sdk::Env;
use ee_sdk::codec::Encode;
use ee_sdk::{Root, ShardId};

const ACCOUNT: u8 = 1;
const CLAIMED_RECEIPT: u8 = 2;
const CLAIMED_TOTAL: u8 = 3;

fn key(tag: u8, high: [u8; 4], low: &Root) -> Root {
    let mut k = [0u8; 32];
    k[..27].copy_from_slice(&low[..27]);
    k[27..31].copy_from_slice(&high);
    k[31] = tag;
    k
}

/// The account of `address`.
pub fn account(host: &mut impl Env, address: &Address) -> Root {
    key(ACCOUNT, address.portion.0.to_le_bytes(), &host.sha256(&address.key))
}

/// The bit of receipt `index` of `(source, root)`: non-zero once claimed.
pub fn claimed_receipt(host: &mut impl Env, source: ShardId, root: &Root, index: u32) -> Root {
    key(CLAIMED_RECEIPT, [0; 4], &host.sha256(&(source, root, index).encode()))
}

/// The total claimed so far from `(source, root)`.
pub fn claimed_total(host: &mut impl Env, source: ShardId, root: &Root) -> Root {
    key(CLAIMED_TOTAL, [0; 4], &host.sha256(&(source, root).encode()))
}
