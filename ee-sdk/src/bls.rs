//! BLS12-381 keys and signatures in pure Rust (feature `bls`), for clients: wallets, the
//! VHEE's client, deployers, and the JavaScript client compiled to `wasm32-unknown-unknown`.
//!
//! Eth2's scheme: public keys in G1 (48 bytes compressed), signatures in G2 (96 bytes),
//! the proof-of-possession ciphersuite [`DST`], and the IETF `KeyGen` (HKDF-SHA256) for
//! deriving a secret key from key material. Keys, public keys and signatures are
//! byte-identical to `blst`'s (which the host verifies with); `ee-host`'s tests check it
//! both ways. EEs never link this: they verify through the host's metered `bls_verify`.
use bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
use bls12_381::{G1Affine, G1Projective, G2Affine, G2Prepared, G2Projective, Gt, Scalar, multi_miller_loop};
use sha2_10::{Digest, Sha256};

/// Eth2's ciphersuite for proof-of-possession BLS signatures.
pub const DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// A BLS12-381 secret key.
#[derive(Clone)]
pub struct SecretKey(Scalar);

impl core::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// The key derived from at least 32 bytes of key material with the IETF BLS
    /// signature draft's `KeyGen` (empty `key_info`), as `blst`'s `key_gen`; `None` if
    /// there are fewer than 32 bytes.
    pub fn from_ikm(ikm: &[u8]) -> Option<SecretKey> {
        if ikm.len() < 32 {
            return None;
        }
        let mut salt = Sha256::digest(b"BLS-SIG-KEYGEN-SALT-");
        let mut input = alloc::vec::Vec::with_capacity(ikm.len() + 1);
        input.extend_from_slice(ikm);
        input.push(0);
        loop {
            let hk = hkdf::Hkdf::<Sha256>::new(Some(&salt), &input);
            let mut okm = [0u8; 48];
            // 48 bytes is far below HKDF-SHA256's 8,160-byte limit.
            hk.expand(&[0, 48], &mut okm).ok()?;
            let mut wide = [0u8; 64];
            for (w, o) in wide.iter_mut().zip(okm.iter().rev()) {
                *w = *o;
            }
            let sk = Scalar::from_bytes_wide(&wide);
            if sk != Scalar::zero() {
                return Some(SecretKey(sk));
            }
            salt = Sha256::digest(salt);
        }
    }

    /// The key derived from `seed` (any bytes) through sha256 and [`SecretKey::from_ikm`].
    pub fn from_seed(seed: &[u8]) -> SecretKey {
        let ikm: [u8; 32] = Sha256::digest(seed).into();
        match SecretKey::from_ikm(&ikm) {
            Some(k) => k,
            None => unreachable!("32 bytes of key material"),
        }
    }

    /// Reads a 32-byte big-endian scalar; `None` unless it is in `1..r`.
    pub fn from_bytes(bytes: &[u8]) -> Option<SecretKey> {
        let mut le: [u8; 32] = bytes.try_into().ok()?;
        le.reverse();
        let sk = Option::<Scalar>::from(Scalar::from_bytes(&le))?;
        (sk != Scalar::zero()).then_some(SecretKey(sk))
    }

    /// The 32-byte big-endian scalar (what key files store).
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut b = self.0.to_bytes();
        b.reverse();
        b
    }

    /// The compressed public key.
    pub fn public(&self) -> [u8; 48] {
        G1Affine::from(G1Projective::generator() * self.0).to_compressed()
    }

    /// Signs `msg` ([`DST`]).
    pub fn sign(&self, msg: &[u8]) -> [u8; 96] {
        G2Affine::from(hash_to_g2(msg) * self.0).to_compressed()
    }
}

fn hash_to_g2(msg: &[u8]) -> G2Projective {
    <G2Projective as HashToCurve<ExpandMsgXmd<Sha256>>>::hash_to_curve([msg], DST)
}

/// Whether `signature` is a valid signature of `msg` by `pubkey` (both checked for
/// encoding, subgroup membership and not being the identity). Malformed input is `false`.
pub fn verify(pubkey: &[u8], msg: &[u8], signature: &[u8]) -> bool {
    let (Ok(pk), Ok(sig)) = (<&[u8; 48]>::try_from(pubkey), <&[u8; 96]>::try_from(signature)) else {
        return false;
    };
    let (Some(pk), Some(sig)) = (
        Option::<G1Affine>::from(G1Affine::from_compressed(pk)),
        Option::<G2Affine>::from(G2Affine::from_compressed(sig)),
    ) else {
        return false;
    };
    if bool::from(pk.is_identity()) || bool::from(sig.is_identity()) {
        return false;
    }
    let h = G2Affine::from(hash_to_g2(msg));
    let terms = [(&pk, &G2Prepared::from(h)), (&-G1Affine::generator(), &G2Prepared::from(sig))];
    multi_miller_loop(&terms).final_exponentiation() == Gt::identity()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_sign_and_verify() {
        let k = SecretKey::from_seed(b"dev");
        let again = SecretKey::from_bytes(&k.to_bytes()).unwrap();
        assert_eq!(k.public(), again.public());
        let sig = again.sign(b"m");
        assert!(verify(&k.public(), b"m", &sig));
        assert!(!verify(&k.public(), b"n", &sig));
        assert!(!verify(&SecretKey::from_seed(b"other").public(), b"m", &sig));
        assert!(!verify(&k.public()[..47], b"m", &sig));
        assert!(!verify(&k.public(), b"m", &[0u8; 96]));
        assert!(SecretKey::from_ikm(&[1; 31]).is_none());
        assert!(SecretKey::from_bytes(&[0; 32]).is_none(), "zero is not a key");
        assert!(SecretKey::from_bytes(&[0xff; 32]).is_none(), "above the group order");
    }
}
