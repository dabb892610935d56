//! SCALE-encoded types shared by EEs and the host.
//!
//! Encodings are part of the protocol: changing a field changes what EEs read and print.
use alloc::vec::Vec;
use parity_scale_codec::{Decode, Encode};

/// A 32-byte root (state root, receipt root).
pub type Root = [u8; 32];

/// Index of a shard.
#[derive(Encode, Decode, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShardId(pub u32);

/// Id of an execution environment registered on the beacon state.
#[derive(Encode, Decode, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EeId(pub u32);

/// The meta-EE's id wherever this project builds a chain (the devnet, `ee sim`, the demos
/// and the tests' default): the top of the id space, so user EEs count from 0 and
/// deployments take the next id after the highest user EE. The meta-EE never calls
/// another EE, so it is never a `caller_ee` (which answers `u32::MAX` at top level).
/// A scenario file may place the meta-EE elsewhere by giving its id.
pub const META_EE: EeId = EeId(u32::MAX);

/// One transaction of a shard block: data for one EE (seed 000).
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct ShardTransaction {
    /// The EE that runs this transaction.
    pub ee_id: EeId,
    /// Opaque input, read by the EE through `block_data_size`/`block_data_copy`.
    pub data: Vec<u8>,
}

#[cfg(feature = "pure-sha256")]
impl ShardTransaction {
    /// The transaction's hash on `shard`: sha256 of SCALE `(shard, transaction)` — the one
    /// name clients, the devnet and `lookback_hash` all use.
    pub fn hash(&self, shard: ShardId) -> Root {
        use sha2::Digest;
        sha2::Sha256::digest((shard, self).encode()).into()
    }
}

/// A shard block: transactions executed in order (seed 000).
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct ShardBlock {
    /// The shard the block is for.
    pub shard: ShardId,
    /// The slot of the block.
    pub slot: u64,
    /// Transactions, executed in order; the meta-EE's transaction comes last.
    pub transactions: Vec<ShardTransaction>,
    /// SCALE [`BlockWitness`] (empty if the block touches no state). A stateless
    /// validator checks it before running the block and computes the post-state root from
    /// it.
    pub witness: Vec<u8>,
}

/// What a stateless validator needs for a block besides the meta-EE's multiproof.
#[derive(Encode, Decode, Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockWitness {
    /// Every key of the block's shard it reads or writes, against the shard's pre-state
    /// root.
    pub own: Option<ShardProof>,
    /// Other shards' keys the user transactions read (e.g. `netted_get` for receipt
    /// claims), against the beacon state's latest roots.
    pub foreign: Vec<ShardProof>,
}

/// A compiled multiproof of some leaves of one shard's state tree
/// (`sparse-merkle-tree`'s compiled format, sha256).
///
/// Encoded as `shard`, the leaves, `proof` — but each 32-byte path and value of a leaf as a
/// *compact word*: a little-endian `u32` mask of its non-zero bytes, then those bytes in
/// order. State keys and values are mostly zero bytes (a balance cell is 8 significant
/// bytes of 32, a column-major path about 9), so a leaf takes ~25 bytes instead of 64. The
/// encoding is canonical: a mask bit over a zero byte does not decode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShardProof {
    /// Whose tree.
    pub shard: ShardId,
    /// `(path, value)` of every proven leaf in the tree's path order (`H256`'s `Ord`), no
    /// duplicates; a zero value proves absence.
    pub leaves: Vec<(Root, Root)>,
    /// The compiled proof.
    pub proof: Vec<u8>,
}

impl ShardProof {
    /// Bytes its leaves take encoded (two compact words each).
    pub fn leaf_bytes(&self) -> usize {
        let word = |w: &Root| 4 + w.iter().filter(|b| **b != 0).count();
        self.leaves.iter().map(|(k, v)| word(k) + word(v)).sum()
    }
}

/// Writes `word` as a compact word (see [`ShardProof`]).
fn encode_word<O: parity_scale_codec::Output + ?Sized>(word: &Root, dest: &mut O) {
    let mut mask = 0u32;
    for (i, b) in word.iter().enumerate() {
        if *b != 0 {
            mask |= 1 << i;
        }
    }
    dest.write(&mask.to_le_bytes());
    for b in word.iter().filter(|b| **b != 0) {
        dest.push_byte(*b);
    }
}

/// Reads a compact word; a flagged zero byte is an error (one encoding per word).
fn decode_word<I: parity_scale_codec::Input>(input: &mut I) -> Result<Root, parity_scale_codec::Error> {
    let mut raw_mask = [0u8; 4];
    input.read(&mut raw_mask)?;
    let mask = u32::from_le_bytes(raw_mask);
    let mut word = [0u8; 32];
    for (i, b) in word.iter_mut().enumerate() {
        if mask & (1 << i) != 0 {
            *b = input.read_byte()?;
            if *b == 0 {
                return Err("a compact word flags a zero byte".into());
            }
        }
    }
    Ok(word)
}

impl Encode for ShardProof {
    fn size_hint(&self) -> usize {
        4 + 5 + self.leaves.len() * 40 + 5 + self.proof.len()
    }

    fn encode_to<O: parity_scale_codec::Output + ?Sized>(&self, dest: &mut O) {
        self.shard.encode_to(dest);
        parity_scale_codec::Compact(self.leaves.len() as u32).encode_to(dest);
        for (path, value) in &self.leaves {
            encode_word(path, dest);
            encode_word(value, dest);
        }
        self.proof.encode_to(dest);
    }
}

impl Decode for ShardProof {
    fn decode<I: parity_scale_codec::Input>(input: &mut I) -> Result<Self, parity_scale_codec::Error> {
        let shard = ShardId::decode(input)?;
        let count = parity_scale_codec::Compact::<u32>::decode(input)?.0 as usize;
        // Every leaf takes at least 8 bytes: do not trust the count for an allocation.
        let mut leaves = Vec::with_capacity(count.min(input.remaining_len()?.unwrap_or(0) / 8));
        for _ in 0..count {
            leaves.push((decode_word(input)?, decode_word(input)?));
        }
        let proof = Vec::<u8>::decode(input)?;
        Ok(ShardProof { shard, leaves, proof })
    }
}

/// An entry of a block's output buffer. `ee_id` is set by the host, never by the EE.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// The EE that printed the output.
    pub ee_id: EeId,
    /// The bytes the EE printed.
    pub data: Vec<u8>,
}

/// What an EE prints to move ETH: the netting output of DESIGN §2.
///
/// Printed by EE `e` on shard `s`, accepted by the meta-EE, it applies
/// `M_e[s][s] -= amount; M_target_ee[s][target_shard] += amount`.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub struct NettingOutput {
    /// Shard the funds are for.
    pub target_shard: ShardId,
    /// EE the funds are for (the printing EE itself for a same-EE transfer).
    pub target_ee: EeId,
    /// Amount in Gwei.
    pub amount: u64,
    /// Root of the user-level receipts this transfer pays for (zero if none).
    pub data_root: Root,
}

/// The order in which the meta-EE may read other shards' cells of one EE's column.
///
/// A block producer with full state lists shards by descending cell value so that the
/// fewest cells (and proofs) cover a deficit; any order is sound because off-diagonal
/// cells never decrease.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct ProofOrder {
    /// The EE whose column is read.
    pub ee: EeId,
    /// Foreign shards in the order their cells are read.
    pub shards: Vec<ShardId>,
}

/// Which of seed 001's balance rules the meta-EE applies (ARCHITECTURE.md "Netting
/// variants"). A chain parameter on the beacon state: every shard and every validator nets
/// by the same rules.
#[derive(Encode, Decode, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NettingVariant {
    /// Version B: every net outflow (same-EE cross-shard moves included) is covered by
    /// the sending shard's real balance, proven by a partial column proof or the known
    /// minimum.
    #[default]
    B,
    /// Version A: same-EE cross-shard moves need no proof; a net cross-EE outflow is
    /// covered by the EE's total value over every row and column.
    A,
    /// Zero capital overhead: off-diagonal cells also record what they received in the
    /// most recent slot; a block adds proven last-slot arrivals to the known minimum
    /// instead of re-proving whole cells.
    ZeroCapital,
    /// A pre-funded reserve per (shard, EE) absorbs net outflows before any proof is
    /// needed and is refilled first by net inflows.
    Reserve,
}

impl NettingVariant {
    /// Every variant, in the order `ee sim --compare` lists them.
    pub const ALL: [NettingVariant; 4] =
        [NettingVariant::A, NettingVariant::B, NettingVariant::ZeroCapital, NettingVariant::Reserve];

    /// Its name on the command line and in reports: `a`, `b`, `zero-capital`, `reserve`.
    pub fn name(self) -> &'static str {
        match self {
            NettingVariant::A => "a",
            NettingVariant::B => "b",
            NettingVariant::ZeroCapital => "zero-capital",
            NettingVariant::Reserve => "reserve",
        }
    }

    /// The variant called `name`.
    pub fn from_name(name: &str) -> Option<NettingVariant> {
        NettingVariant::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// The chain's netting rules, as the `netting_rules` host function gives them (SCALE,
/// zero-padded to [`NETTING_RULES_LEN`] bytes).
#[derive(Encode, Decode, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NettingRules {
    /// The balance rules.
    pub variant: NettingVariant,
    /// adiasg's rule: `Some(seed)` fixes the order in which foreign cells are read to a
    /// permutation every validator derives from `(seed, slot, shard, ee)`; a block that
    /// names its own order, or proves cells the netting does not read, is invalid.
    pub fixed_order: Option<u64>,
    /// [`NettingVariant::Reserve`]: the target of each (shard, EE) reserve in Gwei (net
    /// inflows refill a reserve up to it). Ignored by the other variants.
    pub reserve_target: u64,
}

/// Bytes the `netting_rules` host function writes.
pub const NETTING_RULES_LEN: usize = 32;

/// Data of the meta-EE's transaction, the last of every block (seed 000:
/// `{ multiproof, ee_ids }`).
#[derive(Encode, Decode, Clone, Debug, Default, PartialEq, Eq)]
pub struct MetaTransaction {
    /// EEs whose outputs are netted, in processing order.
    pub ee_ids: Vec<EeId>,
    /// Read order of foreign cells per EE; EEs not listed use ascending shard order.
    pub proof_order: Vec<ProofOrder>,
    /// SCALE `Vec<ShardProof>` of the other shards' cells the netting reads, against the
    /// beacon state's latest roots; the meta-EE passes it to `multiproof_load`.
    pub multiproof: Vec<u8>,
}

/// What became of a child instance run with `spawn` (the host function's result code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum SpawnStatus {
    /// The child's `main` returned; its return data is readable.
    Ok = 0,
    /// The module was refused before running: not valid wasm, floats or SIMD, imports
    /// outside the child's role, no `main`, too much memory or too large.
    Refused = 1,
    /// The child trapped or aborted.
    Failed = 2,
    /// The child used all the gas it was given.
    OutOfGas = 3,
    /// Calls and spawns already nest as deep as allowed.
    TooDeep = 4,
    /// The child exceeded its call-stack budget.
    StackExhausted = 5,
}

impl SpawnStatus {
    /// Every status.
    pub const ALL: [SpawnStatus; 6] = [
        SpawnStatus::Ok,
        SpawnStatus::Refused,
        SpawnStatus::Failed,
        SpawnStatus::OutOfGas,
        SpawnStatus::TooDeep,
        SpawnStatus::StackExhausted,
    ];

    /// The status of a result code, if it is one.
    pub fn from_code(code: u32) -> Option<SpawnStatus> {
        SpawnStatus::ALL.into_iter().find(|s| *s as u32 == code)
    }
}

/// Why the meta-EE refused a netting output.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectReason {
    /// The output is not a SCALE `NettingOutput` (or has trailing bytes).
    Malformed,
    /// `target_shard` is not a shard of this system.
    UnknownShard,
    /// `target_ee` is not registered.
    UnknownEe,
    /// Same EE and same shard: nothing would move.
    SelfTransfer,
    /// Zero amount without a data root (a zero amount with one is a message: it moves no
    /// ETH and is recorded for `message_count`).
    ZeroAmount,
    /// The EE's real balance on this shard (with its incoming flows) does not cover it.
    InsufficientBalance,
    /// Amount arithmetic would overflow a cell.
    Overflow,
}

/// Whether the meta-EE applied a netting output.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NettingStatus {
    /// Applied to the matrices.
    Accepted,
    /// Skipped, nothing applied.
    Rejected(RejectReason),
}

/// Most statuses in one [`NettingReport`]; longer runs are split so every report stays
/// far below the host's per-output size limit.
pub const MAX_STATUSES_PER_REPORT: usize = 4096;

/// The meta-EE's accept/reject report, printed as its own output: the statuses of the
/// outputs `first_index ..` of `source_ee`, in order. The outputs themselves are in the
/// block's output buffer, so they are not repeated here.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct NettingReport {
    /// EE whose outputs these are.
    pub source_ee: EeId,
    /// Index (among that EE's outputs in this block) of the first status.
    pub first_index: u32,
    /// One status per output.
    pub statuses: Vec<NettingStatus>,
}

/// A BLS12-381 public key (compressed G1).
pub type BlsPublicKey = [u8; 48];

/// A BLS12-381 signature (compressed G2).
pub type BlsSignature = [u8; 96];

/// A validator deposit receipt on the beacon state (seed 000: `{validator_index, target,
/// data, pubkey, signature}`), claimed on shard `target` with `deposit_claim`.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct DepositReceipt {
    /// The depositing validator.
    pub validator_index: u64,
    /// The shard the deposit is for.
    pub target: ShardId,
    /// SCALE [`DepositData`]: which EE receives it and how much.
    pub data: Vec<u8>,
    /// The validator's key; the EE credits the account of this key.
    pub pubkey: BlsPublicKey,
    /// The key's signature over [`DepositReceipt::signing_message`] (proof of possession).
    pub signature: BlsSignature,
}

impl DepositReceipt {
    /// The message the validator signs: the SCALE encoding of every field but the
    /// signature, prefixed with a domain tag.
    pub fn signing_message(&self) -> Vec<u8> {
        (b"ee-deposit", self.validator_index, self.target, &self.data, &self.pubkey[..]).encode()
    }
}

/// What a deposit receipt carries.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepositData {
    /// The EE that may claim the deposit (its matrix is credited).
    pub ee: EeId,
    /// The sub-ledger inside that EE (the VHEE's `ee_id` portion).
    pub portion: EeId,
    /// Amount in Gwei.
    pub amount: u64,
}

/// Transaction data of the example transfer EE (`examples/transfer-ee`): seed 000's
/// `[{ amount, shard }]`, with an optional target EE for cross-EE transfers.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Amount in Gwei.
    pub amount: u64,
    /// Target shard.
    pub shard: ShardId,
    /// Target EE; `None` means the sending EE itself.
    pub ee: Option<EeId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use parity_scale_codec::DecodeAll;

    fn proof() -> ShardProof {
        let mut path = [0u8; 32];
        path[31] = 1;
        path[0] = 7;
        let cell = (-5i64).to_le_bytes();
        let mut value = [0u8; 32];
        value[..8].copy_from_slice(&cell);
        ShardProof {
            shard: ShardId(3),
            leaves: vec![(path, value), ([0xff; 32], [0; 32])],
            proof: vec![1, 2, 3],
        }
    }

    #[test]
    fn shard_proofs_round_trip_with_compact_leaves() {
        let p = proof();
        let bytes = p.encode();
        assert_eq!(ShardProof::decode_all(&mut &bytes[..]).unwrap(), p);
        // shard 4 + count 1 + leaves (4+2 + 4+8) + (4+32 + 4+0) + proof 1+3.
        assert_eq!(bytes.len(), 4 + 1 + 18 + 40 + 4);
        assert_eq!(p.leaf_bytes(), 58);
        assert_eq!(bytes.len(), p.size_hint().min(bytes.len()));
    }

    #[test]
    fn non_canonical_and_truncated_proofs_do_not_decode() {
        let bytes = proof().encode();
        // The first leaf's path mask flags byte 1 as well, over a zero byte.
        let mut flagged = bytes.clone();
        flagged[5] |= 0b10;
        flagged.insert(10, 0);
        assert!(ShardProof::decode_all(&mut &flagged[..]).is_err());
        for cut in 0..bytes.len() {
            assert!(ShardProof::decode_all(&mut &bytes[..cut]).is_err(), "cut at {cut}");
        }
        // A huge leaf count over a few bytes fails without allocating for it.
        let mut huge = ShardId(0).encode();
        parity_scale_codec::Compact(u32::MAX).encode_to(&mut huge);
        assert!(ShardProof::decode_all(&mut &huge[..]).is_err());
    }
}
