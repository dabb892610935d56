//! Seed 004's beacon operation deploying an EE.
use crate::keys::SecretKey;
use ee_sdk::{BlsPublicKey, BlsSignature};
use parity_scale_codec::{Decode, Encode};

/// `NewExecutionScript {sender, slot, code, pubkey, signature}`: `sender` is a validator
/// whose key is `pubkey`; it locks the network's EE deposit.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct NewExecutionScript {
    /// The depositing validator.
    pub sender: u64,
    /// The slot the deployer signed for (any slot; replays are refused by hash).
    pub slot: u64,
    /// The wasm code.
    pub code: Vec<u8>,
    /// The sender's key.
    pub pubkey: BlsPublicKey,
    /// `pubkey`'s signature of [`NewExecutionScript::signing_message`].
    pub signature: BlsSignature,
}

impl NewExecutionScript {
    /// What the sender signs: a domain tag and every field but the signature.
    pub fn signing_message(&self) -> Vec<u8> {
        (b"ee-new-execution-script", self.sender, self.slot, &self.code, &self.pubkey[..]).encode()
    }

    /// A deployment of `code` by validator `sender` whose key is `key`, signed.
    pub fn signed(sender: u64, slot: u64, code: Vec<u8>, key: &SecretKey) -> Self {
        let mut s = NewExecutionScript { sender, slot, code, pubkey: key.public(), signature: [0; 96] };
        s.signature = key.sign(&s.signing_message());
        s
    }

    /// Whether the signature verifies for `pubkey` (pure Rust; the node verifies with
    /// `blst`, with the same answer).
    pub fn verify(&self) -> bool {
        ee_sdk::bls::verify(&self.pubkey, &self.signing_message(), &self.signature)
    }
}
