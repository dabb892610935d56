//! Output formats shared by every command.
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

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
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
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
    if hex.len() > 16 { format!("{}…{}", &hex[..8], &hex[hex.len() - 6..]) } else { hex.to_string() }
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
