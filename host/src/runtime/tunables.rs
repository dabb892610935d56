//! Memory and native-stack bounds for every instance (`wasmer::Tunables`).
//!
//! Memories are clamped to `Limits::memory_pages`: a module asking for more initially is
//! refused at load (gatekeeper) and `memory.grow` beyond the clamp returns -1, as the wasm
//! spec allows. The native stack of a wasm call is fixed at [`WASM_STACK_BYTES`], far above
//! what the deterministic budget of `runtime::stack` can use.
use std::ptr::NonNull;
use wasmer::sys::{BaseTunables, Tunables};
use wasmer::{MemoryType, Pages, TableType};
use wasmer_vm::{
    MemoryError, MemoryStyle, TableStyle, VMConfig, VMMemory, VMMemoryDefinition, VMTable, VMTableDefinition,
};

use crate::limits::WASM_STACK_BYTES;

static VM_CONFIG: VMConfig = VMConfig { wasm_stack_size: Some(WASM_STACK_BYTES) };

/// Base tunables with a memory cap and a fixed stack size.
pub struct LimitingTunables {
    base: BaseTunables,
    max_pages: Pages,
}

impl LimitingTunables {
    /// Tunables capping memories at `max_pages`.
    pub fn new(max_pages: u32) -> Self {
        LimitingTunables { base: BaseTunables::new(), max_pages: Pages(max_pages) }
    }

    fn clamp(&self, ty: &MemoryType) -> Result<MemoryType, MemoryError> {
        if ty.minimum > self.max_pages {
            return Err(MemoryError::Generic(format!(
                "initial memory of {} pages exceeds the limit of {}",
                ty.minimum.0, self.max_pages.0
            )));
        }
        let mut t = *ty;
        t.maximum = Some(ty.maximum.map_or(self.max_pages, |m| m.min(self.max_pages)));
        Ok(t)
    }
}

impl Tunables for LimitingTunables {
    fn memory_style(&self, memory: &MemoryType) -> MemoryStyle {
        self.base.memory_style(memory)
    }

    fn table_style(&self, table: &TableType) -> TableStyle {
        self.base.table_style(table)
    }

    fn create_host_memory(&self, ty: &MemoryType, style: &MemoryStyle) -> Result<VMMemory, MemoryError> {
        self.base.create_host_memory(&self.clamp(ty)?, style)
    }

    unsafe fn create_vm_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
        vm_definition_location: NonNull<VMMemoryDefinition>,
    ) -> Result<VMMemory, MemoryError> {
        let ty = self.clamp(ty)?;
        if super::pool::poolable(&ty, style) {
            // SAFETY: forwarded unchanged from the caller's contract.
            return unsafe { super::pool::take(&ty, style, vm_definition_location) };
        }
        // SAFETY: forwarded unchanged from the caller's contract.
        unsafe { self.base.create_vm_memory(&ty, style, vm_definition_location) }
    }

    fn create_host_table(&self, ty: &TableType, style: &TableStyle) -> Result<VMTable, String> {
        self.base.create_host_table(ty, style)
    }

    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        // SAFETY: forwarded unchanged from the caller's contract.
        unsafe { self.base.create_vm_table(ty, style, vm_definition_location) }
    }

    fn vmconfig(&self) -> &VMConfig {
        &VM_CONFIG
    }
}
