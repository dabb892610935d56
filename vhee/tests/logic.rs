//! The VHEE's state transition on in-memory leaves: the refusals that whole chains make
//! awkward to reach (overflow, receipt limits, unsigned misuse).
use ee_sdk::{EeId, ShardId};
use std::collections::BTreeMap;
use vhee::VheeError;
use vhee::client::{Keypair, Sha2Hasher, Snapshot, VheeClient};
use vhee::logic::{View, execute};
use vhee::{Account, Op, Receipt, keys};

#[derive(Default)]
struct Leaves(BTreeMap<[u8; 32], [u8; 32]>);

impl View for Leaves {
    fn get(&mut self, key: &[u8; 32]) -> Result<[u8; 32], VheeError> {
        Ok(self.0.get(key).copied().unwrap_or_default())
    }
    fn set(&mut self, key: [u8; 32], value: [u8; 32]) -> Result<(), VheeError> {
        self.0.insert(key, value);
        Ok(())
    }
}

const VHEE: EeId = EeId(10);

fn snapshot() -> Snapshot {
    Snapshot { shard: ShardId(0), shard_count: 2, vhee: VHEE, ees: [VHEE].into(), ..Snapshot::default() }
}

fn run(op: Op, leaves: &mut Leaves) -> Result<(), VheeError> {
    execute::<Sha2Hasher>(&op, leaves, &mut snapshot())
}

fn fund(leaves: &mut Leaves, key: &Keypair, balance: u64) {
    let k = keys::account(&mut snapshot(), &key.address(EeId(0)));
    leaves.0.insert(k, Account { balance, nonce: 0 }.to_value());
}

#[test]
fn credits_that_would_overflow_are_refused() {
    let (a, b) = (Keypair::from_seed(b"a"), Keypair::from_seed(b"b"));
    let mut leaves = Leaves::default();
    fund(&mut leaves, &a, 10);
    fund(&mut leaves, &b, u64::MAX - 5);
    let op = Op::Transfer {
        from: a.address(EeId(0)),
        to: b.address(EeId(0)),
        amount: 6,
        nonce: 0,
        signature: [0; 96],
    };
    let op = VheeClient::sign(op, &a, VHEE, ShardId(0));
    // (The wasm entry and the client discard every write of a refused operation.)
    assert_eq!(run(op, &mut leaves), Err(VheeError::Overflow));
}

#[test]
fn cross_shard_transfers_check_their_receipts() {
    let a = Keypair::from_seed(b"a");
    let mut leaves = Leaves::default();
    fund(&mut leaves, &a, u64::MAX);
    let from = a.address(EeId(0));
    let receipt = |amount| Receipt { from, to: from, amount, call_data: vec![] };
    let cross = |target: u32, receipts: Vec<Receipt>| {
        VheeClient::sign(
            Op::CrossShard { from, target_shard: ShardId(target), receipts, nonce: 0, signature: [0; 96] },
            &a,
            VHEE,
            ShardId(0),
        )
    };
    assert_eq!(run(cross(1, vec![]), &mut leaves), Err(VheeError::ReceiptCount));
    assert_eq!(run(cross(1, vec![receipt(1); 257]), &mut leaves), Err(VheeError::ReceiptCount));
    assert_eq!(run(cross(0, vec![receipt(1)]), &mut leaves), Err(VheeError::SameShard));
    assert_eq!(run(cross(5, vec![receipt(1)]), &mut leaves), Err(VheeError::UnknownTarget));
    assert_eq!(run(cross(1, vec![receipt(u64::MAX), receipt(1)]), &mut leaves), Err(VheeError::Overflow));
    let mut stranger = receipt(1);
    stranger.from.portion = EeId(1);
    assert_eq!(run(cross(1, vec![stranger]), &mut leaves), Err(VheeError::ReceiptFrom));
    assert_eq!(run(cross(1, vec![receipt(0)]), &mut leaves), Err(VheeError::ZeroAmount));
    assert_eq!(run(cross(1, vec![receipt(3)]), &mut leaves), Ok(()));
}

#[test]
fn every_refusal_has_a_distinct_message() {
    let all = [
        VheeError::Malformed,
        VheeError::WitnessInvalid,
        VheeError::WitnessMissing,
        VheeError::BadSignature,
        VheeError::WrongNonce,
        VheeError::InsufficientFunds,
        VheeError::Overflow,
        VheeError::ZeroAmount,
        VheeError::UnknownTarget,
        VheeError::SelfPayment,
        VheeError::SameShard,
        VheeError::ReceiptCount,
        VheeError::ReceiptFrom,
        VheeError::ReceiptNotInRoot,
        VheeError::AlreadyClaimed,
        VheeError::OverClaim,
        VheeError::NotCalled,
        VheeError::PortionNotWritable,
        VheeError::BadDepositSignature,
    ];
    let messages: std::collections::BTreeSet<_> = all.iter().map(|e| e.message()).collect();
    assert_eq!(messages.len(), all.len());
}
