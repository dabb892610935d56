//! What `ee token`, `ee checkin` and `ee fee-market` share: the followed copy of a
//! catalogue EE's trees (loaded from its state file, synced from the devnet, saved),
//! sending a prepared transaction and printing what it did.
use crate::args::SendArgs;
use crate::output::{Format, print_json, table};
use anyhow::Context;
use ee_client::catalogue::{Followed, Follower};
use ee_client::{Client, HttpTransport, TxRequest};
use ee_sdk::client::Keypair;
use ee_sdk::{EeId, ShardTransaction};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Options every catalogue EE command takes.
#[derive(clap::Args)]
pub struct CatalogueArgs {
    /// The EE's id on the devnet (what `ee deploy` printed).
    #[arg(long, global = true)]
    pub ee: Option<u32>,
    /// The file keeping this client's copy of the EE's trees (default
    /// `.ee/<kind>-<id>.json` in the current directory). Synced from the devnet before
    /// and after every operation, checked against the chain's roots.
    #[arg(long, global = true)]
    pub state: Option<PathBuf>,
    /// Devnet, wait, format.
    #[command(flatten)]
    pub net: SendArgs,
}

/// A followed EE on a devnet.
pub struct Session<C> {
    /// The node.
    pub client: Client<HttpTransport>,
    /// The copy of the trees.
    pub follower: Follower<C>,
    path: PathBuf,
    wait: Duration,
    /// What the last sync replayed (slots, transactions).
    pub synced: ee_client::catalogue::Synced,
}

impl<C: Followed> Session<C> {
    /// Loads the copy, syncs it and saves it.
    pub fn open(args: &CatalogueArgs) -> anyhow::Result<Self> {
        Self::open_with(args, |_| ())
    }

    /// [`Session::open`], with `setup` applied to the loaded copy before it syncs (e.g. to
    /// give it a runner for spawned children).
    pub fn open_with(args: &CatalogueArgs, setup: impl FnOnce(&mut Follower<C>)) -> anyhow::Result<Self> {
        let ee = args.ee.with_context(|| format!("give --ee: the {} EE's id on the devnet", C::KIND))?;
        let client = args.net.rpc.client()?;
        let info = client.get_ee(ee).with_context(|| format!("EE {ee} on {}", args.net.rpc.rpc))?;
        let path =
            args.state.clone().unwrap_or_else(|| Path::new(".ee").join(format!("{}-{ee}.json", C::KIND)));
        let mut follower = Follower::<C>::load(&path, EeId(ee))?;
        setup(&mut follower);
        let mut s = Session {
            client,
            follower,
            path,
            wait: Duration::from_secs(args.net.wait),
            synced: Default::default(),
        };
        s.sync().with_context(|| format!("following EE {ee} ({}) as a {} EE", info.name, C::KIND))?;
        Ok(s)
    }

    /// Replays what the chain committed since the last sync and saves the copy.
    pub fn sync(&mut self) -> anyhow::Result<()> {
        self.synced = self.follower.sync(&self.client)?;
        self.follower.save(&self.path)?;
        Ok(())
    }

    /// The report of a sync: what it replayed and the copy's root on every shard.
    pub fn sync_report(&self) -> Report {
        let trees = self.follower.client.trees();
        let rows = trees
            .shards()
            .map(|sh| (format!("root on shard {}", sh.0), hex::encode(trees.root(sh))))
            .collect();
        Report::new(
            format!(
                "synced {} slots, replayed {} transactions; as of slot {}",
                self.synced.slots,
                self.synced.replayed,
                self.synced.head.saturating_sub(1)
            ),
            None,
            rows,
        )
    }

    /// Sends `tx` on `shard`, waits for it, syncs; returns its hash and result.
    pub fn send(&mut self, shard: u32, tx: &ShardTransaction) -> anyhow::Result<Sent> {
        let accepted = self.client.send_transaction(TxRequest::new(shard, tx.ee_id.0, &tx.data))?;
        let loc = self.client.wait_for(&accepted.hash, self.wait)?;
        // The block that holds it is committed: the next sync replays it.
        self.sync()?;
        Ok(Sent {
            hash: accepted.hash,
            slot: loc.slot,
            error: loc.result.error,
            gas: loc.result.gas,
            fee: loc.result.fee,
        })
    }
}

/// A sent transaction's outcome.
#[derive(Serialize)]
pub struct Sent {
    /// Its hash (hex).
    pub hash: String,
    /// The slot that holds it.
    pub slot: u64,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// Gas used.
    pub gas: u64,
    /// Fee paid (Gwei).
    pub fee: u64,
}

/// What a catalogue command prints.
#[derive(Serialize)]
pub struct Report {
    /// The operation.
    pub operation: String,
    /// `ok`, or why it was refused.
    pub result: String,
    /// The transaction, if one was sent.
    pub sent: Option<Sent>,
    /// `(what, value)` rows read from the followed trees after it.
    pub rows: Vec<(String, String)>,
}

impl Report {
    /// A report of `sent` (or of a read when `None`).
    pub fn new(operation: impl Into<String>, sent: Option<Sent>, rows: Vec<(String, String)>) -> Self {
        let result =
            sent.as_ref().and_then(|s| s.error.clone()).map_or("ok".to_string(), |e| format!("refused: {e}"));
        Report { operation: operation.into(), result, sent, rows }
    }

    /// Prints it; failure when the transaction was refused.
    pub fn print(&self, format: Format, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
        if format == Format::Json {
            print_json(out, self)?;
        } else {
            match &self.sent {
                Some(s) => writeln!(
                    out,
                    "{}: {} (slot {}, gas {}, fee {} Gwei, tx {})",
                    self.operation, self.result, s.slot, s.gas, s.fee, s.hash
                )?,
                None => writeln!(out, "{}", self.operation)?,
            }
            let mut t = table(["", "value"]);
            for (k, v) in &self.rows {
                t.add_row(vec![k.clone(), v.clone()]);
            }
            writeln!(out, "{t}")?;
        }
        let failed = self.sent.as_ref().is_some_and(|s| s.error.is_some());
        Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
    }
}

/// The key pair of a key file (`ee keygen`).
pub fn keypair(path: &Path) -> anyhow::Result<Keypair> {
    Ok(Keypair::from_secret(crate::args::read_key_file(path)?.key()?))
}

/// A 48-byte public key from hex.
pub fn pubkey(text: &str) -> anyhow::Result<[u8; 48]> {
    hex::decode(text.trim_start_matches("0x"))
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("`{text}` is not a 48-byte hex public key"))
}

/// A 32-byte root from hex.
pub fn root(text: &str) -> anyhow::Result<[u8; 32]> {
    hex::decode(text.trim_start_matches("0x"))
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("`{text}` is not a 32-byte hex root"))
}

/// A public key given as a key file or as hex (`--x-key` or `--x`).
pub fn who(key: Option<&Path>, hex: Option<&str>, what: &str) -> anyhow::Result<[u8; 48]> {
    match (key, hex) {
        (Some(p), _) => Ok(keypair(p)?.public),
        (None, Some(h)) => pubkey(h),
        (None, None) => anyhow::bail!("name {what} by a key file or a hex public key"),
    }
}
