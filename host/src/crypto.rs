//! Signature verification behind the `bls_verify` host function.
//!
//! BLS12-381 as Eth2 uses it (public keys in G1, 48 bytes; signatures in G2, 96 bytes;
//! the proof-of-possession ciphersuite), through `blst`. Chosen over faster schemes such as
//! ed25519 because validator deposits are already BLS-signed: the same key that made a
//! deposit signs the transfers of the account it funded, and the host needs one verifier.
use blst::BLST_ERROR;
use blst::min_pk::{PublicKey, SecretKey as BlsSecret, Signature};

/// Eth2's ciphersuite for proof-of-possession BLS signatures.
pub const DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// Whether `sig` is a valid signature of `msg` by `pk` (both checked for encoding and
/// subgroup membership). Any malformed input is simply `false`.
pub fn bls_verify(pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let Ok(pk) = PublicKey::key_validate(pk) else { return false };
    let Ok(sig) = Signature::sig_validate(sig, true) else { return false };
    sig.verify(true, msg, DST, &[], &pk, true) == BLST_ERROR::BLST_SUCCESS
}

/// A BLS12-381 secret key (for the devnet's deployers and tests).
pub struct SecretKey(BlsSecret);

impl SecretKey {
    /// The key derived from 32 or more bytes of key material (deterministic); `None` if
    /// there are fewer than 32.
    pub fn from_ikm(ikm: &[u8]) -> Option<SecretKey> {
        BlsSecret::key_gen(ikm, &[]).ok().map(SecretKey)
    }

    /// The key derived from `seed` (any bytes) through sha256.
    pub fn from_seed(seed: &[u8]) -> SecretKey {
        use sha2::Digest;
        let ikm: [u8; 32] = sha2::Sha256::digest(seed).into();
        SecretKey::from_ikm(&ikm).expect("32 bytes of key material")
    }

    /// The 32-byte big-endian scalar (what key files store).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Reads a 32-byte scalar.
    pub fn from_bytes(bytes: &[u8]) -> Option<SecretKey> {
        BlsSecret::from_bytes(bytes).ok().map(SecretKey)
    }

    /// The compressed public key.
    pub fn public(&self) -> [u8; 48] {
        self.0.sk_to_pk().compress()
    }

    /// Signs `msg` (proof-of-possession ciphersuite).
    pub fn sign(&self, msg: &[u8]) -> [u8; 96] {
        self.0.sign(msg, DST, &[]).compress()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blst::min_pk::SecretKey;

    #[test]
    fn secret_keys_round_trip_and_sign() {
        let k = super::SecretKey::from_seed(b"dev");
        let again = super::SecretKey::from_bytes(&k.to_bytes()).unwrap();
        assert_eq!(k.public(), again.public());
        assert!(bls_verify(&k.public(), b"m", &again.sign(b"m")));
        assert!(super::SecretKey::from_ikm(&[1; 31]).is_none());
    }

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
