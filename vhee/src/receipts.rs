//! The receipt tree a cross-shard transfer commits to: the SDK's receipt tree
//! ([`ee_sdk::receipts`]) over the VHEE's [`Receipt`]s, its root the netting output's
//! `data_root`.
use crate::error::VheeError;
use crate::types::Receipt;
use alloc::vec::Vec;
use ee_sdk::Env;
use ee_sdk::Root;
use ee_sdk::proof::Hasher;

pub use ee_sdk::receipts::{key, verify};

/// The leaf of `receipt`.
pub fn leaf(host: &mut impl Env, receipt: &Receipt) -> Root {
    ee_sdk::receipts::leaf(host, receipt)
}

/// The `data_root` of `receipts`.
pub fn data_root<H: Hasher + Default>(host: &mut impl Env, receipts: &[Receipt]) -> Result<Root, VheeError> {
    ee_sdk::receipts::data_root::<H, _>(host, receipts).ok_or(VheeError::Malformed)
}

/// The compiled proof of receipt `index` among `receipts`.
pub fn prove<H: Hasher + Default>(
    host: &mut impl Env,
    receipts: &[Receipt],
    index: u32,
) -> Result<Vec<u8>, VheeError> {
    ee_sdk::receipts::prove::<H, _>(host, receipts, index).ok_or(VheeError::Malformed)
}
