//! The VHEE walk-through behind `ee demo vhee` (feature `walkthrough`): a validator
//! deposit, a signed transfer, a cross-shard transfer with user receipts, claims, a
//! replayed claim and seed 000's over-claim, on the metered host with the built wasm EEs,
//! with balances after every step.
use crate::client::{Keypair, Snapshot, VheeClient};
use crate::{Address, Op, Receipt};
use ee_host::exec::{Chain, ChainError, EeRunner, ExecConfig};
use ee_host::genesis::{GenesisEe, GenesisError, GenesisSpec};
use ee_host::state::StateKey;
use ee_host::state::keys::value_u64;
use ee_sdk::codec::Encode;
use ee_sdk::{DepositData, EeId, NettingOutput, Root, ShardId, ShardTransaction};
use relay_ee::Relay;
use serde::Serialize;
use std::sync::Arc;

/// The VHEE's id in the walk-through.
pub const VHEE: EeId = EeId(10);
/// The relay EE's id (it prints the over-claiming netting output).
pub const RELAY: EeId = EeId(20);
const GWEI: u64 = 1_000_000_000;

/// One account's balance after a step.
#[derive(Clone, Debug, Serialize)]
pub struct Balance {
    /// Its shard.
    pub shard: u32,
    /// Whose (alice, bob, carol, dave).
    pub account: String,
    /// Balance in Gwei.
    pub balance: u64,
}

/// One step of the walk-through.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// What happens.
    pub step: String,
    /// `ok`, `refused: …`, or `-`.
    pub result: String,
    /// Gas of the step's transaction.
    pub gas: u64,
    /// Every account's balance after it.
    pub balances: Vec<Balance>,
    /// The VHEE's real balance on shards 0 and 1 (Gwei).
    pub vhee_real_balance: Vec<i128>,
}

/// The built EEs the walk-through runs.
pub struct Code {
    /// `vhee.wasm`.
    pub vhee: Arc<[u8]>,
    /// `relay_ee.wasm`.
    pub relay: Arc<[u8]>,
    /// `meta_ee.wasm`.
    pub meta: Arc<[u8]>,
}

/// Why the walk-through could not run (a refused step is a result, not an error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalkError {
    /// The genesis could not be built.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// A block could not be produced.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

struct Walk<R: EeRunner> {
    chain: Chain<R>,
    client: VheeClient,
    people: Vec<(&'static str, Keypair, u32)>,
    steps: Vec<Step>,
}

impl<R: EeRunner> Walk<R> {
    fn snapshot(&self, shard: u32, netted: Option<(ShardId, Root)>) -> Snapshot {
        let mut s = Snapshot {
            shard: ShardId(shard),
            shard_count: self.chain.world.shard_count(),
            vhee: VHEE,
            ees: self.chain.world.beacon.ees.keys().copied().collect(),
            deposits: self.chain.world.beacon.deposits.clone(),
            ..Snapshot::default()
        };
        if let Some((source, root)) = netted {
            let key = StateKey::Netted { target_shard: ShardId(shard), target_ee: VHEE, root };
            let v = self
                .chain
                .world
                .shard(source)
                .map(|t| t.get(&key))
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            s.netted.insert((source, root), value_u64(&v));
        }
        s
    }

    fn record(&mut self, step: &str, result: String, gas: u64) {
        let balances = self
            .people
            .iter()
            .map(|(name, key, shard)| Balance {
                shard: *shard,
                account: (*name).to_string(),
                balance: self.client.account(ShardId(*shard), &key.address(EeId(0))).balance,
            })
            .collect();
        let vhee_real_balance =
            (0..2).map(|s| self.chain.world.real_balance(ShardId(s), VHEE).unwrap_or_default()).collect();
        self.steps.push(Step { step: step.to_string(), result, gas, balances, vhee_real_balance });
    }

    /// Runs one VHEE op on `shard` in a block of its own.
    fn op(
        &mut self,
        step: &str,
        shard: u32,
        op: Op,
        netted: Option<(ShardId, Root)>,
    ) -> Result<(), WalkError> {
        let (prepared, refusal) = self.client.prepare_anyway(op, self.snapshot(shard, netted));
        let r = self.chain.run_slot(vec![(ShardId(shard), vec![prepared.transaction(VHEE)])])?.remove(0);
        let tx = &r.outcome.txs[0];
        let result = match &tx.result {
            Ok(()) => {
                self.client.commit(&prepared);
                "ok".to_string()
            }
            Err(e) => format!("refused: {e}"),
        };
        if let (Some(expected), Err(_)) = (refusal, &tx.result) {
            tracing::info!("client predicted: {}", expected.message());
        }
        self.record(step, result, tx.gas_used);
        Ok(())
    }
}

/// Runs the walk-through with `runner` (the wasm runtime, for `ee demo vhee`) and
/// returns every step.
pub fn run<R: EeRunner>(code: &Code, runner: R, config: ExecConfig) -> Result<Vec<Step>, WalkError> {
    let (alice, bob, carol, dave) = (
        Keypair::from_seed(b"alice"),
        Keypair::from_seed(b"bob"),
        Keypair::from_seed(b"carol"),
        Keypair::from_seed(b"dave"),
    );
    let world = GenesisSpec::new(2)
        .ee(GenesisEe::new(VHEE, "vhee", code.vhee.clone()))
        .ee(GenesisEe::new(RELAY, "relay", code.relay.clone())
            .with_matrix(vec![vec![(10 * GWEI) as i64, 0], vec![0, 0]]))
        .meta(code.meta.clone())
        .deposits([alice.deposit(
            7,
            ShardId(0),
            DepositData { ee: VHEE, portion: EeId(0), amount: 32 * GWEI },
        )])
        .build()?;
    let mut w = Walk {
        chain: Chain::new(world, runner, config),
        client: VheeClient::new(),
        people: Vec::new(),
        steps: Vec::new(),
    };
    w.people = vec![("alice", alice, 0), ("bob", bob, 0), ("carol", carol, 1), ("dave", dave, 1)];
    let key = |w: &Walk<R>, i: usize| -> Address { w.people[i].1.address(EeId(0)) };
    let sign = |w: &Walk<R>, i: usize, op: Op, shard: u32| {
        VheeClient::sign(op, &w.people[i].1, VHEE, ShardId(shard))
    };

    w.record("genesis", "-".into(), 0);
    w.op("1. validator 7 deposits 32 ETH to Alice (shard 0)", 0, Op::Deposit { index: 0 }, None)?;

    let op =
        Op::Transfer { from: key(&w, 0), to: key(&w, 1), amount: 10 * GWEI, nonce: 0, signature: [0; 96] };
    let op = sign(&w, 0, op, 0);
    w.op("2. Alice sends 10 ETH to Bob (signed, nonce 0)", 0, op, None)?;

    let receipts = vec![
        Receipt { from: key(&w, 0), to: key(&w, 2), amount: 5 * GWEI, call_data: vec![] },
        Receipt { from: key(&w, 0), to: key(&w, 3), amount: 3 * GWEI, call_data: b"rent".to_vec() },
    ];
    let root = VheeClient::data_root(&receipts);
    let op = Op::CrossShard {
        from: key(&w, 0),
        target_shard: ShardId(1),
        receipts: receipts.clone(),
        nonce: 1,
        signature: [0; 96],
    };
    let op = sign(&w, 0, op, 0);
    w.op("3. Alice sends 5 ETH to Carol and 3 to Dave on shard 1 (receipts, netted)", 0, op, None)?;

    let claim = |index: u32, rs: &[Receipt], root: Root| Op::Claim {
        source_shard: ShardId(0),
        data_root: root,
        index,
        receipt: rs[index as usize].clone(),
        proof: VheeClient::receipt_proof(rs, index),
    };
    w.op("4. Carol claims her receipt on shard 1", 1, claim(0, &receipts, root), Some((ShardId(0), root)))?;
    w.op("5. Carol claims it again (replay)", 1, claim(0, &receipts, root), Some((ShardId(0), root)))?;
    w.op("6. Dave claims his receipt", 1, claim(1, &receipts, root), Some((ShardId(0), root)))?;

    // Seed 000's 3-vs-4: an EE nets 3 ETH towards receipts worth 2 + 2.
    let two = |to: Address| Receipt { from: to, to, amount: 2 * GWEI, call_data: vec![] };
    let bad = vec![two(key(&w, 2)), two(key(&w, 3))];
    let bad_root = VheeClient::data_root(&bad);
    let out =
        NettingOutput { target_shard: ShardId(1), target_ee: VHEE, amount: 3 * GWEI, data_root: bad_root };
    let tx = ShardTransaction { ee_id: RELAY, data: Relay::Emit(vec![out]).encode() };
    let r = w.chain.run_slot(vec![(ShardId(0), vec![tx])])?.remove(0);
    w.record(
        "7. another EE nets 3 ETH to shard 1 for receipts worth 2 + 2",
        "ok".into(),
        r.outcome.txs[0].gas_used,
    );
    w.op("8. Carol claims 2 of them", 1, claim(0, &bad, bad_root), Some((ShardId(0), bad_root)))?;
    w.op(
        "9. Dave claims the other 2 (over-claim: 4 > 3)",
        1,
        claim(1, &bad, bad_root),
        Some((ShardId(0), bad_root)),
    )?;

    Ok(w.steps)
}
