//! The key space of a shard's sparse Merkle tree.
//!
//! Three kinds of leaves live in one tree per shard `r`:
//!
//! | key | value |
//! |---|---|
//! | `EeRoot(e)` | EE `e`'s 32-byte state root on shard `r` |
//! | `Balance { column: c, ee: e }` | cell `M_e[r][c]` = `shard[r].balances[c][e]`, an `i64` |
//! | `KnownMin(e)` | known minimum of `Σ_{i≠r} M_e[i][r]` recorded on shard `r`, a `u64` |
//! | `Netted { target_shard, target_ee, root }` | what the meta-EE on `r` netted towards that target with data root `root`, a `u64` |
//! | `DepositClaimed(i)` | 1 once beacon deposit receipt `i` was claimed on `r` |
//! | `Reserve(e)` | EE `e`'s reserve on shard `r` (the `reserve` netting variant), a `u64` |
//! | `Recent { column: c, ee: e }` | what `M_e[r][c]` received in one slot (the `zero-capital` variant): that slot and the amount, two `u64`s |
//! | `Message { target_shard, target_ee, source_ee, root }` | how many outputs of `source_ee` with data root `root` the meta-EE on `r` accepted towards that target, a `u64` |
//!
//! # Layout
//!
//! `sparse-merkle-tree` walks a key from bit 255 (root) down to bit 0 (leaf), and bit `i`
//! is bit `i % 8` of byte `i / 8`. It keeps a branch node at every height a leaf's path
//! does not share with another leaf, so *where* keys differ decides both proof sharing and
//! memory.
//!
//! [`KeyLayout::ColumnMajor`] puts the tag in the root-side byte (31), the column in
//! bytes 30..=27 and the EE id in the leaf-side bytes 3..=0 (most significant byte first
//! from the root); the bits between are zero. All cells of one column sit in one subtree
//! whose long zero stretch is one shared chain, leaves of a column part only in their last
//! 32 levels, and a proof for many EEs of one column shares every node above those.
//! [`KeyLayout::Hashed`] (`sha256(tag ‖ column ‖ ee)`) scatters keys uniformly; it is kept
//! to measure the difference (`ee sim --layout hashed`, `cargo bench --bench witness`).
//! [`KeyLayout::EeMajor`] swaps the column and the EE of balance cells and arrival records:
//! one EE's cells of a row (its diagonal and the off-diagonals it pays into — what a
//! block's own witness holds) share a subtree, at the price of less sharing between EEs of
//! one column (what foreign proofs hold). Measured in `ee sim --layout`.
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
    /// Amount the meta-EE on this shard accepted towards a target with a data root.
    Netted {
        /// The target shard.
        target_shard: ShardId,
        /// The target EE.
        target_ee: EeId,
        /// The outputs' data root.
        root: [u8; 32],
    },
    /// Marks beacon deposit receipt `i` as claimed on this shard.
    DepositClaimed(u64),
    /// The fees collected on this shard (Gwei), owed to its block producers.
    FeePool,
    /// An EE's reserve on this shard (the `reserve` netting variant), in Gwei.
    Reserve(EeId),
    /// Outputs of one source EE with one data root the meta-EE on this shard accepted
    /// towards a target (source-authenticated receipts roots).
    Message {
        /// The target shard.
        target_shard: ShardId,
        /// The target EE.
        target_ee: EeId,
        /// The EE that printed the outputs.
        source_ee: EeId,
        /// Their data root.
        root: [u8; 32],
    },
    /// What this shard's cell for `column` received in its latest slot of receiving (the
    /// `zero-capital` netting variant): see [`recent_value`].
    Recent {
        /// The shard the funds are for.
        column: ShardId,
        /// The EE.
        ee: EeId,
    },
}

impl fmt::Display for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateKey::EeRoot(e) => write!(f, "ee_root[{}]", e.0),
            StateKey::Balance { column, ee } => write!(f, "balances[{}][{}]", column.0, ee.0),
            StateKey::KnownMin(e) => write!(f, "known_min[{}]", e.0),
            StateKey::Netted { target_shard, target_ee, root } => {
                write!(f, "netted[{}][{}][{}]", target_shard.0, target_ee.0, hex::encode(&root[..4]))
            }
            StateKey::DepositClaimed(i) => write!(f, "deposit_claimed[{i}]"),
            StateKey::FeePool => f.write_str("fee_pool"),
            StateKey::Reserve(e) => write!(f, "reserve[{}]", e.0),
            StateKey::Recent { column, ee } => write!(f, "recent[{}][{}]", column.0, ee.0),
            StateKey::Message { target_shard, target_ee, source_ee, root } => write!(
                f,
                "messages[{}][{}][{}][{}]",
                target_shard.0,
                target_ee.0,
                source_ee.0,
                hex::encode(&root[..4])
            ),
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
    /// `tag ‖ ee ‖ column` from the root down for balance cells and arrival records (other
    /// keys as column-major): one EE's cells of a row share proof paths.
    EeMajor,
}

impl StateKey {
    /// `(tag, high, low)`: the parts the column-major layout places at the root side
    /// (`high`, 4 bytes) and at the leaf side (`low`, up to 27 bytes).
    fn parts(&self) -> (u8, u32, Vec<u8>) {
        match *self {
            StateKey::EeRoot(e) => (0u8, 0u32, e.0.to_le_bytes().to_vec()),
            StateKey::Balance { column, ee } => (1, column.0, ee.0.to_le_bytes().to_vec()),
            StateKey::KnownMin(e) => (2, 0, e.0.to_le_bytes().to_vec()),
            StateKey::Netted { target_shard, target_ee, root } => {
                let mut h = Sha256::new();
                h.update(target_shard.0.to_le_bytes());
                h.update(target_ee.0.to_le_bytes());
                h.update(root);
                (3, 0, h.finalize()[..27].to_vec())
            }
            StateKey::DepositClaimed(i) => (4, 0, i.to_le_bytes().to_vec()),
            StateKey::FeePool => (5, 0, Vec::new()),
            StateKey::Reserve(e) => (6, 0, e.0.to_le_bytes().to_vec()),
            StateKey::Recent { column, ee } => (7, column.0, ee.0.to_le_bytes().to_vec()),
            StateKey::Message { target_shard, target_ee, source_ee, root } => {
                let mut h = Sha256::new();
                h.update(target_shard.0.to_le_bytes());
                h.update(target_ee.0.to_le_bytes());
                h.update(source_ee.0.to_le_bytes());
                h.update(root);
                (8, 0, h.finalize()[..27].to_vec())
            }
        }
    }

    /// The tree path of this key under `layout`.
    pub fn path(&self, layout: KeyLayout) -> H256 {
        let (tag, high, low) = self.parts();
        let mut out = [0u8; 32];
        match layout {
            KeyLayout::ColumnMajor => {
                out[31] = tag;
                // Little-endian bytes placed upwards: the most significant byte ends up
                // nearest the root (byte 30 for the column, byte 3 for the EE).
                out[27..31].copy_from_slice(&high.to_le_bytes());
                out[..low.len()].copy_from_slice(&low);
            }
            KeyLayout::EeMajor if matches!(self, StateKey::Balance { .. } | StateKey::Recent { .. }) => {
                // The EE where column-major has the column, and the other way round.
                out[31] = tag;
                out[27..31].copy_from_slice(&low[..4]);
                out[..4].copy_from_slice(&high.to_le_bytes());
            }
            KeyLayout::EeMajor => return self.path(KeyLayout::ColumnMajor),
            KeyLayout::Hashed => {
                let mut h = Sha256::new();
                h.update([tag]);
                h.update(high.to_be_bytes());
                h.update(&low);
                out = h.finalize().into();
            }
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

/// Encodes a `Recent` record: `amount` received during `slot` (all-zero when nothing was).
pub fn recent_value(slot: u64, amount: u64) -> Value {
    if amount == 0 {
        return [0u8; 32];
    }
    let mut v = [0u8; 32];
    v[..8].copy_from_slice(&slot.to_le_bytes());
    v[8..16].copy_from_slice(&amount.to_le_bytes());
    v
}

/// Decodes a `Recent` record as `(slot, amount)`.
pub fn value_recent(v: &Value) -> (u64, u64) {
    let word = |i: usize| u64::from_le_bytes(v[i..i + 8].try_into().expect("8 bytes"));
    (word(0), word(8))
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
        assert_eq!(value_recent(&recent_value(7, 9)), (7, 9));
        assert_eq!(recent_value(7, 0), [0u8; 32]);
    }

    #[test]
    fn column_major_puts_tag_and_column_at_the_root() {
        let a = StateKey::Balance { column: ShardId(3), ee: EeId(1) }.path(KeyLayout::ColumnMajor);
        let b = StateKey::Balance { column: ShardId(3), ee: EeId(900) }.path(KeyLayout::ColumnMajor);
        let c = StateKey::Balance { column: ShardId(4), ee: EeId(1) }.path(KeyLayout::ColumnMajor);
        // Bits 255..=216 hold tag + column, bits 31..=0 the EE. Same column: the paths
        // part only in the EE bits.
        assert!(a.fork_height(&b) < 32);
        // Other column: they part within the column bits.
        assert!((216..248).contains(&a.fork_height(&c)));
        assert_eq!(a.as_slice()[31], 1, "tag in the root-side byte");
        // Column bits read most-significant first from the root.
        let hi = StateKey::Balance { column: ShardId(1 << 31), ee: EeId(1) }.path(KeyLayout::ColumnMajor);
        assert_eq!(hi.fork_height(&a), 247);
    }

    #[test]
    fn ee_major_puts_the_ee_at_the_root_for_cells_only() {
        let a = StateKey::Balance { column: ShardId(3), ee: EeId(1) }.path(KeyLayout::EeMajor);
        let b = StateKey::Balance { column: ShardId(9), ee: EeId(1) }.path(KeyLayout::EeMajor);
        let c = StateKey::Balance { column: ShardId(3), ee: EeId(2) }.path(KeyLayout::EeMajor);
        assert!(a.fork_height(&b) < 32, "one EE's cells part only in the column bits");
        assert!((216..248).contains(&a.fork_height(&c)));
        let k = StateKey::KnownMin(EeId(5));
        assert_eq!(k.path(KeyLayout::EeMajor), k.path(KeyLayout::ColumnMajor));
    }

    #[test]
    fn layouts_are_injective_on_a_sample() {
        let mut seen = std::collections::BTreeSet::new();
        for layout in [KeyLayout::ColumnMajor, KeyLayout::Hashed, KeyLayout::EeMajor] {
            seen.clear();
            assert!(seen.insert(StateKey::FeePool.path(layout)));
            for e in 0..50u32 {
                for k in [
                    StateKey::EeRoot(EeId(e)),
                    StateKey::KnownMin(EeId(e)),
                    StateKey::Balance { column: ShardId(e % 7), ee: EeId(e) },
                    StateKey::DepositClaimed(u64::from(e)),
                    StateKey::Reserve(EeId(e)),
                    StateKey::Recent { column: ShardId(e % 7), ee: EeId(e) },
                    StateKey::Netted {
                        target_shard: ShardId(e % 3),
                        target_ee: EeId(e),
                        root: [e as u8; 32],
                    },
                    StateKey::Message {
                        target_shard: ShardId(e % 3),
                        target_ee: EeId(e),
                        source_ee: EeId(e + 1),
                        root: [e as u8; 32],
                    },
                ] {
                    assert!(seen.insert(k.path(layout)));
                }
            }
        }
    }
}
