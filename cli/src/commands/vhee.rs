//! `ee vhee`: use the VHEE on a devnet — deposits, balances, signed operations with proofs
//! from the state provider (built on `ee_client::vhee`).
use crate::args::SendArgs;
use crate::following::pubkey;
use crate::output::{Format, print_json, table};
use anyhow::{Context, bail};
use ee_client::vhee::{Address, Keypair, Op, Receipt, Sent, Vhee, VheeClient};
use ee_sdk::{EeId, ShardId};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Use the VHEE (seed 000's EE of standardized accounts) on a devnet: a validator's
/// deposit, balances, signed transfers, payments to other EEs, cross-shard transfers with
/// user receipts and their claims. Every operation fetches the proofs of the accounts it
/// touches from the node's state provider, is signed with the key file's key, sent, and
/// awaited; it prints the result and the balances it moved.
///
/// Example: `ee keygen --dev 0 --out v0.key && ee vhee deposit --key v0.key --validator 0 --shard 0 --amount 32000000000`
#[derive(clap::Args)]
pub struct Args {
    /// The operation.
    #[command(subcommand)]
    pub op: VheeOp,
    /// The VHEE's id (the devnet's genesis VHEE is 0).
    #[arg(long, global = true, default_value_t = 0)]
    pub vhee: u32,
    /// Devnet, wait, format.
    #[command(flatten)]
    pub net: SendArgs,
}

/// A VHEE operation.
#[derive(clap::Subcommand)]
pub enum VheeOp {
    /// A validator deposits into a portion on a shard; the VHEE claims it for the key.
    Deposit {
        /// The validator's key file (`ee keygen --dev 0` for the devnet's validator 0).
        #[arg(long)]
        key: PathBuf,
        /// The validator's index.
        #[arg(long)]
        validator: u64,
        /// The shard.
        #[arg(long)]
        shard: u32,
        /// The portion (the `ee_id` dimension of the funds).
        #[arg(long, default_value_t = 0)]
        portion: u32,
        /// Gwei.
        #[arg(long)]
        amount: u64,
    },
    /// An account's balance and nonce.
    Balance {
        /// Whose: a key file …
        #[arg(long, conflicts_with = "address")]
        key: Option<PathBuf>,
        /// … or a public key (hex).
        #[arg(long)]
        address: Option<String>,
        /// The shard.
        #[arg(long)]
        shard: u32,
        /// The portion.
        #[arg(long, default_value_t = 0)]
        portion: u32,
    },
    /// A signed transfer to another account on the same shard.
    Transfer {
        /// The payer's key file.
        #[arg(long)]
        key: PathBuf,
        /// The shard.
        #[arg(long)]
        shard: u32,
        /// The payee's public key (hex).
        #[arg(long)]
        to: String,
        /// Gwei.
        #[arg(long)]
        amount: u64,
        /// The portion of both accounts.
        #[arg(long, default_value_t = 0)]
        portion: u32,
    },
    /// A signed payment to another EE (netted by the meta-EE).
    PayEe {
        /// The payer's key file.
        #[arg(long)]
        key: PathBuf,
        /// The shard.
        #[arg(long)]
        shard: u32,
        /// The payee EE.
        #[arg(long)]
        ee: u32,
        /// The payee's shard.
        #[arg(long)]
        target_shard: u32,
        /// Gwei.
        #[arg(long)]
        amount: u64,
        /// The payer's portion.
        #[arg(long, default_value_t = 0)]
        portion: u32,
    },
    /// A signed cross-shard transfer with user receipts; writes them to `--out` for the
    /// claims.
    SendCross {
        /// The payer's key file.
        #[arg(long)]
        key: PathBuf,
        /// The shard it is sent from.
        #[arg(long)]
        shard: u32,
        /// The shard the receipts are claimed on.
        #[arg(long)]
        to_shard: u32,
        /// `PUBKEY:AMOUNT` (hex key, Gwei); repeat for several receipts.
        #[arg(long = "receipt", required = true)]
        receipts: Vec<String>,
        /// The receipts file to write (JSON).
        #[arg(long)]
        out: PathBuf,
        /// The portion of every account.
        #[arg(long, default_value_t = 0)]
        portion: u32,
    },
    /// Claims receipt `--index` of a receipts file on its target shard (anyone may).
    Claim {
        /// The file `send-cross` wrote.
        #[arg(long)]
        receipts: PathBuf,
        /// Which receipt.
        #[arg(long)]
        index: u32,
    },
}

/// What `send-cross` writes and `claim` reads.
#[derive(Serialize, Deserialize)]
struct ReceiptsFile {
    source_shard: u32,
    target_shard: u32,
    data_root: String,
    /// SCALE receipts (hex).
    receipts: Vec<String>,
}

#[derive(Serialize)]
struct Report {
    operation: String,
    result: String,
    hash: Option<String>,
    gas: u64,
    fee: u64,
    balances: Vec<BalanceRow>,
}

#[derive(Serialize)]
struct BalanceRow {
    account: String,
    shard: u32,
    portion: u32,
    balance: u64,
    nonce: u64,
}

fn keypair(path: &std::path::Path) -> anyhow::Result<Keypair> {
    Ok(Keypair::from_secret(crate::args::read_key_file(path)?.key()?))
}

/// Runs the command.
pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let client = args.net.rpc.client()?;
    let vhee = Vhee::new(&client, EeId(args.vhee));
    let wait = Duration::from_secs(args.net.wait);
    let row = |who: String, shard: u32, a: &Address| -> anyhow::Result<BalanceRow> {
        let acc = vhee.account(ShardId(shard), a)?;
        Ok(BalanceRow { account: who, shard, portion: a.portion.0, balance: acc.balance, nonce: acc.nonce })
    };
    let short = |k: &[u8; 48]| hex::encode(&k[..6]);
    let (operation, sent, balances): (String, Option<Sent>, Vec<BalanceRow>) = match args.op {
        VheeOp::Deposit { key, validator, shard, portion, amount } => {
            let kp = keypair(&key)?;
            let accepted = vhee.deposit(&kp, validator, ShardId(shard), EeId(portion), amount, wait)?;
            let sent = vhee.run(Op::Deposit { index: accepted.index }, ShardId(shard), None, wait)?;
            let me = kp.address(EeId(portion));
            (
                format!("deposit receipt {}", accepted.index),
                Some(sent),
                vec![row(short(&me.key), shard, &me)?],
            )
        }
        VheeOp::Balance { key, address, shard, portion } => {
            let k = match (key, address) {
                (Some(path), _) => keypair(&path)?.public,
                (None, Some(a)) => pubkey(&a)?,
                (None, None) => bail!("give --key or --address"),
            };
            let a = Address { portion: EeId(portion), key: k };
            ("balance".into(), None, vec![row(short(&k), shard, &a)?])
        }
        VheeOp::Transfer { key, shard, to, amount, portion } => {
            let kp = keypair(&key)?;
            let (from, to) =
                (kp.address(EeId(portion)), Address { portion: EeId(portion), key: pubkey(&to)? });
            let nonce = vhee.nonce(&kp, ShardId(shard), EeId(portion))?;
            let op = Op::Transfer { from, to, amount, nonce, signature: [0; 96] };
            let sent = vhee.run(vhee.sign(op, &kp, ShardId(shard)), ShardId(shard), None, wait)?;
            (
                "transfer".into(),
                Some(sent),
                vec![row(short(&from.key), shard, &from)?, row(short(&to.key), shard, &to)?],
            )
        }
        VheeOp::PayEe { key, shard, ee, target_shard, amount, portion } => {
            let kp = keypair(&key)?;
            let from = kp.address(EeId(portion));
            let nonce = vhee.nonce(&kp, ShardId(shard), EeId(portion))?;
            let op = Op::PayEe {
                from,
                target_shard: ShardId(target_shard),
                target_ee: EeId(ee),
                amount,
                nonce,
                signature: [0; 96],
            };
            let sent = vhee.run(vhee.sign(op, &kp, ShardId(shard)), ShardId(shard), None, wait)?;
            (
                format!("pay EE {ee} on shard {target_shard}"),
                Some(sent),
                vec![row(short(&from.key), shard, &from)?],
            )
        }
        VheeOp::SendCross { key, shard, to_shard, receipts, out: file, portion } => {
            let kp = keypair(&key)?;
            let from = kp.address(EeId(portion));
            let receipts = receipts
                .iter()
                .map(|r| {
                    let (k, a) =
                        r.split_once(':').with_context(|| format!("`{r}`: expected PUBKEY:AMOUNT"))?;
                    let to = Address { portion: EeId(portion), key: pubkey(k)? };
                    Ok(Receipt {
                        from,
                        to,
                        amount: a.parse().with_context(|| format!("`{a}`: Gwei"))?,
                        call_data: vec![],
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let root = VheeClient::data_root(&receipts);
            let nonce = vhee.nonce(&kp, ShardId(shard), EeId(portion))?;
            let op = Op::CrossShard {
                from,
                target_shard: ShardId(to_shard),
                receipts: receipts.clone(),
                nonce,
                signature: [0; 96],
            };
            let sent = vhee.run(vhee.sign(op, &kp, ShardId(shard)), ShardId(shard), None, wait)?;
            let saved = ReceiptsFile {
                source_shard: shard,
                target_shard: to_shard,
                data_root: hex::encode(root),
                receipts: receipts
                    .iter()
                    .map(|r| hex::encode(parity_scale_codec::Encode::encode(r)))
                    .collect(),
            };
            std::fs::write(&file, serde_json::to_string_pretty(&saved)?)
                .with_context(|| format!("writing {}", file.display()))?;
            (
                format!("cross-shard to shard {to_shard}, receipts in {}", file.display()),
                Some(sent),
                vec![row(short(&from.key), shard, &from)?],
            )
        }
        VheeOp::Claim { receipts, index } => {
            let text = crate::args::read_input_text(&receipts)?;
            let file: ReceiptsFile =
                serde_json::from_str(&text).context("a receipts file of `ee vhee send-cross`")?;
            let rs = file
                .receipts
                .iter()
                .map(|h| {
                    let bytes = hex::decode(h)?;
                    Ok(<Receipt as parity_scale_codec::DecodeAll>::decode_all(&mut &bytes[..])?)
                })
                .collect::<anyhow::Result<Vec<Receipt>>>()?;
            let receipt = rs.get(index as usize).with_context(|| format!("no receipt {index}"))?.clone();
            let root: [u8; 32] =
                hex::decode(&file.data_root)?.try_into().map_err(|_| anyhow::anyhow!("data root"))?;
            let op = Op::Claim {
                source_shard: ShardId(file.source_shard),
                data_root: root,
                index,
                receipt: receipt.clone(),
                proof: VheeClient::receipt_proof(&rs, index),
            };
            let shard = ShardId(file.target_shard);
            let sent = vhee.run_anyway(op, shard, Some((ShardId(file.source_shard), root)), wait)?;
            (
                format!("claim receipt {index}"),
                Some(sent),
                vec![row(short(&receipt.to.key), file.target_shard, &receipt.to)?],
            )
        }
    };
    let failed = sent.as_ref().and_then(|s| s.committed.result.error.clone());
    let report = Report {
        operation,
        result: failed.clone().map_or("ok".to_string(), |e| format!("refused: {e}")),
        hash: sent.as_ref().map(|s| s.hash.clone()),
        gas: sent.as_ref().map_or(0, |s| s.committed.result.gas),
        fee: sent.as_ref().map_or(0, |s| s.committed.result.fee),
        balances,
    };
    if args.net.format == Format::Json {
        print_json(out, &report)?;
    } else {
        writeln!(
            out,
            "{}: {} (gas {}, fee {} Gwei)",
            report.operation, report.result, report.gas, report.fee
        )?;
        let mut t = table(["account", "shard", "portion", "balance (Gwei)", "nonce"]);
        for b in &report.balances {
            t.add_row(vec![
                b.account.clone(),
                b.shard.to_string(),
                b.portion.to_string(),
                b.balance.to_string(),
                b.nonce.to_string(),
            ]);
        }
        writeln!(out, "{t}")?;
    }

    Ok(if failed.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
