//! Pure-Rust stand-in for the `blake2b-rs` 0.2 API (see README.md).
#![no_std]

/// An in-progress BLAKE2b hash.
pub struct Blake2b {
    state: blake2b_simd::State,
    out_len: usize,
}

/// Builder for [`Blake2b`] with output length, key, salt and personalisation.
pub struct Blake2bBuilder {
    params: blake2b_simd::Params,
    out_len: usize,
}

impl Blake2bBuilder {
    /// A builder producing `out_len`-byte digests (1..=64).
    pub fn new(out_len: usize) -> Self {
        let mut params = blake2b_simd::Params::new();
        params.hash_length(out_len);
        Self { params, out_len }
    }

    /// Sets the 16-byte salt.
    pub fn salt(mut self, salt: &[u8]) -> Self {
        self.params.salt(salt);
        self
    }

    /// Sets the 16-byte personalisation string.
    pub fn personal(mut self, personal: &[u8]) -> Self {
        self.params.personal(personal);
        self
    }

    /// Sets the key (keyed hashing); an empty key means unkeyed.
    pub fn key(mut self, key: &[u8]) -> Self {
        self.params.key(key);
        self
    }

    /// Finishes the builder.
    pub fn build(self) -> Blake2b {
        Blake2b { state: self.params.to_state(), out_len: self.out_len }
    }
}

impl Blake2b {
    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        self.state.update(data);
    }

    /// Writes the digest into `dst` (up to the configured output length).
    pub fn finalize(self, dst: &mut [u8]) {
        let hash = self.state.finalize();
        let n = core::cmp::min(dst.len(), self.out_len);
        dst[..n].copy_from_slice(&hash.as_bytes()[..n]);
    }
}

/// One-shot BLAKE2b of `data` with `key`, digest length `dst.len()`.
pub fn blake2b(key: &[u8], data: &[u8], dst: &mut [u8]) {
    let mut hasher = Blake2bBuilder::new(dst.len()).key(key).build();
    hasher.update(data);
    hasher.finalize(dst);
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_rfc7693_abc_vector() {
        let mut out = [0u8; 64];
        super::blake2b(&[], b"abc", &mut out);
        assert_eq!(out[..4], [0xba, 0x80, 0xa5, 0x3f]);
        assert_eq!(out[60..], [0xd4, 0x00, 0x99, 0x23]);
    }
}
