//! Renders the ABI reference (`docs/ABI.md`) from the table.
use super::{HostFn, HostGas, Kind, Role};

/// Whatever prices host functions (the gas module's cost table; the table's defaults).
pub trait Prices {
    /// The price of `f`.
    fn price(&self, f: HostFn) -> HostGas;
}

/// The prices written in the ABI table.
#[derive(Clone, Copy, Debug, Default)]
pub struct TableDefaults;

impl Prices for TableDefaults {
    fn price(&self, f: HostFn) -> HostGas {
        f.default_gas()
    }
}
use std::fmt::Write;

/// The ABI reference as Markdown, with each function's price from `prices` (the default
/// cost table, or one passed with `--costs`).
pub fn markdown(prices: &impl Prices) -> String {
    let mut out = String::new();
    out.push_str("# Host ABI\n\n");
    out.push_str(
        "Generated from the table in `ee-sdk/src/abi.rs` by `ee abi --markdown`; \
         do not edit by hand (a test compares this file with the generator).\n\n",
    );
    out.push_str(
        "Gas per call is `base + per_byte × bytes`, where `bytes` is the sum of the `Len` \
         arguments plus 32 per `In32`/`Out32` argument. Roles: `ee` (any EE), `meta` \
         (the netting meta-EE), `child` (an instance an EE runs with `spawn`).\n\n",
    );
    out.push_str("| import | signature | roles | base | per byte |\n|---|---|---|---|---|\n");
    for &f in HostFn::ALL {
        let gas = prices.price(f);
        let roles: Vec<_> = f.roles().iter().map(Role::to_string).collect();
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {} |",
            f,
            wasm_signature(f),
            roles.join(", "),
            gas.base,
            gas.per_byte
        );
    }
    for &f in HostFn::ALL {
        let _ = write!(out, "\n## `{f}`\n\n");
        let params: Vec<_> = f.params().iter().map(|(n, k)| format!("{n}: {k:?}")).collect();
        let result = match f.result() {
            Kind::Unit => String::new(),
            k => format!(" -> {k:?}"),
        };
        let _ = writeln!(out, "`{}({}){}`\n", f.name(), params.join(", "), result);
        for line in f.docs().lines() {
            let _ = writeln!(out, "{}", line.trim());
        }
        if !f.aliases().is_empty() {
            let aliases: Vec<_> = f.aliases().iter().map(|(m, n)| format!("`{m}.{n}`")).collect();
            let _ = writeln!(out, "\nAlso importable as {}.", aliases.join(", "));
        }
    }
    out
}

/// A function's wasm signature as text, e.g. `(i32, i32) -> ()`.
pub fn wasm_signature(f: HostFn) -> String {
    let params: Vec<_> = f.wasm_params().map(|t| t.name()).collect();
    format!("({}) -> {}", params.join(", "), f.wasm_result().map_or("()", |t| t.name()))
}
