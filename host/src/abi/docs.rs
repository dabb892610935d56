//! Renders the ABI reference (`docs/ABI.md`) from the table.
use super::{HostFn, Role};
use crate::gas::CostTable;
use std::fmt::Write;

/// The ABI reference as Markdown, with prices from `costs`.
pub fn markdown(costs: &CostTable) -> String {
    let mut out = String::new();
    out.push_str("# Host ABI\n\n");
    out.push_str(
        "Generated from the table in `ee-sdk/src/abi.rs` by `ee abi --format markdown`; \
         do not edit by hand (a test compares this file with the generator).\n\n",
    );
    out.push_str(
        "Gas per call is `base + per_byte × bytes`, where `bytes` is the sum of the `Len` \
         arguments plus 32 per `In32`/`Out32` argument. Roles: `ee` (any EE), `meta` \
         (the netting meta-EE).\n\n",
    );
    out.push_str("| import | signature | roles | base | per byte |\n|---|---|---|---|---|\n");
    for &f in HostFn::ALL {
        let gas = costs.host(f);
        let roles: Vec<_> = f.roles().iter().map(Role::to_string).collect();
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {} |",
            f,
            f.wasm_signature(),
            roles.join(", "),
            gas.base,
            gas.per_byte
        );
    }
    for &f in HostFn::ALL {
        let _ = write!(out, "\n## `{f}`\n\n");
        let params: Vec<_> = f.params().iter().map(|(n, k)| format!("{n}: {k:?}")).collect();
        let result = f.result().map(|k| format!(" -> {k:?}")).unwrap_or_default();
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
