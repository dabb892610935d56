//! Gas: the cost table (data, serialisable, hashed into the module-cache key) and the
//! per-transaction meter.
//!
//! Instruction gas is charged by the metering the host writes into a module
//! (`runtime::instrument`) with the module's
//! `ModulePricer` per operator ([`OperatorCosts`] by category, plus the callee's locals on
//! a call and the targets of a `br_table`); instantiation and linear-memory pages are
//! charged by the runtime from [`ResourceCosts`] (the rule is in [`resources`]); host-call
//! gas is `base + per_byte × bytes` per [`HostFn`], defaulting to the prices in the ABI
//! table. One gas unit is roughly one simple wasm instruction.
pub mod operators;
pub mod resources;

#[cfg(feature = "runtime")]
pub use operators::ModulePricer;
pub use operators::{OpCategory, OperatorCosts};
pub use resources::{InstanceFigures, ResourceCosts};

use crate::abi::{HostFn, HostGas};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// All prices: operators by category, host functions by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostTable {
    /// Per-operator prices.
    pub operators: OperatorCosts,
    /// Instantiation, memory pages, locals and `br_table` targets.
    pub resources: ResourceCosts,
    host: Vec<HostGas>,
}

/// Errors reading a cost table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CostTableError {
    /// The JSON did not parse.
    #[error("cost table is not valid JSON: {0}")]
    Json(serde_json::Error),
    /// A host price names a function that is not in the ABI table.
    #[error("cost table prices unknown host function `{0}`")]
    UnknownHostFn(String),
}

/// Serialised shape of a cost table (`ee costs --format json`).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CostTableFile {
    #[serde(default)]
    operators: Option<OperatorCosts>,
    #[serde(default)]
    resources: Option<ResourceCosts>,
    #[serde(default)]
    host: BTreeMap<String, HostGas>,
}

impl crate::abi::docs::Prices for CostTable {
    fn price(&self, f: HostFn) -> HostGas {
        self.host(f)
    }
}

impl Default for CostTable {
    fn default() -> Self {
        CostTable {
            operators: OperatorCosts::default(),
            resources: ResourceCosts::default(),
            host: HostFn::ALL.iter().map(|f| f.default_gas()).collect(),
        }
    }
}

impl CostTable {
    /// Price of a host function.
    pub fn host(&self, f: HostFn) -> HostGas {
        self.host[f.index()]
    }

    /// Overrides the price of one host function.
    pub fn set_host(&mut self, f: HostFn, gas: HostGas) {
        self.host[f.index()] = gas;
    }

    /// Gas for one call of `f` moving `bytes` metered bytes (saturating).
    pub fn host_call(&self, f: HostFn, bytes: u64) -> u64 {
        let g = self.host(f);
        g.base.saturating_add(g.per_byte.saturating_mul(bytes))
    }

    /// Reads a table from JSON; omitted entries keep their defaults.
    pub fn from_json(text: &str) -> Result<Self, CostTableError> {
        let file: CostTableFile = serde_json::from_str(text)?;
        let mut table = CostTable::default();
        if let Some(ops) = file.operators {
            table.operators = ops;
        }
        if let Some(resources) = file.resources {
            table.resources = resources;
        }
        for (name, gas) in file.host {
            let f = HostFn::ALL
                .iter()
                .copied()
                .find(|f| f.name() == name)
                .ok_or(CostTableError::UnknownHostFn(name))?;
            table.set_host(f, gas);
        }
        Ok(table)
    }

    /// The full table as pretty JSON (every entry present).
    pub fn to_json(&self) -> String {
        let file = CostTableFile {
            operators: Some(self.operators.clone()),
            resources: Some(self.resources.clone()),
            host: HostFn::ALL.iter().map(|&f| (f.name().to_string(), self.host(f))).collect(),
        };
        serde_json::to_string_pretty(&file).expect("cost table serialises")
    }

    /// sha256 of the canonical JSON: part of the compiled-module cache key, because the
    /// metering code compiled into a module depends on the operator prices.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.to_json().as_bytes()).into()
    }
}

/// Host-call accounting of one transaction: calls and gas per host function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostProfile {
    calls: Vec<u64>,
    gas: Vec<u64>,
}

impl HostProfile {
    /// Records one call of `f` costing `gas`.
    pub fn record(&mut self, f: HostFn, gas: u64) {
        if self.calls.is_empty() {
            self.calls = vec![0; HostFn::ALL.len()];
            self.gas = vec![0; HostFn::ALL.len()];
        }
        self.calls[f.index()] += 1;
        self.gas[f.index()] = self.gas[f.index()].saturating_add(gas);
    }

    /// Adds `gas` to `f` without counting a call (a surcharge of a call already recorded).
    pub fn add_gas(&mut self, f: HostFn, gas: u64) {
        if self.calls.is_empty() {
            self.calls = vec![0; HostFn::ALL.len()];
            self.gas = vec![0; HostFn::ALL.len()];
        }
        self.gas[f.index()] = self.gas[f.index()].saturating_add(gas);
    }

    /// `(function, calls, gas)` for every function called at least once.
    pub fn entries(&self) -> impl Iterator<Item = (HostFn, u64, u64)> + '_ {
        HostFn::ALL
            .iter()
            .copied()
            .filter(|f| self.calls.get(f.index()).is_some_and(|&c| c > 0))
            .map(|f| (f, self.calls[f.index()], self.gas[f.index()]))
    }

    /// Total host-call gas.
    pub fn total_gas(&self) -> u64 {
        self.gas.iter().fold(0u64, |a, &g| a.saturating_add(g))
    }

    /// Adds another profile into this one.
    pub fn merge(&mut self, other: &HostProfile) {
        for (f, calls, gas) in other.entries() {
            if self.calls.is_empty() {
                self.calls = vec![0; HostFn::ALL.len()];
                self.gas = vec![0; HostFn::ALL.len()];
            }
            self.calls[f.index()] += calls;
            self.gas[f.index()] = self.gas[f.index()].saturating_add(gas);
        }
    }
}

// The message shows the cause; it is not also the `source()`, so `{:#}` prints it once.
impl From<serde_json::Error> for CostTableError {
    fn from(e: serde_json::Error) -> Self {
        CostTableError::Json(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_abi_table() {
        let t = CostTable::default();
        for &f in HostFn::ALL {
            assert_eq!(t.host(f), f.default_gas());
        }
        let g = HostFn::print_output.default_gas();
        assert_eq!(t.host_call(HostFn::print_output, 10), g.base + 10 * g.per_byte);
    }

    #[test]
    fn json_round_trips_and_overrides_partially() {
        let t = CostTable::default();
        assert_eq!(CostTable::from_json(&t.to_json()).unwrap(), t);
        let custom = CostTable::from_json(r#"{"host": {"sha256": {"base": 1, "per_byte": 0}}}"#).unwrap();
        assert_eq!(custom.host(HostFn::sha256), HostGas { base: 1, per_byte: 0 });
        assert_eq!(custom.host(HostFn::abort), HostFn::abort.default_gas());
        assert_ne!(custom.hash(), t.hash());
    }

    #[test]
    fn unknown_entries_are_refused() {
        assert!(matches!(
            CostTable::from_json(r#"{"host": {"nope": {"base": 1, "per_byte": 0}}}"#),
            Err(CostTableError::UnknownHostFn(n)) if n == "nope"
        ));
        assert!(CostTable::from_json(r#"{"extra": 1}"#).is_err());
    }

    #[test]
    fn host_call_saturates() {
        let mut t = CostTable::default();
        t.set_host(HostFn::sha256, HostGas { base: u64::MAX, per_byte: u64::MAX });
        assert_eq!(t.host_call(HostFn::sha256, u64::MAX), u64::MAX);
    }
}
