//! The key space of a shard's sparse Merkle tree.
//!
//! Three kinds of leaves live in one tree per shard `r`:
//!
//! | key | value |
//! |---|---|
//! | `EeRoot(e)` | EE `e`'s 32-byte state root on shard `r` |
//! | `Balance { column: c, ee: e }` | cell `M_e[r][c]` = `shard[r].balances[c][e]`, an `i64` |
//! | `KnownMin(e)` | known minimum of `Σ_{i≠r} M_e[i][r]` recorded on shard `r`, a `u64` |
//!
//! # Layout
//!
//! `sparse-merkle-tree` walks a key from bit 255 (root) down to bit 0 (leaf), and bit `i`
//! is bit `i % 8` of byte `i / 8`. [`KeyLayout::ColumnMajor`] writes the big-endian string
//! `tag ‖ column ‖ ee` into bytes 31, 30, … so that the root-side bits are the tag, then the
//! column, then the EE: all cells of one column (for every EE) sit in one subtree, and a
//! proof for many EEs of that column shares every node above it. [`KeyLayout::Hashed`]
//! (`sha256(tag ‖ column ‖ ee)`) scatters them, for comparison (`ee sim --layout hashed`).
use ee_sdk::{EeId, ShardId};
use sha2::{Digest, Sha256};
use sparse_merkle_tree::H256;
use std::fmt;

/// A 32-byte leaf value; all-zero means absent.
pub type Value = [u8; 32];

/// A key of a shard's state tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StateKey {
    /// An EE's state root on this shard.
    EeRoot(EeId),
    /// This shard's cell of an EE's balance matrix for `column`.
    Balance {
        /// The shard the funds are for.
        column: ShardId,
        /// The EE.
        ee: EeId,
    },
    /// The recorded known minimum of an EE's foreign balance on this shard's column.
    KnownMin(EeId),
}

impl fmt::Display for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateKey::EeRoot(e) => write!(f, "ee_root[{}]", e.0),
            StateKey::Balance { column, ee } => write!(f, "balances[{}][{}]", column.0, ee.0),
            StateKey::KnownMin(e) => write!(f, "known_min[{}]", e.0),
        }
    }
}

/// How keys map to tree paths (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyLayout {
    /// `tag ‖ column ‖ ee` from the root down: one column shares proof paths.
    #[default]
    ColumnMajor,
    /// `sha256(tag ‖ column ‖ ee)`: uniformly scattered keys.
    Hashed,
}

impl StateKey {
    fn natural(&self) -> [u8; 9] {
        let (tag, column, ee) = match *self {
            StateKey::EeRoot(e) => (0u8, 0u32, e.0),
            StateKey::Balance { column, ee } => (1, column.0, ee.0),
            StateKey::KnownMin(e) => (2, 0, e.0),
        };
        let mut b = [0u8; 9];
        b[0] = tag;
        b[1..5].copy_from_slice(&column.to_be_bytes());
        b[5..9].copy_from_slice(&ee.to_be_bytes());
        b
    }

    /// The tree path of this key under `layout`.
    pub fn path(&self, layout: KeyLayout) -> H256 {
        let natural = self.natural();
        let mut out = [0u8; 32];
        match layout {
            KeyLayout::ColumnMajor => {
                for (i, b) in natural.iter().enumerate() {
                    out[31 - i] = *b;
                }
            }
            KeyLayout::Hashed => out = Sha256::digest(natural).into(),
        }
        out.into()
    }
}

/// Encodes a balance cell.
pub fn cell_value(cell: i64) -> Value {
    let mut v = [0u8; 32];
    v[..8].copy_from_slice(&cell.to_le_bytes());
    v
}

/// Decodes a balance cell (the first 8 bytes, little-endian two's complement).
pub fn value_cell(v: &Value) -> i64 {
    i64::from_le_bytes(v[..8].try_into().expect("8 bytes"))
}

/// Encodes a known minimum.
pub fn u64_value(x: u64) -> Value {
    let mut v = [0u8; 32];
    v[..8].copy_from_slice(&x.to_le_bytes());
    v
}

/// Decodes a known minimum.
pub fn value_u64(v: &Value) -> u64 {
    u64::from_le_bytes(v[..8].try_into().expect("8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip_and_zero_is_absent() {
        for x in [0i64, 1, -1, i64::MIN, i64::MAX] {
            assert_eq!(value_cell(&cell_value(x)), x);
        }
        assert_eq!(cell_value(0), [0u8; 32]);
    }

    #[test]
    fn column_major_puts_tag_and_column_at_the_root() {
        let a = StateKey::Balance { column: ShardId(3), ee: EeId(1) }.path(KeyLayout::ColumnMajor);
        let b = StateKey::Balance { column: ShardId(3), ee: EeId(900) }.path(KeyLayout::ColumnMajor);
        let c = StateKey::Balance { column: ShardId(4), ee: EeId(1) }.path(KeyLayout::ColumnMajor);
        // Bits 255..=216 hold tag + column. Same column: the paths agree on all of them.
        assert!(a.fork_height(&b) <= 215);
        // Other column: they part within the column bits.
        assert!(a.fork_height(&c) > 215);
        assert_eq!(a.as_slice()[31], 1, "tag in the root-side byte");
    }

    #[test]
    fn layouts_are_injective_on_a_sample() {
        let mut seen = std::collections::BTreeSet::new();
        for layout in [KeyLayout::ColumnMajor, KeyLayout::Hashed] {
            seen.clear();
            for e in 0..50u32 {
                for k in [
                    StateKey::EeRoot(EeId(e)),
                    StateKey::KnownMin(EeId(e)),
                    StateKey::Balance { column: ShardId(e % 7), ee: EeId(e) },
                ] {
                    assert!(seen.insert(k.path(layout)));
                }
            }
        }
    }
}
