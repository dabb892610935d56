//! Signature verification behind the `bls_verify` host function.
//!
//! BLS12-381 as Eth2 uses it (public keys in G1, 48 bytes; signatures in G2, 96 bytes;
//! the proof-of-possession ciphersuite), through `blst`. Chosen over faster schemes such as
//! ed25519 because validator deposits are already BLS-signed: the same key that made a
//! deposit signs the transfers of the account it funded, and the host needs one verifier.
use blst::BLST_ERROR;
use blst::min_pk::{PublicKey, Signature};

/// Eth2's ciphersuite for proof-of-possession BLS signatures.
pub const DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// Whether `sig` is a valid signature of `msg` by `pk` (both checked for encoding and
/// subgroup membership). Any malformed input is simply `false`.
pub fn bls_verify(pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let Ok(pk) = PublicKey::key_validate(pk) else { return false };
    let Ok(sig) = Signature::sig_validate(sig, true) else { return false };
    sig.verify(true, msg, DST, &[], &pk, true) == BLST_ERROR::BLST_SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use blst::min_pk::SecretKey;

    #[test]
    fn verifies_only_the_signed_message_by_its_key() {
        let sk = SecretKey::key_gen(&[7u8; 32], &[]).unwrap();
        let other = SecretKey::key_gen(&[8u8; 32], &[]).unwrap();
        let pk = sk.sk_to_pk().compress();
        let sig = sk.sign(b"hello", DST, &[]).compress();
        assert!(bls_verify(&pk, b"hello", &sig));
        assert!(!bls_verify(&pk, b"hellO", &sig));
        assert!(!bls_verify(&other.sk_to_pk().compress(), b"hello", &sig));
        assert!(!bls_verify(&pk[..47], b"hello", &sig));
        assert!(!bls_verify(&pk, b"hello", &[0u8; 96]));
        assert!(!bls_verify(&[0xffu8; 48], b"hello", &sig));
    }
}
