//! `ee umbrella`: the umbrella EE on a devnet — deposits, contract deployments, calls that
//! run the contract as a child instance, withdrawals and balances — with this client's
//! followed copy of its trees; contracts run here on the chain's own metered runtime.
use crate::following::{CatalogueArgs, Report, Session, keypair, root, who};
use anyhow::Context;
use ee_client::catalogue::umbrella::client::{UmbrellaClient, sign};
use ee_client::catalogue::umbrella::{Op, UmbrellaError};
use ee_host::gas::CostTable;
use ee_host::limits::Limits;
use ee_host::runtime::{EngineKind, Runtime};
use ee_sdk::{EeId, ShardId, SpawnStatus};
use sha2::Digest;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

/// Use an umbrella EE (`ee deploy target/ees/umbrella_ee.wasm`) on a devnet: a
/// validator's deposit funds an account; an account deploys a contract (a `child`-role
/// wasm module, e.g. `target/ees/counter_contract.wasm`) and anyone calls it with value,
/// input and the storage slots it may touch. The client keeps a copy of the EE's trees
/// (`--state`) and runs contracts locally on the chain's metered runtime (its cost table
/// and limits) to build each call's witness; an operation the EE would refuse is refused
/// before anything is sent.
///
/// Example: `ee umbrella --ee 5 call --key me.key --contract ID --code counter_contract.wasm --input 0005000000000000000 --slot 00…00 --slot 01…01 --shard 0`
#[derive(clap::Args)]
pub struct Args {
    /// The operation.
    #[command(subcommand)]
    pub op: UmbrellaOp,
    /// EE id, state file, devnet, wait, format.
    #[command(flatten)]
    pub common: CatalogueArgs,
}

/// An umbrella operation.
#[derive(clap::Subcommand)]
pub enum UmbrellaOp {
    /// Replays what the chain committed into the state file and prints the roots.
    Sync,
    /// An account's balance and nonce, or a contract's balance and storage slots.
    Balance {
        /// The account's key file …
        #[arg(long, conflicts_with_all = ["account", "contract"])]
        key: Option<PathBuf>,
        /// … or public key (hex) …
        #[arg(long, conflicts_with = "contract")]
        account: Option<String>,
        /// … or a contract id (hex).
        #[arg(long)]
        contract: Option<String>,
        /// Storage slots of the contract to show (hex; repeatable).
        #[arg(long = "slot")]
        slots: Vec<String>,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
    /// A genesis validator deposits Gwei into the umbrella on a shard; the deposit's key
    /// gets the account.
    Deposit {
        /// The validator's key file (`ee keygen --dev 0`).
        #[arg(long)]
        key: PathBuf,
        /// The validator's index.
        #[arg(long)]
        validator: u64,
        /// Gwei.
        #[arg(long)]
        amount: u64,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
    /// Deploys a contract's code; prints its id.
    Deploy {
        /// The deployer's key file.
        #[arg(long)]
        key: PathBuf,
        /// The contract's wasm (role `child`; `ee check --role child`).
        #[arg(long)]
        code: PathBuf,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
    /// Calls a contract: moves `--value` to it, runs its code on `--input` with the
    /// declared `--slot`s, applies its writes and payments.
    Call {
        /// The caller's key file.
        #[arg(long)]
        key: PathBuf,
        /// The contract id (hex, from `deploy`).
        #[arg(long)]
        contract: String,
        /// The contract's wasm (checked against its code hash).
        #[arg(long)]
        code: PathBuf,
        /// Input for the contract (hex).
        #[arg(long, default_value = "")]
        input: String,
        /// Storage slots the contract may read and write (hex; repeatable).
        #[arg(long = "slot")]
        slots: Vec<String>,
        /// Gwei sent with the call.
        #[arg(long, default_value_t = 0)]
        value: u64,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
    /// Withdraws from an account to another EE or shard (netted by the meta-EE).
    Withdraw {
        /// The account's key file.
        #[arg(long)]
        key: PathBuf,
        /// Gwei.
        #[arg(long)]
        amount: u64,
        /// The payee EE.
        #[arg(long)]
        to_ee: u32,
        /// The payee's shard.
        #[arg(long)]
        to_shard: u32,
        /// The shard.
        #[arg(long)]
        shard: u32,
    },
}

/// The chain's runtime, which runs contracts for replays and previews.
static CHILDREN: OnceLock<Runtime> = OnceLock::new();

/// Runs a contract as the chain would (an `ee_sdk::client::ChildRunner`), with a whole
/// transaction's gas: a call the chain ran out of gas on failed there and is not replayed.
fn run_contract(code: &[u8], input: &[u8]) -> Result<Vec<u8>, SpawnStatus> {
    let runtime = CHILDREN.get().ok_or(SpawnStatus::Refused)?;
    runtime.run_child(code, input, runtime.limits().tx_gas)
}

/// The devnet's cost table and limits.
fn chain_runtime(client: &ee_client::Client<ee_client::HttpTransport>) -> anyhow::Result<Runtime> {
    let config = client.get_config()?;
    let costs = CostTable::from_json(&config.costs.to_string()).context("the devnet's cost table")?;
    let limits: Limits = serde_json::from_value(config.limits).context("the devnet's limits")?;
    Ok(Runtime::new(EngineKind::default(), Arc::new(costs), limits))
}

fn refused(e: UmbrellaError) -> anyhow::Error {
    anyhow::anyhow!("the umbrella EE would refuse it: {} (nothing was sent)", e.message())
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let client = args.common.net.rpc.client()?;
    if CHILDREN.get().is_none() {
        let _ = CHILDREN.set(chain_runtime(&client)?);
    }
    let mut s = Session::<UmbrellaClient>::open_with(&args.common, |f| f.children = Some(run_contract))?;
    let ee = s.follower.ee;
    let short = |k: &[u8]| hex::encode(&k[..6]);
    let account_row = |s: &Session<UmbrellaClient>, shard: u32, key: &[u8; 48]| {
        let a = s.follower.client.account(ShardId(shard), key);
        (format!("{} on shard {shard}", short(key)), format!("{} Gwei (nonce {})", a.balance, a.nonce))
    };
    let send = |s: &mut Session<UmbrellaClient>,
                op: Op,
                code: Vec<u8>,
                key: Option<&ee_sdk::client::Keypair>,
                shard: u32| {
        let op = match key {
            Some(k) => sign(op, k, ee, ShardId(shard)),
            None => op,
        };
        let view = s.follower.view(&s.client, ShardId(shard))?;
        let prepared = s.follower.client.prepare(op, code, &view).map_err(refused)?;
        s.send(shard, &prepared.transaction(ee))
    };
    let report = match args.op {
        UmbrellaOp::Sync => s.sync_report(),
        UmbrellaOp::Balance { key, account, contract, slots, shard } => match contract {
            Some(c) => {
                let c = root(&c)?;
                let client = &s.follower.client;
                let mut rows = vec![(
                    "contract balance".into(),
                    format!("{} Gwei", client.contract_balance(ShardId(shard), &c)),
                )];
                for slot in &slots {
                    let k = root(slot)?;
                    rows.push((
                        format!("slot {}", short(&k)),
                        hex::encode(client.storage(ShardId(shard), &c, &k)),
                    ));
                }
                Report::new(format!("contract {}", hex::encode(c)), None, rows)
            }
            None => {
                let k =
                    who(key.as_deref(), account.as_deref(), "the account (--key, --account or --contract)")?;
                Report::new("balance", None, vec![account_row(&s, shard, &k)])
            }
        },
        UmbrellaOp::Deposit { key, validator, amount, shard } => {
            let kp = keypair(&key)?;
            let accepted = s.client.deposit(ee_client::Hex(ee_sdk::codec::Encode::encode(&kp.deposit(
                validator,
                ShardId(shard),
                ee,
                amount,
            ))))?;
            let sent = send(&mut s, Op::Deposit { index: accepted.index }, Vec::new(), None, shard)?;
            Report::new(
                format!("deposit receipt {}", accepted.index),
                Some(sent),
                vec![account_row(&s, shard, &kp.public)],
            )
        }
        UmbrellaOp::Deploy { key, code, shard } => {
            let (deployer, code) = (keypair(&key)?, crate::args::read_input(&code)?);
            let nonce = s.follower.client.account(ShardId(shard), &deployer.public).nonce;
            let id = UmbrellaClient::contract_id(&deployer.public, nonce);
            let code_hash: [u8; 32] = sha2::Sha256::digest(&code).into();
            let op = Op::Deploy { deployer: deployer.public, code_hash, nonce, signature: [0; 96] };
            let sent = send(&mut s, op, code, Some(&deployer), shard)?;
            Report::new(
                format!("deploy contract {}", hex::encode(id)),
                Some(sent),
                vec![("contract".into(), hex::encode(id)), ("code hash".into(), hex::encode(code_hash))],
            )
        }
        UmbrellaOp::Call { key, contract, code, input, slots, value, shard } => {
            let (caller, contract, code) =
                (keypair(&key)?, root(&contract)?, crate::args::read_input(&code)?);
            let input = hex::decode(input.trim_start_matches("0x")).context("--input: hex")?;
            let slots = slots.iter().map(|s| root(s)).collect::<anyhow::Result<Vec<_>>>()?;
            let nonce = s.follower.client.account(ShardId(shard), &caller.public).nonce;
            let op = Op::Call {
                caller: caller.public,
                contract,
                value,
                input,
                slots: slots.clone(),
                nonce,
                signature: [0; 96],
            };
            let sent = send(&mut s, op, code, Some(&caller), shard)?;
            let client = &s.follower.client;
            let mut rows = vec![
                account_row(&s, shard, &caller.public),
                (
                    "contract balance".into(),
                    format!("{} Gwei", client.contract_balance(ShardId(shard), &contract)),
                ),
            ];
            for k in &slots {
                rows.push((
                    format!("slot {}", short(k)),
                    hex::encode(client.storage(ShardId(shard), &contract, k)),
                ));
            }
            Report::new(format!("call contract {}", short(&contract)), Some(sent), rows)
        }
        UmbrellaOp::Withdraw { key, amount, to_ee, to_shard, shard } => {
            let kp = keypair(&key)?;
            let nonce = s.follower.client.account(ShardId(shard), &kp.public).nonce;
            let op = Op::Withdraw {
                account: kp.public,
                target_shard: ShardId(to_shard),
                target_ee: EeId(to_ee),
                amount,
                nonce,
                signature: [0; 96],
            };
            let sent = send(&mut s, op, Vec::new(), Some(&kp), shard)?;
            Report::new(
                format!("withdraw {amount} Gwei to EE {to_ee} on shard {to_shard}"),
                Some(sent),
                vec![account_row(&s, shard, &kp.public)],
            )
        }
    };
    report.print(args.common.net.format, out)
}
