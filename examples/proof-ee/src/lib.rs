//! # proof-ee
//!
//! Verifies a [`ProofCheck`]: a compiled sparse-Merkle multiproof of some leaves against a
//! root, then saves the root as its state root (aborting with "invalid proof" otherwise).
//! Built twice by `scripts/build-ees.sh`: `proof_ee.wasm` hashes through the host's
//! metered `sha256`, `proof_ee_pure.wasm` (feature `pure-sha256`) hashes in wasm. The same
//! proof through both gives the cost of the host function against the pure-wasm fallback
//! (`cargo bench -p ee-integration --bench witness`).
#![cfg_attr(not(test), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use ee_sdk::codec::{Decode, Encode};
use ee_sdk::{Root, env, proof};

/// The transaction data: a root, a compiled proof and the proven leaves.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
#[codec(crate = ee_sdk::codec)]
pub struct ProofCheck {
    /// The expected root.
    pub root: Root,
    /// The compiled proof.
    pub proof: Vec<u8>,
    /// `(path, value)` leaves in path order.
    pub leaves: Vec<(Root, Root)>,
}

#[cfg(not(feature = "pure-sha256"))]
type Hasher = proof::HostSha256;
#[cfg(feature = "pure-sha256")]
type Hasher = proof::PureSha256;

/// Verifies the proof in the transaction data.
pub fn run() -> Result<(), &'static str> {
    let check: ProofCheck = env::decode_block_data("proof-ee: data is not a ProofCheck");
    if !proof::verify::<Hasher>(&check.root, &check.proof, &check.leaves) {
        return Err("invalid proof");
    }
    env::save_post_state_root(&check.root);
    Ok(())
}

ee_sdk::entry!(run);
