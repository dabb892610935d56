//! Output formats shared by every command, and the printers of the report types several
//! commands show (a block report: `ee run`, `ee demo`, `ee status --block`).
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use ee_client::report::{BlockReport, Decision, MatrixReport};
use serde::Serialize;
use std::io::Write;

/// How a command prints its data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable tables.
    #[default]
    Table,
    /// One JSON document on stdout.
    Json,
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize>(out: &mut dyn Write, value: &T) -> anyhow::Result<()> {
    writeln!(out, "{}", serde_json::to_string_pretty(value)?)?;
    Ok(())
}

/// A table with the project's style and the given header.
pub fn table<I: IntoIterator<Item = S>, S: ToString>(header: I) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.into_iter().map(|s| s.to_string()).collect::<Vec<_>>());
    t
}

/// Shortens a hex root for tables.
pub fn short_hex(hex: &str) -> String {
    let chars: Vec<char> = hex.chars().collect();
    if chars.len() > 16 {
        let (head, tail): (String, String) =
            (chars[..8].iter().collect(), chars[chars.len() - 6..].iter().collect());
        format!("{head}…{tail}")
    } else {
        hex.to_string()
    }
}

/// A balance matrix as a table: row r = `shard[r].balances`, column c = funds for shard c.
pub fn matrix_table(title: &str, rows: &[Vec<i64>]) -> Table {
    let mut t = table(std::iter::once(title.to_string()).chain((0..rows.len()).map(|c| format!("col {c}"))));
    for (r, row) in rows.iter().enumerate() {
        t.add_row(
            std::iter::once(format!("shard {r}"))
                .chain(row.iter().map(|v| v.to_string()))
                .collect::<Vec<_>>(),
        );
    }
    t
}

/// Prints matrices, one table each.
pub fn print_matrices(out: &mut dyn Write, ms: &[MatrixReport]) -> anyhow::Result<()> {
    for m in ms {
        writeln!(out, "{}", matrix_table(&format!("{} (EE {})", m.name, m.ee), &m.rows))?;
    }
    Ok(())
}

/// Prints a block report: its header line, every transaction, and the meta-EE's decisions.
pub fn print_block(out: &mut dyn Write, b: &BlockReport) -> anyhow::Result<()> {
    let hash = b.hash.as_deref().map(|h| format!(", hash {}", short_hex(h))).unwrap_or_default();
    writeln!(
        out,
        "\nBlock slot {} shard {}: root {} → {}, gas {}, fees {} Gwei{hash}, witness {} bytes",
        b.slot,
        b.shard,
        short_hex(&b.pre_root),
        short_hex(&b.post_root),
        b.gas,
        b.fees,
        b.witness_bytes
    )?;
    let mut t = table(["#", "EE", "result", "gas", "host gas", "fee", "outputs", "compile µs", "exec µs"]);
    for tx in &b.transactions {
        t.add_row(vec![
            tx.index.to_string(),
            format!("{} ({})", tx.name, tx.ee),
            tx.error.clone().unwrap_or_else(|| "ok".into()),
            tx.gas.to_string(),
            tx.host_gas.to_string(),
            tx.fee.to_string(),
            tx.outputs.to_string(),
            tx.compile_us.to_string(),
            tx.execute_us.to_string(),
        ]);
    }
    writeln!(out, "{t}")?;
    if b.deferred + b.dropped > 0 {
        writeln!(out, "{} transaction(s) deferred to a later block, {} dropped", b.deferred, b.dropped)?;
    }
    if !b.netting.is_empty() {
        let mut t = table(["from EE", "output", "to shard", "to EE", "amount", "meta-EE"]);
        for r in &b.netting {
            let (shard, ee, amount) = match r.target {
                Some((s, e, a)) => (s.to_string(), e.to_string(), a.to_string()),
                None => ("-".into(), "-".into(), "-".into()),
            };
            let decision = match (&r.status, &r.rejected) {
                (Decision::Accepted, _) => "accepted".to_string(),
                (Decision::Rejected, why) => format!("rejected: {}", why.as_deref().unwrap_or("?")),
            };
            t.add_row(vec![r.source_ee.to_string(), r.index.to_string(), shard, ee, amount, decision]);
        }
        writeln!(out, "{t}")?;
    }
    Ok(())
}
