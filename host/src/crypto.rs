//! Signature verification behind the `bls_verify` host function.
//!
//! BLS12-381 as Eth2 uses it (public keys in G1, 48 bytes; signatures in G2, 96 bytes;
//! the proof-of-possession ciphersuite), through `blst` (Lighthouse's, Teku's and Prysm's
//! verifier). Chosen over faster schemes such as ed25519 because validator deposits are
//! already BLS-signed: the same key that made a deposit signs the transfers of the account
//! it funded, and the host needs one verifier. Keys and signing live with the clients
//! (`ee_sdk::bls`, pure Rust so it also builds for the browser); the tests below check
//! that both implementations agree byte for byte.
use blst::BLST_ERROR;
use blst::min_pk::{PublicKey, Signature};

/// Eth2's ciphersuite for proof-of-possession BLS signatures (the same as the clients'
/// `ee_sdk::bls::DST`; a test checks it).
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
    use blst::min_pk::SecretKey as BlstKey;
    use ee_sdk::bls;

    #[test]
    fn verifies_only_the_signed_message_by_its_key() {
        let sk = BlstKey::key_gen(&[7u8; 32], &[]).unwrap();
        let other = BlstKey::key_gen(&[8u8; 32], &[]).unwrap();
        let pk = sk.sk_to_pk().compress();
        let sig = sk.sign(b"hello", DST, &[]).compress();
        assert!(bls_verify(&pk, b"hello", &sig));
        assert!(!bls_verify(&pk, b"hellO", &sig));
        assert!(!bls_verify(&other.sk_to_pk().compress(), b"hello", &sig));
        assert!(!bls_verify(&pk[..47], b"hello", &sig));
        assert!(!bls_verify(&pk, b"hello", &[0u8; 96]));
        assert!(!bls_verify(&[0xffu8; 48], b"hello", &sig));
    }

    #[test]
    fn the_clients_pure_rust_keys_and_signatures_equal_blsts() {
        assert_eq!(DST, bls::DST);
        for seed in 0u8..8 {
            let ikm = [seed.wrapping_mul(37); 40];
            let ours = bls::SecretKey::from_ikm(&ikm).unwrap();
            let theirs = BlstKey::key_gen(&ikm, &[]).unwrap();
            assert_eq!(ours.to_bytes(), theirs.to_bytes(), "KeyGen");
            assert_eq!(ours.public(), theirs.sk_to_pk().compress(), "public key");
            let msg = [seed; 77];
            let sig = ours.sign(&msg);
            assert_eq!(sig, theirs.sign(&msg, DST, &[]).compress(), "signature");
            assert!(bls_verify(&ours.public(), &msg, &sig), "blst accepts the client's signature");
            assert!(bls::verify(
                &theirs.sk_to_pk().compress(),
                &msg,
                &theirs.sign(&msg, DST, &[]).compress()
            ));
            let mut bad = sig;
            bad[5] ^= 1;
            assert!(!bls_verify(&ours.public(), &msg, &bad));
            assert!(!bls::verify(&ours.public(), &msg, &bad));
        }
    }
}
