//! Value is conserved: whatever sequence of deposits, deployments, calls with value (the
//! counter contract run natively, as the client runs it), payouts (valid or not) and
//! withdrawals runs, accounts plus contract balances equal deposits minus withdrawals, and
//! a refused operation changes nothing.
use ee_sdk::codec::{DecodeAll, Encode};
use ee_sdk::contract::{ContractCall, ContractResult};
use ee_sdk::{EeId, Root, ShardId, SpawnStatus};
use proptest::prelude::*;
use umbrella_ee::Op;
use umbrella_ee::client::{ChainView, Keypair, UmbrellaClient, sign};

const UMBRELLA: EeId = EeId(40);
const COUNT: Root = [0; 32];
const OWNER: Root = [1; 32];

/// A contract paying the caller back `input` (u64 LE) Gwei from its balance, or nothing if
/// the balance is short; keeps a counter in slot 0 (the client's stand-in for any code).
fn refund(_code: &[u8], input: &[u8]) -> Result<Vec<u8>, SpawnStatus> {
    let call = ContractCall::decode_all(&mut &input[..]).map_err(|_| SpawnStatus::Failed)?;
    let ask =
        u64::from_le_bytes(call.input.get(..8).and_then(|b| b.try_into().ok()).ok_or(SpawnStatus::Failed)?);
    let mut r = ContractResult::default();
    if ask <= call.balance && ask > 0 {
        r.payments.push((call.caller, ask));
    }
    r.storage.push((COUNT, [1; 32]));
    Ok(r.encode())
}

#[derive(Clone, Debug)]
enum Step {
    Deposit(usize),
    Call { caller: usize, value: u64, ask: u64 },
    Withdraw { account: usize, amount: u64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0usize..3).prop_map(Step::Deposit),
        (0usize..3, 0u64..300, 0u64..300).prop_map(|(caller, value, ask)| Step::Call { caller, value, ask }),
        (0usize..3, 0u64..300).prop_map(|(account, amount)| Step::Withdraw { account, amount }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn accounts_and_contracts_hold_deposits_minus_withdrawals(steps in prop::collection::vec(step(), 1..12)) {
        let keys: Vec<Keypair> = (0..3u8).map(|i| Keypair::from_seed(&[b'u', i])).collect();
        let deposits: Vec<_> =
            keys.iter().enumerate().map(|(i, k)| k.deposit(i as u64, ShardId(0), UMBRELLA, 200 * (i as u64 + 1))).collect();
        let mut view = ChainView {
            shard: ShardId(0),
            shard_count: 2,
            ee: UMBRELLA,
            ees: [UMBRELLA, EeId(1)].into(),
            deposits: deposits.clone(),
            children: Some(refund),
            ..ChainView::default()
        };
        let mut client = UmbrellaClient::new();
        let nonce = |c: &UmbrellaClient, k: &Keypair| c.account(ShardId(0), &k.public).nonce;
        // Keys[0] deploys the contract (any code: the client runs `refund` for it).
        let code = b"any contract code".to_vec();
        let hash: Root = <sha2::Sha256 as sha2::Digest>::digest(&code).into();
        let deploy = sign(Op::Deploy { deployer: keys[0].public, code_hash: hash, nonce: 0, signature: [0; 96] }, &keys[0], UMBRELLA, ShardId(0));
        let p = client.prepare(deploy, code.clone(), &view).unwrap();
        client.commit(&p);
        let contract = UmbrellaClient::contract_id(&keys[0].public, 0);
        let (mut deposited, mut withdrawn) = (0u64, 0u64);
        let mut claimed = std::collections::BTreeSet::new();
        for s in steps {
            let (op, code) = match &s {
                Step::Deposit(i) => {
                    view.deposits = deposits.clone();
                    if claimed.contains(i) {
                        view.deposits.clear();
                    }
                    (Op::Deposit { index: *i as u64 }, vec![])
                }
                Step::Call { caller, value, ask } => {
                    let k = &keys[*caller];
                    let op = Op::Call { caller: k.public, contract, value: *value, input: ask.to_le_bytes().to_vec(), slots: vec![COUNT, OWNER], nonce: nonce(&client, k), signature: [0; 96] };
                    (sign(op, k, UMBRELLA, ShardId(0)), code.clone())
                }
                Step::Withdraw { account, amount } => {
                    let k = &keys[*account];
                    let op = Op::Withdraw { account: k.public, target_shard: ShardId(1), target_ee: EeId(1), amount: *amount, nonce: nonce(&client, k), signature: [0; 96] };
                    (sign(op, k, UMBRELLA, ShardId(0)), vec![])
                }
            };
            let before = client.root(ShardId(0));
            match client.prepare(op, code, &view) {
                Ok(p) => {
                    client.commit(&p);
                    prop_assert_eq!(client.root(ShardId(0)), p.post_root);
                    match s {
                        Step::Deposit(i) => {
                            claimed.insert(i);
                            deposited += 200 * (i as u64 + 1);
                        }
                        Step::Withdraw { amount, .. } => withdrawn += amount,
                        Step::Call { .. } => prop_assert!(p.emitted.is_empty()),
                    }
                }
                Err(_) => prop_assert_eq!(client.root(ShardId(0)), before),
            }
            let held: u64 = keys.iter().map(|k| client.account(ShardId(0), &k.public).balance).sum::<u64>()
                + client.contract_balance(ShardId(0), &contract);
            prop_assert_eq!(held, deposited - withdrawn);
        }
    }
}
