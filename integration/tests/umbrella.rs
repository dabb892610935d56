//! The umbrella EE on every tier (the EE native with its contracts on wasmer, and the EE
//! itself in wasm, on both engines): deposits, deploying the counter contract, calls with
//! value that run it by wasm-spawning-wasm, payouts, withdrawals, and every refusal — a
//! clear error that changes nothing. Each block is also validated statelessly.
use counter_contract::{COUNT, CounterCall, OWNER};
use ee_host::abi::Role;
use ee_host::exec::{BlockResult, Chain, EeRunner, ExecConfig, TxError};
use ee_host::logic::HostError;
use ee_host::native::NativeRunner;
use ee_host::runtime::{EngineKind, Runtime};
use ee_host::state::{EeEntry, KeyLayout, World};
use ee_integration::{META, built_wasm};
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, Root, ShardId, ShardTransaction, SpawnStatus};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use umbrella_ee::client::{ChainView, Keypair, Prepared, UmbrellaClient, sign};
use umbrella_ee::{ContractId, ContractResult, Op, UmbrellaError, UmbrellaTx};

const UMBRELLA: EeId = EeId(40);
const PAYEE: EeId = EeId(1);

#[derive(Clone, Copy, Debug)]
enum Tier {
    Native(EngineKind),
    Wasm(EngineKind),
}

fn tiers() -> Vec<Tier> {
    EngineKind::all().iter().flat_map(|&e| [Tier::Native(e), Tier::Wasm(e)]).collect()
}

struct Net {
    tier: Tier,
    chain: Chain<Box<dyn EeRunner>>,
    validator: Box<dyn EeRunner>,
    client: UmbrellaClient,
}

fn net(tier: Tier, deposits: Vec<ee_sdk::DepositReceipt>) -> Net {
    let config = ExecConfig::default();
    let code = |name: &str| match tier {
        Tier::Native(_) => Arc::from(&[][..]),
        Tier::Wasm(_) => built_wasm(name),
    };
    let mut w = World::new(2, KeyLayout::ColumnMajor).unwrap();
    w.register(EeEntry::new(PAYEE, "payee", Role::Ee, code("transfer_ee"))).unwrap();
    w.register(EeEntry::new(UMBRELLA, "umbrella", Role::Ee, code("umbrella_ee"))).unwrap();
    w.register(EeEntry::new(META, "meta", Role::Meta, code("meta_ee"))).unwrap();
    w.beacon.deposits = deposits;
    let runner = || -> Box<dyn EeRunner> {
        match tier {
            Tier::Native(e) => Box::new(
                NativeRunner::new()
                    .with(META, meta_ee::ee_main)
                    .with(PAYEE, transfer_ee::ee_main)
                    .with(UMBRELLA, umbrella_ee::ee_main)
                    .with_children(Runtime::new(e, config.costs.clone(), config.limits.clone())),
            ),
            Tier::Wasm(e) => Box::new(Runtime::new(e, config.costs.clone(), config.limits.clone())),
        }
    };
    Net {
        tier,
        validator: runner(),
        chain: Chain::new(w, runner(), config.clone()),
        client: UmbrellaClient::new(),
    }
}

impl Net {
    fn view(&self, shard: u32) -> ChainView {
        ChainView {
            shard: ShardId(shard),
            shard_count: 2,
            ee: UMBRELLA,
            ees: self.chain.world.beacon.ees.keys().copied().collect(),
            deposits: self.chain.world.beacon.deposits.clone(),
            children: Some(ee_integration::run_counter),
            ..ChainView::default()
        }
    }

    fn slot(&mut self, shard: u32, tx: ShardTransaction) -> BlockResult {
        ee_integration::validated_block(&mut self.chain, &*self.validator, ShardId(shard), vec![tx])
    }

    /// Sends `tx`; on success commits `p` (and checks the client agrees with the chain);
    /// on failure checks the shard did not move.
    fn send(&mut self, shard: u32, tx: ShardTransaction, p: Option<&Prepared>) -> Result<(), TxError> {
        let before = self.chain.world.ee_root(ShardId(shard), UMBRELLA).unwrap();
        let r = self.slot(shard, tx);
        let result = r.outcome.txs[0].result.clone();
        let after = self.chain.world.ee_root(ShardId(shard), UMBRELLA).unwrap();
        match (&result, p) {
            (Ok(()), Some(p)) => {
                self.client.commit(p);
                assert_eq!(after, p.post_root, "{:?}: client and chain agree", self.tier);
            }
            (Ok(()), None) => {}
            (Err(_), _) => {
                assert_eq!(r.post_root, r.pre_root, "{:?}: a refused operation changes nothing", self.tier);
                assert_eq!(after, before);
            }
        }
        result
    }

    fn op(&mut self, shard: u32, op: Op, code: Vec<u8>) -> (Result<(), TxError>, Vec<u8>) {
        let view = self.view(shard);
        let p = self.client.prepare(op, code, &view).expect("the client accepts it");
        let tx = p.transaction(UMBRELLA);
        (self.send(shard, tx, Some(&p)), p.returned.clone())
    }

    /// Sends `op` with `code` and a hand-built witness, expecting `err`.
    fn refused(&mut self, op: Op, code: Vec<u8>, accounts: &[&Keypair], extra: &[Root], err: UmbrellaError) {
        let view = self.view(0);
        assert_eq!(
            self.client.prepare(op.clone(), code.clone(), &view).map(|_| ()),
            Err(err),
            "the client predicts it"
        );
        let keys: Vec<_> = accounts.iter().map(|k| k.public).collect();
        let witness = self.client.witness(ShardId(0), &keys, extra);
        let tx = ShardTransaction { ee_id: UMBRELLA, data: UmbrellaTx { op, code, witness }.encode() };
        assert_eq!(self.send(0, tx, None), aborted(err.message()), "{:?}", self.tier);
    }
}

fn aborted(msg: &str) -> Result<(), TxError> {
    Err(TxError::Host(HostError::Aborted(msg.into())))
}

fn counter_code() -> Vec<u8> {
    built_wasm("counter_contract").to_vec()
}

fn signed(op: Op, key: &Keypair) -> Op {
    sign(op, key, UMBRELLA, ShardId(0))
}

fn call(caller: &Keypair, contract: ContractId, value: u64, input: CounterCall, nonce: u64) -> Op {
    let op = Op::Call {
        caller: caller.public,
        contract,
        value,
        input: input.encode(),
        slots: vec![COUNT, OWNER],
        nonce,
        signature: [0; 96],
    };
    signed(op, caller)
}

fn count(n: &Net, contract: &ContractId) -> u64 {
    u64::from_le_bytes(n.client.storage(ShardId(0), contract, &COUNT)[..8].try_into().unwrap())
}

/// A contract that returns `result` whatever it is called with.
fn returning(result: &ContractResult) -> Vec<u8> {
    let bytes: String = result.encode().iter().map(|b| format!("\\{b:02x}")).collect();
    let len = result.encode().len();
    wat::parse_str(format!(
        r#"(module (import "env" "set_return_data" (func $r (param i32 i32)))
             (memory (export "memory") 1) (data (i32.const 0) "{bytes}")
             (func (export "main") (call $r (i32.const 0) (i32.const {len}))))"#
    ))
    .unwrap()
}

const LOOP: &str = r#"(module (memory (export "memory") 1) (func (export "main") (loop (br 0))))"#;

#[test]
fn contracts_deploy_run_hold_value_and_pay_out() {
    let (alice, bob) = (Keypair::from_seed(b"alice"), Keypair::from_seed(b"bob"));
    for tier in tiers() {
        let deposits =
            vec![alice.deposit(0, ShardId(0), UMBRELLA, 1_000), bob.deposit(1, ShardId(0), UMBRELLA, 300)];
        let mut n = net(tier, deposits);
        assert_eq!(n.op(0, Op::Deposit { index: 0 }, vec![]).0, Ok(()));
        assert_eq!(n.op(0, Op::Deposit { index: 1 }, vec![]).0, Ok(()));

        let code = counter_code();
        let hash: Root = Sha256::digest(&code).into();
        let deploy = signed(
            Op::Deploy { deployer: alice.public, code_hash: hash, nonce: 0, signature: [0; 96] },
            &alice,
        );
        let (r, id) = n.op(0, deploy, code.clone());
        assert_eq!(r, Ok(()), "{tier:?}");
        let contract: ContractId = id.try_into().unwrap();
        assert_eq!(contract, UmbrellaClient::contract_id(&alice.public, 0));

        // Bob adds 5 with 100 Gwei and becomes the owner; Alice adds 2 with 50.
        assert_eq!(
            n.op(0, call(&bob, contract, 100, CounterCall::Add(5), 0), code.clone()).0,
            Ok(()),
            "{tier:?}"
        );
        let (r, out) = n.op(0, call(&alice, contract, 50, CounterCall::Add(2), 1), code.clone());
        assert_eq!((r, out), (Ok(()), 7u64.to_le_bytes().to_vec()), "{tier:?}");
        assert_eq!(count(&n, &contract), 7);
        assert_eq!(n.client.contract_balance(ShardId(0), &contract), 150);
        let bob_key: Root = Sha256::digest(bob.public).into();
        assert_eq!(n.client.storage(ShardId(0), &contract, &OWNER), bob_key);

        // The owner pays 120 out to Alice; Alice, not the owner, cannot.
        let payout = CounterCall::Payout { to: alice.public, amount: 120 };
        assert_eq!(n.op(0, call(&bob, contract, 0, payout.clone(), 1), code.clone()).0, Ok(()), "{tier:?}");
        assert_eq!(n.client.contract_balance(ShardId(0), &contract), 30);
        assert_eq!(n.client.account(ShardId(0), &alice.public).balance, 1_000 - 50 + 120);
        let view = n.view(0);
        let refused =
            n.client.prepare(call(&alice, contract, 0, payout, 2), code.clone(), &view).unwrap_err();
        assert_eq!(refused, UmbrellaError::ContractFailed(SpawnStatus::Failed));

        // Alice withdraws to the payee EE on shard 1: netted like any output.
        let w = signed(
            Op::Withdraw {
                account: alice.public,
                target_shard: ShardId(1),
                target_ee: PAYEE,
                amount: 70,
                nonce: 2,
                signature: [0; 96],
            },
            &alice,
        );
        assert_eq!(n.op(0, w, vec![]).0, Ok(()), "{tier:?}");
        // Conservation: accounts and the contract hold deposits minus the withdrawal,
        // and the umbrella's real balance says the same.
        let held: u64 =
            [&alice, &bob].iter().map(|k| n.client.account(ShardId(0), &k.public).balance).sum::<u64>()
                + n.client.contract_balance(ShardId(0), &contract);
        assert_eq!(held, 1_300 - 70);
        assert_eq!(n.chain.world.real_balance(ShardId(0), UMBRELLA).unwrap(), 1_230);
        assert_eq!(n.chain.world.real_balance(ShardId(1), PAYEE).unwrap(), 70);
    }
}

#[test]
fn every_refusal_is_a_clear_error_that_changes_nothing() {
    let (alice, bob) = (Keypair::from_seed(b"alice"), Keypair::from_seed(b"bob"));
    for tier in tiers() {
        let mut n = net(tier, vec![alice.deposit(0, ShardId(0), UMBRELLA, 1_000)]);
        assert_eq!(n.op(0, Op::Deposit { index: 0 }, vec![]).0, Ok(()));
        let code = counter_code();
        let hash: Root = Sha256::digest(&code).into();
        let deploy = |code_hash: Root, nonce: u64| {
            signed(Op::Deploy { deployer: alice.public, code_hash, nonce, signature: [0; 96] }, &alice)
        };
        assert_eq!(n.op(0, deploy(hash, 0), code.clone()).0, Ok(()));
        let contract = UmbrellaClient::contract_id(&alice.public, 0);
        let nowhere = ChainView::default();
        let env = &mut ee_sdk::client::ClientEnv::new(&nowhere);
        let code_leaf = umbrella_ee::logic::code_key(env, &contract);
        let balance_leaf = umbrella_ee::logic::balance_key(env, &contract);
        let slot_leaves: Vec<Root> =
            [COUNT, OWNER].iter().map(|s| umbrella_ee::logic::storage_key(env, &contract, s)).collect();
        let mut call_leaves = vec![code_leaf, balance_leaf];
        call_leaves.extend(&slot_leaves);

        // Deployments: code that is not the named hash, empty code, a replayed nonce.
        n.refused(deploy([7; 32], 1), code.clone(), &[&alice], &[], UmbrellaError::BadCode);
        n.refused(deploy(Sha256::digest([]).into(), 1), vec![], &[&alice], &[], UmbrellaError::BadCode);
        n.refused(deploy(hash, 0), code.clone(), &[&alice], &[], UmbrellaError::AlreadyUsed);
        // Calls: no such contract, the wrong code, too little balance, a bad signature,
        // repeated slots.
        let other = UmbrellaClient::contract_id(&alice.public, 9);
        let other_leaf = umbrella_ee::logic::code_key(env, &other);
        n.refused(
            call(&alice, other, 0, CounterCall::Add(1), 1),
            code.clone(),
            &[&alice],
            &[other_leaf],
            UmbrellaError::NoSuchContract,
        );
        n.refused(
            call(&alice, contract, 0, CounterCall::Add(1), 1),
            returning(&ContractResult::default()),
            &[&alice],
            &call_leaves,
            UmbrellaError::BadCode,
        );
        n.refused(
            call(&alice, contract, 5_000, CounterCall::Add(1), 1),
            code.clone(),
            &[&alice],
            &call_leaves,
            UmbrellaError::Insufficient,
        );
        n.refused(
            call(&bob, contract, 1, CounterCall::Add(1), 0),
            code.clone(),
            &[&bob],
            &call_leaves,
            UmbrellaError::Insufficient,
        );
        let mut forged = call(&alice, contract, 0, CounterCall::Add(1), 1);
        if let Op::Call { value, .. } = &mut forged {
            *value = 1;
        }
        n.refused(forged, code.clone(), &[&alice], &call_leaves, UmbrellaError::BadSignature);
        let repeated = signed(
            Op::Call {
                caller: alice.public,
                contract,
                value: 0,
                input: vec![],
                slots: vec![COUNT, COUNT],
                nonce: 1,
                signature: [0; 96],
            },
            &alice,
        );
        n.refused(repeated, code.clone(), &[&alice], &call_leaves, UmbrellaError::BadSlots);
        // The contract itself fails (bad input): its abort is the call's refusal.
        let garbage = signed(
            Op::Call {
                caller: alice.public,
                contract,
                value: 0,
                input: vec![9, 9],
                slots: vec![COUNT, OWNER],
                nonce: 1,
                signature: [0; 96],
            },
            &alice,
        );
        n.refused(
            garbage,
            code.clone(),
            &[&alice],
            &call_leaves,
            UmbrellaError::ContractFailed(SpawnStatus::Failed),
        );

        // Misbehaving contracts (deployed for real): writes to an undeclared slot, pays
        // out more than it holds, loops forever.
        let bad_write =
            returning(&ContractResult { storage: vec![([9; 32], [1; 32])], ..Default::default() });
        let overspend = returning(&ContractResult { payments: vec![(bob.public, 1)], ..Default::default() });
        for (i, (bad, err)) in
            [(bad_write, UmbrellaError::ContractMisbehaved), (overspend, UmbrellaError::ContractOverspent)]
                .into_iter()
                .enumerate()
        {
            let nonce = 1 + i as u64;
            let h: Root = Sha256::digest(&bad).into();
            let tx = n.client.prepare(deploy(h, nonce), bad.clone(), &n.view(0)).unwrap();
            assert_eq!(n.send(0, tx.transaction(UMBRELLA), Some(&tx)), Ok(()));
            let id = UmbrellaClient::contract_id(&alice.public, nonce);
            let mut leaves =
                vec![umbrella_ee::logic::code_key(env, &id), umbrella_ee::logic::balance_key(env, &id)];
            leaves.extend([COUNT, OWNER].iter().map(|s| umbrella_ee::logic::storage_key(env, &id, s)));
            leaves.push(umbrella_ee::logic::account_key(env, &bob.public));
            let op = call(&alice, id, 0, CounterCall::Add(1), nonce + 1);
            // The client runs contracts with `counter`, so it cannot predict these; send by hand.
            let witness = n.client.witness(ShardId(0), &[alice.public], &leaves);
            let tx =
                ShardTransaction { ee_id: UMBRELLA, data: UmbrellaTx { op, code: bad, witness }.encode() };
            assert_eq!(n.send(0, tx, None), aborted(err.message()), "{tier:?}");
        }
        let looping = wat::parse_str(LOOP).unwrap();
        let h: Root = Sha256::digest(&looping).into();
        let tx = n.client.prepare(deploy(h, 3), looping.clone(), &n.view(0)).unwrap();
        assert_eq!(n.send(0, tx.transaction(UMBRELLA), Some(&tx)), Ok(()));
        let id = UmbrellaClient::contract_id(&alice.public, 3);
        let leaves = [umbrella_ee::logic::code_key(env, &id), umbrella_ee::logic::balance_key(env, &id)];
        let mut all = leaves.to_vec();
        all.extend([COUNT, OWNER].iter().map(|s| umbrella_ee::logic::storage_key(env, &id, s)));
        let witness = n.client.witness(ShardId(0), &[alice.public], &all);
        let op = call(&alice, id, 0, CounterCall::Add(1), 4);
        let tx =
            ShardTransaction { ee_id: UMBRELLA, data: UmbrellaTx { op, code: looping, witness }.encode() };
        assert_eq!(n.send(0, tx, None), Err(TxError::OutOfGas), "{tier:?}: the contract took all the gas");

        // Malformed data and forged witnesses.
        assert_eq!(
            n.send(0, ShardTransaction { ee_id: UMBRELLA, data: vec![1, 2, 3] }, None),
            aborted(UmbrellaError::Malformed.message())
        );
        let mut witness = n.client.witness(ShardId(0), &[alice.public], &[]);
        witness.leaves[0].1[3] ^= 1;
        let w = signed(
            Op::Withdraw {
                account: alice.public,
                target_shard: ShardId(1),
                target_ee: PAYEE,
                amount: 1,
                nonce: 4,
                signature: [0; 96],
            },
            &alice,
        );
        let tx =
            ShardTransaction { ee_id: UMBRELLA, data: UmbrellaTx { op: w, code: vec![], witness }.encode() };
        assert_eq!(n.send(0, tx, None), aborted(UmbrellaError::WitnessInvalid.message()));
        assert_eq!(n.client.account(ShardId(0), &alice.public).balance, 1_000, "{tier:?}: nothing moved");
    }
}
