//! # data-checkin-ee
//!
//! Seed 002's "basic data check-in": an account (a BLS key) commits a data root — a
//! rollup's or a Plasma chain's state root — for one of its chains on a shard. Each
//! check-in carries the next sequence number of `(key, chain)` and the key's signature, so
//! check-ins are ordered, unforgeable and never replayed. The EE keeps:
//!
//! * `checkin/head ‖ key ‖ chain` → the latest sequence number and data root;
//! * `checkin/entry ‖ key ‖ chain ‖ seq` → the data root checked in at `seq`,
//!
//! so anyone holding the EE's state root on the shard (crosslinked in the beacon state)
//! verifies "root R was checked in at seq n" from one Merkle proof
//! ([`client::verify_entry`]). Stateless: each transaction carries the witness of the two
//! leaves it touches.
#![cfg_attr(not(any(test, feature = "client")), no_std)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "client")]
pub mod client;

use alloc::vec::Vec;
use core::fmt;
use ee_sdk::codec::{Decode, Encode};
use ee_sdk::stateless::{self, Leaves, Witness};
use ee_sdk::{BlsPublicKey, BlsSignature, EeId, Env, Root, ShardId};

/// One check-in: `key` commits `data_root` as number `seq` of its chain `chain`.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct Checkin {
    /// The committing account.
    pub key: BlsPublicKey,
    /// Which of the key's chains (any 32 bytes, e.g. a rollup's id).
    pub chain: Root,
    /// 1 for the first check-in of `(key, chain)`, then one more each time.
    pub seq: u64,
    /// The committed root (not zero).
    pub data_root: Root,
    /// `key`'s signature of [`Checkin::signing_message`].
    pub signature: BlsSignature,
}

impl Checkin {
    /// What the key signs: a domain tag, the EE's id and shard, then the check-in without
    /// its signature.
    pub fn signing_message(&self, ee: EeId, shard: ShardId) -> Vec<u8> {
        (b"data-checkin", ee, shard, &self.key, &self.chain, self.seq, &self.data_root).encode()
    }
}

/// A check-in transaction: the check-in and the witness of its head and entry leaves.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct CheckinTx {
    /// The check-in.
    pub checkin: Checkin,
    /// Proven leaves against the EE's pre-state root on this shard.
    pub witness: Witness,
}

impl stateless::StatelessTx for CheckinTx {
    fn witness(&self) -> &Witness {
        &self.witness
    }
}

/// The latest check-in of a `(key, chain)`, as its head leaf stores it: `seq` (LE) in the
/// first 8 bytes, then the first 24 bytes of the data root's sha256 (the root itself is in
/// the entry leaf).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Head {
    /// Sequence number of the latest check-in (0: none yet).
    pub seq: u64,
}

impl Head {
    fn from_value(v: &Root) -> Head {
        let mut b = [0u8; 8];
        b.copy_from_slice(&v[..8]);
        Head { seq: u64::from_le_bytes(b) }
    }

    fn to_value(self, host: &mut impl Env, data_root: &Root) -> Root {
        let mut v = [0u8; 32];
        v[..8].copy_from_slice(&self.seq.to_le_bytes());
        v[8..].copy_from_slice(&host.sha256(data_root)[..24]);
        v
    }
}

/// Why a check-in was refused (the transaction aborts with the message: nothing changes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckinError {
    /// The data is not a SCALE `CheckinTx`.
    Malformed,
    /// The witness does not prove its leaves against the EE's pre-state root.
    WitnessInvalid,
    /// A touched leaf is not in the witness.
    WitnessMissing,
    /// The signature does not verify.
    BadSignature,
    /// Not the next sequence number of `(key, chain)` (a replay, or a gap).
    WrongSeq,
    /// A zero data root.
    ZeroRoot,
}

impl CheckinError {
    /// The abort message.
    pub fn message(self) -> &'static str {
        match self {
            CheckinError::Malformed => "data-checkin: data is not a CheckinTx",
            CheckinError::WitnessInvalid => "data-checkin: witness does not match the pre-state root",
            CheckinError::WitnessMissing => "data-checkin: a touched leaf is not in the witness",
            CheckinError::BadSignature => "data-checkin: signature does not verify",
            CheckinError::WrongSeq => "data-checkin: not the next sequence number",
            CheckinError::ZeroRoot => "data-checkin: zero data root",
        }
    }
}

impl fmt::Display for CheckinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl From<stateless::Missing> for CheckinError {
    fn from(_: stateless::Missing) -> Self {
        CheckinError::WitnessMissing
    }
}

/// The head leaf of `(key, chain)`.
pub fn head_key(host: &mut impl Env, key: &BlsPublicKey, chain: &Root) -> Root {
    stateless::leaf_key(host, &[b"checkin/head", key, chain])
}

/// The entry leaf of check-in `seq` of `(key, chain)`.
pub fn entry_key(host: &mut impl Env, key: &BlsPublicKey, chain: &Root, seq: u64) -> Root {
    stateless::leaf_key(host, &[b"checkin/entry", key, chain, &seq.to_le_bytes()])
}

/// The state transition: checks and records `c`.
pub fn execute(c: &Checkin, leaves: &mut impl Leaves, host: &mut impl Env) -> Result<(), CheckinError> {
    if c.data_root == [0; 32] {
        return Err(CheckinError::ZeroRoot);
    }
    let hk = head_key(host, &c.key, &c.chain);
    let head = Head::from_value(&leaves.get(&hk)?);
    if head.seq.checked_add(1) != Some(c.seq) {
        return Err(CheckinError::WrongSeq);
    }
    if !host.bls_verify(&c.key, &c.signing_message(host.ee_id(), host.shard_id()), &c.signature) {
        return Err(CheckinError::BadSignature);
    }
    let value = Head { seq: c.seq }.to_value(host, &c.data_root);
    leaves.set(hk, value)?;
    let ek = entry_key(host, &c.key, &c.chain, c.seq);
    leaves.set(ek, c.data_root)?;
    Ok(())
}

/// The EE's entry.
pub fn run() -> Result<(), &'static str> {
    stateless::run_tx(
        CheckinError::Malformed,
        CheckinError::WitnessInvalid,
        |tx: &CheckinTx, leaves, host| execute(&tx.checkin, leaves, host),
    )
    .map_err(CheckinError::message)
}

ee_sdk::entry!(run);
