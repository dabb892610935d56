//! Prices of what costs time or memory without being an operator: instantiating a module,
//! its linear-memory pages, the locals a call zeroes, the targets of a `br_table`.
//!
//! The rule, on every engine and for every instance (an EE, the meta-EE, a `spawn`ed
//! child):
//!
//! * **Instantiation** is charged before the instance is created, from the figures the
//!   gatekeeper read: `instance + memory_page × initial pages + table_element × (table
//!   slots + element-segment entries) + data_byte × data-segment bytes + data_segment ×
//!   segments + global × globals + export × exports + local × main's locals`. A
//!   transaction that cannot pay it fails with out-of-gas and nothing is instantiated.
//! * **Memory pages** grown by `memory.grow` cost `memory_page` each on top of the
//!   operator's price; they are charged at the next host call and when `main` returns
//!   (memory never shrinks, so the pages above those already paid for are counted).
//! * **Locals**: a direct `call` costs `local` per declared local of its callee (they are
//!   zeroed on entry); a `call_indirect` the most locals of any function in the table.
//! * **`br_table`** costs `br_table_target` per target, its default included.
//!
//! Each price is part of the cost table's hash, so compiled modules are recompiled when
//! one changes.
use serde::{Deserialize, Serialize};

/// Resource prices (see the module documentation for where each is charged).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResourceCosts {
    /// Each instantiation, fixed part.
    pub instance: u64,
    /// Each 64 KiB linear-memory page an instance starts with or grows to.
    pub memory_page: u64,
    /// Each table slot and each element-segment entry, at instantiation.
    pub table_element: u64,
    /// Each byte of data segments copied into memory at instantiation.
    pub data_byte: u64,
    /// Each data segment, at instantiation.
    pub data_segment: u64,
    /// Each global, at instantiation.
    pub global: u64,
    /// Each export, at instantiation.
    pub export: u64,
    /// Each local a called function declares (zeroed on entry).
    pub local: u64,
    /// Each target of a `br_table`.
    pub br_table_target: u64,
}

impl Default for ResourceCosts {
    fn default() -> Self {
        ResourceCosts {
            instance: 25_000,
            memory_page: 4_096,
            table_element: 4,
            data_byte: 1,
            data_segment: 100,
            global: 10,
            export: 100,
            local: 1,
            br_table_target: 1,
        }
    }
}

/// What a module's instantiation is charged for, as the gatekeeper found it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InstanceFigures {
    /// Initial linear-memory pages.
    pub memory_pages: u64,
    /// Table slots plus element-segment entries.
    pub table_elements: u64,
    /// Bytes of all data segments.
    pub data_bytes: u64,
    /// Data segments.
    pub data_segments: u64,
    /// Globals.
    pub globals: u64,
    /// Exports.
    pub exports: u64,
    /// Locals `main` declares (zeroed when the host calls it).
    pub main_locals: u64,
}

impl ResourceCosts {
    /// Gas for instantiating a module with `figures` (saturating).
    pub fn instantiation(&self, figures: &InstanceFigures) -> u64 {
        let terms = [
            (self.memory_page, figures.memory_pages),
            (self.table_element, figures.table_elements),
            (self.data_byte, figures.data_bytes),
            (self.data_segment, figures.data_segments),
            (self.global, figures.globals),
            (self.export, figures.exports),
            (self.local, figures.main_locals),
        ];
        terms.iter().fold(self.instance, |gas, &(price, n)| gas.saturating_add(price.saturating_mul(n)))
    }

    /// Gas for `pages` grown pages (saturating).
    pub fn pages(&self, pages: u64) -> u64 {
        self.memory_page.saturating_mul(pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instantiation_sums_every_term() {
        let c = ResourceCosts::default();
        let f = InstanceFigures {
            memory_pages: 2,
            table_elements: 3,
            data_bytes: 5,
            data_segments: 1,
            globals: 4,
            exports: 2,
            main_locals: 7,
        };
        assert_eq!(c.instantiation(&f), 25_000 + 2 * 4_096 + 3 * 4 + 5 + 100 + 4 * 10 + 2 * 100 + 7);
        let huge = InstanceFigures { memory_pages: u64::MAX, ..f };
        assert_eq!(c.instantiation(&huge), u64::MAX);
    }
}
